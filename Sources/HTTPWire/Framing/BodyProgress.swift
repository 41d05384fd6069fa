/// What `BodyDecoder.consume` found in the bytes it was shown.
public struct BodyProgress: Sendable, Hashable {
    /// How many bytes, from the start of those given, belong to the body (framing
    /// included). The rest, if any, is the next message.
    public var bodyBytes: Int
    /// The body ended within those bytes.
    public var finished: Bool
    /// How many of the last `bodyBytes` are held back rather than forwarded as they
    /// are: the trailer section of a request, which goes on filtered (`trailer`).
    public var heldBytes: Int
    /// Once `finished`: the trailer section to forward in place of the held bytes
    /// (its allowed fields and the final CRLF).
    public var trailer: [UInt8]?

    public init(bodyBytes: Int, finished: Bool, heldBytes: Int = 0, trailer: [UInt8]? = nil) {
        self.bodyBytes = bodyBytes
        self.finished = finished
        self.heldBytes = heldBytes
        self.trailer = trailer
    }

    /// The bytes to forward as they are, from the start of those given.
    public var forwardedBytes: Int { bodyBytes - heldBytes }
}
