/// Statements Pounce reads for compatibility with Pound but does not carry out.
///
/// The project's rule is that nothing is accepted and silently ignored:
/// - a statement whose absence would make the proxy behave differently from Pound is
///   refused (`Resolve first|all|srv`: dynamic backends);
/// - a statement that only tunes what Pounce does not have (Pound's worker thread pool
///   and connection queue, its supervisor process, the DNS settings of dynamic
///   backends) is accepted with a warning naming it, so configurations shared with
///   Pound still load.
///
/// Every such statement is listed here; the section tables pass their statements
/// through `global(_:)` and `backend(_:)`, and `ServiceFinalizer` asks
/// `dynamicBackendRefusal(_:)` once a backend turns out to need run-time resolution.
/// (`WorkerMaxCount`/`Threads` cap the number of event loops, so they are not here;
/// `SSLEngine` and `ECDHCurve` print Pound's own "statement ignored".)
public enum UnsupportedStatements {
    static let noWorkerPool = "pounce is event-driven and has no worker thread pool"
    static let noConnectionQueue = "pounce is event-driven and has no connection queue"
    static let noSupervisor = "pounce starts no supervisor process; let the service manager restart it"
    public static let noDynamicBackends = "dynamic backends are not supported by this version of pounce"

    /// Top-level statements that are accepted with a warning.
    static func global(_ list: [Statement<PoundConfiguration>]) -> [Statement<PoundConfiguration>] {
        list.map { s in
            switch s.name {
            case "WorkerMinCount", "WorkerIdleTimeout", "WorkerStackSize": s.withoutEffect(noWorkerPool)
            case "ConnectionQueueSize", "ReserveFD": s.withoutEffect(noConnectionQueue)
            // `Supervisor no` is what Pounce does anyway.
            case "Supervisor": s.withoutEffect(noSupervisor, when: { $0.supervisor })
            case "Resolver": s.withoutEffect(noDynamicBackends)
            default: s
            }
        }
    }

    /// Backend statements that are accepted with a warning: they only concern dynamic
    /// backends, which `Resolve` cannot create here (in Pound too they do nothing on a
    /// backend resolved once).
    static func backend(_ list: [Statement<BackendDraft>]) -> [Statement<BackendDraft>] {
        list.map { s in
            switch s.name {
            case "IgnoreSRVWeight", "OverrideTTL", "RetryInterval": s.withoutEffect(noDynamicBackends)
            default: s
            }
        }
    }

    /// The error for a backend whose `Resolve` mode asks for periodic resolution
    /// (Pound's dynamic backends): `Resolve first: dynamic backends are not supported...`.
    static func dynamicBackendRefusal(_ mode: Backend.ResolveMode) -> String {
        let word: String
        switch mode {
        case .immediate: word = "immediate"
        case .first: word = "first"
        case .all: word = "all"
        case .srv: word = "srv"
        }
        return "Resolve \(word): \(noDynamicBackends)"
    }
}

extension Statement {
    /// This statement, parsed as before, followed by a warning naming it (from its
    /// keyword to its last token) when `applies` holds for what it set.
    func withoutEffect(_ reason: String, when applies: @escaping (Section) -> Bool = { _ in true }) -> Statement {
        let handler = self.handler
        let name = self.name
        return Statement(name, deprecated: deprecation) { p, section in
            let begin = p.lastRange?.begin ?? .unset
            let outcome = try handler(p, &section)
            if applies(section) {
                p.warn("\(name) has no effect: \(reason)", at: LocusRange(begin: begin, end: p.lastRange?.end ?? .unset))
            }
            return outcome
        }
    }
}
