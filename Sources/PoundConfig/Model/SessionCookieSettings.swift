/// `Path`, `Domain`, `Secure`, `HttpOnly`, `SameSite`, `MaxAge`, `NoCache` and `Secret` in a
/// `Session` block (Pounce extensions): the cookie a client-affinity session type sets,
/// and the key of the hash that tags backends without a `CookieValue`.
public struct SessionCookieSettings: Sendable, Hashable {
    /// Pounce's own client-affinity types (`Session Type "CookieInsert"`), lower-cased.
    public static let builtinTypes: Set<String> = ["cookieinsert", "cookieprefix"]

    public var path: String?
    public var domain: String?
    public var secure = false
    public var httpOnly = false
    public var sameSite: String?
    public var maxAge: Int?
    public var noCache = false
    /// The key of the backend tags' hash; nil: a fixed key (the tags then hide addresses
    /// from a glance, not from someone who tries every address).
    public var secret: String?
    /// The first of these statements given, for a refusal that names it.
    public var firstStatement: (name: String, range: LocusRange)?

    public init() {}

    public var isEmpty: Bool { firstStatement == nil }

    /// A backend tag: what fits in a cookie value and a `TAG~value` prefix unquoted.
    public static func isTag(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 64
            && text.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || $0 == 0x2D || $0 == 0x5F }
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.path == b.path && a.domain == b.domain && a.secure == b.secure && a.httpOnly == b.httpOnly
            && a.sameSite == b.sameSite && a.maxAge == b.maxAge && a.noCache == b.noCache && a.secret == b.secret
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(path)
        hasher.combine(domain)
        hasher.combine(secure)
        hasher.combine(httpOnly)
        hasher.combine(sameSite)
        hasher.combine(maxAge)
        hasher.combine(noCache)
        hasher.combine(secret)
    }
}
