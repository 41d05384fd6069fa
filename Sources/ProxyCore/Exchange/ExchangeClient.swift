import HTTPWire
import NIOCore

/// The client side of an exchange: what the exchange core needs from the protocol
/// the request came in on, an HTTP/1.x connection or one stream of an HTTP/2 one.
/// The core decides (routing, backends, rewriting, logging); the client side only
/// puts responses on its wire and reads request bytes when asked.
protocol ExchangeClient: AnyObject {
    /// Whether response bodies are wanted as the backend framed them (HTTP/1.x relays
    /// chunk framing untouched) or as their payload only (HTTP/2 frames it itself).
    var wantsFramedBody: Bool { get }
    /// The client can take more response bytes now (its socket or stream window).
    var isWritable: Bool { get }

    /// An informational (1xx) response other than 100 and 101.
    func sendInterim(_ head: HTTPResponseHead, for exchange: Exchange)
    /// `100 Continue`: the core answers a client's expectation itself once a
    /// backend is connected.
    func sendContinue(for exchange: Exchange)
    /// The response head as the rules left it, with the first body bytes when they
    /// came with it.
    func sendHead(_ head: HTTPResponseHead, body: ByteBuffer?, for exchange: Exchange)
    /// Response body bytes (framed or payload, as `wantsFramedBody` asked).
    func sendBody(_ bytes: ByteBuffer, for exchange: Exchange)
    /// The response's trailer fields, payload mode only (framed bodies carry theirs).
    func sendTrailers(_ fields: HTTPHeaders, for exchange: Exchange)
    /// A whole response Pounce made (an error page, a special backend), as HTTP/1.x
    /// bytes; `closing` when nothing may follow it on this client (an error).
    func sendLocal(_ bytes: ByteBuffer, for exchange: Exchange, closing: Bool)
    /// Pushes what was sent to the client.
    func flush()
    /// The response is complete and the exchange over (its backend connection is
    /// already released).
    func exchangeFinished(_ exchange: Exchange)
    /// The exchange cannot go on (a truncated or unrelayable response): the client
    /// must see it fail, not a silently short message.
    func abort(_ exchange: Exchange)
    /// The backend can take more request body: read more from the client.
    func readRequestBody(for exchange: Exchange)
    /// A 101 answer to an upgrade request: the client becomes a tunnel to `connection`.
    func upgrade(_ exchange: Exchange, head: HTTPResponseHead, rest: ByteBuffer, connection: BackendConnection)
}
