/// The outcome of looking at the start of a byte stream for a message head.
public enum HeadParseResult<Head> {
    /// More bytes are needed; nothing in the buffer is wrong so far.
    case incomplete
    /// `headLength` bytes (leading empty lines, start line, fields and the empty line
    /// that ends the head) form `Head`; what follows is body or the next message.
    case complete(Head, headLength: Int)
    case failure(HTTPWireError)
}

extension HeadParseResult: Sendable where Head: Sendable {}
extension HeadParseResult: Equatable where Head: Equatable {}
