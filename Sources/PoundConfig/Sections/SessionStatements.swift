/// The values a `Session` block has set so far. Pound stores them in the service itself,
/// so a second `Session` block starts from what the first one set.
struct SessionDraft {
    var type: SessionType?
    var ttl = 0
    var ttlRange: LocusRange?
    var id: String?
    var cookie = SessionCookieSettings()
}

extension SessionSettings {
    /// `Session ... End` inside a Service.
    public static func statement() -> Statement<SessionSettings?> {
        Statement("Session") { p, settings in
            var draft = SessionDraft(type: settings?.type, ttl: settings?.ttl ?? 0, id: settings?.id,
                                     cookie: settings?.cookie ?? SessionCookieSettings())
            let range = try p.parseSection(table, into: &draft)
            guard let type = draft.type else {
                throw p.fail("Session type not defined", at: range)
            }
            try checkCookieSettings(p, draft, type: type)
            // A module's type may keep no table (client affinity): routing checks its TTL.
            guard draft.ttl != 0 || type.isModule else {
                throw p.fail("Session TTL not defined", at: range)
            }
            if type.requiresID && draft.id == nil {
                // Pound reports this at the last token read, i.e. the block's `End`.
                throw p.fail("Session ID not defined")
            }
            settings = SessionSettings(type: type, ttl: draft.ttl, id: draft.id, range: range, cookie: draft.cookie)
            return .ok
        }
    }

    /// The cookie statements only mean something to a type that sets a cookie: Pound's
    /// own types are refused them, and the client-affinity types refuse `TTL`.
    private static func checkCookieSettings(_ p: ConfigParser, _ d: SessionDraft, type: SessionType) throws {
        if let (name, range) = d.cookie.firstStatement, !type.isModule {
            throw p.fail("\(name): this session type sets no cookie (the cookie statements are for client-affinity "
                         + "types such as \"CookieInsert\")", at: range)
        }
        if type.isPounceCookieType, d.ttl != 0, let range = d.ttlRange {
            throw p.fail("TTL: this session type keeps no sessions (MaxAge sets its cookie's lifetime)", at: range)
        }
        if d.cookie.sameSite == "None" && !d.cookie.secure, let (_, range) = d.cookie.firstStatement {
            throw p.fail("SameSite \"None\" needs Secure (browsers refuse the cookie without it)", at: range)
        }
    }

    /// Records the first cookie statement (for refusals that name it).
    private static func cookieStatement(_ name: String, _ p: ConfigParser, _ d: inout SessionDraft) {
        if d.cookie.firstStatement == nil { d.cookie.firstStatement = (name, p.lastRange ?? .unset) }
    }

    /// Pound's session type names (matched case-insensitively).
    static let typeNames: [(String, SessionType)] = [
        ("IP", .ip), ("COOKIE", .cookie), ("URL", .url), ("PARM", .parameter), ("BASIC", .basic), ("HEADER", .header),
    ]

    nonisolated(unsafe) static let table = StatementTable<SessionDraft>([
        .end,
        Statement("Type") { p, d in
            // A quoted name selects a loadable session module (a Pounce extension);
            // unquoted names are Pound's built-in types.
            if let tok = try p.optionalString() {
                guard !tok.text.isEmpty else { throw p.fail("empty session module name") }
                d.type = .module(tok.text)
            } else {
                let tok = try p.expect(.identifier)
                guard let t = typeNames.first(where: { $0.0.lowercased() == tok.text.lowercased() })?.1 else {
                    throw p.fail("Unknown Session type")
                }
                d.type = t
            }
            return .ok
        },
        Statement("TTL") { p, d in
            d.ttlRange = p.lastRange
            d.ttl = try p.timeout()
            return .ok
        },
        Statement("ID") { p, d in d.id = try p.stringValue(); return .ok },
        // Pounce extensions: the cookie of a client-affinity type.
        Statement("Path") { p, d in
            cookieStatement("Path", p, &d)
            let tok = try p.string()
            guard tok.text.hasPrefix("/"), cookieSafe(tok.text) else { throw p.fail("Path: expected a path", at: tok.range) }
            d.cookie.path = tok.text
            return .ok
        },
        Statement("Domain") { p, d in
            cookieStatement("Domain", p, &d)
            let tok = try p.string()
            guard !tok.text.isEmpty, cookieSafe(tok.text) else { throw p.fail("Domain: expected a domain", at: tok.range) }
            d.cookie.domain = tok.text
            return .ok
        },
        Statement("Secure") { p, d in cookieStatement("Secure", p, &d); d.cookie.secure = true; return .ok },
        Statement("HttpOnly") { p, d in cookieStatement("HttpOnly", p, &d); d.cookie.httpOnly = true; return .ok },
        Statement("NoCache") { p, d in cookieStatement("NoCache", p, &d); d.cookie.noCache = true; return .ok },
        Statement("SameSite") { p, d in
            cookieStatement("SameSite", p, &d)
            let tok = try p.string()
            guard let value = ["Strict", "Lax", "None"].first(where: { $0.lowercased() == tok.text.lowercased() }) else {
                throw p.fail("SameSite: expected \"Strict\", \"Lax\" or \"None\"", at: tok.range)
            }
            d.cookie.sameSite = value
            return .ok
        },
        Statement("MaxAge") { p, d in
            cookieStatement("MaxAge", p, &d)
            d.cookie.maxAge = try p.int(in: 0, Int(Int32.max))
            return .ok
        },
        Statement("Secret") { p, d in
            cookieStatement("Secret", p, &d)
            let tok = try p.string()
            guard !tok.text.isEmpty else { throw p.fail("Secret: expected a non-empty string", at: tok.range) }
            d.cookie.secret = tok.text
            return .ok
        },
    ])

    /// No `;`, `,`, blanks, quotes or controls: what a Set-Cookie attribute value may hold
    /// without breaking the header.
    private static func cookieSafe(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != 0x3B && $0 != 0x2C && $0 != 0x22 && $0 != 0x5C }
    }
}
