import HTTPWire
import NIOCore
import Routing

/// What the extension language (Lua) adds to an exchange: the service it sees as
/// `http.service`, the captured body, and resending a request after its response
/// (`http.resend`, `http.balancer`, `http.service.name`).
extension ExchangeCore {
    /// The exchange is now served by `service`.
    func serve(_ exchange: Exchange, by service: RuntimeService) {
        exchange.service = service
        guard let scripts = exchange.request.scripts else { return }
        scripts.service = (listener.routing.scriptName(of: service), service.service.range.description)
        if let size = service.service.contentCaptureSize, size > 0, exchange.requestHasBody {
            exchange.captureLimit = size
            exchange.capture = exchange.capture ?? []
        }
    }

    /// Sends the request again as the response rules asked, dropping the response
    /// that came: to the same backend, another balancer group, or another service.
    /// Pound refuses a fifth resend of one request; a body is sent again only when
    /// `ContentCapture` kept all of it.
    func resend(_ exchange: Exchange) {
        guard let scripts = exchange.request.scripts else { return }
        let order = scripts.resend
        scripts.resend = .none
        if scripts.resendCount >= RequestScripts.maxResends {
            return fail(exchange, status: 500, message: "refusing to do more than \(RequestScripts.maxResends) resends",
                        reverse: true)
        }
        if exchange.requestHasBody && (!exchange.requestComplete || scripts.capturedBody == nil) {
            return fail(exchange, status: 500,
                        message: "can't resend a request whose body was not captured (see ContentCapture)", reverse: true)
        }
        scripts.resendCount += 1
        // The response that came is dropped with its connection.
        if let connection = exchange.connection {
            exchange.connection = nil
            loop.pool.release(connection, reusable: false)
        }
        uncount(exchange)
        exchange.responseBuffer = nil
        exchange.responseHead = nil
        exchange.responseDecoder = nil
        exchange.receivedResponseBytes = false
        exchange.backendReusable = false
        exchange.requestHeadBytes = nil
        exchange.connectAttempts = 0
        // Pound applies the request rules at every sending.
        exchange.rewritten = false
        if let body = scripts.capturedBody {
            exchange.pendingBody = [allocator.buffer(bytes: body)]
            exchange.pendingBodySize = body.count
        }
        var minimumWeight: Int?
        switch order {
        case .none, .sameService:
            // The same backend while it can serve; the balancer's choice otherwise.
            if let backend = exchange.backend, backend.isUsable, backend.isServer {
                return chooseBackend(exchange, preferring: backend)
            }
        case .balancer(let weight):
            minimumWeight = weight
        case .service(let name, let weight):
            minimumWeight = weight
            let next: RuntimeService?
            if let name {
                next = listener.routing.service(named: name)
            } else {
                next = listener.routing.select(&exchange.request).service
            }
            guard let next else { return fail(exchange, status: 503, message: "no suitable service found") }
            serve(exchange, by: next)
        }
        exchange.backend = nil
        if let minimumWeight {
            guard let backend = exchange.service?.chooseBackend(minimumWeight: minimumWeight) else {
                return fail(exchange, status: 503, message: "no backend found")
            }
            return chooseBackend(exchange, preferring: backend)
        }
        chooseBackend(exchange)
    }
}

extension RequestScripts {
    /// A response is about to go through the response rules.
    func beginResponse(status: Int, reason: String?, backend: BackendState?) {
        response = ScriptResponse(code: status, reason: reason, bodyWritable: false)
        resend = .none
        balancerWeight = backend?.groupWeight ?? 0
    }
}

extension Exchange {
    /// Keeps a copy of request body bytes for `ContentCapture`, until they outgrow
    /// its limit (then nothing is kept: Pound discards a truncated capture).
    func keep(_ slice: ByteBuffer) {
        guard var kept = capture else { return }
        capture = nil
        guard kept.count + slice.readableBytes <= captureLimit else { return }
        slice.withUnsafeReadableBytes { kept.append(contentsOf: $0) }
        capture = kept
    }
}
