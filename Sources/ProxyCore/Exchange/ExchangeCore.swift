import HTTPWire
import NIOCore
import OpenSSLTLS
import PoundConfig
import RequestLog
import Routing

/// Serves the exchanges of one client connection, whatever protocol they came in
/// on: picks the service and backend, sends the request on, relays the response
/// back through the exchange's `ExchangeClient`, and logs it. HTTP/1.x feeds it one
/// exchange at a time, HTTP/2 one per stream. Backends are spoken to in HTTP/1.1.
final class ExchangeCore {
    let listener: ListenerRuntime
    let env: ProxyEnvironment
    let loop: LoopContext
    let client: ClientAddress
    let localAddress: SocketAddress?
    let allocator: ByteBufferAllocator
    /// X-SSL-* for this connection's requests, from its handshake.
    var sslHeaders: [(name: String, value: String)] = []
    /// The client's certificate on this connection, for `ClientCert "file"` conditions.
    var clientCertificate: CertificateIdentity?
    /// Request body written to a backend and not flushed yet: the client side
    /// flushes once per read cycle (`flushBackends`).
    private var backendNeedsFlush: [BackendConnection] = []

    init(listener: ListenerRuntime, env: ProxyEnvironment, loop: LoopContext, channel: Channel) {
        self.listener = listener
        self.env = env
        self.loop = loop
        self.client = ClientAddress(channel.remoteAddress)
        self.localAddress = channel.localAddress
        self.allocator = channel.allocator
    }

    /// X-SSL-* and the client certificate, once the handshake is done.
    func handshakeCompleted(_ info: TLSConnectionInfo) {
        clientCertificate = info.peerCertificate.flatMap { CertificateIdentity(pem: $0.pem.utf8) }
        if listener.addsSSLHeaders {
            sslHeaders = SSLHeaders.fields(info, includeCertificate: listener.passesClientCertificate)
        }
    }

    // MARK: requests

    /// A new exchange for a request head the client side has checked and framed.
    func makeExchange(_ head: consuming HTTPRequestHead, framing: BodyFraming, expectsContinue: Bool,
                      client side: ExchangeClient) -> Exchange {
        // Built in place: a request made first and then handed over would be copied.
        let exchange = Exchange(request: RoutingRequest(head: head, client: client, listener: listener.info),
                                framing: framing, limit: listener.listener.maxRequestSize,
                                startNanos: Clock.nowNanos(), core: self, client: side)
        exchange.request.clientCertificate = clientCertificate
        if let engine = listener.scripts {
            let scripts = RequestScripts(runner: engine.runner(loop: loop.index))
            scripts.serviceNames = listener.routing.serviceNames
            exchange.request.scripts = scripts
        }
        exchange.expectsContinue = expectsContinue
        return exchange
    }

    /// Picks the exchange's service and adds the headers every forwarded request
    /// gets; false when that failed and the exchange was answered.
    func route(_ exchange: Exchange) -> Bool {
        let service: RuntimeService
        switch listener.routing.select(&exchange.request) {
        case .service(let s):
            service = s
        case .noMatch:
            fail(exchange, status: 503, message: "no suitable service found")
            return false
        case .failed(let s):
            // A condition that cannot be evaluated (bad credentials encoding, a
            // failed expansion): Pound logs why and answers 500.
            exchange.service = s
            logWarnings(exchange)
            fail(exchange, status: 500, message: "no suitable service found")
            return false
        }
        serve(exchange, by: service)
        logWarnings(exchange)
        if !sslHeaders.isEmpty { SSLHeaders.apply(sslHeaders, to: &exchange.request.head.headers) }
        ForwardingHeaders.apply(to: &exchange.request.head, client: client, listener: listener)
        return true
    }

