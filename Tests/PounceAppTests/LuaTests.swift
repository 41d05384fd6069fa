import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Pound's Lua through real requests: per-loop and global states under load, the
/// stash, resending, errors and the instruction budget.
final class LuaTests: XCTestCase {
    private let scripts = """
        function who_local()
           http.resp.code = 200
           http.resp.headers['Content-Type'] = 'text/plain'
           http.resp.body = 'local ' .. http.req.headers['X-N'] .. ' ' .. http.req.path
        end
        function is_global_path()
           return pound.gcall('global_prefix') == http.req.path:sub(1, 8)
        end
        function remember()
           stash.who = http.req.headers['X-Who']
           return true
        end
        function recall()
           http.resp.code = 200
           http.resp.body = 'who=' .. tostring(stash.who)
        end
        function spin() while true do end end
        function boom() error('kaboom') end
        function always_resend() http.resend = true end
        function to_second()
           if http.resp.code == 503 then http.service.name = 'second' end
        end
        """
    private let globalScripts = """
        calls = 0
        function global_prefix() return '/global/' end
        function who_global()
           calls = calls + 1
           http.resp.code = 200
           http.resp.body = 'global ' .. http.req.headers['X-N'] .. ' ' .. http.req.path
        end
        """

    private func start(_ services: String, lua extra: String = "") throws -> RunningPounce {
        try RunningPounce(config: """
            Daemon 0
            LogLevel 0
            LogFacility -
            Lua
                Load "local.lua"
                LoadGlobal "global.lua"
            \(extra)
            End
            ListenHTTP
                Address 127.0.0.1
                Port {PORT}
            \(services)
            End
            """, files: ["local.lua": scripts, "global.lua": globalScripts])
    }

    func testPerLoopAndGlobalFunctionsAnswerCorrectlyUnderConcurrentLoad() throws {
        let pounce = try start("""
            Service
                URL "^/local/"
                LuaBackend "who_local"
            End
            Service
                LuaMatch "is_global_path"
                LuaBackend "who_global"
            End
            """)
        let port = pounce.port
        let clients = 8, requests = 150
        let failures = Collected<String>()
        DispatchQueue.concurrentPerform(iterations: clients) { client in
            do {
                let c = try TCP(port: port)
                for i in 0..<requests {
                    let kind = (client + i) % 2 == 0 ? "local" : "global"
                    let n = "\(client)-\(i)"
                    c.send("GET /\(kind)/\(n) HTTP/1.1\r\nHost: localhost\r\nX-N: \(n)\r\n\r\n")
                    guard let reply = c.readResponse() else {
                        failures.append("client \(client): no reply to request \(i)")
                        return
                    }
                    if reply.status != 200 || reply.body != "\(kind) \(n) /\(kind)/\(n)" {
                        failures.append("client \(client) request \(i): \(reply.status) \(reply.body)")
                    }
                }
            } catch {
                failures.append("client \(client): \(error)")
            }
        }
        XCTAssertEqual(failures.items, [])
        XCTAssertEqual(pounce.stop(), 0, pounce.log)
    }

