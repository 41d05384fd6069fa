import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The request language end to end, with real requests through `pounce`: location
/// rewriting, special backends, error pages, logging, file inclusion and the
/// unconditional request/response modifications.
///
/// Every expectation that Pound 4.23 shares was checked against it by running the
/// suite with `POUNCE_TEST_BINARY=/path/to/pound`; tests of Pounce extensions skip then.
final class RequestLanguageTests: XCTestCase {
    // MARK: helpers

    private func config(_ listenerBody: String = "", services: String, global: String = "", logLevel: String = "LogLevel 1") -> String {
        """
        Daemon 0
        LogFacility -
        \(logLevel)
        Alive 1
        \(global)
        ListenHTTP
            Address 127.0.0.1
            Port {PORT}
        \(listenerBody)
        \(services)
        End
        """
    }

    private func backend(_ b: TestBackend) -> String {
        "Backend\nAddress 127.0.0.1\nPort \(b.port)\nEnd\n"
    }

    private func service(_ b: TestBackend, extra: String = "") -> String {
        "Service\n\(extra)\n\(backend(b))End\n"
    }

    private func directory(_ files: [String: String]) -> String {
        let dir = PounceProcess.temporaryDirectory()
        for (name, text) in files { PounceProcess.write(text, to: dir + "/" + name) }
        return dir
    }

    private func skipOnPound(_ why: String) throws {
        try XCTSkipIf(RunningPounce.isPound, "Pounce extension: \(why)")
    }

    /// A backend answering 302 to the location named by the request's `X-Target`
    /// (and `Content-Location` from `X-Content-Target`).
    private func redirectingBackend() throws -> TestBackend {
        try TestBackend(name: "redir") { req, _ in
            var head = "HTTP/1.1 302 Found\r\nLocation: \(req.header("X-Target") ?? "")\r\n"
            if let c = req.header("X-Content-Target") { head += "Content-Location: \(c)\r\n" }
            return Array((head + "Content-Length: 0\r\n\r\n").utf8)
        }
    }

    private func location(_ target: String, port: Int, host: String = "www.example.com") throws -> String? {
        try TCP.get("/", port: port, host: host, headers: ["X-Target: \(target)"]).header("Location")
    }

    // MARK: RewriteLocation

    func testRewriteLocationOneAsPound423RewritesEveryAbsoluteLocation() throws {
        let b = try redirectingBackend()
        let p = try RunningPounce(config: config(services: service(b)))
        XCTAssertEqual(try location("http://127.0.0.1:\(b.port)/login?next=/a", port: p.port),
                       "http://www.example.com/login?next=/a")
        // Pound 4.23's listener comparison never holds: foreign hosts are rewritten too.
        XCTAssertEqual(try location("https://other.example/x", port: p.port), "http://www.example.com/x")
        XCTAssertEqual(try location("https://www.example.com/secure", port: p.port), "http://www.example.com/secure")
        XCTAssertEqual(try location("/relative", port: p.port), "/relative")
        let both = try TCP.get("/", port: p.port, host: "www.example.com",
                           headers: ["X-Target: http://127.0.0.1:\(b.port)/a", "X-Content-Target: http://127.0.0.1:\(b.port)/b"])
        XCTAssertEqual(both.header("Content-Location"), "http://www.example.com/b")
        XCTAssertEqual(p.stop(), 0)
    }

