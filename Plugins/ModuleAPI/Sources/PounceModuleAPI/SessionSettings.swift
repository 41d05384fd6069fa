/// A `Session` block as the module sees it.
public struct SessionSettings: Sendable {
    /// The `Type` name that selected the module, as written.
    public let type: String
    /// `ID "name"`: the cookie, header or parameter name, nil if not given.
    public let id: String?
    /// `TTL` in seconds (Pounce applies it; informational here). 0 when not given (the
    /// cookie-affinity types keep no table).
    public let ttl: Int
    /// `Path`, `Domain`, `Secure`, `HttpOnly`, `SameSite`, `MaxAge`, `NoCache`: what a
    /// client-affinity module gives the cookie it sets (API version 2).
    public let cookie: CookieAttributes

    public init(type: String, id: String?, ttl: Int, cookie: CookieAttributes = CookieAttributes()) {
        self.type = type
        self.id = id
        self.ttl = ttl
        self.cookie = cookie
    }
}
