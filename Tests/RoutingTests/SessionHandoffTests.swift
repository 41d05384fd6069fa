import Testing
import Foundation
import PoundConfig
@testable import Routing

@Suite struct SessionHandoffTests {
    typealias Entry = SessionHandoff.Entry

    // MARK: Format

    static let nastyKeys = [
        "plain", "", "tab\there", "line\nbreak", "cr\r\n", "100%", "%41", " lead and trail ",
        String(decoding: [0xFF, 0xFE, 0x41, 0xC3], as: UTF8.self), "caf\u{E9}", "cafe\u{301}", "\u{1F600}",
        "\0nul", String(repeating: "k", count: 127), "end 3",
    ]

    @Test func roundTripKeepsEveryByte() throws {
        let entries = Self.nastyKeys.enumerated().map { i, key in
            Entry(service: "listener:name=web service:unnamed=1 session:type=IP,ttl=30", key: key,
                  backend: i % 2 == 0 ? "[::1]:80" : "unix:/run/a b\tc.sock", expiresIn: UInt64(i) * 1_000_000_007)
        } + [Entry(service: "", key: "k", backend: "", expiresIn: UInt64.max)]
        let handoff = SessionHandoff(entries: entries)
        let bytes = handoff.encoded()
        #expect(try SessionHandoff.decode(bytes) == handoff)

        // Line-based: a header, one line per session with exactly 3 tabs, a trailer.
        let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        #expect(lines.count == entries.count + 3)
        #expect(Array(lines[0]) == Array("pounce-sessions 1".utf8))
        #expect(Array(lines[lines.count - 2]) == Array("end \(entries.count)".utf8))
        #expect(lines[1..<(lines.count - 2)].allSatisfy { $0.filter { $0 == UInt8(ascii: "\t") }.count == 3 })
        #expect(bytes.allSatisfy { $0 == 9 || $0 == 10 || (0x20...0x7E).contains($0) })

        let empty = SessionHandoff(entries: [])
        #expect(try SessionHandoff.decode(empty.encoded()) == empty)
    }

    func rejects(_ bytes: [UInt8], _ reason: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            let decoded = try SessionHandoff.decode(bytes)
            Issue.record("accepted: \(decoded)", sourceLocation: sourceLocation)
        } catch let error as SessionHandoff.FormatError {
            #expect(!error.description.isEmpty, sourceLocation: sourceLocation)
            if let reason {
                #expect(error.reason.contains(reason), "\(error)", sourceLocation: sourceLocation)
            }
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }

    func rejects(_ text: String, _ reason: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
        rejects(Array(text.utf8), reason, sourceLocation: sourceLocation)
    }

