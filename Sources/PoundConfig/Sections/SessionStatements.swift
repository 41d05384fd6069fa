/// The values a `Session` block has set so far. Pound stores them in the service itself,
/// so a second `Session` block starts from what the first one set.
struct SessionDraft {
    var type: SessionType?
    var ttl = 0
    var id: String?
}

extension SessionSettings {
    /// `Session ... End` inside a Service.
    public static func statement() -> Statement<SessionSettings?> {
        Statement("Session") { p, settings in
            var draft = SessionDraft(type: settings?.type, ttl: settings?.ttl ?? 0, id: settings?.id)
            let range = try p.parseSection(table, into: &draft)
            guard let type = draft.type else {
                throw p.fail("Session type not defined", at: range)
            }
            guard draft.ttl != 0 else {
                throw p.fail("Session TTL not defined", at: range)
            }
            if type.requiresID && draft.id == nil {
                // Pound reports this at the last token read, i.e. the block's `End`.
                throw p.fail("Session ID not defined")
            }
            settings = SessionSettings(type: type, ttl: draft.ttl, id: draft.id, range: range)
            return .ok
        }
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
        Statement("TTL") { p, d in d.ttl = try p.timeout(); return .ok },
        Statement("ID") { p, d in d.id = try p.stringValue(); return .ok },
    ])
}
