import Synchronization
import PoundConfig

/// The buckets of one `TBF` condition, keyed by the expanded key template, with
/// Pound 4.23's arithmetic (tbf.c):
///
/// * a new key, or one idle past its expiry, starts with a full bucket (`burst`);
/// * otherwise one token is added per `rate` nanoseconds elapsed (whole tokens only:
///   the remainder carries over), never beyond `burst`;
/// * the bucket expires `(1 + burst - tokens) * rate` after the last request, the
///   time it takes to refill completely plus one token;
/// * a request passes if a token is left, and takes it.
///
/// One `Mutex` guards the table: it is one of the two shared structures allowed a
/// lock (the other is the session table). The critical section is a dictionary
/// lookup and a few integer operations; expired buckets are dropped by a sweep at
/// most once per `sweepInterval`.
final class TokenBucketTable: Sendable {
    struct Bucket {
        /// Time the token count refers to (advanced by whole tokens only).
        var stamp: UInt64
        var expiry: UInt64
        var tokens: UInt64
    }

    struct State {
        var buckets: [String: Bucket] = [:]
        var nextSweep: UInt64 = 0
    }

    let rate: UInt64
    let burst: UInt64
    private let clock: any RoutingClock
    private let state = Mutex(State())
    private let sweepInterval: UInt64

    init(rate: UInt64, burst: Int, clock: any RoutingClock) {
        self.rate = rate
        self.burst = UInt64(max(burst, 0))
        self.clock = clock
        // Buckets live at most (1 + burst) * rate; sweeping at that pace keeps the
        // table no larger than the keys seen in about two lifetimes.
        let lifetime = (self.burst &+ 1).multipliedReportingOverflow(by: rate)
        self.sweepInterval = lifetime.overflow ? UInt64.max / 2 : max(lifetime.partialValue, 1_000_000_000)
    }

    convenience init(_ model: PoundConfig.TokenBucket, clock: any RoutingClock) {
        self.init(rate: model.nanosecondsPerToken, burst: model.burst, clock: clock)
    }

    /// Takes a token for `key`: true when the request conforms, false when it
    /// exceeds the rate, nil for a bucket Pound cannot evaluate (rate or burst 0).
    func take(_ key: String) -> Bool? {
        guard burst > 0, rate > 0 else { return nil }
        let now = clock.nanoseconds()
        return state.withLock { state in
            if now >= state.nextSweep {
                state.buckets = state.buckets.filter { $0.value.expiry > now }
                state.nextSweep = now &+ sweepInterval
            }
            var b = state.buckets[key] ?? Bucket(stamp: 0, expiry: 0, tokens: 0)
            if state.buckets[key] == nil || now > b.expiry {
                b.stamp = now
                b.tokens = burst
            } else {
                let elapsed = now >= b.stamp ? now - b.stamp : 0
                let added = elapsed / rate
                b.stamp &+= added &* rate
                if added > burst || b.tokens >= burst - added {
                    b.tokens = burst
                } else {
                    b.tokens += added
                }
            }
            let (refill, overflow) = (1 + burst - b.tokens).multipliedReportingOverflow(by: rate)
            b.expiry = overflow ? UInt64.max : now &+ refill
            let passes = b.tokens != 0
            if passes { b.tokens -= 1 }
            state.buckets[key] = b
            return passes
        }
    }

    /// Number of buckets currently held (for tests and statistics).
    var count: Int { state.withLock { $0.buckets.count } }
}
