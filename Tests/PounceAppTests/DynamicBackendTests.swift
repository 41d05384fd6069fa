import DNSTestServer
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Dynamic backends end to end: a `Resolve first|all|srv` backend follows the records
/// of a test DNS server the test changes, and requests, the control API's listing and
/// `-c -v` show it. TTLs are 1 s; waits poll against a deadline.
@Suite struct DynamicBackendTests {
    /// pound.cfg around one service's `backends`, resolving through `dns`, with a
    /// control socket (listener 0) so the service is `/listener/1/0`.
    private func config(_ dns: TestDNSServer, _ backends: String, globals: String = "") -> String {
        """
        Daemon 0
        LogFacility -
        \(globals)
        Control "pounce.ctl"
        Resolver
            ConfigText
                nameserver 127.0.0.1:\(dns.port)
                options timeout:1 attempts:1
            End
            RetryInterval 1
        End
        ListenHTTP
            Address 127.0.0.1
            Port {PORT}
            Service
        \(backends)
            End
        End
        """
    }

    /// pounce on `config(dns, backends)`; `-Wdns` undoes the harness's `-Wno-dns`,
    /// which (as in Pound) rules dynamic backends out.
    private func start(_ dns: TestDNSServer, _ backends: String, globals: String = "") throws -> RunningPounce {
        try RunningPounce(config: config(dns, backends, globals: globals), extraArguments: ["-Wdns"])
    }

    private func dynamic(_ host: String, mode: String, port: Int?, _ extra: String = "") -> String {
        """
                Backend
                    Address "\(host)"
                    Resolve \(mode)
                    Family inet
                    \(port.map { "Port \($0)" } ?? "")
                    \(extra)
                End
        """
    }

    /// The backend that answered `GET path` (its `x-backend`), or "status N".
    private func answer(_ port: Int, _ path: String = "/") -> String {
        guard let r = try? TCP.get(path, port: port) else { return "no response" }
        return r.header("x-backend") ?? "status \(r.status)"
    }

