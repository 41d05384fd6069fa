import HTTPWire
import HTTPWire
import PoundConfig

/// Pound's own error responses (`bio_err_reply`): the built-in HTML page or the
/// listener's `ErrorFile`/`ErrNNN` page, with Pound's cache headers.
///
/// Pound answers in the client's protocol version; an HTTP/1.1 reply carries
/// Content-Length and `Connection: close` because Pound always closes after an error.
struct ErrorReply {

    /// The status Pound falls back to for codes it has no page for.
    static func normalized(_ status: Int) -> Int {
        HTTPStatus.pound[status] == nil ? 500 : status
    }

    /// The response bytes and the status line `%>s` logs. `rewrite` may change the
    /// header list (Pound's `cb_hdr_rewrite`: response rules for `Error` backends).
    static func render(status rawStatus: Int, minorVersion: Int, page: ErrorPage?,
                       rewrite: ((inout HTTPHeaders) -> Void)? = nil) -> (bytes: [UInt8], statusLine: String, bodySize: Int) {
        let status = normalized(rawStatus)
        let entry = HTTPStatus.pound[status] ?? HTTPStatus.PoundEntry(reason: "Internal Server Error", text: "")
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
        let reply = PoundReply.make(status: status, reason: entry.reason, minor: minorVersion,
                                    headers: headers.fields.map(\.line), body: body)
        return (reply.bytes, reply.statusLine, body.utf8.count)
    }
}
