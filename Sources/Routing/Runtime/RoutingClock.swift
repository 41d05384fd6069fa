#if canImport(Glibc)
import Glibc
#endif

/// Time source for session expiry and token buckets, injectable for tests.
public protocol RoutingClock: Sendable {
    /// Nanoseconds on a monotonic scale (the origin is irrelevant).
    func nanoseconds() -> UInt64
}

/// CLOCK_MONOTONIC. Pound uses the real-time clock; only differences matter here,
/// and the monotonic clock does not jump when the system time is set.
public struct MonotonicClock: RoutingClock {
    public init() {}

    public func nanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }
}
