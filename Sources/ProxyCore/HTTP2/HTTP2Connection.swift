import NIOCore
import NIOHTTP2
import PoundConfig

/// Turns a client connection into an HTTP/2 one: swift-nio-http2's handler (framing,
/// HPACK, flow-control accounting, the protocol's DoS guards) with the listener's
/// limits, and the `HTTP2ConnectionHandler` whose streams feed the connection's
/// exchange core (and which ends an idle connection and stops gracefully with GOAWAY:
/// swift-nio-http2's connection manager did that at about 6,000 instructions a
/// request, casting every stream event against six kinds).
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
        // Without a stream multiplexer: frames come to `HTTP2ConnectionHandler`, which
        // serves each stream itself. A child channel per stream cost about a quarter
        // of an HTTP/2 request's instructions (its pipeline built and torn down).
        let handler = NIOHTTP2Handler(mode: .server, connectionConfiguration: connectionConfiguration(limits),
                                      streamConfiguration: streamConfiguration(limits))
        let operations = channel.pipeline.syncOperations
        try operations.addHandler(HTTP2FlushCoalescer())
        try operations.addHandler(handler)
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
        return c
    }

    static func streamConfiguration(_ limits: HTTP2Limits) -> NIOHTTP2Handler.StreamConfiguration {
        var s = NIOHTTP2Handler.StreamConfiguration()
        s.streamResetFrameRateLimit.maximumCount = limits.maxResets
        s.streamResetFrameRateLimit.windowLength = .seconds(Int64(HTTP2Limits.rateWindowSeconds))
        return s
    }
}
