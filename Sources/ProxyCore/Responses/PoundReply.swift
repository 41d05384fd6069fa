/// Pound's `bio_http_reply_start_list`: how every reply Pound makes itself starts
/// (error pages, Redirect, Success, SendFile). In HTTP/1.1 it carries
/// Content-Length and `Connection: close`, since Pound closes after such replies.
enum PoundReply {
    /// The reply with `body`; `contentLength` instead when the body follows separately.
    static func make(status: Int, reason: String, minor: Int, headers: [String], body: String,
                     contentLength: Int? = nil) -> (bytes: [UInt8], statusLine: String) {
        let statusLine = "HTTP/1.\(minor) \(status) \(reason)"
        var text = statusLine + "\r\n"
        if minor == 1 { text += "Content-Length: \(contentLength ?? body.utf8.count)\r\nConnection: close\r\n" }
        for h in headers { text += h + "\r\n" }
        text += "\r\n" + body
        return (Array(text.utf8), statusLine)
    }
}
