import Testing
import HTTPWire
@testable import Routing

/// Service selection on realistic requests, one condition kind at a time.
@Suite struct ConditionTests {
    @Test func urlPathQueryAndMethod() throws {
        let t = try routing("""
        ListenHTTP
          Port 8080
          Service "url"
            URL "^/api/v[0-9]+/"
        \(backend(9001))  End
          Service "path"
            Path -decode "^/files/a b$"
        \(backend(9002))  End
          Service "query"
            Query "(^|&)debug=1(&|$)"
        \(backend(9003))  End
          Service "method"
            Method "^(PUT|DELETE)$"
        \(backend(9004))  End
        End
        """)
        #expect(selected(t, request("GET", "/api/v2/users?x=1")) == "url")
        #expect(selected(t, request("GET", "/files/a%20b")) == "path")
        #expect(selected(t, request("GET", "/files/a%20b?q")) == "path")
        #expect(selected(t, request("GET", "/other?debug=1")) == "query")
        #expect(selected(t, request("GET", "/other?debug=10")) == "503")
        #expect(selected(t, request("DELETE", "/other")) == "method")
        #expect(selected(t, request("GET", "/other")) == "503")
    }

    @Test func queryIsAfterTheLastQuestionMark() throws {
        let t = try routing("""
        ListenHTTP
          Service "q"
            Query "^b=2$"
        \(backend(9001))  End
          Service "p"
            Path "^/x\\\\?a=1$"
        \(backend(9002))  End
        End
        """)
        // Pound splits at the last '?': path "/x?a=1", query "b=2".
        #expect(selected(t, request("GET", "/x?a=1?b=2")) == "q")
        var r = request("GET", "/x?a=1?c")
        #expect(t.listeners[0].selectService(&r)?.name == "p")
        // "/path?" has no query at all.
        #expect(RequestURI.query("/path?") == nil)
        #expect(RequestURI.path("?abc") == "?abc")
    }

    @Test func queryParamTakesTheFirstOccurrence() throws {
        let t = try routing("""
        ListenHTTP
          Service "one"
            QueryParam "a" "^1$"
        \(backend(9001))  End
          Service "decoded"
            QueryParam "n" -decode "^x y$"
        \(backend(9002))  End
        End
        """)
        #expect(selected(t, request("GET", "/?a=1&a=2")) == "one")
        #expect(selected(t, request("GET", "/?a=2&a=1")) == "503")
        // The first "a" has no '=': Pound does not look further.
        #expect(selected(t, request("GET", "/?a&a=1")) == "503")
        #expect(selected(t, request("GET", "/?n=x%20y")) == "decoded")
        #expect(selected(t, request("GET", "/?n=x+y")) == "503")
    }

    @Test func headerForms() throws {
        let t = try routing("""
        ListenHTTP
          Service "named"
            Header "X-Tenant" "^acme$"
        \(backend(9001))  End
          Service "line"
            Header "^User-Agent:.*curl"
        \(backend(9002))  End
          Service "require"
            HeadRequire "^X-Debug: on$"
        \(backend(9003))  End
          Service "deny"
            URL "^/deny"
            HeadDeny "^X-Block:"
        \(backend(9004))  End
        End
        """)
        #expect(selected(t, request("GET", "/", headers: [("x-tenant", "ACME")])) == "named")
        // Any of several headers of that name may match.
        #expect(selected(t, request("GET", "/", headers: [("X-Tenant", "other"), ("X-Tenant", "acme")])) == "named")
        #expect(selected(t, request("GET", "/", headers: [("User-Agent", "curl/8.0")])) == "line")
        #expect(selected(t, request("GET", "/", headers: [("X-Debug", "on")])) == "require")
        #expect(selected(t, request("GET", "/deny")) == "deny")
        #expect(selected(t, request("GET", "/deny", headers: [("X-Block", "1")])) == "503")
    }

    @Test func hostComparesTheWholeHeaderCaseInsensitively() throws {
        let t = try routing("""
        ListenHTTP
          Service "example"
            Host "example.com"
        \(backend(9001))  End
        End
        """)
        #expect(selected(t, request("GET", "/", headers: [("Host", "example.com")])) == "example")
        #expect(selected(t, request("GET", "/", headers: [("Host", "EXAMPLE.com")])) == "example")
        // The port is part of the Host header, and Host is an exact match.
        #expect(selected(t, request("GET", "/", headers: [("Host", "example.com:8080")])) == "503")
        #expect(selected(t, request("GET", "/")) == "503")
    }

