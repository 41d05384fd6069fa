import PounceModuleAPI
import Testing
@testable import BuiltinModules

@Suite struct LeastConnBalancerTests {
    @Test func picksTheLeastLoaded() {
        let b = LeastConnBalancerModule(setup: setup("leastconn", [1, 1, 1]))
        #expect(b.countsRequests)
        b.requestStarted(on: 0)
        b.requestStarted(on: 0)
        b.requestStarted(on: 2)
        for _ in 0..<3 { #expect(choose(b, usable: [true, true, true]) == 1) }
        for _ in 0..<3 { b.requestStarted(on: 1) }
        #expect(choose(b, usable: [true, true, true]) == 2)
        b.requestFinished(on: 0)
        b.requestFinished(on: 0)
        #expect(b.requestsInFlight(on: 0) == 0)
        #expect(choose(b, usable: [true, true, true]) == 0)
        // The least loaded backend is skipped when unusable.
        #expect(choose(b, usable: [false, true, true]) == 2)
        #expect(choose(b, usable: [false, false, false]) == nil)
    }

    /// Load is (in flight + 1) / weight: weights 1 and 3 share concurrent requests 1:3.
    @Test func honoursWeights() {
        let b = LeastConnBalancerModule(setup: setup("leastconn", [1, 3]))
        var counts = [0, 0]
        for n in 1...8 {
            guard let i = choose(b, usable: [true, true]) else { Issue.record("no choice"); return }
            counts[i] += 1
            b.requestStarted(on: i)
            if n == 4 { #expect(counts == [1, 3]) }
        }
        #expect(counts == [2, 6])
        #expect(b.requestsInFlight(on: 1) == 6)
        // With nothing in flight the heavier backend goes first.
        let c = LeastConnBalancerModule(setup: setup("leastconn", [1, 3]))
        #expect(choose(c, usable: [true, true]) == 1)
        #expect(choose(LeastConnBalancerModule(setup: setup("leastconn", [0, 1])), usable: [true, false]) == nil)
    }

    @Test func tiesGoRoundRobin() {
        let b = LeastConnBalancerModule(setup: setup("leastconn", [1, 1, 1]))
        var seen: [Int] = []
        for _ in 0..<3 { if let i = choose(b, usable: [true, true, true]) { seen.append(i) } }
        #expect(seen.sorted() == [0, 1, 2])
    }

    @Test func strayReportsAreHarmless() {
        let b = LeastConnBalancerModule(setup: setup("leastconn", [1, 1]))
        b.requestFinished(on: 0)          // more ends than starts
        b.requestStarted(on: 7)           // out of range
        b.requestFinished(on: -1)
        b.requestStarted(on: 1)
        // Backend 0 counts as idle, not as better than idle.
        #expect(choose(b, usable: [true, true]) == 0)
        #expect(b.requestsInFlight(on: 7) == 0)
    }

    @Test func countsStayExactAcrossThreads() async {
        let b = LeastConnBalancerModule(setup: setup("leastconn", [1, 1]))
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    for _ in 0..<5_000 {
                        if let i = choose(b, usable: [true, true]) {
                            b.requestStarted(on: i)
                            b.requestFinished(on: i)
                        }
                    }
                }
            }
        }
        #expect(b.requestsInFlight(on: 0) == 0)
        #expect(b.requestsInFlight(on: 1) == 0)
    }
}
