import Synchronization
import PoundConfig

/// A backend of a service with its run-time state. Alive/disabled are atomics read
/// by every balancing decision and written by the engine (connect failures, the
/// Alive timer, the control interface).
public final class BackendState: Sendable {
    public let backend: Backend
    /// Its name in the service's session table and control requests: a configured
    /// backend's position (normal ones first, then the Emergency ones); a generated
    /// one gets a free number when DNS brings it. Unique among the service's backends
    /// at any moment, so a session can outlive a change of the backend set.
    public let id: Int
    public let isEmergency: Bool
    /// Its balancer group, as Pound weighs them: 0 for normal backends, 65535 for
    /// Emergency ones, the SRV record's priority for a backend it generated.
    public let groupWeight: Int
    /// For a backend generated from DNS: the configured (matrix) backend it came from.
    public let parent: BackendState?
    /// What the engine keeps with a generated backend (where to connect, its log
    /// name); configured backends keep theirs in tables made at start-up.
    public let attachment: (any BackendAttachment)?
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

    /// When a matrix is next looked up, Unix seconds (0: not scheduled).
    private let nextLookup = Atomic<Int>(0)
    private let retired = Atomic<Bool>(false)

    init(backend: Backend, id: Int, isEmergency: Bool, acmeDirectory: String? = nil, script: ScriptCall? = nil,
         groupWeight: Int? = nil, parent: BackendState? = nil, attachment: (any BackendAttachment)? = nil) {
        self.script = script
        self.backend = backend
        self.id = id
        self.isEmergency = isEmergency
        self.groupWeight = groupWeight ?? (isEmergency ? BackendState.emergencyWeight : 0)
        self.parent = parent
        self.attachment = attachment
        self.acmeDirectory = acmeDirectory
        self.disabled = Atomic(backend.disabled)
        self.displayName = acmeDirectory != nil ? "acme" : BackendState.describe(backend)
        // A matrix only stands for the backends DNS gives it: never chosen, never alive
        // (Pound lists it with "alive": false).
        if isMatrix { alive.store(false, ordering: .relaxed) }
    }

    /// The weight of the Emergency group, as Pound numbers balancer groups.
    public static let emergencyWeight = 65535

    /// The configuration of a backend made from DNS data (`Resolve first|all|srv`):
    /// the matrix's settings with one resolved address.
    static func generatedBackend(from matrix: BackendState, address: DynamicBackendAddress) -> Backend {
        var backend = matrix.backend
        if case .regular(var server) = backend.kind {
            server.address = .inet(host: address.host, port: address.port)
            server.resolveMode = .immediate
            backend.kind = .regular(server)
        }
        backend.priority = address.priority
        return backend
    }

    /// A generated backend's address, group and priority as DNS gave them.
    public var generatedAddress: DynamicBackendAddress? {
        guard parent != nil, case .regular(let server) = backend.kind, case .inet(let host, let port)? = server.address
        else { return nil }
        return DynamicBackendAddress(host: host, port: port, groupWeight: groupWeight, priority: priority)
    }

    /// A configured backend whose address DNS turns into backends (Pound's matrix).
    public var isMatrix: Bool {
        if case .regular(let server) = backend.kind, case .dynamic? = server.address { return true }
        return false
    }

    /// A matrix's next lookup, Unix seconds; nil when none is scheduled.
    public var nextLookupTime: Int? {
        let t = nextLookup.load(ordering: .relaxed)
        return t > 0 ? t : nil
    }

    public func scheduleLookup(at unixSeconds: Int) {
        nextLookup.store(unixSeconds, ordering: .relaxed)
    }

    /// A generated backend DNS no longer gives: requests on it finish, its
    /// connections are not kept for reuse.
    public var isRetired: Bool { retired.load(ordering: .relaxed) }

    public func retire() {
        retired.store(true, ordering: .relaxed)
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
        guard !isMatrix else { return false }
        return !alive.exchange(true, ordering: .relaxed)
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

/// What the engine attaches to a generated backend. A class protocol, so the request
/// path reads it with one cast instead of a table lookup.
public protocol BackendAttachment: AnyObject, Sendable {}

/// One backend DNS asks for: a numeric address and port, the balancer group (an SRV
/// record's priority) and its priority within the group.
public struct DynamicBackendAddress: Sendable, Hashable {
    public var host: String
    public var port: Int
    public var groupWeight: Int
    public var priority: Int

    public init(host: String, port: Int, groupWeight: Int, priority: Int) {
        self.host = host
        self.port = port
        self.groupWeight = groupWeight
        self.priority = priority
    }
}
