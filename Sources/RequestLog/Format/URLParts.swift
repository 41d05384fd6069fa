/// The path and query of a request URI as Pound's `http_request_split` cuts them.
enum URLParts {
    /// Pound splits at the LAST `?` (scanning back from the end, never looking at the
    /// first character), and an empty query counts as none: `/a?b?c` has path `/a?b` and
    /// query `c`, `/a?` has path `/a` and no query, `?x` is all path.
    static func split(_ uri: String) -> (path: Substring, query: Substring?) {
        let utf8 = uri.utf8
        guard let q = utf8.lastIndex(of: UInt8(ascii: "?")), q != utf8.startIndex else {
            return (uri[...], nil)
        }
        let path = Substring(utf8[..<q])
        let rest = utf8[utf8.index(after: q)...]
        return (path, rest.isEmpty ? nil : Substring(rest))
    }
}
