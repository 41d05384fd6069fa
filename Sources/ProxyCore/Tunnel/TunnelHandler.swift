import NIOCore
import NIOPosix
import PoundConfig
import Routing

/// A `Tunnel` listener's connection: bytes relayed both ways to its single backend,
/// with no HTTP processing. Reads are explicit on both sides, so each direction
/// moves only as fast as the other side accepts.
final class TunnelHandler: ChannelInboundHandler, BackendConnectionDelegate, LoopConnection {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let backend: BackendState
    private let target: BackendTarget
    private let env: ProxyEnvironment
    private let loop: LoopContext
    private var context: ChannelHandlerContext?
    private var connection: BackendConnection?
    /// Client bytes that arrived before the backend connection was ready.
    private var pending: [ByteBuffer] = []
    private var lastActivity: UInt64 = 0
    private var closed = false

    init(backend: BackendState, target: BackendTarget, env: ProxyEnvironment, loop: LoopContext) {
        self.backend = backend
        self.target = target
        self.env = env
        self.loop = loop
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        env.openConnections.add(1, ordering: .relaxed)
        loop.register(self)
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
        // `Disabled 1` in the Tunnel's backend (or a disable through the control
        // interface): there is no backend to relay to, so the connection is closed.
        if backend.isDisabled {
            let client = ClientAddress(context.channel.remoteAddress)
            env.log.log(.notice, "(\(loop.threadTag)): \(client.text): no backend found")
            close()
            return
        }
        let connector = ClientBootstrap(group: context.eventLoop)
            .connectTimeout(.seconds(Int64(max(target.connectTimeout, 1))))
            .channelOption(ChannelOptions.autoRead, value: false)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(BackendChannelHandler())
                }
            }
        connector.connect(to: target.address).assumeIsolated().whenComplete { result in
            switch result {
            case .success(let channel):
                guard !self.closed, let connection = self.loop.pool.adopt(channel, backend: self.backend) else {
                    channel.close(promise: nil)
                    return
                }
                connection.delegate = self
                self.connection = connection
                for chunk in self.pending { connection.write(chunk, flush: false) }
                self.pending = []
                channel.flush()
                connection.read()
                self.context?.read()
                self.lastActivity = Clock.nowNanos()
            case .failure(let error):
                let client = ClientAddress(self.context?.channel.remoteAddress)
                self.env.log.log(.notice, "(\(self.loop.threadTag)): \(client.text): can't connect to backend \(self.backend.displayName): \(SystemErrorText.describe(error))")
                if self.backend.markDead() {
                    self.env.log.log(.notice, "(\(self.loop.threadTag)) Backend \(self.backend.displayName) dead (killed)")
                }
                self.close()
            }
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastActivity = Clock.nowNanos()
        let buffer = unwrapInboundIn(data)
        if let connection { connection.write(buffer, flush: false) } else { pending.append(buffer) }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        guard let connection else { return }
        connection.flush()
        if connection.isWritable { context.read() }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { connection?.read() }
    }

    /// The client finished sending: pass the half-close on; the relay ends when the
    /// backend closes its side.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let event = event as? ChannelEvent, event == .inputClosed else {
            return context.fireUserInboundEventTriggered(event)
        }
        if let connection {
            connection.channel.close(mode: .output, promise: nil)
        } else {
            close()
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        close()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        close()
    }

    func backendRead(_ connection: BackendConnection, _ data: ByteBuffer) {
        lastActivity = Clock.nowNanos()
        context?.write(wrapOutboundOut(data), promise: nil)
    }

    func backendReadComplete(_ connection: BackendConnection) {
        guard let context else { return }
        context.flush()
        if context.channel.isWritable { connection.read() }
    }

    func backendWritabilityChanged(_ connection: BackendConnection) {
        if connection.isWritable { context?.read() }
    }

    func backendClosed(_ connection: BackendConnection) {
        close()
    }

    /// The backend's `TimeOut` bounds idleness in either direction (Pound: "I/O time
    /// out in tunnel"); checked by the loop's sweep.
    func checkTimeouts(now: UInt64) {
        guard connection != nil else { return }
        let limit = UInt64(max(target.timeout, 1)) * 1_000_000_000
        if now &- lastActivity > limit {
            env.log.log(.error, "(\(loop.threadTag)) I/O time out in tunnel")
            close()
        }
    }

    /// A relay has no idle point; graceful shutdown lets it run until `Grace`.
    func closeWhenIdle() {}

    func abort() {
        guard !closed else { return }
        closed = true
        loop.unregister(self)
        env.openConnections.subtract(1, ordering: .relaxed)
        connection?.delegate = nil
        connection?.close()
        context?.close(promise: nil)
    }

    private func close() {
        guard !closed else { return }
        closed = true
        loop.unregister(self)
        env.openConnections.subtract(1, ordering: .relaxed)
        if let connection {
            connection.delegate = nil
            connection.close()
        }
        if let context {
            // What the backend sent last must reach the client before the close.
            let written = context.eventLoop.makePromise(of: Void.self)
            context.writeAndFlush(wrapOutboundOut(ByteBuffer()), promise: written)
            written.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }
}
