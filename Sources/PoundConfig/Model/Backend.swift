/// One backend of a service: where requests go (a server, or one of Pound's built-in
/// responders), with the balancing weight and state shared by every kind.
///
/// Special backends (Redirect, Error, Metrics...) are backends too because Pound treats
/// them so: they sit in the same balancer list, and the "mixing" rules of
/// `ServiceFinalizer` are about which kinds may share a list.
public struct Backend: Sendable {
    public var kind: Kind
    /// Balancing weight. Pound's default is 5 for servers, 1 for special backends.
    public var priority: Int
    public var disabled: Bool
    /// The whole declaration (`Backend ... End`, or the statement line), used in
    /// diagnostics about this backend.
    public var range: LocusRange
    /// For a backend that came from `UseBackend "name"`/`Backend "name"`: that name.
    public var namedFrom: String?

    public init(kind: Kind, priority: Int, disabled: Bool = false, range: LocusRange = .unset) {
        self.kind = kind
        self.priority = priority
        self.disabled = disabled
        self.range = range
    }

    public enum Kind: Sendable {
        /// A real server (Pound's "matrix" backend until resolved).
        case regular(Server)
        case redirect(Redirect)
        /// `Error STATUS ["file"]`: answer with this status (and page).
        case error(status: Int, page: ErrorPage?)
        /// `Success`: answer 200 with an empty body.
        case success
        /// `SendFile "dir"`: serve files from this directory.
        case sendFile(directory: String)
        case metrics
        /// `Control`: the REST control interface.
        case control
        /// `Stats` (Pounce extension): the live HTML status page, whose `/api/...`
        /// sub-paths reach the control interface.
        case stats
        case lua(LuaCall)
        /// A named backend not yet looked up; `ServiceFinalizer` replaces it with `.regular`.
        /// nil overrides inherit the named backend's own values.
        case reference(name: String, priority: Int?, disabled: Bool?)
    }

    /// `Redirect [CODE] "url"`.
    public struct Redirect: Sendable, Hashable {
        /// 301, 302 (default), 303, 307 or 308.
        public var status: Int
        /// The target; a lone "/" path is removed, as Pound does.
        public var url: String
        /// The URL names a path (even just "/"). Pound 2.x semantics: a redirect without
        /// a path (and without expansions) appends the original request URL.
        public var hasPath: Bool
        /// The URL contains `$N`/`${N}` back-references or `%[...]` accessors; when any
        /// expands at run time the request URL is not appended.
        public var hasExpansions: Bool

        /// Whether the request URL is appended to the target (Pound 2.x compatibility rule).
        public var appendsRequestURL: Bool { !hasPath && !hasExpansions }
    }

    /// `LuaBackend "function" ["arg"...]`.
    public struct LuaCall: Sendable, Hashable {
        public var function: String
        public var arguments: [String]
        public var range: LocusRange
    }

    /// The settings of a server backend (`Backend ... End`, `Emergency ... End`, or a
    /// named backend).
    public struct Server: Sendable {
        /// `Address` as written: IP address, host name or UNIX socket path.
        public var host: String?
        /// `Port` as a number; 0 = not given (80 or 443 by default).
        public var port: Int = 0
        public var family: AddressFamily = .any
        public var resolveMode: ResolveMode = .immediate
        /// Where `Resolve` was written (for the refusal of dynamic backends).
        public var resolveRange: LocusRange?
        public var ignoreSRVWeight = false
        /// Seconds; nil = use the DNS TTL.
        public var overrideTTL: Int?
        /// Seconds between retries of failed dynamic resolution; nil = the resolver's.
        public var retryInterval: Int?
        public var timeout: Int
        public var webSocketTimeout: Int
        public var connectTimeout: Int
        /// nil: plain HTTP. Set by `HTTPS`.
        public var tls: TLSSettings?
        /// `ServerName`: SNI to send (applies only with HTTPS).
        public var serverName: String?
        /// Pound 2.x `HAport`: where to probe the backend's health instead of its own address.
        public var healthCheck: HealthCheck?
        /// Pounce `HealthCheck "..."`: an active HTTP check of this backend.
        public var httpCheck: HTTPHealthCheck?
        /// Where to connect, decided once the whole file is read (`ServiceFinalizer`).
        public var address: BackendAddress?
        /// `CookieValue "A"` (a Pounce extension, HAProxy's `cookie A`): this backend's tag
        /// for a client-affinity session type; nil: a keyed hash of its address.
        public var cookieValue: String?

        public init(timeout: Int, webSocketTimeout: Int, connectTimeout: Int) {
            self.timeout = timeout
            self.webSocketTimeout = webSocketTimeout
            self.connectTimeout = connectTimeout
        }

