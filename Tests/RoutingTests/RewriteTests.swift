import Testing
import HTTPWire
import PoundConfig
@testable import Routing

/// The request and response rules as Pound's `rewrite_apply` runs them: selection
/// first, then the listener's request rules and the service's; on responses the
/// service's first.
@Suite struct RewriteTests {
    private func table(_ serviceRules: String, listener listenerRules: String = "") throws -> RoutingTable {
        try routing("""
        ListenHTTP
            Address 127.0.0.1
            Port 8080
        \(listenerRules)
            Service
        \(serviceRules)
        \(backend(9000))
            End
        End
        """)
    }

    /// Selects the service, then applies the request rules; nil if they failed.
    private func rewritten(_ t: RoutingTable, _ req: RoutingRequest) -> RoutingRequest? {
        var r = req
        guard case .service(let s) = t.listeners[0].select(&r) else { return nil }
        guard t.listeners[0].rewrites.request.apply(to: &r), s.rewrites.request.apply(to: &r) else { return nil }
        return r
    }

    @Test func elseChainTakesTheFirstBranchWhoseConditionHolds() throws {
        let t = try table("""
            Rewrite
                URL -beg "/a"
                SetHeader "X-Branch: 1"
            Else
                Match And
                    URL -beg "/b"
                    Header -re "X-Pass:[[:space:]]+ok"
                End
                SetHeader "X-Branch: 2"
            Else
                SetHeader "X-Branch: 3"
            End
        """)
        func branch(_ uri: String, _ headers: [(String, String)] = []) -> String? {
            rewritten(t, request("GET", uri, headers: headers))?.head.headers.first("X-Branch")
        }
        #expect(branch("/a/x") == "1")
        #expect(branch("/b", [("X-Pass", "ok")]) == "2")
        #expect(branch("/b", [("X-Pass", "no")]) == "3")
        #expect(branch("/c") == "3")
    }

    @Test func nestedRulesAndOperationsRunInConfigOrder() throws {
        let t2 = try table("""
            Rewrite
                Header "X-Order: (.*)"
                Rewrite
                    Path "^/deep/(.*)"
                    SetPath "/flat/$1"
                End
                SetQueryParam "seen" "$1(1)"
            End
        """, listener: "SetHeader \"X-Order: listener\"")
        let r2 = try #require(rewritten(t2, request("GET", "/deep/x/y?a=1")))
        // The nested Path match is newest, so $1(1) names the header match.
        #expect(r2.head.uri == "/flat/x/y?a=1&seen=listener")
        #expect(r2.head.headers.first("X-Order") == "listener")
    }

    @Test func expansionErrorsFailTheRequestWithPoundsWarnings() throws {
        let cases: [(String, String)] = [
            ("SetPath \"/echo%[url\"", "path \"/echo%[url\": unclosed %[ at offset 5"),
            ("SetPath \"/echo$0\"", "path \"/echo$0\" refers to non-existing group $0"),
            ("SetURL \"/echo${11bar\"", "url \"/echo${11bar\": missing closing brace in reference started at offset 6"),
            ("SetQuery \"a=%qbar\"", "query \"a=%qbar\": unescaped % character at offset 3"),
            ("SetHeader \"X-A: $3\"", "Header \"X-A: $3\" refers to non-existing group $3"),
            ("SetQueryParam \"p\" \"$2\"", "query parameter \"$2\" refers to non-existing group $2"),
        ]
        for (rule, warning) in cases {
            let t = try table(rule)
            var r = request("GET", "/foo")
            guard case .service(let s) = t.listeners[0].select(&r) else {
                Issue.record("no service for \(rule)")
                continue
            }
            #expect(!s.rewrites.request.apply(to: &r), "\(rule) should fail")
            #expect(r.takeWarnings() == [warning])
        }
    }

    @Test func setHeaderThatIsNotAHeaderLineFails() throws {
        let t = try table("SetHeader \"%[header X-Line]\"")
        #expect(rewritten(t, request("GET", "/", headers: [("X-Line", "X-Ok: yes")]))?.head.headers.first("X-Ok") == "yes")
        #expect(rewritten(t, request("GET", "/", headers: [("X-Line", "no colon here")])) == nil)
    }

    @Test func pathQueryAndParameterOperations() throws {
        let t = try table("""
            SetPath -encode "/new/%[param name]"
            SetQueryParam "drop"
            SetQueryParam "add" -encode "a b&c"
            SetQueryParam "name" "x"
        """)
        let r = try #require(rewritten(t, request("GET", "/old?name=a/b%20c&drop=1&keep=2")))
        #expect(r.head.uri == "/new/a/b%2520c?name=x&keep=2&add=a%20b%26c")
        let t2 = try table("DeleteQuery\nSetURL \"%[url]?only\"")
        #expect(rewritten(t2, request("GET", "/p?q=1"))?.head.uri == "/p?only")
    }

    @Test func deleteHeaderRemovesEveryMatchingLine() throws {
        let t = try table("DeleteHeader -icase \"^X-Secret\"")
        let r = try #require(rewritten(t, request("GET", "/", headers: [("X-Secret-A", "1"), ("X-Keep", "2"), ("x-secret-b", "3")])))
        #expect(r.head.headers.fields.map(\.name) == ["X-Keep"])
    }

    @Test func responseRulesTestResponseHeadersAndExpandFromTheRequest() throws {
        let t = try routing("""
        ListenHTTP
            Address 127.0.0.1
            Port 8080
            Rewrite response
                SetHeader "X-Layer: listener after $1(subtype)"
            End
            Service
                Host -tag "host" -re "([^:]+)"
                Rewrite response
                    Header -tag "subtype" "Content-Type: text/(.+)"
                    SetHeader "X-Subtype: $1 for $1(host) at %[host]"
                    DeleteHeader "^Server:"
                Else
                    SetHeader "X-Other: yes"
                End
        \(backend(9000))
            End
        End
        """)
        var r = request("GET", "/", headers: [("Host", "example.net:8080"), ("Content-Type", "application/json")])
        guard case .service(let s) = t.listeners[0].select(&r) else { Issue.record("no service"); return }
        var headers: HTTPHeaders = ["Content-Type": "text/plain", "Server": "demo"]
        #expect(s.rewrites.response.apply(to: &headers, request: &r))
        #expect(t.listeners[0].rewrites.response.apply(to: &headers, request: &r))
        #expect(headers.first("X-Subtype") == "plain for example.net at example.net")
        #expect(headers.first("X-Layer") == "listener after plain")
        #expect(headers.first("Server") == nil)
        #expect(headers.first("X-Other") == nil)
        // The request's own headers are untouched and still what conditions see later.
        #expect(r.head.headers.first("X-Subtype") == nil)

        var json: HTTPHeaders = ["Content-Type": "application/json"]
        #expect(s.rewrites.response.apply(to: &json, request: &r))
        #expect(json.first("X-Other") == "yes")
    }

    @Test func failedConditionCountsAsFalse() throws {
        // StringMatch on a missing group fails to evaluate: the Else branch runs.
        let t = try table("""
            Rewrite
                StringMatch "$5" "x"
                SetHeader "X-Branch: then"
            Else
                SetHeader "X-Branch: else"
            End
        """)
        #expect(rewritten(t, request("GET", "/"))?.head.headers.first("X-Branch") == "else")
    }
}
