import PounceModuleAPI
import Testing
@testable import BuiltinModules

/// The affinity module the registry makes for `type`, as Pounce would get it.
private func affinity(_ type: String, id: String? = "SRV",
                      cookie: CookieAttributes = CookieAttributes()) throws -> any ClientAffinityModule {
    let registry = ModuleRegistry()
    BuiltinModules.register(into: registry)
    guard let make = registry.sessionMaker(type) else { throw TestFailure.noModule(type) }
    return try #require(try make(SessionSettings(type: type, id: id, ttl: 0, cookie: cookie)) as? any ClientAffinityModule)
}

extension ClientAffinityModule {
    /// The tag of a request with these `Cookie` header values, and the edits to it.
    func tag(_ cookies: [String]) -> (String?, [HeaderEdits.Edit]) {
        var edits = HeaderEdits()
        let tag = backendTag(of: TestRequest(fields: cookies.map { (name: "Cookie", value: $0) }), edits: &edits)
        return (tag, edits.edits)
    }

    /// The edits to a response with these `Set-Cookie` values from backend `from`.
    func respond(_ setCookies: [String] = [], from: String, requested: String?) -> [HeaderEdits.Edit] {
        var edits = HeaderEdits()
        respond(to: TestResponse(fields: setCookies.map { (name: "Set-Cookie", value: $0) }),
                from: from, requestedTag: requested, request: TestRequest(), edits: &edits)
        return edits.edits
    }
}

private func cookieHeader(_ values: String...) -> [HeaderEdits.Edit] { [.replace(name: "Cookie", values: values)] }
private func setCookie(_ values: String...) -> [HeaderEdits.Edit] { [.replace(name: "Set-Cookie", values: values)] }

/// CookieInsert and CookiePrefix: tags from requests, the cookie out of what the backend
/// sees, and the cookie (or prefix) on what the client gets.
@Suite struct CookieAffinityTests {
    // MARK: CookieInsert, requests

    @Test func insertTakesTheTagAndRemovesTheCookie() throws {
        let s = try affinity("CookieInsert")
        #expect(s.tag(["a=1; SRV=B; b=2"]) == ("B", cookieHeader("a=1; b=2")))
        #expect(s.tag(["SRV=B; a=1"]) == ("B", cookieHeader("a=1")))
        #expect(s.tag(["a=1; SRV=B"]) == ("B", cookieHeader("a=1")))
        #expect(s.tag(["SRV=x_Y-9"]) == ("x_Y-9", cookieHeader()))  // alone: the header goes
        #expect(s.key(for: TestRequest(fields: [(name: "Cookie", value: "SRV=B")])) == nil)  // no table
    }

