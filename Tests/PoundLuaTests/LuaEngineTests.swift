import Foundation
import HTTPWire
import PoundConfig
import PoundLua
import RequestLog
import Routing
import Testing

/// The Lua engine without sockets: sources loaded into real Lua states, functions
/// called on a request value, the results read back.
@Suite struct LuaEngineTests {
    final class Log: @unchecked Sendable {
        private let lock = NSLock()
        private var entries: [(LogPriority, String)] = []
        func add(_ p: LogPriority, _ s: String) { lock.withLock { entries.append((p, s)) } }
        var lines: [String] { lock.withLock { entries.map(\.1) } }
    }

    private static func file(_ text: String) -> String {
        let path = NSTemporaryDirectory() + "pounce-lua-\(UUID().uuidString).lua"
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        return path
    }

    private static func engine(load: String = "", global: String = "", maxInstructions: Int? = nil,
                               log: Log = Log()) throws -> LuaEngine {
        var settings = LuaSettings()
        if !load.isEmpty { settings.load = [LuaSource(file: file(load), range: .unset)] }
        if !global.isEmpty { settings.loadGlobal = [LuaSource(file: file(global), range: .unset)] }
        settings.maxInstructions = maxInstructions
        return try LuaEngine(settings: settings, loops: 2, log: { log.add($0, $1) })
    }

    private static func request(_ uri: String, headers: HTTPHeaders = HTTPHeaders()) -> RoutingRequest {
        RoutingRequest(head: HTTPRequestHead(method: "GET", uri: uri, version: .http1_1, headers: headers),
                       client: ClientAddress(numeric: "192.0.2.7")!, listener: ListenerInfo(index: 0, port: 80))
    }

    /// Runs `name` with `arguments` on `request` in loop 0's runner.
    private static func call(_ engine: LuaEngine, _ name: String, _ kind: ScriptCallKind, _ arguments: [String] = [],
                             on request: inout RoutingRequest) throws -> Bool? {
        let function = try engine.resolve(name, at: .unset)
        let scripts = request.scripts ?? RequestScripts(runner: engine.runner(loop: 0))
        request.scripts = scripts
        return scripts.runner.call(function, kind: kind, arguments: arguments, request: &request, scripts: scripts)
    }

    @Test func resolvesPerLoopBeforeGlobalAndRefusesUndefinedNames() throws {
        let e = try Self.engine(load: "function f() return true end\nlocal m = {}\nfunction m.g() end\nreturn m",
                                global: "function f() return false end\nfunction h() end")
        #expect(try e.resolve("f", at: .unset).isGlobal == false)
        #expect(try e.resolve("h", at: .unset).isGlobal == true)
        #expect(throws: ScriptFunctionUndefined.self) { try e.resolve("nope", at: .unset) }
        #expect(throws: ScriptFunctionUndefined.self) { try e.resolve("m.g", at: .unset) }
    }

    @Test func aReturnedTableBecomesTheGlobalNamedAfterTheFile() throws {
        let path = Self.file("local m = {}\nfunction m.ok(a) return a == 'yes' end\nreturn m")
        var settings = LuaSettings()
        settings.load = [LuaSource(file: path, range: .unset), LuaSource(file: path, variable: "alias", range: .unset)]
        let e = try LuaEngine(settings: settings, loops: 1, log: { _, _ in })
        let variable = LuaSource(file: path, range: .unset).effectiveVariable
        var r = Self.request("/")
        #expect(try Self.call(e, "\(variable).ok", .match, ["yes"], on: &r) == true)
        #expect(try Self.call(e, "alias.ok", .match, ["no"], on: &r) == false)
    }

    @Test func conditionsReadTheRequest() throws {
        let e = try Self.engine(load: """
            function check(expected)
               local h = http.req.headers
               return http.req.method == 'GET' and http.req.path == '/a/b' and http.req.url == '/a/b?x=1&y'
                  and http.req.query.x == '1' and http.req.query.y == '' and http.req.query.z == nil
                  and #http.req.query == 2 and tostring(http.req.query) == 'x=1&y'
                  and h['host'] == 'example.org' and h['X-Multi'][0] == 'one' and h['X-Multi'][1] == 'two'
                  and tostring(http.req.version) == '1.1' and http.req.version.minor == 1
                  and http.rmt_ip == '192.0.2.7' and http.req.line == 'GET /a/b?x=1&y HTTP/1.1'
                  and expected == 'ok'
            end
            """)
        var r = Self.request("/a/b?x=1&y", headers: ["Host": "example.org", "X-Multi": "one"])
        r.head.headers.append("X-Multi", "two")
        #expect(try Self.call(e, "check", .match, ["ok"], on: &r) == true)
        #expect(try Self.call(e, "check", .match, ["not ok"], on: &r) == false)
    }

