/// Trailer fields a recipient must not use as such (RFC 9110 §6.5.1): those that
/// frame the message, route it, carry credentials or control how it is handled. A
/// client could otherwise set them after a front end has checked the head.
public enum TrailerFields {
    static let forbidden: Set<String> = [
        // framing
        "transfer-encoding", "content-length", "trailer", "te", "connection", "keep-alive", "upgrade",
        // routing
        "host", "forwarded", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "max-forwards",
        // credentials
        "authorization", "proxy-authorization", "cookie", "set-cookie",
        // request modifiers and content handling
        "expect", "range", "if-match", "if-none-match", "if-modified-since", "if-unmodified-since", "if-range",
        "cache-control", "pragma", "content-type", "content-encoding", "content-range",
    ]

    public static func isForbidden(_ name: some StringProtocol) -> Bool {
        forbidden.contains(name.lowercased())
    }

    /// A validated trailer section (field lines, each ending in CRLF, then CRLF) without
    /// its forbidden fields.
    static func filtered(_ section: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(section.count)
        var start = 0
        while start < section.count {
            var end = start
            while end < section.count && section[end] != ASCII.lf { end += 1 }
            let line = section[start..<min(end + 1, section.count)]
            start = end + 1
            if let colon = line.firstIndex(of: ASCII.colon),
               isForbidden(String(decoding: line[line.startIndex..<colon], as: UTF8.self)) {
                continue
            }
            out.append(contentsOf: line)
        }
        return out
    }

    /// The fields of a filtered trailer section (what `BodyProgress.trailer` holds), for
    /// a peer that sends trailers as fields rather than lines (HTTP/2); nil if a line
    /// has no colon (the decoder validated them, so only a caller's mistake).
    public static func parse(_ section: [UInt8]) -> HTTPHeaders? {
        var headers = HTTPHeaders()
        var start = 0
        while start < section.count {
            var end = start
            while end < section.count && section[end] != ASCII.lf { end += 1 }
            var lineEnd = end
            if lineEnd > start && section[lineEnd - 1] == ASCII.cr { lineEnd -= 1 }
            defer { start = end + 1 }
            if lineEnd == start { continue }
            guard let colon = section[start..<lineEnd].firstIndex(of: ASCII.colon) else { return nil }
            let name = String(decoding: section[start..<colon], as: UTF8.self)
            var from = colon + 1, to = lineEnd
            while from < to && (section[from] == ASCII.space || section[from] == ASCII.tab) { from += 1 }
            while to > from && (section[to - 1] == ASCII.space || section[to - 1] == ASCII.tab) { to -= 1 }
            let value = String(decoding: section[from..<to], as: UTF8.self)
            headers.append(name, value)
        }
        return headers
    }
}