    func testStashCarriesFromLuaMatchToLuaBackendAndStartsEmpty() throws {
        let pounce = try start("""
            Service
                LuaMatch "remember"
                LuaBackend "recall"
            End
            """)
        let c = try TCP(port: pounce.port)
        // Keep-alive: the second request on the same connection (and loop) must not
        // see the first one's stash.
        c.send("GET /a HTTP/1.1\r\nHost: x\r\nX-Who: alice\r\n\r\n")
        XCTAssertEqual(c.readResponse()?.body, "who=alice")
        c.send("GET /b HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(c.readResponse()?.body, "who=nil")
        XCTAssertEqual(pounce.stop(), 0, pounce.log)
    }

    func testResendToAnotherServiceAndTheLoopLimit() throws {
        let failing = try TestBackend(name: "failing") { _, _ in
            Array("HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n".utf8)
        }
        let good = try TestBackend(name: "good")
        let pounce = try start("""
            Service "first"
                URL "^/moved"
                Rewrite response
                    LuaModify "to_second"
                End
                Backend
                    Address 127.0.0.1
                    Port \(failing.port)
                End
            End
            Service "loop"
                URL "^/loop"
                Rewrite response
                    LuaModify "always_resend"
                End
                Backend
                    Address 127.0.0.1
                    Port \(failing.port)
                End
            End
            Service "second"
                URL "^/nothing-matches-this"
                Backend
                    Address 127.0.0.1
                    Port \(good.port)
                End
            End
            """)
        let moved = try TCP.get("/moved/x", port: pounce.port)
        XCTAssertEqual(moved.status, 200, pounce.log)
        XCTAssertEqual(good.requests.map(\.requestLine), ["GET /moved/x HTTP/1.1"])

        let before = failing.requests.count
        let loop = try TCP.get("/loop", port: pounce.port)
        XCTAssertEqual(loop.status, 500)
        // The first sending and Pound's limit of 4 resends.
        XCTAssertEqual(failing.requests.count - before, 5)
        XCTAssertNotNil(pounce.waitForLogLine { $0.contains("e500") && $0.contains("refusing to do more than 4 resends") },
                        pounce.log)
        XCTAssertEqual(pounce.stop(), 0, pounce.log)
    }

    func testAFailingConditionAnswers500AndLogsPoundsLine() throws {
        let pounce = try start("""
            Service
                URL "^/boom"
                LuaMatch "boom"
                LuaBackend "recall"
            End
            Service
                LuaBackend "boom"
            End
            """)
        XCTAssertEqual(try TCP.get("/boom", port: pounce.port).status, 500)
        XCTAssertNotNil(pounce.waitForLogLine {
            $0.hasPrefix("pound.cfg:") && $0.contains("error calling Lua function boom: local.lua:") && $0.hasSuffix("kaboom")
        }, pounce.log)
        // A backend function that fails: 500 as well, and the proxy goes on.
        XCTAssertEqual(try TCP.get("/other", port: pounce.port).status, 500)
        XCTAssertEqual(pounce.stop(), 0, pounce.log)
    }

    func testAnEndlessLoopIsStoppedWhileOtherRequestsAreAnswered() throws {
        let pounce = try start("""
            Service
                URL "^/spin"
                LuaBackend "spin"
            End
            Service
                URL "^/local/"
                LuaBackend "who_local"
            End
            """, lua: "MaxInstructions 20000000")
        let port = pounce.port
        let spins = Collected<Int>(), answered = Collected<String>()
        DispatchQueue.concurrentPerform(iterations: 6) { i in
            if i < 2 {
                // Two endless loops, one per event loop on a two-core machine.
                if let r = try? TCP.get("/spin", port: port) { spins.append(r.status) }
            } else {
                for j in 0..<20 {
                    if let r = try? TCP.get("/local/\(i)", port: port, headers: ["X-N: \(j)"]), r.status == 200 {
                        answered.append(r.body)
                    }
                }
            }
        }
        XCTAssertEqual(spins.items, [500, 500])
        XCTAssertEqual(answered.items.count, 80)
        XCTAssertNotNil(pounce.waitForLogLine { $0.contains("error calling Lua function spin: instruction budget exceeded") },
                        pounce.log)
        XCTAssertEqual(pounce.stop(), 0, pounce.log)
    }

    /// Pound's group 39 ("Lua path") only checks that start-up finished; this checks
    /// what its script logs: `Path` components go in front of `package.path`.
    func testPathGoesInFrontOfPackagePath() throws {
        let pounce = try RunningPounce(config: """
            Daemon 0
            LogFacility -
            Lua
                Path "/one/?.lua;/two/?/lua"
                CPath "/three/?.so"
                LoadGlobal "path.lua"
            End
            ListenHTTP
                Address 127.0.0.1
                Port {PORT}
                Service
                    Error 404
                End
            End
            """, files: ["path.lua": """
                pound.log(pound.DEBUG, "PATH=" .. package.path)
                pound.log(pound.DEBUG, "CPATH=" .. package.cpath)
                pound.log(pound.INFO, "CONTEXT=" .. tostring(pound.loadctx))
                """])
        let path = pounce.waitForLogLine { $0.hasPrefix("PATH=") }
        XCTAssertTrue(path?.hasPrefix("PATH=/one/?.lua;/two/?/lua;") == true, pounce.log)
        XCTAssertTrue(path?.contains("/usr/local/share/lua/5.4/?.lua") == true, pounce.log)
        XCTAssertTrue(pounce.waitForLogLine { $0.hasPrefix("CPATH=/three/?.so;") } != nil, pounce.log)
        XCTAssertNotNil(pounce.waitForLogLine { $0 == "CONTEXT=0" }, pounce.log)
        XCTAssertEqual(pounce.stop(), 0, pounce.log)
    }

    func testCheckRefusesUndefinedFunctionsAndBrokenSources() throws {
        let dir = PounceProcess.temporaryDirectory()
        PounceProcess.write("function f() return true end\n", to: dir + "/ok.lua")
        PounceProcess.write("function f( return\n", to: dir + "/broken.lua")
        func check(_ config: String) -> (Int32, String) {
            PounceProcess.write(config, to: dir + "/pound.cfg")
            let r = PounceProcess.run(["-c", "-W", "no-include-dir", "-f", "pound.cfg"], in: dir)
            return (r.status, r.stdout + r.stderr)
        }
        let listener = "ListenHTTP\nAddress 127.0.0.1\nPort 8080\nService\nLuaMatch \"g\"\nError 404\nEnd\nEnd\n"
        var (status, output) = check("Lua\nLoad \"ok.lua\"\nEnd\n" + listener)
        XCTAssertEqual(status, 1)
        XCTAssertTrue(output.contains("pound.cfg:8.10-12: Lua function g not defined"), output)
        (status, output) = check(listener)
        XCTAssertEqual(status, 1, "LuaMatch without any Lua section")
        XCTAssertTrue(output.contains("Lua function g not defined"), output)
        (status, output) = check("Lua\nLoad \"broken.lua\"\nEnd\n" + listener)
        XCTAssertEqual(status, 1)
        XCTAssertTrue(output.contains("pound.cfg:2.6-17: error loading Lua file"), output)
        (status, output) = check("Lua\nPath \"/no/question/mark\"\nEnd\n")
        XCTAssertEqual(status, 1)
        XCTAssertTrue(output.contains("/no/question/mark: this doesn't look like a Lua path component"), output)
    }
}

/// Values gathered from several threads.
final class Collected<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [T] = []
    func append(_ value: T) { lock.withLock { values.append(value) } }
    var items: [T] { lock.withLock { values } }
}

