/// `Session ... End`: sticky-session settings of a service.
public struct SessionSettings: Sendable, Hashable {
    public var type: SessionType
    /// Seconds of inactivity after which a session is forgotten.
    public var ttl: Int
    /// The cookie, parameter or header name (`ID`); required for COOKIE, URL and HEADER.
    /// Pound accepts and ignores it for the other types.
    public var id: String?
    public var range: LocusRange
    /// The cookie attributes of a client-affinity type (Pounce extensions).
    public var cookie = SessionCookieSettings()

    public init(type: SessionType, ttl: Int, id: String? = nil, range: LocusRange = .unset,
                cookie: SessionCookieSettings = SessionCookieSettings()) {
        self.type = type
        self.ttl = ttl
        self.id = id
        self.range = range
        self.cookie = cookie
    }
}

/// What identifies a client's session.
public enum SessionType: Sendable, Hashable {
    /// Client address.
    case ip
    /// The user name of Basic authentication.
    case basic
    /// A query parameter named by ID.
    case url
    /// The URL's parameter part (`;param`).
    case parameter
    /// A cookie named by ID.
    case cookie
    /// A request header named by ID.
    case header
    /// A loadable session module (a Pounce extension), written as a quoted name.
    case module(String)

    /// Whether `ID` must be given (Pounce's cookie types need their cookie's name too).
    public var requiresID: Bool {
        switch self {
        case .url, .cookie, .header: true
        case .module: isPounceCookieType
        default: false
        }
    }

    /// A quoted `Type`: a module's session type (built in or loaded).
    public var isModule: Bool {
        if case .module = self { true } else { false }
    }

    /// `"CookieInsert"` or `"CookiePrefix"`: Pounce's client-affinity types, which keep no
    /// session table (`TTL` means nothing to them).
    public var isPounceCookieType: Bool {
        if case .module(let name) = self { SessionCookieSettings.builtinTypes.contains(name.lowercased()) } else { false }
    }
}
