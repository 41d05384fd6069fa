import Foundation
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Active health checks end to end: the HTTP check (a Pounce extension) and Pound
/// 2.x's `HAport`, against real backends.
@Suite(.serialized) struct HealthCheckTests {
    private func config(_ services: String) -> String {
        """
        Daemon 0
        LogFacility -
        LogLevel 1
        Alive 1
        ListenHTTP
            Address 127.0.0.1
            Port {PORT}
        \(services)
        End
        """
    }

    private func backend(_ port: Int, _ extra: String = "") -> String {
        "Backend\nAddress 127.0.0.1\nPort \(port)\n\(extra)\nEnd\n"
    }

    private func backendNames(_ port: Int, count: Int) throws -> Set<String> {
        var seen = Set<String>()
        for _ in 0..<count {
            let c = try TCP(port: port)
            c.send("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            guard let r = c.readResponse() else { throw HarnessError("no response") }
            seen.insert(r.header("x-backend") ?? "status \(r.status)")
        }
        return seen
    }

    /// A backend whose `/check.txt` answers `status` (changeable); other paths echo.
    private static func checked(_ name: String, status: StatusCode) throws -> TestBackend {
        try TestBackend(name: name) { req, _ in
            guard req.requestLine.contains(" /check.txt ") else { return TestBackend.echo(req, name: name) }
            let code = status.value.load(ordering: .relaxed)
            return Array("HTTP/1.1 \(code) Check\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8)
        }
    }

    @Test func httpCheckKillsWithinFallAndRevivesWithinRise() throws {
        let steadyStatus = StatusCode(), flakyStatus = StatusCode()
        let steady = try Self.checked("steady", status: steadyStatus)
        let flaky = try Self.checked("flaky", status: flakyStatus)
        let p = try RunningPounce(config: config("""
            Service
                HealthCheck "HEAD /check.txt"
                HealthCheckExpect 200
                HealthCheckInterval 1
                HealthCheckRise 2
                HealthCheckFall 2
            \(backend(steady.port))
            \(backend(flaky.port))
            End
            """))
        defer { p.stop() }
        #expect(try backendNames(p.port, count: 30) == ["steady", "flaky"])
        // The checks are HEAD requests with the configured path and a Host header.
        var probe: TestBackend.Request?
        let deadline = Date().addingTimeInterval(3)
        while probe == nil && Date() < deadline {
            probe = flaky.requests.first { $0.requestLine.hasPrefix("HEAD ") }
            usleep(50_000)
        }
        #expect(probe?.requestLine == "HEAD /check.txt HTTP/1.1")
        #expect(probe?.header("Host") == "127.0.0.1:\(flaky.port)")
        #expect(probe?.header("Connection") == "close")

        flakyStatus.value.store(503, ordering: .relaxed)
        let failedAt = Date()
        let dead = "Backend 127.0.0.1:\(flaky.port) dead (health check: status 503)"
        #expect(p.waitForLog(dead, timeout: 6), Comment(rawValue: p.log))
        // fall × interval, plus one interval for the phase of the timer and slack.
        #expect(Date().timeIntervalSince(failedAt) < 2 * 1 + 1.5)
        #expect(try backendNames(p.port, count: 20) == ["steady"])

        flakyStatus.value.store(200, ordering: .relaxed)
        let fixedAt = Date()
        #expect(p.waitForLog("Backend 127.0.0.1:\(flaky.port) alive (health check)", timeout: 6), Comment(rawValue: p.log))
        #expect(Date().timeIntervalSince(fixedAt) < 2 * 1 + 1.5)
        #expect(try backendNames(p.port, count: 30) == ["steady", "flaky"])
        // The steady backend never changed state.
        #expect(!p.log.contains("127.0.0.1:\(steady.port) dead"))
    }

    @Test func passiveKillWaitsForRiseChecks() throws {
        let steadyStatus = StatusCode()
        let steady = try Self.checked("steady", status: steadyStatus)
        let gonePort = FreePort.next()
        let p = try RunningPounce(config: config("""
            Service
            \(backend(steady.port))
            \(backend(gonePort, "HealthCheck \"/check.txt\"\nHealthCheckInterval 1\nHealthCheckRise 3\nHealthCheckFall 1"))
            End
            """))
        defer { p.stop() }
        // The check of the missing backend kills it (connect refused), or a request
        // does, whichever comes first.
        #expect(p.waitForLogLine(timeout: 5) { $0.contains("127.0.0.1:\(gonePort) dead") } != nil, Comment(rawValue: p.log))
        #expect(try backendNames(p.port, count: 10) == ["steady"])
        let back = try TestBackend(name: "back", port: gonePort) { req, _ in
            guard req.requestLine.contains(" /check.txt ") else { return TestBackend.echo(req, name: "back") }
            return Array("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".utf8)
        }
        let upAt = Date()
        #expect(p.waitForLog("Backend 127.0.0.1:\(gonePort) alive (health check)", timeout: 8), Comment(rawValue: p.log))
        // Three good answers are needed: not before two intervals have passed.
        #expect(Date().timeIntervalSince(upAt) > 1.5)
        #expect(!p.log.contains("127.0.0.1:\(gonePort) resurrected"))
        #expect(try backendNames(p.port, count: 30) == ["steady", "back"])
        back.stop()
    }

    @Test func haPortKillsAndResurrects() throws {
        let steady = try TestBackend(name: "steady")
        let watched = try TestBackend(name: "watched")
        let haPort = FreePort.next()
        var ha: TestBackend? = try TestBackend(name: "ha", port: haPort)
        let p = try RunningPounce(config: config("""
            Service
            \(backend(steady.port))
            \(backend(watched.port, "HAport \(haPort)"))
            End
            """))
        defer { p.stop() }
        #expect(try backendNames(p.port, count: 30) == ["steady", "watched"])
        ha?.stop()
        ha = nil
        #expect(p.waitForLog("BackEnd 127.0.0.1:\(watched.port) is dead (HA)", timeout: 5), Comment(rawValue: p.log))
        // The backend itself still answers, but the HA port says it is out.
        #expect(try backendNames(p.port, count: 20) == ["steady"])
        let again = try TestBackend(name: "ha", port: haPort)
        #expect(p.waitForLog("Backend 127.0.0.1:\(watched.port) resurrected", timeout: 5), Comment(rawValue: p.log))
        #expect(try backendNames(p.port, count: 30) == ["steady", "watched"])
        again.stop()
    }

    /// An HTTPS backend is checked over TLS: the check reads the real status line
    /// (200 here), which the expectation (204) rejects.
    @Test func httpsBackendIsCheckedOverTLS() throws {
        let dir = PounceProcess.temporaryDirectory()
        let made = system("(cd '\(dir)' && openssl req -x509 -newkey rsa:2048 -nodes -days 2 -keyout b.key -out b.crt "
                          + "-subj /CN=backend.test && cat b.crt b.key > b.pem) >/dev/null 2>&1") == 0
        try #require(made, "openssl CLI could not make a certificate")
        let tlsBackend = try TLSTestBackend(listenerStatements: ["Cert \"\(dir)/b.pem\""], directory: dir)
        defer { tlsBackend.stop() }
        let p = try RunningPounce(config: config("""
            Service
            \(backend(tlsBackend.port, "HTTPS\nHealthCheck \"GET /health\"\nHealthCheckExpect 204\nHealthCheckInterval 1\nHealthCheckFall 1"))
            End
            """))
        defer { p.stop() }
        #expect(p.waitForLog("Backend 127.0.0.1:\(tlsBackend.port) dead (health check: status 200)", timeout: 5),
                Comment(rawValue: p.log))
        #expect(tlsBackend.handshakes.count >= 1)
    }
}

/// The status a test backend's check path answers, changed while pounce runs.
final class StatusCode: Sendable {
    let value = Atomic<Int>(200)
}
