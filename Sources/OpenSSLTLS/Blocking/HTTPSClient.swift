import COpenSSL
import Foundation
import HTTPWire

/// A blocking HTTP(S) client for the few requests a day of the ACME client and the OCSP
/// refresher, each run on a thread of its own, never on an event loop. TLS is the system
/// OpenSSL's, the server checked against `trust` (a PEM bundle; nil: the system's store)
/// and its name; `http://` URLs go in the clear (OCSP responders are plain HTTP: the
/// answers are signed, RFC 6960 A.1). Every phase (connect, handshake, each read and
/// write) is bounded by `timeout`. Requests are HTTP/1.0, so the answer is never chunked
/// and ends with the connection.
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
        let scheme = url.scheme?.lowercased()
        guard scheme == "https" || scheme == "http", let host = url.host, !host.isEmpty else {
            throw Failure(description: "\(url): not an http or https URL")
        }
        let secure = scheme == "https"
        let port = url.port ?? (secure ? 443 : 80)
        var target = url.path.isEmpty ? "/" : url.path
        if let query = url.query { target += "?" + query }
        let fd = try Self.connect(host: host, port: port, timeout: timeout)
        defer { close(fd) }
        let stream: any BlockingStream
        if secure {
            stream = try BlockingTLSStream(fd: fd, host: host, trust: trust)
        } else {
            stream = BlockingSocketStream(fd: fd)
        }
        var head = "\(method) \(target) HTTP/1.0\r\nHost: \(url.port.map { "\(host):\($0)" } ?? host)\r\n"
            + "User-Agent: pounce\r\nAccept: */*\r\n"
        if let contentType { head += "Content-Type: \(contentType)\r\n" }
        if let body { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        try stream.write(Array(head.utf8) + (body ?? []))
        let raw = try stream.readAll(limit: Self.maximumResponse)
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
