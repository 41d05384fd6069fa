import COpenSSL
import NIOCore

/// An OpenSSL client on memory BIOs, talking to the server handler in an
/// `EmbeddedChannel` through `ServerHarness`.
final class TLSTestClient {
    struct Options {
        var minVersion: Int32 = 0
        var maxVersion: Int32 = 0
        var cipherList: String?
        var cipherSuites: String?
        var serverName: String?
        var alpn: [String] = []
        /// PEM with certificate and key.
        var certificate: String?
        /// An `SSL_SESSION` to resume.
        var session: OpaquePointer?
    }

    let ctx: OpaquePointer
    let ssl: OpaquePointer
    private let rbio: OpaquePointer
    private let wbio: OpaquePointer
    /// Application bytes received so far.
    var received: [UInt8] = []
    /// The server's close_notify arrived.
    var gotCloseNotify = false
    /// What failed, as OpenSSL put it.
    var failure: String?

    init(_ options: Options = Options()) {
        ctx = SSL_CTX_new(TLS_client_method())!
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nil)
        if options.minVersion != 0 { _ = pounce_SSL_CTX_set_min_proto_version(ctx, options.minVersion) }
        if options.maxVersion != 0 { _ = pounce_SSL_CTX_set_max_proto_version(ctx, options.maxVersion) }
        if let list = options.cipherList { _ = SSL_CTX_set_cipher_list(ctx, list) }
        if let suites = options.cipherSuites { _ = SSL_CTX_set_ciphersuites(ctx, suites) }
        if !options.alpn.isEmpty {
            var wire: [UInt8] = []
            for name in options.alpn {
                wire.append(UInt8(name.utf8.count))
                wire.append(contentsOf: name.utf8)
            }
            _ = SSL_CTX_set_alpn_protos(ctx, wire, UInt32(wire.count))
        }
        if let pem = options.certificate {
            _ = SSL_CTX_use_certificate_file(ctx, pem, SSL_FILETYPE_PEM)
            _ = SSL_CTX_use_PrivateKey_file(ctx, pem, SSL_FILETYPE_PEM)
        }
        ssl = SSL_new(ctx)!
        rbio = BIO_new(BIO_s_mem())!
        wbio = BIO_new(BIO_s_mem())!
        SSL_set_bio(ssl, rbio, wbio)
        SSL_set_connect_state(ssl)
        if let name = options.serverName { _ = pounce_SSL_set_tlsext_host_name(ssl, name) }
        if let session = options.session { _ = SSL_set_session(ssl, session) }
    }

    deinit {
        SSL_free(ssl)
        SSL_CTX_free(ctx)
    }

    // MARK: wire

    /// Ciphertext the client wants to send.
    func takeOutput() -> [UInt8] {
        let pending = Int(pounce_BIO_pending(wbio))
        guard pending > 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: pending)
        let n = bytes.withUnsafeMutableBytes { BIO_read(wbio, $0.baseAddress, Int32(pending)) }
        return Array(bytes.prefix(Int(max(n, 0))))
    }

    /// Ciphertext from the server.
    func feed(_ buffer: ByteBuffer) {
        buffer.withUnsafeReadableBytes { bytes in
            _ = BIO_write(rbio, bytes.baseAddress, Int32(bytes.count))
        }
    }

    // MARK: TLS

    /// One handshake step: true when done, false when it needs the peer, nil on failure.
    func handshakeStep() -> Bool? {
        ERR_clear_error()
        let rc = SSL_do_handshake(ssl)
        if rc == 1 { return true }
        if SSL_get_error(ssl, rc) == SSL_ERROR_WANT_READ { return false }
        failure = Self.errorText()
        return nil
    }

    /// Reads whatever plaintext is available into `received`.
    func readAvailable() {
        ERR_clear_error()
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { SSL_read(ssl, $0.baseAddress, Int32($0.count)) }
            if n > 0 {
                received.append(contentsOf: chunk.prefix(Int(n)))
                continue
            }
            switch SSL_get_error(ssl, n) {
            case SSL_ERROR_ZERO_RETURN:
                gotCloseNotify = true
            case SSL_ERROR_WANT_READ:
                break
            default:
                failure = Self.errorText()
            }
            return
        }
    }

    func write(_ bytes: [UInt8]) {
        ERR_clear_error()
        let n = bytes.withUnsafeBytes { SSL_write(ssl, $0.baseAddress, Int32($0.count)) }
        if n <= 0 { failure = Self.errorText() }
    }

    func shutdown() {
        _ = SSL_shutdown(ssl)
    }

    /// The CN of the certificate the server presented.
    var serverCertificateCommonName: String? {
        guard let x509 = SSL_get1_peer_certificate(ssl) else { return nil }
        defer { X509_free(x509) }
        var buffer = [CChar](repeating: 0, count: 256)
        let n = X509_NAME_get_text_by_NID(X509_get_subject_name(x509), NID_commonName, &buffer, Int32(buffer.count))
        guard n >= 0 else { return nil }
        return String(decoding: buffer.prefix(Int(n)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    var protocolVersion: String { String(cString: SSL_get_version(ssl)) }

    private static func errorText() -> String {
        let code = ERR_get_error()
        guard code != 0 else { return "no OpenSSL error" }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
