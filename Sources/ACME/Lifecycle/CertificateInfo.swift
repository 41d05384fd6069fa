import COpenSSL

/// What renewal needs to know about a certificate, read by OpenSSL from its PEM: its
/// validity and its DNS names (the first certificate of a chain, the leaf).
public struct CertificateInfo: Sendable, Equatable {
    public var notBefore: Double
    public var notAfter: Double
    public var names: [String]

    public init?(pem: String) {
        let bytes = Array(pem.utf8)
        let bio = bytes.withUnsafeBytes { BIO_new_mem_buf($0.baseAddress, Int32($0.count)) }
        defer { BIO_free(bio) }
        guard let bio, let x509 = PEM_read_bio_X509(bio, nil, nil, nil) else { return nil }
        defer { X509_free(x509) }
        guard let before = Self.epoch(X509_get0_notBefore(x509)), let after = Self.epoch(X509_get0_notAfter(x509)) else {
            return nil
        }
        notBefore = before
        notAfter = after
        var names: [String] = []
        withUnsafeMutablePointer(to: &names) { pointer in
            pounce_X509_foreach_dns_san(x509, pointer) { name, length, context in
                guard let context, let name else { return }
                let list = context.assumingMemoryBound(to: [String].self)
                list.pointee.append(String(decoding: UnsafeRawBufferPointer(start: name, count: Int(length)), as: UTF8.self))
            }
        }
        self.names = names
    }

    /// Seconds since the epoch of an ASN1_TIME.
    private static func epoch(_ time: UnsafePointer<ASN1_TIME>?) -> Double? {
        guard let time else { return nil }
        var tm = tm()
        guard ASN1_TIME_to_tm(time, &tm) == 1 else { return nil }
        return Double(timegm(&tm))
    }
}
