import HTTPWire
import NIOHPACK

/// An HTTP/2 request's header block as the HTTP/1.1 request head the exchange core
/// and the backends work with (RFC 9113 §8.3): the pseudo-headers make the request
/// line, `:authority` the Host, cookie crumbs one Cookie field.
///
/// The block is checked here, in the pass that converts it, rather than by
/// swift-nio-http2's validator (turned off: it cost a fifth of a request's
/// instructions, checking our own response headers too): RFC 9113 §8.2 and §8.3.
struct HTTP2Request {
    var head: HTTPRequestHead
    var framing: BodyFraming
    var contentLength: UInt64?

    enum Refusal: Error {
        /// Not a valid HTTP/2 request: the stream is reset (PROTOCOL_ERROR).
        case malformed
        /// Valid, but not served: answered like HTTP/1.x would be.
        case unsupported(HTTPRequestHead, status: Int, message: String)
    }

    static let version = HTTPVersion(major: 2, minor: 0)

    /// `combine`: the listener's `CombineHeaders` names, joined as in HTTP/1.x.
    static func make(_ fields: HPACKHeaders, endStream: Bool, combine: [String]) -> Result<HTTP2Request, Refusal> {
        var method: String?
        var path: String?
        var authority: String?
        var scheme: String?
        var protocolName: String?
        var headers = HTTPHeaders()
        var cookies: [String] = []
        var contentLength: UInt64?
        var host: String?
        var regularSeen = false
        for (name, value, _) in fields {
            guard isValidValue(value) else { return .failure(.malformed) }
            if name.utf8.first == UInt8(ascii: ":") {
                // Pseudo-headers come first, once each.
                guard !regularSeen else { return .failure(.malformed) }
                let fresh: Bool
                switch name {
                case ":method": fresh = method == nil; method = value
                case ":path": fresh = path == nil; path = value
                case ":authority": fresh = authority == nil; authority = value
                case ":scheme": fresh = scheme == nil; scheme = value
                case ":protocol": fresh = protocolName == nil; protocolName = value
                default: return .failure(.malformed)
                }
                guard fresh else { return .failure(.malformed) }
                continue
            }
            regularSeen = true
            guard isValidName(name) else { return .failure(.malformed) }
            switch name {
            case "cookie":
                cookies.append(value)
                continue
            case "content-length":
                guard let n = UInt64(value), contentLength == nil || contentLength == n else { return .failure(.malformed) }
                contentLength = n
            case "te":
                // Only `trailers`, which is about this hop.
                guard value == "trailers" else { return .failure(.malformed) }
                continue
            case "host":
                // :authority wins; a Host alone stands in for it.
                host = host ?? value
                continue
            case "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade":
                return .failure(.malformed)
            default:
                break
            }
            headers.append(name, value)
        }
        guard let method, !method.isEmpty else { return .failure(.malformed) }
        let authorityOrHost = authority ?? host
        var head = HTTPRequestHead(method: method, uri: path ?? "*", version: version, headers: headers)
        if let authorityOrHost { head.headers.fields.insert(HTTPHeaderField(name: "Host", value: authorityOrHost), at: 0) }
        if !cookies.isEmpty { head.headers.append("Cookie", cookies.joined(separator: "; ")) }
        if !combine.isEmpty { head.headers.combine(combine) }
        if method == "CONNECT" || protocolName != nil {
            guard authority != nil else { return .failure(.malformed) }
            head.uri = authority ?? "*"
            return .failure(.unsupported(head, status: 501, message: "CONNECT over HTTP/2 is not supported"))
        }
        guard let path, !path.isEmpty, scheme != nil else { return .failure(.malformed) }
        let framing: BodyFraming
        if endStream {
            framing = .none
        } else if let contentLength {
            framing = .contentLength(contentLength)
        } else {
            // The body's length is known only at its end: the backend gets it chunked.
            head.headers.append("Transfer-Encoding", "chunked")
            framing = .chunked
        }
        return .success(HTTP2Request(head: head, framing: framing, contentLength: contentLength))
    }

    /// A trailer field HTTP/2 allows (no pseudo-header, a valid lower-case name and value).
    static func isValidTrailer(name: String, value: String) -> Bool {
        isValidName(name) && isValidValue(value)
    }

    /// Lower-case token characters only (RFC 9113 §8.2.1, RFC 9110 §5.1).
    static func isValidName(_ name: String) -> Bool {
        name.withUTF8Bytes { isValidName($0) }
    }

    private static func isValidName(_ name: UnsafeRawBufferPointer) -> Bool {
        var any = false
        for b in name {
            any = true
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                continue
            case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
                 UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
                continue
            default:
                return false
            }
        }
        return any
    }

    /// No NUL, CR or LF, and no white space at either end (RFC 9113 §8.2.1).
    static func isValidValue(_ value: String) -> Bool {
        value.withUTF8Bytes { value in
            if let first = value.first, first == 0x20 || first == 0x09 { return false }
            if let last = value.last, last == 0x20 || last == 0x09 { return false }
            for b in value where b == 0 || b == 0x0A || b == 0x0D { return false }
            return true
        }
    }
}