    /// Picks the exchange's backend (`preferring` one a resend names) and sends the
    /// request there, running the request rules first if they have not run.
    func chooseBackend(_ exchange: Exchange, preferring: BackendState? = nil) {
        guard let service = exchange.service else { return }
        uncount(exchange)
        // Without sessions the request plays no part: don't hand (and copy) it.
        let chosen: BackendState?
        if let preferring {
            chosen = preferring
        } else if service.usesClientAffinity {
            let choice = service.chooseBackend(affinity: &exchange.request.head, client: client)
            if !exchange.affinityRead {
                exchange.affinityRead = true
                exchange.affinityRequestedTag = choice.requestedTag
            }
            chosen = choice.backend
        } else {
            chosen = service.sessions == nil ? service.chooseBackend()
                : service.chooseBackend(head: exchange.request.head, client: client)
        }
        guard let backend = chosen else {
            return fail(exchange, status: 503, message: "no backend found")
        }
        exchange.backend = backend
        // Pound modifies the request once a backend is chosen (so session keys see
        // it unmodified), and only once however many backends are tried.
        if !exchange.rewritten {
            exchange.rewritten = true
            // A backend's `ServerName` is its SNI name and, in Pound, also the Host it sees.
            if case .regular(let server) = backend.backend.kind, let name = server.serverName {
                exchange.request.head.headers.replaceOrAppend("Host", name)
            }
            let ok = listener.routing.rewrites.request.apply(to: &exchange.request)
                && service.rewrites.request.apply(to: &exchange.request)
            logWarnings(exchange)
            guard ok else { return fail(exchange, status: 500, message: "request rewriting failed", logged: false) }
        }
        guard case .regular = backend.backend.kind, let target = env.target(for: backend) else {
            return SpecialResponder.respond(exchange, backend: backend, core: self)
        }
        if service.countsRequests {
            exchange.counted = service.requestStarted(on: backend)
        }
        exchange.target = target
        connect(exchange, backend: backend, target: target)
    }

    private func connect(_ exchange: Exchange, backend: BackendState, target: BackendTarget) {
        switch loop.pool.lease(backend, target: target) {
        case .ready(let connection):
            attach(connection, to: exchange)
        case .connecting(let future):
            future.assumeIsolated().whenComplete { result in
                let connection: BackendConnection?
                switch result {
                case .success(let channel): connection = self.loop.pool.adopt(channel, backend: backend)
                case .failure: connection = nil
                }
                guard !exchange.isOver, exchange.backend === backend else {
                    if let connection { self.loop.pool.release(connection, reusable: true) }
                    return
                }
                switch result {
                case .success:
                    if let connection {
                        self.attach(connection, to: exchange)
                    } else {
                        self.fail(exchange, status: 503, message: "can't set up backend connection")
                    }
                case .failure(let error):
                    self.connectFailed(exchange, backend: backend, error: error)
                }
            }
        }
    }

    private func connectFailed(_ exchange: Exchange, backend: BackendState, error: Error) {
        let reason = SystemErrorText.describe(error)
        diagnostic(exchange: exchange, status: nil, message: "can't connect to backend \(backend.displayName): \(reason)")
        if exchange.service?.backendFailed(backend) == true {
            env.log.log(.notice, "(\(loop.threadTag)) Backend \(backend.displayName) dead (killed)")
        }
        exchange.connectAttempts += 1
        exchange.backend = nil
        if exchange.connectAttempts > 64 {
            return fail(exchange, status: 503, message: "no backend found")
        }
        chooseBackend(exchange)
    }

    /// The request head as the backend gets it: HTTP/1.1 whatever the client spoke.
    /// A client's `Connection: close` is about the client's connection: passed on,
    /// it would make the backend close the pooled connection too, costing a connect
    /// (and a TLS handshake) per request.
    private static func backendHead(_ exchange: Exchange) -> HTTPRequestHead {
        let head = exchange.request.head
        if head.version.major >= 2 {
            var copy = head
            copy.version = .http1_1
            return copy
        }
        guard !exchange.clientKeepAlive, head.version == .http1_1, !exchange.wantsUpgrade,
              head.headers.contains("Connection") else { return head }
        var copy = head
        copy.headers.fields.removeAll { $0.hasName("Connection") && $0.value.lowercased() == "close" }
        return copy
    }