    /// Polls `condition` until it holds or `timeout` passes.
    private func eventually(_ timeout: TimeInterval = 8, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return true }
            usleep(50_000)
        }
        return try condition()
    }

    /// The service's backends as the control socket lists them (`GET /listener/1/0`).
    private func listing(_ p: RunningPounce) throws -> [[String: Any]] {
        let reply = try ControlSocket.request(p.directory + "/pounce.ctl", "GET", "/listener/1/0")
        guard reply.status == 200 else { throw HarnessError("control socket answered \(reply.status): \(reply.body)") }
        let data = Data(reply.body.utf8)
        guard let service = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw HarnessError("not a JSON object: \(reply.body)")
        }
        return (service["backends"] as? [Any] ?? []).compactMap { $0 as? [String: Any] }
    }

    private func generated(_ backends: [[String: Any]]) -> [[String: Any]] {
        backends.filter { $0["type"] as? String == "backend" }
    }

    /// Backends A on 127.0.0.1 and B on 127.0.0.2 at one port, `be.test.example` → A
    /// with a TTL of 1 s, and pounce on `Resolve all` of it, already answering from A.
    private func twoAddresses() throws -> (dns: TestDNSServer, a: TestBackend, b: TestBackend, p: RunningPounce) {
        let dns = try TestDNSServer()
        let port = FreePort.next()
        let a = try TestBackend(name: "A", address: "127.0.0.1", port: port)
        let b = try TestBackend(name: "B", address: "127.0.0.2", port: port)
        dns.set("be.test.example", [.a("127.0.0.1", ttl: 1)])
        let p = try start(dns, dynamic("be.test.example", mode: "all", port: port))
        guard eventually(8, { answer(p.port) == "A" }) else {
            p.stop()
            throw HarnessError("no answer from A: \(p.log)")
        }
        return (dns, a, b, p)
    }

    @Test func aRecordChangeMovesTrafficToTheNewAddress() throws {
        let (dns, a, b, p) = try twoAddresses()
        defer { p.stop() }
        let port = a.port
        dns.set("be.test.example", [.a("127.0.0.2", ttl: 1)])
        #expect(eventually { answer(p.port) == "B" }, Comment(rawValue: p.log))
        for _ in 0..<5 { #expect(answer(p.port) == "B") }
        #expect(a.paths.count >= 1 && b.paths.count >= 6)

        let backends = try listing(p)
        let matrix = try #require(backends.first)
        #expect(matrix["type"] as? String == "matrix")
        #expect(matrix["hostname"] as? String == "be.test.example")
        #expect(matrix["resolve_mode"] as? String == "all")
        #expect(matrix["family"] as? Int == 2)
        let made = generated(backends)
        #expect(made.count == 1, "\(backends)")
        #expect(made.first?["address"] as? String == "127.0.0.2:\(port)")
        #expect(made.first?["parent"] as? Int == 0)
    }

    @Test func srvRecordsGiveGroupsAndPriorities() throws {
        let dns = try TestDNSServer()
        let light = try TestBackend(name: "light", address: "127.0.0.1", hold: { _ in })
        let heavy = try TestBackend(name: "heavy", address: "127.0.0.1", hold: { _ in })
        let spare = try TestBackend(name: "spare", address: "127.0.0.1", hold: { _ in })
        dns.set("_http._tcp.test.example", [
            .srv(priority: 10, weight: 40, port: UInt16(light.port), target: "light.test.example", ttl: 1),
            .srv(priority: 10, weight: 70, port: UInt16(heavy.port), target: "heavy.test.example", ttl: 1),
            .srv(priority: 20, weight: 0, port: UInt16(spare.port), target: "spare.test.example", ttl: 1),
        ])
        for name in ["light", "heavy", "spare"] { dns.set("\(name).test.example", [.a("127.0.0.1", ttl: 1)]) }
        let p = try start(dns, dynamic("_http._tcp.test.example", mode: "srv", port: nil))
        defer { p.stop() }

        #expect(try eventually { try generated(listing(p)).count == 3 }, Comment(rawValue: p.log))
        let backends = try listing(p)
        #expect(backends.first?["resolve_mode"] as? String == "srv")
        var byPort: [Int: (weight: Int?, priority: Int?, parent: Int?)] = [:]
        for b in generated(backends) {
            let address = b["address"] as? String ?? ""
            #expect(address.hasPrefix("127.0.0.1:"))
            byPort[Int(address.split(separator: ":").last ?? "") ?? 0] =
                (b["weight"] as? Int, b["priority"] as? Int, b["parent"] as? Int)
        }
        // An SRV record's priority is its backends' balancer group ("weight"), its
        // weight their priority; a group whose weights are all 0 gets priority 1.
        #expect(byPort[light.port]?.weight == 10 && byPort[light.port]?.priority == 40)
        #expect(byPort[heavy.port]?.weight == 10 && byPort[heavy.port]?.priority == 70)
        #expect(byPort[spare.port]?.weight == 20 && byPort[spare.port]?.priority == 1)
        #expect(byPort.values.allSatisfy { $0.parent == 0 })

        // The lighter group takes all requests while its backends are alive...
        var seen = Set<String>()
        for _ in 0..<30 { seen.insert(answer(p.port)) }
        #expect(seen == ["light", "heavy"])
        #expect(spare.paths.isEmpty)
        // ...and the next group only once they are gone.
        light.stop()
        heavy.stop()
        #expect(eventually { answer(p.port) == "spare" }, Comment(rawValue: p.log))
        for _ in 0..<5 { #expect(answer(p.port) == "spare") }
    }

    @Test func aNameThatDoesNotExistYetIsRetried() throws {
        let dns = try TestDNSServer()
        let a = try TestBackend(name: "A", address: "127.0.0.1")
        let p = try start(dns, dynamic("late.test.example", mode: "first", port: a.port))
        defer { p.stop() }

        #expect(p.waitForLog("host name not found"), Comment(rawValue: p.log))
        #expect(p.process.isRunning)
        #expect(answer(p.port) == "status 503")
        #expect(try generated(listing(p)).isEmpty)

        dns.set("late.test.example", [.a("127.0.0.1", ttl: 1)])
        let start = Date()
        #expect(eventually { answer(p.port) == "A" }, Comment(rawValue: p.log))
        // RetryInterval 1 after the NXDOMAIN, plus a lookup's round trip.
        #expect(Date().timeIntervalSince(start) < 3)
        #expect(try generated(listing(p)).first?["address"] as? String == "127.0.0.1:\(a.port)")
    }

    @Test func backendsStayWhenTheServerStopsAnswering() throws {
        let (dns, a, b, p) = try twoAddresses()
        defer { p.stop() }
        let port = a.port

        dns.answering = false
        let asked = dns.queries
        // Several TTLs of lookups timing out (timeout:1 attempts:1) change nothing.
        let until = Date().addingTimeInterval(4)
        while Date() < until {
            #expect(answer(p.port) == "A")
            usleep(200_000)
        }
        // At least two lookups went unanswered meanwhile (timeout 1 s, then RetryInterval 1).
        #expect(eventually(3) { p.log.components(separatedBy: "DNS lookup failed").count >= 3 }, Comment(rawValue: p.log))
        #expect(dns.queries >= asked + 2)
        #expect(try generated(listing(p)).map { $0["address"] as? String } == ["127.0.0.1:\(port)"])

        // Once the server answers again its records count again.
        dns.set("be.test.example", [.a("127.0.0.2", ttl: 1)])
        dns.answering = true
        #expect(eventually { answer(p.port) == "B" }, Comment(rawValue: p.log))
        #expect(b.paths.count >= 1 && a.paths.count >= 1)
    }

    @Test func aRequestInFlightOnADroppedBackendCompletes() throws {
        let dns = try TestDNSServer()
        let port = FreePort.next()
        let release = DispatchSemaphore(value: 0)
        // A holds /slow until the test releases it (at most 10 s).
        let a = try TestBackend(name: "A", address: "127.0.0.1", port: port) { path in
            if path == "/slow" { _ = release.wait(timeout: .now() + 10) }
        }
        let b = try TestBackend(name: "B", address: "127.0.0.2", port: port)
        // The records' own TTL is long: OverrideTTL 1 is what makes pounce look again.
        dns.set("be.test.example", [.a("127.0.0.1", ttl: 300)])
        let p = try start(dns, dynamic("be.test.example", mode: "all", port: port, "OverrideTTL 1"))
        defer { p.stop() }
        #expect(eventually { answer(p.port) == "A" }, Comment(rawValue: p.log))

        let slow = ReplyBox()
        let proxyPort = p.port
        Thread.detachNewThread { slow.set(try? TCP.get("/slow", port: proxyPort)) }
        #expect(eventually { a.paths.contains("/slow") })

        dns.set("be.test.example", [.a("127.0.0.2", ttl: 300)])
        #expect(eventually { answer(p.port) == "B" }, Comment(rawValue: p.log))
        #expect(p.waitForLog("removed backend 127.0.0.1:\(port)"), Comment(rawValue: p.log))
        #expect(!slow.done)
        release.signal()

        #expect(eventually { slow.done })
        let reply = try #require(slow.reply)
        #expect(reply.status == 200)
        #expect(reply.header("x-backend") == "A")
        #expect(reply.body == "hello from A\n")
        for _ in 0..<3 { #expect(answer(p.port) == "B") }
        #expect(b.paths.count >= 4)
    }

    /// A generated backend dies like a configured one (a refused connect) and the
    /// Alive probes bring it back: the health checks follow the backends DNS adds.
    @Test func aGeneratedBackendIsKilledAndResurrected() throws {
        let dns = try TestDNSServer()
        let port = FreePort.next()
        var a: TestBackend? = try TestBackend(name: "A", address: "127.0.0.1", port: port, hold: { _ in })
        dns.set("be.test.example", [.a("127.0.0.1", ttl: 300)])
        let p = try start(dns, dynamic("be.test.example", mode: "all", port: port), globals: "Alive 1")
        defer { p.stop() }
        #expect(eventually { answer(p.port) == "A" }, Comment(rawValue: p.log))

        a?.stop()
        a = nil
        #expect(answer(p.port) == "status 503")
        #expect(p.waitForLog("Backend 127.0.0.1:\(port) dead (killed)"), Comment(rawValue: p.log))
        #expect(try generated(listing(p)).first?["alive"] as? Bool == false)

        let again = try TestBackend(name: "A2", address: "127.0.0.1", port: port, hold: { _ in })
        #expect(p.waitForLog("Backend 127.0.0.1:\(port) resurrected"), Comment(rawValue: p.log))
        #expect(eventually { answer(p.port) == "A2" }, Comment(rawValue: p.log))
        #expect(try generated(listing(p)).first?["alive"] as? Bool == true)
        again.stop()
    }

    @Test func checkCountsDynamicBackends() throws {
        let dir = PounceProcess.temporaryDirectory()
        let resolver = "Resolver\n    ConfigText\n        nameserver 127.0.0.1:5353\n    End\nEnd\n"
        PounceProcess.write(resolver + """
            ListenHTTP
                Address 127.0.0.1
                Port 8080
                Service
            \(dynamic("be.test.example", mode: "all", port: 8080))
                End
            End
            """, to: dir + "/one.cfg")
        var r = PounceProcess.run(["-c", "-v", "-Wno-include-dir", "-f", "one.cfg"], in: dir)
        #expect(r.status == 0, Comment(rawValue: r.stderr))
        #expect(r.stdout == "pounce: Config file one.cfg is OK\n"
                + "pounce: one.cfg: OK: 1 listener, 1 service, 1 backend (1 dynamic), 0 modules\n")

        PounceProcess.write(resolver + """
            ListenHTTP
                Address 127.0.0.1
                Port 8080
                Service
                    Backend
                        Address 127.0.0.1
                        Port 8081
                    End
            \(dynamic("be.test.example", mode: "first", port: 8080))
            \(dynamic("_http._tcp.test.example", mode: "srv", port: nil))
                End
            End
            """, to: dir + "/three.cfg")
        r = PounceProcess.run(["-c", "-v", "-Wno-include-dir", "-f", "three.cfg"], in: dir)
        #expect(r.status == 0, Comment(rawValue: r.stderr))
        #expect(r.stdout.hasSuffix("pounce: three.cfg: OK: 1 listener, 1 service, 3 backends (2 dynamic), 0 modules\n"),
                Comment(rawValue: r.stdout))
    }
}

