import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// HTTP/2 to clients, end to end: `curl --http2` and the Python `h2` probe
/// (Support/h2probe.py) against `pounce`, real TestBackends behind it speaking
/// HTTP/1.1. Routing, sessions, errors and logging are those of HTTP/1.x; the
/// protocol's limits are the listener's `HTTP2Max...` statements.
final class HTTP2Tests: XCTestCase {
    private var pki: String { HTTPSListenerTests.pki }

    private static let probePath: String = {
        var root = "\(#filePath)"
        root = String(root[..<(root.lastIndex(of: "/") ?? root.endIndex)])
        return root + "/Support/h2probe.py"
    }()

    private func start(_ listener: String = "", backends: [TestBackend], services: String? = nil,
                       global: String = "", kind: String = "ListenHTTPS") throws -> RunningPounce {
        let cert = kind == "ListenHTTPS" ? "Cert \"\(pki)/server.pem\"" : ""
        let backendLines = backends.map { "Backend\nAddress 127.0.0.1\nPort \($0.port)\nEnd" }.joined(separator: "\n")
        return try RunningPounce(config: """
            Daemon 0
            LogFacility -
            LogLevel 1
            \(global)
            \(kind)
                Address 127.0.0.1
                Port {PORT}
                \(cert)
                \(listener)
                \(services ?? "Service\n\(backendLines)\nEnd")
            End
            """)
    }

    private func curl(_ arguments: [String]) -> PounceProcess.Result {
        PounceProcess.run(["-s", "--max-time", "20", "--cacert", pki + "/ca.crt"] + arguments, in: pki,
                          executable: "/usr/bin/curl")
    }

