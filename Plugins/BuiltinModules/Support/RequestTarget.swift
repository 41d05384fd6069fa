/// How Pound splits a request target into path and query (`http_request_split`),
/// over the target's bytes. Shared by the URL and PARM session types.
enum RequestTarget {
    /// The index of the `?` that separates the query. Pound searches from the end, so
    /// the query starts after the **last** `?`; a `?` in the very first position is
    /// never taken as a separator.
    static func querySeparator(_ uri: UnsafeBufferPointer<UInt8>) -> Int? {
        var i = uri.count - 1
        while i >= 1 {
            if uri[i] == UInt8(ascii: "?") { return i }
            i -= 1
        }
        return nil
    }

    /// The length of the path: the target up to the last `?` (not decoded).
    static func pathLength(_ uri: UnsafeBufferPointer<UInt8>) -> Int {
        querySeparator(uri) ?? uri.count
    }

    /// The byte range of the raw query after the last `?`; nil when there is none
    /// or it is empty (Pound keeps no query for `/path?`).
    static func queryRange(_ uri: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
        guard let q = querySeparator(uri), q + 1 < uri.count else { return nil }
        return (q + 1)..<uri.count
    }
}
