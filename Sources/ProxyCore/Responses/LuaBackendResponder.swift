import HTTPWire
import Routing

/// `LuaBackend "function" ...`: the function builds `http.resp` (code, reason,
/// headers, body), the response rules run on it, and it goes to the client. A
/// function that fails, or leaves no valid code, gets Pound's 500 page.
enum LuaBackendResponder {
    static func respond(_ exchange: Exchange, backend: BackendState, core: ExchangeCore) {
        guard let call = backend.script, let scripts = exchange.request.scripts else {
            return core.fail(exchange, status: 500, message: "Lua is not available")
        }
        scripts.response = ScriptResponse(code: 0, reason: nil, bodyWritable: true)
        exchange.request.responseHeaders = HTTPHeaders()
        let ran = call.run(.backend, &exchange.request)
        var headers = exchange.request.responseHeaders.take() ?? HTTPHeaders()
        let built = scripts.response
        scripts.response = nil
        guard ran != nil, let built else {
            return core.fail(exchange, status: 500, message: "", logged: false)
        }
        guard built.code >= 100 && built.code <= 599 else {
            return core.fail(exchange, status: 500, message: "malformed response", reverse: true)
        }
        guard let status = core.rewriteResponse(&headers, exchange, status: built.code, reason: built.reason) else {
            return core.fail(exchange, status: 500, message: "", logged: false)
        }
        let body = built.body ?? []
        // The length is ours to say: the body is known whole.
        headers.remove("Content-Length")
        headers.remove("Transfer-Encoding")
        headers.remove("Connection")
        let minor = exchange.request.head.version.minor == 0 ? 0 : 1
        // Unlike Pound, the connection stays open after a complete exchange: the
        // reply is framed by its length, so nothing is gained by closing it.
        let keepAlive = exchange.clientKeepAlive && exchange.requestComplete
        let reason = status.reason ?? HTTPStatus.reason(status.status) ?? ""
        let statusLine = "HTTP/1.\(minor) \(status.status) \(reason)"
        var text = statusLine + "\r\nContent-Length: \(body.count)\r\n"
        if !keepAlive && minor == 1 { text += "Connection: close\r\n" }
        for field in headers.fields { text += field.line + "\r\n" }
        text += "\r\n"
        var bytes = Array(text.utf8)
        let sendsBody = !exchange.request.head.isHead && status.status >= 200 && status.status != 204 && status.status != 304
        if sendsBody { bytes += body }
        core.respondLocally(exchange, bytes: bytes, statusLine: statusLine, status: status.status,
                               bodySize: sendsBody ? body.count : 0, keepAlive: keepAlive)
    }
}