    func testRewriteLocationSafeLeavesForeignLocationsAlone() throws {
        try skipOnPound("RewriteLocation 1 safe")
        let b = try redirectingBackend()
        for statement in ["RewriteLocation 1 safe", "RewriteLocation safe"] {
            let p = try RunningPounce(config: config(statement, services: service(b)))
            XCTAssertEqual(try location("http://127.0.0.1:\(b.port)/login", port: p.port), "http://www.example.com/login",
                           "the backend's own address is rewritten")
            XCTAssertEqual(try location("http://127.0.0.1/x", port: p.port), "http://www.example.com/x",
                           "the listener's address without a port is rewritten")
            XCTAssertEqual(try location("http://127.0.0.1:\(p.port)/y", port: p.port), "http://www.example.com/y")
            XCTAssertEqual(try location("https://other.example/x", port: p.port), "https://other.example/x")
            XCTAssertEqual(try location("https://www.example.com/secure", port: p.port), "https://www.example.com/secure",
                           "https to the client's own host stays https")
            let otherPort = p.port == 1 ? 2 : p.port - 1
            XCTAssertEqual(try location("http://127.0.0.1:\(otherPort)/z", port: p.port), "http://127.0.0.1:\(otherPort)/z")
            XCTAssertEqual(p.stop(), 0)
        }
    }

    func testRewriteLocationZeroAndTwo() throws {
        let b = try redirectingBackend()
        let off = try RunningPounce(config: config("RewriteLocation 0", services: service(b)))
        XCTAssertEqual(try location("http://127.0.0.1:\(b.port)/login", port: off.port), "http://127.0.0.1:\(b.port)/login")
        XCTAssertEqual(off.stop(), 0)
        let two = try RunningPounce(config: config("RewriteLocation 2", services: service(b)))
        XCTAssertEqual(try location("http://127.0.0.1:\(b.port)/login", port: two.port), "http://www.example.com/login")
        XCTAssertEqual(try location("http://127.0.0.1/x", port: two.port), "http://127.0.0.1/x")
        XCTAssertEqual(try location("https://other.example/x", port: two.port), "https://other.example/x")
        XCTAssertEqual(two.stop(), 0)
    }

    // MARK: RewriteDestination

    func testRewriteDestinationPointsWebDAVTargetsAtTheBackend() throws {
        let b = try TestBackend(name: "dav")
        let p = try RunningPounce(config: config("xHTTP 2\nRewriteDestination 1", services: service(b)))
        let moved = try TCP.exchange("MOVE /dav/a.txt HTTP/1.1\r\nHost: www.example.com\r\nDestination: http://www.example.com/dav/b%20c.txt?v=1",
                                 port: p.port)
        XCTAssertEqual(moved.header("x-orig-destination"), "http://127.0.0.1:\(b.port)/dav/b%20c.txt?v=1")
        let unparsable = try TCP.exchange("COPY /dav/a.txt HTTP/1.1\r\nHost: x\r\nDestination: /dav/relative.txt", port: p.port)
        XCTAssertEqual(unparsable.header("x-orig-destination"), "/dav/relative.txt")
        XCTAssertNotNil(p.waitForLogLine { $0.hasSuffix("can't parse Destination /dav/relative.txt") }, p.log)
        XCTAssertEqual(p.stop(), 0)

        let plain = try RunningPounce(config: config("xHTTP 2", services: service(b)))
        let kept = try TCP.exchange("MOVE /a HTTP/1.1\r\nHost: x\r\nDestination: http://www.example.com/b", port: plain.port)
        XCTAssertEqual(kept.header("x-orig-destination"), "http://www.example.com/b", "off by default")
        XCTAssertEqual(plain.stop(), 0)
    }

    // MARK: special backends

    func testRedirectCodesAndTheirReasons() throws {
        let codes = [301: "Moved Permanently", 302: "Found", 303: "See Other", 307: "Temporary Redirect", 308: "Permanent Redirect"]
        var services = ""
        for code in codes.keys.sorted() {
            services += "Service\nURL \"^/c\(code)/\"\nRedirect \(code) \"http://abc.example\"\nEnd\n"
        }
        services += "Service\nURL \"^/default/\"\nRedirect \"http://abc.example\"\nEnd\n"
        let p = try RunningPounce(config: config(services: services))
        for (code, reason) in codes {
            let r = try TCP.get("/c\(code)/x?q=1", port: p.port)
            XCTAssertEqual(r.statusLine, "HTTP/1.1 \(code) \(reason)")
            XCTAssertEqual(r.header("Location"), "http://abc.example/c\(code)/x?q=1")
            XCTAssertEqual(r.header("Content-Type"), "text/html")
            XCTAssertTrue(r.body.contains("<a href=\"http://abc.example/c\(code)/x?q=1\">"), r.body)
        }
        XCTAssertEqual(try TCP.get("/default/y", port: p.port).statusLine, "HTTP/1.1 302 Found")
        XCTAssertEqual(p.stop(), 0)
    }

