import Testing
@testable import Routing

@Suite struct TokenBucketTests {
    /// 10 tokens a second (one per 100 ms), burst 3.
    func table(_ clock: ManualClock) -> TokenBucketTable {
        TokenBucketTable(rate: 100_000_000, burst: 3, clock: clock)
    }

    @Test func burstThenRate() {
        let clock = ManualClock()
        let t = table(clock)
        #expect([t.take("k"), t.take("k"), t.take("k"), t.take("k")] == [true, true, true, false])
        clock.advance(seconds: 0.1)
        #expect([t.take("k"), t.take("k")] == [true, false])
        // Refill is capped at the burst.
        clock.advance(seconds: 10)
        #expect([t.take("k"), t.take("k"), t.take("k"), t.take("k")] == [true, true, true, false])
    }

    @Test func partialIntervalsCarryOver() {
        let clock = ManualClock()
        let t = table(clock)
        for _ in 0..<3 { _ = t.take("k") }
        clock.advance(seconds: 0.15)          // 1 token; 50 ms carried
        #expect([t.take("k"), t.take("k")] == [true, false])
        clock.advance(seconds: 0.05)          // 100 ms since the token's stamp
        #expect(t.take("k") == true)
    }

    @Test func keysAreIndependentAndExpire() {
        let clock = ManualClock()
        let t = table(clock)
        for _ in 0..<3 { _ = t.take("a") }
        #expect(t.take("a") == false)
        #expect(t.take("b") == true)
        // Past its expiry ((1 + burst - tokens) * rate = 400 ms for an empty
        // bucket) a bucket starts full again, and the sweep drops idle ones.
        clock.advance(seconds: 5)
        #expect(t.take("c") == true)
        #expect(t.count == 1)
        #expect([t.take("a"), t.take("a"), t.take("a"), t.take("a")] == [true, true, true, false])
    }

    @Test func zeroBurstIsAnError() {
        #expect(TokenBucketTable(rate: 1, burst: 0, clock: ManualClock()).take("k") == nil)
    }

    @Test func tbfConditionKeyedByTemplate() throws {
        let clock = ManualClock()
        let t = try routing("""
        ListenHTTP
          Service "limited"
            URL "^/api"
            Not TBF "%[header X-Client]" 10 2
            Error 429
          End
          Service "api"
            URL "^/api"
        \(backend(9001))  End
          Service "broken"
            TBF "$5" 10 2
        \(backend(9002))  End
        End
        """, options: RoutingOptions(clock: clock))
        let a = request("GET", "/api", headers: [("X-Client", "a")])
        let b = request("GET", "/api", headers: [("X-Client", "b")])
        #expect([selected(t, a), selected(t, a), selected(t, a), selected(t, b)] == ["api", "api", "limited", "api"])
        clock.advance(seconds: 0.1)
        #expect([selected(t, a), selected(t, a)] == ["api", "limited"])
        // A key template that cannot be expanded fails the request (500).
        #expect(selected(t, request("GET", "/x")) == "500")
    }
}