    @Test func insertRewritesOnlyTheCookieHeadersThatCarryIt() throws {
        let s = try affinity("CookieInsert")
        // Headers without the cookie pass byte for byte; the order of headers and of the
        // cookies in them is kept; a header left empty is dropped, not sent blank.
        #expect(s.tag(["a=1;b=2", "x=9; SRV=C; y=8", "SRV=C", "q=2"])
                == ("C", cookieHeader("a=1;b=2", "x=9; y=8", "q=2")))
        #expect(s.tag(["SRV=A", "SRV=B"]) == ("A", cookieHeader()))
    }

    @Test func insertToleratesBlanksAndQuotes() throws {
        let s = try affinity("CookieInsert")
        #expect(s.tag(["  a=1 ;SRV = A ;\tb=2"]) == ("A", cookieHeader("a=1; b=2")))
        #expect(s.tag(["a=1;;  ;SRV=A"]) == ("A", cookieHeader("a=1")))  // empty parts dropped
        #expect(s.tag(["SRV=\"A\"; a=1"]) == ("A", cookieHeader("a=1")))  // DQUOTEs not part of the value
        #expect(s.tag(["a=\"q; r\"; SRV=A"]) == ("A", cookieHeader("a=\"q; r\"")))  // ';' splits, even quoted
    }

    @Test func insertMatchesTheExactNameOnly() throws {
        let s = try affinity("CookieInsert")
        // RFC 6265: names are case-sensitive (Pound's COOKIE type is not).
        #expect(s.tag(["srv=A; a=1"]) == (nil, []))
        #expect(s.tag(["XSRV=A; SRVX=B; a=SRV=C"]) == (nil, []))
        #expect(s.tag(["SRV; a=1"]) == (nil, []))   // no '=': not a name=value pair
        #expect(s.tag(["a=1", "b=2"]) == (nil, []))
        #expect(s.tag([]) == (nil, []))
    }

    @Test func insertRemovesImplausibleValuesWithoutTakingThem() throws {
        let s = try affinity("CookieInsert")
        let sixtyFour = String(repeating: "a", count: 64)
        #expect(s.tag(["SRV=\(sixtyFour)"]) == (sixtyFour, cookieHeader()))
        for bad in ["", "a.b", "a b", "A~x", "\"A", "\"\"", "é", String(repeating: "a", count: 65)] {
            #expect(s.tag(["a=1; SRV=\(bad); b=2"]) == (nil, cookieHeader("a=1; b=2")), "\(bad)")
        }
        // The first plausible one names the backend; every copy is removed.
        #expect(s.tag(["SRV=bad.; SRV=B", "SRV=C"]) == ("B", cookieHeader()))
        #expect(s.tag(["SRV=; a=1", "SRV=C"]) == ("C", cookieHeader("a=1")))
    }

    // MARK: CookieInsert, responses

    @Test func insertSetsTheCookieWithEveryAttribute() throws {
        let attributes = CookieAttributes(path: "/app", domain: "example.com", secure: true, httpOnly: true,
                                          sameSite: "Lax", maxAge: 3600, noCache: true)
        let s = try affinity("CookieInsert", cookie: attributes)
        let expected: [HeaderEdits.Edit] = [
            .append(name: "Set-Cookie",
                    value: "SRV=B; Path=/app; Domain=example.com; Max-Age=3600; Secure; HttpOnly; SameSite=Lax"),
            .replace(name: "Cache-Control", values: ["private"]),
        ]
        #expect(s.respond(from: "B", requested: nil) == expected)
        #expect(s.respond(from: "B", requested: "A") == expected)  // A dead or gone: moved to B
        // The backend's own Set-Cookies stay; ours is one more.
        #expect(s.respond(["a=1"], from: "B", requested: nil) == expected)
    }

    @Test func insertWithoutNoCacheLeavesCacheControl() throws {
        let s = try affinity("CookieInsert", cookie: CookieAttributes(path: "/", sameSite: "Strict"))
        #expect(s.respond(from: "k3_x", requested: nil)
                == [.append(name: "Set-Cookie", value: "SRV=k3_x; Path=/; SameSite=Strict")])
        let plain = try affinity("CookieInsert", id: "lb")
        #expect(plain.respond(from: "A", requested: "B") == [.append(name: "Set-Cookie", value: "lb=A")])
    }

    @Test func insertSetsNothingWhenTheClientAlreadyNamesTheBackend() throws {
        let s = try affinity("CookieInsert", cookie: CookieAttributes(path: "/", noCache: true))
        #expect(s.respond(from: "A", requested: "A") == [])
        // Only the backend's own cookie of our name goes (CookieInsertOwnsItsCookieTests).
        #expect(s.respond(["SRV=zzz"], from: "A", requested: "A") == [.replace(name: "Set-Cookie", values: [])])
    }

    // MARK: CookiePrefix, requests

    @Test func prefixTakesTheTagOffTheApplicationsCookie() throws {
        let s = try affinity("CookiePrefix", id: "JSESSIONID")
        #expect(s.tag(["a=1; JSESSIONID=B~abc123; b=2"]) == ("B", cookieHeader("a=1; JSESSIONID=abc123; b=2")))
        // Only the prefix goes: other headers, blanks and separators stay byte for byte.
        #expect(s.tag(["x=1", "y=2;JSESSIONID=A~s1 ;  z=3", "q"])
                == ("A", cookieHeader("x=1", "y=2;JSESSIONID=s1 ;  z=3", "q")))
        #expect(s.tag(["JSESSIONID = A~s"]) == ("A", cookieHeader("JSESSIONID = s")))
        #expect(s.tag(["JSESSIONID=\"A~s\""]) == ("A", cookieHeader("JSESSIONID=\"s\"")))
        #expect(s.tag(["JSESSIONID=A~b~c"]) == ("A", cookieHeader("JSESSIONID=b~c")))  // first '~'
        #expect(s.tag(["JSESSIONID=A~"]) == ("A", cookieHeader("JSESSIONID=")))
        // The first tag names the backend; every tagged copy is stripped.
        #expect(s.tag(["JSESSIONID=A~1; JSESSIONID=B~2"]) == ("A", cookieHeader("JSESSIONID=1; JSESSIONID=2")))
        #expect(s.key(for: TestRequest(fields: [(name: "Cookie", value: "JSESSIONID=A~1")])) == nil)
    }

    @Test func prefixLeavesUntaggedValuesAlone() throws {
        let s = try affinity("CookiePrefix", id: "JSESSIONID")
        #expect(s.tag(["JSESSIONID=abc123"]) == (nil, []))
        #expect(s.tag(["JSESSIONID=~abc"]) == (nil, []))           // empty tag
        #expect(s.tag(["JSESSIONID=a.b~abc"]) == (nil, []))        // not a tag Pounce makes
        #expect(s.tag(["JSESSIONID=\(String(repeating: "a", count: 65))~x"]) == (nil, []))
        #expect(s.tag(["jsessionid=A~abc; other=B~x"]) == (nil, []))  // exact name only
        #expect(s.tag([]) == (nil, []))
        // An untagged copy stays as it is while a tagged one is stripped.
        #expect(s.tag(["JSESSIONID=old; JSESSIONID=B~new"]) == ("B", cookieHeader("JSESSIONID=old; JSESSIONID=new")))
    }

    // MARK: CookiePrefix, responses

    @Test func prefixRewritesTheApplicationsSetCookieOnly() throws {
        let s = try affinity("CookiePrefix", id: "JSESSIONID")
        let response = ["a=1; Path=/", "JSESSIONID=abc; Path=/; Domain=example.com; HttpOnly; Secure; SameSite=Strict",
                        "b=JSESSIONID=x", "JSESSIONID=def;path=/x ;  httponly"]
        #expect(s.respond(response, from: "B", requested: nil) == setCookie(
            "a=1; Path=/", "JSESSIONID=B~abc; Path=/; Domain=example.com; HttpOnly; Secure; SameSite=Strict",
            "b=JSESSIONID=x", "JSESSIONID=B~def;path=/x ;  httponly"))
        // The application may start a new session on any request: prefixed even when the
        // request named this backend already.
        #expect(s.respond(["JSESSIONID=n"], from: "A", requested: "A") == setCookie("JSESSIONID=A~n"))
        #expect(s.respond([" JSESSIONID = v ; Path=/"], from: "A", requested: nil)
                == setCookie(" JSESSIONID = A~v ; Path=/"))
        #expect(s.respond(["JSESSIONID=\"v\"; Path=/"], from: "A", requested: nil)
                == setCookie("JSESSIONID=\"A~v\"; Path=/"))
        #expect(s.respond(["JSESSIONID=; Max-Age=0"], from: "A", requested: nil)
                == setCookie("JSESSIONID=A~; Max-Age=0"))
    }

    @Test func prefixLeavesOtherSetCookiesUnedited() throws {
        let s = try affinity("CookiePrefix", id: "JSESSIONID")
        #expect(s.respond(["jsessionid=abc", "X=1; JSESSIONID=abc", "JSESSIONID", "a=1"], from: "A", requested: nil) == [])
        #expect(s.respond([], from: "A", requested: nil) == [])
    }

    @Test func prefixDoesNotTagTwice() throws {
        let s = try affinity("CookiePrefix", id: "JSESSIONID")
        #expect(s.respond(["JSESSIONID=B~abc; Path=/"], from: "B", requested: nil) == [])
        #expect(s.respond(["JSESSIONID=\"B~abc\""], from: "B", requested: nil) == [])
        // Another backend's tag, or one that merely starts like ours, is the application's value.
        #expect(s.respond(["JSESSIONID=A~abc"], from: "B", requested: nil) == setCookie("JSESSIONID=B~A~abc"))
        #expect(s.respond(["JSESSIONID=Bx~abc"], from: "B", requested: nil) == setCookie("JSESSIONID=B~Bx~abc"))
        #expect(s.respond(["JSESSIONID=B"], from: "B", requested: nil) == setCookie("JSESSIONID=B~B"))
        #expect(s.respond(["JSESSIONID=B~1", "JSESSIONID=2"], from: "B", requested: nil)
                == setCookie("JSESSIONID=B~1", "JSESSIONID=B~2"))
    }

    @Test func prefixRoundTrips() throws {
        let s = try affinity("CookiePrefix", id: "sid")
        for value in ["abc", "a~b", "\"quoted\"", ""] {
            guard case .replace(_, let values)? = s.respond(["sid=\(value); Path=/"], from: "node-7", requested: nil).first,
                  let sent = values.first else {
                Issue.record("no rewrite for \(value)")
                continue
            }
            // What the client sends back (the cookie without its attributes).
            let pair = String(sent.prefix { $0 != ";" })
            #expect(s.tag([pair]) == ("node-7", cookieHeader("sid=\(value)")))
        }
    }

    // MARK: Settings

    @Test func bothNeedAnID() throws {
        for type in ["CookieInsert", "CookiePrefix"] {
            #expect(throws: BuiltinModuleError.sessionIDRequired(type: type)) { try affinity(type, id: nil) }
        }
    }

    @Test func prefixRefusesCookieAttributes() throws {
        let attributes = CookieAttributes(path: "/", secure: true, maxAge: 60, noCache: true)
        let error = BuiltinModuleError.cookieAttributesUnused(type: "CookiePrefix",
                                                              attributes: ["Path", "Secure", "MaxAge", "NoCache"])
        #expect(throws: error) { try affinity("CookiePrefix", cookie: attributes) }
        #expect(error.description
                == "CookiePrefix does not use Path, Secure, MaxAge, NoCache: the application sets its own cookie's attributes")
        let all = CookieAttributes(path: "/", domain: "d", secure: true, httpOnly: true, sameSite: "Lax", maxAge: 1, noCache: true)
        #expect(throws: BuiltinModuleError.cookieAttributesUnused(
            type: "cookieprefix", attributes: ["Path", "Domain", "Secure", "HttpOnly", "SameSite", "MaxAge", "NoCache"])) {
            try affinity("cookieprefix", cookie: all)
        }
        // CookieInsert uses them all.
        #expect(try affinity("CookieInsert", cookie: all) is CookieInsertSessionModule)
    }

    @Test func bothAreRegistered() throws {
        let registry = ModuleRegistry()
        BuiltinModules.register(into: registry)
        #expect(registry.sessionTypeNames.contains("cookieinsert"))
        #expect(registry.sessionTypeNames.contains("cookieprefix"))
        #expect(BuiltinModules.sessionTypeNames.map { $0.lowercased() }.sorted() == registry.sessionTypeNames)
        #expect(try affinity("cookieINSERT") is CookieInsertSessionModule)
        #expect(try affinity("CookiePrefix") is CookiePrefixSessionModule)
    }
}