    func testRedirectURLRulesAndExpansions() throws {
        let p = try RunningPounce(config: config(services: """
            Service
                URL "^/append/"
                Redirect "http://abc.example"
            End
            Service
                URL "^/slash/"
                Redirect "http://abc.example/"
            End
            Service
                URL "^/page/"
                Redirect 301 "http://abc.example/index.html"
            End
            Service
                URL "^/d/(.*)"
                Redirect 308 "https://abc.example/new/$1"
            End
            Service
                URL "^/host/.*"
                Redirect "https://%[host]$0"
            End

            """))
        XCTAssertEqual(try TCP.get("/append/a/x?q=1", port: p.port).header("Location"), "http://abc.example/append/a/x?q=1",
                       "no path: the request URL is appended (the 2.x rule)")
        XCTAssertEqual(try TCP.get("/slash/a/x?q=1", port: p.port).header("Location"), "http://abc.example",
                       "a lone / is a path: nothing is appended (and Pound drops the /)")
        XCTAssertEqual(try TCP.get("/page/a", port: p.port).header("Location"), "http://abc.example/index.html")
        let dollar = try TCP.get("/d/x/y", port: p.port)
        XCTAssertEqual(dollar.status, 308)
        XCTAssertEqual(dollar.header("Location"), "https://abc.example/new/x/y")
        XCTAssertEqual(try TCP.get("/host/z?k=v", port: p.port, host: "www.example.com").header("Location"),
                       "https://www.example.com/host/z?k=v")
        XCTAssertEqual(p.stop(), 0)
    }

    func testErrorAndSuccessBackends() throws {
        let dir = directory(["404.html": "Content-Type: text/plain\nX-Page: custom\n\nNothing here.\n"])
        let p = try RunningPounce(config: config(services: """
            Service
                URL "^/forbidden"
                Error 403
            End
            Service
                URL "^/missing"
                Error 404 "\(dir)/404.html"
            End
            Service
                URL "^/ok"
                Success
            End

            """))
        let forbidden = try TCP.get("/forbidden", port: p.port)
        XCTAssertEqual(forbidden.statusLine, "HTTP/1.1 403 Forbidden")
        XCTAssertEqual(forbidden.header("Content-Type"), "text/html")
        XCTAssertTrue(forbidden.body.contains("<title>403 Forbidden</title>"), forbidden.body)
        let missing = try TCP.get("/missing", port: p.port)
        XCTAssertEqual(missing.statusLine, "HTTP/1.1 404 Not Found")
        XCTAssertEqual(missing.header("Content-Type"), "text/plain")
        XCTAssertEqual(missing.header("X-Page"), "custom")
        XCTAssertEqual(missing.body, "Nothing here.\n")
        let ok = try TCP.get("/ok", port: p.port)
        XCTAssertEqual(ok.statusLine, "HTTP/1.1 200 OK")
        // Pound 4.23 says `Content-Length: -1` here; Pounce sends a valid 0.
        if !RunningPounce.isPound { XCTAssertEqual(ok.header("Content-Length"), "0") }
        XCTAssertEqual(ok.body, "")
        XCTAssertEqual(p.stop(), 0)
    }

