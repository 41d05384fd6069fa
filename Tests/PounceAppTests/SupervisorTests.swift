import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The supervisor (`-F`, `Supervisor` on by default) under load from Support/loadclient.py:
/// reloads on SIGUSR2 and a worker killed with SIGKILL must cost no refused connection,
/// and a reload no failed request; sticky sessions survive every reload.
final class SupervisorTests: XCTestCase {
    private static var loadClient: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().path + "/Support/loadclient.py"
    }

    /// A pound.cfg with one listener on `port` ("{PORT}" at first, for RunningPounce),
    /// one more on `extraPort`, one service whose sessions follow the `sid` cookie, and
    /// the given backends; `broken` adds a statement that does not parse.
    private func config(port: String, backends: [TestBackend], extraPort: Int? = nil, clientTimeout: Int = 10,
                        broken: Bool = false) -> String {
        var text = "LogLevel 0\nClient \(clientTimeout)\nGrace 5\n"
        text += "ListenHTTP\n  Address 127.0.0.1\n  Port \(port)\n  Service\n"
        text += "    Session\n      Type Cookie\n      ID \"sid\"\n      TTL 300\n    End\n"
        for b in backends { text += "    Backend\n      Address 127.0.0.1\n      Port \(b.port)\n    End\n" }
        text += "  End\nEnd\n"
        if let extraPort {
            text += "ListenHTTP\n  Address 127.0.0.1\n  Port \(extraPort)\n  Service\n"
            text += "    Backend\n      Address 127.0.0.1\n      Port \(backends[0].port)\n    End\n  End\nEnd\n"
        }
        if broken { text += "ListenHTTP\n  Adress 127.0.0.1\nEnd\n" }
        return text
    }

    private final class Load {
        let process = Process()
        let output = Pipe()
        init(port: Int, keepalive: Int = 50, newPerSecond: Int = 50, sticky: String? = nil) throws {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            var arguments = ["python3", SupervisorTests.loadClient, "--port", String(port), "--keepalive",
                             String(keepalive), "--new-per-second", String(newPerSecond), "--timeout", "10"]
            if let sticky { arguments += ["--sticky-cookie", sticky, "--sticky-every", "0.05"] }
            process.arguments = arguments
            process.standardOutput = output
            process.standardError = FileHandle.standardError
            try process.run()
        }

        /// Stops the client and returns its report.
        func finish() throws -> [String: Any] {
            kill(process.processIdentifier, SIGTERM)
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard let report = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw HarnessError("loadclient printed no report: \(String(decoding: data, as: UTF8.self))")
            }
            return report
        }
    }

    private func count(_ report: [String: Any], _ key: String) -> Int { (report[key] as? Int) ?? -1 }

    /// The worker processes of the supervisor `pid` (its children).
    private func workers(of pid: pid_t) -> [pid_t] {
        PounceProcess.read("/proc/\(pid)/task/\(pid)/children").split(separator: " ").compactMap { pid_t($0) }
    }

    private func occurrences(_ text: String, in log: String) -> Int {
        log.components(separatedBy: text).count - 1
    }

    /// Sends SIGUSR2 and waits until the supervisor logs the reload's outcome; true when it
    /// was a success.
    private func reload(_ proxy: RunningPounce, with text: String) throws -> Bool {
        let before = (occurrences("configuration reloaded", in: proxy.log), occurrences("reload failed", in: proxy.log))
        PounceProcess.write(text, to: proxy.directory + "/pound.cfg")
        kill(proxy.process.processIdentifier, SIGUSR2)
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            let log = proxy.log
            if occurrences("configuration reloaded", in: log) > before.0 { return true }
            if occurrences("reload failed", in: log) > before.1 { return false }
            usleep(5_000)
        }
        throw HarnessError("no outcome of the reload in the log:\n\(proxy.log)")
    }

    /// Ten reloads under load (50 keep-alive connections, 50 new ones a second and a client
    /// with a session cookie): a backend added, a listener added, a file that does not
    /// load, and seven more. No request fails, no connection is refused, the new backend
    /// gets traffic and the sticky client never changes backend.
    func testReloadsUnderLoadRefuseNothingAndKeepStickySessions() throws {
        let a = try TestBackend(name: "A"), b = try TestBackend(name: "B"), c = try TestBackend(name: "C")
        let proxy = try RunningPounce(config: config(port: "{PORT}", backends: [a, b]), extraArguments: ["-F"])
        defer { proxy.stop() }
        let port = String(proxy.port)
        let extra = FreePort.next()
        let load = try Load(port: proxy.port, sticky: "sid=sticky-client-1")
        sleep(1)

        var outcomes: [Bool] = []
        outcomes.append(try reload(proxy, with: config(port: port, backends: [a, b, c])))
        usleep(700_000)
        outcomes.append(try reload(proxy, with: config(port: port, backends: [a, b, c], extraPort: extra)))
        let onNewListener = try TCP.get("/", port: extra)
        XCTAssertEqual(onNewListener.status, 200)
        usleep(700_000)
        outcomes.append(try reload(proxy, with: config(port: port, backends: [a, b, c], extraPort: extra, broken: true)))
        usleep(700_000)
        for i in 0..<7 {
            outcomes.append(try reload(proxy, with: config(port: port, backends: [a, b, c], extraPort: extra,
                                                             clientTimeout: 10 + i % 2)))
            usleep(700_000)
        }
        let report = try load.finish()
        let log = proxy.log
        print("reloads under load: \(report)")

        XCTAssertEqual(outcomes, [true, true, false, true, true, true, true, true, true, true], log)
        XCTAssertTrue(log.contains("pound.cfg:") && log.contains("unrecognized keyword"),
                      "the refused file's error is logged as Pound words it:\n\(log)")
        XCTAssertEqual(count(report, "failed"), 0, "\(report)")
        XCTAssertEqual(count(report, "refused"), 0, "\(report)")
        XCTAssertEqual(count(report, "connect_errors"), 0, "\(report)")
        XCTAssertGreaterThan(count(report, "requests_ok"), 1000, "\(report)")
        let backends = report["backends"] as? [String: Int] ?? [:]
        XCTAssertGreaterThan(backends["C"] ?? 0, 0, "the backend added by a reload gets traffic: \(report)")
        let runs = report["sticky_runs"] as? [[Any]] ?? []
        XCTAssertEqual(runs.count, 1, "the sticky client changed backend: \(runs)")
        XCTAssertGreaterThan((runs.first?.last as? Int) ?? 0, 50, "\(runs)")
        // The added listener survived the later reloads.
        XCTAssertEqual(try TCP.get("/", port: extra).status, 200)
        XCTAssertEqual(proxy.stop(signal: SIGINT), 0)
        XCTAssertEqual(workers(of: proxy.process.processIdentifier), [])
    }

    /// The worker killed ten times under load: every connection is still accepted (the
    /// supervisor holds the listening sockets), failures are only requests that were in
    /// flight on the killed worker, and a new worker serves within a bound.
    func testAKilledWorkerIsReplacedAtOnce() throws {
        let a = try TestBackend(name: "A"), b = try TestBackend(name: "B")
        let proxy = try RunningPounce(config: config(port: "{PORT}", backends: [a, b]), extraArguments: ["-F"])
        defer { proxy.stop() }
        let supervisor = proxy.process.processIdentifier
        let load = try Load(port: proxy.port, keepalive: 50, newPerSecond: 50)
        sleep(1)
        var restarts: [Double] = []
        for round in 0..<10 {
            let before = occurrences("ms after the last one ended", in: proxy.log)
            let old = workers(of: supervisor)
            XCTAssertEqual(old.count, 1, "round \(round): \(old)")
            guard let victim = old.first else { break }
            kill(victim, SIGKILL)
            let killed = Date()
            while occurrences("ms after the last one ended", in: proxy.log) == before
                    && Date().timeIntervalSince(killed) < 10 {
                usleep(1_000)
            }
            // The supervisor's own measure: from the old worker's death to the new one serving.
            let line = proxy.logLines.last { $0.hasSuffix("ms after the last one ended") } ?? ""
            let words = line.split(separator: " ")
            if let i = words.firstIndex(of: "ms"), i > words.startIndex, let ms = Double(words[words.index(before: i)]) {
                restarts.append(ms / 1000)
            }
            // Longer than the backoff's `stableAfter`: each kill is a new incident, not a crash loop.
            usleep(1_100_000)
        }
        let report = try load.finish()
        print("worker restarts (death to serving, s): \(restarts.map { String(format: "%.3f", $0) }); load: \(report)")
        XCTAssertEqual(restarts.count, 10, proxy.log)
        // A debug build on a busy machine: the release build's numbers are in the README.
        XCTAssertLessThan(restarts.max() ?? 99, 2.0, "\(restarts)")
        XCTAssertEqual(count(report, "refused"), 0, "\(report)")
        XCTAssertEqual(count(report, "connect_errors"), 0, "\(report)")
        // At most one request per connection was in flight on the killed worker.
        XCTAssertLessThanOrEqual(count(report, "failed"), 10 * (50 + 10), "\(report)")
        XCTAssertGreaterThan(count(report, "requests_ok"), 1000, "\(report)")
        XCTAssertEqual(proxy.stop(signal: SIGINT), 0)
    }

    /// A supervisor killed with SIGKILL takes its worker with it: nothing keeps serving on
    /// its own (and VRRP's peer takes over, as when a single process dies).
    func testTheWorkerDiesWithItsSupervisor() throws {
        let a = try TestBackend(name: "A")
        let proxy = try RunningPounce(config: config(port: "{PORT}", backends: [a]), extraArguments: ["-F"])
        let supervisor = proxy.process.processIdentifier
        let worker = try XCTUnwrap(workers(of: supervisor).first)
        XCTAssertEqual(proxy.stop(signal: SIGKILL), 128 + SIGKILL)
        let deadline = Date().addingTimeInterval(5)
        while kill(worker, 0) == 0 && Date() < deadline { usleep(10_000) }
        XCTAssertNotEqual(kill(worker, 0), 0, "the worker outlived its supervisor")
    }

    /// `Supervisor 0` (or `-e` without `-F`) runs one process, as before.
    func testSupervisorOffRunsOneProcess() throws {
        let a = try TestBackend(name: "A")
        let proxy = try RunningPounce(config: "Supervisor 0\n" + config(port: "{PORT}", backends: [a]),
                                      extraArguments: ["-F"])
        defer { proxy.stop() }
        XCTAssertEqual(try TCP.get("/", port: proxy.port).status, 200)
        XCTAssertEqual(workers(of: proxy.process.processIdentifier), [])
    }

    /// A connection accepted just before a graceful stop (a reload's old worker) has not
    /// sent its request yet: it is not an idle keep-alive connection, and its first
    /// request still gets an answer, after which it closes.
    func testAGracefulStopAnswersAConnectionThatHasNotSentItsFirstRequest() throws {
        let a = try TestBackend(name: "A")
        let proxy = try RunningPounce(config: config(port: "{PORT}", backends: [a]))
        let fresh = try TCP(port: proxy.port)
        usleep(200_000)
        kill(proxy.process.processIdentifier, SIGHUP)
        XCTAssertTrue(proxy.waitForLog("shutting down"), proxy.log)
        usleep(200_000)
        fresh.send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        let reply = fresh.readResponse()
        XCTAssertEqual(reply?.status, 200, proxy.log)
        XCTAssertEqual(reply?.header("Connection")?.lowercased(), "close")
        XCTAssertEqual(proxy.stop(), 0)
    }

    /// The control socket is the supervisor's, so `poundctl` and the status page keep working
    /// across reloads; the core object and the metrics say which generation serves.
    func testTheControlSocketFollowsReloadsAndShowsTheGeneration() throws {
        let a = try TestBackend(name: "A"), b = try TestBackend(name: "B")
        let extra = "Control \"ctl.sock\"\nListenHTTP\n  Address 127.0.0.1\n  Port {METRICS}\n"
            + "  Service\n    Metrics\n  End\nEnd\n"
        let metricsPort = FreePort.next()
        func text(_ port: String, _ backends: [TestBackend]) -> String {
            config(port: port, backends: backends) + extra.replacingOccurrences(of: "{METRICS}", with: String(metricsPort))
        }
        let proxy = try RunningPounce(config: text("{PORT}", [a]), extraArguments: ["-F"])
        defer { proxy.stop() }
        func core() throws -> [String: Any] {
            let r = PounceProcess.run(["-s", "--unix-socket", proxy.directory + "/ctl.sock", "http://localhost/core"],
                                      in: proxy.directory, executable: "/usr/bin/curl")
            return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], r.stdout)
        }
        XCTAssertTrue(TCP.waitUntilAccepting(port: metricsPort, timeout: 10))
        let first = try core()
        XCTAssertEqual((first["supervised"] as? [String: Any])?["generation"] as? Int, 1, "\(first)")
        XCTAssertTrue(try reload(proxy, with: text(String(proxy.port), [a, b])))
        let second = try core()
        XCTAssertEqual((second["supervised"] as? [String: Any])?["generation"] as? Int, 2, "\(second)")
        XCTAssertNotEqual(first["pid"] as? Int, second["pid"] as? Int, "a new worker answers")
        let services = PounceProcess.run(["-s", "--unix-socket", proxy.directory + "/ctl.sock",
                                          "http://localhost/"],
                                         in: proxy.directory, executable: "/usr/bin/curl").stdout
        XCTAssertTrue(services.contains(String(b.port)), "the reloaded configuration is what the socket shows: \(services)")
        let metrics = try TCP.get("/metrics", port: metricsPort).body
        XCTAssertTrue(metrics.contains("pounce_generation 2"), metrics)
        XCTAssertTrue(metrics.contains("pounce_generation_start_time_seconds "), metrics)
    }

    /// Workers that die right after they start (a crash loop) are restarted with a growing
    /// delay, and the third in a row is reported; one that then stays up ends the loop.
    func testACrashLoopBacksOff() throws {
        let a = try TestBackend(name: "A")
        let proxy = try RunningPounce(config: config(port: "{PORT}", backends: [a]), extraArguments: ["-F"])
        defer { proxy.stop() }
        let supervisor = proxy.process.processIdentifier
        // The port accepts as soon as the supervisor has bound it; the first worker serves a
        // moment later, and one killed before it is ready ends pounce (a first worker that
        // cannot start is the configuration's fault), so the loop starts once it answers.
        let ready = Date().addingTimeInterval(10)
        while (try? TCP.get("/", port: proxy.port).status) != 200 && Date() < ready { usleep(20_000) }
        var starts: [Date] = []
        for _ in 0..<4 {
            let before = occurrences(" serves", in: proxy.log)
            guard let victim = workers(of: supervisor).first else { break }
            kill(victim, SIGKILL)
            let deadline = Date().addingTimeInterval(10)
            while occurrences(" serves", in: proxy.log) == before && Date() < deadline { usleep(2_000) }
            starts.append(Date())
        }
        guard starts.count == 4 else { return XCTFail("\(starts.count) restarts seen\n\(proxy.log)") }
        XCTAssertTrue(proxy.log.contains("3 workers ended in a row; next start in 0.2 s"), proxy.log)
        XCTAssertTrue(proxy.log.contains("4 workers ended in a row; next start in 0.4 s"), proxy.log)
        // The delays show between the restarts: 0, 0.1, 0.2, 0.4 s.
        XCTAssertGreaterThan(starts[3].timeIntervalSince(starts[2]), 0.35, "\(starts)")
        XCTAssertEqual(try TCP.get("/", port: proxy.port).status, 200)
    }
}
