import HTTPWire
import NIOCore
import Synchronization

/// Builds the answer to one request.
struct DemoResponder: Sendable {
    let name: String
    let verbose: Bool
    /// Requests served by this process, for "request #K".
    private static let served = Atomic<Int>(0)

    func respond(to request: DemoRequest, allocator: ByteBufferAllocator) -> (ByteBuffer, keepAlive: Bool) {
        let number = Self.served.add(1, ordering: .relaxed).newValue
        var status = 200
        var headers: [(String, String)] = [("x-backend-name", name)]
        var body: [UInt8] = []

        let path = request.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        if path.hasPrefix("/echo") {
            headers.append(("x-orig-uri", request.uri))
            for h in request.headers {
                headers.append(("x-orig-header-" + h.name.lowercased(), h.value))
            }
            body = request.body
        } else if path.hasPrefix("/status/") {
            let code = Int(path.dropFirst("/status/".count)) ?? 500
            status = (100...999).contains(code) ? code : 500
            if Self.allowsBody(status) { body = Array("\(status) \(Self.reason(status))\n".utf8) }
        } else {
            body = Array("Hello from \(name) (request #\(number))\n".utf8)
            headers.append(("Content-Type", "text/plain"))
            if request.cookie("DEMOSESSION") == nil {
                let token = String(UInt64.random(in: 0...UInt64.max), radix: 16)
                headers.append(("Set-Cookie", "DEMOSESSION=\(name)-\(token); Path=/"))
            }
        }

        let keepAlive = request.keepAlive
        var head = "HTTP/1.1 \(status) \(Self.reason(status))\r\n"
        for (n, v) in headers { head += "\(n): \(v)\r\n" }
        if Self.allowsBody(status) { head += "Content-Length: \(body.count)\r\n" }
        if !keepAlive { head += "Connection: close\r\n" }
        head += "\r\n"

        var buffer = allocator.buffer(capacity: head.utf8.count + body.count)
        buffer.writeString(head)
        if request.method != "HEAD" && Self.allowsBody(status) { buffer.writeBytes(body) }
        if verbose { DemoConsole.err("\(name): \(request.method) \(request.uri) -> \(status)\n") }
        return (buffer, keepAlive)
    }

    static func badRequest(allocator: ByteBufferAllocator, name: String, status: Int) -> ByteBuffer {
        let body = "\(status) \(reason(status))\n"
        var buffer = allocator.buffer(capacity: 160)
        buffer.writeString("HTTP/1.1 \(status) \(reason(status))\r\nx-backend-name: \(name)\r\n"
            + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
        return buffer
    }

    static func allowsBody(_ status: Int) -> Bool {
        !(100..<200).contains(status) && status != 204 && status != 304
    }

    static func reason(_ status: Int) -> String {
        HTTPStatus.reason(status) ?? "Unknown"
    }
}
