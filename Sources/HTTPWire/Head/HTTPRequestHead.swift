/// A parsed request line and its headers.
public struct HTTPRequestHead: Sendable, Hashable {
    public var method: String
    /// The request target as sent (origin form `/path?query`, or absolute form).
    public var uri: String
    public var version: HTTPVersion
    public var headers: HTTPHeaders

    public init(method: String, uri: String, version: HTTPVersion, headers: HTTPHeaders = HTTPHeaders()) {
        self.method = method
        self.uri = uri
        self.version = version
        self.headers = headers
    }

    /// The request line without CRLF, as `%r` logs it.
    public var requestLine: String { "\(method) \(uri) \(version)" }

    /// The URI up to `?` (not decoded).
    public var path: Substring {
        if let q = uri.firstIndex(of: "?") { return uri[..<q] }
        return uri[...]
    }

    /// The text after the first `?`, or nil when there is none.
    public var query: Substring? {
        guard let q = uri.firstIndex(of: "?") else { return nil }
        return uri[uri.index(after: q)...]
    }
}
