import HTTPWire

/// Pound's `metrics_response`: the `Metrics` backend answers with the OpenMetrics
/// exposition of the running proxy, response rules applied to its headers, and
/// closes the connection afterwards like Pound's other built-in replies.
enum MetricsResponder {
    static func respond(_ exchange: Exchange, core: ExchangeCore) {
        guard let router = core.env.control else {
            return core.fail(exchange, status: 500, message: "metrics: no runtime state")
        }
        let tree = ControlSerializer(plane: router.plane, version: router.version).pound()
        guard let exposition = MetricsCollector.exposition(from: tree) else {
            return core.fail(exchange, status: 500, message: "metrics: incomplete runtime state")
        }
        let body = Array(exposition.rendered.utf8)
        var headers: HTTPHeaders = ["Content-Type": MetricsExposition.contentType]
        guard core.rewriteResponse(&headers, exchange, status: 200, reason: "OK") != nil else {
            return core.fail(exchange, status: 500, message: "", logged: false)
        }
        let minor = exchange.request.head.version.minor == 0 ? 0 : 1
        let reply = PoundReply.make(status: 200, reason: "OK", minor: minor, headers: headers.fields.map(\.line),
                                    body: "", contentLength: body.count)
        core.respondLocally(exchange, bytes: reply.bytes + body, statusLine: reply.statusLine, status: 200,
                               bodySize: body.count, keepAlive: false)
    }
}
