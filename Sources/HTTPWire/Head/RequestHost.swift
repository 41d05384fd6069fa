/// The host a request is for, by RFC 9112 §3.2: exactly one `Host` field on an
/// HTTP/1.1 request (none is 400, two are 400), at most one on HTTP/1.0, its value a
/// `uri-host[:port]` (or empty); and for an absolute-form target, the target's own
/// authority, which replaces `Host` before anything routes on it (§3.2.2). Pound 4.23
/// forwards all of these as they come, so a backend and Pounce could disagree on the
/// host a request names.
public enum RequestHost {
    /// Checks `head` and makes `Host` the authority of an absolute-form target.
    public static func resolve(_ head: inout HTTPRequestHead) -> HTTPWireError? {
        let host = head.headers.firstIndex(lowercase: "host")
        if let host, head.headers.firstIndex(lowercase: "host", from: host + 1) != nil {
            return .badRequest("multiple Host headers")
        }
        if host == nil && head.version.major == 1 && head.version.minor >= 1 {
            return .badRequest("missing Host header")
        }
        if let host, !head.headers.fields[host].withValueBytes({ isValidHost($0) }) {
            return .badRequest("bad Host header")
        }
        switch authority(ofAbsoluteTarget: head.uri) {
        case nil:
            return nil
        case .invalid:
            return .badRequest("bad request target")
        case .authority(let authority):
            head.headers.replaceOrAppend("Host", authority)
            return nil
        }
    }

    enum Target: Equatable {
        case invalid
        case authority(String)
    }

    /// For `http://authority/path` or `https://...` (scheme in any case): the
    /// authority without userinfo; `.invalid` when it is empty, has userinfo (RFC 9110
    /// §4.2.4: not to be sent) or is no host; nil for any other target.
    static func authority(ofAbsoluteTarget uri: String) -> Target? {
        // An origin-form target (nearly every request) is settled by its first byte.
        guard let first = uri.utf8.first, first | 0x20 == 0x68 else { return nil }
        let bytes = uri.utf8
        let schemeLength: Int
        if hasPrefix(bytes, "http://") {
            schemeLength = 7
        } else if hasPrefix(bytes, "https://") {
            schemeLength = 8
        } else {
            return nil
        }
        let rest = bytes.dropFirst(schemeLength)
        // The authority ends at "/", "?" or "#".
        let end = rest.firstIndex(where: { $0 == 0x2F || $0 == 0x3F || $0 == 0x23 }) ?? rest.endIndex
        let authority = rest[..<end]
        guard !authority.isEmpty, !authority.contains(0x40), isValidHost(authority) else { return .invalid }
        return .authority(String(decoding: authority, as: UTF8.self))
    }

    /// Whether `bytes` start with the lowercase `prefix`, in any case.
    private static func hasPrefix(_ bytes: String.UTF8View, _ prefix: String) -> Bool {
        bytes.count >= prefix.utf8.count && bytes.prefix(prefix.utf8.count).elementsEqual(prefix.utf8) { ASCII.lower($0) == $1 }
    }

    /// `uri-host [ ":" port ]` (RFC 3986): an IP literal in brackets, or reg-name /
    /// IPv4 characters (unreserved, sub-delims, `%`), then digits after a colon. Empty
    /// is allowed (a target without authority).
    static func isValidHost<C: Collection>(_ value: C) -> Bool where C.Element == UInt8 {
        var i = value.startIndex
        if i < value.endIndex && value[i] == 0x5B {            // "[" IP-literal "]"
            guard let close = value[i...].firstIndex(where: { $0 == 0x5D }) else { return false }
            let inside = value[value.index(after: i)..<close]
            guard !inside.isEmpty, inside.allSatisfy({ ASCII.hexValue($0) != nil || $0 == 0x3A || $0 == 0x2E
                                                         || $0 == 0x76 || $0 == 0x56 }) else { return false }
            i = value.index(after: close)
        } else {
            while i < value.endIndex && isRegNameChar(value[i]) { i = value.index(after: i) }
        }
        guard i < value.endIndex else { return true }
        guard value[i] == ASCII.colon else { return false }
        return value[value.index(after: i)...].allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// unreserved / sub-delims / "%" (pct-encoded, loosely).
    private static func isRegNameChar(_ b: UInt8) -> Bool {
        switch b {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true           // ALPHA DIGIT
        case 0x2D, 0x2E, 0x5F, 0x7E: true                          // - . _ ~
        case 0x21, 0x24, 0x26...0x2C, 0x3B, 0x3D: true             // ! $ & ' ( ) * + , ; =
        case 0x25: true                                            // %
        default: false
        }
    }
}
