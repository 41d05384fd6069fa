import HTTPWire
import HTTPWire
import PoundConfig

/// Pound's own error responses (`bio_err_reply`): the built-in HTML page or the
/// listener's `ErrorFile`/`ErrNNN` page, with Pound's cache headers.
///
/// Pound answers in the client's protocol version; an HTTP/1.1 reply carries
/// Content-Length and `Connection: close` because Pound always closes after an error.
struct ErrorReply {
    static let reasons: [Int: (reason: String, text: String)] = [
        200: ("OK", "Success"),
        400: ("Bad Request", "Your browser (or proxy) sent a request that this server could not understand."),
        401: ("Unauthorized", "This server could not verify that you are authorized to access the document requested.  Either you supplied the wrong credentials (e.g., bad password), or your browser doesn't understand how to supply the credentials required."),
        403: ("Forbidden", "You don't have permission to access this resource. It is either read-protected or not readable by the server."),
        404: ("Not Found", "The requested URL was not found on this server."),
        405: ("Method Not Allowed", "The request method is not supported for the requested resource."),
        413: ("Payload Too Large", "The request content is larger than the proxy server is able to process."),
        414: ("URI Too Long", "The length of the requested URL exceeds the capacity limit for this server."),
        429: ("Too Many Requests", "Originator sent too many requests in a given amount of time."),
        500: ("Internal Server Error", "The server encountered an internal error and was unable to complete your request."),
        501: ("Not Implemented", "The server does not support the action requested."),
        503: ("Service Unavailable", "The server is temporarily unable to service your request due to maintenance downtime or capacity problems. Please try again later."),
    ]

    /// The status Pound falls back to for codes it has no page for.
    static func normalized(_ status: Int) -> Int {
        reasons[status] == nil ? 500 : status
    }

    static func reason(_ status: Int) -> String {
        reasons[normalized(status)]?.reason ?? "Internal Server Error"
    }

    /// The response bytes and the status line `%>s` logs. `rewrite` may change the
    /// header list (Pound's `cb_hdr_rewrite`: response rules for `Error` backends).
    static func render(status rawStatus: Int, minorVersion: Int, page: ErrorPage?,
                       rewrite: ((inout HTTPHeaders) -> Void)? = nil) -> (bytes: [UInt8], statusLine: String, bodySize: Int) {
        let status = normalized(rawStatus)
        let entry = reasons[status] ?? ("Internal Server Error", "")
        let body: String
        var headers = HTTPHeaders()
        if let page {
            body = page.body
            for line in page.headers {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers.append(String(line[..<colon]), String(line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" }))
            }
        } else {
            body = "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\"><html><head><title>\(status) \(entry.reason)</title></head><body><h1>\(entry.reason)</h1><p>\(entry.text)</p></body></html>"
        }
        // Pound's own headers only where the page did not set them (H_KEEP).
        for (name, value) in [("Content-Type", "text/html"), ("Expires", "now"), ("Pragma", "no-cache"),
                              ("Cache-control", "no-cache,no-store")] where !headers.contains(name) {
            headers.append(name, value)
        }
        rewrite?(&headers)
        let bodyBytes = Array(body.utf8)
        let statusLine = "HTTP/1.\(minorVersion) \(status) \(entry.reason)"
        var head = statusLine + "\r\n"
        if minorVersion == 1 {
            head += "Content-Length: \(bodyBytes.count)\r\nConnection: close\r\n"
        }
        for field in headers { head += field.line + "\r\n" }
        head += "\r\n"
        return (Array(head.utf8) + bodyBytes, statusLine, bodyBytes.count)
    }
}
