import HTTPWire
import NIOCore
import Routing

/// One request/response exchange, from the parsed request head to the last response
/// byte. A class because the client side, the backend connection callbacks and
/// timers all update the same exchange on one event loop.
final class Exchange {
    /// Who serves it, and the client side (an HTTP/1.x connection, an HTTP/2 stream)
    /// it answers. Strong: the client side drops its exchange when it ends, which
    /// breaks the cycle.
    let core: ExchangeCore
    let client: ExchangeClient
    /// Finished, failed or cancelled: late callbacks (a connect completing) find it
    /// over and leave it alone.
    var isOver = false
    var request: RoutingRequest
    /// The request line as received (rules may change the method and URI later), kept
    /// without the headers and made into text only when a log line or a diagnostic
    /// asks for it.
    private let received: HTTPRequestHead
    var requestLine: String { received.requestLine }
    let startNanos: UInt64
    /// The client may keep the connection open after this exchange.
    var clientKeepAlive: Bool
    let wantsUpgrade: Bool

    var service: RuntimeService?
    var backend: BackendState?
    var target: BackendTarget?
    var connection: BackendConnection?
    /// The serialized request head, kept until the first response byte so a request
    /// sent on a stale pooled connection can be replayed on a fresh one.
    var requestHeadBytes: ByteBuffer?
    /// Backends that failed to connect for this request (they are marked dead).
    var connectAttempts = 0
    /// The request rules have run (they run once, before the first backend).
    var rewritten = false
    /// Client affinity: the backend tag the request carried (nil: none), read once, before
    /// the module took it out of the request; later attempts keep it.
    var affinityRequestedTag: String?
    var affinityRead = false
    /// The backend whose balancer counts this request (`leastconn`), until it ends.
    var counted: RuntimeService.RequestCount?

    var requestDecoder: BodyDecoder
    var requestComplete: Bool
    /// Body bytes that arrived before the backend connection was ready.
    var pendingBody: [ByteBuffer] = []
    var pendingBodySize = 0
    var requestHasBody: Bool

    /// Response head bytes not yet parsed.
    var responseBuffer: ByteBuffer?
    var responseHead: HTTPResponseHead?
    var responseDecoder: BodyDecoder?
    var responseComplete = false
    var responseBodyBytes: UInt64 = 0
    var receivedResponseBytes = false
    var backendReusable = false
    /// The status line of a reply Pounce made itself (or of a 101); a relayed
    /// response's comes from `responseHead`, when a log asks for it.
    var localStatusLine: String?
    var statusLine: String? { localStatusLine ?? responseHead?.statusLine }
    var status: Int?
    var lastBackendActivity: UInt64 = 0
    /// When the client last sent body bytes, or the exchange last stopped waiting for
    /// them (the `Client` timeout of a request body).
    var lastClientActivity: UInt64
    var expectsContinue = false
    /// For requests rejected before parsing completed: the raw first line, if any.
    var rawRequestLine: String?
    var logged = false
    /// `ContentCapture`: the request body kept for Lua (`http.req.body`) and for
    /// resending, up to `captureLimit` bytes; nil once it outgrew the limit.
    var capture: [UInt8]?
    var captureLimit = 0

    init(request: consuming RoutingRequest, framing: BodyFraming, limit: UInt64?, startNanos: UInt64,
         core: ExchangeCore, client: ExchangeClient) {
        self.core = core
        self.client = client
        self.received = HTTPRequestHead(method: request.head.method, uri: request.head.uri,
                                        version: request.head.version)
        // Pound serves one request per connection for HTTP/1.0 clients; an HTTP/2
        // stream leaves its connection open whatever happens to it.
        self.clientKeepAlive = request.head.version.major >= 2
            || (request.head.version == .http1_1 && request.head.keepAlive)
        self.wantsUpgrade = request.head.isUpgrade
        self.request = request
        self.startNanos = startNanos
        self.lastClientActivity = startNanos
        self.requestDecoder = BodyDecoder(framing: framing, limit: limit, filtersTrailers: true)
        switch framing {
        case .none:
            requestComplete = true
            requestHasBody = false
        case .contentLength(0):
            requestComplete = true
            requestHasBody = false
        default:
            requestComplete = false
            requestHasBody = true
        }
    }

    deinit {
        // The request is over: its stash goes.
        request.scripts?.finish()
    }
}
