import PounceModuleAPI
import Testing
@testable import BuiltinModules

@Suite struct RandomBalancerTests {
    @Test func theDrawMapsOntoCumulativeWeights() {
        // Sum 6: 0-2 → A, 3-4 → B, 5 → C.
        let r = RandomBalancerModule(setup: setup("random", [3, 2, 1]), random: ScriptedRandom([0, 2, 3, 4, 5]))
        #expect(letters(r, 5, usable: [true, true, true]) == "AABBC")
        // B unusable: sum 4, 3 → C.
        let t = RandomBalancerModule(setup: setup("random", [3, 2, 1]), random: ScriptedRandom([3, 2]))
        #expect(letters(t, 2, usable: [true, false, true]) == "CA")
    }

    @Test func isRoughlyProportional() {
        let r = RandomBalancerModule(setup: setup("random", [3, 2, 1]), random: SplitMix64Random(seed: 42))
        var counts = [0, 0, 0]
        for _ in 0..<60_000 {
            if let i = choose(r, usable: [true, true, true]) { counts[i] += 1 }
        }
        #expect(abs(counts[0] - 30_000) < 900)
        #expect(abs(counts[1] - 20_000) < 900)
        #expect(abs(counts[2] - 10_000) < 900)
    }

    @Test func zeroWeightAndNothingUsable() {
        let r = RandomBalancerModule(setup: setup("random", [0, 2]), random: ScriptedRandom([0, 1]))
        #expect(letters(r, 2, usable: [true, true]) == "BB")
        #expect(choose(RandomBalancerModule(setup: setup("random", [0, 0])), usable: [true, true]) == nil)
        #expect(choose(RandomBalancerModule(setup: setup("random", [1, 1])), usable: [false, false]) == nil)
    }

    @Test func theDefaultGeneratorSpreads() {
        let r = RandomBalancerModule(setup: setup("random", [1, 1]))
        var seen = Set<Int>()
        for _ in 0..<200 { if let i = choose(r, usable: [true, true]) { seen.insert(i) } }
        #expect(seen == [0, 1])
    }
}
