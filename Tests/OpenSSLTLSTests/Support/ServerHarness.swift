import NIOCore
import NIOEmbedded
import OpenSSLTLS

/// Counts `read()` calls reaching the socket end of the pipeline.
final class ReadCounter: ChannelOutboundHandler {
    typealias OutboundIn = ByteBuffer
    var reads = 0

    func read(context: ChannelHandlerContext) {
        reads += 1
        context.read()
    }
}

/// Stands for the proxy engine above the TLS layer: records what it gets and,
/// like the engine, asks for more after each batch when `readsAgain` is set.
final class Recorder: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    var plaintext: [UInt8] = []
    var reads = 0
    var readCompletes = 0
    var handshakes: [TLSConnectionInfo] = []
    var otherEvents: [String] = []
    var inactive = false
    var readsAgain = true

    func channelActive(context: ChannelHandlerContext) {
        context.read()
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        reads += 1
        plaintext.append(contentsOf: buffer.readBytes(length: buffer.readableBytes) ?? [])
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        readCompletes += 1
        if readsAgain { context.read() }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSHandshakeCompleted {
            handshakes.append(event.info)
        } else {
            otherEvents.append("\(event)")
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        inactive = true
    }
}

/// A server-side pipeline (ReadCounter, TLSServerHandler, Recorder) on an
/// `EmbeddedChannel`, and the plumbing to a `TLSTestClient`.
final class ServerHarness {
    let channel: EmbeddedChannel
    let handler: TLSServerHandler
    let counter = ReadCounter()
    let recorder = Recorder()
    var errors: [String] = []
    /// Client bytes are delivered in reads of at most this size.
    var chunkSize = Int.max

    init(_ context: TLSServerContext) throws {
        channel = EmbeddedChannel()
        let box = ErrorBox()
        handler = TLSServerHandler(context: context) { box.messages.append($0) }
        errorBox = box
        try channel.pipeline.syncOperations.addHandlers([counter, handler, recorder])
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 443)).wait()
    }

    private let errorBox: ErrorBox
    var reportedErrors: [String] { errorBox.messages }

    /// Moves bytes both ways until neither side has anything more.
    func pump(_ client: TLSTestClient) throws {
        while true {
            var progressed = false
            let out = client.takeOutput()
            if !out.isEmpty, channel.isActive {
                var offset = 0
                while offset < out.count {
                    let end = min(out.count, offset + chunkSize)
                    try channel.writeInbound(ByteBuffer(bytes: out[offset..<end]))
                    offset = end
                }
                progressed = true
            }
            while let buffer = try channel.readOutbound(as: ByteBuffer.self) {
                client.feed(buffer)
                progressed = true
            }
            if !progressed { return }
        }
    }

    /// Runs the client's handshake to the end; true when the client completed it.
    @discardableResult
    func handshake(_ client: TLSTestClient) throws -> Bool {
        for _ in 0..<20 {
            guard let done = client.handshakeStep() else {
                try pump(client)
                return false
            }
            try pump(client)
            if done {
                client.readAvailable()
                try pump(client)
                return true
            }
        }
        return false
    }

    /// Client to server: sends `bytes`, then delivers them.
    func send(_ bytes: [UInt8], from client: TLSTestClient) throws {
        client.write(bytes)
        try pump(client)
    }

    /// Server to client: writes and flushes `bytes`, then lets the client read them.
    @discardableResult
    func reply(_ bytes: [UInt8], to client: TLSTestClient) throws -> EventLoopFuture<Void> {
        let future = channel.writeAndFlush(ByteBuffer(bytes: bytes))
        try pump(client)
        client.readAvailable()
        try pump(client)
        return future
    }
}

private final class ErrorBox {
    var messages: [String] = []
}