    @Test func matchGroupsNotAndEmptyGroups() throws {
        let t = try routing("""
        ListenHTTP
          Service "or"
            Match OR
              Host "a.example"
              Host "b.example"
            End
            Not URL "^/private"
        \(backend(9001))  End
          Service "nested"
            Match AND
              URL "^/n"
              Match OR
                Header "X-A" "1"
                Header "X-B" "1"
              End
            End
        \(backend(9002))  End
        End
        """)
        #expect(selected(t, request("GET", "/", headers: [("Host", "b.example")])) == "or")
        #expect(selected(t, request("GET", "/private", headers: [("Host", "b.example")])) == "503")
        #expect(selected(t, request("GET", "/n", headers: [("X-B", "1")])) == "nested")
        #expect(selected(t, request("GET", "/n")) == "503")
        // Pound: an empty OR is true, like an empty AND.
        var r = request("GET", "/")
        #expect(CompiledCondition.any([]).evaluate(&r, .none) == .yes)
        #expect(CompiledCondition.all([]).evaluate(&r, .none) == .yes)
    }

    @Test func aclAndForwardedACL() throws {
        let t = try routing("""
        ACL "office"
          "10.0.0.0/8"
          "2001:db8::/32"
        End
        TrustedIP
          "127.0.0.1"
          "192.168.0.0/16"
        End
        ListenHTTP
          Service "direct"
            URL "^/direct"
            ACL "office"
        \(backend(9001))  End
          Service "forwarded"
            URL "^/fwd"
            ACL -forwarded "office"
        \(backend(9002))  End
          Service "inline"
            URL "^/inline"
            ACL
              "172.16.0.0/12"
            End
        \(backend(9003))  End
        End
        """)
        #expect(selected(t, request("GET", "/direct", client: "10.1.2.3")) == "direct")
        #expect(selected(t, request("GET", "/direct", client: "::ffff:10.1.2.3")) == "direct")
        #expect(selected(t, request("GET", "/direct", client: "2001:db8::5")) == "direct")
        #expect(selected(t, request("GET", "/direct", client: "11.1.2.3")) == "503")
        #expect(selected(t, request("GET", "/inline", client: "172.20.0.1")) == "inline")
        // -forwarded: X-Forwarded-For from the right, skipping trusted proxies.
        let xff = { (v: String) in request("GET", "/fwd", headers: [("X-Forwarded-For", v)], client: "127.0.0.1") }
        #expect(selected(t, xff("10.9.9.9")) == "forwarded")
        #expect(selected(t, xff("10.9.9.9, 192.168.1.1")) == "forwarded")
        // The rightmost untrusted entry is not in the ACL.
        #expect(selected(t, xff("10.9.9.9, 8.8.8.8")) == "503")
        // A non-address entry stops the scan: the peer (127.0.0.1) is used.
        #expect(selected(t, xff("10.9.9.9, bogus")) == "503")
        // Several headers are joined.
        #expect(selected(t, request("GET", "/fwd", headers: [("X-Forwarded-For", "10.1.1.1"),
                                                             ("X-Forwarded-For", "127.0.0.1")],
                                    client: "127.0.0.1")) == "forwarded")
        // A UNIX-socket peer has no address: Pound's ACL check fails (500).
        #expect(selected(t, request("GET", "/direct", client: "unix")) == "500")
    }

    @Test func forwardedWithoutTrustedIPUsesThePeer() throws {
        let t = try routing("""
        ListenHTTP
          Service "fwd"
            ACL -forwarded
              "10.0.0.0/8"
            End
        \(backend(9001))  End
        End
        """)
        #expect(selected(t, request("GET", "/", headers: [("X-Forwarded-For", "10.1.1.1")], client: "127.0.0.1")) == "503")
        #expect(selected(t, request("GET", "/", client: "10.2.2.2")) == "fwd")
    }

    @Test func serviceTrustedIPAndForwardedHeaderOverrideGlobalOnes() throws {
        let t = try routing("""
        ListenHTTP
          ForwardedHeader "X-Real-Chain"
          Service "svc"
            TrustedIP
              "127.0.0.0/8"
            End
            ACL -forwarded
              "10.0.0.0/8"
            End
        \(backend(9001))  End
        End
        """)
        #expect(selected(t, request("GET", "/", headers: [("X-Real-Chain", "10.1.1.1")], client: "127.0.0.1")) == "svc")
        #expect(selected(t, request("GET", "/", headers: [("X-Forwarded-For", "10.1.1.1")], client: "127.0.0.1")) == "503")
    }

    @Test func namedConditionsAreEvaluatedOnce() throws {
        let t = try routing("""
        Condition "limited" OR
          TBF "%[header X-Key]" 1 1
        End
        ListenHTTP
          Service "first"
            URL "^/a"
            Eval "limited"
            Not Eval "limited"
        \(backend(9001))  End
          Service "second"
            Eval "limited"
        \(backend(9002))  End
        End
        """)
        // One token: had the bucket been consulted twice, "second" would not match.
        #expect(selected(t, request("GET", "/a", headers: [("X-Key", "k")])) == "second")
        // A new request evaluates again and finds the bucket empty.
        #expect(selected(t, request("GET", "/b", headers: [("X-Key", "k")])) == "503")
    }

    @Test func matchesInsideNamedConditionsAreNotVisible() throws {
        let t = try routing("""
        Condition "api"
          URL "^/api/(.*)"
        End
        ListenHTTP
          Service "s"
            Host -re "^(.*)\\\\.example$"
            Eval "api"
            StringMatch "$1" "^shop$"
        \(backend(9001))  End
        End
        """)
        #expect(selected(t, request("GET", "/api/x", headers: [("Host", "shop.example")])) == "s")
    }

    @Test func patternFiles() throws {
        let f = Fixture()
        f.write("paths.txt", "# static paths\n^/static/\n\n  ^/assets/  \n")
        f.write("empty.txt", "# nothing\n")
        let t = try routing("""
        ListenHTTP
          Service "listed"
            URL -file "@DIR@/paths.txt"
        \(backend(9001))  End
          Service "empty-file"
            URL "^/e"
            URL -file "@DIR@/empty.txt"
        \(backend(9002))  End
          Service "empty-watched"
            URL "^/w"
            URL -filewatch "@DIR@/empty.txt"
        \(backend(9003))  End
        End
        """, fixture: f)
        #expect(selected(t, request("GET", "/assets/app.js")) == "listed")
        #expect(selected(t, request("GET", "/static/x")) == "listed")
        // Pound: an empty -file list is an OR of nothing (true), an empty watched list false.
        #expect(selected(t, request("GET", "/e")) == "empty-file")
        #expect(selected(t, request("GET", "/w")) == "503")
    }

    @Test func decodeIsNotAppliedToPatternFiles() throws {
        let f = Fixture()
        f.write("p.txt", "^/a b$\n")
        let t = try routing("""
        ListenHTTP
          Service "file"
            Path -decode -file "@DIR@/p.txt"
        \(backend(9001))  End
        End
        """, fixture: f)
        #expect(selected(t, request("GET", "/a%20b")) == "503")
    }

    @Test func stringMatchExpandsTemplates() throws {
        let t = try routing("""
        ListenHTTP
          Service "host-path"
            Host -re "^([a-z]+)\\\\.example\\\\.com$"
            Path "^/(.*)$"
            StringMatch "$1(1)/$1" "^shop/cart$"
        \(backend(9001))  End
          Service "param"
            StringMatch "%[param lang]-%[header X-Country]" "^de-(AT|CH)$"
        \(backend(9002))  End
          Service "broken"
            URL "^/broken"
            StringMatch "$3" ".*"
        \(backend(9003))  End
        End
        """)
        #expect(selected(t, request("GET", "/cart", headers: [("Host", "shop.example.com")])) == "host-path")
        #expect(selected(t, request("GET", "/?lang=de", headers: [("X-Country", "CH")])) == "param")
        var r = request("GET", "/broken")
        #expect(t.listeners[0].select(&r).service == nil)
        #expect(selected(t, request("GET", "/broken")) == "500")
        #expect(r.warnings == ["string_match \"$3\" refers to non-existing group $3"])
    }

    @Test func capturesOfTheChosenServiceStayAvailable() throws {
        let t = try routing("""
        ListenHTTP
          Service "first"
            URL "^/(a)/(.*)"
            Header "X-Never" ".*"
        \(backend(9001))  End
          Service "second"
            Path -tag "p" "^/([^/]+)"
        \(backend(9002))  End
        End
        """)
        var r = request("GET", "/a/rest")
        #expect(t.listeners[0].selectService(&r)?.name == "second")
        // $N is the most recent match (the chosen service's Path), $N(1) the one before
        // it: the failed service's URL match stays in Pound's queue.
        #expect(try Template("$1|$2(1)|$1(p)|${0}").expand(r) == "a|rest|a|/a")
    }

    @Test func basicAuthCondition() throws {
        let f = Fixture()
        f.write("htpasswd", "alice:secret\n# comment\nbob:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=\ncarol:$apr1$saltsalt$LrttParrLPdxvgutaSXWJ0\n")
        let t = try routing("""
        ListenHTTP
          Service "auth"
            BasicAuth "@DIR@/htpasswd"
        \(backend(9001))  End
        End
        """, fixture: f)
        let auth = { (v: String) in request("GET", "/", headers: [("Authorization", v)]) }
        #expect(selected(t, auth("Basic YWxpY2U6c2VjcmV0")) == "auth")             // alice:secret
        #expect(selected(t, auth("basic   Ym9iOnNlY3JldA==")) == "auth")           // bob:secret
        #expect(selected(t, auth("Basic Y2Fyb2w6c2VjcmV0")) == "auth")             // carol:secret
        #expect(selected(t, auth("Basic YWxpY2U6d3Jvbmc=")) == "503")              // alice:wrong
        #expect(selected(t, auth("Bearer abc")) == "503")
        #expect(selected(t, request("GET", "/")) == "503")
        // Pound 4.23 takes "Basic" as five characters: no blank needed.
        #expect(selected(t, auth("BasicYWxpY2U6c2VjcmV0")) == "auth")
        // Never accepted in the quoted form (Pound's check is off by one).
        #expect(selected(t, auth("Basic \"YWxpY2U6c2VjcmV0\"")) == "503")
        // Undecodable or without a colon: Pound answers 500.
        #expect(selected(t, auth("Basic !!!!")) == "500")
        #expect(selected(t, auth("Basic YWxpY2U=")) == "500")
        #expect(selected(t, auth("Basic YWxpY2U6c2VjcmV")) == "500")
    }

    @Test func aClientCertWithoutCertificateIsFalse() throws {
        let c = CompiledCondition.unavailable
        var r = request("GET", "/")
        #expect(c.evaluate(&r, .none) == .no)
    }

    /// A LuaMatch used to be accepted and always false, silently sending requests to
    /// the next service. Now a function no Lua source defines stops the build.
    @Test func aLuaMatchWithoutItsFunctionIsRefused() throws {
        #expect(throws: ScriptFunctionUndefined.self) {
            _ = try routing("""
            ListenHTTP
              Service "lua"
                LuaMatch "f"
            \(backend(9001))  End
              Service "fallback"
            \(backend(9002))  End
            End
            """)
        }
    }

    @Test func disabledServicesAreSkippedAndGlobalsComeLast() throws {
        let t = try routing("""
        ListenHTTP
          Service "off"
            Disabled 1
        \(backend(9001))  End
          Service "own"
            URL "^/own"
        \(backend(9002))  End
        End
        ListenHTTP
          Port 8081
        End
        Service "global"
        \(backend(9003))End
        """)
        #expect(selected(t, request("GET", "/own")) == "own")
        #expect(selected(t, request("GET", "/x")) == "global")
        #expect(selected(t, request("GET", "/own"), listener: 1) == "global")
        // The same instance is shared by all listeners.
        #expect(t.listeners[0].services.last === t.listeners[1].services.last)
        t.listeners[0].services[1].setDisabled(true)
        #expect(selected(t, request("GET", "/own")) == "global")
    }
}

