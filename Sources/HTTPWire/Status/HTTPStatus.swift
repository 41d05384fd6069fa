/// Status codes, their reason phrases, and Pound's own error texts: one table for
/// the error pages, the request log and the demo backend.
public enum HTTPStatus {
    public struct PoundEntry: Sendable {
        public let reason: String
        /// The sentence of Pound's built-in error page.
        public let text: String

        public init(reason: String, text: String) {
            self.reason = reason
            self.text = text
        }
    }

    /// Pound's `http_status` table: the statuses it can answer itself, and the only
    /// reasons `%>s` prints for a response without a status line of its own.
    public static let pound: [Int: PoundEntry] = [
        200: PoundEntry(reason: "OK", text: "Success"),
        400: PoundEntry(reason: "Bad Request", text: "Your browser (or proxy) sent a request that this server could not understand."),
        401: PoundEntry(reason: "Unauthorized", text: "This server could not verify that you are authorized to access the document requested.  Either you supplied the wrong credentials (e.g., bad password), or your browser doesn't understand how to supply the credentials required."),
        403: PoundEntry(reason: "Forbidden", text: "You don't have permission to access this resource. It is either read-protected or not readable by the server."),
        404: PoundEntry(reason: "Not Found", text: "The requested URL was not found on this server."),
        405: PoundEntry(reason: "Method Not Allowed", text: "The request method is not supported for the requested resource."),
        // Pounce's: a request body that stopped coming (Pound closes without a reply).
        408: PoundEntry(reason: "Request Timeout", text: "The server timed out waiting for the rest of the request."),
        413: PoundEntry(reason: "Payload Too Large", text: "The request content is larger than the proxy server is able to process."),
        414: PoundEntry(reason: "URI Too Long", text: "The length of the requested URL exceeds the capacity limit for this server."),
        429: PoundEntry(reason: "Too Many Requests", text: "Originator sent too many requests in a given amount of time."),
        500: PoundEntry(reason: "Internal Server Error", text: "The server encountered an internal error and was unable to complete your request."),
        501: PoundEntry(reason: "Not Implemented", text: "The server does not support the action requested."),
        503: PoundEntry(reason: "Service Unavailable", text: "The server is temporarily unable to service your request due to maintenance downtime or capacity problems. Please try again later."),
    ]

    /// The usual reason phrase of `code`: Pound's, plus the redirect and gateway
    /// codes a proxy and its backends also send.
    public static func reason(_ code: Int) -> String? {
        if let entry = pound[code] { return entry.reason }
        switch code {
        case 100: return "Continue"
        case 101: return "Switching Protocols"
        case 201: return "Created"
        case 204: return "No Content"
        case 301: return "Moved Permanently"
        case 302: return "Found"
        case 303: return "See Other"
        case 304: return "Not Modified"
        case 307: return "Temporary Redirect"
        case 308: return "Permanent Redirect"
        case 502: return "Bad Gateway"
        case 504: return "Gateway Timeout"
        default: return nil
        }
    }
}
