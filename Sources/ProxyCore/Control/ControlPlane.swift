import OpenSSLTLS
import PoundConfig
import Routing
import VRRP
import Synchronization

/// The run-time objects the control interface shows and steers, in Pound's order:
/// the listeners with the `Control` socket's own listener where its statement
/// stands (the test harness puts it first: listener 0), then the global services.
/// Shared by every event loop; all it changes are atomics.
public final class ControlPlane: Sendable {
    /// One entry of Pound's listener list.
    public struct ListenerEntry: Sendable {
        /// Position in `config.listeners`; nil for the control socket's listener.
        public let configIndex: Int?
        public let name: String?
        /// Pound's `addr2str`: "host:port", "[v6]:port" or the socket path.
        public let address: String
        /// "http", "https" or "tunnel".
        public let `protocol`: String
        /// `NoHTTPS11` of an HTTPS listener (Pound's number).
        public let noHTTPS11: Int?
        /// The listener's own services (not the global ones).
        public let services: [RuntimeService]
        /// Its connection counters, shared with the listener's runtime.
        let counters = ListenerCounters()
        /// A backend of a tunnel listener reports protocol "tunnel".
        public var isTunnel: Bool { self.protocol == "tunnel" }
    }

    public let listeners: [ListenerEntry]
    public let globalServices: [RuntimeService]
    let workers: (min: Int, max: Int, timeout: Int)
    let globalLogLevel: LogLevel
    /// `BackendStats`: backends carry request statistics (their `stats` member).
    let backendStats: Bool
    let listenerLogLevels: [LogLevel?]
    private let disabledListeners: [DisabledFlag]
    /// CLOCK_MONOTONIC at start-up, for `uptime`.
    private let startNanos: UInt64
    private let failover = Mutex<(@Sendable () -> [VRRPStatus])?>(nil)
    private let certificateSource = Mutex<(@Sendable () -> [ManagedCertificateStatus])?>(nil)
    private let generationStatus = Mutex<GenerationStatus?>(nil)

    final class DisabledFlag: Sendable {
        let value: Atomic<Bool>
        init(_ v: Bool) { value = Atomic(v) }
    }

    /// `addresses[i]` is the bound address text of `config.listeners[i]`;
    /// `controlRouting` is the control socket's own routing (one service, one
    /// `Control` backend), nil without a `Control` statement.
    public init(config: PoundConfiguration, routing: RoutingTable, addresses: [String],
                controlRouting: ListenerRouting?) {
        var entries: [ListenerEntry] = []
        for (i, listener) in config.listeners.enumerated() where i < routing.listeners.count {
            let r = routing.listeners[i]
            let proto: String
            var noHTTPS11: Int?
            switch listener.kind {
            case .http: proto = "http"
            case .https(let tls):
                proto = "https"
                switch tls.noHTTPS11 {
                case .off: noHTTPS11 = 0
                case .always: noHTTPS11 = 1
                case .msieOnly: noHTTPS11 = 2
                }
            case .tunnel: proto = "tunnel"
            }
            entries.append(ListenerEntry(configIndex: i, name: listener.name,
                                         address: i < addresses.count ? addresses[i] : "",
                                         protocol: proto, noHTTPS11: noHTTPS11,
                                         services: Array(r.services.prefix(r.ownServiceCount))))
        }
        if let control = config.control, let controlRouting {
            let entry = ListenerEntry(configIndex: nil, name: nil, address: control.path, protocol: "http",
                                      noHTTPS11: nil, services: Array(controlRouting.services.prefix(1)))
            entries.insert(entry, at: Self.position(of: control.range, among: config.listeners))
        }
        self.listeners = entries
        self.globalServices = routing.globalServices
        self.workers = (config.workerMinCount, config.workerMaxCount, config.workerIdleTimeout)
        self.globalLogLevel = config.defaults.logLevel
        self.backendStats = config.backendStats
        self.listenerLogLevels = entries.map { $0.configIndex.flatMap { config.listeners[$0].logLevel } }
        self.disabledListeners = entries.map { _ in DisabledFlag(false) }
        self.startNanos = MonotonicClock().nanoseconds()
    }

    /// Pound appends the control listener to its list when it reads `Control`: it
    /// comes after the listeners declared before that statement.
    static func position(of range: LocusRange, among listeners: [Listener]) -> Int {
        listeners.filter { l in
            l.range.begin.file == range.begin.file && l.range.begin.line < range.begin.line
        }.count
    }

    /// Pound's position of configured listener `i` (the control listener shifts the later ones).
    public func poundIndex(ofConfigured i: Int) -> Int? {
        listeners.firstIndex { $0.configIndex == i }
    }

    public func isListenerDisabled(_ index: Int) -> Bool {
        listeners.indices.contains(index) && disabledListeners[index].value.load(ordering: .relaxed)
    }

    /// Whether connections accepted on `config.listeners[i]` are to be dropped
    /// (Pound closes them at once while the listener is disabled).
    /// The counters of `config.listeners[i]`, for its runtime to count into.
    func counters(ofConfigured i: Int) -> ListenerCounters? {
        poundIndex(ofConfigured: i).map { listeners[$0].counters }
    }

    public func isConfiguredListenerDisabled(_ i: Int) -> Bool {
        poundIndex(ofConfigured: i).map(isListenerDisabled) ?? false
    }

    func setListenerDisabled(_ index: Int, _ value: Bool) {
        guard listeners.indices.contains(index) else { return }
        disabledListeners[index].value.store(value, ordering: .relaxed)
    }

    /// The VRRP instances' state, from the high-availability side once it runs (none before).
    public func setFailoverStatus(_ provider: @escaping @Sendable () -> [VRRPStatus]) {
        failover.withLock { $0 = provider }
    }

    /// The `AutoCert` certificates' state, from the certificate manager (none without).
    public func setCertificateStatus(_ provider: @escaping @Sendable () -> [ManagedCertificateStatus]) {
        certificateSource.withLock { $0 = provider }
    }

    var certificateStatuses: [ManagedCertificateStatus] {
        certificateSource.withLock { $0 }?() ?? []
    }

    public func setGeneration(_ status: GenerationStatus) {
        generationStatus.withLock { $0 = status }
    }

    var generation: GenerationStatus? { generationStatus.withLock { $0 } }

    var failoverStatuses: [VRRPStatus] {
        failover.withLock { $0 }?() ?? []
    }

    var uptimeMicroseconds: UInt64 {
        (MonotonicClock().nanoseconds() &- startNanos) / 1000
    }
}
