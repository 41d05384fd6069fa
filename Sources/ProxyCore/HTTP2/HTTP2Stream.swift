import HTTPWire
import NIOCore
import NIOHPACK
import NIOHTTP2

/// One HTTP/2 stream: its request becomes an exchange of the connection's core,
/// and the response goes back as HEADERS and DATA frames. The stream's receive
/// window is reopened only as fast as the backend takes the body, and the backend
/// is read only while the client's window for the stream is open.
final class HTTP2Stream {
    let id: HTTP2StreamID
    /// The connection owns its streams and outlives them.
    private unowned let connection: HTTP2ConnectionHandler
    private var core: ExchangeCore { connection.core }
    private var exchange: Exchange?
    private var isClosed = false
    /// The request body goes to the backend chunked (no content-length came).
    private var chunksBody = false
    private var requestBodyBytes: UInt64 = 0
    private var requestEnded = false
    /// Body bytes received and passed on but not yet given back to the client as
    /// window (WINDOW_UPDATE).
    private var unacknowledged = 0
    /// What the client lets us send on this stream, and what we have written.
    private var sendCredit: Int
    private var sent = 0
    /// What is held back to join the next frame: the response head (so a bodiless
    /// response is one HEADERS frame with END_STREAM) and the last DATA (so the end
    /// of the stream rides on it).
    private var pendingHead: HPACKHeaders?
    private var pendingData: ByteBuffer?
    private var responseEnded = false

    init(id: HTTP2StreamID, connection: HTTP2ConnectionHandler) {
        self.id = id
        self.connection = connection
        self.sendCredit = connection.initialSendWindow
    }

    /// The stream is over (both ends done, reset, or the connection gone): whatever
    /// is in progress is dropped.
    func closed() {
        guard !isClosed else { return }
        isClosed = true
        if let exchange { core.cancel(exchange) }
        exchange = nil
    }

    // MARK: request

    func begin(_ fields: HPACKHeaders, endStream: Bool) {
        requestEnded = endStream
        let request: HTTP2Request
        switch HTTP2Request.make(fields, endStream: endStream, combine: core.listener.combineHeaders) {
        case .failure(.malformed):
            return reset(.protocolError)
        case .failure(.unsupported(let head, let status, let message)):
            return reject(head, status: status, message: message)
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

    func receiveData(_ bytes: ByteBuffer, counted: Int, endStream end: Bool) {
        guard let exchange, !requestEnded else { return }
        exchange.lastClientActivity = Clock.nowNanos()
        unacknowledged += counted
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
        } else {
            acknowledge()
        }
    }

    func receiveTrailers(_ fields: HPACKHeaders, endStream: Bool) {
        guard let exchange, !requestEnded else { return }
        // Trailers end the stream; anything else after the head is malformed.
        guard endStream else { return reset(.protocolError) }
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

    /// Gives the client back the window its body used, once half of the stream's
    /// window is used and the backend can take more.
    private func acknowledge() {
        guard let exchange, !requestEnded, unacknowledged >= connection.limits.initialWindowSize / 2,
              core.wantsClientData(exchange) else { return }
        connection.write(HTTP2Frame(streamID: id, payload: .windowUpdate(windowSizeIncrement: unacknowledged)))
        unacknowledged = 0
    }

    private static let crlf = ByteBuffer(string: "\r\n")
    private static let lastChunk = ByteBuffer(string: "0\r\n\r\n")

    /// An error before anything was relayed: Pound's page and log lines.
    private func reject(_ head: HTTPRequestHead, status: Int, message: String) {
        let exchange = core.makeExchange(head, framing: .none, expectsContinue: false, client: self)
        self.exchange = exchange
        core.fail(exchange, status: status, message: message)
    }

    private func reset(_ code: HTTP2ErrorCode) {
        guard !isClosed else { return }
        write(.rstStream(code))
        connection.flush()
        closed()
    }

    // MARK: send window

    /// The client's WINDOW_UPDATE for this stream, or a change of its initial window.
    func credit(_ increment: Int) {
        let wasBlocked = sendCredit - sent <= 0
        sendCredit += increment
        if wasBlocked { resume() }
    }

    /// The client (or the connection) can take response bytes again.
    func resume() {
        guard let exchange, !exchange.isOver, isWritable else { return }
        core.clientWritable(exchange)
    }

    func checkTimeouts(now: UInt64) {
        guard let exchange, !exchange.isOver else { return }
        core.checkTimeouts(exchange, now: now)
    }
}

// MARK: response (ExchangeClient)

extension HTTP2Stream: ExchangeClient {
    var wantsFramedBody: Bool { false }

    var isWritable: Bool { sendCredit - sent > 0 && connection.isWritable }

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
        responseEnded = true
        write(.headers(.init(headers: HTTP2Response.trailers(fields), endStream: true)))
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
        connection.flush()
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

    /// The backend can take more body: outside a read from the client, so the window
    /// update is flushed here.
    func readRequestBody(for exchange: Exchange) {
        acknowledge()
        connection.flush()
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
        guard !isClosed else { return }
        if case .data(let data) = payload { sent += data.data.readableBytes }
        connection.write(HTTP2Frame(streamID: id, payload: payload))
    }
}