    private func attach(_ connection: BackendConnection, to exchange: Exchange) {
        connection.delegate = exchange
        exchange.connection = connection
        if listener.listener.rewriteDestination, let backend = exchange.backend, let target = exchange.target,
           let unparsed = DestinationRewriter.apply(to: &exchange.request.head.headers, backend: backend, target: target) {
            env.log.log(.error, "(\(loop.threadTag)) can't parse Destination \(unparsed)")
        }
        let head = allocator.buffer(Self.backendHead(exchange))
        exchange.requestHeadBytes = exchange.requestHasBody ? nil : head
        connection.write(head, flush: false)
        for chunk in exchange.pendingBody {
            connection.write(chunk, flush: false)
        }
        loop.flusher.flushSoon(connection.context)
        exchange.pendingBody = []
        exchange.pendingBodySize = 0
        if exchange.expectsContinue && !exchange.requestComplete {
            exchange.client.sendContinue(for: exchange)
        }
        exchange.lastBackendActivity = Clock.nowNanos()
        connection.read()
        if wantsClientData(exchange) { exchange.client.readRequestBody(for: exchange) }
    }

    /// Request body bytes (framed for HTTP/1.1) to the backend, or held until it is
    /// connected.
    func forwardRequestBody(_ slice: ByteBuffer, _ exchange: Exchange) {
        guard slice.readableBytes > 0 else { return }
        if exchange.capture != nil { exchange.keep(slice) }
        if let connection = exchange.connection {
            connection.write(slice, flush: false)
            if !backendNeedsFlush.contains(where: { $0 === connection }) { backendNeedsFlush.append(connection) }
        } else {
            exchange.pendingBody.append(slice)
            exchange.pendingBodySize += slice.readableBytes
        }
    }

    /// The request body is complete.
    func requestBodyFinished(_ exchange: Exchange) {
        exchange.requestComplete = true
        exchange.request.scripts?.capturedBody = exchange.capture
        flushBackends()
        if exchange.responseComplete { finish(exchange) }
    }

    /// Flushes the request body written since the last call.
    func flushBackends() {
        guard !backendNeedsFlush.isEmpty else { return }
        for connection in backendNeedsFlush { connection.flush() }
        backendNeedsFlush.removeAll(keepingCapacity: true)
    }

    /// Whether more request body should be read from the client now.
    func wantsClientData(_ exchange: Exchange) -> Bool {
        guard !exchange.requestComplete else { return false }
        if let connection = exchange.connection { return connection.isWritable }
        return exchange.pendingBodySize < 256 * 1024
    }

    // MARK: responses

    func backendRead(_ exchange: Exchange, _ connection: BackendConnection, _ data: ByteBuffer) {
        guard exchange.connection === connection else { return connection.close() }
        exchange.receivedResponseBytes = true
        exchange.requestHeadBytes = nil
        exchange.lastBackendActivity = Clock.nowNanos()
        var data = data
        if exchange.responseHead == nil || exchange.responseDecoder == nil {
            if var pending = exchange.responseBuffer {
                pending.writeBuffer(&data)
                data = pending
            }
            while true {
                let result = data.withUnsafeReadableBytes {
                    HTTPHeadParser.parseResponse($0, maxLineLength: max(listener.listener.lineBufferSize, 8192))
                }
                switch consume result {
                case .incomplete:
                    exchange.responseBuffer = data
                    return
                case .failure:
                    exchange.responseBuffer = nil
                    exchange.backendReusable = false
                    return fail(exchange, status: 503, message: "malformed response", reverse: true)
                case .complete(let head, let length):
                    data.moveReaderIndex(forwardBy: length)
                    exchange.responseBuffer = nil
                    if head.status == 100 { continue }
                    if head.status == 101 && exchange.wantsUpgrade {
                        return upgrade(exchange, head: head, rest: data, connection: connection)
                    }
                    if head.isInformational {
                        exchange.client.sendInterim(head, for: exchange)
                        continue
                    }
                    guard let head = beginResponse(exchange, head: head) else { return }
                    return relayResponseBody(exchange, data, head: head)
                }
            }
        }
        relayResponseBody(exchange, data)
    }

