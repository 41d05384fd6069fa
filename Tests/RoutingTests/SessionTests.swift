import Testing
import Dispatch
import Synchronization
import HTTPWire
import PoundConfig
@testable import Routing

@Suite struct SessionTests {
    func service(_ session: String, clock: ManualClock = ManualClock(), backends: Int = 3) throws -> RuntimeService {
        var text = "ListenHTTP\n  Service \"s\"\n    Balancer iwrr\n    Session\n\(session)\n    End\n"
        for i in 0..<backends { text += backend(9000 + i, priority: 1) }
        text += "  End\nEnd\n"
        return try routing(text, options: RoutingOptions(clock: clock)).listeners[0].services[0]
    }

    func pick(_ s: RuntimeService, _ r: RoutingRequest) -> Int? { s.chooseBackend(for: r)?.id }

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
        s.learnSession(response: response, request: request("GET", "/"), backend: s.backends[0])
        let next = request("GET", "/cart", headers: [("Cookie", "theme=dark; JSESSIONID=abc123")])
        #expect([pick(s, next), pick(s, next), pick(s, next)] == [0, 0, 0])
        // An unknown cookie value creates a session on the balancer's choice.
        let other = request("GET", "/", headers: [("Cookie", "JSESSIONID=zzz")])
        #expect(pick(s, other) == 1)
        #expect(pick(s, other) == 1)
        // A later Set-Cookie for an existing key does not move it.
        s.learnSession(response: response, request: request("GET", "/"), backend: s.backends[2])
        #expect(pick(s, next) == 0)
    }

    @Test func headerAndBasicSessionsLearnFromResponses() throws {
        let h = try service("      Type HEADER\n      ID \"X-Session\"\n      TTL 60")
        h.learnSession(response: HTTPResponseHead(
            version: .http1_1, status: 200, reason: "OK", headers: ["X-Session": "t-1"]), request: request("GET", "/"), backend: h.backends[2])
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

    // MARK: The table itself

    func table(ttl: Int = 30, clock: ManualClock, capacity: Int = SessionTable.defaultCapacity,
               shards: Int = SessionTable.defaultShardCount) -> SessionTable {
        SessionTable(ttlSeconds: ttl, clock: clock, capacity: capacity, shardCount: shards)
    }

    @Test func ttlIsAnIdleTimeoutRenewedByUse() {
        let clock = ManualClock()
        let t = table(ttl: 30, clock: clock)
        t.learn("a", backend: 1)
        t.learn("b", backend: 2)
        clock.advance(seconds: 20)
        // A lookup renews "a"; so does learning it again (without moving it).
        #expect(t.resolve("a", isAlive: { _ in true }, choose: { 9 }) == 1)
        clock.advance(seconds: 9.999)
        #expect(t.backend(forKey: "b") == 2)
        // Pound drops a session once now >= last use + TTL.
        clock.advance(seconds: 0.001)
        #expect(t.backend(forKey: "b") == nil)
        #expect(t.backend(forKey: "a") == 1)
        t.learn("a", backend: 0)
        clock.advance(seconds: 29)
        #expect(t.backend(forKey: "a") == 1)
        clock.advance(seconds: 1)
        #expect(t.backend(forKey: "a") == nil)
        // An expired session is not returned: the balancer decides again.
        #expect(t.resolve("a", isAlive: { _ in true }, choose: { 7 }) == 7)
        #expect(t.snapshot().map(\.key) == ["a"])
    }

    @Test func expiredSessionsAreReclaimedByLaterOperations() {
        let clock = ManualClock()
        let one = table(ttl: 10, clock: clock, shards: 1)
        for i in 0..<100 { one.learn("k\(i)", backend: i % 3) }
        #expect(one.storedCount == 100)
        clock.advance(seconds: 5)
        one.learn("fresh", backend: 0)
        #expect(one.storedCount == 101)
        clock.advance(seconds: 5)
        // Any operation trims the old end; only "fresh" (5 s idle) survives.
        #expect(one.backend(forKey: "nothing") == nil)
        #expect(one.storedCount == 1)

        let many = table(ttl: 10, clock: clock)
        for i in 0..<1000 { many.learn("k\(i)", backend: 0) }
        clock.advance(seconds: 10)
        #expect(many.snapshot().isEmpty)
        #expect(many.storedCount == 0)
    }

    @Test func leastRecentlyUsedSessionGoesAtTheBound() {
        let clock = ManualClock()
        let t = table(ttl: 300, clock: clock, capacity: 3, shards: 1)
        t.learn("a", backend: 0)
        t.learn("b", backend: 1)
        t.learn("c", backend: 2)
        #expect(t.resolve("a", isAlive: { _ in true }, choose: { nil }) == 0)
        t.learn("d", backend: 0)
        #expect(t.storedCount == 3)
        #expect(t.backend(forKey: "b") == nil)
        #expect(t.snapshot().map(\.key) == ["c", "a", "d"])
        // A renewed session is safe; the oldest goes.
        t.learn("c", backend: 1)
        t.learn("e", backend: 1)
        #expect(t.snapshot().map(\.key) == ["d", "c", "e"])
        #expect(t.backend(forKey: "c") == 2)

        // Sharded, the bound holds in total (split over the shards).
        let sharded = table(ttl: 300, clock: clock, capacity: 64)
        for i in 0..<2000 { sharded.learn("key-\(i)", backend: i % 4) }
        #expect(sharded.storedCount == 64)
        #expect(sharded.backend(forKey: "key-1999") == 3)
        #expect(sharded.backend(forKey: "key-0") == nil)
    }

    @Test func sessionsOfADeadBackendAreDropped() {
        let clock = ManualClock()
        let t = table(ttl: 300, clock: clock)
        for i in 0..<50 { t.learn("k\(i)", backend: i % 2) }
        t.remove(backend: 0)
        #expect((0..<50).allSatisfy { t.backend(forKey: "k\($0)") == ($0 % 2 == 0 ? nil : 1) })
        #expect(t.snapshot().count == 25)
        #expect(t.storedCount == 25)
        // Its old keys are free: learning creates a new session rather than renewing.
        t.learn("k0", backend: 2)
        #expect(t.backend(forKey: "k0") == 2)
        // New sessions on the backend (alive again) are kept.
        t.learn("new", backend: 0)
        #expect(t.backend(forKey: "new") == 0)
        t.remove(backend: 7)   // a backend index never seen
        #expect(t.backend(forKey: "new") == 0)
        t.remove(backend: 0)
        #expect(t.backend(forKey: "new") == nil)
        #expect(t.backend(forKey: "k1") == 1)
    }

    @Test func keysCompareByBytes() {
        let t = table(clock: ManualClock())
        // Canonically equivalent, different bytes: distinct keys, as with strcmp.
        t.learn("caf\u{E9}", backend: 1)
        t.learn("cafe\u{301}", backend: 2)
        #expect(t.backend(forKey: "caf\u{E9}") == 1)
        #expect(t.backend(forKey: "cafe\u{301}") == 2)
        #expect(t.backend(forKey: "") == nil)
        t.learn("", backend: 0)
        #expect(t.backend(forKey: "") == 0)
    }

    // MARK: Control hooks

    @Test func controlHooksAddDeleteAndList() throws {
        // Pound's sessctl scenario: three sessions, delete one, add it back on backend 1.
        let clock = ManualClock()
        let s = try service("      Type HEADER\n      ID \"X-Session\"\n      TTL 300", clock: clock, backends: 2)
        func get(_ key: String) -> Int? { pick(s, request("GET", "/", headers: [("X-Session", key)])) }
        for key in ["1", "2", "3"] {
            #expect(get(key) != nil)
            clock.advance(seconds: 0.001)
        }
        #expect(s.listSessions().map(\.key) == ["1", "2", "3"])
        #expect(s.deleteSession(key: "2"))
        #expect(!s.deleteSession(key: "2"))
        #expect(s.listSessions().map(\.key) == ["1", "3"])
        clock.advance(seconds: 1)
        #expect(s.addSession(key: "2", backend: s.backends[1]))
        let list = s.listSessions()
        #expect(list.map(\.key) == ["1", "3", "2"])
        #expect(list.last?.backend == 1)
        #expect(list.last?.expiresIn == 300_000_000_000)
        #expect(list.last?.lastUsed == clock.nanoseconds())
        #expect(list.first.map { $0.expiresIn < 299_000_000_000 } == true)
        #expect(get("2") == 1)
        // Adding an existing key replaces its session (Pound drops the duplicate).
        #expect(s.addSession(key: "2", backend: s.backends[0]))
        #expect(get("2") == 0)
        #expect(s.listSessions().count == 3)
        // Refused: unknown backend, key over KEY_SIZE.
        #expect(!s.addSession(key: "x", backend: .tunnel(Backend(kind: .success, priority: 1))))
        #expect(!s.addSession(key: String(repeating: "k", count: 128), backend: s.backends[0]))
        #expect(s.addSession(key: String(repeating: "k", count: 127), backend: s.backends[0]))
        #expect(s.listSessions().count == 4)
        // Sessions added by hand expire like the others.
        clock.advance(seconds: 300)
        #expect(s.listSessions().isEmpty)
    }

    @Test func controlHooksWithoutSessions() throws {
        let s = try routing("ListenHTTP\n  Service\n\(backend(9000))  End\nEnd\n").listeners[0].services[0]
        #expect(!s.addSession(key: "k", backend: s.backends[0]))
        #expect(!s.deleteSession(key: "k"))
        #expect(s.listSessions().isEmpty)
    }

    // MARK: Concurrency

    @Test func concurrentResolveAndLearnStayConsistent() {
        let t = table(ttl: 300, clock: ManualClock())
        let keys = (0..<512).map { "client-\($0)" }
        let picks = Atomic<Int>(0)
        let observed = Mutex<[[Int?]]>([])
        DispatchQueue.concurrentPerform(iterations: 4) { thread in
            var seen = [Int?](repeating: nil, count: keys.count)
            var broken = false
            for i in 0..<20_000 {
                let k = (i &* 7 &+ thread &* 131) % keys.count
                if i % 5 == 0 {
                    // Learning never moves an existing session.
                    t.learn(keys[k], backend: 99)
                    continue
                }
                let b = t.resolve(keys[k], isAlive: { _ in true }, choose: {
                    picks.wrappingAdd(1, ordering: .relaxed).oldValue % 8
                })
                if let first = seen[k], first != b { broken = true }
                if seen[k] == nil { seen[k] = b }
            }
            if broken { seen = [] }
            observed.withLock { $0.append(seen) }
        }
        let all = observed.withLock { $0 }
        #expect(all.count == 4)
        #expect(all.allSatisfy { $0.count == keys.count })
        // Every thread saw the same backend per key as the table holds.
        for (k, key) in keys.enumerated() {
            let held = t.backend(forKey: key)
            #expect(held != nil)
            #expect(all.allSatisfy { $0.isEmpty || $0[k] == nil || $0[k] == held })
        }
        #expect(t.storedCount == keys.count)
        #expect(Set(t.snapshot().map(\.key)).count == keys.count)
    }

    @Test func concurrentChurnAtTheBoundDoesNotBreakTheTable() {
        let clock = ManualClock()
        let t = table(ttl: 1, clock: clock, capacity: 100)
        let keys = (0..<1000).map { "k\($0)" }
        DispatchQueue.concurrentPerform(iterations: 4) { thread in
            for i in 0..<20_000 {
                let k = keys[(i &* 13 &+ thread) % keys.count]
                switch i % 7 {
                case 0: t.learn(k, backend: i % 3)
                case 1: t.remove(key: k)
                case 2 where thread == 0: t.remove(backend: i % 3)
                case 3 where thread == 1: clock.advance(nanoseconds: 1_000_000)
                default: _ = t.resolve(k, isAlive: { $0 != 2 }, choose: { i % 3 })
                }
            }
        }
        #expect(t.storedCount <= 100)
        let live = t.snapshot()
        #expect(Set(live.map(\.key)).count == live.count)
        #expect(live.allSatisfy { $0.backend >= 0 && $0.backend < 3 && $0.expiresIn <= 1_000_000_000 })
        clock.advance(seconds: 2)
        #expect(t.snapshot().isEmpty)
        #expect(t.storedCount == 0)
    }
}
