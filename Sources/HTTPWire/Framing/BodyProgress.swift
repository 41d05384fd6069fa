/// What `BodyDecoder.consume` found in the bytes it was shown.
public struct BodyProgress: Sendable, Hashable {
    /// How many bytes, from the start of those given, belong to the body (framing
    /// included). The rest, if any, is the next message.
    public var bodyBytes: Int
    /// The body ended within those bytes.
    public var finished: Bool

    public init(bodyBytes: Int, finished: Bool) {
        self.bodyBytes = bodyBytes
        self.finished = finished
    }
}