    private func rewriteLocations(_ headers: inout HTTPHeaders, exchange: Exchange, backend: BackendState) {
        // Most responses have neither header: find that out without copying a field.
        guard let first = headers.firstIndex(where: { $0.hasName("Location") || $0.hasName("Content-Location") })
        else { return }
        var host: String??
        for i in first..<headers.fields.endIndex where headers.fields[i].hasName("Location") || headers.fields[i].hasName("Content-Location") {
            if host == nil { host = .some(exchange.request.head.headers.first("Host")) }
            if let value = LocationRewriter.rewrite(headers.fields[i].value, mode: listener.listener.rewriteLocation,
                                                   requestHost: host ?? nil, listenerIsHTTPS: listener.info.isHTTPS,
                                                   backend: backend, target: exchange.target,
                                                   localAddress: localAddress) {
                headers.fields[i].value = value
            }
        }
    }

    /// The response head as the client gets it; nil if the exchange ended instead.
    private func beginResponse(_ exchange: Exchange, head: consuming HTTPResponseHead) -> HTTPResponseHead? {
        let framing: BodyFraming
        switch MessageFraming.response(head, requestMethod: exchange.request.head.method) {
        case .success(let f): framing = f
        case .failure:
            fail(exchange, status: 503, message: "malformed response", reverse: true)
            return nil
        }
        // Chunked wins over a Content-Length sent with it; passing both on would
        // let the client frame the body differently from us.
        if framing == .chunked { head.headers.remove("Content-Length") }
        exchange.backendReusable = head.version == .http1_1 && head.keepAlive && framing != .untilClose
        if framing == .untilClose { exchange.clientKeepAlive = false }
        // Connection is hop-by-hop: the backend's wish applies to our backend
        // connection, not to the client's.
        head.headers.remove("Connection", "Keep-Alive")
        if listener.listener.rewriteLocation != .disabled, let backend = exchange.backend {
            rewriteLocations(&head.headers, exchange: exchange, backend: backend)
        }
        if head.status >= 400, let page = rewrittenErrorPage(exchange, status: head.status) {
            fail(exchange, status: head.status, message: "", logged: false, page: page)
            return nil
        }
        guard let line = rewriteResponse(&head.headers, exchange, status: head.status, reason: head.reason) else {
            fail(exchange, status: 500, message: "response rewriting failed", logged: false)
            return nil
        }
        head.status = line.status
        head.reason = line.reason ?? ""
        if let scripts = exchange.request.scripts, scripts.resend != .none {
            resend(exchange)
            return nil
        }
        // Sessions learn from the response as the client will see it (Pound's order).
        if let service = exchange.service, service.sessions != nil, let backend = exchange.backend {
            service.learnSession(response: head, requestHead: exchange.request.head, client: client, backend: backend)
        } else if let service = exchange.service, service.usesClientAffinity, let backend = exchange.backend {
            service.applyAffinity(to: &head, requestHead: exchange.request.head, client: client, backend: backend,
                                  requestedTag: exchange.affinityRequestedTag)
        }
        if !exchange.clientKeepAlive && exchange.request.head.version == .http1_1 {
            head.headers.append("Connection", "close")
        }
        exchange.responseHead = head
        exchange.status = head.status
        // A client side that frames the body itself gets the trailer section held
        // back and parsed.
        exchange.responseDecoder = BodyDecoder(framing: framing, limit: nil,
                                               filtersTrailers: !exchange.client.wantsFramedBody)
        return head
    }