    /// Response rules change the replies of the built-in responders as in Pound 4.23:
    /// Success and Error replies (and SendFile, Metrics, LuaBackend) get them, a
    /// Redirect does not (Pound's redirect_response applies none).
    func testResponseRulesOnSuccessErrorAndRedirect() throws {
        let p = try RunningPounce(config: config(services: """
            Service
                URL "^/ok"
                Rewrite response
                    SetHeader "Access-Control-Allow-Origin: *"
                End
                Success
            End
            Service
                URL "^/gone"
                Rewrite response
                    SetHeader "X-Rule: error"
                End
                Error 404
            End
            Service
                URL "^/moved"
                Rewrite response
                    SetHeader "X-Rule: redirect"
                End
                Redirect "http://example.org/x"
            End

            """))
        let ok = try TCP.get("/ok", port: p.port)
        XCTAssertEqual(ok.statusLine, "HTTP/1.1 200 OK")
        XCTAssertEqual(ok.header("Access-Control-Allow-Origin"), "*")
        XCTAssertEqual(try TCP.get("/gone", port: p.port).header("X-Rule"), "error")
        let moved = try TCP.get("/moved", port: p.port)
        XCTAssertEqual(moved.status, 302)
        XCTAssertNil(moved.header("X-Rule"))
        XCTAssertEqual(p.stop(), 0)
    }

    func testSendFileAndACME() throws {
        let pub = directory(["a.txt": "public text\n"])
        let acme = directory(["token-1": "token-1.thumbprint"])
        let b = try TestBackend(name: "b1")
        let p = try RunningPounce(config: config("ACME \"\(acme)\"", services: """
            Service
                URL "^/files/"
                SetPath "/a.txt"
                SendFile "\(pub)"
            End
            Service
                URL "^/static/"
                SendFile "\(pub)"
            End
            \(service(b))
            """))
        let file = try TCP.get("/files/anything", port: p.port)
        XCTAssertEqual(file.status, 200)
        XCTAssertEqual(file.header("Content-Type"), "text/plain")
        XCTAssertEqual(file.body, "public text\n")
        XCTAssertEqual(try TCP.get("/static/nope.txt", port: p.port).status, 404)
        let challenge = try TCP.get("/.well-known/acme-challenge/token-1", port: p.port)
        XCTAssertEqual(challenge.status, 200)
        XCTAssertEqual(challenge.body, "token-1.thumbprint")
        XCTAssertEqual(try TCP.get("/.well-known/acme-challenge/token-2", port: p.port).status, 404)
        XCTAssertEqual(try TCP.get("/other", port: p.port).header("x-backend"), "b1", "other URLs go on to the services")
        XCTAssertEqual(p.stop(), 0)
    }

    // MARK: error pages

    private func assertBuiltInPage(_ r: HTTPReply, _ status: Int, _ reason: String,
                                   file: StaticString = #filePath, line: UInt = #line) {
        // A refused request line (method, length) is answered before the version is
        // known: HTTP/1.0, so no length and no Connection header (as Pound does).
        let lineError = status == 405 || status == 414
        XCTAssertEqual(r.statusLine, "HTTP/1.\(lineError ? 0 : 1) \(status) \(reason)", file: file, line: line)
        XCTAssertEqual(r.header("Content-Type"), "text/html", file: file, line: line)
        XCTAssertEqual(r.header("Expires"), "now", file: file, line: line)
        XCTAssertEqual(r.header("Pragma"), "no-cache", file: file, line: line)
        XCTAssertEqual(r.header("Cache-control"), "no-cache,no-store", file: file, line: line)
        if !lineError {
            XCTAssertEqual(r.header("Connection"), "close", file: file, line: line)
            XCTAssertEqual(r.header("Content-Length"), String(r.body.utf8.count), file: file, line: line)
        }
        XCTAssertTrue(r.body.contains("<title>\(status) \(reason)</title>"), r.body, file: file, line: line)
    }

