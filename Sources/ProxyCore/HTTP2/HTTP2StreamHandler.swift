import HTTPWire
import NIOCore
import NIOHPACK
import NIOHTTP2

/// One HTTP/2 stream: its request becomes an exchange of the connection's core,
/// and the response comes back as HEADERS and DATA frames. The stream channel
/// does not read on its own, so the stream's flow-control window opens only as
/// fast as the backend takes the request body.
final class HTTP2StreamHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTP2Frame.FramePayload
    typealias OutboundIn = HTTP2Frame.FramePayload
    typealias OutboundOut = HTTP2Frame.FramePayload

    private let core: ExchangeCore
    private var context: ChannelHandlerContext?
    private var exchange: Exchange?
    /// The request body goes to the backend chunked (no content-length came).
    private var chunksBody = false
    private var requestBodyBytes: UInt64 = 0
    private var requestEnded = false
    /// What is held back to join the next frame: the response head (so a bodiless
    /// response is one HEADERS frame with END_STREAM) and the last DATA (so the end
    /// of the stream rides on it).
    private var pendingHead: HPACKHeaders?
    private var pendingData: ByteBuffer?
    private var responseEnded = false
    private var needsFlush = false
    private var resetting = false

    init(core: ExchangeCore) {
        self.core = core
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        core.loop.register(self)
        context.read()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        end()
    }

    func channelInactive(context: ChannelHandlerContext) {
        end()
        context.fireChannelInactive()
    }

    /// The stream is gone (done or reset): whatever is in progress is dropped.
    private func end() {
        guard context != nil else { return }
        context = nil
        if let exchange { core.cancel(exchange) }
        exchange = nil
        core.loop.unregister(self)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    // MARK: request

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .headers(let headers):
            if let exchange {
                // Trailers: only after the body began, and they end the stream.
                guard headers.endStream else { return reset(.protocolError) }
                requestTrailers(headers.headers, exchange)
            } else {
                begin(headers.headers, endStream: headers.endStream)
            }
        case .data(let data):
            guard let exchange, case .byteBuffer(let bytes) = data.data else { return }
            requestData(bytes, end: data.endStream, exchange)
        default:
            break
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        core.flushBackends()
        if let exchange, core.wantsClientData(exchange) { context.read() }
        context.fireChannelReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable, let exchange { core.clientWritable(exchange) }
        context.fireChannelWritabilityChanged()
    }

    private func begin(_ fields: HPACKHeaders, endStream: Bool) {
        requestEnded = endStream
        let request: HTTP2Request
        switch HTTP2Request.make(fields, endStream: endStream, combine: core.listener.combineHeaders) {
        case .failure(let refusal):
            return refuse(refusal)
        case .success(let r):
            request = r
        }
        var head = request.head
        let listener = core.listener
        if let checkURL = listener.listener.checkURL, !checkURL.matches(head.uri) {
            return reject(head, status: 501, message: "bad URL \"\(head.uri)\"")
        }
        if let max = listener.listener.maxRequestSize, max > 0, let length = request.contentLength, length > max {
            return reject(head, status: 413, message: "request too large: \(length) bytes")
        }
        if let error = RequestHost.resolve(&head) {
            return reject(head, status: error.status, message: error.reason)
        }
        let expectsContinue = head.expectsContinue
        if expectsContinue { head.headers.remove("Expect") }
        chunksBody = request.framing == .chunked
        let exchange = core.makeExchange(head, framing: request.framing, expectsContinue: expectsContinue, client: self)
        self.exchange = exchange
        guard core.route(exchange) else { return }
        if endStream { core.requestBodyFinished(exchange) }
        if exchange.isOver { return }
        core.chooseBackend(exchange)
    }

    private func requestData(_ bytes: ByteBuffer, end: Bool, _ exchange: Exchange) {
        guard !requestEnded else { return }
        exchange.lastClientActivity = Clock.nowNanos()
        requestBodyBytes += UInt64(bytes.readableBytes)
        if let max = core.listener.listener.maxRequestSize, max > 0, requestBodyBytes > max {
            return core.fail(exchange, status: 413, message: "request too large: \(requestBodyBytes) bytes")
        }
        if bytes.readableBytes > 0 {
            if chunksBody {
                var size = core.allocator.buffer(capacity: 12)
                size.writeString(String(bytes.readableBytes, radix: 16))
                size.writeStaticString("\r\n")
                core.forwardRequestBody(size, exchange)
                core.forwardRequestBody(bytes, exchange)
                core.forwardRequestBody(Self.crlf, exchange)
            } else {
                core.forwardRequestBody(bytes, exchange)
            }
        }
        if end {
            requestEnded = true
            if chunksBody { core.forwardRequestBody(Self.lastChunk, exchange) }
            core.requestBodyFinished(exchange)
        }
    }

    private func requestTrailers(_ fields: HPACKHeaders, _ exchange: Exchange) {
        guard !requestEnded else { return }
        for (name, value, _) in fields where !HTTP2Request.isValidTrailer(name: name, value: value) {
            return reset(.protocolError)
        }
        requestEnded = true
        if chunksBody {
            var section = "0\r\n"
            for (name, value, _) in fields where !TrailerFields.isForbidden(name) {
                section += "\(name): \(value)\r\n"
            }
            section += "\r\n"
            core.forwardRequestBody(core.allocator.buffer(string: section), exchange)
        }
        core.requestBodyFinished(exchange)
    }

    private static let crlf = ByteBuffer(string: "\r\n")
    private static let lastChunk = ByteBuffer(string: "0\r\n\r\n")

    /// A request HTTP/2 forbids or Pounce does not carry: a stream error, or an
    /// answer for what HTTP/1.x would answer too.
    private func refuse(_ refusal: HTTP2Request.Refusal) {
        switch refusal {
        case .malformed:
            reset(.protocolError)
        case .unsupported(let head, let status, let message):
            reject(head, status: status, message: message)
        }
    }

    /// An error before anything was relayed: Pound's page and log lines.
    private func reject(_ head: HTTPRequestHead, status: Int, message: String) {
        let exchange = core.makeExchange(head, framing: .none, expectsContinue: false, client: self)
        self.exchange = exchange
        core.fail(exchange, status: status, message: message)
    }

    /// Ends the stream with RST_STREAM. On the next loop tick: a reset while the
    /// stream's first HEADERS is still being delivered would close it before
    /// swift-nio-http2 has announced it open to its connection manager.
    private func reset(_ code: HTTP2ErrorCode) {
        guard let context, !resetting else { return }
        resetting = true
        context.eventLoop.assumeIsolated().execute {
            context.writeAndFlush(self.wrapOutboundOut(.rstStream(code)), promise: nil)
            context.close(promise: nil)
        }
    }
}

