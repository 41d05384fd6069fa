/// Why a head or body was refused: the status Pound answers with and the text its log
/// line carries (Pound's own wording where it has one).
public struct HTTPWireError: Error, Sendable, Hashable, CustomStringConvertible {
    /// 400, 405, 413, 414, 501 for requests; 503 for what a backend sent (Pound's answer
    /// to every backend failure; its error pages have no 502).
    public var status: Int
    public var reason: String

    public init(status: Int, reason: String) {
        self.status = status
        self.reason = reason
    }

    public var description: String { "\(status) \(reason)" }

    static func badRequest(_ reason: String) -> HTTPWireError {
        HTTPWireError(status: 400, reason: reason)
    }

    static func payloadTooLarge(_ reason: String) -> HTTPWireError {
        HTTPWireError(status: 413, reason: reason)
    }

    static func badResponse(_ reason: String) -> HTTPWireError {
        HTTPWireError(status: 503, reason: reason)
    }
}
