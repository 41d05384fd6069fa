import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The proxy engine end to end: `pounce` as a process, real backends on 127.0.0.1,
/// raw sockets as clients so every byte on the wire is under the test's control.
final class ProxyEngineTests: XCTestCase {
    private func config(_ listenerBody: String = "", services: String, global: String = "") -> String {
        """
        Daemon 0
        LogFacility -
        LogLevel 1
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

    private func service(_ backends: TestBackend..., extra: String = "") -> String {
        var text = "Service\n\(extra)\n"
        for b in backends { text += "Backend\nAddress 127.0.0.1\nPort \(b.port)\nEnd\n" }
        return text + "End\n"
    }

    private func get(_ path: String, port: Int, headers: String = "") throws -> HTTPReply {
        let c = try TCP(port: port)
        c.send("GET \(path) HTTP/1.1\r\nHost: localhost\r\n\(headers)Connection: close\r\n\r\n")
        guard let r = c.readResponse() else { throw HarnessError("no response for \(path)") }
        return r
    }

    // MARK: 1-2: relaying, keep-alive, pipelining, bodies

    func testRelaysRequestAndKeepsClientConnectionAlive() throws {
        let b = try TestBackend(name: "b1")
        let p = try RunningPounce(config: config(services: service(b)))
        let c = try TCP(port: p.port)
        c.send("GET /one HTTP/1.1\r\nHost: x\r\n\r\n")
        let r1 = try XCTUnwrap(c.readResponse())
        XCTAssertEqual(r1.status, 200)
        XCTAssertEqual(r1.body, "hello from b1\n")
        XCTAssertEqual(r1.header("x-request-line"), "GET /one HTTP/1.1")
        c.send("GET /two HTTP/1.1\r\nHost: x\r\n\r\n")
        let r2 = try XCTUnwrap(c.readResponse())
        XCTAssertEqual(r2.header("x-request-line"), "GET /two HTTP/1.1")
        XCTAssertEqual(p.stop(), 0)
        // One backend connection served both requests: the pool reused it.
        XCTAssertEqual(b.connections, 1)
    }

    func testPipelinedRequestsAnsweredInOrder() throws {
        let b = try TestBackend(name: "b1")
        let p = try RunningPounce(config: config(services: service(b)))
        let c = try TCP(port: p.port)
        c.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\nGET /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let lines = (0..<3).compactMap { _ in c.readResponse()?.header("x-request-line") }
        XCTAssertEqual(lines, ["GET /a HTTP/1.1", "GET /b HTTP/1.1", "GET /c HTTP/1.1"])
        XCTAssertEqual(p.stop(), 0)
    }

    func testChunkedAndLargeBodiesStreamThrough() throws {
        let b = try TestBackend(name: "b1")
        let p = try RunningPounce(config: config(services: service(b)))
        let c = try TCP(port: p.port)
        c.send("POST /chunk HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
        let r = try XCTUnwrap(c.readResponse())
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.body, "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", "chunked framing is passed through verbatim")

        let big = String(repeating: "0123456789abcdef", count: 128 * 1024) // 2 MiB
        c.send("POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: \(big.utf8.count)\r\nConnection: close\r\n\r\n" + big)
        let r2 = try XCTUnwrap(c.readResponse())
        XCTAssertEqual(r2.body.utf8.count, big.utf8.count)
        XCTAssertTrue(r2.body == big)
        XCTAssertEqual(p.stop(), 0)
    }

    func testSlowReaderGetsWholeResponseBeforeClose() throws {
        let size = 8 * 1024 * 1024
        let b = try TestBackend(name: "big") { _, _ in
            Array("HTTP/1.1 200 OK\r\nContent-Length: \(size)\r\n\r\n".utf8) + [UInt8](repeating: 0x61, count: size)
        }
        let p = try RunningPounce(config: config(services: service(b)))
        let c = try TCP(port: p.port)
        c.send("GET /big HTTP/1.0\r\nHost: x\r\n\r\n")
        // The proxy has finished (and wants to close) long before we read.
        sleep(1)
        let reply = c.readAll()
        XCTAssertTrue(reply.hasPrefix("HTTP/1.1 200 OK"))
        XCTAssertEqual(reply.utf8.count - (reply.range(of: "\r\n\r\n").map { reply.utf8.distance(from: reply.startIndex, to: $0.upperBound) } ?? 0), size)
        XCTAssertEqual(p.stop(), 0)
    }

    func testExpectContinueIsAnsweredBeforeTheBody() throws {
        let b = try TestBackend(name: "b1")
        let p = try RunningPounce(config: config(services: service(b)))
        let c = try TCP(port: p.port)
        c.send("POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n")
        let interim = try XCTUnwrap(c.readResponse())
        XCTAssertEqual(interim.status, 100)
        c.send("ping")
        let r = try XCTUnwrap(c.readResponse())
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.body, "ping")
        XCTAssertNil(b.requests.first?.header("Expect"), "Pound does not forward Expect: 100-continue")
        XCTAssertEqual(p.stop(), 0)
    }

    func testWebSocketUpgradeIsRelayed() throws {
        let b = try TestBackend(name: "ws") { req, fd in
            guard req.header("Upgrade") == "websocket" else { return TestBackend.echo(req, name: "ws") }
            let reply = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
            _ = reply.withCString { Glibc.send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
            // Echo raw frames until the client goes away.
            var buf = [UInt8](repeating: 0, count: 1024)
            while true {
                let n = recv(fd, &buf, buf.count, 0)
                if n <= 0 { return nil }
                _ = Glibc.send(fd, buf, n, Int32(MSG_NOSIGNAL))
            }
        }
        let p = try RunningPounce(config: config(services: service(b)))
        let c = try TCP(port: p.port)
        c.send("GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
        let r = try XCTUnwrap(c.readResponse())
        XCTAssertEqual(r.status, 101)
        c.send("raw bytes after upgrade")
        var buf = [UInt8](repeating: 0, count: 100)
        let n = recv(c.fd, &buf, buf.count, 0)
        XCTAssertEqual(String(decoding: buf[0..<max(n, 0)], as: UTF8.self), "raw bytes after upgrade")
        // Like Pound, a graceful stop waits for relays in progress: end this one first.
        shutdown(c.fd, Int32(SHUT_RDWR))
        XCTAssertEqual(p.stop(), 0)
    }

    func testHalfClosedClientStillGetsItsResponse() throws {
        let b = try TestBackend(name: "b1")
        let p = try RunningPounce(config: config(services: service(b)))
        let c = try TCP(port: p.port)
        c.send("GET /half HTTP/1.1\r\nHost: x\r\n\r\n")
        c.shutdownWrite()
        let r = try XCTUnwrap(c.readResponse())
        XCTAssertEqual(r.header("x-request-line"), "GET /half HTTP/1.1")
        XCTAssertEqual(c.readAll(), "", "then the connection ends")
        XCTAssertEqual(p.stop(), 0)
    }

    func testIdleClientIsDisconnectedAfterClientTimeout() throws {
        let b = try TestBackend(name: "b1")
        let p = try RunningPounce(config: config(services: service(b), global: "Client 1"))
        let c = try TCP(port: p.port)
        let start = Date()
        XCTAssertEqual(c.readAll(), "")
        let waited = Date().timeIntervalSince(start)
        XCTAssertGreaterThanOrEqual(waited, 0.9)
        XCTAssertLessThan(waited, 5)
        XCTAssertEqual(p.stop(), 0)
    }

    func testIPv6ListenerWithCurl() throws {
        let b = try TestBackend(name: "b1")
        let port = FreePort.next()
        let p = try RunningPounce(config: """
            Daemon 0
            LogFacility -
            ListenHTTP
                Address ::1
                Port \(port)
                \(service(b))
            End
            """, waitForPort: false)
        var out = PounceProcess.Result(status: -1, stdout: "", stderr: "")
        let deadline = Date().addingTimeInterval(10)
        repeat {
            out = PounceProcess.run(["-s", "-g", "http://[::1]:\(port)/six"], in: p.directory, executable: "/usr/bin/curl")
            if out.status == 0 { break }
            usleep(50_000)
        } while Date() < deadline
        XCTAssertEqual(out.status, 0, out.stderr)
        XCTAssertEqual(out.stdout, "hello from b1\n")
        XCTAssertEqual(b.requests.first?.header("X-Forwarded-For"), "::1")
        XCTAssertEqual(p.stop(), 0)
    }

    // MARK: 2: request checks and smuggling

    func testRequestChecksAnswerPoundsStatuses() throws {
        let b = try TestBackend(name: "b1")
        let p = try RunningPounce(config: config("""
            xHTTP 0
            CheckURL "^/[a-z/]*$"
            MaxRequest 10
            MaxURI 40
            """, services: service(b)))
        func status(_ raw: String) throws -> Int {
            let c = try TCP(port: p.port)
            c.send(raw)
            return c.readResponse()?.status ?? -1
        }
        XCTAssertEqual(try status("DELETE /a HTTP/1.1\r\nHost: x\r\n\r\n"), 405)
        XCTAssertEqual(try status("GET /A1 HTTP/1.1\r\nHost: x\r\n\r\n"), 501)
        XCTAssertEqual(try status("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n01234567890"), 413)
        XCTAssertEqual(try status("GET /\(String(repeating: "a", count: 60)) HTTP/1.1\r\nHost: x\r\n\r\n"), 414)
        XCTAssertEqual(try status("garbage\r\n\r\n"), 400)
        XCTAssertEqual(try status("POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: surprise\r\n\r\n"), 501)
        XCTAssertEqual(try status("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"), 400)
        XCTAssertEqual(b.requests.count, 0, "no rejected request reaches the backend")
        XCTAssertEqual(p.stop(), 0)
    }

    func testSmugglingAttemptIsRefusedAndNothingIsForwarded() throws {
        let b = try TestBackend(name: "b1")
        let p = try RunningPounce(config: config(services: service(b)))
        let c = try TCP(port: p.port)
        // CL.TE: a front end honouring Content-Length would forward the hidden request.
        c.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /admin HTTP/1.1\r\nHost: x\r\n\r\n")
        let r = try XCTUnwrap(c.readResponse())
        XCTAssertEqual(r.status, 400)
        XCTAssertEqual(r.header("Connection"), "close")
        XCTAssertEqual(c.readAll(), "", "the connection ends after the error")
        XCTAssertTrue(b.requests.isEmpty)
        XCTAssertTrue(p.waitForLog("both Transfer-Encoding and Content-Length given"))
        XCTAssertEqual(p.stop(), 0)
    }

    /// RFC 9112 made strict where Pound forwards what a backend could read otherwise:
    /// a Transfer-Encoding other than `chunked` alone, a trailer that is no field line,
    /// two Hosts or none on HTTP/1.1; an absolute-form target's authority is the Host.
    func testFramingAndHostAreStrict() throws {
        let web = try TestBackend(name: "web")
        let other = try TestBackend(name: "other")
        let p = try RunningPounce(config: config(services: service(web, extra: "Host \"www.example.com\"")
                                                           + service(other)))
        func reply(_ raw: String) throws -> HTTPReply? {
            let c = try TCP(port: p.port)
            c.send(raw)
            return c.readResponse()
        }
        func status(_ raw: String) throws -> Int { try reply(raw)?.status ?? -1 }
        XCTAssertEqual(try status("POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity, chunked\r\n\r\n0\r\n\r\n"), 501)
        XCTAssertEqual(try status("POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"), 501)
        XCTAssertEqual(try status("POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked;x=1\r\n\r\n0\r\n\r\n"), 400)
        XCTAssertEqual(try status("GET /a HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n"), 400)
        XCTAssertEqual(try status("GET /a HTTP/1.1\r\n\r\n"), 400)
        XCTAssertEqual(try status("GET /a HTTP/1.1\r\nHost: a b\r\n\r\n"), 400)
        XCTAssertEqual(web.requests.count + other.requests.count, 0, "nothing reached a backend")

        // A request line in the trailer section is no trailer: 400, and the backend
        // never sees a complete request, let alone the hidden one.
        XCTAssertEqual(try status("POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                                  + "0\r\nGET /admin HTTP/1.1\r\n\r\n"), 400)
        XCTAssertFalse(other.requests.contains { $0.requestLine.contains("/admin") })

        // Trailer fields that frame, route or authenticate do not reach the backend.
        let trailed = try XCTUnwrap(reply("POST /t HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                                          + "3\r\nabc\r\n0\r\nHost: www.example.com\r\nAuthorization: Basic eA==\r\n"
                                          + "X-Sum: 10\r\n\r\n"))
        XCTAssertEqual(trailed.status, 200)
        let sent = String(decoding: try XCTUnwrap(other.requests.last).body, as: UTF8.self)
        XCTAssertEqual(sent, "3\r\nabc\r\n0\r\nX-Sum: 10\r\n\r\n")

        // The one coding allowed goes on exactly as `chunked`, whatever its case.
        let chunked = try XCTUnwrap(reply("POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n"
                                          + "3\r\nabc\r\n0\r\n\r\n"))
        XCTAssertEqual(chunked.status, 200)
        XCTAssertEqual(chunked.header("x-orig-transfer-encoding"), "chunked")

        // Absolute form: its authority replaces Host before service selection.
        let absolute = try XCTUnwrap(reply("GET http://www.example.com/x HTTP/1.1\r\nHost: elsewhere.example\r\n\r\n"))
        XCTAssertEqual(absolute.header("x-backend"), "web")
        XCTAssertEqual(absolute.header("x-orig-host"), "www.example.com")
        // HTTP/1.0 may go without Host.
        XCTAssertEqual(try status("GET /a HTTP/1.0\r\n\r\n"), 200)
        XCTAssertEqual(p.stop(), 0)
    }

    /// A request body that stops coming gets 408 at the `Client` timeout (a backend
    /// waiting for it would otherwise answer for it at `TimeOut`, as a 503).
    func testABodyThatStopsComingIs408AtTheClientTimeout() throws {
        let b = try TestBackend(name: "b1")
        let p = try RunningPounce(config: config(services: service(b), global: "Client 1\nTimeOut 4"))
        let c = try TCP(port: p.port)
        let started = Date()
        c.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
        let r = try XCTUnwrap(c.readResponse())
        XCTAssertEqual(r.status, 408)
        XCTAssertLessThan(Date().timeIntervalSince(started), 3.5, "Client 1, swept each second")
        XCTAssertEqual(c.readAll(), "", "the connection ends after the 408")
        XCTAssertTrue(p.waitForLog("request body read error: Connection timed out"), p.log)
        XCTAssertEqual(p.stop(), 0)
    }

    // MARK: 3: service selection

    func testServicesSelectedByConditionsInOrder() throws {
        let api = try TestBackend(name: "api")
        let web = try TestBackend(name: "web")
        let p = try RunningPounce(config: config(services:
            service(api, extra: "URL \"^/api/\"\nHeader \"X-Client\" \"^app$\"") + service(web, extra: "Host \"www.example.com\"")))
        XCTAssertEqual(try get("/api/x", port: p.port, headers: "X-Client: app\r\n").header("x-backend"), "api")
        XCTAssertEqual(try get("/api/x", port: p.port).status, 503, "the API service needs both conditions; the other needs its host")
        let c = try TCP(port: p.port)
        c.send("GET /page HTTP/1.1\r\nHost: www.example.com\r\nConnection: close\r\n\r\n")
        XCTAssertEqual(c.readResponse()?.header("x-backend"), "web")
        XCTAssertEqual(p.stop(), 0)
    }

    // MARK: 4-5: backends, failover, resurrection

    func testDeadBackendIsKilledRetriedAndResurrected() throws {
        let live = try TestBackend(name: "live")
        let deadPort = FreePort.next()
        let p = try RunningPounce(config: config(services: """
            Service
                Backend
                    Address 127.0.0.1
                    Port \(deadPort)
                End
                Backend
                    Address 127.0.0.1
                    Port \(live.port)
                End
            End
            """))
        // The balancer is random: keep asking until it has tried the dead backend
        // (and killed it), rather than hoping a fixed few requests reach it.
        var requests = 0
        repeat {
            XCTAssertEqual(try get("/", port: p.port).header("x-backend"), "live")
            requests += 1
        } while !p.log.contains("dead (killed)") && requests < 200
        XCTAssertTrue(p.waitForLog("Backend 127.0.0.1:\(deadPort) dead (killed)"), p.log)
        let revived = try TestBackend(name: "revived", port: deadPort)
        XCTAssertTrue(p.waitForLog("Backend 127.0.0.1:\(deadPort) resurrected", timeout: 10), p.log)
        var seen = Set<String>()
        for _ in 0..<40 { seen.insert(try get("/", port: p.port).header("x-backend") ?? "") }
        XCTAssertEqual(seen, ["live", "revived"])
        revived.stop()
        XCTAssertEqual(p.stop(), 0)
    }

    func testEmergencyBackendThen503() throws {
        let emergency = try TestBackend(name: "emergency")
        let p = try RunningPounce(config: config(services: """
            Service
                Backend
                    Address 127.0.0.1
                    Port \(FreePort.next())
                End
                Emergency
                    Address 127.0.0.1
                    Port \(emergency.port)
                End
            End
            """))
        XCTAssertEqual(try get("/", port: p.port).header("x-backend"), "emergency")
        emergency.stop()
        let r = try get("/", port: p.port)
        XCTAssertEqual(r.status, 503)
        XCTAssertTrue(r.body.contains("Service Unavailable"))
        XCTAssertEqual(p.stop(), 0)
    }

    func testIWRRFollowsPriorities() throws {
        let a = try TestBackend(name: "a")
        let b = try TestBackend(name: "b")
        let p = try RunningPounce(config: config(services: """
            Service
                Balancer iwrr
                Backend
                    Address 127.0.0.1
                    Port \(a.port)
                    Priority 3
                End
                Backend
                    Address 127.0.0.1
                    Port \(b.port)
                    Priority 1
                End
            End
            """))
        var counts: [String: Int] = [:]
        for _ in 0..<40 { counts[try get("/", port: p.port).header("x-backend") ?? "", default: 0] += 1 }
        XCTAssertEqual(counts, ["a": 30, "b": 10])
        XCTAssertEqual(p.stop(), 0)
    }

    func testBackendOptions_UnixSocket_Disabled_Named_TimeOut() throws {
        let unixPath = PounceProcess.temporaryDirectory() + "/backend.sock"
        let viaUnix = try TestBackend(name: "via-unix", unixPath: unixPath)
        let disabled = try TestBackend(name: "disabled")
        let named = try TestBackend(name: "named")
        let slow = try TestBackend(name: "slow") { req, _ in
            sleep(3)
            return TestBackend.echo(req, name: "slow")
        }
        let p = try RunningPounce(config: """
            Daemon 0
            LogFacility -
            LogLevel 1
            Backend "shared"
                Address 127.0.0.1
                Port \(named.port)
            End
            ListenHTTP
                Address 127.0.0.1
                Port {PORT}
                Service
                    URL "^/unix"
                    Backend
                        Address "\(unixPath)"
                    End
                End
                Service
                    URL "^/slow"
                    Backend
                        Address 127.0.0.1
                        Port \(slow.port)
                        TimeOut 1
                    End
                End
                Service
                    Backend
                        Address 127.0.0.1
                        Port \(disabled.port)
                        Disabled 1
                    End
                    UseBackend "shared"
                End
            End
            """)
        for _ in 0..<10 {
            XCTAssertEqual(try get("/x", port: p.port).header("x-backend"), "named")
        }
        XCTAssertTrue(disabled.requests.isEmpty, "a disabled backend gets no requests")
        XCTAssertEqual(try get("/unix", port: p.port).header("x-backend"), "via-unix")
        XCTAssertEqual(viaUnix.requests.first?.requestLine, "GET /unix HTTP/1.1")
        let started = Date()
        XCTAssertEqual(try get("/slow", port: p.port).status, 503, "TimeOut without a response")
        XCTAssertLessThan(Date().timeIntervalSince(started), 2.9)
        XCTAssertTrue(p.waitForLog("response read error"), p.log)
        XCTAssertEqual(p.stop(), 0)
    }

    // MARK: 6: forwarding headers

    func testForwardingHeaders() throws {
        let b = try TestBackend(name: "b1")
        let p = try RunningPounce(config: config(services: service(b)))
        let r = try get("/", port: p.port, headers: "X-Forwarded-For: 10.0.0.1\r\nX-Forwarded-Proto: gopher\r\n")
        XCTAssertEqual(r.header("x-orig-x-forwarded-for"), "10.0.0.1, 127.0.0.1")
        XCTAssertEqual(r.header("x-orig-x-forwarded-proto"), "http")
        XCTAssertEqual(r.header("x-orig-x-forwarded-port"), String(p.port))
        XCTAssertEqual(p.stop(), 0)
    }

    func testHeaderOptionNoneAddsNothing() throws {
        let b = try TestBackend(name: "b1")
        let p = try RunningPounce(config: config("HeaderOption none", services: service(b)))
        let r = try get("/", port: p.port)
        XCTAssertNil(r.header("x-orig-x-forwarded-for"))
        XCTAssertNil(r.header("x-orig-x-forwarded-proto"))
        XCTAssertEqual(p.stop(), 0)
    }

    func testAddHeaderAndHeadRemoveOf2x() throws {
        let b = try TestBackend(name: "b1")
        let p = try RunningPounce(config: config("""
            AddHeader "X-Added: yes"
            HeadRemove "^X-Secret:"
            """, services: service(b)), extraArguments: ["-Wno-warn-deprecated"])
        let r = try get("/", port: p.port, headers: "X-Secret: s3cr3t\r\n")
        XCTAssertEqual(r.header("x-orig-x-added"), "yes")
        XCTAssertNil(r.header("x-orig-x-secret"))
        XCTAssertEqual(p.stop(), 0)
    }

    func testCombineHeadersAndRedirectExpansion() throws {
        let b = try TestBackend(name: "b1")
        let p = try RunningPounce(config: config(services: """
            Service
                URL "^/old/(.*)"
                Redirect 301 "http://example.org/new/$1"
            End

            """ + service(b), global: "CombineHeaders\n\"X-Multi\"\nEnd"))
        let r = try get("/x", port: p.port, headers: "X-Multi: a\r\nX-Multi: b\r\n")
        XCTAssertEqual(r.header("x-orig-x-multi"), "a, b")
        let redirect = try get("/old/page?q=1", port: p.port)
        XCTAssertEqual(redirect.status, 301)
        XCTAssertEqual(redirect.header("Location"), "http://example.org/new/page?q=1")
        XCTAssertEqual(p.stop(), 0)
    }

    func testRewriteLocationPointsRedirectsAtTheClientsHost() throws {
        let b = try TestBackend(name: "b1") { req, _ in
            Array("HTTP/1.1 302 Found\r\nLocation: \(req.header("X-Target") ?? "")\r\nContent-Length: 0\r\n\r\n".utf8)
        }
        let p = try RunningPounce(config: config(services: service(b)))
        let toBackend = try get("/", port: p.port, headers: "X-Target: http://127.0.0.1:\(b.port)/login\r\n")
        XCTAssertEqual(toBackend.header("Location"), "http://localhost/login")
        XCTAssertEqual(p.stop(), 0)
        let strict = try RunningPounce(config: config("RewriteLocation 2", services: service(b)))
        let foreign = try get("/", port: strict.port, headers: "X-Target: https://other.example/x\r\n")
        XCTAssertEqual(foreign.header("Location"), "https://other.example/x", "mode 2 leaves foreign hosts alone")
        XCTAssertEqual(try get("/", port: strict.port, headers: "X-Target: http://127.0.0.1:\(b.port)/y\r\n").header("Location"),
                       "http://localhost/y")
        XCTAssertEqual(strict.stop(), 0)
    }

    func testSendFileServesFilesAndRefusesToClimbOut() throws {
        let dir = PounceProcess.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir + "/pub", withIntermediateDirectories: true)
        PounceProcess.write("public text\n", to: dir + "/pub/a.txt")
        PounceProcess.write("secret\n", to: dir + "/secret.txt")
        let p = try RunningPounce(config: config(services: "Service\nSendFile \"\(dir)/pub\"\nEnd\n"))
        let ok = try get("/a.txt", port: p.port)
        XCTAssertEqual(ok.status, 200)
        XCTAssertEqual(ok.header("Content-Type"), "text/plain")
        XCTAssertEqual(ok.body, "public text\n")
        XCTAssertEqual(try get("/missing.txt", port: p.port).status, 404)
        XCTAssertEqual(try get("/../secret.txt", port: p.port).status, 404)
        XCTAssertEqual(p.stop(), 0)
    }

    // MARK: 7: logging

    func testLogLevelOneLine() throws {
        let b = try TestBackend(name: "b1")
        let p = try RunningPounce(config: config(services: service(b)))
        _ = try get("/logged", port: p.port)
        XCTAssertTrue(p.waitForLog("pounce: 127.0.0.1 GET /logged HTTP/1.1 - HTTP/1.1 200 OK\n"), p.log)
        XCTAssertEqual(p.stop(), 0)
    }

    // MARK: 8: process life

    func testSIGTERMExitsAtOnceWithZero() throws {
        let b = try TestBackend(name: "b1")
        let p = try RunningPounce(config: config(services: service(b)))
        XCTAssertTrue(FileManager.default.fileExists(atPath: p.directory + "/pounce.pid"))
        XCTAssertEqual(p.stop(signal: SIGTERM), 0)
    }

    func testDaemonModeDetachesWritesPIDFileAndServes() throws {
        let b = try TestBackend(name: "b1")
        let dir = PounceProcess.temporaryDirectory()
        let port = FreePort.next()
        PounceProcess.write("""
            LogFacility -
            ListenHTTP
                Address 127.0.0.1
                Port \(port)
                \(service(b))
            End
            """, to: dir + "/pound.cfg")
        // Without -F/-e and with Daemon on (the default), the command returns at once.
        let r = PounceProcess.run(["-Wno-dns", "-Wno-include-dir", "-p", dir + "/pid", "-f", "pound.cfg"], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(TCP.waitUntilAccepting(port: port, timeout: 10))
        // The socket is bound before the fork; the PID file comes from the child after it.
        var pid: Int32 = 0
        let written = Date().addingTimeInterval(10)
        while pid == 0 && Date() < written {
            pid = Int32(PounceProcess.read(dir + "/pid").trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
            if pid == 0 { usleep(20_000) }
        }
        XCTAssertGreaterThan(pid, 1)
        XCTAssertEqual(try get("/", port: port).header("x-backend"), "b1")
        XCTAssertEqual(kill(pid, SIGTERM), 0)
        let deadline = Date().addingTimeInterval(10)
        // Gone, or a zombie waiting for whoever adopted it.
        func gone() -> Bool {
            kill(pid, 0) != 0 || PounceProcess.read("/proc/\(pid)/stat").split(separator: " ").dropFirst(2).first == "Z"
        }
        while !gone() && Date() < deadline { usleep(20_000) }
        XCTAssertTrue(gone(), "the daemon exits on SIGTERM")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/pid"), "and removes its PID file")
    }

    func testUserGroupAndRootJailAfterBinding() throws {
        try XCTSkipIf(getuid() != 0, "dropping privileges needs root")
        let b = try TestBackend(name: "b1")
        let jail = PounceProcess.temporaryDirectory()
        let p = try RunningPounce(config: config(services: service(b), global: """
            User "nobody"
            Group "nogroup"
            RootJail "\(jail)"
            """))
        XCTAssertEqual(try get("/", port: p.port).header("x-backend"), "b1")
        let status = PounceProcess.read("/proc/\(p.process.processIdentifier)/status")
        let uid = status.split(separator: "\n").first { $0.hasPrefix("Uid:") }
        XCTAssertEqual(uid?.split(separator: "\t").dropFirst().first, "65534", status)
        var buf = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/\(p.process.processIdentifier)/root", &buf, buf.count - 1)
        XCTAssertEqual(String(decoding: buf[0..<max(n, 0)].map { UInt8(bitPattern: $0) }, as: UTF8.self), jail)
        XCTAssertEqual(p.stop(), 0)
    }

    func testGracefulStopWaitsForExchangeInProgress() throws {
        let slow = try TestBackend(name: "slow") { req, _ in
            usleep(700_000)
            return TestBackend.echo(req, name: "slow")
        }
        let p = try RunningPounce(config: config(services: service(slow)))
        let c = try TCP(port: p.port)
        c.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        usleep(200_000)
        kill(p.process.processIdentifier, SIGHUP)
        let r = c.readResponse()
        XCTAssertEqual(r?.status, 200, "the exchange in progress completes")
        XCTAssertEqual(p.stop(), 0)
        XCTAssertThrowsError(try TCP(port: p.port), "listeners are closed")
    }

    // MARK: HTTPS front end (the TLS layer proper is tested in OpenSSLTLSTests)

    func testListenHTTPSServesThroughOpenSSLWithCurl() throws {
        let b = try TestBackend(name: "b1")
        let dir = PounceProcess.temporaryDirectory()
        let made = PounceProcess.run(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                                      "-keyout", dir + "/key.pem", "-out", dir + "/cert.pem"], in: dir, executable: "/usr/bin/openssl")
        XCTAssertEqual(made.status, 0, made.stderr)
        let pem = PounceProcess.read(dir + "/cert.pem") + PounceProcess.read(dir + "/key.pem")
        PounceProcess.write(pem, to: dir + "/server.pem")
        let p = try RunningPounce(config: """
            Daemon 0
            LogFacility -
            ListenHTTPS
                Address 127.0.0.1
                Port {PORT}
                Cert "\(dir)/server.pem"
                \(service(b))
            End
            """)
        let curl = PounceProcess.run(["-sk", "--http1.1", "-D", "-", "https://127.0.0.1:\(p.port)/secure"], in: dir, executable: "/usr/bin/curl")
        XCTAssertEqual(curl.status, 0, curl.stderr)
        XCTAssertTrue(curl.stdout.hasPrefix("HTTP/1.1 200 OK"), curl.stdout)
        XCTAssertTrue(curl.stdout.contains("x-orig-x-forwarded-proto: https"), curl.stdout)
        XCTAssertTrue(curl.stdout.contains("hello from b1"))
        // Plain HTTP on the TLS port is refused with Pound's log line, not answered.
        let plain = try TCP(port: p.port)
        plain.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertFalse(plain.readAll().contains("200 OK"))
        XCTAssertTrue(p.waitForLog("handshake failed"), p.log)
        XCTAssertEqual(p.stop(), 0)
    }

    func testGraceRunsOutThenExitsCleanly() throws {
        let slow = try TestBackend(name: "slow") { req, _ in
            sleep(4)
            return TestBackend.echo(req, name: "slow")
        }
        let p = try RunningPounce(config: config(services: service(slow), global: "Grace 1"))
        let c = try TCP(port: p.port)
        c.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        usleep(200_000)
        let started = Date()
        XCTAssertEqual(p.stop(signal: SIGHUP), 0)
        XCTAssertLessThan(Date().timeIntervalSince(started), 3.5, "Grace bounds the wait")
        XCTAssertFalse(p.log.contains("ERROR"), p.log)
        XCTAssertTrue(p.log.contains("waiting for 1 active threads to terminate"), p.log)
    }

    // MARK: Tunnel

    func testTunnelRelaysBytes() throws {
        let b = try TestBackend(name: "t")
        let p = try RunningPounce(config: """
            Daemon 0
            LogFacility -
            Tunnel
                Address 127.0.0.1
                Port {PORT}
                Backend
                    Address 127.0.0.1
                    Port \(b.port)
                End
            End
            """)
        let r = try get("/through", port: p.port)
        XCTAssertEqual(r.header("x-request-line"), "GET /through HTTP/1.1")
        XCTAssertNil(r.header("x-orig-x-forwarded-for"), "a tunnel does not touch the bytes")
        XCTAssertEqual(p.stop(), 0)
    }
}