    func testBuiltInErrorPages() throws {
        let b = try TestBackend(name: "b1")
        let p = try RunningPounce(config: config("""
            CheckURL "^/(ok|big|x+|forbidden|notfound)"
            MaxRequest 10
            MaxURI 40
            """, services: """
            Service
                URL "^/forbidden"
                Error 403
            End
            Service
                URL "^/notfound"
                Error 404
            End
            Service
                URL "^/(ok|big|x+)"
                \(backend(b))
            End

            """))
        assertBuiltInPage(try TCP.exchange("POST /ok HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked",
                                       port: p.port, body: "0\r\n\r\n"), 400, "Bad Request")
        assertBuiltInPage(try TCP.get("/forbidden", port: p.port), 403, "Forbidden")
        assertBuiltInPage(try TCP.get("/notfound", port: p.port), 404, "Not Found")
        assertBuiltInPage(try TCP.exchange("PUT /ok HTTP/1.1\r\nHost: x\r\nContent-Length: 1", port: p.port, body: "x"),
                          405, "Method Not Allowed")
        assertBuiltInPage(try TCP.exchange("POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: 20", port: p.port,
                                       body: String(repeating: "y", count: 20)), 413, "Payload Too Large")
        assertBuiltInPage(try TCP.get("/" + String(repeating: "x", count: 60), port: p.port), 414, "URI Too Long")
        assertBuiltInPage(try TCP.get("/not-allowed-by-checkurl", port: p.port), 501, "Not Implemented")
        XCTAssertEqual(try TCP.get("/ok", port: p.port).status, 200)
        XCTAssertEqual(p.stop(), 0)

        let none = try RunningPounce(config: config(services: "Service\nURL \"^/only\"\n\(backend(b))End\n"))
        assertBuiltInPage(try TCP.get("/elsewhere", port: none.port), 503, "Service Unavailable")
        XCTAssertEqual(none.stop(), 0)
    }

    func testErrorFileWithHeadersAndTheErr503Form() throws {
        let dir = directory([
            "503.html": "Content-Type: text/plain\nX-Err: custom\n\nService down, sorry.\n",
            "old503.html": "<html><body>Old style 503 page</body></html>\n",
        ])
        let services = "Service\nURL \"^/only\"\nBackend\nAddress 127.0.0.1\nPort 9\nEnd\nEnd\n"
        let p = try RunningPounce(config: config("ErrorFile 503 \"\(dir)/503.html\"", services: services))
        let r = try TCP.get("/x", port: p.port)
        XCTAssertEqual(r.statusLine, "HTTP/1.1 503 Service Unavailable")
        XCTAssertEqual(r.header("Content-Type"), "text/plain", "the page's own header wins")
        XCTAssertEqual(r.header("X-Err"), "custom")
        XCTAssertEqual(r.header("Expires"), "now")
        XCTAssertEqual(r.header("Cache-control"), "no-cache,no-store")
        XCTAssertEqual(r.body, "Service down, sorry.\n")
        XCTAssertEqual(p.stop(), 0)

        let old = try RunningPounce(config: config("Err503 \"\(dir)/old503.html\"", services: services))
        let r2 = try TCP.get("/x", port: old.port)
        XCTAssertEqual(r2.status, 503)
        XCTAssertEqual(r2.header("Content-Type"), "text/html")
        XCTAssertEqual(r2.body, "<html><body>Old style 503 page</body></html>\n")
        XCTAssertTrue(old.log.contains("warning: deprecated statement, use \"ErrorFile 503\" instead"), old.log)
        XCTAssertEqual(old.stop(), 0)
    }

    // MARK: logging

