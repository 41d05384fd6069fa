import PounceModuleAPI
import Testing
@testable import BuiltinModules

@Suite struct RoundRobinBalancerTests {
    /// Smooth WRR spreads the heavier backend's turns: 3:1 is A A B A, not A A A B.
    @Test func threeToOneOverEveryCycle() {
        let b = RoundRobinBalancerModule(setup: setup("roundrobin", [3, 1]))
        #expect(letters(b, 8, usable: [true, true]) == "AABAAABA")
        var counts = [0, 0]
        for _ in 0..<400 { if let i = choose(b, usable: [true, true]) { counts[i] += 1 } }
        #expect(counts == [300, 100])
    }

    @Test func smoothScheduleShapes() {
        #expect(RoundRobinBalancerModule.smoothSchedule(weights: [5, 1, 1]) == [0, 0, 1, 0, 2, 0, 0])
        #expect(RoundRobinBalancerModule(setup: setup("roundrobin", [1, 1, 1])).schedule == [0, 1, 2])
        // Reduced by the common divisor.
        #expect(RoundRobinBalancerModule(setup: setup("roundrobin", [6, 2])).schedule == [0, 0, 1, 0])
        // Capped: Pound's largest weights still give a bounded cycle with everyone in it.
        let big = RoundRobinBalancerModule(setup: setup("roundrobin", [65_535, 65_534, 1])).schedule
        #expect(big.count <= RoundRobinBalancerModule.maxScheduleLength)
        #expect(Set(big) == [0, 1, 2])
    }

    @Test func skipsUnusableBackends() {
        let b = RoundRobinBalancerModule(setup: setup("roundrobin", [3, 1]))
        #expect(letters(b, 8, usable: [true, false]) == "AAAAAAAA")
        #expect(letters(b, 8, usable: [false, true]) == "BBBBBBBB")
        #expect(letters(b, 2, usable: [false, false]) == "--")
        let c = RoundRobinBalancerModule(setup: setup("roundrobin", [1, 1, 1]))
        // B's turns alternate between A and C, so each keeps half of the whole.
        #expect(letters(c, 6, usable: [true, false, true]) == "AACACC")
        var counts = [0, 0, 0]
        for _ in 0..<600 { if let i = choose(c, usable: [true, false, true]) { counts[i] += 1 } }
        #expect(counts == [300, 0, 300])
    }

    /// A dead backend holding most of the weight: the others still share its turns
    /// evenly.
    @Test func aHeavyDeadBackendsTurnsAreShared() {
        let b = RoundRobinBalancerModule(setup: setup("roundrobin", [1_000, 1, 1]))
        var counts = [0, 0, 0]
        for _ in 0..<1_002 { if let i = choose(b, usable: [false, true, true]) { counts[i] += 1 } }
        #expect(counts == [0, 501, 501])
    }

    @Test func zeroWeightIsNeverChosen() {
        let b = RoundRobinBalancerModule(setup: setup("roundrobin", [0, 2]))
        #expect(letters(b, 3, usable: [true, true]) == "BBB")
        #expect(letters(b, 1, usable: [true, false]) == "-")
        #expect(choose(RoundRobinBalancerModule(setup: setup("roundrobin", [0, 0])), usable: [true, true]) == nil)
    }

    @Test func exactAcrossThreads() async {
        let b = RoundRobinBalancerModule(setup: setup("roundrobin", [3, 1]))
        let counts = await withTaskGroup(of: [Int].self) { group in
            for _ in 0..<4 {
                group.addTask {
                    var c = [0, 0]
                    for _ in 0..<4_000 { if let i = choose(b, usable: [true, true]) { c[i] += 1 } }
                    return c
                }
            }
            var total = [0, 0]
            for await c in group { for i in 0..<2 { total[i] += c[i] } }
            return total
        }
        // Every choice takes one ticket: 16 000 tickets are 4 000 whole cycles.
        #expect(counts == [12_000, 4_000])
    }
}
