import NIOCore

/// Incremental HTTP/1.x request parser over the connection's accumulated bytes:
/// request line and headers, then a Content-Length or chunked body.
struct RequestParser {
    enum Failure: Error { case bad(String), tooLarge }

    static let maxHead = 64 * 1024
    static let maxBody = 64 * 1024 * 1024

    private enum State {
        case head
        case fixedBody(DemoRequest, remaining: Int)
        case chunkSize(DemoRequest)
        case chunkData(DemoRequest, remaining: Int)
        case chunkDataEnd(DemoRequest)
        case trailers(DemoRequest)
    }

    private var state = State.head

    /// The next complete request in `buffer` (consuming its bytes), or nil when more
    /// bytes are needed.
    mutating func next(_ buffer: inout ByteBuffer) throws(Failure) -> DemoRequest? {
        while true {
            switch state {
            case .head:
                guard let line = Self.headEnd(buffer) else {
                    if buffer.readableBytes > Self.maxHead { throw .tooLarge }
                    return nil
                }
                guard line <= Self.maxHead, let bytes = buffer.readBytes(length: line) else { throw .tooLarge }
                var request = try Self.parseHead(bytes)
                let te = request.header("transfer-encoding")?.lowercased() ?? ""
                if te.contains("chunked") {
                    state = .chunkSize(request)
                } else if let cl = request.header("content-length") {
                    guard let n = Int(cl.trimmingBlanks), n >= 0 else { throw .bad("bad Content-Length") }
                    guard n <= Self.maxBody else { throw .tooLarge }
                    if n == 0 { return request }
                    request.body.reserveCapacity(n)
                    state = .fixedBody(request, remaining: n)
                } else {
                    return request
                }
            case .fixedBody(var request, let remaining):
                let n = min(remaining, buffer.readableBytes)
                if n > 0, let chunk = buffer.readBytes(length: n) { request.body += chunk }
                if remaining - n == 0 {
                    state = .head
                    return request
                }
                state = .fixedBody(request, remaining: remaining - n)
                return nil
            case .chunkSize(let request):
                guard let line = try Self.line(&buffer) else { return nil }
                let sizeText = line.split(separator: ";", maxSplits: 1).first.map { $0.trimmingBlanks } ?? ""
                guard !sizeText.isEmpty, let size = Int(sizeText, radix: 16), size >= 0 else {
                    throw .bad("bad chunk size")
                }
                guard request.body.count + size <= Self.maxBody else { throw .tooLarge }
                state = size == 0 ? .trailers(request) : .chunkData(request, remaining: size)
            case .chunkData(var request, let remaining):
                let n = min(remaining, buffer.readableBytes)
                if n > 0, let chunk = buffer.readBytes(length: n) { request.body += chunk }
                if remaining - n > 0 {
                    state = .chunkData(request, remaining: remaining - n)
                    return nil
                }
                state = .chunkDataEnd(request)
            case .chunkDataEnd(let request):
                guard let line = try Self.line(&buffer) else { return nil }
                guard line.isEmpty else { throw .bad("missing CRLF after chunk") }
                state = .chunkSize(request)
            case .trailers(let request):
                guard let line = try Self.line(&buffer) else { return nil }
                if line.isEmpty {
                    state = .head
                    return request
                }
            }
        }
    }

    /// Bytes up to and including the blank line that ends the head, if present.
    private static func headEnd(_ buffer: ByteBuffer) -> Int? {
        buffer.withUnsafeReadableBytes { raw -> Int? in
            let n = raw.count
            var i = 0
            while i + 3 < n {
                if raw[i + 3] != 0x0a { i += 1; continue }
                if raw[i] == 0x0d && raw[i + 1] == 0x0a && raw[i + 2] == 0x0d { return i + 4 }
                i += 1
            }
            return nil
        }
    }

    /// One CRLF-terminated line (without CRLF), consumed.
    private static func line(_ buffer: inout ByteBuffer) throws(Failure) -> String? {
        let found = buffer.withUnsafeReadableBytes { raw -> Int? in
            var i = 0
            while i + 1 < raw.count {
                if raw[i] == 0x0d && raw[i + 1] == 0x0a { return i }
                i += 1
            }
            return nil
        }
        guard let end = found else {
            if buffer.readableBytes > maxHead { throw .tooLarge }
            return nil
        }
        let text = buffer.readString(length: end) ?? ""
        buffer.moveReaderIndex(forwardBy: 2)
        return text
    }

    private static func parseHead(_ bytes: [UInt8]) throws(Failure) -> DemoRequest {
        let text = String(decoding: bytes, as: UTF8.self)
        var lines = text.split(separator: "\r\n", omittingEmptySubsequences: false)
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard let requestLine = lines.first else { throw .bad("empty request") }
        let parts = requestLine.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 3, parts[2].hasPrefix("HTTP/1.") else { throw .bad("bad request line") }
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex else {
                throw .bad("bad header line")
            }
            headers.append((String(line[..<colon]), String(line[line.index(after: colon)...].trimmingBlanks)))
        }
        return DemoRequest(method: String(parts[0]), uri: String(parts[1]), version: String(parts[2]),
                           headers: headers, body: [])
    }
}
