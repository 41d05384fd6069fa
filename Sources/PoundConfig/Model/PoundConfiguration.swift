/// Everything a pound.cfg says, as typed values. Later parts of Pounce (listeners,
/// TLS, modules, VRRP) are built from this and nothing else.
public struct PoundConfiguration: Sendable {
    // Process
    public var user: String?
    public var group: String?
    public var rootJail: String?
    public var daemon = true
    public var supervisor = true
    public var pidFile: String?
    public var workerMinCount = 5
    public var workerMaxCount = 128
    public var workerIdleTimeout = 30
    public var workerStackSize = 262_144
    public var connectionQueueSize: Int?
    public var reserveFileDescriptors = 0
    public var reserveWorkerFileDescriptors = 0
    public var grace = 30
    public var alive = 30
    /// Seconds between two checks of a watched file when inotify is not available
    /// (Pound's `watcher_ttl`, 60 by default).
    public var watcherTTL = 60
    public var backendStats = false

    // Logging
    /// nil: log to stdout/stderr (`LogFacility -`); otherwise a syslog facility name.
    public var logFacility: String? = "daemon"
    public var logTag: String?
    public var anonymise = false
    public var logFormats: [String: LogFormat] = [:]

    // Request handling defaults (the values in force at the end of the file)
    public var defaults = ParseDefaults()
    public var forwardedHeader: String?
    public var trustedIPs: ACL?
    public var combineHeaders: [String] = []
    public var sslEngine: String?

    // Named objects
    public var acls: [String: ACL] = [:]
    public var namedConditions: [String: NamedCondition] = [:]
    public var namedBackends = NamedBackendTable()
    public var constants: [String: StringConstant] = [:]

    public var control: ControlSocket?
    public var resolver = ResolverSettings()
    public var lua: LuaSettings?

    // Modules (Pounce extensions)
    /// `ModuleDirectory`: where a bare `LoadModule` name is looked for.
    public var moduleDirectory = ModuleLibrary.defaultDirectory
    /// `LoadModule`, in file order: libraries to load before routing is built.
    public var modules: [ModuleLibrary] = []

    /// `VRRP` blocks (a Pounce extension): the floating addresses this proxy holds.
    public var vrrp: [VRRPInstance] = []

    public var listeners: [Listener] = []
    /// Global services: tried after each listener's own.
    public var services: [Service] = []

    public init() {}
}

/// `Control`: the REST control socket.
public struct ControlSocket: Sendable, Hashable {
    public var path: String
    public var mode: Int = 0o600
    public var changeOwner = false
    public var range: LocusRange = .unset
}

/// `Resolver` block: DNS settings for dynamic backends.
public struct ResolverSettings: Sendable, Hashable {
    public var configFile: String?
    public var configText: String?
    public var debug = false
    public var cnameChain = 2
    public var retryInterval = 600
    public init() {}
}

/// `Lua` block: scripts loaded at start-up.
public struct LuaSettings: Sendable, Hashable {
    public var path: [String] = []
    public var cpath: [String] = []
    public var load: [String] = []
    public var loadGlobal: [String] = []
    public init() {}
}
