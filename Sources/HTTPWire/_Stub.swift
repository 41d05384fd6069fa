public struct RequestLimits: Sendable { public var maxLineLength: Int; public var maxURILength: Int?; public var maxHeaderCount: Int?
  public init(maxLineLength: Int, maxURILength: Int?, maxHeaderCount: Int?) { self.maxLineLength = maxLineLength; self.maxURILength = maxURILength; self.maxHeaderCount = maxHeaderCount } }
public enum HeadParseResult<Head> { case incomplete; case complete(Head, headLength: Int); case failure(HTTPWireError) }
public enum HTTPHeadParser {
  public static func parseRequest(_ bytes: UnsafeRawBufferPointer, limits: RequestLimits) -> HeadParseResult<HTTPRequestHead> { .incomplete }
  public static func parseResponse(_ bytes: UnsafeRawBufferPointer, maxLineLength: Int) -> HeadParseResult<HTTPResponseHead> { .incomplete }
}
public struct HTTPWireError: Error, Sendable, Hashable { public var status: Int; public var reason: String }
public enum BodyFraming: Sendable, Hashable { case none; case contentLength(UInt64); case chunked; case untilClose }
public enum MessageFraming {
  public static func request(_ head: HTTPRequestHead) -> Result<BodyFraming, HTTPWireError> { .success(.none) }
  public static func response(_ head: HTTPResponseHead, requestMethod: String) -> Result<BodyFraming, HTTPWireError> { .success(.none) }
}
public struct BodyDecoder: Sendable {
  public init(framing: BodyFraming, limit: UInt64?) {}
  public mutating func consume(_ bytes: UnsafeRawBufferPointer) -> Result<BodyProgress, HTTPWireError> { .success(BodyProgress(bodyBytes: 0, finished: true)) }
  public mutating func finishAtEOF() -> Result<Void, HTTPWireError> { .success(()) }
  public var isComplete: Bool { true }
}
public struct BodyProgress: Sendable, Hashable { public var bodyBytes: Int; public var finished: Bool }
extension HTTPRequestHead { public var keepAlive: Bool { true }; public var expectsContinue: Bool { false }; public var isUpgrade: Bool { false }; public func serialized() -> [UInt8] { [] } }
extension HTTPResponseHead { public var keepAlive: Bool { true }; public var isInformational: Bool { false }; public func serialized() -> [UInt8] { [] } }
