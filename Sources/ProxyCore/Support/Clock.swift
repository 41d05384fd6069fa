#if canImport(Glibc)
import Glibc
#endif

/// Wall-clock time in nanoseconds (CLOCK_REALTIME, as Pound stamps requests).
enum Clock {
    static func nowNanos() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }
}
