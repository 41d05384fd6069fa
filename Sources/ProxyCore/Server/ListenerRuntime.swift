import HTTPWire
import PoundConfig
import PoundRegex
import RequestLog
import Routing
import Synchronization

/// What a client connection needs to know about its listener, computed once at
/// start-up so the request path only reads immutable values.
final class ListenerRuntime: Sendable {
    let index: Int
    let listener: Listener
    let routing: ListenerRouting
    /// The extension language (Lua) the listener's statements call, if any.
    let scripts: (any ScriptEngine)?
    let info: ListenerInfo
    let limits: RequestLimits
    let localAddress: String
    let port: Int
    /// `port` as X-Forwarded-Port carries it, made once.
    let portText: String
    /// The request log in force (its formatter is nil for LogLevel 0).
    let logger: RequestLogger
    let logListener: RequestLogListener
    /// `CombineHeaders`: headers whose repeated lines are joined into one.
    let combineHeaders: [String]
    /// `%a`: where the client address is read from, and whom to believe there
    /// (`ForwardedHeader`, `TrustedIP`; a service's own settings win).
    let forwardedHeader: String
    let trustedIPs: ACL?
    /// `HeaderOption ssl` on an HTTPS listener.
    let addsSSLHeaders: Bool
    /// `ClientCert 1-3`: a client certificate is asked for and passed on in X-SSL-*.
    let passesClientCertificate: Bool
    /// Shared with the control interface, which shows them.
    let counters: ListenerCounters

    init(index: Int, listener: Listener, routing: ListenerRouting, localAddress: String, port: Int,
         logger: RequestLogger, config: PoundConfiguration = PoundConfiguration(),
         scripts: (any ScriptEngine)? = nil, counters: ListenerCounters = ListenerCounters()) {
        self.counters = counters
        self.scripts = scripts
        self.combineHeaders = config.combineHeaders
        self.forwardedHeader = listener.forwardedHeader ?? config.forwardedHeader ?? "X-Forwarded-For"
        self.trustedIPs = listener.trustedIPs ?? config.trustedIPs
        self.index = index
        self.addsSSLHeaders = listener.tls != nil && listener.headerOptions.contains(.ssl)
        switch listener.tls?.clientCertificate {
        case .optional?, .required?, .unverified?: self.passesClientCertificate = true
        case .none?, nil: self.passesClientCertificate = false
        }
        self.listener = listener
        self.routing = routing
        self.localAddress = localAddress
        self.port = port
        self.portText = String(port)
        self.logger = logger
        self.logListener = RequestLogListener(name: listener.name, location: listener.range.description,
                                              address: localAddress, port: port > 0 ? String(port) : nil)
        self.info = ListenerInfo(index: index, name: listener.name, port: port, isHTTPS: listener.tls != nil)
        let groups = listener.allowedMethods
        let group = groups.contains(.msExtensions) ? 3 : groups.contains(.webDAV) ? 2 : groups.contains(.extended) ? 1 : 0
        self.limits = RequestLimits(maxLineLength: listener.lineBufferSize, maxURILength: listener.maxURILength ?? 0,
                                    maxHeaderCount: 0, allowedMethodGroup: group)
    }

    var clientTimeout: Int { listener.clientTimeout }

    /// `Client` as it is applied: at least a second, for an idle connection, a
    /// handshake, a request body.
    var clientTimeoutNanos: UInt64 { UInt64(max(clientTimeout, 1)) * 1_000_000_000 }

    func errorPage(_ status: Int) -> ErrorPage? { listener.errorFiles[status] }

    /// `NoHTTPS11` (Pound's `force_http_10`): on HTTPS, one request per connection,
    /// for every client (1) or for MSIE (2).
    func servesOneRequest(_ head: HTTPRequestHead) -> Bool {
        switch listener.tls?.noHTTPS11 {
        case .always?: true
        case .msieOnly?: head.headers.first("User-Agent")?.contains("MSIE") ?? false
        case .off?, nil: false
        }
    }
}
