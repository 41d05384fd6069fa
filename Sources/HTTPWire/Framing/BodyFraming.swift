/// How the end of a message body is found.
public enum BodyFraming: Sendable, Hashable {
    /// No body: the next bytes are the next message.
    case none
    /// Exactly this many bytes (0 is possible and means no body bytes).
    case contentLength(UInt64)
    /// `Transfer-Encoding: ... chunked`: chunks, the last chunk, trailers, an empty line.
    case chunked
    /// Everything until the peer closes (responses only); the connection cannot be reused.
    case untilClose
}
