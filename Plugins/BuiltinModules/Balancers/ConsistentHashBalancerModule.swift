#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import PounceModuleAPI

/// Balancer `chash`: consistent hashing of the session key over the usable
/// backends, weighted: weighted rendezvous (highest random weight) hashing.
///
/// Each backend scores the key with a hash of (its address, the key) mapped to
/// u in (0, 1); its score is -weight / ln(u) and the highest score wins. Hence:
/// - no shared state: two Pounce processes with the same backends (same addresses
///   and weights) send a key to the same backend, because the hash is seedless
///   (`StableHash`, not Swift's per-process `Hasher`) and depends on the address,
///   not on the backend's position;
/// - minimal remapping: when a backend becomes unusable or is removed, only the
///   keys it held move (each to its second-best backend); the others keep their
///   winner. When it comes back they return;
/// - weights: a backend wins a share of the keys proportional to its weight (the
///   scores are exponential variates with rate weight).
///
/// When all weights are equal the score is monotonic in the hash, so the hashes are
/// compared as integers: no floating point, identical on every platform. With
/// different weights `log` is used; libm differences between platforms could only
/// matter for two scores within an ulp of each other.
///
/// A choice costs one pass over the key and one mixing round (plus a `log` when
/// weighted) per usable backend; nothing is allocated. A request without a key
/// falls back to Pound's weighted random choice.
public final class ConsistentHashBalancerModule: BalancerModule {
    private let weights: [Int]
    /// `StableHash.seed(of:)` of each backend's address.
    private let seeds: [UInt64]
    private let equalWeights: Bool
    private let random: any RandomNumberSource

    public init(setup: BalancerSetup, random: any RandomNumberSource = SplitMix64Random()) {
        weights = setup.backends.map(\.weight)
        seeds = setup.backends.map { StableHash.seed(of: $0.address) }
        let positive = weights.filter { $0 > 0 }
        equalWeights = positive.allSatisfy { $0 == positive.first }
        self.random = random
    }

    public func choose(usable: UnsafeBufferPointer<Bool>, key: String?) -> Int? {
        weights.withUnsafeBufferPointer { weights in
            guard let key else {
                return WeightedPick.choose(usable: usable, weights: weights, random: random)
            }
            return seeds.withUnsafeBufferPointer { seeds in
                let keyHash = StableHash.of(key)
                return equalWeights
                    ? Self.highestHash(keyHash, usable, weights, seeds)
                    : Self.highestScore(keyHash, usable, weights, seeds)
            }
        }
    }

    /// Equal weights: the largest pair hash wins (ties, which need a 64-bit
    /// collision, go to the lower index).
    private static func highestHash(_ keyHash: UInt64, _ usable: UnsafeBufferPointer<Bool>,
                                    _ weights: UnsafeBufferPointer<Int>,
                                    _ seeds: UnsafeBufferPointer<UInt64>) -> Int? {
        let n = min(usable.count, weights.count)
        var best = -1
        var bestHash: UInt64 = 0
        for i in 0..<n where usable[i] && weights[i] > 0 {
            let h = StableHash.pair(key: keyHash, seed: seeds[i])
            if best < 0 || h > bestHash {
                best = i
                bestHash = h
            }
        }
        return best < 0 ? nil : best
    }

    /// Weighted: the smallest -ln(u) / weight, i.e. the highest -weight / ln(u).
    private static func highestScore(_ keyHash: UInt64, _ usable: UnsafeBufferPointer<Bool>,
                                     _ weights: UnsafeBufferPointer<Int>,
                                     _ seeds: UnsafeBufferPointer<UInt64>) -> Int? {
        let n = min(usable.count, weights.count)
        var best = -1
        var bestCost = Double.infinity
        for i in 0..<n where usable[i] && weights[i] > 0 {
            let u = unitInterval(StableHash.pair(key: keyHash, seed: seeds[i]))
            let cost = -log(u) / Double(weights[i])
            if best < 0 || cost < bestCost {
                best = i
                bestCost = cost
            }
        }
        return best < 0 ? nil : best
    }

    /// The top 52 bits of `h` as a double strictly inside (0, 1), so ln(u) is finite
    /// and negative. (With 53 bits the largest value, 1 - 2^-54, would round to 1.)
    @inline(__always)
    static func unitInterval(_ h: UInt64) -> Double {
        (Double(h >> 12) + 0.5) * 0x1p-52
    }
}
