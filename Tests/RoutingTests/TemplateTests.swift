import Testing
import HTTPWire
import PoundConfig
import PoundRegex
@testable import Routing

@Suite struct TemplateTests {
    /// A request whose capture queue holds, newest first: Path "^/(x)/(y)?" on "/x/"
    /// tagged "dir", then Host -re "^(www)\.(.*)$" on "www.example.org".
    func requestWithCaptures() -> RoutingRequest {
        var r = request("GET", "/x/?lang=en&empty=&flag",
                        headers: [("Host", "www.example.org:8443"), ("X-Forwarded-For", "203.0.113.7"),
                                  ("Authorization", "Basic YWxpY2U6c2VjcmV0")],
                        client: "127.0.0.1")
        r.captures.push(Capture(subject: Array("www.example.org".utf8), groups: [0..<15, 0..<3, 4..<15], tag: "host"))
        r.captures.push(Capture(subject: Array("/x/".utf8), groups: [0..<3, 1..<2, nil], tag: "dir"))
        return r
    }

    @Test func backReferences() throws {
        let r = requestWithCaptures()
        #expect(try Template("$0 $1 ${1}0 $1(1) $2(1) $1(host) ${2(host)} %1").expand(r)
                == "/x/ x x0 www example.org www example.org www")
        // A group that did not take part expands to nothing.
        #expect(try Template("[$2]").expansion(r, what: "t").text == "[]")
    }

    @Test func failingReferencesReportPoundsMessages() throws {
        let r = requestWithCaptures()
        let cases: [(String, String)] = [
            ("$3", "t \"$3\" refers to non-existing group $3"),
            ("$1(2)", "t \"$1(2)\" refers to non-existing group $1(2)"),
            ("$1(9)", "t \"$1(9)\" refers to non-existing group $1(9)"),
            ("$1(nope)", "t \"$1(nope)\" refers to non-existing group $1(nope)"),
            ("a$1(x", "t \"a$1(x\": missing closing parenthesis in reference started at offset 2"),
            ("${1", "t \"${1\": missing closing brace in reference started at offset 1"),
            ("$1(2x)", "t \"$1(2x)\": invalid reference number at offset 5"),
            ("%[url", "t \"%[url\": unclosed %[ at offset 0"),
            ("x%%y", "t \"x%%y\": unescaped % character at offset 2"),
            ("$a", "t \"$a\": unescaped % character at offset 1"),
        ]
        for (source, message) in cases {
            let e = try Template(source).expansion(r, what: "t")
            #expect(!e.succeeded, "\(source)")
            #expect(e.errors.first == message, "\(source)")
        }
        #expect(try Template("x%%y").expansion(r, what: "t").errors.count == 2)
    }

    @Test func escapes() throws {
        let r = requestWithCaptures()
        // "$%" gives "$" in Pound 4.23 (its manual promises "%").
        #expect(try Template("a$$b$%c%41%zz").expansion(r, what: "t").errors.count == 1)
        #expect(try Template("a$$b$%c%41").expand(r) == "a$b$c%41")
        #expect(try Template("trailing$").expand(r) == "trailing$")
        #expect(try Template("plain").isLiteral)
    }

    @Test func accessors() throws {
        let r = requestWithCaptures()
        let t = try Template("%[url]|%[path]|%[query]|%[param lang]|%[param empty]|%[param flag]|%[param none]")
        #expect(t.expand(r) == "/x/?lang=en&empty=&flag|/x/|lang=en&empty=&flag|en|||")
        #expect(try Template("%[host]|%[port]|%[header  x-forwarded-for ]|%[user]").expand(r)
                == "www.example.org|:8443|203.0.113.7|alice")
        let noHost = request("GET", "/p")
        #expect(try Template("<%[host]%[port]%[query]%[user]>").expand(noHost) == "<>")
    }

    @Test func remoteIPFollowsTrustedProxies() throws {
        let f = Fixture()
        let table = try RoutingTable.build(f.load("""
        TrustedIP
          "127.0.0.1"
        End
        ListenHTTP
          Service
            Backend
              Address 127.0.0.1
              Port 9000
            End
          End
        End
        """))
        var r = requestWithCaptures()
        // Before selection no TrustedIP is known: the peer.
        #expect(try Template("%[remoteip 1]").expand(r) == "127.0.0.1")
        _ = table.listeners[0].selectService(&r)
        #expect(try Template("%[remoteip 1]").expand(r) == "203.0.113.7")
        // Pound 4.23 reads "0" as forwarded too (it checks the byte after the '0').
        #expect(try Template("%[remoteip 0]").expand(r) == "203.0.113.7")
    }

    @Test func anonymiseZeroesTheLastComponent() throws {
        let table = try routing("""
        Anonymise
        ListenHTTP
          Service
        \(backend(9000))  End
        End
        """)
        var r = request("GET", "/", client: "198.51.100.23")
        _ = table.listeners[0].selectService(&r)
        #expect(try Template("%[remoteip 1]").expand(r) == "198.51.100.0")
        var r6 = request("GET", "/", client: "2001:db8::17")
        _ = table.listeners[0].selectService(&r6)
        #expect(try Template("%[remoteip 1]").expand(r6) == "2001:db8::0")
    }

    @Test func constantsServiceThenListenerThenGlobal() throws {
        let table = try routing("""
        Constant "A" "global-a"
        Constant "B" "global b/ü"
        ListenHTTP
          Constant "A" "listener-a"
          Service "s"
            Constant "C" "svc-c"
        \(backend(9000))  End
        End
        """)
        var r = request("GET", "/")
        #expect(table.listeners[0].selectService(&r)?.name == "s")
        #expect(try Template("%[const A]|%[const B url]|%[const C]|%[const B base64]|%[const Z]").expand(r)
                == "listener-a|global%20b%2F%C3%BC|svc-c|Z2xvYmFsIGIvw7w=|")
    }

    @Test func unknownAccessors() throws {
        #expect(throws: TemplateError.self) { try Template("%[nope]") }
        #expect(throws: TemplateError.self) { try Template("%[remoteip]") }
        #expect(throws: TemplateError.self) { try Template("%[url x]") }
        #expect(throws: TemplateError.self) { try Template("%[const A b64]") }
        // Pound accepts them and copies the text.
        let lenient = try Template("[%[nope]][%[remoteip]]", unknownAccessors: .literal)
        #expect(lenient.expand(request("GET", "/")) == "[%[nope]][%[remoteip]]")
    }

    @Test func unixPeerIsShownAsSocket() throws {
        #expect(try Template("%[remoteip 1]").expand(request("GET", "/", client: "unix")) == "socket")
    }

    @Test func selectionFailureStopsAtTheFailingService() throws {
        let t = try routing("""
        ListenHTTP
          Service "bad"
            StringMatch "%[url" ".*"
        \(backend(9001))  End
          Service "good"
        \(backend(9002))  End
        End
        """)
        var r = request("GET", "/")
        guard case .failed(let s) = t.listeners[0].select(&r) else {
            Issue.record("expected a failure")
            return
        }
        #expect(s.name == "bad")
        #expect(r.warnings == ["string_match \"%[url\": unclosed %[ at offset 0"])
    }
}
