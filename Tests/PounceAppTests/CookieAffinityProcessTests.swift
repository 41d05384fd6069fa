import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Stateless cookie affinity (`Session Type "CookieInsert"` and `"CookiePrefix"`, HAProxy's
/// `cookie SRV insert indirect nocache` and `cookie JSESSIONID prefix`) through real
/// `pounce` processes: two load-balancer nodes with one configuration send a client to
/// the same backend with nothing shared between them, a restart loses nothing, a dead
/// backend's clients move once and stick again, and the backends never see the tags.
final class CookieAffinityProcessTests: XCTestCase {
    // MARK: Helpers

    /// A `ListenHTTP` on `{PORT}` with one service: `session` (the statements inside
    /// `Session ... End`), and `backends`, each with its `CookieValue` when given.
    private func config(session: [String], backends: [(AffinityBackend, String?)], service: [String] = []) -> String {
        var text = """
            Daemon 0
            LogFacility -
            LogLevel 0
            ListenHTTP
                Address 127.0.0.1
                Port {PORT}
                Service
                    Session

            """
        for line in session { text += "            \(line)\n" }
        text += "        End\n"
        for line in service { text += "        \(line)\n" }
        for (backend, value) in backends {
            text += "        Backend\n            Address 127.0.0.1\n            Port \(backend.port)\n"
            if let value { text += "            CookieValue \"\(value)\"\n" }
            text += "        End\n"
        }
        return text + "    End\nEnd\n"
    }

    /// Two nodes: two processes, each on its own port, with `config` otherwise the same.
    private func startNodes(_ config: String) throws -> [RunningPounce] {
        [try RunningPounce(config: config), try RunningPounce(config: config)]
    }

    /// `GET path` through `node` with the jar's cookies; takes the response's cookies
    /// into the jar. Returns the reply and its raw `Set-Cookie` values.
    private func get(_ node: RunningPounce, _ jar: inout CookieJar, path: String = "/")
        throws -> (reply: HTTPReply, setCookies: [String]) {
        let reply = try TCP.get(path, port: node.port, headers: [jar.header].compactMap { $0 })
        guard reply.status == 200 else {
            throw HarnessError("\(reply.statusLine) from node on \(node.port):\n\(node.log)")
        }
        let setCookies = jar.take(reply)
        return (reply, setCookies)
    }

    /// A hash tag: 16 lower-case hex digits.
    private func isHashTag(_ text: String) -> Bool {
        text.utf8.count == 16 && text.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    /// Every `Cookie` header every backend received, joined, for "never saw X" checks.
    private func everythingSeen(_ backends: [AffinityBackend]) -> [String] {
        backends.flatMap { $0.cookieHeaders.flatMap { $0 } }
    }

    private func backend(named name: String?, in backends: [AffinityBackend]) throws -> AffinityBackend {
        guard let b = backends.first(where: { $0.name == name }) else {
            throw HarnessError("no backend named \(name ?? "nil")")
        }
        return b
    }

    // MARK: CookieInsert

    private func insertConfig(_ backends: [AffinityBackend]) -> String {
        config(session: ["Type \"CookieInsert\"", "ID \"SRV\"", "Path \"/\"", "HttpOnly"],
               backends: backends.map { ($0, nil) })
    }

    /// The cookie from node 1 keeps the client on one backend through both nodes, with no
    /// further `Set-Cookie`; the backend never sees SRV, and the client's other cookies
    /// reach it unchanged.
    func testTwoNodesAgreeAndBackendsNeverSeeTheCookie() throws {
        let backends = try (1...3).map { try AffinityBackend(name: "app\($0)") }
        let nodes = try startNodes(insertConfig(backends))
        defer { for n in nodes { n.stop() } }

        var jar = CookieJar()
        jar.set("theme", "dark")
        let first = try get(nodes[0], &jar)
        XCTAssertEqual(first.setCookies.count, 1, "\(first.setCookies)")
        let tag = try XCTUnwrap(jar["SRV"], "no SRV cookie: \(first.reply.headers)")
        XCTAssertTrue(isHashTag(tag), tag)
        XCTAssertEqual(first.setCookies.first, "SRV=\(tag); Path=/; HttpOnly")
        XCTAssertNil(first.reply.header("Cache-Control"), "no NoCache configured")
        let home = try backend(named: first.reply.header("X-Backend"), in: backends)
        XCTAssertEqual(home.cookieHeaders.last, ["theme=dark"])
        // A cookie after ours: SRV comes out of the middle of the header.
        jar.set("lang", "en")

        for i in 0..<20 {
            let (reply, setCookies) = try get(nodes[i % 2], &jar)
            XCTAssertEqual(reply.header("X-Backend"), home.name, "request \(i) through node \(i % 2 + 1)")
            XCTAssertEqual(setCookies, [], "request \(i): no Set-Cookie while the client stays put")
            XCTAssertEqual(home.cookieHeaders.last, ["theme=dark; lang=en"], "request \(i)")
        }
        XCTAssertEqual(home.served, 21)

        // Our cookie alone: the backend gets no Cookie header at all.
        let alone = try TCP.get("/", port: nodes[1].port, headers: ["Cookie: SRV=\(tag)"])
        XCTAssertEqual(alone.header("X-Backend"), home.name)
        XCTAssertNil(alone.header("Set-Cookie"))
        XCTAssertEqual(home.cookieHeaders.last, [])

        for seen in everythingSeen(backends) {
            XCTAssertFalse(seen.contains("SRV"), "a backend saw \(seen)")
        }
    }

    /// Both nodes stopped and started again with the same configuration: the old cookie
    /// still names the same backend (the tags are computed, not remembered).
    func testRestartKeepsTheClientOnItsBackend() throws {
        let backends = try (1...3).map { try AffinityBackend(name: "app\($0)") }
        let text = insertConfig(backends)
        var jar = CookieJar()
        let home: String?
        do {
            let nodes = try startNodes(text)
            defer { for n in nodes { n.stop() } }
            home = try get(nodes[0], &jar).reply.header("X-Backend")
            XCTAssertNotNil(jar["SRV"])
            XCTAssertEqual(try get(nodes[1], &jar).reply.header("X-Backend"), home)
            for n in nodes { XCTAssertEqual(n.stop(), 0, n.log) }
        }
        let cookie = jar["SRV"]

        let nodes = try startNodes(text)
        defer { for n in nodes { n.stop() } }
        for i in 0..<10 {
            let (reply, setCookies) = try get(nodes[i % 2], &jar)
            XCTAssertEqual(reply.header("X-Backend"), home, "request \(i) after the restart")
            XCTAssertEqual(setCookies, [], "request \(i)")
        }
        XCTAssertEqual(jar["SRV"], cookie)
    }

    /// The client's backend dies: the next request goes elsewhere and gets a new cookie,
    /// once; from then on it sticks to the new backend through both nodes.
    func testDeadBackendMovesTheClientOnceThenItSticks() throws {
        let backends = try (1...3).map { try AffinityBackend(name: "app\($0)") }
        let nodes = try startNodes(insertConfig(backends))
        defer { for n in nodes { n.stop() } }

        var jar = CookieJar()
        jar.set("theme", "dark")
        let old = try backend(named: get(nodes[0], &jar).reply.header("X-Backend"), in: backends)
        let oldTag = try XCTUnwrap(jar["SRV"])
        // Both nodes hold pooled keep-alive connections to it now.
        for i in 0..<4 { XCTAssertEqual(try get(nodes[i % 2], &jar).reply.header("X-Backend"), old.name) }
        old.kill()
        let servedBefore = old.served

        let moved = try get(nodes[1], &jar)
        let newName = try XCTUnwrap(moved.reply.header("X-Backend"))
        XCTAssertNotEqual(newName, old.name)
        XCTAssertEqual(moved.setCookies.count, 1, "\(moved.setCookies)")
        let newTag = try XCTUnwrap(jar["SRV"])
        XCTAssertNotEqual(newTag, oldTag)
        XCTAssertTrue(isHashTag(newTag), newTag)
        XCTAssertEqual(moved.setCookies.first, "SRV=\(newTag); Path=/; HttpOnly")

        for i in 0..<10 {
            let (reply, setCookies) = try get(nodes[i % 2], &jar)
            XCTAssertEqual(reply.header("X-Backend"), newName, "request \(i) through node \(i % 2 + 1)")
            XCTAssertEqual(setCookies, [], "request \(i): the new cookie sticks")
        }
        XCTAssertEqual(old.served, servedBefore, "the dead backend answered")
        let newHome = try backend(named: newName, in: backends)
        XCTAssertTrue(newHome.cookieHeaders.allSatisfy { $0 == ["theme=dark"] }, "\(newHome.cookieHeaders)")
        for seen in everythingSeen(backends) {
            XCTAssertFalse(seen.contains("SRV"), "a backend saw \(seen)")
        }
    }

    /// The attributes, in the raw `Set-Cookie` text (a `Secure` cookie would not come back
    /// over plain HTTP from a browser or curl, so the client sends it by hand), and
    /// `Cache-Control: private` with NoCache on the responses that set it only.
    func testCookieAttributesAndNoCache() throws {
        let backends = try (1...3).map { try AffinityBackend(name: "app\($0)") }
        let text = config(session: ["Type \"CookieInsert\"", "ID \"SRV\"", "Path \"/\"", "Secure", "HttpOnly",
                                    "SameSite \"Strict\"", "MaxAge 600", "NoCache"],
                          backends: backends.map { ($0, nil) })
        let node = try RunningPounce(config: text)
        defer { node.stop() }

        var jar = CookieJar()
        let first = try get(node, &jar)
        let tag = try XCTUnwrap(jar["SRV"])
        XCTAssertEqual(first.setCookies, ["SRV=\(tag); Path=/; Max-Age=600; Secure; HttpOnly; SameSite=Strict"])
        XCTAssertEqual(first.reply.header("Cache-Control"), "private")
        let home = first.reply.header("X-Backend")

        // Its own tag: no Set-Cookie, and the response stays cacheable.
        let again = try get(node, &jar)
        XCTAssertEqual(again.reply.header("X-Backend"), home)
        XCTAssertEqual(again.setCookies, [])
        XCTAssertNil(again.reply.header("Cache-Control"))

        // A tag no backend has, and one that is no tag at all: the balancer chooses and the
        // client gets a real tag; the backend sees neither.
        for forged in ["0123456789abcdef", "<script>", "\"\""] {
            let reply = try TCP.get("/", port: node.port, headers: ["Cookie: a=1; SRV=\(forged)"])
            XCTAssertEqual(reply.status, 200)
            let setCookie = try XCTUnwrap(reply.header("Set-Cookie"), "forged \(forged)")
            XCTAssertTrue(setCookie.hasPrefix("SRV="), setCookie)
            XCTAssertEqual(reply.header("Cache-Control"), "private")
            let answered = try backend(named: reply.header("X-Backend"), in: backends)
            XCTAssertEqual(answered.cookieHeaders.last, ["a=1"], "forged \(forged)")
        }
    }

    /// With `Secret`, a backend's tag is the first 8 bytes of HMAC-SHA256(secret,
    /// "ADDRESS:PORT") in hex: any node can compute it, nobody without the secret can.
    func testSecretKeysTheHashTag() throws {
        let backends = try (1...2).map { try AffinityBackend(name: "app\($0)") }
        let text = config(session: ["Type \"CookieInsert\"", "ID \"SRV\"", "Secret \"correct horse\""],
                          backends: backends.map { ($0, nil) })
        let node = try RunningPounce(config: text)
        defer { node.stop() }
        var jar = CookieJar()
        let home = try backend(named: get(node, &jar).reply.header("X-Backend"), in: backends)
        let tag = try XCTUnwrap(jar["SRV"])
        let script = "import hmac,hashlib,sys; print(hmac.new(sys.argv[1].encode(), sys.argv[2].encode(), "
            + "hashlib.sha256).hexdigest()[:16])"
        let expected = try python(["-c", script, "correct horse", "127.0.0.1:\(home.port)"])
        XCTAssertEqual(tag, expected.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    private func python(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        do { try process.run() } catch { throw XCTSkip("no python3: \(error)") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw XCTSkip("python3 failed") }
        return String(decoding: data, as: UTF8.self)
    }

    // MARK: CookiePrefix

    /// The application's session cookie comes back as `TAG~id` with its attributes byte
    /// for byte; both nodes route it to the issuing backend, which sees only `id`. When
    /// that backend dies the client moves, the new backend's own session gets the new
    /// prefix, and it sticks.
    func testPrefixFollowsTheApplicationsSession() throws {
        let backends = try (1...3).map { try AffinityBackend(name: "app\($0)", issuesSessions: true) }
        // Two tags configured, the third a hash of the address.
        let values: [String: String] = ["app1": "s1", "app2": "s2"]
        let text = config(session: ["Type \"CookiePrefix\"", "ID \"JSESSIONID\""],
                          backends: backends.map { ($0, values[$0.name]) })
        let nodes = try startNodes(text)
        defer { for n in nodes { n.stop() } }

        /// Checks a response that set a session: `TAG~id` plus the application's attributes.
        func checkIssued(_ result: (reply: HTTPReply, setCookies: [String]), jar: CookieJar,
                         file: StaticString = #filePath, line: UInt = #line) throws -> (AffinityBackend, String) {
            let home = try backend(named: result.reply.header("X-Backend"), in: backends)
            let id = try XCTUnwrap(home.issued.first { result.setCookies.first?.contains("~\($0);") == true },
                                   "\(result.setCookies)", file: file, line: line)
            let cookie = try XCTUnwrap(jar["JSESSIONID"], file: file, line: line)
            let parts = cookie.split(separator: "~", maxSplits: 1).map(String.init)
            XCTAssertEqual(parts.count, 2, cookie, file: file, line: line)
            let tag = parts.first ?? ""
            if let value = values[home.name] {
                XCTAssertEqual(tag, value, file: file, line: line)
            } else {
                XCTAssertTrue(isHashTag(tag), tag, file: file, line: line)
            }
            XCTAssertEqual(result.setCookies, ["JSESSIONID=\(tag)~\(id)" + AffinityBackend.sessionAttributes],
                           file: file, line: line)
            return (home, id)
        }

        var jar = CookieJar()
        jar.set("theme", "dark")
        /// `count` requests alternating the nodes all reach `home`, which sees its own id
        /// without a prefix, and no Set-Cookie comes back: the session holds.
        func expectSticks(to home: AffinityBackend, id: String, count: Int, _ label: String) throws {
            for i in 0..<count {
                let (reply, setCookies) = try get(nodes[i % 2], &jar)
                XCTAssertEqual(reply.header("X-Backend"), home.name, "\(label) request \(i) through node \(i % 2 + 1)")
                XCTAssertEqual(setCookies, [], "\(label) request \(i): the session is the application's, and it holds")
                XCTAssertEqual(home.cookieHeaders.last, ["theme=dark; JSESSIONID=\(id)"], "\(label) request \(i)")
            }
            XCTAssertEqual(home.issued.count, 1)
        }
        let (home, id) = try checkIssued(try get(nodes[0], &jar), jar: jar)
        XCTAssertEqual(home.cookieHeaders.last, ["theme=dark"])
        try expectSticks(to: home, id: id, count: 20, "before the move:")

        home.kill()
        let moved = try get(nodes[1], &jar)
        let (newHome, newID) = try checkIssued(moved, jar: jar)
        XCTAssertNotEqual(newHome.name, home.name)
        // It got the old id without the prefix (not its own, so it issued one).
        XCTAssertEqual(newHome.cookieHeaders.first, ["theme=dark; JSESSIONID=\(id)"])
        try expectSticks(to: newHome, id: newID, count: 10, "after the move:")
        for seen in everythingSeen(backends) {
            XCTAssertFalse(seen.contains("~"), "a backend saw a prefix: \(seen)")
        }
    }

    // MARK: pounce -c

    private func check(_ config: String) -> PounceProcess.Result {
        let dir = PounceProcess.temporaryDirectory()
        PounceProcess.write(config, to: dir + "/pound.cfg")
        return PounceProcess.run(["-c", "-Wno-dns", "-Wno-include-dir", "-f", "pound.cfg"], in: dir)
    }

    private func service(_ session: String, backends: String = """
        Backend
            Address 127.0.0.1
            Port 8081
        End
        """) -> String {
        "ListenHTTP\n    Address 127.0.0.1\n    Port 8080\n    Service\n" + session + "\n" + backends
            + "\n    End\nEnd\n"
    }

    func testCheckRefusesTTLWithCookieInsert() {
        let r = check(service("Session\n Type \"CookieInsert\"\n ID \"SRV\"\n TTL 300\nEnd"))
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stdout, "")
        XCTAssertEqual(r.stderr, "pounce: pound.cfg:8.2-4: TTL: this session type keeps no sessions "
                       + "(MaxAge sets its cookie's lifetime)\n")
    }

    func testCheckRefusesCookieAttributesForPoundsCookieType() {
        let r = check(service("Session\n Type COOKIE\n ID \"JSESSIONID\"\n TTL 300\n Path \"/\"\nEnd"))
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stderr, "pounce: pound.cfg:9.2-5: Path: this session type sets no cookie (the cookie "
                       + "statements are for client-affinity types such as \"CookieInsert\")\n")
    }

    func testCheckRefusesCookieAttributesForCookiePrefix() {
        let r = check(service("Session\n Type \"CookiePrefix\"\n ID \"JSESSIONID\"\n NoCache\nEnd"))
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stderr, "pounce: pound.cfg:5.1-9.3: session type \"CookiePrefix\": "
                       + "CookiePrefix does not use NoCache: the application sets its own cookie's attributes\n")
    }

    func testCheckRefusesDuplicateCookieValue() {
        let backends = """
            Backend
                Address 127.0.0.1
                Port 8081
                CookieValue "s1"
            End
            Backend
                Address 127.0.0.1
                Port 8082
                CookieValue "s1"
            End
            """
        let r = check(service("Session\n Type \"CookieInsert\"\n ID \"SRV\"\nEnd", backends: backends))
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stderr, "pounce: pound.cfg:14.1-18.3: CookieValue \"s1\" is used by another backend "
                       + "of this service\n")
    }

    func testCheckRefusesCookieValueWithoutAffinitySession() {
        let backends = "Backend\n Address 127.0.0.1\n Port 8081\n CookieValue \"s1\"\nEnd"
        let cases = [("", "6.1-10.3"), ("Session\n Type COOKIE\n ID \"JSESSIONID\"\n TTL 300\nEnd", "10.1-14.3")]
        for (session, at) in cases {
            let r = check(service(session, backends: backends))
            XCTAssertEqual(r.status, 1, session)
            XCTAssertEqual(r.stderr, "pounce: pound.cfg:\(at): CookieValue needs a client-affinity Session in its "
                           + "service (Type \"CookieInsert\" or \"CookiePrefix\")\n")
        }
    }

    func testCheckAcceptsBothTypesWithoutTTL() {
        for type in ["CookieInsert", "CookiePrefix"] {
            let backends = "Backend\n Address 127.0.0.1\n Port 8081\n CookieValue \"s1\"\nEnd\n"
                + "Backend\n Address 127.0.0.1\n Port 8082\nEnd"
            let r = check(service("Session\n Type \"\(type)\"\n ID \"JSESSIONID\"\nEnd", backends: backends))
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertEqual(r.stderr, "")
        }
    }

    /// examples/haproxy-cookie-affinity.cfg checks clean.
    func testHAProxyCookieExampleIsValid() {
        var path = "\(#filePath)"
        for _ in 0..<3 { path = String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)]) }
        let r = PounceProcess.run(["-c", "-Wno-dns", "-W", "include-dir=.", "-f", "haproxy-cookie-affinity.cfg"],
                                  in: path + "/examples")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, "")
        XCTAssertEqual(r.stderr, "")
    }
}