/// The reply to a request made on another thread.
private final class ReplyBox: @unchecked Sendable {
    private let lock = NSLock()
    private var _reply: HTTPReply?
    private var _done = false

    var reply: HTTPReply? { lock.withLock { _reply } }
    var done: Bool { lock.withLock { _done } }

    func set(_ reply: HTTPReply?) {
        lock.withLock {
            _reply = reply
            _done = true
        }
    }
}

extension TestBackend {
    /// The paths requested so far.
    var paths: [String] {
        requests.map { $0.requestLine.split(separator: " ").dropFirst().first.map(String.init) ?? "" }
    }

    /// Answers each request with `echo` (a 200 naming the backend in `x-backend`)
    /// after `hold` has run with its path, and closes the connection, so that once
    /// the backend stops, nothing reaches it through a pooled connection either.
    convenience init(name: String, address: String, port: Int = FreePort.next(),
                     hold: @escaping @Sendable (String) -> Void = { _ in }) throws {
        try self.init(name: name, address: address, port: port) { request, _ in
            hold(request.requestLine.split(separator: " ").dropFirst().first.map(String.init) ?? "")
            let reply = TestBackend.echo(request, name: name)
            return Array("HTTP/1.1 200 OK\r\nConnection: close\r\n".utf8) + reply.dropFirst("HTTP/1.1 200 OK\r\n".utf8.count)
        }
    }
}
