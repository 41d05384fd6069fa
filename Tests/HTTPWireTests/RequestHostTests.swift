import Testing
@testable import HTTPWire

/// RFC 9112 §3.2: one Host (none on HTTP/1.1 and two anywhere are 400), a valid
/// value, and an absolute-form target's authority in place of Host.
@Suite struct RequestHostTests {
    private func resolve(_ uri: String, _ hosts: [String], version: HTTPVersion = .http1_1)
        -> (error: HTTPWireError?, hosts: [String]) {
        var head = HTTPRequestHead(method: "GET", uri: uri, version: version,
                                   headers: HTTPHeaders(hosts.map { HTTPHeaderField(name: "Host", value: $0) }))
        let error = RequestHost.resolve(&head)
        return (error, head.headers.values("Host"))
    }

    @Test func oneHostIsKept() {
        #expect(resolve("/", ["example.org"]).error == nil)
        #expect(resolve("/", ["example.org:8080"]).hosts == ["example.org:8080"])
        #expect(resolve("/", ["[2001:db8::1]:443"]).error == nil)
        #expect(resolve("/", ["192.0.2.1"]).error == nil)
        #expect(resolve("/", [""]).error == nil)              // a target without authority
    }

    @Test func twoHostsAre400() {
        #expect(resolve("/", ["a.example", "b.example"]).error == .badRequest("multiple Host headers"))
        #expect(resolve("/", ["a.example", "a.example"], version: .http1_0).error?.status == 400)
    }

    @Test func noHostIs400OnHTTP11Only() {
        #expect(resolve("/", []).error == .badRequest("missing Host header"))
        #expect(resolve("/", [], version: .http1_0).error == nil)
    }

    @Test(arguments: ["a b", "a/b", "a@b", "host:80x", "host:", "[::1", "[zz]", "ex\u{1}ample", "h\u{e9}"])
    func badHostValuesAre400(value: String) {
        let outcome = resolve("/", [value])
        if value == "host:" {
            // An empty port is allowed by RFC 3986 (`port = *DIGIT`).
            #expect(outcome.error == nil)
        } else {
            #expect(outcome.error == .badRequest("bad Host header"), "\(value)")
        }
    }

    @Test func absoluteFormReplacesHostWithItsAuthority() {
        let r = resolve("http://backend.example:8080/path?q=1", ["other.example"])
        #expect(r.error == nil)
        #expect(r.hosts == ["backend.example:8080"])
        #expect(resolve("HTTPS://Example.org", ["x"]).hosts == ["Example.org"])
        #expect(resolve("http://[::1]:81#frag", ["x"]).hosts == ["[::1]:81"])
        // HTTP/1.0 without Host: the authority becomes one.
        #expect(resolve("http://a.example/", [], version: .http1_0).hosts == ["a.example"])
    }

    @Test(arguments: ["http:///path", "http://user@host/", "http://bad host/", "https://"])
    func badAbsoluteTargetsAre400(uri: String) {
        #expect(resolve(uri, ["x"]).error == .badRequest("bad request target"))
    }

    @Test func originAndOtherFormsAreLeftAlone() {
        #expect(resolve("/http://x/", ["h"]).hosts == ["h"])
        #expect(resolve("*", ["h"]).hosts == ["h"])
        #expect(resolve("ftp://x/", ["h"]).hosts == ["h"])
    }
}