    func testLogFormatWithManySpecifiers() throws {
        let b = try TestBackend(name: "b1")
        let format = "A=%A a=%a B=%B b=%b H=%H h=%h I=\\\"%{X-Null}I\\\" i=\\\"%{X-Null}i\\\" hdr=\\\"%{X-Header}i\\\" "
            + "m=%m q=\\\"%q\\\" U=%U L=%{listener}N S=%{service}N BE=%{backend}N r=\\\"%r\\\" s=%s full=\\\"%>s\\\" "
            + "u=%u v=%v pct=%% day=%{%Y}t ms=%{ms}T"
        let p = try RunningPounce(config: """
            Daemon 0
            LogFacility -
            LogFormat "mine" "\(format)"
            LogLevel "mine"
            ListenHTTP "main"
                Address 127.0.0.1
                Port {PORT}
                Service "default"
                    \(backend(b))
                End
            End
            """)
        _ = try TCP.get("/echo/foo?index=1&q=text", port: p.port, host: "example.com",
                    headers: ["X-Header: test value", "Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="])
        let line = try XCTUnwrap(p.waitForLogLine { $0.hasPrefix("A=") }, p.log)
        let year = Calendar(identifier: .gregorian).component(.year, from: Date())
        let expected = "A=127.0.0.1 a=127.0.0.1 B=14 b=14 H=http h=127.0.0.1 I=\"-\" i=\"\" hdr=\"test value\" "
            + "m=GET q=\"?index=1&q=text\" U=/echo/foo L=main S=default BE=127.0.0.1:\(b.port) "
            + "r=\"GET /echo/foo?index=1&q=text HTTP/1.1\" s=200 full=\"HTTP/1.1 200 OK\" "
            + "u=Aladdin v=example.com pct=% day=\(year) ms="
        XCTAssertTrue(line.hasPrefix(expected), "\(line)\n\(expected)")
        XCTAssertNotNil(Int(line.dropFirst(expected.count)), line)
        XCTAssertEqual(p.stop(), 0)
    }

    func testLogSuppressByStatusClass() throws {
        let b = try TestBackend(name: "b1") { req, _ in
            req.requestLine.contains("missing")
                ? Array("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".utf8)
                : TestBackend.echo(req, name: "b1")
        }
        let p = try RunningPounce(config: config(services: """
            Service
                URL "^/quiet"
                LogSuppress success redirect
                \(backend(b))
            End
            \(service(b))
            """))
        XCTAssertEqual(try TCP.get("/quiet/ok", port: p.port).status, 200)
        XCTAssertEqual(try TCP.get("/quiet/missing", port: p.port).status, 404)
        XCTAssertEqual(try TCP.get("/loud", port: p.port).status, 200)
        XCTAssertNotNil(p.waitForLogLine { $0.contains("GET /loud HTTP/1.1") }, p.log)
        XCTAssertNotNil(p.waitForLogLine { $0 == "127.0.0.1 GET /quiet/missing HTTP/1.1 - HTTP/1.1 404 Not Found" }, p.log)
        XCTAssertFalse(p.log.contains("/quiet/ok"), p.log)
        XCTAssertEqual(p.stop(), 0)
    }

    func testAnonymiseHidesTheLastByte() throws {
        let b = try TestBackend(name: "b1")
        let p = try RunningPounce(config: config(services: service(b), global: "Anonymise"))
        _ = try TCP.get("/anon", port: p.port)
        XCTAssertNotNil(p.waitForLogLine { $0 == "127.0.0.0 GET /anon HTTP/1.1 - HTTP/1.1 200 OK" }, p.log)
        XCTAssertEqual(p.stop(), 0)
    }

