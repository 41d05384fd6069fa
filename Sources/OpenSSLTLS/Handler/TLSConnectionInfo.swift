import COpenSSL
import Synchronization

/// What a completed handshake settled, for logs and the X-SSL-* request headers.
public struct TLSConnectionInfo: Sendable, Hashable {
    /// `SSL_get_version`: "TLSv1.3", "TLSv1.2".
    public var protocolVersion: String
    /// The cipher's OpenSSL name, e.g. "TLS_AES_256_GCM_SHA384".
    public var cipherName: String
    /// `SSL_CIPHER_description` without the line end: what Pound puts after the
    /// "/" in `X-SSL-cipher: <protocolVersion>/<cipherDescription>`.
    public var cipherDescription: String
    /// The SNI name the client asked for, if any.
    public var serverName: String?
    /// The ALPN protocol agreed on ("http/1.1"), if any.
    public var alpnProtocol: String?
    /// Whether the session was resumed (ticket or session id).
    public var sessionReused: Bool
    /// The client's certificate, when it sent one.
    public var peerCertificate: TLSPeerCertificate?

    public init(protocolVersion: String, cipherName: String, cipherDescription: String, serverName: String?,
                alpnProtocol: String?, sessionReused: Bool, peerCertificate: TLSPeerCertificate?) {
        self.protocolVersion = protocolVersion
        self.cipherName = cipherName
        self.cipherDescription = cipherDescription
        self.serverName = serverName
        self.alpnProtocol = alpnProtocol
        self.sessionReused = sessionReused
        self.peerCertificate = peerCertificate
    }

    /// Reads the settled values off a connection whose handshake just completed.
    init(ssl: OpaquePointer) {
        let names = CipherNames.of(ssl)
        protocolVersion = names.protocolVersion
        cipherName = names.cipherName
        cipherDescription = names.cipherDescription
        serverName = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name).map { String(cString: $0) }
        var alpn: UnsafePointer<UInt8>?
        var alpnLength: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &alpn, &alpnLength)
        if let alpn, alpnLength > 0 {
            alpnProtocol = String(decoding: UnsafeBufferPointer(start: alpn, count: Int(alpnLength)), as: UTF8.self)
        } else {
            alpnProtocol = nil
        }
        sessionReused = SSL_session_reused(ssl) == 1
        if let x509 = SSL_get1_peer_certificate(ssl) {
            defer { X509_free(x509) }
            peerCertificate = TLSPeerCertificate(x509: x509, verifyResult: Int(SSL_get_verify_result(ssl)))
        } else {
            peerCertificate = nil
        }
    }
}

/// A client certificate, in the text forms Pound's X-SSL-* headers use.
public struct TLSPeerCertificate: Sendable, Hashable {
    /// `X-SSL-Subject`: one-line form, e.g. "C = DE, O = Example, CN = client".
    public var subject: String
    /// `X-SSL-Issuer`, same form.
    public var issuer: String
    /// `X-SSL-notBefore`: `ASN1_TIME_print` form, e.g. "Jan  2 03:04:05 2025 GMT".
    public var notBefore: String
    /// `X-SSL-notAfter`, same form.
    public var notAfter: String
    /// The serial number in decimal, exactly.
    public var serial: String
    /// What Pound prints in `X-SSL-serial` (`ASN1_INTEGER_get` as `%ld`): the
    /// serial when it fits a `long`, and -1 otherwise (most serials today are
    /// 16-20 random bytes).
    public var poundSerial: Int
    /// `X-SSL-certificate`: PEM text, lines separated by "\n", ending with one.
    public var pem: String
    /// `SSL_get_verify_result` (0 = X509_V_OK); meaningful with `ClientCert 1|2`.
    public var verifyResult: Int

    public init(subject: String, issuer: String, notBefore: String, notAfter: String, serial: String,
                poundSerial: Int, pem: String, verifyResult: Int) {
        self.subject = subject
        self.issuer = issuer
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.serial = serial
        self.poundSerial = poundSerial
        self.pem = pem
        self.verifyResult = verifyResult
    }

    init(x509: OpaquePointer, verifyResult: Int) {
        subject = CertificateText.oneLine(X509_get_subject_name(x509))
        issuer = CertificateText.oneLine(X509_get_issuer_name(x509))
        notBefore = CertificateText.time(X509_get0_notBefore(x509))
        notAfter = CertificateText.time(X509_get0_notAfter(x509))
        let serialNumber = X509_get0_serialNumber(x509)
        serial = CertificateText.serialDecimal(serialNumber)
        poundSerial = serialNumber.map { Int(ASN1_INTEGER_get($0)) } ?? -1
        pem = CertificateText.pem(x509)
        self.verifyResult = verifyResult
    }
}

/// Fired inbound (`fireUserInboundEventTriggered`) by `TLSServerHandler` once the
/// handshake completes, before any plaintext.
public struct TLSHandshakeCompleted: Sendable, Hashable {
    public var info: TLSConnectionInfo

    public init(info: TLSConnectionInfo) {
        self.info = info
    }
}

/// The protocol and cipher texts of a connection, made once per (protocol, cipher) pair
/// and shared: every connection holds them for its life, and there are only a handful.
struct CipherNames: Sendable {
    var protocolVersion: String
    var cipherName: String
    var cipherDescription: String

    private struct Key: Hashable {
        var version: UInt
        var cipher: UInt
    }

    private static let known = Mutex<[Key: CipherNames]>([:])

    static func of(_ ssl: OpaquePointer) -> CipherNames {
        // SSL_get_version and SSL_get_current_cipher point into OpenSSL's static tables.
        let version = SSL_get_version(ssl)
        let cipher = SSL_get_current_cipher(ssl)
        let key = Key(version: UInt(bitPattern: version), cipher: UInt(bitPattern: cipher))
        if let names = known.withLock({ $0[key] }) { return names }
        let names = CipherNames(version: version, cipher: cipher)
        known.withLock { $0[key] = names }
        return names
    }

    private init(version: UnsafePointer<CChar>?, cipher: OpaquePointer?) {
        protocolVersion = version.map { String(cString: $0) } ?? ""
        guard let cipher else {
            cipherName = ""
            cipherDescription = ""
            return
        }
        cipherName = SSL_CIPHER_get_name(cipher).map { String(cString: $0) } ?? ""
        cipherDescription = withUnsafeTemporaryAllocation(of: CChar.self, capacity: 256) { buf in
            guard let base = buf.baseAddress, SSL_CIPHER_description(cipher, base, Int32(buf.count)) != nil else {
                return ""
            }
            var text = String(cString: base)
            while let last = text.last, last == "\n" || last == "\r" { text.removeLast() }
            return text
        }
    }
}
