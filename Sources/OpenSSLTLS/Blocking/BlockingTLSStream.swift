import COpenSSL
import Glibc

/// One TLS client connection over a connected blocking socket.
final class BlockingTLSStream: BlockingStream {
    private let ctx: OpaquePointer
    private let ssl: OpaquePointer

    init(fd: Int32, host: String, trust: String?) throws(HTTPSClient.Failure) {
        guard let ctx = SSL_CTX_new(TLS_client_method()) else { throw Self.failure("SSL_CTX_new") }
        self.ctx = ctx
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nil)
        _ = pounce_SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION)
        let loaded = trust.map { SSL_CTX_load_verify_locations(ctx, $0, nil) } ?? SSL_CTX_set_default_verify_paths(ctx)
        guard loaded == 1 else {
            SSL_CTX_free(ctx)
            throw Self.failure("cannot load the trusted certificates \(trust ?? "of the system")")
        }
        guard let ssl = SSL_new(ctx) else {
            SSL_CTX_free(ctx)
            throw Self.failure("SSL_new")
        }
        self.ssl = ssl
        _ = pounce_SSL_set_tlsext_host_name(ssl, host)
        // The name the certificate must carry (an IP address literal is matched as one).
        if host.contains(":") || host.allSatisfy({ $0.isNumber || $0 == "." }) {
            _ = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host)
        } else {
            _ = SSL_set1_host(ssl, host)
        }
        SSL_set_fd(ssl, fd)
        _ = OpenSSLErrors.drain()
        guard SSL_connect(ssl) == 1 else {
            let result = SSL_get_verify_result(ssl)
            let reason = result != X509_V_OK ? String(cString: X509_verify_cert_error_string(Int(result)))
                : (OpenSSLErrors.first() ?? "handshake failed")
            // Fully initialised: deinit frees both.
            throw HTTPSClient.Failure(description: "TLS with \(host): \(reason)")
        }
    }

    deinit {
        SSL_free(ssl)
        SSL_CTX_free(ctx)
    }

    func write(_ bytes: [UInt8]) throws(HTTPSClient.Failure) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { SSL_write(ssl, $0.baseAddress, Int32($0.count)) }
            guard n > 0 else { throw Self.failure("TLS write") }
            offset += Int(n)
        }
    }

    func readAll(limit: Int) throws(HTTPSClient.Failure) -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { SSL_read(ssl, $0.baseAddress, Int32($0.count)) }
            if n > 0 {
                out += chunk[..<Int(n)]
                guard out.count <= limit else { throw HTTPSClient.Failure(description: "response too large") }
                continue
            }
            let error = SSL_get_error(ssl, n)
            // The server's close_notify, or a plain close (HTTP/1.0 ends the answer with it).
            if error == SSL_ERROR_ZERO_RETURN || (error == SSL_ERROR_SYSCALL && errno == 0) { return out }
            if error == SSL_ERROR_SYSCALL && (errno == EAGAIN || errno == EWOULDBLOCK) {
                throw HTTPSClient.Failure(description: "read timed out")
            }
            // OpenSSL 3 reports an EOF without close_notify as an SSL error; the body is whole.
            if !out.isEmpty {
                _ = OpenSSLErrors.drain()
                return out
            }
            throw Self.failure("TLS read")
        }
    }

    private static func failure(_ what: String) -> HTTPSClient.Failure {
        HTTPSClient.Failure(description: "\(what): \(OpenSSLErrors.first() ?? "failed")")
    }
}
