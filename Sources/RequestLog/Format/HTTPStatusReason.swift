/// The reason phrases Pound knows (its `http_status` table): the only ones `%>s` can
/// print for a response that has no status line of its own.
enum HTTPStatusReason {
    static func pound(_ code: Int) -> String? {
        switch code {
        case 200: "OK"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 413: "Payload Too Large"
        case 414: "URI Too Long"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 503: "Service Unavailable"
        default: nil
        }
    }
}
