/// The decisions of one backend's health checks, apart from any I/O: which backends
/// get probed, and how the answers (counted consecutively) turn into death and
/// revival. The driver feeds it the backend's current alive flag with each result,
/// since the engine may kill the backend in between (a failed connect).
public struct HealthCheckState: Sendable, Equatable {
    /// How a backend is checked.
    public enum Policy: Sendable, Equatable {
        /// Pound 4: only dead backends are probed (a TCP connect); one answer revives.
        case resurrect
        /// Pound 2.x `HAport`: every backend is probed; one failure kills, one answer
        /// revives.
        case haPort
        /// Pounce's HTTP check: `fall` consecutive failures kill a live backend,
        /// `rise` consecutive good answers revive a dead one (HAProxy's counting).
        case http(rise: Int, fall: Int)

        var rise: Int {
            if case .http(let rise, _) = self { return max(rise, 1) }
            return 1
        }

        /// nil: probes never kill.
        var fall: Int? {
            switch self {
            case .resurrect: nil
            case .haPort: 1
            case .http(_, let fall): max(fall, 1)
            }
        }
    }

    /// What one probe found.
    public enum Outcome: Sendable, Equatable {
        case success
        case failure(reason: String)
    }

    /// What the driver must do to the backend.
    public enum Transition: Sendable, Equatable {
        case revive
        case kill(reason: String)
    }

    public let policy: Policy
    /// Consecutive good answers since the last failure or state change.
    public private(set) var successes = 0
    /// Consecutive failures since the last good answer or state change.
    public private(set) var failures = 0
    /// The alive flag as this machine last saw or set it. A different flag at the next
    /// result means someone else changed it, and the counting restarts: a backend the
    /// engine killed needs `rise` fresh answers.
    private var seenAlive: Bool

    public init(policy: Policy, alive: Bool = true) {
        self.policy = policy
        self.seenAlive = alive
    }

    /// Whether to probe a backend whose alive flag is `alive` now.
    public func wantsProbe(alive: Bool) -> Bool {
        policy.fall != nil || !alive
    }

    /// Takes a probe's `outcome` for a backend whose alive flag is now `alive`.
    public mutating func record(_ outcome: Outcome, alive: Bool) -> Transition? {
        if alive != seenAlive {
            seenAlive = alive
            successes = 0
            failures = 0
        }
        switch outcome {
        case .success:
            failures = 0
            guard !alive else { return nil }
            successes += 1
            guard successes >= policy.rise else { return nil }
            successes = 0
            seenAlive = true
            return .revive
        case .failure(let reason):
            successes = 0
            guard alive, let fall = policy.fall else { return nil }
            failures += 1
            guard failures >= fall else { return nil }
            failures = 0
            seenAlive = false
            return .kill(reason: reason)
        }
    }
}