    @Test func decodeRejectsBadInput() {
        rejects([], "empty")
        rejects("\n", "not a session handoff")
        rejects("hello world\nend 0\n", "not a session handoff")
        rejects("pounce-sessions 2\nend 0\n", "unsupported version")
        rejects("pounce-sessions 1x\nend 0\n", "unsupported version")
        rejects("pounce-sessions \nend 0\n", "unsupported version")
        rejects("pounce-sessions 1\n", "truncated")
        rejects("pounce-sessions 1\nend 0", "truncated")
        rejects("pounce-sessions 1\ns\tk\tb\t5\n", "truncated")
        rejects("pounce-sessions 1\ns\tk\tb\t5\nend 2\n", "counts 2")
        rejects("pounce-sessions 1\nend 1\n", "counts 1")
        rejects("pounce-sessions 1\ns\tk\tb\nend 1\n", "4 tab-separated fields")
        rejects("pounce-sessions 1\ns\tk\tb\t5\t6\nend 1\n", "4 tab-separated fields")
        rejects("pounce-sessions 1\ns\tk\tb\t-5\nend 1\n", "not a number")
        rejects("pounce-sessions 1\ns\tk\tb\t+5\nend 1\n", "not a number")
        rejects("pounce-sessions 1\ns\tk\tb\t\nend 1\n", "not a number")
        rejects("pounce-sessions 1\ns\tk\tb\t18446744073709551616\nend 1\n", "not a number")
        rejects("pounce-sessions 1\ns\tk%G1\tb\t5\nend 1\n", "percent escape")
        rejects("pounce-sessions 1\ns\tk%4\tb\t5\nend 1\n", "percent escape")
        rejects("pounce-sessions 1\ns\tk\tb%\t5\nend 1\n", "percent escape")
        rejects("pounce-sessions 1\ns\tk k\tb\t5\nend 1\n", "not allowed")
        rejects("pounce-sessions 1\ns\tk\r\tb\t5\nend 1\n", "not allowed")
        rejects("pounce-sessions 1\nend 0\nend 0\n")
        rejects("pounce-sessions 1\nend 0\n\n")
        rejects([0xFF, 0xFE, 0x0A])
        #expect((try? SessionHandoff.decode(Array("pounce-sessions 1\ns\tk\tb\t18446744073709551615\nend 1\n".utf8)))?
            .entries.first?.expiresIn == UInt64.max)
    }

    @Test func everyTruncationIsRejected() {
        let bytes = SessionHandoff(entries: Self.nastyKeys.map {
            Entry(service: "svc", key: $0, backend: "127.0.0.1:9000", expiresIn: 42)
        }).encoded()
        for n in 0..<bytes.count { rejects(Array(bytes.prefix(n))) }
    }

    @Test func arbitraryBytesNeverTrap() {
        // A fixed LCG, so a failure is reproducible; the result does not matter, only
        // that decoding returns or throws. Mutations of a valid file reach deeper.
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return seed >> 33
        }
        let valid = SessionHandoff(entries: [Entry(service: "s", key: "k\t%", backend: "b", expiresIn: 7)]).encoded()
        let alphabet = Array("pounce-sessions 1end0123456789%\t\nAFaf".utf8) + [0x00, 0x80, 0xFF]
        for _ in 0..<3000 {
            var bytes = valid
            for _ in 0..<(1 + next() % 4) {
                let i = Int(next() % UInt64(bytes.count))
                switch next() % 3 {
                case 0: bytes[i] = alphabet[Int(next() % UInt64(alphabet.count))]
                case 1: bytes.remove(at: i)
                default: bytes.insert(alphabet[Int(next() % UInt64(alphabet.count))], at: i)
                }
                if bytes.isEmpty { break }
            }
            _ = try? SessionHandoff.decode(bytes)
            _ = try? SessionHandoff.decode((0..<(next() % 64)).map { _ in UInt8(truncatingIfNeeded: next()) })
        }
    }

    // MARK: Across a reload

    static let headerSession = "    Session\n      Type HEADER\n      ID \"X-Session\"\n      TTL 300\n    End\n"

    /// The configuration before the reload: a listener with a named and an unnamed
    /// session service, and a global one.
    static let before = """
    ListenHTTP
      Address 127.0.0.1
      Port 8080
      Service "app"
    \(headerSession)\(backend(9000))\(backend(9001))    Backend
          Address "/run/app.sock"
        End
      End
      Service
        Session
          Type IP
          TTL 60
        End
    \(backend(9100))\(backend(9101))  End
    End
    Service
      Session
        Type COOKIE
        ID "sid"
        TTL 120
      End
    \(backend(9200))\(backend(9201))End

    """

    /// The same after the reload, with much added around (and before) what was there:
    /// a listener before it with a look-alike service, a backend before the others,
    /// services before the unnamed and the global one.
    static let after = """
    ListenHTTP
      Address 127.0.0.1
      Port 8081
      Service "app"
    \(headerSession)\(backend(9000))  End
      Service
        Session
          Type IP
          TTL 60
        End
    \(backend(9100))  End
    End
    ListenHTTP
      Address 127.0.0.1
      Port 8080
      Service "app"
    \(headerSession)\(backend(9009))\(backend(9001))    Backend
          Address "/run/app.sock"
        End
    \(backend(9000))  End
      Service "static"
    \(backend(9300))  End
      Service
        Session
          Type IP
          TTL 600
        End
    \(backend(9400))  End
      Service
        Session
          Type IP
          TTL 60
        End
    \(backend(9102))\(backend(9101))\(backend(9100))  End
    End
    Service
      Session
        Type COOKIE
        ID "other"
        TTL 120
      End
    \(backend(9500))End
    Service
      Session
        Type COOKIE
        ID "sid"
        TTL 120
      End
    \(backend(9201))\(backend(9200))End

    """

    /// Per service, key → backend address for every live session. Keys by their
    /// bytes: String's `==` would merge canonically equivalent keys the table keeps apart.
    func sessions(_ services: [RuntimeService]) -> [[[UInt8]: String]] {
        services.map { s in
            Dictionary(uniqueKeysWithValues: s.listSessions().map { (Array($0.key.utf8), s.backends[$0.backend].displayName) })
        }
    }

    /// "key=address" for each live session of an ASCII-keyed service, sorted.
    func pairs(_ s: RuntimeService) -> [String] {
        s.listSessions().map { "\($0.key)=\(s.backends[$0.backend].displayName)" }.sorted()
    }

    func add(_ s: RuntimeService, _ key: String, _ backend: Int) {
        #expect(s.addSession(key: key, backend: s.backends[backend]))
    }

    @Test func sessionsFollowTheirBackendAddressAcrossAReload() throws {
        let clock = ManualClock()
        let old = try routing(Self.before, options: RoutingOptions(clock: clock))
        let app = old.listeners[0].services[0], ip = old.listeners[0].services[1], global = old.globalServices[0]
        for (i, key) in Self.nastyKeys.enumerated() { add(app, key, i % 3) }
        add(ip, "10.0.0.1", 0)
        add(ip, "10.0.0.2", 1)
        add(global, "c1", 1)
        let exported = old.exportSessions()
        #expect(exported.entries.count == Self.nastyKeys.count + 3)
        #expect(Set(exported.entries.map(\.backend)) == ["127.0.0.1:9000", "127.0.0.1:9001", "unix:/run/app.sock",
                                                         "127.0.0.1:9100", "127.0.0.1:9101", "127.0.0.1:9201"])

        let new = try routing(Self.after, options: RoutingOptions(clock: ManualClock()))
        #expect(new.importSessions(try SessionHandoff.decode(exported.encoded())) == exported.entries.count)
        let l = new.listeners
        #expect(sessions([app, ip, global])
                == sessions([l[1].services[0], l[1].services[3], new.globalServices[1]]))
        #expect(l[1].services[0].listSessions().map(\.backend).contains(3))   // 9000 moved from index 0 to 3
        // Look-alikes elsewhere got nothing.
        let others = [l[0].services[0], l[0].services[1], l[1].services[2], new.globalServices[0]]
        #expect(others.allSatisfy { $0.listSessions().isEmpty })
        #expect(new.exportSessions().entries.count == exported.entries.count)
    }

    @Test func sessionsOfBackendsGoneAreSkipped() throws {
        let old = try routing(Self.before)
        let app = old.listeners[0].services[0]
        add(app, "a", 0)
        add(app, "b", 1)
        add(app, "c", 2)
        let fewer = Self.before.replacingOccurrences(of: backend(9001), with: "")
        let new = try routing(fewer)
        #expect(new.importSessions(old.exportSessions()) == 2)
        #expect(pairs(new.listeners[0].services[0]) == ["a=127.0.0.1:9000", "c=/run/app.sock"])
    }

    @Test func aKeyGivenTwiceIsRestoredOnceTheLaterWinning() throws {
        let old = try routing(Self.before)
        add(old.listeners[0].services[0], "k", 0)
        var handoff = old.exportSessions()
        let first = try #require(handoff.entries.first)
        handoff.entries.append(Entry(service: first.service, key: "k", backend: "127.0.0.1:9001", expiresIn: 100_000_000_000))
        handoff.entries.append(Entry(service: "no such service", key: "k", backend: first.backend, expiresIn: 5))
        handoff.entries.append(Entry(service: first.service, key: "x", backend: "127.0.0.1:1", expiresIn: 5))
        let new = try routing(Self.before)
        #expect(new.importSessions(handoff) == 1)
        #expect(pairs(new.listeners[0].services[0]) == ["k=127.0.0.1:9001"])
    }

    @Test func aChangedSessionDefinitionIsAnotherService() throws {
        let old = try routing(Self.before)
        add(old.listeners[0].services[0], "k", 0)
        add(old.listeners[0].services[1], "10.0.0.1", 0)
        add(old.globalServices[0], "c", 0)
        let handoff = old.exportSessions()
        #expect(try routing(Self.before).importSessions(handoff) == 3)
        let changes = [
            ("TTL 300", "TTL 301"), ("TTL 60", "TTL 61"), ("TTL 120", "TTL 121"),
            ("Type HEADER", "Type COOKIE"), ("Type IP", "Type BASIC"), ("Type COOKIE", "Type HEADER"),
            ("ID \"X-Session\"", "ID \"X-Other\""), ("ID \"sid\"", "ID \"SID\""),
        ]
        for (from, to) in changes {
            let changed = try routing(Self.before.replacingOccurrences(of: from, with: to))
            #expect(changed.importSessions(handoff) == 2, "\(from) → \(to)")
        }
        // Renaming a service or re-addressing an unnamed listener also loses its sessions.
        #expect(try routing(Self.before.replacingOccurrences(of: "Service \"app\"", with: "Service \"app2\""))
            .importSessions(handoff) == 2)
        #expect(try routing(Self.before.replacingOccurrences(of: "Port 8080", with: "Port 8090"))
            .importSessions(handoff) == 1)
    }

    @Test func aNamedListenerKeepsItsSessionsWhenItMoves() throws {
        let named = Self.before.replacingOccurrences(of: "ListenHTTP\n", with: "ListenHTTP \"front\"\n")
        let old = try routing(named)
        add(old.listeners[0].services[0], "k", 1)
        let moved = try routing(named.replacingOccurrences(of: "Port 8080", with: "Port 8090"))
        #expect(moved.importSessions(old.exportSessions()) == 1)
        #expect(pairs(moved.listeners[0].services[0]) == ["k=127.0.0.1:9001"])
    }

    @Test func remainingLifetimeIsPreserved() throws {
        let oldClock = ManualClock()
        let old = try routing(Self.before, options: RoutingOptions(clock: oldClock))
        let app = old.listeners[0].services[0]
        add(app, "old", 0)
        oldClock.advance(seconds: 100)
        add(app, "new", 1)
        oldClock.advance(seconds: 50)
        let handoff = old.exportSessions()
        #expect(handoff.entries.map(\.expiresIn) == [150_000_000_000, 250_000_000_000])

        let clock = ManualClock()
        clock.advance(seconds: 10_000)
        let new = try routing(Self.before, options: RoutingOptions(clock: clock))
        // Given newest first, they still come out least recently used first.
        #expect(new.importSessions(SessionHandoff(entries: handoff.entries.reversed())) == 2)
        let s = new.listeners[0].services[0]
        #expect(s.listSessions().map(\.key) == ["old", "new"])
        #expect(s.listSessions().map(\.expiresIn) == [150_000_000_000, 250_000_000_000])
        #expect(s.listSessions().map(\.lastUsed) == [clock.nanoseconds() - 150_000_000_000,
                                                     clock.nanoseconds() - 50_000_000_000])
        clock.advance(nanoseconds: 149_999_999_999)
        #expect(s.sessions?.backend(forKey: "old") == 0)
        clock.advance(nanoseconds: 1)
        #expect(s.sessions?.backend(forKey: "old") == nil)
        #expect(s.sessions?.backend(forKey: "new") == 1)
        clock.advance(seconds: 100)
        #expect(s.listSessions().isEmpty)
    }

    // MARK: SessionTable.restore

    @Test func restoredSessionsTakeTheirPlaceInUseOrder() {
        let clock = ManualClock()
        clock.advance(seconds: 1000)
        let t = SessionTable(ttlSeconds: 300, clock: clock, capacity: 3, shardCount: 1)
        t.learn("fresh", backend: 0)
        #expect(t.restore("b", backend: 1, expiresIn: 100_000_000_000))
        #expect(t.restore("a", backend: 2, expiresIn: 50_000_000_000))
        #expect(t.snapshot().map(\.key) == ["a", "b", "fresh"])
        // Lifetime is capped at the TTL; the same key is replaced.
        #expect(t.restore("a", backend: 1, expiresIn: 900_000_000_000))
        #expect(t.snapshot().map(\.key) == ["b", "fresh", "a"])
        #expect(t.snapshot().last?.expiresIn == 300_000_000_000)
        #expect(t.backend(forKey: "a") == 1)
        // Full: a session older than all is refused, a newer one evicts the oldest.
        #expect(!t.restore("c", backend: 0, expiresIn: 1_000_000_000))
        #expect(t.restore("d", backend: 0, expiresIn: 200_000_000_000))
        #expect(t.snapshot().map(\.key) == ["d", "fresh", "a"])
        // Nothing left, or no such backend: nothing done.
        #expect(!t.restore("e", backend: 0, expiresIn: 0))
        #expect(!t.restore("e", backend: -1, expiresIn: 5))
        // Sessions of a backend that dies go as others do.
        t.remove(backend: 1)
        #expect(t.snapshot().map(\.key) == ["d", "fresh"])
    }

    @Test func aYoungClockNeverWrapsTheLastUse() {
        let clock = ManualClock()   // at 1 s, younger than the TTL
        let t = SessionTable(ttlSeconds: 300, clock: clock, shardCount: 1)
        #expect(t.restore("k", backend: 0, expiresIn: 10_000_000_000))
        t.learn("later", backend: 1)
        let s = t.snapshot()
        #expect(s.map(\.key) == ["k", "later"])
        #expect(s.first?.lastUsed == 0)
        #expect(s.first.map { $0.expiresIn >= 10_000_000_000 && $0.expiresIn <= 300_000_000_000 } == true)
        // Its expiry is the TTL after the clock's origin: 299 s from now.
        clock.advance(nanoseconds: 298_999_999_999)
        #expect(t.backend(forKey: "k") == 0)
        clock.advance(nanoseconds: 1)
        #expect(t.backend(forKey: "k") == nil)
    }
}
