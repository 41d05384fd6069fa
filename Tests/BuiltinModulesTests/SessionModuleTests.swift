import PounceModuleAPI
import Testing
@testable import BuiltinModules

/// Key extraction and learning of the six session types, Pound's edge cases included.
@Suite struct SessionModuleTests {
    @Test func cookie() throws {
        let s = try session("COOKIE", id: "SESS")
        func cookie(_ value: String) -> String? { s.key([("Cookie", value)]) }
        #expect(cookie("a=1; SESS=abc; b=2") == "abc")
        #expect(cookie("sess=abc") == "abc")                // name case-insensitive
        #expect(cookie("XSESS=1; SESS=2") == "2")            // whole name only
        #expect(cookie("SESS =1") == nil)                    // '=' right after the name
        #expect(cookie("SESS=") == "")                       // an empty value is a key
        #expect(cookie("SESS=abc ; x=1") == "abc ")          // trailing blank kept
        #expect(cookie("\tSESS=abc") == "abc")
        #expect(cookie("SESS=abc; Path=/; HttpOnly") == "abc")
        #expect(cookie("other=1") == nil)
        #expect(cookie("a=1;;  SESS=x") == "x")
        #expect(s.key() == nil)                              // no Cookie header
        // The host cuts keys to Pound's 127 bytes; the module returns them whole.
        let long = String(repeating: "x", count: 300)
        #expect(cookie("SESS=\(long)")?.utf8.count == 300)
    }

    @Test func cookieLearnsFromTheFirstSetCookieOnly() throws {
        let s = try session("cookie", id: "c")
        let response = [("Set-Cookie", "other=1"), ("Set-Cookie", "c=second"), ("X-Session", "new")]
        #expect(s.learned(response) == nil)
        #expect(try session("COOKIE", id: "other").learned(response) == "1")
        #expect(s.learned([("Set-Cookie", "c=abc; Path=/; HttpOnly")]) == "abc")
        #expect(s.learned([]) == nil)
    }

    @Test func basic() throws {
        let s = try session("BASIC")
        func basic(_ value: String) -> String? { s.key([("Authorization", value)]) }
        #expect(basic("Basic YWxpY2U6c2VjcmV0") == "YWxpY2U6c2VjcmV0")  // not decoded
        #expect(basic("basic \t Zm9v") == "Zm9v")
        #expect(basic("BasicZm9v") == nil)   // needs white space after the scheme
        #expect(basic("Bearer x") == nil)
        #expect(basic("Basic ") == "")
        #expect(s.key() == nil)
        // Pound's upd_session also learns BASIC from a response's Authorization.
        #expect(s.learned([("Authorization", "Basic bk2")]) == "bk2")
        #expect(s.learned([("Authorization", "Digest x")]) == nil)
    }

    @Test func urlParameter() throws {
        let s = try session("URL", id: "sid")
        #expect(s.key(uri: "/app?x=1&sid=42&sid=43") == "42")
        #expect(s.key(uri: "/app?SID=42") == nil)            // exact name
        #expect(s.key(uri: "/app?sid") == nil)               // no value
        #expect(s.key(uri: "/app?sid&sid=2") == nil)         // only the first is looked at
        #expect(s.key(uri: "/app?sid=") == "")
        #expect(s.key(uri: "/app?sid=a%20b") == "a%20b")     // not decoded
        #expect(s.key(uri: "/a?b?sid=7") == "7")             // query after the last '?'
        #expect(s.key(uri: "?sid=7") == nil)                 // a leading '?' separates nothing
        #expect(s.key(uri: "/app?") == nil)
        #expect(s.key(uri: "/app") == nil)
        #expect(s.learned([("Set-Cookie", "sid=1"), ("sid", "1")]) == nil)
    }

    @Test func pathParameter() throws {
        let s = try session("PARM")
        #expect(s.key(uri: "/shop;jsessionid=XYZ") == "jsessionid=XYZ")
        #expect(s.key(uri: "/a;b/c;KEY?q=1;z") == "KEY")     // last ';' of the path
        #expect(s.key(uri: "/a;") == "")
        #expect(s.key(uri: "/a?x;y") == nil)
        #expect(s.key(uri: "/plain") == nil)
        #expect(s.key(uri: "") == nil)
        #expect(s.learned([("Set-Cookie", "a=1")]) == nil)
    }

    @Test func ip() throws {
        let s = try session("IP")
        #expect(s.key(client: "198.51.100.4") == "198.51.100.4")
        #expect(s.key(client: "::ffff:192.0.2.1") == "192.0.2.1")    // IPv4-mapped shown as IPv4
        #expect(s.key(client: "::FFFF:192.0.2.1") == "192.0.2.1")
        #expect(s.key(client: "2001:db8::1") == "2001:db8::1")
        #expect(s.key(client: "::ffff:1:2") == "::ffff:1:2")          // not a mapped IPv4
        #expect(s.key(client: "/run/pounce.sock") == "/run/pounce.sock")
        #expect(s.learned([("Set-Cookie", "a=1")]) == nil)
    }

    @Test func header() throws {
        let s = try session("HEADER", id: "X-Session")
        #expect(s.key([("x-session", "  token 123")]) == "  token 123")   // the whole value
        #expect(s.key([("X-Session", "first"), ("X-Session", "second")]) == "first")
        #expect(s.key([("X-Other", "v")]) == nil)
        #expect(s.learned([("X-Session", "new"), ("X-Session", "later")]) == "new")
        #expect(s.learned([("Set-Cookie", "X-Session=1")]) == nil)
    }

    /// SessionKeyTests' combined request: each type takes its own part.
    @Test func requestAndResponseKeys() throws {
        let request = TestRequest(uri: "/p;pk?u=uk", clientAddress: "198.51.100.4",
                                  fields: [("Cookie", "c=ck"), ("X-Session", "hk v"), ("Authorization", "Basic bk")])
        #expect(try session("IP").key(for: request) == "198.51.100.4")
        #expect(try session("BASIC").key(for: request) == "bk")
        #expect(try session("URL", id: "u").key(for: request) == "uk")
        #expect(try session("PARM").key(for: request) == "pk")
        #expect(try session("COOKIE", id: "c").key(for: request) == "ck")
        #expect(try session("HEADER", id: "x-session").key(for: request) == "hk v")

        let response = TestResponse(fields: [("Set-Cookie", "other=1"), ("Set-Cookie", "c=second"), ("X-Session", "new")])
        #expect(try session("COOKIE", id: "c").key(learnedFrom: response, request: request) == nil)
        #expect(try session("HEADER", id: "X-Session").key(learnedFrom: response, request: request) == "new")
        #expect(try session("IP").key(learnedFrom: response, request: request) == nil)
        #expect(try session("URL", id: "u").key(learnedFrom: response, request: request) == nil)
        #expect(try session("PARM").key(learnedFrom: response, request: request) == nil)
    }

    @Test func typesNeedingAnIDRefuseToStartWithout() throws {
        for type in ["COOKIE", "URL", "HEADER"] {
            #expect(throws: BuiltinModuleError.sessionIDRequired(type: type)) { try session(type) }
        }
        for type in ["IP", "BASIC", "PARM"] {
            #expect(throws: Never.self) { try session(type) }
        }
    }
}
