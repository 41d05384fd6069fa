import COpenSSL

/// One certificate's OCSP status as a TLS server staples it (RFC 6960, 6066 §8): the
/// responder its certificate names, the request to send there, and the check of what
/// comes back (signed by the issuer or a responder it certified, current, about this
/// certificate). Fetching is the caller's: any HTTP client posts `request` to `responder`.
public final class OCSPQuery: @unchecked Sendable {
    /// Both owned; immutable after init.
    private let certificate: OpaquePointer
    private let issuer: OpaquePointer
    public let responder: String
    public let request: [UInt8]

    public enum Status: Sendable, Equatable {
        case good
        case revoked
        case unknown
    }

    /// A checked answer: what to staple (`response`, the DER as received) until `nextUpdate`.
    public struct Answer: Sendable, Equatable {
        public let status: Status
        public let thisUpdate: Double
        /// Seconds since the epoch; nil when the responder gives none.
        public let nextUpdate: Double?
        public let response: [UInt8]
    }

    /// nil when the chain (PEM: the certificate, then its issuer) has no issuer or the
    /// certificate names no OCSP responder.
    public convenience init?(chainPEM: String) {
        let bio = MemoryBIO.copying(chainPEM)
        defer { BIO_free(bio) }
        guard let bio, let leaf = PEM_read_bio_X509(bio, nil, nil, nil) else { return nil }
        defer { X509_free(leaf) }
        guard let issuer = PEM_read_bio_X509(bio, nil, nil, nil) else { return nil }
        defer { X509_free(issuer) }
        self.init(certificate: leaf, issuer: issuer)
    }

    /// The query for `certificate` (an `X509`) issued by `issuer`, both borrowed (the query
    /// takes references of its own): nil when the certificate names no OCSP responder,
    /// which is checked first, so a certificate without one costs one extension lookup.
    public init?(certificate: OpaquePointer, issuer: OpaquePointer) {
        var url = [CChar](repeating: 0, count: 1024)
        let urlLength = pounce_ocsp_url(certificate, &url, Int32(url.count))
        guard urlLength > 0 else { return nil }
        var der: UnsafeMutablePointer<UInt8>?
        let requestLength = pounce_ocsp_request(certificate, issuer, &der)
        guard requestLength > 0, let der else { return nil }
        defer { pounce_OPENSSL_free(der) }
        X509_up_ref(certificate)
        X509_up_ref(issuer)
        self.certificate = certificate
        self.issuer = issuer
        responder = String(decoding: url.prefix(Int(urlLength)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        request = Array(UnsafeBufferPointer(start: der, count: Int(requestLength)))
    }

    deinit {
        X509_free(certificate)
        X509_free(issuer)
    }

    /// The answer in `response` if it is one for this certificate that can be trusted now.
    public func check(_ response: [UInt8]) -> Answer? {
        var thisUpdate: Int64 = 0, nextUpdate: Int64 = 0
        let status = response.withUnsafeBufferPointer {
            pounce_ocsp_check($0.baseAddress, $0.count, certificate, issuer, &thisUpdate, &nextUpdate)
        }
        let mapped: Status
        switch status {
        case V_OCSP_CERTSTATUS_GOOD: mapped = .good
        case V_OCSP_CERTSTATUS_REVOKED: mapped = .revoked
        case V_OCSP_CERTSTATUS_UNKNOWN: mapped = .unknown
        default: return nil
        }
        return Answer(status: mapped, thisUpdate: Double(thisUpdate), nextUpdate: nextUpdate > 0 ? Double(nextUpdate) : nil,
                      response: response)
    }
}
