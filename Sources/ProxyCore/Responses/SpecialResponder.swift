import HTTPWire
import PoundConfig
import Routing

/// Answers requests whose chosen backend is one of Pound's built-in responders.
/// Like Pound's `bio_http_reply_start_list`, these replies say `Connection: close`
/// on HTTP/1.1, so the connection ends after them.
enum SpecialResponder {
    static func respond(_ exchange: Exchange, backend: BackendState, core: ExchangeCore) {
        let minor = exchange.request.head.version.minor == 0 ? 0 : 1
        switch backend.backend.kind {
        case .error(let status, let page):
            var rewritten = true
            let reply = ErrorReply.render(status: status, minorVersion: minor,
                                          page: page ?? core.listener.errorPage(status)) { headers in
                // The status line of Pound's own replies stays as it is.
                rewritten = core.rewriteResponse(&headers, exchange, status: status,
                                                    reason: HTTPStatus.reason(status)) != nil
            }
            guard rewritten else { return core.fail(exchange, status: 500, message: "", logged: false) }
            core.respondLocally(exchange, bytes: reply.bytes, statusLine: reply.statusLine,
                                   status: ErrorReply.normalized(status), bodySize: reply.bodySize, keepAlive: false)
        case .success:
            // Response rules apply, as in Pound's success_response (but not to a
            // Redirect: Pound's redirect_response applies none).
            var headers = HTTPHeaders()
            guard core.rewriteResponse(&headers, exchange, status: 200, reason: "OK") != nil else {
                return core.fail(exchange, status: 500, message: "", logged: false)
            }
            let reply = PoundReply.make(status: 200, reason: "OK", minor: minor, headers: headers.fields.map(\.line),
                                        body: "")
            core.respondLocally(exchange, bytes: reply.bytes, statusLine: reply.statusLine, status: 200,
                                   bodySize: 0, keepAlive: false)
        case .redirect(let redirect):
            let url: String
            if redirect.appendsRequestURL {
                url = redirect.url + exchange.request.head.uri
            } else if let template = core.env.redirectTemplate(for: backend) {
                // A reference that cannot be resolved fails the request (500), with
                // Pound's log lines, instead of redirecting to a half-expanded URL.
                let expansion = template.expansion(exchange.request, what: "Redirect expression")
                guard expansion.succeeded else {
                    for error in expansion.errors { core.env.log.log(.error, error) }
                    return core.fail(exchange, status: 500, message: "redirect expansion failed")
                }
                url = expansion.text
            } else {
                url = redirect.url
            }
            let body = "<html><head><title>Redirect</title></head><body><h1>Redirect</h1><p>You should go to <a href=\"\(url)\">\(url)</a></p></body></html>"
            let reply = PoundReply.make(status: redirect.status, reason: redirectReason(redirect.status), minor: minor,
                               headers: ["Location: \(url)", "Content-Type: text/html"], body: body)
            core.respondLocally(exchange, bytes: reply.bytes, statusLine: reply.statusLine,
                                   status: redirect.status, bodySize: body.utf8.count, keepAlive: false)
        case .sendFile(let directory):
            // ACME answers the file named by the challenge ($1 of its URL match) as
            // text/html; SendFile the request path as text/plain, then response rules.
            let isACME = backend.acmeDirectory != nil
            let name: String
            if isACME {
                name = acmeFileName?.expand(exchange.request) ?? ""
            } else {
                let path = exchange.request.head.path
                name = String(path.hasPrefix("/") ? path.dropFirst() : path[...])
            }
            switch FileResponder.read(name, in: backend.acmeDirectory ?? directory) {
            case .status(let status, let message):
                // Pound logs only real failures; a missing file is a plain 404.
                core.fail(exchange, status: status, message: message ?? "", logged: message != nil)
            case .file(let bytes):
                var headers: HTTPHeaders = ["Content-Type": isACME ? "text/html" : "text/plain"]
                if !isACME, core.rewriteResponse(&headers, exchange, status: 200, reason: "OK") == nil {
                    return core.fail(exchange, status: 500, message: "", logged: false)
                }
                let reply = PoundReply.make(status: 200, reason: "OK", minor: minor, headers: headers.fields.map(\.line),
                                   body: "", contentLength: bytes.count)
                core.respondLocally(exchange, bytes: reply.bytes + bytes, statusLine: reply.statusLine, status: 200,
                                       bodySize: bytes.count, keepAlive: false)
            }
        case .control:
            guard let router = core.env.control else {
                return core.fail(exchange, status: 501, message: "control interface not available")
            }
            // Pound's `send_json_reply`: HTTP/1.1 whatever the request said.
            sendJSON(router.respond(method: exchange.request.head.method, uri: exchange.request.head.uri),
                     exchange, core: core, minor: 1, headers: [])
        case .stats:
            let head = exchange.request.head
            switch StatusPage.route(uri: head.uri) {
            case .page:
                guard head.method == "GET" || head.method == "HEAD" else {
                    return core.fail(exchange, status: 405, message: "", logged: false)
                }
                let body = StatusPage.html
                let reply = PoundReply.make(status: 200, reason: "OK", minor: minor,
                                            headers: ["Content-Type: text/html; charset=utf-8",
                                                      "Cache-Control: no-store"], body: body)
                core.respondLocally(exchange, bytes: reply.bytes, statusLine: reply.statusLine, status: 200,
                                       bodySize: body.utf8.count, keepAlive: false)
            case .api(let uri):
                guard let router = core.env.control else {
                    return core.fail(exchange, status: 501, message: "control interface not available")
                }
                sendJSON(router.respond(method: head.method, uri: uri), exchange, core: core, minor: minor,
                         headers: ["Cache-Control: no-store"])
            }
        case .metrics:
            MetricsResponder.respond(exchange, core: core)
        case .lua:
            LuaBackendResponder.respond(exchange, backend: backend, core: core)
        default:
            core.fail(exchange, status: 501, message: "backend type not supported")
        }
    }

    /// A control API answer: its JSON, or Pound's error page for its status.
    private static func sendJSON(_ reply: ControlReply, _ exchange: Exchange, core: ExchangeCore,
                                 minor: Int, headers: [String]) {
        switch reply {
        case .json(let text):
            let made = PoundReply.make(status: 200, reason: "OK", minor: minor,
                                       headers: ["Content-Type: application/json"] + headers, body: text)
            core.respondLocally(exchange, bytes: made.bytes, statusLine: made.statusLine, status: 200,
                                   bodySize: text.utf8.count, keepAlive: false)
        case .status(let status):
            core.fail(exchange, status: status, message: "", logged: false)
        }
    }

    /// The challenge file of an ACME request: `$1` of the service's URL match.
    static let acmeFileName = try? Template("$1", unknownAccessors: .literal)

    static func redirectReason(_ status: Int) -> String {
        HTTPStatus.reason(status) ?? "Found"
    }
}
