import HTTPWire
import NIOCore
import OpenSSLTLS
import PoundConfig
import RequestLog
import Routing

/// The HTTP/1.x side of a client connection: reads requests (keep-alive and
/// pipelined ones in order), checks and frames each one, hands it to the exchange
/// core, and puts the responses on the wire, or relays a WebSocket after a 101.
/// Reads are explicit (autoRead is off) so a slow side throttles the other instead
/// of filling memory.
final class HTTP1ConnectionHandler: ChannelInboundHandler {
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
    private var core: ExchangeCore?
    private var inbound: ByteBuffer
    private var state: State = .awaitingHead
    private var closeRequested = false
    /// A request has come on this connection. Before the first one it is not an idle
    /// keep-alive connection: a graceful stop answers that first request (as Pound,
    /// whose thread waits reading it), which a reload's old worker needs for the
    /// connections it accepted just before it stopped.
    private var hadRequest = false
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
    /// Writes not yet flushed, so each read cycle flushes at most once and only when
    /// it wrote something.
    private var clientNeedsFlush = false
    private var readDemand = ReadDemand()
    /// A `ListenHTTP` with `HTTP2 on`, until the first request's bytes show whether
    /// they are HTTP/2's connection preface.
    private lazy var awaitsPreface = !listener.info.isHTTPS && listener.listener.servesHTTP2

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
        core = ExchangeCore(listener: listener, env: env, loop: loop, channel: context.channel)
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
        readDemand.request(context)
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
        readDemand.answered()
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
            if backend.isWritable { readDemand.request(context) }
        case .exchanging(let exchange):
            core?.flushBackends()
            // Keeping the read armed while the response is on its way spares two
            // epoll_ctl calls per request; pipelined bytes wait in `inbound`.
            if exchange.requestComplete ? inbound.readableBytes < Self.pipelineBuffer : (core?.wantsClientData(exchange) ?? false) {
                readDemand.request(context)
            }
        case .awaitingHead:
            readDemand.request(context)
        case .closed:
            break
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let handshake = event as? TLSHandshakeCompleted {
            handshakePending = false
            // A tls-alpn-01 validation: the CA only looks at the certificate (RFC 8737 §3).
            if handshake.info.alpnProtocol == ALPNChallenges.protocolName {
                close()
                return
            }
            // The handshake had its `Client` seconds; the request gets its own.
            if case .awaitingHead = state { armIdleTimer() }
            core?.handshakeCompleted(handshake.info)
            if handshake.info.alpnProtocol == ALPN.http2 { switchToHTTP2(context: context) }
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
            core?.clientWritable(exchange)
        default:
            break
        }
    }

    /// Graceful shutdown: stop after the current exchange, or now when idle.
    func closeWhenIdle() {
        closeRequested = true
        if case .awaitingHead = state, inbound.readableBytes == 0, hadRequest {
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
        // Cleartext HTTP/2 with prior knowledge, when the listener takes it.
        if awaitsPreface {
            switch inbound.withUnsafeReadableBytes({ HTTP2Connection.startsWithPreface($0) }) {
            case true?: return switchToHTTP2(context: context)
            case false?: awaitsPreface = false
            case nil: return
            }
        }
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
        guard let core else { return }
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

        let exchange = core.makeExchange(head, framing: framing, expectsContinue: expectsContinue, client: self)
        if closeRequested || listener.servesOneRequest(exchange.request.head) { exchange.clientKeepAlive = false }
        hadRequest = true
        state = .exchanging(exchange)
        guard core.route(exchange) else { return }
        // Body bytes that came with the head wait until the backend is ready.
        pumpRequestBody(exchange)
        if case .closed = state { return }
        core.chooseBackend(exchange)
    }

    /// Passes request body bytes from `inbound` to the backend (or holds them until
    /// it is connected). Bytes after the body stay for the next pipelined request.
    private func pumpRequestBody(_ exchange: Exchange) {
        guard !exchange.requestComplete, inbound.readableBytes > 0 else { return }
        let progress = inbound.withUnsafeReadableBytes { exchange.requestDecoder.consume($0) }
        switch progress {
        case .failure(let error):
            if exchange.responseHead == nil {
                core?.fail(exchange, status: error.status, message: error.reason)
            } else {
                close()
            }
        case .success(let p):
            if p.bodyBytes > 0, var slice = inbound.readSlice(length: p.bodyBytes) {
                // A held-back trailer section goes on filtered, once complete.
                if p.heldBytes > 0 { slice = slice.getSlice(at: slice.readerIndex, length: p.forwardedBytes) ?? slice }
                core?.forwardRequestBody(slice, exchange)
            }
            if let trailer = p.trailer {
                core?.forwardRequestBody(ByteBuffer(bytes: trailer), exchange)
            }
            if p.finished { core?.requestBodyFinished(exchange) }
        }
        if inbound.readableBytes == 0 { releaseInbound() }
    }

    /// Drops our reference to the last receive buffer once it is consumed. `clear()`
    /// would copy it (NIO still owns it, to reuse for the next read) and keeping it
    /// would make NIO allocate a new one; an empty buffer costs nothing.
    private func releaseInbound() {
        inbound = Self.emptyBuffer
    }

    private static let emptyBuffer = ByteBuffer()

    // MARK: responses (ExchangeClient)

    var wantsFramedBody: Bool { true }

    var isWritable: Bool { context?.channel.isWritable ?? false }

    func sendInterim(_ head: HTTPResponseHead, for exchange: Exchange) {
        guard let context else { return }
        context.write(wrapOutboundOut(context.channel.allocator.buffer(head)), promise: nil)
        clientNeedsFlush = true
    }

    func sendContinue(for exchange: Exchange) {
        guard let context else { return }
        var interim = context.channel.allocator.buffer(capacity: 32)
        interim.writeString("HTTP/1.1 100 Continue\r\n\r\n")
        context.writeAndFlush(wrapOutboundOut(interim), promise: nil)
    }

    /// A small first piece of body is copied in behind the head so the two leave in
    /// one write.
    func sendHead(_ head: HTTPResponseHead, body: ByteBuffer?, for exchange: Exchange) {
        guard let context else { return }
        var bytes = context.channel.allocator.buffer(head, spare: 512)
        if var body {
            if body.readableBytes <= 4096 {
                bytes.writeBuffer(&body)
                context.write(wrapOutboundOut(bytes), promise: nil)
            } else {
                context.write(wrapOutboundOut(bytes), promise: nil)
                context.write(wrapOutboundOut(body), promise: nil)
            }
        } else {
            context.write(wrapOutboundOut(bytes), promise: nil)
        }
        clientNeedsFlush = true
    }

    func sendBody(_ bytes: ByteBuffer, for exchange: Exchange) {
        context?.write(wrapOutboundOut(bytes), promise: nil)
        clientNeedsFlush = true
    }

    func sendTrailers(_ fields: HTTPHeaders, for exchange: Exchange) {
        // Framed bodies carry their trailer section.
    }

    func sendLocal(_ bytes: ByteBuffer, for exchange: Exchange, closing: Bool) {
        context?.write(wrapOutboundOut(bytes), promise: nil)
        clientNeedsFlush = true
        if closing { close() }
    }

    func flush() {
        guard clientNeedsFlush, let context else { return }
        clientNeedsFlush = false
        context.flush()
    }

    func abort(_ exchange: Exchange) {
        close()
    }

    func readRequestBody(for exchange: Exchange) {
        if let context { readDemand.request(context) }
    }

    func exchangeFinished(_ exchange: Exchange) {
        guard let context, case .exchanging(let current) = state, current === exchange else { return }
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
            readDemand.request(context)
        }
    }

    // MARK: upgrade (WebSocket)

    func upgrade(_ exchange: Exchange, head: HTTPResponseHead, rest: ByteBuffer, connection: BackendConnection) {
        guard let context else { return connection.close() }
        context.write(wrapOutboundOut(context.channel.allocator.buffer(head)), promise: nil)
        if rest.readableBytes > 0 { context.write(wrapOutboundOut(rest), promise: nil) }
        context.flush()
        connection.delegate = self
        state = .tunneling(connection)
        tunnelTimeout = UInt64(max(exchange.target?.webSocketTimeout ?? 600, 1)) * 1_000_000_000
        // Bytes the client sent after the upgrade request belong to the new protocol.
        if inbound.readableBytes > 0 {
            connection.write(inbound, flush: true)
            releaseInbound()
        }
        tunnelActivity = Clock.nowNanos()
        connection.read()
        readDemand.request(context)
    }

    // MARK: errors, timers, logging

    // MARK: HTTP/2

    /// The client speaks HTTP/2 (ALPN "h2", or the cleartext preface): the HTTP/2
    /// handlers take the connection over, with the bytes read so far and this
    /// connection's exchange core (its handshake's X-SSL-* headers).
    private func switchToHTTP2(context: ChannelHandlerContext) {
        guard let core else { return }
        state = .closed
        cancelIdleTimer()
        loop.unregister(self)
        env.openConnections.subtract(1, ordering: .relaxed)
        do {
            try HTTP2Connection.configure(context.channel, core: core)
        } catch {
            env.log.log(.error, "(\(loop.threadTag)): \(core.client.text): can't set up HTTP/2: \(error)")
            context.close(promise: nil)
            return
        }
        let pending = inbound
        releaseInbound()
        if pending.readableBytes > 0 { context.fireChannelRead(NIOAny(pending)) }
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    /// An error before anything was relayed: Pound's page, the log lines, then close.
    private func reject(status: Int, message: String, requestLine: String?, head: HTTPRequestHead?) {
        guard let core else { return }
        let exchange = core.makeExchange(head ?? HTTPRequestHead(method: "", uri: "", version: .http1_0),
                                         framing: .none, expectsContinue: false, client: self)
        exchange.rawRequestLine = requestLine
        hadRequest = true
        state = .exchanging(exchange)
        // Pound refuses a request line before it knows the version, so it answers in
        // HTTP/1.0 then (405, 414, a bad line).
        core.fail(exchange, status: status, message: message, replyMinor: head == nil ? 0 : nil)
    }

    private func armIdleTimer() {
        idleDeadline = Clock.nowNanos() &+ listener.clientTimeoutNanos
    }

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
            core?.checkTimeouts(exchange, now: now)
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
        env.log.log(.debug, "(\(loop.threadTag)): \(core?.client.text ?? "-"): TLS handshake not finished in "
                    + "\(listener.clientTimeoutNanos / 1_000_000_000) s; closing")
        teardown()
        context.close(promise: nil)
    }

    private func teardown() {
        switch state {
        case .closed:
            return
        case .exchanging(let exchange):
            core?.cancel(exchange)
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

/// After a 101 the backend connection's events come here: the tunnel relays bytes.
extension HTTP1ConnectionHandler: BackendConnectionDelegate {
    func backendRead(_ connection: BackendConnection, _ data: ByteBuffer) {
        guard case .tunneling = state else { return connection.close() }
        context?.write(wrapOutboundOut(data), promise: nil)
    }

    func backendReadComplete(_ connection: BackendConnection) {
        guard let context, case .tunneling = state else { return }
        context.flush()
        tunnelActivity = Clock.nowNanos()
        if context.channel.isWritable { connection.read() }
    }

    func backendWritabilityChanged(_ connection: BackendConnection) {
        guard connection.isWritable, case .tunneling = state else { return }
        if let context { readDemand.request(context) }
    }

    func backendClosed(_ connection: BackendConnection) {
        if case .tunneling = state { close() }
    }
}

// Removable: an HTTP/2 client's connection is handed to the HTTP/2 handlers.
extension HTTP1ConnectionHandler: ExchangeClient, LoopConnection, RemovableChannelHandler {}
