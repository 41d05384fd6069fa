import NIOCore
import NIOHTTP2
import PoundConfig

/// The end of an HTTP/2 connection's pipeline: takes swift-nio-http2's frames and
/// events and serves each stream through an `HTTP2Stream`. Without a multiplexer
/// the windows are ours to open: the connection's as data arrives, a stream's only
/// as fast as its backend takes the body. The connection is what the event loop's
/// sweep and graceful stop see.
final class HTTP2ConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = HTTP2Frame
    typealias OutboundOut = HTTP2Frame

    let core: ExchangeCore
    var limits: HTTP2Limits { core.listener.listener.http2 }
    private var context: ChannelHandlerContext?
    private var streams: [HTTP2StreamID: HTTP2Stream] = [:]
    private var needsFlush = false

    /// The connection's receive window: what we let the client send on all streams
    /// together. Reopened whenever half of it has been used; a stream's own window
    /// is what holds a slow upload back.
    static let connectionWindow = 1 << 20
    private var connectionUnacknowledged = 0
    private var connectionWindowOpened = false
    /// What the client lets us send on a new stream (its SETTINGS_INITIAL_WINDOW_SIZE).
    /// Each stream then counts its credit from the client's WINDOW_UPDATEs and what it
    /// writes: swift-nio-http2 holds DATA beyond the window in a queue of its own, so
    /// its window alone would not say how much is waiting.
    private(set) var initialSendWindow = 65535
    /// The connection's send window as swift-nio-http2 reports it: at 0, what the
    /// streams write waits in its queue, so no stream reads its backend.
    private var connectionSendWindow = 65535
    /// Since when the connection has had no stream (0 while it has one): `Client`
    /// seconds of that end it, with a GOAWAY saying nothing went wrong.
    private var idleSince: UInt64 = 0
    /// The newest stream the client opened: what a GOAWAY promises to finish.
    private var lastStreamID = HTTP2StreamID.rootStream
    /// A GOAWAY went out: no new streams, and the connection ends with its last one.
    private var goingAway = false

    init(core: ExchangeCore) {
        self.core = core
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        idleSince = Clock.nowNanos()
        core.loop.register(self)
        core.env.openConnections.add(1, ordering: .relaxed)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        end()
    }

    func channelInactive(context: ChannelHandlerContext) {
        end()
        context.fireChannelInactive()
    }

    private func end() {
        guard context != nil else { return }
        context = nil
        for stream in streams.values { stream.closed() }
        streams.removeAll()
        core.loop.unregister(self)
        core.env.openConnections.subtract(1, ordering: .relaxed)
    }

    // MARK: inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        if !connectionWindowOpened {
            // RFC 9113 starts the connection window at 65,535 bytes whatever SETTINGS
            // say; widened once the client's preface is in.
            connectionWindowOpened = true
            write(HTTP2Frame(streamID: .rootStream,
                             payload: .windowUpdate(windowSizeIncrement: Self.connectionWindow - 65535)))
        }
        switch frame.payload {
        case .headers(let headers):
            if let stream = streams[frame.streamID] {
                stream.receiveTrailers(headers.headers, endStream: headers.endStream)
            } else if goingAway {
                // Opened after our GOAWAY: not served, so the client may retry it.
                write(HTTP2Frame(streamID: frame.streamID, payload: .rstStream(.refusedStream)))
            } else {
                let stream = HTTP2Stream(id: frame.streamID, connection: self)
                streams[frame.streamID] = stream
                idleSince = 0
                lastStreamID = max(lastStreamID, frame.streamID)
                stream.begin(headers.headers, endStream: headers.endStream)
            }
        case .data(let data):
            guard case .byteBuffer(let bytes) = data.data else { return }
            let counted = bytes.readableBytes + (data.paddingBytes ?? 0)
            connectionUnacknowledged += counted
            if connectionUnacknowledged >= Self.connectionWindow / 2 {
                write(HTTP2Frame(streamID: .rootStream,
                                 payload: .windowUpdate(windowSizeIncrement: connectionUnacknowledged)))
                connectionUnacknowledged = 0
            }
            streams[frame.streamID]?.receiveData(bytes, counted: counted, endStream: data.endStream)
        case .windowUpdate(let increment):
            streams[frame.streamID]?.credit(increment)
        case .settings(.settings(let settings)):
            // The client's SETTINGS_INITIAL_WINDOW_SIZE moves every stream's credit
            // by the change (RFC 9113 §6.9.2).
            for setting in settings where setting.parameter == .initialWindowSize {
                let delta = setting.value - initialSendWindow
                initialSendWindow = setting.value
                for stream in streams.values { stream.credit(delta) }
            }
        default:
            // Resets arrive as StreamClosedEvent; the rest is the connection's.
            break
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        core.flushBackends()
        flush()
        context.fireChannelReadComplete()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // Every stream brings several events: comparing the type first spares a
        // dynamic cast (~300 instructions) for each one that is of neither kind.
        let kind = ObjectIdentifier(type(of: event))
        if kind == Self.streamClosed, let closed = event as? StreamClosedEvent {
            streamEnded(closed.streamID)
        } else if kind == Self.windowUpdated, let window = event as? NIOHTTP2WindowUpdatedEvent,
                  window.streamID == .rootStream, let size = window.outboundWindowSize {
            let reopened = connectionSendWindow <= 0 && size > 0
            connectionSendWindow = size
            if reopened { resumeAll() }
        }
        context.fireUserInboundEventTriggered(event)
    }

    private static let streamClosed = ObjectIdentifier(StreamClosedEvent.self)
    private static let windowUpdated = ObjectIdentifier(NIOHTTP2WindowUpdatedEvent.self)

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { resumeAll() }
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // A stream error has been answered with RST_STREAM by swift-nio-http2 and
        // ends that stream only; anything else ends the connection (after its GOAWAY).
        if let streamError = error as? NIOHTTP2Errors.StreamError {
            streamEnded(streamError.streamID)
            return
        }
        context.close(promise: nil)
    }

    private func streamEnded(_ id: HTTP2StreamID) {
        streams.removeValue(forKey: id)?.closed()
        guard streams.isEmpty else { return }
        idleSince = Clock.nowNanos()
        if goingAway, let context {
            // At the end of the tick: the last stream's final frames may still be on
            // their way down (this event can come while they are being flushed), and
            // a close would drop what is not flushed yet.
            context.eventLoop.assumeIsolated().execute {
                self.flush()
                self.context?.close(promise: nil)
            }
        }
    }

    /// GOAWAY (NO_ERROR) naming the last stream that will be served.
    private func goAway() {
        guard !goingAway else { return }
        goingAway = true
        write(HTTP2Frame(streamID: .rootStream,
                         payload: .goAway(lastStreamID: lastStreamID, errorCode: .noError, opaqueData: nil)))
        flush()
    }

    private func resumeAll() {
        for stream in streams.values { stream.resume() }
    }

    // MARK: outbound, for the streams

    var isWritable: Bool { connectionSendWindow > 0 && (context?.channel.isWritable ?? false) }

    func write(_ frame: HTTP2Frame) {
        guard let context else { return }
        context.write(wrapOutboundOut(frame), promise: nil)
        needsFlush = true
    }

    func flush() {
        guard needsFlush, let context else { return }
        needsFlush = false
        context.flush()
    }

}

extension HTTP2ConnectionHandler: LoopConnection {
    /// `Client` seconds without a stream end the connection; each stream's exchange
    /// has its own timeouts.
    func checkTimeouts(now: UInt64) {
        guard !streams.isEmpty else {
            if idleSince > 0, now &- idleSince >= core.listener.clientTimeoutNanos, let context {
                goAway()
                context.close(promise: nil)
            }
            return
        }
        for stream in Array(streams.values) { stream.checkTimeouts(now: now) }
    }

    /// Graceful stop: GOAWAY, then the connection ends when its streams have.
    func closeWhenIdle() {
        guard let context else { return }
        goAway()
        if streams.isEmpty { context.close(promise: nil) }
    }

    func abort() {
        guard let context else { return }
        end()
        context.close(promise: nil)
    }
}
