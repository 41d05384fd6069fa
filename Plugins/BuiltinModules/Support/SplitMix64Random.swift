import Synchronization

/// SplitMix64 over one atomic counter: lock-free, allocation-free and cheap
/// (`SystemRandomNumberGenerator` makes a system call per number). Its statistical
/// quality is ample for spreading requests; unpredictability is not needed.
/// Seeded, it is deterministic when used from one thread (tests).
public final class SplitMix64Random: RandomNumberSource {
    private let state: Atomic<UInt64>

    public init(seed: UInt64) {
        state = Atomic(seed)
    }

    /// Seeded from the system generator, so two processes draw differently.
    public convenience init() {
        var g = SystemRandomNumberGenerator()
        self.init(seed: g.next())
    }

    public func nextUInt64() -> UInt64 {
        let s = state.wrappingAdd(0x9E37_79B9_7F4A_7C15, ordering: .relaxed).newValue
        var z = s
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Rejection sampling against modulo bias, as Pound's `random_in_range`.
    public func next(below upperBound: UInt64) -> UInt64 {
        guard upperBound > 1 else { return 0 }
        let threshold = (0 &- upperBound) % upperBound
        while true {
            let r = nextUInt64()
            if r >= threshold { return r % upperBound }
        }
    }
}
