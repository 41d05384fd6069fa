import PounceModuleAPI
import Testing
@testable import BuiltinModules

@Suite struct IWRRBalancerTests {
    let all = [true, true, true]

    /// Pound's iwrr for weights 3, 2, 1: round 0 takes A B C, round 1 A B, round 2
    /// A, round 3 (= max weight) nobody, then round 0 again: the cycle is A B C A B A.
    @Test func sequenceMatchesPound() {
        let b = IWRRBalancerModule(setup: setup("iwrr", [3, 2, 1]))
        #expect(letters(b, 12, usable: all) == "ABCABAABCABA")
    }

    @Test func equalWeightsIsRoundRobin() {
        let b = IWRRBalancerModule(setup: setup("iwrr", [5, 5, 5]))
        #expect(letters(b, 9, usable: all) == "ABCABCABC")
    }

    /// When a backend dies, Pound keeps its cursor and round: the rotation goes on
    /// from where it was with the remaining backends (max weight now 2).
    @Test func continuesWhenTheUsableSetChanges() {
        let b = IWRRBalancerModule(setup: setup("iwrr", [3, 2, 1]))
        #expect(letters(b, 2, usable: all) == "AB")        // cursor at C, round 0
        // C (round 0); round 1: B; round 2 (= new max): nobody; round 0: B C; ...
        #expect(letters(b, 6, usable: [false, true, true]) == "CBBCBB")
        #expect(letters(b, 1, usable: all) == "C")
    }

    /// Recorded from Pound 4.23 (Priority 3/2/1, the first server stopped after two
    /// requests): A B C, then request 4 picks A, which fails, and the retry takes
    /// the next choice, B; then B C B B C B.
    @Test func failoverTraceRecordedFromPound() {
        let b = IWRRBalancerModule(setup: setup("iwrr", [3, 2, 1]))
        #expect(letters(b, 3, usable: all) == "ABC")
        #expect(choose(b, usable: all) == 0)
        #expect(letters(b, 7, usable: [false, true, true]) == "BBCBBCB")
    }

    @Test func zeroWeightIsNeverChosen() {
        let b = IWRRBalancerModule(setup: setup("iwrr", [0, 2]))
        #expect(letters(b, 3, usable: [true, true]) == "BBB")
        // Pound's iwrr would loop forever here.
        #expect(choose(IWRRBalancerModule(setup: setup("iwrr", [0, 0])), usable: [true, true]) == nil)
        #expect(choose(IWRRBalancerModule(setup: setup("iwrr", [1, 1])), usable: [false, false]) == nil)
    }

    @Test func isConsistentAcrossThreads() async {
        let b = IWRRBalancerModule(setup: setup("iwrr", [3, 2, 1]))
        let counts = await withTaskGroup(of: [Int].self) { group in
            for _ in 0..<4 {
                group.addTask {
                    var c = [0, 0, 0]
                    for _ in 0..<6_000 { if let i = choose(b, usable: [true, true, true]) { c[i] += 1 } }
                    return c
                }
            }
            var total = [0, 0, 0]
            for await c in group { for i in 0..<3 { total[i] += c[i] } }
            return total
        }
        // 24 000 choices are exactly 4 000 cycles of A B C A B A, whatever the interleaving.
        #expect(counts == [12_000, 8_000, 4_000])
    }
}
