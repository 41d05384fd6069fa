/// When to start the next worker after one died, and when to give up keeping one
/// running. A worker that had served for a while is replaced at once: the listening
/// sockets stay open, so connections wait in the kernel's accept queue for the few
/// milliseconds a start takes. Deaths in quick succession (a worker that dies while
/// starting, a request that kills every worker that takes it) back off exponentially
/// up to `maximumDelay`, so a crash loop does not burn the CPU, and once `faultAfter`
/// came in a row the supervisor reports a fault (VRRP gives the floating address
/// away) until a worker serves again.
///
/// Times are seconds on a monotonic clock, passed in, so the logic is tested without
/// waiting.
public struct RestartBackoff: Sendable, Equatable {
    /// A worker that served this long before it died was not part of a crash loop.
    public var stableAfter: Double = 1
    public var firstDelay: Double = 0.1
    public var maximumDelay: Double = 5
    public var faultAfter: Int = 3

    /// Quick deaths in a row.
    public private(set) var consecutiveCrashes = 0

    public init() {}

    /// Records that a worker died at `now`, having served since `servedSince` (nil: it
    /// never got ready); returns how many seconds to wait before starting the next one.
    public mutating func workerDied(servedSince: Double?, now: Double) -> Double {
        if let servedSince, now - servedSince >= stableAfter { consecutiveCrashes = 0 }
        consecutiveCrashes += 1
        guard consecutiveCrashes > 1 else { return 0 }
        var delay = firstDelay
        for _ in 2..<consecutiveCrashes where delay < maximumDelay { delay *= 2 }
        return min(delay, maximumDelay)
    }

    /// No worker could be kept running: the last `faultAfter` deaths came in a row.
    public var isFaulty: Bool { consecutiveCrashes >= faultAfter }
}