@Suite struct ClientCertificateConditionTests {
    static let pem = """
        -----BEGIN CERTIFICATE-----
        MIIBszCCAVmgAwIBAgIUQUJD
        REVGR0hJSktMTU5PUFFSU1RV
        -----END CERTIFICATE-----
        """

    @Test func identityIsTheBase64BodyWithoutLineBreaks() throws {
        let identity = try #require(CertificateIdentity(pem: Self.pem.utf8))
        #expect(String(decoding: identity.base64, as: UTF8.self) == "MIIBszCCAVmgAwIBAgIUQUJDREVGR0hJSktMTU5PUFFSU1RV")
        // The same certificate with other line lengths and a key after it.
        let rewrapped = "-----BEGIN CERTIFICATE-----\r\nMIIBszCCAVmgAwIBAgIUQUJDREVG\r\nR0hJSktMTU5PUFFSU1RV\r\n-----END CERTIFICATE-----\r\n-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
        #expect(CertificateIdentity(pem: rewrapped.utf8) == identity)
        #expect(CertificateIdentity(pem: "no certificate here".utf8) == nil)
    }

    @Test func conditionMatchesOnlyThatCertificate() throws {
        let fixture = Fixture()
        fixture.write("client.crt", Self.pem)
        let t = try routing("""
        ListenHTTP
            Address 127.0.0.1
            Port 8080
            Service "cert"
                ClientCert "@DIR@/client.crt"
        \(backend(9000))
            End
            Service "other"
        \(backend(9001))
            End
        End
        """, fixture: fixture)
        var r = request("GET", "/")
        #expect(selected(t, r) == "other", "no client certificate")
        r.clientCertificate = CertificateIdentity(pem: Self.pem.utf8)
        #expect(selected(t, r) == "cert")
        r.clientCertificate = CertificateIdentity(pem: "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQUJE\n-----END CERTIFICATE-----\n".utf8)
        #expect(selected(t, r) == "other", "another certificate")
    }
}
