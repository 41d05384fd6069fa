/// Pound's `random` balancer (`rand_select`): a number below the sum of the usable
/// backends' priorities picks the backend whose cumulative priority passes it, in
/// configuration order. A priority-0 backend is therefore never chosen (Pound 4.23
/// rejects `Priority 0` in the file; model values may still carry it).
public struct RandomBalancer: Balancer {
    public let random: any RandomSource

    public init(random: any RandomSource) {
        self.random = random
    }

    public func choose(from candidates: BalancerCandidates) -> Int? {
        var sum: UInt64 = 0
        for i in 0..<candidates.count where candidates.usable[i] {
            sum &+= UInt64(max(candidates.priorities[i], 0))
        }
        guard sum > 0 else { return nil }
        var pick = Int64(bitPattern: random.next(below: sum))
        for i in 0..<candidates.count where candidates.usable[i] {
            pick -= Int64(max(candidates.priorities[i], 0))
            if pick < 0 { return i }
        }
        return nil
    }

    public struct Factory: BalancerFactory {
        public let random: any RandomSource
        public init(random: any RandomSource) { self.random = random }
        public func makeBalancer(priorities: [Int]) -> any Balancer { RandomBalancer(random: random) }
    }
}
