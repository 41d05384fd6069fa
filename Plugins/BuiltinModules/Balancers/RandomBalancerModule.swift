import PounceModuleAPI

/// Balancer `random`, Pound's default: weighted random over the usable backends
/// (`rand_select`; see `WeightedPick`).
public final class RandomBalancerModule: BalancerModule {
    private let weights: [Int]
    private let random: any RandomNumberSource

    /// `random` defaults to a lock-free generator seeded from the system.
    public init(setup: BalancerSetup, random: any RandomNumberSource = SplitMix64Random()) {
        weights = setup.backends.map(\.weight)
        self.random = random
    }

    public func choose(usable: UnsafeBufferPointer<Bool>, key: String?) -> Int? {
        weights.withUnsafeBufferPointer { WeightedPick.choose(usable: usable, weights: $0, random: random) }
    }
}
