import Testing
import HTTPWire
@testable import Routing

/// Key extraction for the six session types, Pound's edge cases included.
@Suite struct SessionKeyTests {
    @Test func cookie() {
        #expect(SessionKeys.cookie("a=1; SESS=abc; b=2", id: "SESS") == "abc")
        #expect(SessionKeys.cookie("sess=abc", id: "SESS") == "abc")         // name case-insensitive
        #expect(SessionKeys.cookie("XSESS=1; SESS=2", id: "SESS") == "2")     // whole name only
        #expect(SessionKeys.cookie("SESS =1", id: "SESS") == nil)             // '=' right after the name
        #expect(SessionKeys.cookie("SESS=", id: "SESS") == "")                // empty value is a key
        #expect(SessionKeys.cookie("SESS=abc ; x=1", id: "SESS") == "abc ")   // trailing blank kept
        #expect(SessionKeys.cookie("\tSESS=abc", id: "SESS") == "abc")
        #expect(SessionKeys.cookie("SESS=abc; Path=/; HttpOnly", id: "SESS") == "abc")
        #expect(SessionKeys.cookie("other=1", id: "SESS") == nil)
        let long = String(repeating: "x", count: 300)
        #expect(SessionKeys.cookie("SESS=\(long)", id: "SESS")?.utf8.count == 127)
    }

    @Test func basic() {
        #expect(SessionKeys.basic("Basic YWxpY2U6c2VjcmV0") == "YWxpY2U6c2VjcmV0")  // not decoded
        #expect(SessionKeys.basic("basic \t Zm9v") == "Zm9v")
        #expect(SessionKeys.basic("BasicZm9v") == nil)   // needs white space after the scheme
        #expect(SessionKeys.basic("Bearer x") == nil)
        #expect(SessionKeys.basic("Basic ") == "")
    }

    @Test func urlParameter() {
        #expect(SessionKeys.url("/app?x=1&sid=42&sid=43", id: "sid") == "42")
        #expect(SessionKeys.url("/app?SID=42", id: "sid") == nil)            // exact name
        #expect(SessionKeys.url("/app?sid", id: "sid") == nil)               // no value
        #expect(SessionKeys.url("/app?sid=a%20b", id: "sid") == "a%20b")     // not decoded
        #expect(SessionKeys.url("/a?b?sid=7", id: "sid") == "7")             // query after the last '?'
        #expect(SessionKeys.url("/app", id: "sid") == nil)
    }

    @Test func pathParameter() {
        #expect(SessionKeys.parm("/shop;jsessionid=XYZ") == "jsessionid=XYZ")
        #expect(SessionKeys.parm("/a;b/c;KEY?q=1;z") == "KEY")               // last ';' of the path
        #expect(SessionKeys.parm("/a;") == "")
        #expect(SessionKeys.parm("/a?x;y") == nil)
    }

    @Test func ipAndHeader() {
        #expect(SessionKeys.ip(ClientAddress(numeric: "::ffff:192.0.2.1")!) == "192.0.2.1")
        #expect(SessionKeys.ip(ClientAddress(numeric: "2001:db8::1")!) == "2001:db8::1")
        #expect(SessionKeys.header("  token 123") == "  token 123")
    }

    @Test func requestAndResponseKeys() {
        let head = HTTPRequestHead(method: "GET", uri: "/p;pk?u=uk", version: .http1_1,
                                   headers: ["Cookie": "c=ck", "X-Session": "hk v", "Authorization": "Basic bk"])
        let client = ClientAddress(numeric: "198.51.100.4")!
        func key(_ k: SessionKind, _ id: String?) -> String? {
            SessionKeys.requestKey(type: k, id: id, head: head, client: client)
        }
        #expect(key(.ip, nil) == "198.51.100.4")
        #expect(key(.basic, nil) == "bk")
        #expect(key(.url, "u") == "uk")
        #expect(key(.parm, nil) == "pk")
        #expect(key(.cookie, "c") == "ck")
        #expect(key(.header, "x-session") == "hk v")

        let response: HTTPHeaders = ["Set-Cookie": "other=1", "Set-Cookie": "c=second", "X-Session": "new"]
        // Only the first Set-Cookie is looked at.
        #expect(SessionKeys.responseKey(type: .cookie, id: "c", headers: response) == nil)
        #expect(SessionKeys.responseKey(type: .cookie, id: "other", headers: response) == "1")
        #expect(SessionKeys.responseKey(type: .header, id: "X-Session", headers: response) == "new")
        #expect(SessionKeys.responseKey(type: .ip, id: nil, headers: response) == nil)
        #expect(SessionKeys.responseKey(type: .url, id: "u", headers: response) == nil)
    }
}