    /// Relays body bytes; with `head`, the response head goes first, together with
    /// the first piece of body.
    private func relayResponseBody(_ exchange: Exchange, _ data: ByteBuffer, head: HTTPResponseHead? = nil) {
        guard var decoder = exchange.responseDecoder else { return }
        let side = exchange.client
        var data = data
        var head = head
        // The head goes out on every path, before the response completes.
        defer { sendPendingHead(&head, exchange) }
        if decoder.isComplete {
            sendPendingHead(&head, exchange)
            return completeResponse(exchange, trailing: data.readableBytes)
        }
        guard data.readableBytes > 0 else { return }
        var payload: [Range<Int>] = []
        let framed = side.wantsFramedBody
        let progress = data.withUnsafeReadableBytes {
            framed ? decoder.consume($0) : decoder.consume($0, payload: &payload)
        }
        exchange.responseDecoder = decoder
        switch progress {
        case .failure:
            exchange.backendReusable = false
            diagnostic(exchange: exchange, status: nil, message: "error copying response body", reverse: true)
            return abort(exchange)
        case .success(let p):
            if framed {
                if p.bodyBytes > 0, let slice = data.readSlice(length: p.bodyBytes) {
                    exchange.responseBodyBytes += UInt64(slice.readableBytes)
                    send(slice, head: &head, exchange)
                }
            } else {
                let base = data.readerIndex
                for range in payload {
                    guard let slice = data.getSlice(at: base + range.lowerBound, length: range.count) else { continue }
                    exchange.responseBodyBytes += UInt64(range.count)
                    send(slice, head: &head, exchange)
                }
                data.moveReaderIndex(forwardBy: p.bodyBytes)
            }
            sendPendingHead(&head, exchange)
            if !framed, let trailer = p.trailer, let fields = TrailerFields.parse(trailer), !fields.fields.isEmpty {
                side.sendTrailers(fields, for: exchange)
            }
            if p.finished { completeResponse(exchange, trailing: data.readableBytes) }
        }
    }

    private func sendPendingHead(_ head: inout HTTPResponseHead?, _ exchange: Exchange) {
        guard let h = head else { return }
        head = nil
        exchange.client.sendHead(h, body: nil, for: exchange)
    }

    /// Body bytes, behind the head while it has not gone yet.
    private func send(_ slice: ByteBuffer, head: inout HTTPResponseHead?, _ exchange: Exchange) {
        if let h = head {
            head = nil
            exchange.client.sendHead(h, body: slice, for: exchange)
        } else {
            exchange.client.sendBody(slice, for: exchange)
        }
    }

    func backendReadComplete(_ exchange: Exchange, _ connection: BackendConnection) {
        exchange.client.flush()
        if exchange.connection === connection, !exchange.responseComplete, exchange.client.isWritable {
            connection.read()
        }
    }

    func backendWritabilityChanged(_ exchange: Exchange, _ connection: BackendConnection) {
        guard connection.isWritable, exchange.connection === connection, wantsClientData(exchange) else { return }
        exchange.client.readRequestBody(for: exchange)
    }

    /// The client can take more response bytes again.
    func clientWritable(_ exchange: Exchange) {
        if !exchange.responseComplete { exchange.connection?.read() }
    }

    func backendClosed(_ exchange: Exchange, _ connection: BackendConnection) {
        guard exchange.connection === connection else { return }
        exchange.backendReusable = false
        exchange.connection = nil
        if exchange.responseComplete { return }
        if var decoder = exchange.responseDecoder, exchange.responseHead != nil {
            if case .success = decoder.finishAtEOF() {
                exchange.responseDecoder = decoder
                return completeResponse(exchange, trailing: 0)
            }
            // A truncated body: the client must see the connection end too.
            return abort(exchange)
        }
        // A pooled connection the backend had already closed: replay the
        // request once on a fresh connection (only bodiless requests are kept).
        if connection.servedRequests > 0, !exchange.receivedResponseBytes,
           let head = exchange.requestHeadBytes, let backend = exchange.backend, let target = exchange.target {
            exchange.requestHeadBytes = head
            return connect(exchange, backend: backend, target: target)
        }
        fail(exchange, status: 503, message: "eof from backend", reverse: true)
    }

    private func completeResponse(_ exchange: Exchange, trailing: Int) {
        exchange.responseComplete = true
        // Bytes after the response mean the backend is out of step with us.
        if trailing > 0 { exchange.backendReusable = false }
        logRequest(exchange)
        if !exchange.requestComplete {
            // The backend answered before reading the whole body: we cannot find the
            // next request's start reliably, so this connection ends here.
            exchange.clientKeepAlive = false
            exchange.backendReusable = false
        }
        finish(exchange)
    }

