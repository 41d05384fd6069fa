import COpenSSL

/// A PKCS#10 certificate signing request (RFC 2986) for the names of an order, built and
/// signed by OpenSSL: the first name as the subject's CN, every name in subjectAltName.
public enum CertificateRequest {
    public static func der(names: [String], key: ECKey) throws(ECKey.Failure) -> [UInt8] {
        guard let first = names.first, names.allSatisfy(isPlainName) else {
            throw ECKey.Failure(description: "a certificate request needs DNS names")
        }
        let alt = names.map { "DNS:\($0)" }.joined(separator: ",")
        var der: UnsafeMutablePointer<UInt8>?
        let length = pounce_make_csr(key.pkey, first, alt, &der)
        guard length > 0, let der else { throw ECKey.Failure(description: "cannot make a certificate request") }
        defer { pounce_OPENSSL_free(der) }
        return Array(UnsafeBufferPointer(start: der, count: Int(length)))
    }

    /// A DNS name (labels of letters, digits and inner hyphens, 1 to 63 characters each),
    /// possibly after "*.": nothing that could reach OpenSSL's configuration syntax for
    /// subjectAltName (commas, colons) or name a path outside the state directory ("..").
    static func isPlainName(_ name: String) -> Bool {
        var body = Substring(name)
        if body.hasPrefix("*.") { body = body.dropFirst(2) }
        guard !body.isEmpty, body.count <= 253 else { return false }
        return body.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            label.count >= 1 && label.count <= 63 && label.first != "-" && label.last != "-"
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }
}
