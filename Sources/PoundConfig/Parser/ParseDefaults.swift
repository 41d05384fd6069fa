import PoundRegex

/// Values that statements read so far establish for the statements after them, as
/// Pound's `POUND_DEFAULTS`: e.g. a global `TimeOut` is the default of every backend
/// declared after it, and `RegexType` applies until the next `RegexType`.
public struct ParseDefaults: Sendable {
    public var logLevel: LogLevel = .number(1)
    public var clientTimeout = 10
    public var backendTimeout = 15
    public var webSocketTimeout = 600
    public var connectTimeout = 15
    /// Deprecated `IgnoreCase`: default case-insensitivity of URL-like conditions.
    public var ignoreCase = false
    public var regexType: PatternKind = .posix
    public var headerOptions: HeaderOptions = [.forwarded, .ssl]
    public var balancer: BalancerAlgorithm = .random
    public var lineBufferSize = 4096

    public init() {}
}

/// Built-in request headers (`HeaderOption`).
public struct HeaderOptions: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    /// X-Forwarded-For, X-Forwarded-Proto, X-Forwarded-Port.
    public static let forwarded = HeaderOptions(rawValue: 1)
    /// X-SSL-* on HTTPS listeners.
    public static let ssl = HeaderOptions(rawValue: 2)
}

/// `Balancer`: how a service picks among its backends.
public enum BalancerAlgorithm: Sendable, Hashable {
    /// Weighted random (Pound's default).
    case random
    /// Interleaved weighted round robin.
    case iwrr
    /// A loadable balancer module chosen by name (a Pounce extension).
    case module(String)
}

/// `LogLevel`: a built-in format number (0-5) or a `LogFormat` name.
public enum LogLevel: Sendable, Hashable {
    case number(Int)
    case named(String)
}
