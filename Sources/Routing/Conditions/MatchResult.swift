/// Pound's three-valued condition result (`match_cond`: 1, 0, -1).
enum MatchResult: UInt8, Sendable {
    case no = 1
    case yes = 2
    /// Evaluation failed (bad Authorization encoding, failed template expansion, an
    /// ACL check on a non-IP peer...): service selection stops and answers 500.
    case error = 3

    init(_ b: Bool) { self = b ? .yes : .no }
}