        /// The port Pound uses when `Port` is absent (or 0).
        public var effectivePort: Int {
            port != 0 ? port : (tls == nil ? 80 : 443)
        }
    }

    /// `Family`: which address family host names resolve to.
    public enum AddressFamily: Sendable, Hashable {
        case any, unix, inet, inet6
    }

    /// `Resolve`: when and how a host name is resolved.
    public enum ResolveMode: Sendable, Hashable {
        /// Once, while reading the configuration.
        case immediate
        /// Periodically; use the first address.
        case first
        /// Periodically; one backend per address.
        case all
        /// Periodically, through SRV records.
        case srv
    }

    /// Client-side TLS to the backend (`HTTPS`, `Cert`, `Ciphers`, `Disable`).
    public struct TLSSettings: Sendable, Hashable {
        /// `Cert`: client certificate chain and key (PEM), resolved against the include directory.
        public var certificateFile: String?
        /// Where the file name of `certificateFile` was written (for load errors).
        public var certificateRange: LocusRange?
        /// `Ciphers ["-cipherlist"] "..."`: TLS 1.2 and earlier cipher list.
        public var cipherList: String?
        /// `Ciphers -ciphersuites "..."`: TLS 1.3 suites.
        public var cipherSuites: String?
        /// `Disable PROTO`: this protocol and every older one are disabled.
        public var disabledUpTo: TLSProtocol?
        public init() {}
    }

    /// Protocol names of `Disable`, oldest first.
    public enum TLSProtocol: Int, Sendable, Hashable, Comparable {
        case sslv2, sslv3, tlsv1, tlsv1_1, tlsv1_2

        public static func < (a: TLSProtocol, b: TLSProtocol) -> Bool { a.rawValue < b.rawValue }
    }

    /// Pound 2.x `HAport [address] port`.
    public struct HealthCheck: Sendable, Hashable {
        /// nil: the backend's own address.
        public var host: String?
        public var port: Int
    }
}

/// Where a server backend is reached.
public enum BackendAddress: Sendable, Hashable {
    /// An address resolved (or numeric) at load time; `host` is kept as written.
    case inet(host: String, port: Int)
    /// A UNIX socket. As in Pound, an address that does not resolve is taken as a path.
    case unix(path: String)
    /// A host name re-resolved periodically (`Resolve first|all|srv`).
    case dynamic(host: String, port: Int, mode: Backend.ResolveMode)
}

/// A service's backends, grouped by balancer group (normal, Emergency).
public struct ServiceBackends: Sendable {
    /// Backends used while any is alive.
    public var normal: [Backend] = []
    /// `Emergency` backends: used only when every normal backend is down.
    public var emergency: [Backend] = []
    public init() {}

    public var all: [Backend] { normal + emergency }
}

/// A backend declared at top level (`Backend "name" ... End`), used via `UseBackend`.
public struct NamedBackend: Sendable {
    public var name: String
    public var server: Backend.Server
    public var priority: Int
    public var disabled: Bool
    public var range: LocusRange
}

/// Globally declared backends, looked up by name (case-sensitively, as Pound does)
/// once the whole file is read, so uses may precede the declaration.
public struct NamedBackendTable: Sendable {
    public private(set) var byName: [String: NamedBackend] = [:]
    /// Declaration order.
    public private(set) var names: [String] = []
    public init() {}

    public subscript(name: String) -> NamedBackend? { byName[name] }

    /// Adds `backend`; returns the existing definition instead if the name is taken.
    public mutating func insert(_ backend: NamedBackend) -> NamedBackend? {
        if let old = byName[backend.name] { return old }
        byName[backend.name] = backend
        names.append(backend.name)
        return nil
    }
}

extension Backend.Kind {
    /// How Pound names a special backend in logs, dumps and the control API
    /// (`str_be`, `backend_to_string`): its type, with the redirect URL (`redirect:URL`),
    /// the status (`error:503`, `error:503:text` with a custom page) or the Lua function
    /// (`lua:NAME`); a reference keeps its name. nil for a server backend, which is
    /// named by its address.
    public var specialName: String? {
        switch self {
        case .regular: nil
        case .redirect(let r): "redirect:\(r.url)"
        case .error(let status, let page): page == nil ? "error:\(status)" : "error:\(status):text"
        case .success: "success"
        case .sendFile: "file"
        case .metrics: "metrics"
        case .control: "control"
        case .stats: "stats"
        case .lua(let call): "lua:\(call.function)"
        case .reference(let name, _, _): name
        }
    }
}
