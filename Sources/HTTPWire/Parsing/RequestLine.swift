/// Offsets of the parts of `METHOD SP+ URI SP+ HTTP/1.x`, checked the way Pound's
/// `parse_http_request` checks them.
struct RequestLine {
    var start: Int
    var methodEnd: Int
    var uriStart: Int
    var uriEnd: Int
    var version: HTTPVersion

    /// Pound logs every request-line refusal (400 and 405) with this text.
    static let parseError = "error parsing request"

    /// Pound's rules: the method is one it knows (any case), else 400; one or more spaces
    /// separate the parts (Pound collapses runs to one when it rebuilds the line); the
    /// version is exactly `HTTP/1.0` or `HTTP/1.1` with nothing after it, so HTTP/0.9
    /// (`GET /`), `HTTP/2.0` and `http/1.1` are 400. A method above `xHTTP` is 405, a target
    /// longer than `MaxURI` 414.
    ///
    /// Stricter than Pound: a tab inside the target is 400 (Pound keeps it in the URI,
    /// which a backend that splits on any whitespace would read differently).
    static func parse(
        _ p: UnsafeRawBufferPointer, start: Int, end: Int, limits: RequestLimits
    ) -> Result<RequestLine, HTTPWireError> {
        var i = start
        while i < end && p[i] != ASCII.space { i &+= 1 }
        let methodEnd = i
        guard methodEnd > start,
              let group = PoundMethods.group(of: UnsafeRawBufferPointer(rebasing: p[start..<methodEnd]))
        else { return .failure(.badRequest(parseError)) }

        while i < end && p[i] == ASCII.space { i &+= 1 }
        let uriStart = i
        while i < end {
            let b = p[i]
            if b == ASCII.space { break }
            if b == ASCII.tab { return .failure(.badRequest(parseError)) }
            i &+= 1
        }
        let uriEnd = i
        guard uriEnd > uriStart else { return .failure(.badRequest(parseError)) }

        while i < end && p[i] == ASCII.space { i &+= 1 }
        guard end &- i == 8,
              p[i] == 0x48, p[i &+ 1] == 0x54, p[i &+ 2] == 0x54, p[i &+ 3] == 0x50, // HTTP
              p[i &+ 4] == 0x2F, p[i &+ 5] == 0x31, p[i &+ 6] == 0x2E,               // /1.
              p[i &+ 7] == 0x30 || p[i &+ 7] == 0x31
        else { return .failure(.badRequest(parseError)) }
        let version: HTTPVersion = p[i &+ 7] == 0x31 ? .http1_1 : .http1_0

        if group > limits.allowedMethodGroup {
            return .failure(HTTPWireError(status: 405, reason: parseError))
        }
        if let max = limits.maxURILength, max > 0, uriEnd &- uriStart > max {
            return .failure(HTTPWireError(status: 414, reason: "URI too long: \(uriEnd &- uriStart) bytes"))
        }
        return .success(RequestLine(
            start: start, methodEnd: methodEnd, uriStart: uriStart, uriEnd: uriEnd, version: version
        ))
    }
}
