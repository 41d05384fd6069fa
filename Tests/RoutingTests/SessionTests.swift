import Testing
import HTTPWire
@testable import Routing

@Suite struct SessionTests {
    func service(_ session: String, clock: ManualClock = ManualClock(), backends: Int = 3) throws -> RuntimeService {
        var text = "ListenHTTP\n  Service \"s\"\n    Balancer iwrr\n    Session\n\(session)\n    End\n"
        for i in 0..<backends { text += backend(9000 + i, priority: 1) }
        text += "  End\nEnd\n"
        return try routing(text, options: RoutingOptions(clock: clock)).listeners[0].services[0]
    }

    func pick(_ s: RuntimeService, _ r: RoutingRequest) -> Int? { s.chooseBackend(for: r)?.index }

    @Test func ipSessionsStickAndExpire() throws {
        let clock = ManualClock()
        let s = try service("      Type IP\n      TTL 30", clock: clock)
        let a = request("GET", "/", client: "10.0.0.1")
        let b = request("GET", "/", client: "10.0.0.2")
        #expect(pick(s, a) == 0)
        #expect(pick(s, b) == 1)
        #expect([pick(s, a), pick(s, a), pick(s, b)] == [0, 0, 1])
        // Each use renews the TTL.
        clock.advance(seconds: 20)
        #expect(pick(s, a) == 0)
        clock.advance(seconds: 20)
        #expect(pick(s, a) == 0)
        #expect(s.sessions?.backend(forKey: "10.0.0.2") == nil)   // b idle for 40 s
        // Gone after 30 idle seconds: the balancer decides again (iwrr's next is C).
        clock.advance(seconds: 31)
        #expect(pick(s, a) == 2)
        #expect(pick(s, a) == 2)
    }

    @Test func cookieSessionLearnedFromSetCookie() throws {
        let s = try service("      Type COOKIE\n      ID \"JSESSIONID\"\n      TTL 300")
        let first = request("GET", "/login")
        // No cookie yet: the balancer decides and nothing is remembered.
        #expect(pick(s, first) == 0)
        #expect(s.sessions?.snapshot().isEmpty == true)
        let response = HTTPResponseHead(version: .http1_1, status: 200, reason: "OK",
                                        headers: ["Set-Cookie": "JSESSIONID=abc123; Path=/; HttpOnly"])
        s.learnSession(response: response, backend: s.backends[0])
        let next = request("GET", "/cart", headers: [("Cookie", "theme=dark; JSESSIONID=abc123")])
        #expect([pick(s, next), pick(s, next), pick(s, next)] == [0, 0, 0])
        // An unknown cookie value creates a session on the balancer's choice.
        let other = request("GET", "/", headers: [("Cookie", "JSESSIONID=zzz")])
        #expect(pick(s, other) == 1)
        #expect(pick(s, other) == 1)
        // A later Set-Cookie for an existing key does not move it.
        s.learnSession(response: response, backend: s.backends[2])
        #expect(pick(s, next) == 0)
    }

    @Test func headerAndBasicSessionsLearnFromResponses() throws {
        let h = try service("      Type HEADER\n      ID \"X-Session\"\n      TTL 60")
        h.learnSession(response: HTTPResponseHead(
            version: .http1_1, status: 200, reason: "OK", headers: ["X-Session": "t-1"]), backend: h.backends[2])
        #expect(pick(h, request("GET", "/", headers: [("x-session", "t-1")])) == 2)

        let b = try service("      Type BASIC\n      TTL 60")
        let alice = request("GET", "/", headers: [("Authorization", "Basic YWxpY2U6c2VjcmV0")])
        let bob = request("GET", "/", headers: [("Authorization", "Basic Ym9iOnNlY3JldA==")])
        #expect([pick(b, alice), pick(b, bob), pick(b, alice), pick(b, bob)] == [0, 1, 0, 1])
    }

    @Test func urlAndParmSessions() throws {
        let u = try service("      Type URL\n      ID \"sid\"\n      TTL 60")
        #expect([pick(u, request("GET", "/?sid=1")), pick(u, request("GET", "/?sid=2")),
                 pick(u, request("GET", "/x?a=b&sid=1"))] == [0, 1, 0])
        // No key: balanced, no session.
        #expect(pick(u, request("GET", "/")) == 2)

        let p = try service("      Type PARM\n      TTL 60")
        #expect([pick(p, request("GET", "/a;k1")), pick(p, request("GET", "/b;k2")),
                 pick(p, request("GET", "/c;k1?q"))] == [0, 1, 0])
    }

    @Test func deadBackendsLoseTheirSessions() throws {
        let s = try service("      Type IP\n      TTL 60")
        let a = request("GET", "/", client: "10.0.0.1")
        #expect(pick(s, a) == 0)
        #expect(s.backendFailed(s.backends[0]))
        #expect(s.sessions?.backend(forKey: "10.0.0.1") == nil)
        #expect(pick(s, a) == 1)
        s.backends[0].markAlive()
        #expect(pick(s, a) == 1)
    }

    @Test func disabledBackendsKeepTheirSessions() throws {
        // Pound returns a session's backend without looking at its disabled flag.
        let s = try service("      Type IP\n      TTL 60")
        let a = request("GET", "/", client: "10.0.0.1")
        #expect(pick(s, a) == 0)
        s.backends[0].setDisabled(true)
        #expect(pick(s, a) == 0)
        #expect(pick(s, request("GET", "/", client: "10.0.0.9")) == 1)
        // But with no usable backend at all the service has nothing (503).
        s.backends[1].setDisabled(true)
        s.backends[2].setDisabled(true)
        #expect(pick(s, a) == nil)
    }

    @Test func sessionModulesAreNotAvailableYet() throws {
        let f = Fixture()
        let config = try f.load("""
        ListenHTTP
          Service
            Session
              Type "jwt"
              TTL 60
            End
        \(backend(9000))  End
        End
        """)
        let error = #expect(throws: RoutingBuildError.self) { try RoutingTable.build(config) }
        #expect(error.map { "\($0)" }?.hasSuffix("session module \"jwt\" not available") == true)
    }
}
