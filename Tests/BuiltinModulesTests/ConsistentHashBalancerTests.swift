import PounceModuleAPI
import Testing
@testable import BuiltinModules

@Suite struct ConsistentHashBalancerTests {
    let keys = (0..<1_000).map { "session-\($0)" }

    func backends(_ addresses: [String], weights: [Int]? = nil) -> BalancerSetup {
        BalancerSetup(name: "chash", backends: addresses.enumerated().map {
            BalancerSetup.Backend(address: $0.element, weight: weights?[$0.offset] ?? 1)
        })
    }

    let five = ["10.0.0.1:8080", "10.0.0.2:8080", "10.0.0.3:8080", "[2001:db8::4]:8080", "/run/app.sock"]

    /// Two instances made separately, as two Pounce processes would, agree on every
    /// key; so does a configuration listing the same backends in another order.
    @Test func sameKeySameBackendAcrossInstances() {
        for weights in [[1, 1, 1, 1, 1], [1, 2, 3, 4, 5]] {
            let a = ConsistentHashBalancerModule(setup: backends(five, weights: weights))
            let b = ConsistentHashBalancerModule(setup: backends(five, weights: weights))
            let reversed = ConsistentHashBalancerModule(setup: backends(five.reversed(), weights: weights.reversed()))
            let usable = [Bool](repeating: true, count: 5)
            var used = Set<Int>()
            for key in keys {
                let x = choose(a, usable: usable, key: key)
                #expect(x != nil)
                #expect(choose(b, usable: usable, key: key) == x)
                #expect(choose(a, usable: usable, key: key) == x)
                if let x {
                    used.insert(x)
                    #expect(choose(reversed, usable: usable, key: key) == 4 - x)
                }
            }
            #expect(used.count == 5)
        }
    }

    /// A backend going down moves only its own keys; when it comes back they return.
    /// A configuration without it gives the same answers by address.
    @Test func removingABackendMovesOnlyItsKeys() {
        for weights in [[1, 1, 1, 1, 1], [1, 2, 3, 4, 5]] {
            let b = ConsistentHashBalancerModule(setup: backends(five, weights: weights))
            let without = ConsistentHashBalancerModule(setup: backends(
                [five[0], five[1], five[3], five[4]], weights: [weights[0], weights[1], weights[3], weights[4]]))
            let all = [Bool](repeating: true, count: 5)
            let down = [true, true, false, true, true]
            var moved = 0
            for key in keys {
                guard let before = choose(b, usable: all, key: key),
                      let after = choose(b, usable: down, key: key) else {
                    Issue.record("no choice for \(key)")
                    continue
                }
                if before == 2 {
                    moved += 1
                    #expect(after != 2)
                } else {
                    #expect(after == before)
                }
                let other = choose(without, usable: [true, true, true, true], key: key)
                #expect(other.map { five[[0, 1, 3, 4][$0]] } == five[after])
                #expect(choose(b, usable: all, key: key) == before)
            }
            // Backend 2 held its share of the keys (1/5, or 3/15), give or take.
            let share = Double(weights[2]) / Double(weights.reduce(0, +))
            #expect(abs(Double(moved) / Double(keys.count) - share) < 0.05)
        }
    }

    @Test func weightsSetTheShares() {
        let b = ConsistentHashBalancerModule(setup: backends(["10.0.0.1:80", "10.0.0.2:80"], weights: [1, 3]))
        var counts = [0, 0]
        for k in 0..<10_000 { if let i = choose(b, usable: [true, true], key: "user\(k)") { counts[i] += 1 } }
        #expect(abs(counts[0] - 2_500) < 250)
        #expect(abs(counts[1] - 7_500) < 250)

        let equal = ConsistentHashBalancerModule(setup: backends(["a:1", "b:1", "c:1"]))
        var thirds = [0, 0, 0]
        for k in 0..<9_000 { if let i = choose(equal, usable: [true, true, true], key: "\(k)") { thirds[i] += 1 } }
        for c in thirds { #expect(abs(c - 3_000) < 250) }
    }

    @Test func withoutAKeyFallsBackToWeightedRandom() {
        // Sum 6: 0-2 → A, 3-4 → B, 5 → C, as `random`.
        let b = ConsistentHashBalancerModule(setup: setup("chash", [3, 2, 1]), random: ScriptedRandom([0, 3, 5, 3]))
        #expect(letters(b, 3, usable: [true, true, true]) == "ABC")
        // B unusable: sum 4, 3 → C.
        #expect(letters(b, 1, usable: [true, false, true]) == "C")
    }

    @Test func unusableAndZeroWeight() {
        let b = ConsistentHashBalancerModule(setup: setup("chash", [0, 1]))
        for key in keys.prefix(50) { #expect(choose(b, usable: [true, true], key: key) == 1) }
        #expect(choose(b, usable: [true, false], key: "k") == nil)
        let w = ConsistentHashBalancerModule(setup: setup("chash", [0, 1, 2]))
        for key in keys.prefix(50) { #expect(choose(w, usable: [true, true, true], key: key) != 0) }
        #expect(choose(w, usable: [false, false, false], key: "k") == nil)
        #expect(choose(w, usable: [false, false, false], key: nil) == nil)
    }

    /// The hash is part of the contract between Pounce nodes (and versions): these
    /// values must never change.
    @Test func stableHashIsPinned() {
        // Published FNV-1a 64 test vectors.
        #expect(StableHash.fnv1a64("".utf8) == 0xCBF2_9CE4_8422_2325)
        #expect(StableHash.fnv1a64("a".utf8) == 0xAF63_DC4C_8601_EC8C)
        #expect(StableHash.fnv1a64("foobar".utf8) == 0x8594_4171_F739_67E8)
        // MurmurHash3's fmix64 (a bijection fixing 0).
        #expect(StableHash.mix(0) == 0)
        #expect(StableHash.mix(1) == 0xB456_BCFC_34C2_CB2C)
        #expect(StableHash.of("session-42") == 0x3E6C_FDA4_2145_251E)
        #expect(StableHash.seed(of: "10.0.0.1:80") == 0xCAB4_CF99_20EA_5648)
        // Where some keys go, equal weights and not.
        let equal = ConsistentHashBalancerModule(setup: setup("chash", [1, 1, 1, 1]))
        let weighted = ConsistentHashBalancerModule(setup: setup("chash", [1, 2, 3, 4]))
        let sample = ["a", "b", "c", "d", "e", "f", "g", "h"]
        #expect(sample.compactMap { choose(equal, usable: [true, true, true, true], key: $0) } == [3, 1, 1, 0, 1, 1, 1, 3])
        #expect(sample.compactMap { choose(weighted, usable: [true, true, true, true], key: $0) } == [3, 3, 2, 3, 1, 2, 1, 3])
        #expect(ConsistentHashBalancerModule.unitInterval(0) > 0)
        #expect(ConsistentHashBalancerModule.unitInterval(.max) < 1)
    }
}
