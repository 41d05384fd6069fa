/// How Pound splits a request URL into path, query and query parameters
/// (`http_request_split`, `http_request_parse_query`), as pure functions over the
/// URI text. Nothing is cached: each call scans the (short) URI again, which costs
/// less than keeping parsed copies in every request.
public enum RequestURI {
    /// The index of the `?` that separates the query. Pound searches from the end, so
    /// the query starts after the **last** `?`; a `?` in the very first position is
    /// never taken as a separator.
    static func querySeparator(_ uri: Substring.UTF8View) -> Substring.UTF8View.Index? {
        guard !uri.isEmpty else { return nil }
        var i = uri.endIndex
        while i > uri.index(after: uri.startIndex) {
            i = uri.index(before: i)
            if uri[i] == UInt8(ascii: "?") { return i }
        }
        return nil
    }

    /// The path: the URI up to the last `?` (not decoded).
    public static func path(_ uri: String) -> Substring {
        let s = Substring(uri)
        guard let q = querySeparator(s.utf8) else { return s }
        return s[..<q]
    }

    /// The raw query after the last `?`; nil when there is none or it is empty
    /// (Pound keeps no query for `/path?`).
    public static func query(_ uri: String) -> Substring? {
        let s = Substring(uri)
        guard let q = querySeparator(s.utf8) else { return nil }
        let start = s.utf8.index(after: q)
        guard start < s.utf8.endIndex else { return nil }
        return s[start...]
    }

    /// The result of looking up a query parameter.
    public enum Parameter: Equatable {
        /// No parameter of that name.
        case absent
        /// `name` without `=`: Pound keeps a NULL value.
        case noValue
        case value(Substring)
    }

    /// The **first** parameter called `name` (exact, case-sensitive), as
    /// `http_request_get_query_param` finds it; a later one of the same name is never
    /// looked at, even when the first has no value.
    public static func parameter(_ name: String, inURI uri: String) -> Parameter {
        guard let q = query(uri) else { return .absent }
        return parameter(name, inQuery: q)
    }

    public static func parameter(_ name: String, inQuery query: Substring) -> Parameter {
        let u = query.utf8
        var start = u.startIndex
        while start < u.endIndex {
            var end = start
            while end < u.endIndex, u[end] != UInt8(ascii: "&") { end = u.index(after: end) }
            var eq: Substring.UTF8View.Index?
            var k = start
            while k < end {
                if u[k] == UInt8(ascii: "=") { eq = k; break }
                k = u.index(after: k)
            }
            let nameEnd = eq ?? end
            if u[start..<nameEnd].elementsEqual(name.utf8) {
                guard let eq else { return .noValue }
                return .value(query[u.index(after: eq)..<end])
            }
            start = end < u.endIndex ? u.index(after: end) : end
        }
        return .absent
    }

    /// Pound's `urldecode`: `%XX` becomes the byte, everything else (including `+`) is
    /// kept. A `%` not followed by two hex digits stays as it is.
    public static func percentDecode<C: Collection<UInt8>>(_ input: C) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(input.count)
        var i = input.startIndex
        while i < input.endIndex {
            let c = input[i]
            i = input.index(after: i)
            if c == UInt8(ascii: "%"), i < input.endIndex {
                let j = input.index(after: i)
                if j < input.endIndex, let a = ASCII.hexValue(input[i]), let b = ASCII.hexValue(input[j]) {
                    out.append(a << 4 | b)
                    i = input.index(after: j)
                    continue
                }
            }
            out.append(c)
        }
        return out
    }

    /// `stringbuf_urlencode`: RFC 3986 unreserved characters kept, the rest `%XX`
    /// (upper-case hex). `keeping` names more bytes to leave alone (Pound's `xenc`:
    /// "/" for `SetPath -encode`).
    public static func percentEncode(_ input: some Sequence<UInt8>, into out: inout [UInt8],
                                     keeping: StaticString = "") {
        let hex: StaticString = "0123456789ABCDEF"
        let extra = UnsafeBufferPointer(start: keeping.utf8Start, count: keeping.utf8CodeUnitCount)
        for c in input {
            switch c {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(c)
            case _ where extra.contains(c):
                out.append(c)
            default:
                out.append(UInt8(ascii: "%"))
                out.append(hex.utf8Start[Int(c >> 4)])
                out.append(hex.utf8Start[Int(c & 0xF)])
            }
        }
    }
}
