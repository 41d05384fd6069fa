import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The Lua modules in `examples/lua` end to end, with real requests through
/// `pounce`: cookie injection with cookie-based sessions, resending on 401 with
/// injected Basic credentials, and the `cookie` and `wwwauth` modules' edge cases
/// through a `LuaBackend` that reports its results in response headers.
///
/// The modules are meant for Pound 4.23 as well: the suite passes when run with
/// `POUNCE_TEST_BINARY=/path/to/pound` (built with Lua).
final class LuaExampleTests: XCTestCase {
    // MARK: helpers

    /// `examples/lua` in this checkout.
    private static let examples: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path + "/examples/lua"
    }()

    /// A config with a `Lua` section finding the examples by `require` and loading
    /// `load` (absolute paths, or names in `examples/lua`).
    private func config(load: [String], services: String) -> String {
        let loads = load.map { "    Load \"\($0.hasPrefix("/") ? $0 : Self.examples + "/" + $0)\"" }.joined(separator: "\n")
        return """
            Daemon 0
            LogFacility -
            LogLevel 1
            Alive 1
            Lua
                Path "\(Self.examples)/?.lua"
            \(loads)
            End
            ListenHTTP
                Address 127.0.0.1
                Port {PORT}
            \(services)
            End
            """
    }

    private func backend(_ b: TestBackend) -> String {
        "Backend\nAddress 127.0.0.1\nPort \(b.port)\nEnd\n"
    }

    private func values(_ r: HTTPReply, _ name: String) -> [String] {
        r.headers.filter { $0.0.lowercased() == name.lowercased() }.map(\.1)
    }

    private func luaFile(_ text: String) -> String {
        let path = PounceProcess.temporaryDirectory() + "/probe.lua"
        PounceProcess.write(text, to: path)
        return path
    }

    // MARK: cookie injection (mksess.lua, cookie.lua)

    /// A session cookie from `Set-Cookie: poundsession=<uuid>; Max-Age=300; Path=/`.
    private func sessionCookie(_ r: HTTPReply, file: StaticString = #filePath, line: UInt = #line) -> String? {
        let injected = values(r, "Set-Cookie").filter { $0.hasPrefix("poundsession=") }
        XCTAssertEqual(injected.count, 1, "\(r.headers)", file: file, line: line)
        // Pound 4.23 joins the values of a table assigned to a header into one field.
        guard let text = injected.first.map({ RunningPounce.isPound ? $0.components(separatedBy: ", ")[0] : $0 }) else {
            return nil
        }
        let parts = text.components(separatedBy: "; ")
        XCTAssertEqual(Array(parts.dropFirst()), ["Max-Age=300", "Path=/"], text, file: file, line: line)
        let id = String(parts[0].dropFirst("poundsession=".count))
        XCTAssertNotNil(id.range(of: "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
                                 options: .regularExpression), id, file: file, line: line)
        return id
    }

    func testCookieInjectionSetsTheCookieOnceAndSessionsStickToItsBackend() throws {
        // The backends set a cookie of their own, which must survive the injection.
        let handler: (String) -> TestBackend.Handler = { name in
            { req, _ in
                let echo = TestBackend.echo(req, name: name)
                let text = String(decoding: echo, as: UTF8.self)
                    .replacingOccurrences(of: "HTTP/1.1 200 OK\r\n", with: "HTTP/1.1 200 OK\r\nSet-Cookie: theme=dark\r\n")
                return Array(text.utf8)
            }
        }
        let b1 = try TestBackend(name: "b1", handler: handler("b1"))
        let b2 = try TestBackend(name: "b2", handler: handler("b2"))
        let p = try RunningPounce(config: config(load: ["mksess.lua"], services: """
            Service
                Session
                    Type Cookie
                    TTL 300
                    ID "poundsession"
                End
                Rewrite response
                    LuaModify "mksess.inject" "poundsession" "300"
                End
                \(backend(b1))
                \(backend(b2))
            End
            """))

        let first = try TCP.get("/", port: p.port)
        XCTAssertEqual(first.status, 200)
        let id = try XCTUnwrap(sessionCookie(first))
        // The backend's cookie is kept, after the injected one: sessions are recorded
        // from the first Set-Cookie only (as in Pound 4.23, which joins the two).
        XCTAssertEqual(values(first, "Set-Cookie"), RunningPounce.isPound
                       ? ["poundsession=\(id); Max-Age=300; Path=/, theme=dark"]
                       : ["poundsession=\(id); Max-Age=300; Path=/", "theme=dark"])
        let owner = try XCTUnwrap(first.header("x-backend"))

        // Another client without the cookie (or with other cookies only) gets another id.
        let second = try TCP.get("/", port: p.port, headers: ["Cookie: theme=dark; other=1"])
        let otherID = try XCTUnwrap(sessionCookie(second))
        XCTAssertNotEqual(otherID, id)

        // With the cookie: no new one, and always the backend that served the first.
        for i in 0..<10 {
            let r = try TCP.get("/page/\(i)", port: p.port, headers: ["Cookie: theme=dark; poundsession=\(id)"])
            XCTAssertEqual(r.status, 200)
            XCTAssertEqual(values(r, "Set-Cookie"), ["theme=dark"], "request \(i) carries the cookie")
            XCTAssertEqual(r.header("x-backend"), owner, "request \(i) sticks to the session's backend")
            XCTAssertEqual(r.header("x-orig-cookie"), "theme=dark; poundsession=\(id)")
        }
        XCTAssertEqual(b1.requests.count + b2.requests.count, 12)
        XCTAssertEqual(p.stop(), 0)
    }

    func testCookieInjectionSessionsSpreadOverBackends() throws {
        let b1 = try TestBackend(name: "b1")
        let b2 = try TestBackend(name: "b2")
        let p = try RunningPounce(config: config(load: ["mksess.lua"], services: """
            Service
                Session
                    Type Cookie
                    TTL 300
                    ID "poundsession"
                End
                Rewrite response
                    LuaModify "mksess.inject" "poundsession" "300"
                End
                \(backend(b1))
                \(backend(b2))
            End
            """))
        // Fresh clients until both backends own a session (random balancing: 40
        // tries fail to reach both with probability 2^-39).
        var owners: [String: String] = [:]
        for _ in 0..<40 where Set(owners.values).count < 2 {
            let r = try TCP.get("/", port: p.port)
            let id = try XCTUnwrap(sessionCookie(r))
            owners[id] = try XCTUnwrap(r.header("x-backend"))
        }
        XCTAssertEqual(Set(owners.values), ["b1", "b2"])
        for (id, owner) in owners {
            for _ in 0..<3 {
                let r = try TCP.get("/", port: p.port, headers: ["Cookie: poundsession=\(id)"])
                XCTAssertEqual(r.header("x-backend"), owner, "session \(id)")
                XCTAssertEqual(values(r, "Set-Cookie"), [])
            }
        }
        XCTAssertEqual(p.stop(), 0)
    }

    // MARK: resending on 401 (auth.lua, creds.lua, wwwauth.lua, base64.lua)

    /// The credentials `examples/lua/creds.lua` has for host localhost, realm "test".
    private let expectedAuthorization = "Basic " + Data("alice:open sesame".utf8).base64EncodedString()

    /// 401 with `WWW-Authenticate: <X-Challenge or Basic realm="test">` unless the
    /// request has the expected credentials (always for /always-401).
    private func protectedBackend() throws -> TestBackend {
        let expected = expectedAuthorization
        return try TestBackend(name: "protected") { req, _ in
            let always = req.requestLine.contains(" /always-401")
            if !always, req.header("Authorization") == expected {
                return TestBackend.echo(req, name: "protected")
            }
            let challenge = req.header("X-Challenge") ?? "Basic realm=\"test\""
            let body = "authorization required\n"
            return Array(("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: \(challenge)\r\n" +
                          "Content-Type: text/plain\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body).utf8)
        }
    }

    private func authConfig(_ b: TestBackend) -> String {
        config(load: ["auth.lua"], services: """
            Service
                ContentCapture 65536
                Rewrite response
                    LuaModify "auth.inject"
                End
                \(backend(b))
            End
            """)
    }

    func testAuthResendsWithBasicCredentialsAfter401() throws {
        let b = try protectedBackend()
        let p = try RunningPounce(config: authConfig(b))
        let r = try TCP.get("/private", port: p.port)
        XCTAssertEqual(r.status, 200, r.body)
        XCTAssertEqual(r.header("x-backend"), "protected")
        XCTAssertEqual(r.header("x-orig-authorization"), expectedAuthorization)
        let requests = b.requests
        XCTAssertEqual(requests.count, 2)
        XCTAssertEqual(requests.map(\.requestLine), ["GET /private HTTP/1.1", "GET /private HTTP/1.1"])
        XCTAssertNil(requests.first?.header("Authorization"))
        XCTAssertEqual(requests.last?.header("Authorization"), expectedAuthorization)
        XCTAssertEqual(p.stop(), 0)
    }

    func testAuthResendsABodyWithContentCapture() throws {
        let b = try protectedBackend()
        let p = try RunningPounce(config: authConfig(b))
        let body = "name=value&x=1"
        let r = try TCP.exchange("POST /form HTTP/1.1\r\nHost: localhost:8080\r\nContent-Type: application/x-www-form-urlencoded\r\n" +
                             "Content-Length: \(body.utf8.count)", port: p.port, body: body)
        XCTAssertEqual(r.status, 200, r.body)
        XCTAssertEqual(r.body, body, "the echo of the resent body")
        let requests = b.requests
        XCTAssertEqual(requests.count, 2)
        XCTAssertEqual(requests.map { String(decoding: $0.body, as: UTF8.self) }, [body, body])
        XCTAssertEqual(requests.last?.header("Authorization"), expectedAuthorization, "Host with a port matches localhost")
        XCTAssertEqual(p.stop(), 0)
    }

    func testAuthLeavesThe401WhenItCannotHelp() throws {
        let b = try protectedBackend()
        let p = try RunningPounce(config: authConfig(b))

        // Credentials refused: resent once only, then the client sees the 401.
        let refused = try TCP.get("/always-401", port: p.port)
        XCTAssertEqual(refused.status, 401)
        XCTAssertEqual(refused.header("WWW-Authenticate"), "Basic realm=\"test\"")
        XCTAssertEqual(b.requests.count, 2)

        // No credentials for this realm or host, another scheme, the client's own
        // credentials: nothing is resent.
        let cases: [(String, [String], String)] = [
            ("localhost", ["X-Challenge: Basic realm=\"elsewhere\""], "other realm"),
            ("unknown.example", [], "other host"),
            ("localhost", ["X-Challenge: Bearer realm=\"test\""], "other scheme"),
            ("localhost", ["Authorization: Basic Ym9iOnNlY3JldA=="], "the client's credentials"),
        ]
        for (host, headers, what) in cases {
            let before = b.requests.count
            let r = try TCP.get("/private", port: p.port, host: host, headers: headers)
            XCTAssertEqual(r.status, 401, what)
            XCTAssertEqual(r.body, "authorization required\n", what)
            XCTAssertEqual(b.requests.count, before + 1, what)
        }
        XCTAssertEqual(b.requests.last?.header("Authorization"), "Basic Ym9iOnNlY3JldA==")
        XCTAssertTrue(p.waitForLog("auth.inject: no credentials for host unknown.example, realm test"), p.log)
        XCTAssertTrue(p.waitForLog("auth.inject: unsupported authorization scheme: Bearer"), p.log)

        // Several challenges, Basic not first, its realm quoted with an escape.
        let several = try TCP.get("/private", port: p.port, headers: [#"X-Challenge: Newauth realm="apps", type=1, Basic realm="t\est""#])
        XCTAssertEqual(several.status, 200, "realm t\\est is test")
        XCTAssertEqual(p.stop(), 0)
    }

    // MARK: cookie and wwwauth edge cases, through a LuaBackend

    /// Lua functions reporting what the modules return in response headers.
    private static let probe = #"""
        local cookie = require 'cookie'
        local wwwauth = require 'wwwauth'
        local M = {}

        local function report(name, v)
           http.resp.headers[name] = v == nil and '(nil)' or tostring(v)
        end

        -- wwwauth.parse of the request's X-Challenge header(s).
        function M.parse()
           http.resp.code = 200
           local scheme, params = wwwauth.parse(http.req.headers['X-Challenge'])
           if scheme == nil then
              report('X-Error', params)
              return
           end
           report('X-Scheme', scheme)
           local names = {}
           for k, v in pairs(params) do
              names[#names + 1] = tostring(k)
              report('X-Param-' .. (k == 1 and 'token68' or k), v)
           end
           table.sort(names)
           report('X-Params', table.concat(names, ','))
           local list = wwwauth.challenges(http.req.headers['X-Challenge'])
           local schemes = {}
           for _, c in ipairs(list or {}) do schemes[#schemes + 1] = c.scheme end
           report('X-Challenges', table.concat(schemes, ','))
        end

        -- cookie.get of each argument, then a few cookie.set calls.
        function M.cookies(...)
           http.resp.code = 200
           -- (Header names are case-insensitive: "A" is reported as X-Cookie-upper-A.)
           for _, name in ipairs({ ... }) do
              report('X-Cookie-' .. (name:find('%u') and 'upper-' or '') .. name, cookie.get(name))
           end
           http.resp.headers['Set-Cookie'] = { 'keep=1', 'drop=old; Path=/old' }
           cookie.set('drop', 'new', '60')
           cookie.set('plain', 'v')
           cookie.set('attrs', 'x', 0, { path = '/app', domain = 'example.com', secure = true,
                                         httponly = true, samesite = 'Strict' })
           report('X-Bad-Name', (pcall(cookie.set, 'bad name', 'x')))
           report('X-Bad-Value', (pcall(cookie.set, 'n', 'a;b')))
           report('X-Bad-TTL', (pcall(cookie.set, 'n', 'v', '1.5')))
           http.resp.body = 'cookies\n'
        end

        return M
        """#

    func testWWWAuthParse() throws {
        let p = try RunningPounce(config: config(load: [luaFile(Self.probe)], services: """
            Service
                LuaBackend "probe.parse"
            End
            """))
        func parse(_ challenges: String...) throws -> HTTPReply {
            try TCP.get("/", port: p.port, headers: challenges.map { "X-Challenge: " + $0 })
        }

        let digest = try parse(#"Digest realm="a\"b", qop="auth,auth-int", nonce=abc"#)
        XCTAssertEqual(digest.status, 200)
        XCTAssertEqual(digest.header("X-Scheme"), "Digest")
        XCTAssertEqual(digest.header("X-Params"), "nonce,qop,realm")
        XCTAssertEqual(digest.header("X-Param-realm"), #"a"b"#)
        XCTAssertEqual(digest.header("X-Param-qop"), "auth,auth-int")
        XCTAssertEqual(digest.header("X-Param-nonce"), "abc")

        let basic = try parse(#"Basic Realm="Restricted access""#)
        XCTAssertEqual(basic.header("X-Scheme"), "Basic")
        XCTAssertEqual(basic.header("X-Params"), "realm", "names are lower-cased")
        XCTAssertEqual(basic.header("X-Param-realm"), "Restricted access")

        let spaced = try parse(#" , Basic  realm = "x\\y" ,, charset=UTF-8 ,"#)
        XCTAssertEqual(spaced.header("X-Scheme"), "Basic")
        XCTAssertEqual(spaced.header("X-Param-realm"), #"x\y"#)
        XCTAssertEqual(spaced.header("X-Param-charset"), "UTF-8")

        let bare = try parse("Bearer")
        XCTAssertEqual(bare.header("X-Scheme"), "Bearer")
        XCTAssertEqual(bare.header("X-Params"), "")

        let token68 = try parse("Negotiate YII=")
        XCTAssertEqual(token68.header("X-Scheme"), "Negotiate")
        XCTAssertEqual(token68.header("X-Param-token68"), "YII=")

        let several = try parse(#"Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple""#)
        XCTAssertEqual(several.header("X-Scheme"), "Newauth")
        XCTAssertEqual(several.header("X-Params"), "realm,title,type")
        XCTAssertEqual(several.header("X-Param-title"), #"Login to "apps""#)
        XCTAssertEqual(several.header("X-Challenges"), "Newauth,Basic")

        // Two header fields: Pound's {[0] = ..., [1] = ...} table, read as one list.
        let fields = try parse("Basic realm=\"one\"", "Digest realm=\"two\", nonce=n")
        XCTAssertEqual(fields.header("X-Scheme"), "Basic")
        XCTAssertEqual(fields.header("X-Param-realm"), "one")
        XCTAssertEqual(fields.header("X-Challenges"), "Basic,Digest")

        for bad in ["Basic realm=\"unterminated", "Basic realm=x, realm=y", "Basic realm=x junk", "=x", "Basic realm=\"a\\"] {
            let r = try parse(bad)
            XCTAssertEqual(r.status, 200, bad)
            XCTAssertNil(r.header("X-Scheme"), bad)
            XCTAssertNotNil(r.header("X-Error"), bad)
        }
        XCTAssertEqual(try TCP.get("/", port: p.port).header("X-Error"), "no header value")
        XCTAssertEqual(p.stop(), 0)
    }

    func testCookieGetAsCondition() throws {
        let b1 = try TestBackend(name: "b1")
        let b2 = try TestBackend(name: "b2")
        let p = try RunningPounce(config: config(load: ["cookie.lua"], services: """
            Service
                LuaMatch "cookie.get" "beta"
                \(backend(b2))
            End
            Service
                \(backend(b1))
            End
            """))
        XCTAssertEqual(try TCP.get("/", port: p.port).header("x-backend"), "b1")
        XCTAssertEqual(try TCP.get("/", port: p.port, headers: ["Cookie: alpha=1"]).header("x-backend"), "b1")
        XCTAssertEqual(try TCP.get("/", port: p.port, headers: ["Cookie: alpha=1; beta=yes"]).header("x-backend"), "b2")
        XCTAssertEqual(try TCP.get("/", port: p.port, headers: ["Cookie: beta="]).header("x-backend"), "b2", "present, if empty")
        XCTAssertEqual(p.stop(), 0)
    }

    func testCookieGetAndSet() throws {
        let p = try RunningPounce(config: config(load: [luaFile(Self.probe)], services: """
            Service
                LuaBackend "probe.cookies" "a" "b" "c" "d" "A" "z" "other"
            End
            """))
        let r = try TCP.get("/", port: p.port, headers: [#"Cookie: a=1; b="two";c= ; other"#, "Cookie: d=4; a=dup"])
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.body, "cookies\n")
        XCTAssertEqual(r.header("X-Cookie-a"), "1", "the first of several wins")
        XCTAssertEqual(r.header("X-Cookie-b"), "two", "quotes are removed")
        XCTAssertEqual(r.header("X-Cookie-c"), "", "present, empty")
        XCTAssertEqual(r.header("X-Cookie-d"), "4", "from the second Cookie field")
        XCTAssertEqual(r.header("X-Cookie-upper-A"), "(nil)", "names are case-sensitive")
        XCTAssertEqual(r.header("X-Cookie-z"), "(nil)")
        XCTAssertEqual(r.header("X-Cookie-other"), "(nil)", "a pair without = sets nothing")
        // Each new cookie goes first; the one it replaces goes.
        let setCookies = [
            "attrs=x; Max-Age=0; Path=/app; Domain=example.com; SameSite=Strict; Secure; HttpOnly",
            "plain=v; Path=/",
            "drop=new; Max-Age=60; Path=/",
            "keep=1",
        ]
        if RunningPounce.isPound {
            // Pound 4.23 makes one field of a table's values, so `drop=old` is not
            // seen as a cookie of its own and stays.
            XCTAssertEqual(values(r, "Set-Cookie"), [(setCookies + ["drop=old; Path=/old"]).joined(separator: ", ")])
        } else {
            XCTAssertEqual(values(r, "Set-Cookie"), setCookies)
        }
        XCTAssertEqual(r.header("X-Bad-Name"), "false")
        XCTAssertEqual(r.header("X-Bad-Value"), "false")
        XCTAssertEqual(r.header("X-Bad-TTL"), "false")

        let none = try TCP.get("/", port: p.port)
        XCTAssertEqual(none.header("X-Cookie-a"), "(nil)", "no Cookie header")
        XCTAssertEqual(p.stop(), 0)
    }
}