    func testForwardedHeaderAndTrustedIPDecideTheLoggedClient() throws {
        let b = try TestBackend(name: "b1")
        let p = try RunningPounce(config: config(services: service(b), global: "TrustedIP\n\"127.0.0.1\"\nEnd"))
        _ = try TCP.get("/one", port: p.port, headers: ["X-Forwarded-For: 192.0.2.4, 192.0.2.5"])
        XCTAssertNotNil(p.waitForLogLine { $0 == "192.0.2.5 GET /one HTTP/1.1 - HTTP/1.1 200 OK" }, p.log)
        XCTAssertEqual(p.stop(), 0)

        let trusting = try RunningPounce(config: config(services: service(b), global: "TrustedIP\n\"127.0.0.1\"\n\"192.0.2.5\"\nEnd"))
        _ = try TCP.get("/two", port: trusting.port, headers: ["X-Forwarded-For: 192.0.2.4, 192.0.2.5"])
        XCTAssertNotNil(trusting.waitForLogLine { $0 == "192.0.2.4 GET /two HTTP/1.1 - HTTP/1.1 200 OK" }, trusting.log)
        XCTAssertEqual(trusting.stop(), 0)

        let listenerHeader = try RunningPounce(config: config("ForwardedHeader \"X-Real-IP\"\nTrustedIP\n\"127.0.0.1\"\nEnd",
                                                             services: service(b)))
        _ = try TCP.get("/three", port: listenerHeader.port, headers: ["X-Forwarded-For: 192.0.2.4", "X-Real-IP: 198.51.100.7"])
        XCTAssertNotNil(listenerHeader.waitForLogLine { $0 == "198.51.100.7 GET /three HTTP/1.1 - HTTP/1.1 200 OK" },
                        listenerHeader.log)
        XCTAssertEqual(listenerHeader.stop(), 0)

        let untrusted = try RunningPounce(config: config(services: service(b), global: "TrustedIP\n\"10.0.0.0/8\"\nEnd"))
        _ = try TCP.get("/four", port: untrusted.port, headers: ["X-Forwarded-For: 192.0.2.4"])
        XCTAssertNotNil(untrusted.waitForLogLine { $0 == "127.0.0.1 GET /four HTTP/1.1 - HTTP/1.1 200 OK" }, untrusted.log)
        XCTAssertEqual(untrusted.stop(), 0)
    }

    // MARK: Constant and Include

    func testConstantFromAFile() throws {
        let dir = directory(["a.txt": "first line\n", "b.txt": "second line\n"])
        let b = try TestBackend(name: "b1")
        let p = try RunningPounce(config: config(services: service(b, extra: """
            SetHeader "X-A: %[const a url]"
            SetHeader "X-B: %[const b]"
            """), global: "Constant \"a\" -file \"\(dir)/a.txt\"\nConstant \"b\" -file \"\(dir)/b.txt\" -trim"))
        let r = try TCP.get("/", port: p.port)
        XCTAssertEqual(r.header("x-orig-x-a"), "first%20line%0A")
        XCTAssertEqual(r.header("x-orig-x-b"), "second line")
        XCTAssertEqual(p.stop(), 0)
    }

    func testIncludeInGlobalListenerAndServiceScope() throws {
        let b = try TestBackend(name: "inc")
        let dir = directory([
            "global.inc": "Constant \"scope\" \"from global\"\n",
            "listener.inc": "SetHeader \"X-Listener: %[const scope]\"\n",
            "service.inc": "SetHeader \"X-Service: included\"\n" + backend(b),
        ])
        let p = try RunningPounce(config: config("Include \"\(dir)/listener.inc\"",
                                                 services: "Service\nInclude \"\(dir)/service.inc\"\nEnd\n",
                                                 global: "Include \"\(dir)/global.inc\""))
        let r = try TCP.get("/", port: p.port)
        XCTAssertEqual(r.header("x-backend"), "inc")
        XCTAssertEqual(r.header("x-orig-x-listener"), "from global")
        XCTAssertEqual(r.header("x-orig-x-service"), "included")
        XCTAssertEqual(p.stop(), 0)
    }

    // MARK: unconditional request and response modification

