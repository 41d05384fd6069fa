import COpenSSL
import Foundation
import HTTPWire
import OpenSSLTLS

/// A blocking HTTPS client for the ACME server, run on a thread of the ACME side's own,
/// never on an event loop: a few requests a day. TLS is the system OpenSSL's, the
/// server checked against `trust` (a PEM bundle; nil: the system's store) and its name;
/// every phase (connect, handshake, each read and write) is bounded by `timeout`.
/// Requests are HTTP/1.0, so the answer is never chunked and ends with the connection.
public struct HTTPSClient: Sendable {
    public struct Response: Sendable {
        public let status: Int
        public let headers: [(name: String, value: String)]
        public let body: [UInt8]

        public func header(_ name: String) -> String? {
            headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
        }
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public let trust: String?
    public let timeout: Double
    /// Answers longer than this are refused (a certificate chain is a few KiB).
    public static let maximumResponse = 1 << 20

    public init(trust: String? = nil, timeout: Double = 30) {
        self.trust = trust
        self.timeout = timeout
    }

    public func get(_ url: URL) throws(Failure) -> Response {
        try send("GET", url, body: nil, contentType: nil)
    }

    public func head(_ url: URL) throws(Failure) -> Response {
        try send("HEAD", url, body: nil, contentType: nil)
    }

    public func post(_ url: URL, body: [UInt8], contentType: String = "application/jose+json") throws(Failure) -> Response {
        try send("POST", url, body: body, contentType: contentType)
    }

    private func send(_ method: String, _ url: URL, body: [UInt8]?, contentType: String?) throws(Failure) -> Response {
        guard url.scheme == "https", let host = url.host, !host.isEmpty else {
            throw Failure(description: "\(url): not an https URL")
        }
        let port = url.port ?? 443
        var target = url.path.isEmpty ? "/" : url.path
        if let query = url.query { target += "?" + query }
        let fd = try Self.connect(host: host, port: port, timeout: timeout)
        defer { close(fd) }
        let tls = try TLSSession(fd: fd, host: host, trust: trust)
        var head = "\(method) \(target) HTTP/1.0\r\nHost: \(url.port.map { "\(host):\($0)" } ?? host)\r\n"
            + "User-Agent: pounce-acme\r\nAccept: */*\r\n"
        if let contentType { head += "Content-Type: \(contentType)\r\n" }
        if let body { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        try tls.write(Array(head.utf8) + (body ?? []))
        let raw = try tls.readAll(limit: Self.maximumResponse)
        guard case .complete(let responseHead, let headLength) = HTTPHeadParser.parseResponse(raw, maxLineLength: 8192)
        else { throw Failure(description: "\(url): no valid HTTP response") }
        var content = Array(raw[headLength...])
        if method == "HEAD" { content = [] }
        if let length = responseHead.headers.first("Content-Length").flatMap({ Int($0) }) {
            guard length <= content.count else { throw Failure(description: "\(url): the answer was cut short") }
            content = Array(content[..<length])
        }
        return Response(status: responseHead.status,
                        headers: responseHead.headers.fields.map { ($0.name, $0.value) }, body: content)
    }

    private static func connect(host: String, port: Int, timeout: Double) throws(Failure) -> Int32 {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else {
            throw Failure(description: "\(host): cannot resolve")
        }
        defer { freeaddrinfo(list) }
        var lastError = "no address"
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let ai = entry?.pointee {
            entry = ai.ai_next
            let fd = socket(ai.ai_family, ai.ai_socktype | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue),
                            ai.ai_protocol)
            guard fd >= 0 else { continue }
            if Glibc.connect(fd, ai.ai_addr, ai.ai_addrlen) != 0 && errno != EINPROGRESS {
                lastError = String(cString: strerror(errno))
                close(fd)
                continue
            }
            var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            var soError: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            guard poll(&pfd, 1, Int32(timeout * 1000)) == 1,
                  getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &length) == 0, soError == 0 else {
                lastError = soError != 0 ? String(cString: strerror(soError)) : "connect timed out"
                close(fd)
                continue
            }
            // Blocking from here on, each read and write bounded.
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
            var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1e6))
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            return fd
        }
        throw Failure(description: "connect to \(host):\(port): \(lastError)")
    }
}

/// One TLS client connection over a connected blocking socket.
private final class TLSSession {
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