extension LuaTests {
    /// `pound -V` says whether Lua is built in; scripts read that line.
    func testVersionSaysLuaIsBuiltIn() {
        let r = PounceProcess.run(["-V"], in: PounceProcess.temporaryDirectory())
        XCTAssertEqual(r.status, 0)
        XCTAssertTrue(r.stdout.split(separator: "\n").contains("Lua support:                enabled"), r.stdout)
    }
}

extension LuaTests {
    /// Response rules see the status of a built-in responder's reply too.
    func testResponseRulesSeeTheCodeOfAnErrorReply() throws {
        let pounce = try RunningPounce(config: """
            Daemon 0
            LogFacility -
            Lua
                Load "tag.lua"
            End
            ListenHTTP
                Address 127.0.0.1
                Port {PORT}
                Rewrite response
                    LuaModify "tag"
                End
                Service
                    Error 403
                End
            End
            """, files: ["tag.lua": "function tag() http.resp.headers['X-Code'] = tostring(http.resp.code) end\n"])
        let reply = try TCP.get("/", port: pounce.port)
        XCTAssertEqual(reply.status, 403)
        XCTAssertEqual(reply.header("X-Code"), "403", pounce.log)
        XCTAssertEqual(pounce.stop(), 0, pounce.log)
    }
}
