import COpenSSL
import OpenSSLTLS

/// What renewal needs to know about a certificate, read by OpenSSL from its PEM: its
/// validity and its DNS names (the first certificate of a chain, the leaf).
public struct CertificateInfo: Sendable, Equatable {
    public var notBefore: Double
    public var notAfter: Double
    public var names: [String]
    /// The certificate's identifier for renewal information (RFC 9773 §4.1): the authority
    /// key identifier and the serial number's DER content, each base64url, joined by a dot.
    /// nil without an authority key identifier.
    public var renewalIdentifier: String?

    public init?(pem: String) {
        let bio = MemoryBIO.copying(pem)
        defer { BIO_free(bio) }
        guard let bio, let x509 = PEM_read_bio_X509(bio, nil, nil, nil) else { return nil }
        defer { X509_free(x509) }
        guard let before = Self.epoch(X509_get0_notBefore(x509)), let after = Self.epoch(X509_get0_notAfter(x509)) else {
            return nil
        }
        notBefore = before
        notAfter = after
        names = CertificateText.dnsNames(of: x509)
        renewalIdentifier = Self.renewalIdentifier(x509)
    }

    private static func renewalIdentifier(_ x509: OpaquePointer) -> String? {
        guard let keyID = X509_get0_authority_key_id(x509), let serial = X509_get0_serialNumber(x509) else { return nil }
        let keyBytes = bytes(of: keyID)
        guard !keyBytes.isEmpty else { return nil }
        return renewalIdentifier(authorityKeyIdentifier: keyBytes, serialMagnitude: bytes(of: serial))
    }

    /// The serial's DER content is its magnitude with a leading zero when the high bit is set
    /// (serials are positive).
    static func renewalIdentifier(authorityKeyIdentifier: [UInt8], serialMagnitude: [UInt8]) -> String {
        var serial = serialMagnitude
        if serial.isEmpty || serial[0] & 0x80 != 0 { serial.insert(0, at: 0) }
        return Base64URL.encode(authorityKeyIdentifier) + "." + Base64URL.encode(serial)
    }

    private static func bytes(of string: UnsafePointer<ASN1_STRING>) -> [UInt8] {
        guard let data = ASN1_STRING_get0_data(string) else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: Int(ASN1_STRING_length(string))))
    }

    /// Seconds since the epoch of an ASN1_TIME.
    private static func epoch(_ time: UnsafePointer<ASN1_TIME>?) -> Double? {
        guard let time else { return nil }
        var tm = tm()
        guard ASN1_TIME_to_tm(time, &tm) == 1 else { return nil }
        return Double(timegm(&tm))
    }
}
