// STUB: owned by the conditions helper.
extension ConditionGroup {
    /// Service conditions (Pound's `match_conditions`): URL, Path, Header, Match, Not, ...
    public static func statements() -> [Statement<ConditionGroup>] { [] }
}

extension NamedCondition {
    /// Top-level `Condition "NAME" ... End`.
    public static func statement() -> Statement<SymbolTables> {
        Statement("Condition") { p, _ in throw p.fail("Condition: not implemented") }
    }
}
