import NIOCore

/// Whether this handler has asked its channel for a read that no data has answered
/// yet. NIO would ignore a second request, but only after a walk down the pipeline
/// and its own checks; a request exchange asks from several places (its head read,
/// the body it wants, the end of the exchange, the pool taking a connection back),
/// three of them redundant on every keep-alive request.
///
/// Mirrors NIO's own `readPending`, which the channel clears just before it passes
/// bytes on: `answered()` belongs at the top of `channelRead`. A TLS handler below
/// keeps reading by itself until it has plaintext to pass up, so the mirror holds
/// there too.
struct ReadDemand {
    private(set) var outstanding = false

    mutating func request(_ context: ChannelHandlerContext) {
        guard !outstanding else { return }
        outstanding = true
        context.read()
    }

    mutating func answered() {
        outstanding = false
    }
}
