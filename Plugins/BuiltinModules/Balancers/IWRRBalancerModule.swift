import PounceModuleAPI
import Synchronization

/// Balancer `iwrr`: Pound's interleaved weighted round robin (`iwrr_select`),
/// lock-free.
///
/// Pound keeps a cursor (current backend) and a round number. Each step looks at
/// the backend under the cursor: if it is usable and the round is below its weight
/// it is the answer; either way the cursor moves on, and when it wraps the round
/// advances modulo `max + 1`, where `max` is the highest weight among usable
/// backends. For weights 3, 2, 1 (A, B, C) the rounds select A B C, A B, A, and
/// nothing (round 3): the sequence repeats A B C A B A.
///
/// Here the (round, cursor) pair lives in one atomic word; a choice scans forward
/// from it exactly as Pound does and publishes the new pair with compare-and-swap
/// (retrying if another thread moved it first). So for a fixed usable set the
/// sequence is Pound's, and when the set changes (a backend dies or comes back) the
/// rotation continues from where it was, as in Pound, instead of restarting.
public final class IWRRBalancerModule: BalancerModule {
    private let weights: [Int]
    private let state = Atomic<UInt64>(0)

    public init(setup: BalancerSetup) {
        weights = setup.backends.map(\.weight)
    }

    public func choose(usable: UnsafeBufferPointer<Bool>, key: String?) -> Int? {
        weights.withUnsafeBufferPointer { weights in
            let n = min(usable.count, weights.count)
            guard n > 0 else { return nil }
            var maxWeight = 0
            for i in 0..<n where usable[i] {
                maxWeight = max(maxWeight, weights[i])
            }
            // Pound would spin forever here (it only checks that the service as a
            // whole has an active backend); this group simply cannot serve.
            guard maxWeight > 0 else { return nil }
            let modulus = UInt64(maxWeight) + 1

            var current = state.load(ordering: .relaxed)
            while true {
                var round = current >> 32
                var cursor = Int(current & 0xFFFF_FFFF)
                if cursor >= n { cursor = 0; round = 0 }
                var chosen: Int?
                // At most the rest of this round, one round that may select nothing
                // (round == max, or a stale round above a new, lower max), and one
                // that selects something.
                var steps = 3 * n + 1
                while chosen == nil && steps > 0 {
                    if usable[cursor] && round < UInt64(max(weights[cursor], 0)) {
                        chosen = cursor
                    }
                    cursor += 1
                    if cursor == n {
                        cursor = 0
                        round = (round + 1) % modulus
                    }
                    steps -= 1
                }
                guard let chosen else { return nil }
                let next = round << 32 | UInt64(cursor)
                let (exchanged, original) = state.compareExchange(
                    expected: current, desired: next, ordering: .relaxed)
                if exchanged { return chosen }
                current = original
            }
        }
    }
}