    @Test func modificationsChangeTheRequestAndRefuseForgedLines() throws {
        let log = Log()
        let e = try Self.engine(load: """
            function edit()
               http.req.path = '/new'
               http.req.query.t = 'ok'
               http.req.headers['X-Added'] = 'yes'
               http.req.headers['X-Gone'] = nil
            end
            function forge() http.req.headers['X-Evil'] = 'a\\r\\nInjected: 1' end
            function forge_url() http.req.url = '/x HTTP/1.1\\r\\nX: y' end
            """, log: log)
        var r = Self.request("/old?a=1", headers: ["X-Gone": "1"])
        #expect(try Self.call(e, "edit", .modifyRequest, on: &r) == true)
        #expect(r.head.uri == "/new?a=1&t=ok")
        #expect(r.head.headers.first("X-Added") == "yes")
        #expect(!r.head.headers.contains("X-Gone"))
        #expect(try Self.call(e, "forge", .modifyRequest, on: &r) == nil)
        #expect(try Self.call(e, "forge_url", .modifyRequest, on: &r) == nil)
        #expect(!r.head.headers.contains("X-Evil") && r.head.uri == "/new?a=1&t=ok")
        #expect(log.lines.contains { $0.contains("error calling Lua function forge:") && $0.contains("bad header value") })
    }

    @Test func gcallCopiesValuesAndDumpSerializes() throws {
        let e = try Self.engine(load: """
            function check()
               local t = pound.gcall('echo', 7, 'text', { 1, 2, sub = { flag = true } })
               local n = pound.gcall('echo', 7)
               return math.type(n) == 'float' and t.a == 7 and t.b == 'text' and t.c.sub.flag == true
                  and math.type(t.c[2]) == 'integer' and pound.dump({ 1 }) == '{[1] = 1,}'
                  and select(2, pound.dump(print)) == 'cannot serialize function'
            end
            function cyclic() local t = {} t.t = t return pound.gcall('echo', t) end
            """, global: """
            function echo(a, b, c) if b == nil then return a end return { a = a, b = b, c = c } end
            """)
        var r = Self.request("/")
        #expect(try Self.call(e, "check", .match, on: &r) == true)
        #expect(try Self.call(e, "cyclic", .match, on: &r) == nil)
    }

    @Test func theInstructionBudgetStopsAnEndlessLoop() throws {
        let log = Log()
        let e = try Self.engine(load: "function spin() while true do end end\nfunction ok() return true end",
                                maxInstructions: 100_000, log: log)
        var r = Self.request("/")
        #expect(try Self.call(e, "spin", .match, on: &r) == nil)
        #expect(log.lines.contains { $0.hasSuffix("error calling Lua function spin: instruction budget exceeded") })
        // The state is usable again at once.
        #expect(try Self.call(e, "ok", .match, on: &r) == true)
    }

    @Test func theStashLivesForOneRequest() throws {
        let e = try Self.engine(load: """
            function put(v) stash.v = v return true end
            function get(v) return stash.v == v end
            """)
        var first = Self.request("/")
        #expect(try Self.call(e, "put", .match, ["a"], on: &first) == true)
        #expect(try Self.call(e, "get", .match, ["a"], on: &first) == true)
        var second = Self.request("/")
        #expect(try Self.call(e, "get", .match, ["a"], on: &second) == false)
        first.scripts?.finish()
        #expect(first.scripts?.localStash == 0)
    }

    @Test func responsesAreReadAndBuiltInTheirContextsOnly() throws {
        let e = try Self.engine(load: """
            function build() http.resp.code = 201; http.resp.headers['X-A'] = 'b'; http.resp.body = 'made' end
            function peek() return http.resp.code == 200 end
            function resend() http.resend = true end
            """)
        var r = Self.request("/")
        #expect(try Self.call(e, "peek", .match, on: &r) == nil, "http.resp is not there for a condition")
        let scripts = try #require(r.scripts)
        scripts.response = ScriptResponse(code: 0, reason: nil, bodyWritable: true)
        r.responseHeaders = HTTPHeaders()
        #expect(try Self.call(e, "build", .backend, on: &r) == true)
        #expect(scripts.response?.code == 201 && scripts.response?.reason == "Created")
        #expect(scripts.response?.body == Array("made".utf8))
        #expect(r.responseHeaders?.first("X-A") == "b")
        scripts.response = ScriptResponse(code: 200, reason: "OK", bodyWritable: false)
        #expect(try Self.call(e, "resend", .modifyResponse, on: &r) == true)
        #expect(scripts.resend == .sameService)
    }
}

extension LuaEngineTests {
    @Test func pairsVisitsEachHeaderOnceEvenWhenNamesRepeat() throws {
        let e = try Self.engine(load: """
            function count(expected)
               local seen = {}
               for name, value in pairs(http.req.headers) do seen[#seen + 1] = name .. '=' .. value end
               return table.concat(seen, ',') == expected and #http.req.headers == 3
            end
            """)
        var r = Self.request("/", headers: ["Cookie": "a=1", "Host": "h"])
        r.head.headers.append("Cookie", "b=2")
        #expect(try Self.call(e, "count", .match, ["Cookie=a=1,Host=h,Cookie=b=2"], on: &r) == true)
    }
}

extension LuaEngineTests {
    /// As in Pound, where `http` is made for each call: a script that replaces the
    /// global spoils only its own call.
    @Test func aScriptThatReplacesHttpSpoilsOnlyItsOwnCall() throws {
        let e = try Self.engine(load: """
            function clobber() http = nil; stash = 5; return true end
            function check() stash.x = 1; return http.req.path == '/' and stash.x == 1 end
            """)
        var r = Self.request("/")
        #expect(try Self.call(e, "clobber", .match, on: &r) == true)
        #expect(try Self.call(e, "check", .match, on: &r) == true)
    }
}