    /// Ends the exchange's place in a balancer's request count (`leastconn`).
    func uncount(_ exchange: Exchange) {
        exchange.counted?.finish()
        exchange.counted = nil
    }

    private func finish(_ exchange: Exchange) {
        guard !exchange.isOver else { return }
        exchange.isOver = true
        uncount(exchange)
        if let connection = exchange.connection {
            connection.servedRequests += 1
            exchange.connection = nil
            loop.pool.release(connection, reusable: exchange.backendReusable && exchange.requestComplete)
        }
        exchange.client.exchangeFinished(exchange)
    }

    /// The client side is gone: the exchange ends without an answer.
    func cancel(_ exchange: Exchange) {
        guard !exchange.isOver else { return }
        exchange.isOver = true
        uncount(exchange)
        if let connection = exchange.connection {
            exchange.connection = nil
            loop.pool.release(connection, reusable: false)
        }
    }

    /// The exchange cannot go on and the client must see that.
    private func abort(_ exchange: Exchange) {
        cancel(exchange)
        exchange.client.abort(exchange)
    }

    // MARK: upgrade (WebSocket)

    private func upgrade(_ exchange: Exchange, head: HTTPResponseHead, rest: ByteBuffer, connection: BackendConnection) {
        uncount(exchange)
        exchange.status = head.status
        exchange.localStatusLine = head.statusLine
        exchange.isOver = true
        exchange.connection = nil
        connection.delegate = nil
        logRequest(exchange)
        exchange.client.upgrade(exchange, head: head, rest: rest, connection: connection)
    }

    // MARK: errors, local replies, logging

    /// Answers the exchange with Pound's error page for `status` (or `page`) and logs
    /// it; the client side then ends, as Pound closes after every error reply. The
    /// reply is in the request's HTTP version unless `replyMinor` says otherwise.
    func fail(_ exchange: Exchange, status: Int, message: String, reverse: Bool = false, logged: Bool = true,
              page: ErrorPage? = nil, replyMinor: Int? = nil) {
        if logged { diagnostic(exchange: exchange, status: status, message: message, reverse: reverse) }
        if let connection = exchange.connection {
            exchange.connection = nil
            loop.pool.release(connection, reusable: false)
        }
        guard exchange.responseHead == nil, !exchange.isOver else { return abort(exchange) }
        let version = exchange.request.head.version
        let minor = replyMinor ?? (version == .http1_0 && exchange.request.head.method != "" ? 0 : 1)
        let reply = ErrorReply.render(status: status, minorVersion: minor,
                                      page: page ?? listener.errorPage(ErrorReply.normalized(status)))
        exchange.status = ErrorReply.normalized(status)
        exchange.localStatusLine = reply.statusLine
        exchange.responseBodyBytes = UInt64(reply.bodySize)
        exchange.responseComplete = true
        logRequest(exchange)
        cancel(exchange)
        exchange.client.sendLocal(allocator.buffer(bytes: reply.bytes), for: exchange, closing: true)
    }

    /// Sends a complete locally made response (special backends) and ends the
    /// exchange like a relayed one.
    func respondLocally(_ exchange: Exchange, bytes: [UInt8], statusLine: String, status: Int, bodySize: Int, keepAlive: Bool) {
        exchange.status = status
        exchange.localStatusLine = statusLine
        exchange.responseBodyBytes = UInt64(bodySize)
        if !keepAlive { exchange.clientKeepAlive = false }
        exchange.client.sendLocal(allocator.buffer(bytes: bytes), for: exchange, closing: false)
        completeResponse(exchange, trailing: 0)
    }

