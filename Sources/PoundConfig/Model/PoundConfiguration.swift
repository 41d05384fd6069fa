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
    /// `Path` and `CPath` components (split on `;`), in order: they go in front of
    /// `package.path` and `package.cpath`.
    public var path: [String] = []
    public var cpath: [String] = []
    /// `Load`: into every per-loop state.
    public var load: [LuaSource] = []
    /// `LoadGlobal`: into the one shared state.
    public var loadGlobal: [LuaSource] = []
    /// `MaxInstructions` (Pounce extension): how many Lua instructions one call may
    /// run before it is stopped and the request answered 500; nil = the default.
    public var maxInstructions: Int?
    public init() {}
}

/// A `Load` or `LoadGlobal` statement.
public struct LuaSource: Sendable, Hashable {
    /// The file, resolved against the include directory.
    public var file: String
    /// The global variable its returned table goes to (second argument, or made
    /// from the file name at load time).
    public var variable: String?
    public var range: LocusRange

    public init(file: String, variable: String? = nil, range: LocusRange) {
        self.file = file
        self.variable = variable
        self.range = range
    }
}

extension LuaSource {
    private static func isLetter(_ c: UInt8) -> Bool { (c | 0x20) >= UInt8(ascii: "a") && (c | 0x20) <= UInt8(ascii: "z") }
    private static func isNameCharacter(_ c: UInt8) -> Bool {
        c == UInt8(ascii: "_") || isLetter(c) || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
    }

    /// A Lua identifier: a letter or `_`, then letters, digits or `_` (ASCII).
    public static func isVariableName(_ s: String) -> Bool {
        guard let first = s.utf8.first, first == UInt8(ascii: "_") || isLetter(first) else { return false }
        return s.utf8.allSatisfy(isNameCharacter)
    }

    /// The variable a file's returned table goes to when none is given: the base
    /// name without `.lua`, `_` in front unless it starts with a letter or `_`, and
    /// `_` for every character that cannot be in a Lua name.
    public var effectiveVariable: String {
        if let variable { return variable }
        var base = Substring(file.split(separator: "/", omittingEmptySubsequences: false).last ?? "")
        if base.count > 4, base.hasSuffix(".lua") { base = base.dropLast(4) }
        var bytes = Array(base.utf8)
        if let first = bytes.first, !(first == UInt8(ascii: "_") || Self.isLetter(first)) {
            bytes.insert(UInt8(ascii: "_"), at: 0)
        }
        for i in bytes.indices where !Self.isNameCharacter(bytes[i]) {
            bytes[i] = UInt8(ascii: "_")
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
