import HTTPWire
import NIOCore
import OpenSSLTLS
import PoundConfig
import RequestLog
import Routing

/// Serves one client connection of an HTTP listener: reads requests (keep-alive and
/// pipelined ones in order), picks the service and backend, and relays each exchange
/// in both directions while streaming bodies. Reads are explicit (autoRead is off)
/// so a slow side throttles the other instead of filling memory.
final class ClientConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    enum State {
        case awaitingHead
        case exchanging(Exchange)
        /// A WebSocket (or other 101 upgrade) relay.
        case tunneling(BackendConnection)
        case closed
    }

    let listener: ListenerRuntime
    let env: ProxyEnvironment
    let loop: LoopContext
    private(set) var context: ChannelHandlerContext?
    private var client = ClientAddress(text: "", bytes: [], port: 0)
    private var inbound: ByteBuffer
    private var state: State = .awaitingHead
    private var closeRequested = false
    /// When an idle connection (no request in progress) is closed; 0 = not idle.
    private var idleDeadline: UInt64 = 0
    /// On a `ListenHTTPS`, until OpenSSL reports the handshake done. The `Client`
    /// timeout runs from the accept, so a client stalling the handshake is closed like
    /// one stalling its request.
    private lazy var handshakePending = listener.info.isHTTPS
    private var tunnelTimeout: UInt64 = 600
    private var tunnelActivity: UInt64 = 0
    /// The client shut its sending side: finish what is in progress, then close.
    private var inputClosed = false
    /// X-SSL-* for this connection's requests, from its handshake.
    private var sslHeaders: [(name: String, value: String)] = []
    /// The client's certificate on this connection, for `ClientCert "file"` conditions.
    private var clientCertificate: CertificateIdentity?
    /// Writes not yet flushed, so each read cycle flushes each side at most once and
    /// only when it wrote something.
    private var clientNeedsFlush = false
    private var backendNeedsFlush = false

    static let maxHeadBytes = 1 << 20
    /// Pipelined bytes buffered while a response is in progress before reading stops.
    static let pipelineBuffer = 64 * 1024

    init(listener: ListenerRuntime, env: ProxyEnvironment, loop: LoopContext) {
        self.listener = listener
        self.env = env
        self.loop = loop
        self.inbound = ByteBuffer()
    }

    // MARK: channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        inbound = context.channel.allocator.buffer(capacity: 0)
        client = ClientAddress(context.channel.remoteAddress)
        loop.register(self)
        env.openConnections.add(1, ordering: .relaxed)
        if context.channel.isActive { start(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    private var started = false
    private func start(_ context: ChannelHandlerContext) {
        guard !started else { return }
        started = true
        armIdleTimer()
        context.read()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        teardown()
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        teardown()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        switch state {
        case .tunneling(let backend):
            tunnelActivity = Clock.nowNanos()
            backend.write(buffer, flush: false)
            return
        case .closed:
            return
        case .exchanging(let exchange) where !exchange.requestComplete:
            exchange.lastClientActivity = Clock.nowNanos()
            fallthrough
        case .awaitingHead, .exchanging:
            if inbound.readableBytes == 0 {
                inbound = buffer
            } else {
                inbound.writeBuffer(&buffer)
            }
        }
        processInbound()
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        switch state {
        case .tunneling(let backend):
            backend.flush()
            tunnelActivity = Clock.nowNanos()
            if backend.isWritable { context.read() }
        case .exchanging(let exchange):
            if backendNeedsFlush {
                backendNeedsFlush = false
                exchange.connection?.flush()
            }
            // Keeping the read armed while the response is on its way spares two
            // epoll_ctl calls per request; pipelined bytes wait in `inbound`.
            if exchange.requestComplete ? inbound.readableBytes < Self.pipelineBuffer : wantsClientData(exchange) {
                context.read()
            }
        case .awaitingHead:
            context.read()
        case .closed:
            break
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let handshake = event as? TLSHandshakeCompleted {
            handshakePending = false
            // The handshake had its `Client` seconds; the request gets its own.
            if case .awaitingHead = state { armIdleTimer() }
            clientCertificate = handshake.info.peerCertificate.flatMap { CertificateIdentity(pem: $0.pem.utf8) }
            if listener.addsSSLHeaders {
                sslHeaders = SSLHeaders.fields(handshake.info, includeCertificate: listener.passesClientCertificate)
            }
            return
        }
        guard let event = event as? ChannelEvent, event == .inputClosed else {
            return context.fireUserInboundEventTriggered(event)
        }
        inputClosed = true
        switch state {
        case .awaitingHead:
            close()
        case .exchanging(let exchange):
            exchange.clientKeepAlive = false
            if !exchange.requestComplete {
                // The body can never be completed: nothing sensible can follow.
                close()
            }
        case .tunneling(let backend):
            backend.channel.close(mode: .output, promise: nil)
        case .closed:
            break
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        guard context.channel.isWritable else { return }
        switch state {
        case .tunneling(let backend):
            backend.read()
        case .exchanging(let exchange):
            if !exchange.responseComplete { exchange.connection?.read() }
        default:
            break
        }
    }

    /// Graceful shutdown: stop after the current exchange, or now when idle.
    func closeWhenIdle() {
        closeRequested = true
        if case .awaitingHead = state, inbound.readableBytes == 0 {
            close()
        }
    }

    // MARK: requests

    private func processInbound() {
        guard let context else { return }
        switch state {
        case .exchanging(let exchange):
            pumpRequestBody(exchange)
            return
        case .awaitingHead:
            break
        default:
            return
        }
        guard inbound.readableBytes > 0 else { return }
        let result = inbound.withUnsafeReadableBytes { HTTPHeadParser.parseRequest($0, limits: listener.limits) }
        // Consuming `result` leaves the head the only owner of its header array, so
        // the edits below do not copy it.
        switch consume result {
        case .incomplete:
            // The parser has no overall head limit (nor has Pound); memory needs one.
            if inbound.readableBytes > Self.maxHeadBytes {
                cancelIdleTimer()
                reject(status: 413, message: "request head too large", requestLine: requestLinePrefix(), head: nil)
            }
            return
        case .failure(let error):
            cancelIdleTimer()
            let line = requestLinePrefix()
            reject(status: error.status, message: error.reason, requestLine: line, head: nil)
        case .complete(let head, let headLength):
            cancelIdleTimer()
            inbound.moveReaderIndex(forwardBy: headLength)
            if inbound.readableBytes == 0 { releaseInbound() }
            beginExchange(head, context: context)
        }
    }

    /// The request line of an unparsable request, for the log (best effort).
    private func requestLinePrefix() -> String? {
        inbound.withUnsafeReadableBytes { bytes -> String? in
            guard let end = bytes.firstIndex(where: { $0 == 13 || $0 == 10 }), end > 0 else { return nil }
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[..<min(end, 1024)]), as: UTF8.self)
        }
    }

    private func beginExchange(_ head: consuming HTTPRequestHead, context: ChannelHandlerContext) {
        let now = Clock.nowNanos()
        if !listener.combineHeaders.isEmpty { head.headers.combine(listener.combineHeaders) }
        // Pound's order of checks: method (in the parser), CheckURL, framing and size.
        if let checkURL = listener.listener.checkURL, !checkURL.matches(head.uri) {
            return reject(status: 501, message: "bad URL \"\(head.uri)\"", requestLine: head.requestLine, head: head)
        }
        let framing: BodyFraming
        switch MessageFraming.request(head, maxRequest: listener.listener.maxRequestSize) {
        case .failure(let error):
            return reject(status: error.status, message: error.reason, requestLine: head.requestLine, head: head)
        case .success(let f):
            framing = f
        }
        // The one Transfer-Encoding a request may have, forwarded as written by RFC 9112.
        if case .chunked = framing, head.headers.first("Transfer-Encoding") != "chunked" {
            head.headers.replaceOrAppend("Transfer-Encoding", "chunked")
        }
        // One Host, or the absolute-form target's authority, before anything routes on it.
        if let error = RequestHost.resolve(&head) {
            return reject(status: error.status, message: error.reason, requestLine: head.requestLine, head: head)
        }
        // Pound drops `Expect: 100-continue` rather than relay it; we answer the
        // client's expectation ourselves once a backend is connected.
        let expectsContinue = head.expectsContinue
        if expectsContinue { head.headers.remove("Expect") }

        // Built in place: a request made first and then handed over would be copied.
        let exchange = Exchange(request: RoutingRequest(head: head, client: client, listener: listener.info),
                                framing: framing, limit: listener.listener.maxRequestSize, startNanos: now)
        exchange.request.clientCertificate = clientCertificate
        if let engine = listener.scripts {
            let scripts = RequestScripts(runner: engine.runner(loop: loop.index))
            scripts.serviceNames = listener.routing.serviceNames
            exchange.request.scripts = scripts
        }
        exchange.expectsContinue = expectsContinue
        if closeRequested || listener.servesOneRequest(exchange.request.head) { exchange.clientKeepAlive = false }
        state = .exchanging(exchange)

        let service: RuntimeService
        switch listener.routing.select(&exchange.request) {
        case .service(let s):
            service = s
        case .noMatch:
            return fail(exchange, status: 503, message: "no suitable service found")
        case .failed(let s):
            // A condition that cannot be evaluated (bad credentials encoding, a
            // failed expansion): Pound logs why and answers 500.
            exchange.service = s
            logWarnings(exchange)
            return fail(exchange, status: 500, message: "no suitable service found")
        }
        serve(exchange, by: service)
        logWarnings(exchange)
        if !sslHeaders.isEmpty { SSLHeaders.apply(sslHeaders, to: &exchange.request.head.headers) }
        ForwardingHeaders.apply(to: &exchange.request.head, client: client, listener: listener)
        // Body bytes that came with the head wait until the backend is ready.
        pumpRequestBody(exchange)
        if case .closed = state { return }
        chooseBackend(exchange)
    }

    /// Picks the exchange's backend (`preferring` one a resend names) and sends the
    /// request there, running the request rules first if they have not run.
    func chooseBackend(_ exchange: Exchange, preferring: BackendState? = nil) {
        guard let service = exchange.service else { return }
        uncount(exchange)
        // Without sessions the request plays no part: don't hand (and copy) it.
        let chosen = preferring
            ?? (service.sessions == nil ? service.chooseBackend() : service.chooseBackend(head: exchange.request.head, client: client))
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
            return SpecialResponder.respond(exchange, backend: backend, handler: self)
        }
        if service.countsRequests {
            exchange.counted = service.requestStarted(on: backend)
        }
        exchange.target = target
        switch loop.pool.lease(backend, target: target) {
        case .ready(let connection):
            attach(connection, to: exchange)
        case .connecting(let future):
            awaitConnection(future, exchange: exchange, backend: backend)
        }
    }

    func awaitConnection(_ future: EventLoopFuture<Channel>, exchange: Exchange, backend: BackendState) {
        future.assumeIsolated().whenComplete { result in
            let connection: BackendConnection?
            switch result {
            case .success(let channel): connection = self.loop.pool.adopt(channel, backend: backend)
            case .failure: connection = nil
            }
            guard case .exchanging(let current) = self.state, current === exchange else {
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

    /// The request head as the backend gets it. A client's `Connection: close` is
    /// about the client's connection: passed on, it would make the backend close the
    /// pooled connection too, costing a connect (and a TLS handshake) per request.
    private static func backendHead(_ exchange: Exchange) -> HTTPRequestHead {
        let head = exchange.request.head
        guard !exchange.clientKeepAlive, head.version == .http1_1, !exchange.wantsUpgrade,
              head.headers.fields.contains(where: { $0.hasName("Connection") }) else { return head }
        var copy = head
        copy.headers.fields.removeAll { $0.hasName("Connection") && $0.value.lowercased() == "close" }
        return copy
    }

    func attach(_ connection: BackendConnection, to exchange: Exchange) {
        guard let context else {
            loop.pool.release(connection, reusable: false)
            return
        }
        connection.delegate = self
        exchange.connection = connection
        if listener.listener.rewriteDestination, let backend = exchange.backend, let target = exchange.target,
           let unparsed = DestinationRewriter.apply(to: &exchange.request.head.headers, backend: backend, target: target) {
            env.log.log(.error, "(\(loop.threadTag)) can't parse Destination \(unparsed)")
        }
        let head = context.buffer(Self.backendHead(exchange))
        exchange.requestHeadBytes = exchange.requestHasBody ? nil : head
        connection.write(head, flush: false)
        for chunk in exchange.pendingBody {
            connection.write(chunk, flush: false)
        }
        loop.flusher.flushSoon(connection.context)
        exchange.pendingBody = []
        exchange.pendingBodySize = 0
        if exchange.expectsContinue && !exchange.requestComplete {
            var interim = context.channel.allocator.buffer(capacity: 32)
            interim.writeString("HTTP/1.1 100 Continue\r\n\r\n")
            context.writeAndFlush(wrapOutboundOut(interim), promise: nil)
        }
        exchange.lastBackendActivity = Clock.nowNanos()
        connection.read()
        if wantsClientData(exchange) { context.read() }
    }

    /// Passes request body bytes from `inbound` to the backend (or holds them until
    /// it is connected). Bytes after the body stay for the next pipelined request.
    private func pumpRequestBody(_ exchange: Exchange) {
        guard !exchange.requestComplete, inbound.readableBytes > 0 else { return }
        let progress = inbound.withUnsafeReadableBytes { exchange.requestDecoder.consume($0) }
        switch progress {
        case .failure(let error):
            if exchange.responseHead == nil {
                fail(exchange, status: error.status, message: error.reason)
            } else {
                close()
            }
        case .success(let p):
            if p.bodyBytes > 0, var slice = inbound.readSlice(length: p.bodyBytes) {
                // A held-back trailer section goes on filtered, once complete.
                if p.heldBytes > 0 { slice = slice.getSlice(at: slice.readerIndex, length: p.forwardedBytes) ?? slice }
                forwardRequestBody(slice, exchange)
            }
            if let trailer = p.trailer {
                forwardRequestBody(context.map { $0.channel.allocator.buffer(bytes: trailer) } ?? ByteBuffer(bytes: trailer),
                                   exchange)
            }
            if p.finished {
                exchange.requestComplete = true
                exchange.request.scripts?.capturedBody = exchange.capture
                if backendNeedsFlush, let connection = exchange.connection {
                    backendNeedsFlush = false
                    connection.flush()
                }
                if exchange.responseComplete { finishExchange(exchange) }
            }
        }
        if inbound.readableBytes == 0 { releaseInbound() }
    }

    /// Request body bytes to the backend, or held until it is connected.
    private func forwardRequestBody(_ slice: ByteBuffer, _ exchange: Exchange) {
        guard slice.readableBytes > 0 else { return }
        if exchange.capture != nil { exchange.keep(slice) }
        if let connection = exchange.connection {
            connection.write(slice, flush: false)
            backendNeedsFlush = true
        } else {
            exchange.pendingBody.append(slice)
            exchange.pendingBodySize += slice.readableBytes
        }
    }

    /// Drops our reference to the last receive buffer once it is consumed. `clear()`
    /// would copy it (NIO still owns it, to reuse for the next read) and keeping it
    /// would make NIO allocate a new one; an empty buffer costs nothing.
    private func releaseInbound() {
        inbound = Self.emptyBuffer
    }

    private static let emptyBuffer = ByteBuffer()

    private func wantsClientData(_ exchange: Exchange) -> Bool {
        guard !exchange.requestComplete else { return false }
        if let connection = exchange.connection { return connection.isWritable }
        return exchange.pendingBodySize < 256 * 1024
    }

    // MARK: responses

    func backendRead(_ connection: BackendConnection, _ data: ByteBuffer) {
        switch state {
        case .tunneling:
            context?.write(wrapOutboundOut(data), promise: nil)
        case .exchanging(let exchange) where exchange.connection === connection:
            exchange.receivedResponseBytes = true
            exchange.requestHeadBytes = nil
            exchange.lastBackendActivity = Clock.nowNanos()
            handleResponseBytes(exchange, data)
        default:
            connection.close()
        }
    }

    private func handleResponseBytes(_ exchange: Exchange, _ data: ByteBuffer) {
        guard let context else { return }
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
                        return upgrade(exchange, head: head, rest: data)
                    }
                    if head.isInformational {
                        context.write(wrapOutboundOut(context.buffer(head)), promise: nil)
                        clientNeedsFlush = true
                        continue
                    }
                    guard let headBytes = beginResponse(exchange, head: head, context: context) else { return }
                    return relayResponseBody(exchange, data, context: context, after: headBytes)
                }
            }
        }
        relayResponseBody(exchange, data, context: context)
    }

    /// Sends the response head on; false if the exchange ended instead.
    private func rewriteLocations(_ headers: inout HTTPHeaders, exchange: Exchange, backend: BackendState) {
        // Most responses have neither header: find that out without copying a field.
        guard let first = headers.fields.firstIndex(where: { $0.hasName("Location") || $0.hasName("Content-Location") })
        else { return }
        var host: String??
        for i in first..<headers.fields.endIndex where headers.fields[i].hasName("Location") || headers.fields[i].hasName("Content-Location") {
            if host == nil { host = .some(exchange.request.head.headers.first("Host")) }
            if let value = LocationRewriter.rewrite(headers.fields[i].value, mode: listener.listener.rewriteLocation,
                                                   requestHost: host ?? nil, listenerIsHTTPS: listener.info.isHTTPS,
                                                   backend: backend, target: exchange.target,
                                                   localAddress: self.context?.channel.localAddress) {
                headers.fields[i].value = value
            }
        }
    }

    /// Prepares the response head for the client; nil if the exchange ended instead.
    private func beginResponse(_ exchange: Exchange, head: consuming HTTPResponseHead, context: ChannelHandlerContext) -> ByteBuffer? {
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
        }
        if !exchange.clientKeepAlive && exchange.request.head.version == .http1_1 {
            head.headers.append("Connection", "close")
        }
        exchange.responseHead = head
        exchange.status = head.status
        exchange.responseDecoder = BodyDecoder(framing: framing, limit: nil)
        return context.buffer(head, spare: 512)
    }

    /// Relays body bytes. With `head`, the response head goes first; a small first
    /// piece of body is copied in behind it so the two leave in one write.
    private func relayResponseBody(_ exchange: Exchange, _ data: ByteBuffer, context: ChannelHandlerContext,
                                   after head: ByteBuffer? = nil) {
        guard var decoder = exchange.responseDecoder else { return }
        var data = data
        var head = head
        defer {
            if let head {
                context.write(wrapOutboundOut(head), promise: nil)
                clientNeedsFlush = true
            }
        }
        if decoder.isComplete {
            exchange.responseDecoder = decoder
            if let h = head {
                head = nil
                context.write(wrapOutboundOut(h), promise: nil)
                clientNeedsFlush = true
            }
            return completeResponse(exchange, trailing: data.readableBytes)
        }
        guard data.readableBytes > 0 else { return }
        let progress = data.withUnsafeReadableBytes { decoder.consume($0) }
        exchange.responseDecoder = decoder
        switch progress {
        case .failure:
            exchange.backendReusable = false
            diagnostic(exchange: exchange, status: nil, message: "error copying response body", reverse: true)
            return close()
        case .success(let p):
            if p.bodyBytes > 0, var slice = data.readSlice(length: p.bodyBytes) {
                exchange.responseBodyBytes += UInt64(slice.readableBytes)
                if var h = head {
                    head = nil
                    if slice.readableBytes <= 4096 {
                        h.writeBuffer(&slice)
                        context.write(wrapOutboundOut(h), promise: nil)
                    } else {
                        context.write(wrapOutboundOut(h), promise: nil)
                        context.write(wrapOutboundOut(slice), promise: nil)
                    }
                } else {
                    context.write(wrapOutboundOut(slice), promise: nil)
                }
                clientNeedsFlush = true
            }
            if let h = head {
                head = nil
                context.write(wrapOutboundOut(h), promise: nil)
                clientNeedsFlush = true
            }
            if p.finished { completeResponse(exchange, trailing: data.readableBytes) }
        }
    }

    func backendReadComplete(_ connection: BackendConnection) {
        guard let context else { return }
        if case .tunneling = state {
            context.flush()
            tunnelActivity = Clock.nowNanos()
            if context.channel.isWritable { connection.read() }
            return
        }
        if clientNeedsFlush {
            clientNeedsFlush = false
            context.flush()
        }
        if case .exchanging(let exchange) = state, exchange.connection === connection,
           !exchange.responseComplete, context.channel.isWritable {
            connection.read()
        }
    }

    func backendWritabilityChanged(_ connection: BackendConnection) {
        guard connection.isWritable, let context else { return }
        switch state {
        case .tunneling:
            context.read()
        case .exchanging(let exchange) where exchange.connection === connection:
            if wantsClientData(exchange) { context.read() }
        default:
            break
        }
    }

    func backendClosed(_ connection: BackendConnection) {
        switch state {
        case .tunneling:
            close()
        case .exchanging(let exchange) where exchange.connection === connection:
            exchange.backendReusable = false
            exchange.connection = nil
            if exchange.responseComplete { return }
            if var decoder = exchange.responseDecoder, exchange.responseHead != nil {
                if case .success = decoder.finishAtEOF() {
                    exchange.responseDecoder = decoder
                    return completeResponse(exchange, trailing: 0)
                }
                // A truncated body: the client must see the connection end too.
                return close()
            }
            // A pooled connection the backend had already closed: replay the
            // request once on a fresh connection (only bodiless requests are kept).
            if connection.servedRequests > 0, !exchange.receivedResponseBytes,
               let head = exchange.requestHeadBytes, let backend = exchange.backend, let target = exchange.target {
                exchange.requestHeadBytes = head
                return reconnect(exchange, backend: backend, target: target)
            }
            fail(exchange, status: 503, message: "eof from backend", reverse: true)
        default:
            break
        }
    }

    private func reconnect(_ exchange: Exchange, backend: BackendState, target: BackendTarget) {
        switch loop.pool.lease(backend, target: target) {
        case .ready(let c):
            attach(c, to: exchange)
        case .connecting(let future):
            awaitConnection(future, exchange: exchange, backend: backend)
        }
    }

    private func completeResponse(_ exchange: Exchange, trailing: Int) {
        exchange.responseComplete = true
        // Bytes after the response mean the backend is out of step with us.
        if trailing > 0 { exchange.backendReusable = false }
        logRequest(exchange)
        if exchange.requestComplete {
            finishExchange(exchange)
        } else {
            // The backend answered before reading the whole body: we cannot find the
            // next request's start reliably, so this connection ends here.
            exchange.clientKeepAlive = false
            exchange.backendReusable = false
            finishExchange(exchange)
        }
    }

    /// Ends the exchange's place in a balancer's request count (`leastconn`).
    func uncount(_ exchange: Exchange) {
        exchange.counted?.finish()
        exchange.counted = nil
    }

    private func finishExchange(_ exchange: Exchange) {
        guard let context, case .exchanging(let current) = state, current === exchange else { return }
        uncount(exchange)
        if let connection = exchange.connection {
            connection.servedRequests += 1
            exchange.connection = nil
            loop.pool.release(connection, reusable: exchange.backendReusable && exchange.requestComplete)
        }
        state = .awaitingHead
        // The backend connection now belongs to the pool, so its read-complete will
        // not reach us: the response goes out at the end of this loop tick.
        if clientNeedsFlush {
            clientNeedsFlush = false
            loop.flusher.flushSoon(context)
        }
        if !exchange.clientKeepAlive || closeRequested || inputClosed {
            return close()
        }
        if inbound.readableBytes > 0 {
            processInbound()
        }
        if case .awaitingHead = state {
            armIdleTimer()
            context.read()
        }
    }

    // MARK: upgrade (WebSocket)

    private func upgrade(_ exchange: Exchange, head: HTTPResponseHead, rest: ByteBuffer) {
        guard let context, let connection = exchange.connection else { return }
        uncount(exchange)
        exchange.status = head.status
        exchange.localStatusLine = head.statusLine
        context.write(wrapOutboundOut(context.buffer(head)), promise: nil)
        if rest.readableBytes > 0 { context.write(wrapOutboundOut(rest), promise: nil) }
        context.flush()
        logRequest(exchange)
        exchange.connection = nil
        state = .tunneling(connection)
        tunnelTimeout = UInt64(max(exchange.target?.webSocketTimeout ?? 600, 1)) * 1_000_000_000
        // Bytes the client sent after the upgrade request belong to the new protocol.
        if inbound.readableBytes > 0 {
            connection.write(inbound, flush: true)
            releaseInbound()
        }
        tunnelActivity = Clock.nowNanos()
        connection.read()
        context.read()
    }

    // MARK: errors, timers, logging

    /// An error before anything was relayed: Pound's page, the log lines, then close.
    private func reject(status: Int, message: String, requestLine: String?, head: HTTPRequestHead?) {
        let request = RoutingRequest(head: head ?? HTTPRequestHead(method: "", uri: "", version: .http1_0),
                                     client: client, listener: listener.info)
        let exchange = Exchange(request: request, framing: .none, limit: nil, startNanos: Clock.nowNanos())
        exchange.rawRequestLine = requestLine
        state = .exchanging(exchange)
        // Pound refuses a request line before it knows the version, so it answers in
        // HTTP/1.0 then (405, 414, a bad line).
        fail(exchange, status: status, message: message, replyMinor: head == nil ? 0 : nil)
    }

    /// Answers the exchange with Pound's error page for `status` (or `page`), logs
    /// it, and closes the connection, as Pound does after every error reply. The
    /// reply is in the request's HTTP version unless `replyMinor` says otherwise.
    func fail(_ exchange: Exchange, status: Int, message: String, reverse: Bool = false, logged: Bool = true,
              page: ErrorPage? = nil, replyMinor: Int? = nil) {
        if logged { diagnostic(exchange: exchange, status: status, message: message, reverse: reverse) }
        if let connection = exchange.connection {
            exchange.connection = nil
            loop.pool.release(connection, reusable: false)
        }
        guard let context, exchange.responseHead == nil else { return close() }
        let minor = replyMinor ?? (exchange.request.head.version.minor == 0 && exchange.request.head.method != "" ? 0 : 1)
        let reply = ErrorReply.render(status: status, minorVersion: minor,
                                      page: page ?? listener.errorPage(ErrorReply.normalized(status)))
        exchange.status = ErrorReply.normalized(status)
        exchange.localStatusLine = reply.statusLine
        exchange.responseBodyBytes = UInt64(reply.bodySize)
        exchange.responseComplete = true
        logRequest(exchange)
        context.write(wrapOutboundOut(context.channel.allocator.buffer(bytes: reply.bytes)), promise: nil)
        close()
    }

    /// Writes a complete locally generated response (special backends) and ends the
    /// exchange like a relayed one.
    func respondLocally(_ exchange: Exchange, bytes: [UInt8], statusLine: String, status: Int, bodySize: Int, keepAlive: Bool) {
        guard let context else { return }
        exchange.status = status
        exchange.localStatusLine = statusLine
        exchange.responseBodyBytes = UInt64(bodySize)
        if !keepAlive { exchange.clientKeepAlive = false }
        context.write(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)), promise: nil)
        clientNeedsFlush = true
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
    private func diagnostic(exchange: Exchange, status: Int?, message: String, reverse: Bool = false) {
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

    private func armIdleTimer() {
        idleDeadline = Clock.nowNanos() &+ clientTimeoutNanos
    }

    /// `Client`, at least a second: for an idle connection, a handshake, a request body.
    private var clientTimeoutNanos: UInt64 { UInt64(max(listener.clientTimeout, 1)) * 1_000_000_000 }

    private func cancelIdleTimer() {
        idleDeadline = 0
    }

    /// Called by the loop's once-a-second sweep (Pound's timeouts are whole
    /// seconds), so no request schedules or cancels a timer of its own.
    func checkTimeouts(now: UInt64) {
        switch state {
        case .awaitingHead:
            // `Client`: how long a client may take to send a request (or, on HTTPS,
            // to finish the handshake first).
            guard idleDeadline != 0 && now > idleDeadline else { return }
            if handshakePending { return handshakeTimedOut() }
            close()
        case .exchanging(let exchange):
            // `Client`: a request body that stops coming is a 408 (Pound logs a 500
            // and closes without a reply). While the backend holds the body back, the
            // client is not the one waited for.
            if !exchange.requestComplete {
                guard wantsClientData(exchange) else {
                    exchange.lastClientActivity = now
                    return
                }
                guard now &- exchange.lastClientActivity > clientTimeoutNanos else { return }
                return fail(exchange, status: 408, message: "request body read error: Connection timed out")
            }
            // `TimeOut`: the backend must send something at least this often.
            guard exchange.connection != nil, !exchange.responseComplete, let target = exchange.target else { return }
            let limit = UInt64(max(target.timeout, 1)) * 1_000_000_000
            guard now &- exchange.lastBackendActivity > limit else { return }
            exchange.backendReusable = false
            if exchange.responseHead == nil {
                fail(exchange, status: 503, message: "response read error: Connection timed out", reverse: true)
            } else {
                close()
            }
        case .tunneling:
            // `WSTimeOut`: an upgraded connection idle in both directions.
            if now &- tunnelActivity > tunnelTimeout { close() }
        case .closed:
            break
        }
    }

    func abort() {
        guard let context else { return }
        if case .closed = state { return }
        teardown()
        context.close(promise: nil)
    }

    /// Ends the connection once everything written so far has reached the socket:
    /// closing at once would drop a response tail the kernel could not take yet
    /// (a large body to an HTTP/1.0 or `Connection: close` client).
    func close() {
        guard let context else { return }
        if case .closed = state { return }
        teardown()
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(Self.emptyBuffer), promise: written)
        written.futureResult.assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }

    /// A TLS handshake not done in `Client` seconds: nothing can be written to such a
    /// client (a write would wait for the handshake), so the socket just closes.
    private func handshakeTimedOut() {
        guard let context else { return }
        listener.counters.handshakeTimeouts.add(1, ordering: .relaxed)
        env.log.log(.debug, "(\(loop.threadTag)): \(client.text): TLS handshake not finished in "
                    + "\(clientTimeoutNanos / 1_000_000_000) s; closing")
        teardown()
        context.close(promise: nil)
    }

    private func teardown() {
        switch state {
        case .closed:
            return
        case .exchanging(let exchange):
            uncount(exchange)
            if let connection = exchange.connection {
                exchange.connection = nil
                loop.pool.release(connection, reusable: false)
            }
        case .tunneling(let connection):
            connection.delegate = nil
            connection.close()
        case .awaitingHead:
            break
        }
        state = .closed
        cancelIdleTimer()
        loop.unregister(self)
        env.openConnections.subtract(1, ordering: .relaxed)
    }
}

extension ClientConnectionHandler: BackendConnectionDelegate, LoopConnection {}