    func testURLModifications() throws {
        let b = try TestBackend(name: "b1")
        let p = try RunningPounce(config: config(services: """
            Service
                URL "^/seturl"
                SetURL "/new/url?a=1"
                \(backend(b))
            End
            Service
                Path "^/setpath/(.*)"
                SetPath "/moved/$1"
                \(backend(b))
            End
            Service
                URL "^/encpath/"
                SetPath -encode "/a b/?#&=+;,:@!*'()~"
                \(backend(b))
            End
            Service
                URL "^/setquery"
                SetQuery "x=1&y=%[path]"
                \(backend(b))
            End
            Service
                URL "^/deletequery"
                DeleteQuery
                \(backend(b))
            End
            Service
                URL "^/param"
                SetQueryParam "a" "one"
                SetQueryParam "new" "added"
                SetQueryParam "enc" -encode "hello world&x=y"
                SetQueryParam "gone"
                \(backend(b))
            End

            """))
        func line(_ path: String) throws -> String? { try TCP.get(path, port: p.port).header("x-request-line") }
        XCTAssertEqual(try line("/seturl/x?q=2"), "GET /new/url?a=1 HTTP/1.1")
        XCTAssertEqual(try line("/setpath/p/q?keep=1"), "GET /moved/p/q?keep=1 HTTP/1.1")
        XCTAssertEqual(try line("/encpath/x?k=v"), "GET /a%20b/%3F%23%26%3D%2B%3B%2C%3A%40%21%2A%27%28%29~?k=v HTTP/1.1")
        XCTAssertEqual(try line("/setquery?old=1"), "GET /setquery?x=1&y=/setquery HTTP/1.1")
        XCTAssertEqual(try line("/deletequery?a=1&b=2"), "GET /deletequery HTTP/1.1")
        // Existing parameters keep their place; new ones follow in statement order.
        XCTAssertEqual(try line("/param?a=0&gone=1&b=2"), "GET /param?a=one&b=2&new=added&enc=hello%20world%26x%3Dy HTTP/1.1")
        XCTAssertEqual(try line("/param?gone=1"), "GET /param?a=one&new=added&enc=hello%20world%26x%3Dy HTTP/1.1")
        XCTAssertEqual(try line("/param"), "GET /param?a=one&new=added&enc=hello%20world%26x%3Dy HTTP/1.1")
        XCTAssertEqual(p.stop(), 0)
    }

    func testHeaderModificationsListenerFirstThenService() throws {
        let b = try TestBackend(name: "b1") { req, _ in
            var reply = TestBackend.echo(req, name: "b1")
            // A backend header the response rules delete, inserted after the status line.
            let extra = Array("X-Backend-Secret: s3cr3t\r\nX-Resp: backend\r\n".utf8)
            if let end = HTTPReply.find(reply, [13, 10]) { reply.insert(contentsOf: extra, at: end + 2) }
            return reply
        }
        let p = try RunningPounce(config: config("""
            SetHeader "X-Order: listener"
            SetHeader "X-Listener: yes"
            SetHeader "X-Seen-By-Listener: 1"
            DeleteHeader "^X-Drop-L:"
            Rewrite response
                SetHeader "X-Resp: listener"
                SetHeader "X-Listener-Resp: yes"
            End
            """, services: service(b, extra: """
            SetHeader "X-Order: service"
            DeleteHeader -icase "^x-seen-by-listener"
            DeleteHeader "X-Drop-S"
            Rewrite response
                SetHeader "X-Resp: service"
                DeleteHeader "X-Backend-Secret"
            End
            """)))
        let r = try TCP.get("/", port: p.port, headers: ["X-Drop-L: 1", "X-Drop-S: 2", "X-Keep: 3", "X-Order: client"])
        XCTAssertEqual(r.header("x-orig-x-order"), "service", "the service's rules run after the listener's")
        XCTAssertEqual(r.header("x-orig-x-listener"), "yes")
        XCTAssertNil(r.header("x-orig-x-seen-by-listener"), "the service deletes what the listener set")
        XCTAssertNil(r.header("x-orig-x-drop-l"))
        XCTAssertNil(r.header("x-orig-x-drop-s"))
        XCTAssertEqual(r.header("x-orig-x-keep"), "3")
        XCTAssertEqual(r.headers.filter { $0.0.lowercased() == "x-orig-x-order" }.count, 1, "SetHeader replaces")
        // Responses: the service's rules first, then the listener's.
        XCTAssertEqual(r.header("X-Resp"), "listener")
        XCTAssertEqual(r.header("X-Listener-Resp"), "yes")
        XCTAssertNil(r.header("X-Backend-Secret"))
        XCTAssertEqual(p.stop(), 0)
    }
}
