import PoundRegex

/// `ListenHTTP`, `ListenHTTPS` or `Tunnel`: a socket Pounce accepts connections on and
/// everything that governs requests arriving there.
///
/// Values that Pound copies from the running defaults when the listener is opened
/// (client timeout, header options, line buffer size) are captured here, so later
/// global statements do not change an already declared listener, exactly as in Pound.
public struct Listener: Sendable {
    public enum Kind: Sendable {
        case http
        case https(TLSSettings)
        /// A plain TCP relay to a single backend (no HTTP processing): a server
        /// backend parsed like a service's, with the Tunnel's smaller statement set.
        case tunnel(Backend)
    }

    public var kind: Kind = .http
    /// `ListenHTTP "name"`: used by the control interface and `%{listener}N`.
    public var name: String?
    /// The section's span, as Pound reports listener-level errors and `%{listener}L`.
    public var range: LocusRange = .unset
    /// Where to listen, resolved numerically as Pound does (no DNS for listeners).
    public var address: ListenerAddress = .inet(NumericAddress(host: "0.0.0.0", port: 80, family: .ipv4))
    /// `xHTTP`: which request methods are accepted (others get 405).
    public var allowedMethods: HTTPMethodGroups = .level0
    /// `Client`: seconds to wait for a client request.
    public var clientTimeout = 10
    /// `CheckURL`: requests whose URL does not match are answered 501.
    public var checkURL: Pattern?
    /// `ErrorFile NNN "file"` (and 2.x `ErrNNN`): custom error page files by HTTP status.
    /// The file was checked to be readable; the page itself is read by the proxy later.
    public var errorFiles: [Int: ErrorPage] = [:]
    /// `MaxRequest`: largest accepted request body; nil = unlimited.
    public var maxRequestSize: UInt64?
    /// `MaxURI`: longest accepted URI (never more than the line buffer); nil = unlimited.
    public var maxURILength: Int?
    public var rewrite = RewriteRules()
    /// `RewriteErrors`: nil = not set here (service or global setting applies).
    public var rewriteErrors: Bool?
    public var headerOptions: HeaderOptions = [.forwarded, .ssl]
    public var rewriteLocation: RewriteLocationMode = .enabled
    /// `RewriteDestination`: rewrite WebDAV `Destination:` headers to the backend.
    public var rewriteDestination = false
    /// nil: use the global `LogLevel` in force at the end of the configuration.
    public var logLevel: LogLevel?
    public var forwardedHeader: String?
    public var trustedIPs: ACL?
    /// The listener's own services, tried before the global ones.
    public var services: [Service] = []
    /// `ACME "dir"`: ACME HTTP-01 challenge services, answered from files in a directory.
    public var acmeChallenges: [ACMEChallenge] = []
    public var lineBufferSize = 4096
    public var constants: [String: StringConstant] = [:]
    /// `HTTP2 BOOL` (Pounce extension): nil = not written, the kind's default applies
    /// (see `servesHTTP2`).
    public var http2Enabled: Bool?
    /// The `HTTP2Max...` and `HTTP2WindowSize` limits (Pounce extension), in force
    /// whenever `servesHTTP2` is true.
    public var http2 = HTTP2Limits()

    public init() {}

    /// Whether clients may speak HTTP/2 here: on a `ListenHTTPS` (by default) h2 is
    /// offered by ALPN next to http/1.1; on a `ListenHTTP` (with `HTTP2 on`) cleartext
    /// HTTP/2 with prior knowledge is recognised by its connection preface, next to
    /// HTTP/1.x. A Tunnel never does.
    public var servesHTTP2: Bool {
        switch kind {
        case .http: http2Enabled ?? false
        case .https: http2Enabled ?? true
        case .tunnel: false
        }
    }

    public var isTunnel: Bool {
        if case .tunnel = kind { return true }
        return false
    }

    public var tls: TLSSettings? {
        if case .https(let t) = kind { return t }
        return nil
    }
}

/// A listener's socket address.
public enum ListenerAddress: Sendable, Hashable {
    /// An IPv4/IPv6 address and TCP port.
    case inet(NumericAddress)
    /// `SocketFrom "path"`: the listening socket is received over this UNIX socket
    /// (from a socket-passing helper) rather than bound by Pounce.
    case socketFrom(String)
}

/// A numeric IP address and port, normalized (`getnameinfo` numeric form).
public struct NumericAddress: Sendable, Hashable {
    public enum Family: Sendable, Hashable { case ipv4, ipv6 }
    public var host: String
    public var port: Int
    public var family: Family

