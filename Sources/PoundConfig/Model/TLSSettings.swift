/// The TLS side of a `ListenHTTPS` listener.
///
/// For now certificates are only checked to exist and be readable; loading them into
/// OpenSSL contexts (and OpenSSL's own diagnostics for bad PEM data, cipher strings,
/// CA/CRL files) is done when the TLS layer is built.
public struct TLSSettings: Sendable, Hashable {
    /// `Cert`: certificate+key PEM files, in load order (a directory contributes each
    /// regular file in it). The first is the default; the others are chosen by SNI.
    public var certificates: [CertificateFile] = []
    /// `AutoCert`: certificates Pounce obtains and renews itself (see `ACMESettings`).
    public var autoCertificates: [AutoCertificate] = []
    /// `CertificateAuthority`, `Contact`, `StateDirectory`, `Challenge`...: how.
    public var acme = ACMESettings()
    /// `ClientCert`: nil = not set (no client certificate requested, unless a service
    /// condition needs one).
    public var clientCertificate: ClientCertificateMode?
    /// `Disable`: protocol versions refused (each implies the older ones).
    public var disabledProtocols: TLSProtocols = []
    /// `Ciphers "list"` (TLS <= 1.2).
    public var cipherList: String?
    /// `Ciphers -ciphersuites "suites"` (TLS 1.3).
    public var cipherSuites: String?
    /// `SSLHonorCipherOrder`: nil = OpenSSL default.
    public var honorCipherOrder: Bool?
    public var clientRenegotiation: ClientRenegotiation = .refuse
    /// `CAlist`: CA names sent to clients when asking for a certificate.
    public var caList: String?
    /// `VerifyList`: CAs trusted to verify client certificates.
    public var verifyList: String?
    /// `CRLlist`: revocation lists checked for client certificates.
    public var crlList: String?
    /// `NoHTTPS11`: answer HTTPS requests from MSIE clients with HTTP/1.0.
    public var noHTTPS11: NoHTTPS11Mode = .off

    public init() {}

    /// Whether any certificate is configured, from a file or automatic.
    public var hasCertificates: Bool { !certificates.isEmpty || !autoCertificates.isEmpty }
}

public struct CertificateFile: Sendable, Hashable {
    public var path: String
    public var range: LocusRange
}

/// `ClientCert 0|1|2|3 [depth]`.
public enum ClientCertificateMode: Sendable, Hashable {
    /// 0: don't ask.
    case none
    /// 1: ask, accept clients without one.
    case optional(depth: Int)
    /// 2: ask and refuse clients without a valid one.
    case required(depth: Int)
    /// 3: ask but don't verify.
    case unverified(depth: Int)
}

/// Protocol versions for `Disable`.
public struct TLSProtocols: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    public static let sslv2 = TLSProtocols(rawValue: 1)
    public static let sslv3 = TLSProtocols(rawValue: 2)
    public static let tlsv1 = TLSProtocols(rawValue: 4)
    public static let tlsv1_1 = TLSProtocols(rawValue: 8)
    public static let tlsv1_2 = TLSProtocols(rawValue: 16)
}

/// `SSLAllowClientRenegotiation 0|1|2`.
public enum ClientRenegotiation: Int, Sendable, Hashable {
    case refuse = 0
    /// Secure renegotiation only.
    case secureOnly = 1
    /// Including insecure legacy renegotiation.
    case allowUnsafe = 2
}

/// `NoHTTPS11 0|1|2`.
public enum NoHTTPS11Mode: Int, Sendable, Hashable {
    case off = 0
    /// Always answer HTTPS requests with HTTP/1.0.
    case always = 1
    /// Only for MSIE clients.
    case msieOnly = 2
}
