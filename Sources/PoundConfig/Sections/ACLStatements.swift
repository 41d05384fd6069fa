// STUB: owned by the conditions helper.
extension ACL {
    /// Top-level `ACL "name" ... End` (or `-file`/`-filewatch`).
    public static func namedStatement() -> Statement<SymbolTables> {
        Statement("ACL") { p, _ in throw p.fail("ACL: not implemented") }
    }

    /// `TrustedIP` (an ACL reference, inline ACL or file) at any level.
    public static func trustedIPStatement() -> Statement<ACL?> {
        Statement("TrustedIP") { p, _ in throw p.fail("TrustedIP: not implemented") }
    }
}
