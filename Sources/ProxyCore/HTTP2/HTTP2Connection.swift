import NIOCore
import NIOHTTP2
import PoundConfig

/// Turns a client connection into an HTTP/2 one: swift-nio-http2's handler (framing,
/// HPACK, flow control, the protocol's DoS guards) with the listener's limits, its
/// connection manager (idle timeout, graceful GOAWAY), and one `HTTP2StreamHandler`
/// per stream feeding the connection's exchange core.
enum HTTP2Connection {
    /// The client's first bytes on a cleartext HTTP/2 connection (RFC 9113 §3.4).
    static let preface: [UInt8] = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    /// Whether `bytes` begin with the preface: true, false, or nil while they are a
    /// shorter prefix of it.
    static func startsWithPreface(_ bytes: UnsafeRawBufferPointer) -> Bool? {
        let n = min(bytes.count, preface.count)
        for i in 0..<n where bytes[i] != preface[i] { return false }
        return n == preface.count ? true : nil
    }

    /// Adds the HTTP/2 handlers at the end of `channel`'s pipeline.
    static func configure(_ channel: Channel, core: ExchangeCore) throws {
        let listener = core.listener
        let limits = listener.listener.http2
        let manager = NIOHTTP2ServerConnectionManagementHandler(
            eventLoop: channel.eventLoop,
            configuration: .init(maxIdleTime: .seconds(Int64(max(listener.clientTimeout, 1))), maxAge: nil,
                                 maxGraceTime: nil, keepalive: nil))
        let bound = NIOLoopBound(core, eventLoop: channel.eventLoop)
        let handler = NIOHTTP2Handler(
            mode: .server, eventLoop: channel.eventLoop,
            connectionConfiguration: connectionConfiguration(limits),
            streamConfiguration: streamConfiguration(limits),
            streamDelegate: manager.http2StreamDelegate
        ) { stream in
            stream.eventLoop.makeCompletedFuture {
                try stream.syncOptions?.setOption(ChannelOptions.autoRead, value: false)
                try stream.pipeline.syncOperations.addHandler(HTTP2StreamHandler(core: bound.value))
            }
        }
        let operations = channel.pipeline.syncOperations
        try operations.addHandler(HTTP2FlushCoalescer())
        try operations.addHandler(handler)
        try operations.addHandler(manager)
        try operations.addHandler(HTTP2ConnectionHandler(core: core))
        // Back-pressure is HTTP/2's flow control now, per stream: the connection
        // itself reads whenever the kernel has bytes.
        try channel.syncOptions?.setOption(ChannelOptions.autoRead, value: true)
    }

    static func connectionConfiguration(_ limits: HTTP2Limits) -> NIOHTTP2Handler.ConnectionConfiguration {
        var c = NIOHTTP2Handler.ConnectionConfiguration()
        c.initialSettings = [
            HTTP2Setting(parameter: .maxConcurrentStreams, value: limits.maxConcurrentStreams),
            HTTP2Setting(parameter: .maxHeaderListSize, value: limits.maxHeaderListSize),
            HTTP2Setting(parameter: .initialWindowSize, value: limits.initialWindowSize),
        ]
        // Request blocks are checked as they are converted (`HTTP2Request`), and the
        // response blocks are ours.
        c.headerBlockValidation = .disabled
        c.maximumSequentialEmptyDataFrames = limits.maxEmptyDataFrames
        c.maximumSequentialContinuationFrames = limits.maxContinuations
        c.controlFrameRateLimit.maximumCount = limits.maxControlFrames
        c.controlFrameRateLimit.windowLength = .seconds(Int64(HTTP2Limits.rateWindowSeconds))
        c.targetWindowSize = max(limits.initialWindowSize, 65535)
        return c
    }

    static func streamConfiguration(_ limits: HTTP2Limits) -> NIOHTTP2Handler.StreamConfiguration {
        var s = NIOHTTP2Handler.StreamConfiguration()
        s.targetWindowSize = limits.initialWindowSize
        s.streamResetFrameRateLimit.maximumCount = limits.maxResets
        s.streamResetFrameRateLimit.windowLength = .seconds(Int64(HTTP2Limits.rateWindowSeconds))
        // Response bodies queue per stream up to this much before the stream stops
        // being writable, which stops reading from its backend.
        s.outboundBufferSizeHighWatermark = 256 * 1024
        s.outboundBufferSizeLowWatermark = 32 * 1024
        return s
    }
}

/// The end of an HTTP/2 connection's pipeline: the connection as the event loop's
/// sweep and graceful stop see it. Streams are served by their own handlers.
final class HTTP2ConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = HTTP2Frame

    private let core: ExchangeCore
    private var context: ChannelHandlerContext?

    init(core: ExchangeCore) {
        self.core = core
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        core.loop.register(self)
        core.env.openConnections.add(1, ordering: .relaxed)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        unregister()
    }

    func channelInactive(context: ChannelHandlerContext) {
        unregister()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Connection-level frames have been handled by the HTTP/2 handler.
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // A connection error: swift-nio-http2 has sent its GOAWAY.
        context.close(promise: nil)
    }

    private func unregister() {
        guard context != nil else { return }
        context = nil
        core.loop.unregister(self)
        core.env.openConnections.subtract(1, ordering: .relaxed)
    }
}

extension HTTP2ConnectionHandler: LoopConnection {
    /// Idle connections are the connection manager's (`Client` seconds without a
    /// stream); streams time out on their own.
    func checkTimeouts(now: UInt64) {}

    /// Graceful stop: GOAWAY, then the connection ends when its streams have.
    func closeWhenIdle() {
        guard let context else { return }
        // Sent from the HTTP/2 handler's place, so the connection manager sees it.
        if let h2 = try? context.pipeline.syncOperations.context(handlerType: NIOHTTP2Handler.self) {
            h2.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        } else {
            context.close(promise: nil)
        }
    }

    func abort() {
        guard let context else { return }
        unregister()
        context.close(promise: nil)
    }
}
