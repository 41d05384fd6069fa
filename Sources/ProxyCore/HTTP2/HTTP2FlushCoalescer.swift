import NIOCore

/// Sits between TLS and HTTP/2 and turns the flushes of one loop tick into one.
/// Every stream that answers flushes the connection; uncoalesced, each response
/// became its own TLS record and `write(2)` (and a wake-up of the client), where
/// one record can carry all the frames a tick produced. NIO runs `execute` tasks
/// right after the I/O events of a tick.
final class HTTP2FlushCoalescer: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = ByteBuffer

    private var scheduled = false

    func flush(context: ChannelHandlerContext) {
        guard !scheduled else { return }
        scheduled = true
        context.eventLoop.assumeIsolated().execute {
            guard self.scheduled else { return }
            self.scheduled = false
            context.flush()
        }
    }

    /// What is written goes out before the connection closes (a GOAWAY does not
    /// wait for the end of the tick: the close would come first).
    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        if scheduled {
            scheduled = false
            context.flush()
        }
        context.close(mode: mode, promise: promise)
    }
}
