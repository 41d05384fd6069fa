import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The `Stats` status page end to end: curl fetches the page and drives its API
/// path (the control router behind it), and headless Chromium renders the page,
/// running its script against the live JSON, into a screenshot.
final class StatusPageTests: XCTestCase {
    private struct Fetched {
        var status: Int
        var contentType: String
        var body: String
    }

    private static func run(_ executable: String, _ arguments: [String], timeout: TimeInterval = 60) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let timer = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: timer)
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        timer.cancel()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    private func curl(_ method: String, _ url: String, user: String? = nil) throws -> Fetched {
        var args = ["-s", "-X", method, "-w", "\n%{http_code} %{content_type}", url]
        if let user { args += ["-u", user] }
        let text = try Self.run("/usr/bin/curl", args).output
        guard let cut = text.lastIndex(of: "\n") else { throw HarnessError("curl gave no status: \(text)") }
        let trailer = text[text.index(after: cut)...].split(separator: " ", maxSplits: 1)
        guard let status = trailer.first.flatMap({ Int($0) }) else { throw HarnessError("curl gave no status: \(text)") }
        return Fetched(status: status, contentType: trailer.count > 1 ? String(trailer[1]) : "",
                       body: String(text[..<cut]))
    }

    private func backendOf(_ port: Int) throws -> String? {
        let c = try TCP(port: port)
        c.send("GET /echo HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        return c.readResponse()?.header("x-backend")
    }

    private static var chromium: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    private func startPounce(_ b1: TestBackend, _ b2: TestBackend) throws -> RunningPounce {
        let files = PounceProcess.temporaryDirectory()
        PounceProcess.write("admin:s3cret\n", to: files + "/htpass")
        // xHTTP 1: the page's buttons send PUT and DELETE.
        return try RunningPounce(config: """
        Daemon 0
        LogFacility -
        BackendStats on
        ListenHTTP
            Address 127.0.0.1
            Port {PORT}
            xHTTP 1
            Service "status"
                URL "^/status"
                Stats
            End
            Service "guarded"
                URL "^/private/status"
                BasicAuth "\(files)/htpass"
                Stats
            End
            # BasicAuth is a condition: without the password the request falls here.
            Service "denied"
                URL "^/private/"
                Error 401
            End
            Service "web"
                Backend
                    Address 127.0.0.1
                    Port \(b1.port)
                End
                Backend
                    Address 127.0.0.1
                    Port \(b2.port)
                End
            End
        End
        """)
    }

    func testPageJSONAndDisableThroughThePageAPI() throws {
        let b1 = try TestBackend(name: "b1")
        let b2 = try TestBackend(name: "b2")
        let p = try startPounce(b1, b2)
        let base = "http://127.0.0.1:\(p.port)/status"

        let page = try curl("GET", base)
        XCTAssertEqual(page.status, 200)
        XCTAssertTrue(page.contentType.hasPrefix("text/html"), page.contentType)
        XCTAssertTrue(page.body.contains("<title>Pounce status</title>"))
        XCTAssertTrue(page.body.contains("setInterval(refresh, 2000)"))
        // Self-contained: nothing loaded from elsewhere.
        XCTAssertFalse(page.body.contains("src=\"http"))
        XCTAssertFalse(page.body.contains("<link"))

        let json = try curl("GET", base + "?json")
        XCTAssertEqual(json.status, 200)
        XCTAssertEqual(json.contentType, "application/json")
        XCTAssertTrue(json.body.contains("\"kind\":\"pound\""), json.body)
        XCTAssertTrue(json.body.contains("\"address\":\"127.0.0.1:\(b1.port)\""))
        XCTAssertTrue(json.body.contains("\"type\":\"stats\""))

        // Listener 0, service 3 ("web"), backend 0: what the page's Disable button sends.
        let disabled = try curl("DELETE", base + "/api/listener/0/3/0")
        XCTAssertEqual(disabled.status, 200)
        XCTAssertEqual(disabled.body, "true")
        for _ in 0..<6 { XCTAssertEqual(try backendOf(p.port), "b2") }
        let listed = try curl("GET", base + "/api/listener/0/web/0")
        XCTAssertTrue(listed.body.contains("\"enabled\":false"), listed.body)

        XCTAssertEqual(try curl("PUT", base + "/api/listener/0/3/0").status, 200)
        var seen = Set<String>()
        for _ in 0..<10 { if let b = try backendOf(p.port) { seen.insert(b) } }
        XCTAssertEqual(seen, ["b1", "b2"])

        // The page cannot switch itself off, and the API keeps its own errors.
        XCTAssertEqual(try curl("DELETE", base + "/api/listener/0/0/0").status, 400)
        XCTAssertEqual(try curl("GET", base + "/api/listener/0/nothing").status, 404)
        XCTAssertEqual(try curl("POST", base).status, 405)

        // BasicAuth in front of a Stats service.
        XCTAssertEqual(try curl("GET", "http://127.0.0.1:\(p.port)/private/status").status, 401)
        let authed = try curl("GET", "http://127.0.0.1:\(p.port)/private/status?json", user: "admin:s3cret")
        XCTAssertEqual(authed.status, 200)
        XCTAssertTrue(authed.body.contains("\"name\":\"guarded\""))
        XCTAssertEqual(p.stop(), 0)
    }

    func testChromiumRendersTheLivePage() throws {
        guard let chromium = Self.chromium else { throw XCTSkip("chromium is not installed") }
        let b1 = try TestBackend(name: "b1")
        let b2 = try TestBackend(name: "b2")
        let p = try startPounce(b1, b2)
        let url = "http://127.0.0.1:\(p.port)/status"
        // One backend disabled, so the page shows both states.
        XCTAssertEqual(try curl("DELETE", url + "/api/listener/0/web/1").status, 200)
        // Traffic for the request and latency columns (BackendStats on).
        for _ in 0..<3 { _ = try backendOf(p.port) }

        let common = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                      "--user-data-dir=" + PounceProcess.temporaryDirectory(),
                      "--virtual-time-budget=3000", "--window-size=1200,800"]
        // The DOM after the script ran proves it fetched and rendered the JSON.
        let dom = try Self.run(chromium, common + ["--dump-dom", url]).output
        XCTAssertTrue(dom.contains("127.0.0.1:\(b1.port)"), "backend not rendered:\n\(dom.prefix(2000))")
        XCTAssertTrue(dom.contains("127.0.0.1:\(b2.port)"))
        XCTAssertTrue(dom.contains(">Disable</button>"))
        XCTAssertTrue(dom.contains(">Enable</button>"))
        XCTAssertTrue(dom.contains(">disabled<"))
        // The header's state line says when the last refresh succeeded.
        XCTAssertTrue(dom.contains(">updated "), "no successful refresh")
        // With BackendStats on, the request counts and latency columns are filled.
        XCTAssertTrue(dom.contains(">Requests<") && dom.contains(">Latency<"))
        XCTAssertTrue(dom.range(of: #"<td>[0-9]+\.[0-9]{2} ms</td>"#, options: .regularExpression) != nil,
                      "no latency shown:\n\(dom.prefix(3000))")
        XCTAssertFalse(dom.contains("class=\"err\""))

        let png = PounceProcess.temporaryDirectory() + "/status-page.png"
        let shot = try Self.run(chromium, common + ["--screenshot=" + png, url])
        XCTAssertEqual(shot.status, 0)
        let data = try Data(contentsOf: URL(fileURLWithPath: png))
        XCTAssertEqual(Array(data.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        // A blank 1200x800 page compresses to a few KB; a rendered table is larger.
        XCTAssertGreaterThan(data.count, 10_000, "screenshot too small: \(data.count) bytes")
        print("StatusPageTests: screenshot of the status page: \(png) (\(data.count) bytes)")
        XCTAssertEqual(p.stop(), 0)
    }
}
