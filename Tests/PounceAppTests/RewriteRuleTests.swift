import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Conditional `Rewrite` blocks, response rules, expansion failures and
/// `RewriteErrors`, through a running `pounce` with real backends.
final class RewriteRuleTests: XCTestCase {
    private func start(_ listenerBody: String = "", service: String, backend: TestBackend,
                       files: [String: String] = [:]) throws -> RunningPounce {
        let config = """
        Daemon 0
        LogFacility -
        LogLevel 0
        ListenHTTP
            Address 127.0.0.1
            Port {PORT}
        \(listenerBody)
            Service
        \(service)
                Backend
                    Address 127.0.0.1
                    Port \(backend.port)
                End
            End
        End
        """
        return try RunningPounce(config: config, files: files)
    }

    private func get(_ path: String, _ p: RunningPounce, headers: String = "") throws -> HTTPReply {
        let c = try TCP(port: p.port)
        c.send("GET \(path) HTTP/1.1\r\nHost: example.net\r\n\(headers)Connection: close\r\n\r\n")
        guard let r = c.readResponse() else { throw HarnessError("no response for \(path)") }
        return r
    }

    func testElseChainPicksOneBranchPerRequest() throws {
        let b = try TestBackend(name: "b1")
        let p = try start(service: """
            Rewrite
                URL -beg "/foo"
                SetHeader "X-Branch: 1"
            Else
                Match And
                    URL -beg "/baz"
                    Header -re "X-Pass:[[:space:]]+ok"
                End
                SetHeader "X-Branch: 2"
                Rewrite
                    Query "^id=([0-9]+)$"
                    SetPath "/items/$1"
                End
            Else
                SetHeader "X-Branch: 3"
            End
        """, backend: b)
        XCTAssertEqual(try get("/foo/bar", p).header("x-orig-x-branch"), "1")
        let nested = try get("/baz?id=42", p, headers: "X-Pass: ok\r\n")
        XCTAssertEqual(nested.header("x-orig-x-branch"), "2")
        XCTAssertEqual(nested.header("x-request-line"), "GET /items/42?id=42 HTTP/1.1")
        XCTAssertEqual(try get("/baz", p, headers: "X-Pass: no\r\n").header("x-orig-x-branch"), "3")
        XCTAssertEqual(p.stop(), 0)
    }

    func testResponseRulesMatchTheBackendsHeaders() throws {
        let b = try TestBackend(name: "b1") { req, _ in
            let type = req.header("X-Want-Type") ?? "text/plain"
            return Array("HTTP/1.1 200 OK\r\nContent-Type: \(type)\r\nServer: internal\r\nContent-Length: 2\r\n\r\nok".utf8)
        }
        let p = try start("""
            Rewrite response
                DeleteHeader "^Server:"
            End
        """, service: """
            Host -re "([^:]+)"
            Rewrite response
                Header "Content-Type: text/(.+)"
                SetHeader "X-Subtype: $1 on $1(1)"
            Else
                SetHeader "X-Other: %[path]"
            End
        """, backend: b)
        let text = try get("/a", p)
        XCTAssertEqual(text.header("x-subtype"), "plain on example.net")
        XCTAssertNil(text.header("server"), "the listener's response rule runs too")
        let other = try get("/b", p, headers: "X-Want-Type: application/json\r\n")
        XCTAssertEqual(other.header("x-other"), "/b")
        XCTAssertNil(other.header("x-subtype"))
        XCTAssertEqual(p.stop(), 0)
    }

    func testExpansionErrorAnswers500AndLogsWhy() throws {
        let b = try TestBackend(name: "b1")
        let p = try start(service: """
            Rewrite
                Header "X-Foo: (.*)"
                SetPath "/echo/$1(1"
            End
            SetHeader "X-Late: $3"
        """, backend: b)
        XCTAssertEqual(try get("/x", p, headers: "X-Foo: bar\r\n").status, 500)
        XCTAssertTrue(p.waitForLog("path \"/echo/$1(1\": missing closing parenthesis in reference started at offset 7"), p.log)
        // Without the header the block is skipped; the unconditional SetHeader fails.
        XCTAssertEqual(try get("/x", p).status, 500)
        XCTAssertTrue(p.waitForLog("Header \"X-Late: $3\" refers to non-existing group $3"), p.log)
        XCTAssertTrue(b.requests.isEmpty, "nothing reaches the backend")
        XCTAssertEqual(p.stop(), 0)
    }

    func testRewriteErrorsServesTheErrorFileInsteadOfTheBackendsPage() throws {
        let b = try TestBackend(name: "b1") { req, _ in
            let code = req.requestLine.contains("/missing") ? "404 Not Found" : "500 Internal Server Error"
            return Array("HTTP/1.1 \(code)\r\nContent-Type: text/plain\r\nContent-Length: 7\r\n\r\nbackend".utf8)
        }
        let files = ["500.html": "Content-Type: text/html\n\n<p>our 500</p>\n"]
        let on = try start("ErrorFile 500 \"500.html\"\nRewriteErrors on", service: "", backend: b, files: files)
        let replaced = try get("/x", on)
        XCTAssertEqual(replaced.status, 500)
        XCTAssertEqual(replaced.header("content-type"), "text/html")
        XCTAssertTrue(replaced.body.contains("<p>our 500</p>"), replaced.body)
        // No ErrorFile for 404: the backend's page passes.
        XCTAssertEqual(try get("/missing", on).body, "backend")
        XCTAssertEqual(on.stop(), 0)

        let serviceOff = try start("ErrorFile 500 \"500.html\"\nRewriteErrors on", service: "RewriteErrors off",
                                   backend: b, files: files)
        XCTAssertEqual(try get("/x", serviceOff).body, "backend")
        XCTAssertEqual(serviceOff.stop(), 0)

        let serviceOn = try start("ErrorFile 500 \"500.html\"", service: "RewriteErrors on", backend: b, files: files)
        XCTAssertTrue(try get("/x", serviceOn).body.contains("<p>our 500</p>"))
        XCTAssertEqual(serviceOn.stop(), 0)
    }
}