// MARK: response (ExchangeClient)

extension HTTP2StreamHandler: ExchangeClient {
    var wantsFramedBody: Bool { false }

    var isWritable: Bool { context?.channel.isWritable ?? false }

    func sendInterim(_ head: HTTPResponseHead, for exchange: Exchange) {
        write(.headers(.init(headers: HTTP2Response.fields(head))))
    }

    func sendContinue(for exchange: Exchange) {
        write(.headers(.init(headers: [":status": "100"])))
        flush()
    }

    func sendHead(_ head: HTTPResponseHead, body: ByteBuffer?, for exchange: Exchange) {
        pendingHead = HTTP2Response.fields(head)
        if let body { sendBody(body, for: exchange) }
    }

    func sendBody(_ bytes: ByteBuffer, for exchange: Exchange) {
        guard bytes.readableBytes > 0 else { return }
        writePending()
        pendingData = bytes
    }

    func sendTrailers(_ fields: HTTPHeaders, for exchange: Exchange) {
        writePending()
        var trailers = HPACKHeaders()
        for field in fields.fields where !TrailerFields.isForbidden(field.name) {
            trailers.add(name: field.name.lowercased(), value: field.value)
        }
        responseEnded = true
        write(.headers(.init(headers: trailers, endStream: true)))
    }

    func sendLocal(_ bytes: ByteBuffer, for exchange: Exchange, closing: Bool) {
        guard let (head, body) = HTTP2Response.parseLocal(bytes) else { return reset(.internalError) }
        sendHead(head, body: body, for: exchange)
        if closing {
            endResponse()
            flush()
            // An error ends the stream whatever the client was still sending.
            if !requestEnded { reset(.noError) }
        }
    }

    func flush() {
        writePending()
        guard needsFlush, let context else { return }
        needsFlush = false
        context.flush()
    }

    func exchangeFinished(_ exchange: Exchange) {
        endResponse()
        flush()
        if !requestEnded { reset(.noError) }
        self.exchange = nil
    }

    func abort(_ exchange: Exchange) {
        reset(.internalError)
    }

    func readRequestBody(for exchange: Exchange) {
        context?.read()
    }

    func upgrade(_ exchange: Exchange, head: HTTPResponseHead, rest: ByteBuffer, connection: BackendConnection) {
        // An HTTP/2 request never asks for an upgrade; a backend that does so anyway
        // has nothing to relay to.
        connection.close()
        reset(.internalError)
    }

    /// The last frame of the response carries END_STREAM.
    private func endResponse() {
        guard !responseEnded else { return }
        responseEnded = true
        if let head = pendingHead {
            pendingHead = nil
            if let data = pendingData {
                pendingData = nil
                write(.headers(.init(headers: head)))
                write(.data(.init(data: .byteBuffer(data), endStream: true)))
            } else {
                write(.headers(.init(headers: head, endStream: true)))
            }
        } else {
            let data = pendingData ?? ByteBuffer()
            pendingData = nil
            write(.data(.init(data: .byteBuffer(data), endStream: true)))
        }
    }

    private func writePending() {
        if let head = pendingHead {
            pendingHead = nil
            write(.headers(.init(headers: head)))
        }
        if let data = pendingData {
            pendingData = nil
            write(.data(.init(data: .byteBuffer(data))))
        }
    }

    private func write(_ payload: HTTP2Frame.FramePayload) {
        guard let context else { return }
        context.write(wrapOutboundOut(payload), promise: nil)
        needsFlush = true
    }
}

extension HTTP2StreamHandler: LoopConnection {
    func checkTimeouts(now: UInt64) {
        guard let exchange, !exchange.isOver else { return }
        core.checkTimeouts(exchange, now: now,
                           clientTimeout: UInt64(max(core.listener.clientTimeout, 1)) * 1_000_000_000)
    }

    /// The connection handles a graceful stop (GOAWAY); its streams finish.
    func closeWhenIdle() {}

    func abort() {
        guard let context else { return }
        end()
        context.close(promise: nil)
    }
}