    /// Runs the probe; its JSON report.
    private func probe(_ scenario: String, port: Int, _ arguments: [String] = []) throws -> [String: Any] {
        try XCTSkipUnless(Self.hasH2, "the Python h2 package is missing (python3 -m pip install h2)")
        let r = PounceProcess.run(["python3", Self.probePath, scenario, "--port", String(port)] + arguments, in: "/tmp",
                                  executable: "/usr/bin/env")
        guard let data = r.stdout.data(using: .utf8),
              let report = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw HarnessError("h2probe \(scenario): no report (\(r.status)): \(r.stdout) \(r.stderr)")
        }
        return report
    }

    private static let hasH2: Bool = {
        PounceProcess.run(["-c", "python3 -c 'import h2'"], in: "/", executable: "/bin/sh").status == 0
    }()

    private func responses(_ report: [String: Any]) -> [String: Int] {
        report["responses"] as? [String: Int] ?? [:]
    }

    /// A client that is served normally, on a connection of its own.
    private func assertServed(_ port: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let ok = try probe("ok", port: port, ["--count", "3"])
        XCTAssertEqual(responses(ok)["200"], 3, "\(ok)", file: file, line: line)
    }

    // MARK: basics

    func testCurlNegotiatesHTTP2AndIsRoutedForwardedAndLogged() throws {
        let b1 = try TestBackend(name: "b1")
        let b2 = try TestBackend(name: "b2")
        let p = try start(backends: [], services: """
            Service
                URL "^/two"
                Backend
                    Address 127.0.0.1
                    Port \(b2.port)
                End
            End
            Service
                Backend
                    Address 127.0.0.1
                    Port \(b1.port)
                End
            End
            """)
        let r = curl(["--http2", "-D", "-", "-w", "\\nversion=%{http_version}",
                      "https://localhost:\(p.port)/two/x?q=1"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix("HTTP/2 200"), r.stdout)
        XCTAssertTrue(r.stdout.contains("x-backend: b2"), r.stdout)
        XCTAssertTrue(r.stdout.contains("version=2"), r.stdout)
        // The backend gets HTTP/1.1 with the authority as Host and X-Forwarded-For.
        let seen = try XCTUnwrap(b2.requests.last)
        XCTAssertEqual(seen.requestLine, "GET /two/x?q=1 HTTP/1.1")
        XCTAssertEqual(seen.header("Host"), "localhost:\(p.port)")
        XCTAssertEqual(seen.header("X-Forwarded-For"), "127.0.0.1")
        XCTAssertNil(seen.header("Connection"))
        let other = curl(["--http2", "-o", "/dev/null", "-w", "%{http_code}", "https://localhost:\(p.port)/one"])
        XCTAssertEqual(other.stdout, "200")
        XCTAssertEqual(b1.requests.count, 1)
        // The request log names the protocol the client spoke.
        XCTAssertNotNil(p.waitForLogLine { $0.contains("GET /two/x?q=1 HTTP/2.0 - HTTP/1.1 200 OK") }, p.log)
        XCTAssertEqual(p.stop(), 0)
    }

    func testHTTP2OffKeepsALPNAtHTTP11() throws {
        let b = try TestBackend(name: "b1")
        let on = try start(backends: [b])
        let off = try start("HTTP2 off", backends: [b])
        func alpn(_ port: Int) -> String {
            let r = PounceProcess.run(["-c", "echo | openssl s_client -connect 127.0.0.1:\(port) -alpn h2,http/1.1 2>&1"],
                                      in: "/", executable: "/bin/sh")
            return r.stdout.components(separatedBy: "\n").first { $0.hasPrefix("ALPN protocol") } ?? "none"
        }
        XCTAssertEqual(alpn(on.port), "ALPN protocol: h2")
        XCTAssertEqual(alpn(off.port), "ALPN protocol: http/1.1")
        let r = curl(["--http2", "-o", "/dev/null", "-w", "%{http_version}", "https://localhost:\(off.port)/"])
        XCTAssertEqual(r.stdout, "1.1")
        XCTAssertEqual(on.stop(), 0)
        XCTAssertEqual(off.stop(), 0)
    }

    func testCleartextHTTP2WithPriorKnowledgeOnlyWhenAskedFor() throws {
        let b = try TestBackend(name: "b1")
        let on = try start("HTTP2 on", backends: [b], kind: "ListenHTTP")
        let off = try start(backends: [b], kind: "ListenHTTP")
        let h2 = curl(["--http2-prior-knowledge", "-o", "/dev/null", "-w", "%{http_code} %{http_version}",
                       "http://127.0.0.1:\(on.port)/"])
        XCTAssertEqual(h2.stdout, "200 2")
        // HTTP/1.x clients keep working on the same listener.
        let h1 = curl(["--http1.1", "-o", "/dev/null", "-w", "%{http_code} %{http_version}", "http://127.0.0.1:\(on.port)/"])
        XCTAssertEqual(h1.stdout, "200 1.1")
        // Without `HTTP2 on` the preface is a bad HTTP/1.x request.
        let refused = curl(["--http2-prior-knowledge", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(off.port)/"])
        XCTAssertNotEqual(refused.stdout, "200")
        XCTAssertEqual(on.stop(), 0)
        XCTAssertEqual(off.stop(), 0)
    }

    // MARK: streams

    func testManyConcurrentStreamsOnOneConnectionReachSeveralBackends() throws {
        let backends = try (1...3).map { try TestBackend(name: "b\($0)") }
        let p = try start(backends: backends)
        let report = try probe("ok", port: p.port, ["--count", "30"])
        XCTAssertEqual(responses(report)["200"], 30, "\(report)")
        let seen = Set(report["backends"] as? [String] ?? [])
        XCTAssertEqual(seen, ["b1", "b2", "b3"], "\(report)")
        XCTAssertEqual(p.stop(), 0)
    }

    func testSessionCookieSticksAcrossStreams() throws {
        let backends = try (1...3).map { try TestBackend(name: "b\($0)") }
        let lines = backends.map { "Backend\nAddress 127.0.0.1\nPort \($0.port)\nEnd" }.joined(separator: "\n")
        let p = try start(backends: [], services: """
            Service
                Session
                    Type COOKIE
                    ID "sid"
                    TTL 300
                End
                \(lines)
            End
            """)
        for cookie in ["sid=alpha", "sid=beta"] {
            let report = try probe("ok", port: p.port, ["--count", "12", "--cookie", cookie])
            XCTAssertEqual(responses(report)["200"], 12, "\(report)")
            XCTAssertEqual(Set(report["backends"] as? [String] ?? []).count, 1, "\(cookie): \(report)")
        }
        XCTAssertEqual(p.stop(), 0)
    }

    func testAnErrorOnOneStreamLeavesTheConnectionServing() throws {
        let b = try TestBackend(name: "b1")
        let p = try start(backends: [], services: """
            Service
                URL "^/ok"
                Backend
                    Address 127.0.0.1
                    Port \(b.port)
                End
            End
            """)
        let r = curl(["--http2", "-o", "/dev/null", "-o", "/dev/null", "-o", "/dev/null",
                      "-w", "%{http_code} %{num_connects}\\n",
                      "https://localhost:\(p.port)/ok/1", "https://localhost:\(p.port)/nothing",
                      "https://localhost:\(p.port)/ok/2"])
        XCTAssertEqual(r.stdout, "200 1\n503 0\n200 0\n", r.stderr)
        XCTAssertEqual(p.stop(), 0)
    }

    func testConnectOverHTTP2IsRefusedCleanly() throws {
        let b = try TestBackend(name: "b1")
        let p = try start(backends: [b])
        let report = try probe("connect", port: p.port)
        XCTAssertEqual(responses(report)["501"], 1, "\(report)")
        try assertServed(p.port)
        XCTAssertEqual(p.stop(), 0)
    }

    /// nghttp shows the frames: a 103 before the response, a chunked body as DATA
    /// frames without its framing, the trailer section as a closing HEADERS frame;
    /// HEAD, 204 and 304 answers end with their HEADERS.
    func testInterimResponsesTrailersAndBodilessAnswersAsFrames() throws {
        let b = try TestBackend(name: "b1", handler: { req, _ in
            switch req.requestLine.split(separator: " ").dropFirst().first ?? "" {
            case "/204": return Array("HTTP/1.1 204 No Content\r\n\r\n".utf8)
            case "/304": return Array("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n".utf8)
            default:
                return Array(("HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"
                    + "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: x-checksum\r\n\r\n"
                    + "5\r\nhello\r\n6\r\n world\r\n0\r\nx-checksum: abc\r\n\r\n").utf8)
            }
        })
        let p = try start(backends: [b])
        let r = PounceProcess.run(["-nv", "https://localhost:\(p.port)/chunked"], in: "/tmp", executable: "/usr/bin/nghttp")
        XCTAssertEqual(r.status, 0, r.stderr)
        let frames = r.stdout.components(separatedBy: "\n").filter { $0.contains("recv") && !$0.contains("stream_id=0>") }
            .map { $0.split(separator: "]", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "" }
        XCTAssertEqual(frames, [
            "recv (stream_id=13) :status: 103",
            "recv (stream_id=13) link: </a.css>; rel=preload",
            "recv HEADERS frame <length=23, flags=0x04, stream_id=13>",
            "recv (stream_id=13) :status: 200",
            "recv (stream_id=13) trailer: x-checksum",
            "recv HEADERS frame <length=17, flags=0x04, stream_id=13>",
            "recv DATA frame <length=5, flags=0x00, stream_id=13>",
            "recv DATA frame <length=6, flags=0x00, stream_id=13>",
            "recv (stream_id=13) x-checksum: abc",
            "recv HEADERS frame <length=13, flags=0x05, stream_id=13>",
        ], r.stdout)
        for (path, method, code) in [("/204", "GET", "204"), ("/304", "GET", "304"), ("/chunked", "HEAD", "200")] {
            let c = curl(["--http2", "-X", method, "-o", "/dev/null", "-w", "%{http_code} %{size_download}",
                          "https://localhost:\(p.port)\(path)"] + (method == "HEAD" ? ["-I"] : []))
            XCTAssertTrue(c.stdout.hasPrefix(code), "\(method) \(path): \(c.stdout) \(c.stderr)")
            XCTAssertEqual(c.status, 0, "\(method) \(path): \(c.stderr)")
        }
        XCTAssertEqual(p.stop(), 0)
    }

    // MARK: bodies

    /// 200 MiB up and the same back on one stream (the backend echoes it), while
    /// Pounce's memory stays far below the body's size.
    func testLargeUploadAndDownloadOnOneStreamWithBoundedMemory() throws {
        let b = try TestBackend(name: "b1")
        let p = try start(backends: [b])
        let size = 200 << 20
        let report = try probe("upload", port: p.port, ["--size", String(size), "--timeout", "120"])
        XCTAssertEqual(responses(report)["200"], 1, "\(report)")
        XCTAssertEqual(report["body_bytes"] as? Int, size, "\(report)")
        XCTAssertEqual(b.requests.last?.body.count, size)
        let status = PounceProcess.read("/proc/\(p.process.processIdentifier)/status")
        let peak = status.components(separatedBy: "\n").first { $0.hasPrefix("VmHWM:") }
            .flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? Int.max
        XCTAssertLessThan(peak, 64 * 1024, "peak RSS \(peak) KiB for a \(size >> 20) MiB body each way")
        XCTAssertEqual(p.stop(), 0)
    }

    // MARK: graceful stop

    func testGracefulStopSendsGOAWAYAndInFlightStreamsComplete() throws {
        let b = try TestBackend(name: "slow", handler: { req, _ in
            usleep(1_500_000)
            return TestBackend.echo(req, name: "slow")
        })
        let p = try start(backends: [b])
        try XCTSkipUnless(Self.hasH2, "the Python h2 package is missing (python3 -m pip install h2)")
        let dir = PounceProcess.temporaryDirectory()
        let probing = Process()
        probing.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probing.arguments = ["python3", Self.probePath, "goaway-drain", "--port", String(p.port), "--count", "5",
                             "--ready-file", dir + "/ready", "--timeout", "10"]
        FileManager.default.createFile(atPath: dir + "/report", contents: nil)
        probing.standardOutput = FileHandle(forWritingAtPath: dir + "/report")
        try probing.run()
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: dir + "/ready") && Date() < deadline { usleep(20_000) }
        usleep(200_000)
        XCTAssertEqual(p.stop(signal: SIGINT), 0)
        probing.waitUntilExit()
        let report = try XCTUnwrap(try JSONSerialization.jsonObject(
            with: Data(PounceProcess.read(dir + "/report").utf8)) as? [String: Any])
        XCTAssertEqual(report["goaway"] as? Bool, true, "\(report)")
        XCTAssertEqual(responses(report)["200"], 5, "\(report)")
    }

    // MARK: protection

    /// Each flood or oversized frame sequence ends its connection with the right
    /// GOAWAY code, while a client on another connection keeps being served.
    func testEveryProtocolLimitTriggersWithItsErrorCodeAndOthersAreServed() throws {
        let b = try TestBackend(name: "b1")
        let p = try start(backends: [b])
        let cases: [(scenario: String, arguments: [String], code: String)] = [
            ("concurrent-streams", [], "PROTOCOL_ERROR"),    // > 100 open streams
            ("header-list", [], "PROTOCOL_ERROR"),           // 128 KiB of fields > 64 KiB
            ("rapid-reset", ["--count", "1000"], "ENHANCE_YOUR_CALM"),       // CVE-2023-44487
            ("continuation-flood", ["--count", "1000"], "ENHANCE_YOUR_CALM"), // CVE-2024-27316
            ("settings-flood", ["--count", "2000"], "ENHANCE_YOUR_CALM"),
            ("ping-flood", ["--count", "2000"], "ENHANCE_YOUR_CALM"),
            ("empty-data-flood", ["--count", "100"], "ENHANCE_YOUR_CALM"),
        ]
        for c in cases {
            let report = try probe(c.scenario, port: p.port, c.arguments + ["--timeout", "4"])
            XCTAssertEqual(report["goaway_error"] as? String, c.code, "\(c.scenario): \(report)")
            XCTAssertEqual(report["closed"] as? Bool, true, "\(c.scenario): \(report)")
            try assertServed(p.port)
        }
        XCTAssertEqual(p.stop(), 0)
    }

    /// The limits are the listener's statements: tightened, each triggers sooner,
    /// and what stays under it is served.
    func testLimitStatementsAreAdvertisedAndEnforced() throws {
        let b = try TestBackend(name: "b1")
        let p = try start("""
            HTTP2MaxStreams 10
            HTTP2MaxHeaderList 4096
            HTTP2MaxResets 50
            HTTP2MaxControlFrames 20
            HTTP2MaxContinuations 50
            HTTP2MaxEmptyFrames 10
            HTTP2WindowSize 1048576
            """, backends: [b])
        let settings = try probe("ok", port: p.port, ["--count", "1"])["server_settings"] as? [String: Int]
        XCTAssertEqual(settings?["MAX_CONCURRENT_STREAMS"], 10)
        XCTAssertEqual(settings?["MAX_HEADER_LIST_SIZE"], 4096)
        XCTAssertEqual(settings?["INITIAL_WINDOW_SIZE"], 1_048_576)
        XCTAssertEqual(try probe("concurrent-streams", port: p.port, ["--count", "12", "--timeout", "3"])["goaway_error"]
                       as? String, "PROTOCOL_ERROR")
        XCTAssertEqual(try probe("header-list", port: p.port, ["--size", "8192", "--timeout", "3"])["goaway_error"]
                       as? String, "PROTOCOL_ERROR")
        let fewResets = try probe("rapid-reset", port: p.port, ["--count", "40", "--timeout", "1"])
        XCTAssertNotEqual(fewResets["goaway_error"] as? String, "ENHANCE_YOUR_CALM", "\(fewResets)")
        XCTAssertEqual(try probe("rapid-reset", port: p.port, ["--count", "60", "--timeout", "3"])["goaway_error"]
                       as? String, "ENHANCE_YOUR_CALM")
        XCTAssertEqual(try probe("ping-flood", port: p.port, ["--count", "40", "--timeout", "3"])["goaway_error"]
                       as? String, "ENHANCE_YOUR_CALM")
        for (scenario, under, over) in [("continuation-flood", 20, 100), ("empty-data-flood", 5, 30)] {
            let calm = try probe(scenario, port: p.port, ["--count", String(under), "--timeout", "1"])
            XCTAssertNotEqual(calm["goaway_error"] as? String, "ENHANCE_YOUR_CALM", "\(scenario) \(under): \(calm)")
            let flood = try probe(scenario, port: p.port, ["--count", String(over), "--timeout", "3"])
            XCTAssertEqual(flood["goaway_error"] as? String, "ENHANCE_YOUR_CALM", "\(scenario) \(over): \(flood)")
        }
        try assertServed(p.port)
        XCTAssertEqual(p.stop(), 0)
    }

    /// A connection without a stream is ended after `Client` seconds, with a GOAWAY
    /// saying nothing went wrong (the per-connection half of the client timeout).
    func testAnIdleConnectionGetsGOAWAYAfterTheClientTimeout() throws {
        let b = try TestBackend(name: "b1")
        let p = try start(backends: [b], global: "Client 2")
        let report = try probe("idle", port: p.port, ["--timeout", "8"])
        XCTAssertEqual(report["status"] as? Int, 200, "\(report)")
        XCTAssertEqual(report["goaway_error"] as? String, "NO_ERROR", "\(report)")
        XCTAssertEqual(report["closed"] as? Bool, true, "\(report)")
        let closedAfter = report["closed_after"] as? Double ?? -1
        XCTAssertTrue(closedAfter >= 1.5 && closedAfter < 5, "closed after \(closedAfter) s: \(report)")
        try assertServed(p.port)
        XCTAssertEqual(p.stop(), 0)
    }

    /// A stream whose body stops coming gets Pound's 408 after `Client` seconds; the
    /// connection and its other streams go on.
    func testAStalledRequestBodyTimesOutPerStream() throws {
        let b = try TestBackend(name: "b1")
        let p = try start(backends: [b], global: "Client 2")
        let report = try probe("stalled-body", port: p.port, ["--timeout", "8"])
        XCTAssertEqual(responses(report)["408"], 1, "\(report)")
        let elapsed = report["elapsed"] as? Double ?? 0
        XCTAssertTrue(elapsed >= 1.5 && elapsed < 5, "\(elapsed) s")
        XCTAssertEqual(report["closed"] as? Bool, false, "\(report)")
        XCTAssertEqual(p.stop(), 0)
    }
}
