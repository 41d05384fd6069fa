import COpenSSL

/// Certificate fields as text, printed the way Pound prints them in X-SSL-* headers.
public enum CertificateText {
    /// Every commonName of the subject, as UTF-8.
    static func commonNames(of x509: OpaquePointer) -> [String] {
        guard let subject = X509_get_subject_name(x509) else { return [] }
        var names: [String] = []
        var index: Int32 = -1
        while true {
            index = X509_NAME_get_index_by_NID(subject, NID_commonName, index)
            if index < 0 { break }
            guard let entry = X509_NAME_get_entry(subject, index),
                  let value = X509_NAME_ENTRY_get_data(entry) else { continue }
            var utf8: UnsafeMutablePointer<UInt8>?
            let length = ASN1_STRING_to_UTF8(&utf8, value)
            if length >= 0, let utf8 {
                names.append(String(decoding: UnsafeBufferPointer(start: utf8, count: Int(length)), as: UTF8.self))
                pounce_OPENSSL_free(utf8)
            }
        }
        return names
    }

    /// The DNS subjectAltNames, in order.
    public static func dnsNames(of x509: OpaquePointer) -> [String] {
        var names: [String] = []
        withUnsafeMutablePointer(to: &names) { namesPointer in
            pounce_X509_foreach_dns_san(x509, UnsafeMutableRawPointer(namesPointer)) { bytes, length, arg in
                guard let bytes, let arg, length > 0 else { return }
                let name = String(decoding: UnsafeBufferPointer(start: bytes, count: Int(length)), as: UTF8.self)
                arg.assumingMemoryBound(to: [String].self).pointee.append(name)
            }
        }
        return names
    }

    /// `X509_NAME_print_ex(..., XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB)`, e.g.
    /// `C = DE, O = Example, CN = client`.
    static func oneLine(_ name: OpaquePointer?) -> String {
        guard let name else { return "" }
        return MemoryBIO.text { bio in
            X509_NAME_print_ex(bio, name, 0, pounce_XN_FLAG_ONELINE_UTF8()) >= 0
        } ?? ""
    }

    /// `ASN1_TIME_print`, e.g. `Jan  2 03:04:05 2025 GMT`.
    static func time(_ time: UnsafePointer<ASN1_TIME>?) -> String {
        guard let time else { return "" }
        return MemoryBIO.text { bio in ASN1_TIME_print(bio, time) == 1 } ?? ""
    }

    /// The serial number in decimal, however long.
    static func serialDecimal(_ serial: UnsafePointer<ASN1_INTEGER>?) -> String {
        guard let serial, let bn = ASN1_INTEGER_to_BN(serial, nil) else { return "" }
        defer { BN_free(bn) }
        guard let text = BN_bn2dec(bn) else { return "" }
        defer { pounce_OPENSSL_free(text) }
        return String(cString: text)
    }

    /// `PEM_write_bio_X509`: the certificate as PEM text (with its trailing newline).
    static func pem(_ x509: OpaquePointer) -> String {
        MemoryBIO.text { bio in PEM_write_bio_X509(bio, x509) == 1 } ?? ""
    }
}
