import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real HTTP/1.1 backend on loopback inside the test process, one thread per
/// connection, so tests control exactly what the proxy receives and sends back.
final class TestBackend: @unchecked Sendable {
    struct Request {
        var head: String
        var body: [UInt8]
        var requestLine: String { head.components(separatedBy: "\r\n").first ?? "" }
        func header(_ name: String) -> String? {
            for line in head.components(separatedBy: "\r\n").dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                if line[..<colon].lowercased() == name.lowercased() {
                    return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
            }
            return nil
        }
    }

    /// What to answer; the default echoes the request line and body.
    typealias Handler = @Sendable (Request, Int32) -> [UInt8]?

    let port: Int
    let name: String
    private let listenFD: Int32
    private let lock = NSLock()
    private var _requests: [Request] = []
    private var _connections = 0
    private let handler: Handler

    var requests: [Request] { lock.withLock { _requests } }
    var connections: Int { lock.withLock { _connections } }

    /// Listens on `address`:`port` (any of 127.0.0.0/8, all loopback on Linux), or on
    /// the UNIX socket `unixPath` when given.
    init(name: String, address: String = "127.0.0.1", port: Int = FreePort.next(), unixPath: String? = nil,
         handler: Handler? = nil) throws {
        self.name = name
        self.port = port
        self.handler = handler ?? { req, _ in TestBackend.echo(req, name: name) }
        let rc: Int32
        if let unixPath {
            listenFD = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            var addr = sockaddr_un()
            addr.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &addr.sun_path) { raw in
                for (i, b) in unixPath.utf8.prefix(raw.count - 1).enumerated() { raw[i] = b }
            }
            rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listenFD, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        } else {
            listenFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var one: Int32 = 1
            setsockopt(listenFD, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_addr.s_addr = inet_addr(address)
            addr.sin_port = in_port_t(UInt16(port)).bigEndian
            rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listenFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        }
        guard rc == 0, listen(listenFD, 128) == 0 else {
            close(listenFD)
            throw HarnessError("backend \(name) cannot listen on \(unixPath ?? "\(address):\(port)")")
        }
        let fd = listenFD
        Thread.detachNewThread { [weak self] in
            while true {
                let client = accept(fd, nil, nil)
                if client < 0 { return }
                guard let self else { close(client); return }
                self.lock.withLock { self._connections += 1 }
                Thread.detachNewThread { self.serve(client) }
            }
        }
    }

    /// Stops accepting (the port refuses connections afterwards).
    func stop() {
        shutdown(listenFD, Int32(SHUT_RDWR))
        close(listenFD)
    }

    deinit { stop() }

    static func echo(_ req: Request, name: String) -> [UInt8] {
        var headers = "x-backend: \(name)\r\nx-request-line: \(req.requestLine)\r\n"
        for line in req.head.components(separatedBy: "\r\n").dropFirst() where !line.isEmpty {
            if let colon = line.firstIndex(of: ":") {
                headers += "x-orig-\(line[..<colon].lowercased()): \(line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))\r\n"
            }
        }
        let body = req.body.isEmpty ? Array("hello from \(name)\n".utf8) : req.body
        return Array("HTTP/1.1 200 OK\r\n\(headers)Content-Length: \(body.count)\r\n\r\n".utf8) + body
    }

    private func serve(_ fd: Int32) {
        defer { close(fd) }
        var data: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        var tv = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        func fill() -> Bool {
            let n = recv(fd, &buf, buf.count, 0)
            if n <= 0 { return false }
            data += buf[0..<n]
            return true
        }
        while true {
            var headEnd: Int?
            while true {
                headEnd = HTTPReply.find(data, [13, 10, 13, 10])
                if headEnd != nil { break }
                if !fill() { return }
            }
            guard let end = headEnd else { return }
            let head = String(decoding: data[..<end], as: UTF8.self)
            data.removeFirst(end + 4)
            var request = Request(head: head, body: [])
            if let cl = request.header("Content-Length").flatMap({ Int($0) }) {
                while data.count < cl { if !fill() { return } }
                request.body = Array(data[..<cl])
                data.removeFirst(cl)
            } else if request.header("Transfer-Encoding")?.lowercased() == "chunked" {
                // Keeps the raw chunked body; tests decode what they need.
                while HTTPReply.find(data, Array("0\r\n\r\n".utf8)) == nil { if !fill() { return } }
                if let z = HTTPReply.find(data, Array("0\r\n\r\n".utf8)) {
                    request.body = Array(data[..<(z + 5)])
                    data.removeFirst(z + 5)
                }
            }
            lock.withLock { _requests.append(request) }
            guard let response = handler(request, fd) else { return }
            var offset = 0
            while offset < response.count {
                let n = response[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if n <= 0 { return }
                offset += n
            }
            let text = String(decoding: response.prefix(1024), as: UTF8.self).lowercased()
            if text.contains("connection: close") || request.header("Connection")?.lowercased() == "close" { return }
        }
    }
}