    public init(host: String, port: Int, family: Family) {
        self.host = host
        self.port = port
        self.family = family
    }
}

/// `RewriteLocation 0|1|2 [safe|pound]`: how `Location:`/`Content-Location:` headers
/// that point at a backend are rewritten to point at the listener.
public enum RewriteLocationMode: Sendable, Hashable {
    /// `0`: never rewrite.
    case disabled
    /// `1` (the default), as Pound 4.23 does it: besides locations that point at the
    /// backend, every other absolute location is rewritten too, foreign hosts included
    /// (its listener comparison never holds; Pound issues #34 and #42).
    case enabled
    /// `1 safe` (a Pounce extension, also `RewriteLocation safe`): rewrite only a
    /// location that points at the backend that answered, or at the listener's own
    /// address with the listener's port or no port. Other hosts are left alone.
    case safe
    /// `2`: rewrite only a location that points at the backend.
    case backendOnly

    /// The mode `RewriteLocation n` selects (Pound's numbers, 4.23's handling of 1).
    public init?(level: Int) {
        switch level {
        case 0: self = .disabled
        case 1: self = .enabled
        case 2: self = .backendOnly
        default: return nil
        }
    }
}

/// `xHTTP`: the groups of request methods a listener accepts.
public struct HTTPMethodGroups: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// GET, POST, HEAD.
    public static let basic = HTTPMethodGroups(rawValue: 1)
    /// PUT, PATCH, DELETE.
    public static let extended = HTTPMethodGroups(rawValue: 2)
    /// Standard WebDAV: LOCK, UNLOCK, PROPFIND, PROPPATCH, SEARCH, MKCOL, MOVE, COPY,
    /// OPTIONS, TRACE, MKACTIVITY, CHECKOUT, MERGE, REPORT.
    public static let webDAV = HTTPMethodGroups(rawValue: 4)
    /// MS WebDAV extensions: SUBSCRIBE, UNSUBSCRIBE, NOTIFY, BPROPFIND, BPROPPATCH, POLL,
    /// BMOVE, BCOPY, BDELETE, CONNECT.
    public static let msExtensions = HTTPMethodGroups(rawValue: 8)
    /// RPC_IN_DATA, RPC_OUT_DATA (MS RPC over HTTP): Pound 2.x's `xHTTP 4`, which
    /// Pound 4 dropped; Pounce still accepts it.
    public static let rpc = HTTPMethodGroups(rawValue: 16)

    public static let level0: HTTPMethodGroups = [.basic]
    public static let level1: HTTPMethodGroups = [.basic, .extended]
    public static let level2: HTTPMethodGroups = [.basic, .extended, .webDAV]
    public static let level3: HTTPMethodGroups = [.basic, .extended, .webDAV, .msExtensions]
    public static let level4: HTTPMethodGroups = [.basic, .extended, .webDAV, .msExtensions, .rpc]

    /// The groups `xHTTP n` enables.
    public static func level(_ n: Int) -> HTTPMethodGroups {
        switch n {
        case ...0: level0
        case 1: level1
        case 2: level2
        case 3: level3
        default: level4
        }
    }

    /// The methods each group admits, for the request parser.
    public var methods: [String] {
        var m: [String] = []
        if contains(.basic) { m += ["GET", "POST", "HEAD"] }
        if contains(.extended) { m += ["PUT", "PATCH", "DELETE"] }
        if contains(.webDAV) {
            m += ["LOCK", "UNLOCK", "PROPFIND", "PROPPATCH", "SEARCH", "MKCOL", "MOVE", "COPY",
                  "OPTIONS", "TRACE", "MKACTIVITY", "CHECKOUT", "MERGE", "REPORT"]
        }
        if contains(.msExtensions) {
            m += ["SUBSCRIBE", "UNSUBSCRIBE", "BPROPPATCH", "POLL", "BMOVE", "BCOPY", "BDELETE",
                  "BPROPFIND", "NOTIFY", "CONNECT"]
        }
        if contains(.rpc) { m += ["RPC_IN_DATA", "RPC_OUT_DATA"] }
        return m
    }
}

/// `ACME "dir"`: Pound turns this into a service matching
/// `^/\.well-known/acme-challenge/(.+)` whose backend serves files from `directory`.
public struct ACMEChallenge: Sendable, Hashable {
    /// The URL pattern of the implicit service (POSIX regex).
    public static let urlPattern = "^/\\.well-known/acme-challenge/(.+)"
    public var directory: String
    public var range: LocusRange
    /// How many of the listener's `services` were declared before it: the implicit
    /// service is tried in that position.
    public var servicePosition: Int
}
