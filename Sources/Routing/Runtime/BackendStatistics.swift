import Synchronization

/// Per-backend request statistics for `BackendStats on` (Pound's `numreq`,
/// `avgtime`, `avgsqtime`). Pound updates a running mean under the backend's
/// mutex; here every event loop adds to shared sums with atomics instead, so the
/// request path takes no lock, and the mean and deviation are derived at read time.
public final class BackendStatistics: Sendable {
    private let count = Atomic<UInt64>(0)
    private let totalNanos = Atomic<UInt64>(0)
    /// Sum of squared durations, a Double kept as its bit pattern (nanoseconds
    /// squared overflow any integer after a few long requests).
    private let squaresBits = Atomic<UInt64>(0)

    public init() {}

    /// Adds one request that took `nanos` in its backend.
    public func record(nanos: UInt64) {
        totalNanos.wrappingAdd(nanos, ordering: .relaxed)
        let square = Double(nanos) * Double(nanos)
        var old = squaresBits.load(ordering: .relaxed)
        while true {
            let new = (Double(bitPattern: old) + square).bitPattern
            let (exchanged, current) = squaresBits.compareExchange(expected: old, desired: new, ordering: .relaxed)
            if exchanged { break }
            old = current
        }
        // Counted last, so a reader that sees the count mostly sees its sums too.
        count.wrappingAdd(1, ordering: .relaxed)
    }

    /// Requests so far, and with at least one their mean duration and standard
    /// deviation in nanoseconds (Pound's `sqrt(avgsq - avg²)`).
    public var snapshot: (requests: UInt64, average: Double?, deviation: Double?) {
        let n = count.load(ordering: .relaxed)
        guard n > 0 else { return (0, nil, nil) }
        let mean = Double(totalNanos.load(ordering: .relaxed)) / Double(n)
        let meanSquare = Double(bitPattern: squaresBits.load(ordering: .relaxed)) / Double(n)
        // Readers racing a writer can see sums from different moments: never negative.
        return (n, mean, max(meanSquare - mean * mean, 0).squareRoot())
    }
}
