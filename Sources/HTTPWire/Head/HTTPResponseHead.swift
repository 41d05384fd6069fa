/// A parsed status line and its headers.
public struct HTTPResponseHead: Sendable, Hashable {
    public var version: HTTPVersion
    public var status: Int
    /// The reason phrase as sent (may be empty).
    public var reason: String
    public var headers: HTTPHeaders

    public init(version: HTTPVersion, status: Int, reason: String, headers: HTTPHeaders = HTTPHeaders()) {
        self.version = version
        self.status = status
        self.reason = reason
        self.headers = headers
    }

    /// The status line without CRLF, as `%>s` logs it: `HTTP/1.1 200 OK`.
    public var statusLine: String { "\(version) \(status) \(reason)" }
}
