import HTTPWire
import PoundConfig
import PoundRegex
import Routing

/// What a client connection needs to know about its listener, computed once at
/// start-up so the request path only reads immutable values.
final class ListenerRuntime: Sendable {
    let index: Int
    let listener: Listener
    let routing: ListenerRouting
    let info: ListenerInfo
    let limits: RequestLimits
    let localAddress: String
    let port: Int
    /// The request-log format in force (nil: LogLevel 0, no request log).
    let logFormat: LogFormat?

    init(index: Int, listener: Listener, routing: ListenerRouting, localAddress: String, port: Int,
         logFormat: LogFormat?) {
        self.index = index
        self.listener = listener
        self.routing = routing
        self.localAddress = localAddress
        self.port = port
        self.logFormat = logFormat
        self.info = ListenerInfo(index: index, name: listener.name, port: port, isHTTPS: listener.tls != nil)
        let groups = listener.allowedMethods
        let group = groups.contains(.msExtensions) ? 3 : groups.contains(.webDAV) ? 2 : groups.contains(.extended) ? 1 : 0
        self.limits = RequestLimits(maxLineLength: listener.lineBufferSize, maxURILength: listener.maxURILength ?? 0,
                                    maxHeaderCount: 0, allowedMethodGroup: group)
    }

    var clientTimeout: Int { listener.clientTimeout }

    func errorPage(_ status: Int) -> ErrorPage? { listener.errorFiles[status] }

    /// Pound's `LogLevel`: the listener's own, else the global one; a number selects
    /// the format with that index, a name the format so called.
    static func logFormat(for listener: Listener, config: PoundConfiguration) -> LogFormat? {
        let level = listener.logLevel ?? config.defaults.logLevel
        let formats = LogFormat.builtIn + config.logFormats.values.sorted { $0.index < $1.index }
        let format: LogFormat?
        switch level {
        case .number(let n): format = formats.first { $0.index == n }
        case .named(let name): format = formats.first { $0.name == name }
        }
        guard let format, !format.segments.isEmpty else { return nil }
        return format
    }
}
