import NIOCore
import Routing

/// Who currently owns a backend connection's events: the client exchange using it,
/// or the pool while it sits idle.
protocol BackendConnectionDelegate: AnyObject {
    func backendRead(_ connection: BackendConnection, _ data: ByteBuffer)
    func backendReadComplete(_ connection: BackendConnection)
    func backendWritabilityChanged(_ connection: BackendConnection)
    func backendClosed(_ connection: BackendConnection)
}

/// One TCP (or UNIX) connection to a backend server. Lives on a single event loop:
/// the one of the client that opened it, so relaying never hops threads.
final class BackendConnection {
    let channel: Channel
    let backend: BackendState
    /// Strong on purpose: a weak reference would put the delegate's every retain and
    /// release on the slow side-table path (measured: ~4% of CPU). The cycle through
    /// the client's exchange is broken when the connection is handed back or closed.
    var delegate: BackendConnectionDelegate?
    /// Requests already served on this connection; a failure on a reused connection
    /// before any response byte is a stale keep-alive, not a dead backend.
    var servedRequests = 0
    private(set) var isClosed = false
    fileprivate var readDemand = ReadDemand()

    /// The context of the channel's only handler: reads, writes and flushes go
    /// through it straight to the socket instead of entering the pipeline from the
    /// channel, which costs a measurable share per request.
    let context: ChannelHandlerContext

    init(channel: Channel, context: ChannelHandlerContext, backend: BackendState) {
        self.channel = channel
        self.context = context
        self.backend = backend
    }

    var isWritable: Bool { channel.isWritable }

    func read() {
        if !isClosed { readDemand.request(context) }
    }

    func write(_ buffer: ByteBuffer, flush: Bool) {
        guard !isClosed else { return }
        if flush {
            context.writeAndFlush(NIOAny(buffer), promise: nil)
        } else {
            context.write(NIOAny(buffer), promise: nil)
        }
    }

    func flush() {
        if !isClosed { context.flush() }
    }

    func close() {
        guard !isClosed else { return }
        isClosed = true
        delegate = nil
        channel.close(promise: nil)
    }

    fileprivate func closedByPeer() {
        isClosed = true
        let owner = delegate
        delegate = nil
        owner?.backendClosed(self)
    }
}

/// The pipeline's only handler on a backend channel: passes events to the owner.
final class BackendChannelHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    /// Strong for the same reason as `delegate`; released when the channel closes.
    var connection: BackendConnection?
    private(set) var context: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let connection else { return }
        connection.readDemand.answered()
        connection.delegate?.backendRead(connection, unwrapInboundIn(data))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        guard let connection else { return }
        connection.delegate?.backendReadComplete(connection)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        guard let connection else { return }
        connection.delegate?.backendWritabilityChanged(connection)
    }

    func channelInactive(context: ChannelHandlerContext) {
        let c = connection
        connection = nil
        c?.closedByPeer()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        connection = nil
        self.context = nil
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