@Suite struct CookieInsertOwnsItsCookieTests {
    /// HAProxy's insert mode without `preserve`: the backend's own cookie of that name is
    /// dropped, whether or not Pounce sets one.
    @Test func aBackendsCookieOfTheSameNameIsDropped() throws {
        let module = try affinity("CookieInsert")
        let response = TestResponse(fields: [("Set-Cookie", "SRV=backend; Path=/"), ("Set-Cookie", "theme=dark"),
                                             ("Set-Cookie", " SRV =other")])
        var edits = HeaderEdits()
        module.respond(to: response, from: "A", requestedTag: "A", request: TestRequest(), edits: &edits)
        #expect(edits.edits == [.replace(name: "Set-Cookie", values: ["theme=dark"])])
        var fresh = HeaderEdits()
        module.respond(to: response, from: "A", requestedTag: nil, request: TestRequest(), edits: &fresh)
        #expect(fresh.edits == [.replace(name: "Set-Cookie", values: ["theme=dark"]), .append(name: "Set-Cookie", value: "SRV=A")])
        var untouched = HeaderEdits()
        module.respond(to: TestResponse(fields: [("Set-Cookie", "SRVX=1")]), from: "A", requestedTag: "A",
                       request: TestRequest(), edits: &untouched)
        #expect(untouched.isEmpty)
    }
}

@Suite struct CookieInsertNoCacheTests {
    /// NoCache keeps shared caches from storing the cookie, and never weakens what the
    /// application said about caching.
    @Test func theApplicationsCacheControlIsKeptOrTightened() {
        #expect(CookieInsertSessionModule.privateCacheControl([]) == "private")
        #expect(CookieInsertSessionModule.privateCacheControl(["no-store, max-age=0"]) == nil)
        #expect(CookieInsertSessionModule.privateCacheControl(["Private"]) == nil)
        #expect(CookieInsertSessionModule.privateCacheControl(["no-cache=\"Set-Cookie\""]) == nil)
        #expect(CookieInsertSessionModule.privateCacheControl(["public, max-age=60", "s-maxage=600"]) == "max-age=60, private")
    }
}
