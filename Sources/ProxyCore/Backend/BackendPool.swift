import NIOCore
import NIOPosix
import Routing

/// Idle backend connections of one event loop, reused across client connections
/// (Pound opens one backend connection per client connection; we keep them).
final class BackendPool: BackendConnectionDelegate {
    let eventLoop: EventLoop
    /// The loop's `(tid)` in diagnostics (TLS failures of backend connections).
    private let threadTag: String
    private var state = BackendPoolState<BackendConnection>(maxIdlePerBackend: 1024)

    init(eventLoop: EventLoop, threadTag: String) {
        self.eventLoop = eventLoop
        self.threadTag = threadTag
    }

    enum Lease {
        case ready(BackendConnection)
        /// A new connection is on its way; `adopt` turns the channel into a connection.
        case connecting(EventLoopFuture<Channel>)
    }

    func lease(_ backend: BackendState, target: BackendTarget) -> Lease {
        let key = ObjectIdentifier(backend)
        while case .reuse(let c) = state.lease(backend: key) {
            // `isClosed` is set from channelInactive; asking the channel again would
            // cost a trip through NIO's lifecycle state per request.
            if !c.isClosed { return .ready(c) }
            c.close()
        }
        return .connecting(connect(backend, target: target))
    }

    /// Hands a connection back after an exchange; `reusable` is false when the
    /// backend said close, spoke HTTP/1.0, or the exchange ended abnormally.
    func release(_ connection: BackendConnection, reusable: Bool) {
        let closing = !reusable || connection.isClosed || connection.backend.isRetired
        switch state.release(connection, backend: ObjectIdentifier(connection.backend), closing: closing) {
        case .park:
            connection.delegate = self
            // Keep reading so a close from the backend is noticed while idle.
            connection.read()
        case .close:
            connection.delegate = nil
            connection.close()
        }
    }

    /// Closes the idle connections to a backend DNS took away.
    func closeIdle(_ backend: BackendState) {
        for c in state.drain(backend: ObjectIdentifier(backend)) {
            c.delegate = nil
            c.close()
        }
    }

    func closeAll() {
        for c in state.drain() {
            c.delegate = nil
            c.close()
        }
    }

    /// Wraps a freshly connected channel (on this loop) for `backend`.
    func adopt(_ channel: Channel, backend: BackendState) -> BackendConnection? {
        guard let handler = try? channel.pipeline.syncOperations.handler(type: BackendChannelHandler.self),
              let context = handler.context else {
            channel.close(promise: nil)
            return nil
        }
        let connection = BackendConnection(channel: channel, context: context, backend: backend)
        handler.connection = connection
        return connection
    }

    /// The future completes once TCP is connected; for an HTTPS backend the
    /// handshake follows, and what the exchange writes meanwhile waits for it.
    private func connect(_ backend: BackendState, target: BackendTarget) -> EventLoopFuture<Channel> {
        let tls = target.tls
        let threadTag = self.threadTag
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(.seconds(Int64(max(target.connectTimeout, 1))))
            .channelOption(ChannelOptions.autoRead, value: false)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    // Below the connection's handler, so what it reads and writes
                    // through its context is plaintext.
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(tls.handler(threadTag: threadTag))
                    }
                    try channel.pipeline.syncOperations.addHandler(BackendChannelHandler())
                }
            }
        let bootstrapWithOptions = target.isInet
            ? bootstrap.channelOption(ChannelOptions.tcpOption(.tcp_nodelay), value: 1)
            : bootstrap
        return bootstrapWithOptions.connect(to: target.address)
    }

    // MARK: idle connections' events

    func backendRead(_ connection: BackendConnection, _ data: ByteBuffer) {
        // Nothing may arrive on an idle connection: the backend is confused.
        drop(connection)
    }

    func backendReadComplete(_ connection: BackendConnection) {
        connection.read()
    }

    func backendWritabilityChanged(_ connection: BackendConnection) {}

    func backendClosed(_ connection: BackendConnection) {
        state.remove(connection, backend: ObjectIdentifier(connection.backend))
    }

    private func drop(_ connection: BackendConnection) {
        state.remove(connection, backend: ObjectIdentifier(connection.backend))
        connection.delegate = nil
        connection.close()
    }
}

/// Where and how to connect to one backend, resolved once at start-up.
struct BackendTarget: Sendable {
    let address: SocketAddress
    let connectTimeout: Int
    /// Response timeout (`TimeOut`), seconds.
    let timeout: Int
    /// `WSTimeOut`, seconds.
    let webSocketTimeout: Int
    /// `HTTPS`: TLS to the backend; nil for plain HTTP.
    let tls: BackendTLS?

    var isInet: Bool {
        switch address {
        case .v4, .v6: true
        default: false
        }
    }
}
