import Testing
@testable import ProxyCore

@Suite struct HealthCheckStateTests {
    private let bad = HealthCheckState.Outcome.failure(reason: "status 503")

    @Test func resurrectionProbesOnlyDeadBackends() {
        let state = HealthCheckState(policy: .resurrect)
        #expect(!state.wantsProbe(alive: true))
        #expect(state.wantsProbe(alive: false))
    }

    @Test func resurrectionNeverKillsAndOneAnswerRevives() {
        var state = HealthCheckState(policy: .resurrect)
        #expect(state.record(bad, alive: true) == nil)
        #expect(state.record(bad, alive: false) == nil)
        #expect(state.record(.success, alive: false) == .revive)
    }

    @Test func haPortProbesEveryoneKillsAtOnceRevivesAtOnce() {
        var state = HealthCheckState(policy: .haPort)
        #expect(state.wantsProbe(alive: true))
        #expect(state.record(.success, alive: true) == nil)
        #expect(state.record(.failure(reason: "refused"), alive: true) == .kill(reason: "refused"))
        #expect(state.record(.failure(reason: "refused"), alive: false) == nil)
        #expect(state.record(.success, alive: false) == .revive)
    }

    @Test func httpFallCountsConsecutiveFailures() {
        var state = HealthCheckState(policy: .http(rise: 2, fall: 3))
        #expect(state.record(bad, alive: true) == nil)
        #expect(state.record(bad, alive: true) == nil)
        // A good answer in between restarts the count.
        #expect(state.record(.success, alive: true) == nil)
        #expect(state.record(bad, alive: true) == nil)
        #expect(state.record(bad, alive: true) == nil)
        #expect(state.failures == 2)
        #expect(state.record(bad, alive: true) == .kill(reason: "status 503"))
        #expect(state.failures == 0)
    }

    @Test func httpRiseCountsConsecutiveSuccesses() {
        var state = HealthCheckState(policy: .http(rise: 2, fall: 1))
        #expect(state.record(bad, alive: true) == .kill(reason: "status 503"))
        #expect(state.record(.success, alive: false) == nil)
        #expect(state.record(bad, alive: false) == nil)
        #expect(state.successes == 0)
        #expect(state.record(.success, alive: false) == nil)
        #expect(state.record(.success, alive: false) == .revive)
        #expect(state.record(.success, alive: true) == nil)
    }

    @Test func passiveKillNeedsRiseFreshAnswers() {
        var state = HealthCheckState(policy: .http(rise: 3, fall: 2))
        #expect(state.record(.success, alive: true) == nil)
        // The engine killed it (failed connect) between two checks.
        #expect(state.record(.success, alive: false) == nil)
        #expect(state.record(.success, alive: false) == nil)
        #expect(state.record(.success, alive: false) == .revive)
    }

    @Test func externalRevivalRestartsFailureCount() {
        var state = HealthCheckState(policy: .http(rise: 1, fall: 2))
        #expect(state.record(bad, alive: true) == nil)
        #expect(state.record(bad, alive: true) == .kill(reason: "status 503"))
        // Revived elsewhere (e.g. the control interface): counting starts over.
        #expect(state.record(bad, alive: true) == nil)
        #expect(state.record(bad, alive: true) == .kill(reason: "status 503"))
    }

    @Test func riseAndFallBelowOneActAsOne() {
        var state = HealthCheckState(policy: .http(rise: 0, fall: 0))
        #expect(state.record(bad, alive: true) == .kill(reason: "status 503"))
        #expect(state.record(.success, alive: false) == .revive)
    }

    @Test func statusLineJudgement() {
        func line(_ s: String) -> [UInt8] { Array(s.utf8) }
        #expect(HTTPCheckHandler.status(of: line("HTTP/1.1 200 OK\r\n")) == 200)
        #expect(HTTPCheckHandler.status(of: line("HTTP/1.0 503\r\n")) == 503)
        #expect(HTTPCheckHandler.status(of: line("HTTP/1.1 2000 OK\r\n")) == nil)
        #expect(HTTPCheckHandler.status(of: line("ICY 200 OK\r\n")) == nil)
        #expect(HTTPCheckHandler.status(of: line("HTTP/1.1 099 x\r\n")) == nil)
        #expect(HTTPCheckHandler.judge(statusLine: line("HTTP/1.1 204 No Content\r\n"), expect: 200...299) == .success)
        #expect(HTTPCheckHandler.judge(statusLine: line("HTTP/1.1 503 Busy\r\n"), expect: 200...299)
                == .failure(reason: "status 503"))
        #expect(HTTPCheckHandler.judge(statusLine: line("garbage\n"), expect: 200...299)
                == .failure(reason: "bad status line"))
    }

    @Test func requestText() {
        #expect(HTTPCheckHandler.request(method: "HEAD", path: "/check.txt", host: "10.0.0.1:8080")
                == "HEAD /check.txt HTTP/1.1\r\nHost: 10.0.0.1:8080\r\nConnection: close\r\n\r\n")
    }
}