    /// Response rules: the service's first, then the listener's (Pound's order). Lua's
    /// `http.resp` sees `status` and `reason`; the result is the status line as the
    /// rules leave it, or nil when one failed (its warnings are logged).
    func rewriteResponse(_ headers: inout HTTPHeaders, _ exchange: Exchange, status: Int,
                         reason: String?) -> (status: Int, reason: String?)? {
        let scripts = exchange.request.scripts
        // Begun even without rules: it also clears a resend set before the response.
        scripts?.beginResponse(status: status, reason: reason, backend: exchange.backend)
        defer { scripts?.response = nil }
        let serviceRules = exchange.service?.rewrites.response
        let listenerRules = listener.routing.rewrites.response
        if serviceRules?.isEmpty ?? true, listenerRules.isEmpty { return (status, reason) }
        let ok = (serviceRules?.apply(to: &headers, request: &exchange.request) ?? true)
            && listenerRules.apply(to: &headers, request: &exchange.request)
        logWarnings(exchange)
        guard ok else { return nil }
        return scripts?.response.map { ($0.code, $0.reason) } ?? (status, reason)
    }

    /// `RewriteErrors`: the listener's `ErrorFile` page that replaces a backend's
    /// error response, when the service (or else the listener) asks for it.
    private func rewrittenErrorPage(_ exchange: Exchange, status: Int) -> ErrorPage? {
        guard exchange.service?.service.rewriteErrors ?? listener.listener.rewriteErrors ?? false,
              HTTPStatus.pound[status] != nil else { return nil }
        return listener.errorPage(status)
    }

    /// Pound logs expansion problems on their own line, without the request prefix.
    private func logWarnings(_ exchange: Exchange) {
        guard !exchange.request.warnings.isEmpty else { return }
        for warning in exchange.request.takeWarnings() { env.log.log(.warning, warning) }
    }

    /// Pound's `phttp_log` line: `(tid) eNNN: CLIENT[ => BACKEND]: "REQUEST": message`.
    func diagnostic(exchange: Exchange, status: Int?, message: String, reverse: Bool = false) {
        var line = "(\(loop.threadTag))"
        if let status { line += " e\(ErrorReply.normalized(status))" }
        line += ": \(client.text)"
        if reverse, let backend = exchange.backend { line += " <= \(backend.displayName)" }
        if let requestLine = exchange.rawRequestLine ?? (exchange.request.head.method.isEmpty ? nil : exchange.requestLine) {
            line += ": \"\(requestLine)\""
        }
        line += ": \(message)"
        env.log.log(.notice, line)
    }

    private func logRequest(_ exchange: Exchange) {
        guard !exchange.logged else { return }
        exchange.logged = true
        if let backend = exchange.backend, env.control?.plane.backendStats == true {
            backend.statistics.record(nanos: Clock.nowNanos() &- exchange.startNanos)
        }
        RequestLogBridge.log(exchange, listener: listener, env: env, client: client)
    }

    // MARK: timeouts

    /// The exchange's share of the loop's once-a-second sweep: `Client` for a request
    /// body that stops coming (a 408; Pound logs a 500 and closes without a reply),
    /// `TimeOut` for a backend that stops answering.
    func checkTimeouts(_ exchange: Exchange, now: UInt64) {
        if !exchange.requestComplete {
            // While the backend holds the body back, the client is not the one waited for.
            guard wantsClientData(exchange) else {
                exchange.lastClientActivity = now
                return
            }
            guard now &- exchange.lastClientActivity > listener.clientTimeoutNanos else { return }
            return fail(exchange, status: 408, message: "request body read error: Connection timed out")
        }
        guard exchange.connection != nil, !exchange.responseComplete, let target = exchange.target else { return }
        let limit = UInt64(max(target.timeout, 1)) * 1_000_000_000
        guard now &- exchange.lastBackendActivity > limit else { return }
        exchange.backendReusable = false
        if exchange.responseHead == nil {
            fail(exchange, status: 503, message: "response read error: Connection timed out", reverse: true)
        } else {
            abort(exchange)
        }
    }
}

extension Exchange: BackendConnectionDelegate {
    func backendRead(_ connection: BackendConnection, _ data: ByteBuffer) {
        core.backendRead(self, connection, data)
    }

    func backendReadComplete(_ connection: BackendConnection) {
        core.backendReadComplete(self, connection)
    }

    func backendWritabilityChanged(_ connection: BackendConnection) {
        core.backendWritabilityChanged(self, connection)
    }

    func backendClosed(_ connection: BackendConnection) {
        core.backendClosed(self, connection)
    }
}
