/// A `Service` block: conditions that select it, request/response rewriting, and the
/// backends (or special backend) that answer its requests.
public struct Service: Sendable {
    public var name: String?
    public var range: LocusRange = .unset
    public var disabled = false
    public var condition = ConditionGroup()
    public var rewrite = RewriteRules()
    public var backends = ServiceBackends()
    public var session: SessionSettings?
    /// Pounce `HealthCheck "..."` in the service: the check of each server backend
    /// that has none of its own.
    public var healthCheck: HTTPHealthCheck?
    public var balancer: BalancerAlgorithm = .random
    public var rewriteErrors: Bool?
    public var forwardedHeader: String?
    public var trustedIPs: ACL?
    /// Status classes whose requests are not logged (`LogSuppress`).
    public var logSuppress: LogSuppressMask = []
    public var constants: [String: StringConstant] = [:]
    /// `ContentCapture`: bytes of request body buffered for Lua.
    public var contentCaptureSize: Int?

    public init() {}
}

/// `LogSuppress` classes.
public struct LogSuppressMask: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    public static let info = LogSuppressMask(rawValue: 1 << 1)
    public static let success = LogSuppressMask(rawValue: 1 << 2)
    public static let redirect = LogSuppressMask(rawValue: 1 << 3)
    public static let clientError = LogSuppressMask(rawValue: 1 << 4)
    public static let serverError = LogSuppressMask(rawValue: 1 << 5)
    public static let all: LogSuppressMask = [.info, .success, .redirect, .clientError, .serverError]
}
