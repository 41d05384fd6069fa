import Synchronization
import PoundConfig

/// A backend of a service with its run-time state. Alive/disabled are atomics read
/// by every balancing decision and written by the engine (connect failures, the
/// Alive timer, the control interface).
public final class BackendState: Sendable {
    public let backend: Backend
    /// Position in its service: normal backends first, then the Emergency ones.
    public let index: Int
    public let isEmergency: Bool
    /// Set for the implicit backend of an `ACME "dir"` challenge service: answer
    /// from this directory with the file named by `$1` of the service's URL match.
    /// Its `backend` is a `sendFile` placeholder.
    public let acmeDirectory: String?
    /// `%{backend}N` and the "Backend ADDR dead (killed)" text.
    public let displayName: String
    /// A `LuaBackend`'s function and arguments, resolved at start-up.
    public let script: ScriptCall?

    /// Request count and timing, kept when `BackendStats` is on.
    public let statistics = BackendStatistics()

    private let alive = Atomic<Bool>(true)
    private let disabled: Atomic<Bool>

    init(backend: Backend, index: Int, isEmergency: Bool, acmeDirectory: String? = nil, script: ScriptCall? = nil) {
        self.script = script
        self.backend = backend
        self.index = index
        self.isEmergency = isEmergency
        self.acmeDirectory = acmeDirectory
        self.disabled = Atomic(backend.disabled)
        self.displayName = acmeDirectory != nil ? "acme" : BackendState.describe(backend)
    }

    /// The resolved address of a server backend (nil for special backends).
    public var address: BackendAddress? {
        if case .regular(let server) = backend.kind { return server.address }
        return nil
    }

    /// A server backend (Pound's BE_REGULAR): the only kind that can die.
    public var isServer: Bool {
        if case .regular = backend.kind { return true }
        return false
    }

    /// Pound's `backend_is_alive`: special backends are always alive.
    public var isAlive: Bool { alive.load(ordering: .relaxed) }
    public var isDisabled: Bool { disabled.load(ordering: .relaxed) }
    /// Pound's `backend_is_active`: alive and enabled.
    public var isUsable: Bool { !isDisabled && isAlive }
    public var priority: Int { backend.priority }

    /// Marks a server backend dead; true when this call changed it from alive.
    /// Special backends never die (Pound's kill_be ignores them).
    @discardableResult
    public func markDead() -> Bool {
        guard isServer else { return false }
        return alive.exchange(false, ordering: .relaxed)
    }

    /// Marks it alive again (resurrection); true when this call changed it.
    @discardableResult
    public func markAlive() -> Bool {
        !alive.exchange(true, ordering: .relaxed)
    }

    public func setDisabled(_ value: Bool) {
        disabled.store(value, ordering: .relaxed)
    }

    /// Pound's `backend_to_string`: `addr2str` with port for servers (IPv6 in
    /// brackets, IPv4-mapped as IPv4, a UNIX socket as its path), a type tag for the
    /// special backends.
    static func describe(_ backend: Backend) -> String {
        guard case .regular(let server) = backend.kind else { return backend.kind.specialName ?? "" }
        switch server.address {
        case .inet(let host, let port)?:
            return inetName(host: host, port: port)
        case .unix(let path)?:
            return path
        case .dynamic(let host, _, _)?:
            return "matrix:\(host)"
        case nil:
            return inetName(host: server.host ?? "", port: server.effectivePort)
        }
    }

    /// Pound prints the resolved numeric address; a host name is resolved here once,
    /// as Pound did while reading the configuration.
    static func inetName(host: String, port: Int) -> String {
        let bytes = NumericIP.parse(host) ?? NumericIP.resolve(host)
        guard let bytes else { return "\(host):\(port)" }
        let text = NumericIP.format(bytes)
        if bytes.count == 16 && !NumericIP.isV4Mapped(bytes) { return "[\(text)]:\(port)" }
        return "\(text):\(port)"
    }
}
