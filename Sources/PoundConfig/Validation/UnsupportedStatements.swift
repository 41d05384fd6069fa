/// Statements Pounce reads for compatibility with Pound but does not carry out.
///
/// The project's rule is that nothing is accepted and silently ignored:
/// - a statement whose absence would make the proxy behave differently from Pound is
///   refused;
/// - a statement that only tunes what Pounce does not have (Pound's worker thread pool
///   and connection queue) is accepted with a warning naming
///   it, so configurations shared with Pound still load.
///
/// Every such statement is listed here; the section tables pass their statements
/// through `global(_:)` and `resolver(_:)`.
/// (`WorkerMaxCount`/`Threads` cap the number of event loops, so they are not here;
/// `SSLEngine` and `ECDHCurve` print Pound's own "statement ignored".)
public enum UnsupportedStatements {
    static let noWorkerPool = "pounce is event-driven and has no worker thread pool"
    static let noConnectionQueue = "pounce is event-driven and has no connection queue"
    static let cnameChainsFollowed = "pounce follows CNAME chains of any length, as its DNS library (c-ares) does"

    /// Top-level statements that are accepted with a warning.
    static func global(_ list: [Statement<PoundConfiguration>]) -> [Statement<PoundConfiguration>] {
        list.map { s in
            switch s.name {
            case "WorkerMinCount", "WorkerIdleTimeout", "WorkerStackSize": s.withoutEffect(noWorkerPool)
            case "ConnectionQueueSize", "ReserveFD": s.withoutEffect(noConnectionQueue)
            default: s
            }
        }
    }

    /// `Resolver` statements that are accepted with a warning.
    static func resolver(_ list: [Statement<ResolverSettings>]) -> [Statement<ResolverSettings>] {
        list.map { s in
            switch s.name {
            case "CNAMEChain": s.withoutEffect(cnameChainsFollowed)
            default: s
            }
        }
    }
}

extension Statement {
    /// This statement, parsed as before, followed by a warning naming it (from its
    /// keyword to its last token).
    func withoutEffect(_ reason: String) -> Statement {
        let handler = self.handler
        let name = self.name
        return Statement(name, deprecated: deprecation) { p, section in
            let begin = p.lastRange?.begin ?? .unset
            let outcome = try handler(p, &section)
            p.warn("\(name) has no effect: \(reason)", at: LocusRange(begin: begin, end: p.lastRange?.end ?? .unset))
            return outcome
        }
    }
}
