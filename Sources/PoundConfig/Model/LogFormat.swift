/// A request-log format (`LogFormat "name" "format"`, or one of the six built-in ones),
/// compiled into segments so the logger never re-parses the format string.
public struct LogFormat: Sendable, Hashable {
    public var name: String
    /// Position in Pound's format table: `LogLevel N` selects the format with index N
    /// (0-5 are the built-in formats, user formats follow in declaration order).
    public var index: Int
    public var source: String
    public var segments: [LogFormatSegment]

    public init(name: String, index: Int, source: String, segments: [LogFormatSegment]) {
        self.name = name
        self.index = index
        self.source = source
        self.segments = segments
    }
}

/// One piece of a compiled log format.
public enum LogFormatSegment: Sendable, Hashable {
    case literal(String)
    /// `%a`: client address, honouring `X-Forwarded-For` from trusted proxies.
    case clientAddress
    /// `%h`: the peer address of the connection.
    case remoteAddress
    /// `%A`: the listener's local address.
    case localAddress
    /// `%B` (0 when empty) or `%b` (`-` when empty, CLF).
    case responseSize(clf: Bool)
    /// `%D`, `%T`, `%{UNIT}T`: time taken to serve the request.
    case processingTime(TimeUnit)
    /// `%H`: request protocol.
    case proto
    /// `%{NAME}i` or (CLF, `-` when absent) `%{NAME}I`.
    case requestHeader(String, clf: Bool)
    /// `%l`: remote logname, always `-`.
    case remoteLogName
    /// `%{backend|service|listener}N`.
    case objectName(PoundObject)
    /// `%{backend|service|listener}L`: the object's location in the configuration.
    case objectLocation(PoundObject)
    /// `%m`
    case method
    /// `%p`: the listener's port.
    case listenerPort
    /// `%P`: thread id.
    case threadID
    /// `%q`: `?query` or empty.
    case query
    /// `%r`: the request line.
    case requestLine
    /// `%s` (the code) or `%>s`/`%{...}s` (the whole response status line).
    case status(fullLine: Bool)
    /// `%t`, `%{[begin:|end:]FORMAT}t`.
    case time(TimeFormat, atEnd: Bool)
    /// `%u`: user name from Basic authorization.
    case userName
    /// `%U`: URL path without query.
    case urlPath
    /// `%v`: virtual host (Host header without port, else the listener address).
    case serverName

    public enum TimeUnit: Sendable, Hashable { case seconds, secondsWithFraction, milliseconds, microseconds }
    public enum PoundObject: String, Sendable, Hashable { case backend, service, listener }
    public enum TimeFormat: Sendable, Hashable {
        /// `[%d/%b/%Y:%H:%M:%S %z]`
        case common
        /// A strftime(3) format.
        case strftime(String)
        case epochSeconds, epochMilliseconds, epochMicroseconds, millisecondFraction, microsecondFraction
    }
}
