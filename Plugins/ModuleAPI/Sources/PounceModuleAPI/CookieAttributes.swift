/// The attributes of a cookie a client-affinity module sets (RFC 6265 §4.1), from the
/// `Session` block's `Path`, `Domain`, `Secure`, `HttpOnly`, `SameSite`, `MaxAge` and
/// `NoCache` (Pounce extensions, API version 2).
public struct CookieAttributes: Sendable, Equatable {
    public var path: String?
    public var domain: String?
    public var secure: Bool
    public var httpOnly: Bool
    /// "Strict", "Lax" or "None".
    public var sameSite: String?
    /// Seconds; nil: a session cookie (gone when the browser closes).
    public var maxAge: Int?
    /// HAProxy's `nocache`: a response that sets the cookie is marked
    /// `Cache-Control: private`, so no shared cache hands one client's cookie to another.
    public var noCache: Bool

    public init(path: String? = nil, domain: String? = nil, secure: Bool = false, httpOnly: Bool = false,
                sameSite: String? = nil, maxAge: Int? = nil, noCache: Bool = false) {
        self.path = path
        self.domain = domain
        self.secure = secure
        self.httpOnly = httpOnly
        self.sameSite = sameSite
        self.maxAge = maxAge
        self.noCache = noCache
    }

    /// Whether any attribute was configured.
    public var isEmpty: Bool { self == CookieAttributes() }

    /// `NAME=VALUE` followed by the attributes, as a `Set-Cookie` value.
    public func setCookie(name: String, value: String) -> String {
        var text = name + "=" + value
        if let path { text += "; Path=" + path }
        if let domain { text += "; Domain=" + domain }
        if let maxAge { text += "; Max-Age=\(maxAge)" }
        if secure { text += "; Secure" }
        if httpOnly { text += "; HttpOnly" }
        if let sameSite { text += "; SameSite=" + sameSite }
        return text
    }
}
