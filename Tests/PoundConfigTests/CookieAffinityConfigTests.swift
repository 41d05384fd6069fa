import Testing
@testable import PoundConfig

/// The client-affinity statements (Pounce extensions): the `Session` block's cookie
/// attributes and `Secret`, and a backend's `CookieValue`.
@Suite("Cookie affinity statements")
struct CookieAffinityConfigTests {
    private func service(session: String, backends: String = "\tBackend\n\t\tAddress 10.0.0.1\n\t\tPort 80\n\tEnd\n") -> String {
        "Service\n\tSession\n" + session + "\tEnd\n" + backends + "End\n"
    }

    @Test func cookieInsertWithEveryAttribute() throws {
        let outcome = parse(service(session: """
            \t\tType "CookieInsert"
            \t\tID "SRV"
            \t\tPath "/"
            \t\tDomain "example.com"
            \t\tSecure
            \t\tHttpOnly
            \t\tSameSite "lax"
            \t\tMaxAge 3600
            \t\tNoCache
            \t\tSecret "s3cret"

            """, backends: "\tBackend\n\t\tAddress 10.0.0.1\n\t\tPort 80\n\t\tCookieValue \"a\"\n\tEnd\n"
                + "\tBackend\n\t\tAddress 10.0.0.2\n\t\tPort 80\n\tEnd\n"))
        #expect(outcome.messages == [])
        let service = try #require(outcome.config?.services.first)
        let session = try #require(service.session)
        #expect(session.type == .module("CookieInsert"))
        #expect(session.ttl == 0)
        #expect(session.cookie.path == "/" && session.cookie.domain == "example.com")
        #expect(session.cookie.secure && session.cookie.httpOnly && session.cookie.noCache)
        #expect(session.cookie.sameSite == "Lax" && session.cookie.maxAge == 3600 && session.cookie.secret == "s3cret")
        guard case .regular(let first) = service.backends.normal[0].kind else { Issue.record("not a server"); return }
        #expect(first.cookieValue == "a")
    }

    @Test func errors() {
        let cases: [(String, String)] = [
            // Pound's own types keep a table and set no cookie.
            (service(session: "\t\tType COOKIE\n\t\tTTL 300\n\t\tID \"S\"\n\t\tPath \"/\"\n"),
             "pound.cfg:6.17-20: Path: this session type sets no cookie (the cookie statements are for client-affinity types such as \"CookieInsert\")"),
            (service(session: "\t\tType \"CookieInsert\"\n\t\tTTL 300\n\t\tID \"S\"\n"),
             "pound.cfg:4.17-19: TTL: this session type keeps no sessions (MaxAge sets its cookie's lifetime)"),
            (service(session: "\t\tType \"CookiePrefix\"\n"), "pound.cfg:4.9-11: Session ID not defined"),
            (service(session: "\t\tType \"CookieInsert\"\n\t\tID \"S\"\n\t\tSameSite \"None\"\n"),
             "pound.cfg:5.17-24: SameSite \"None\" needs Secure (browsers refuse the cookie without it)"),
            (service(session: "\t\tType \"CookieInsert\"\n\t\tID \"S\"\n\t\tSameSite \"sometimes\"\n"),
             "pound.cfg:5.26-36: SameSite: expected \"Strict\", \"Lax\" or \"None\""),
            (service(session: "\t\tType \"CookieInsert\"\n\t\tID \"S\"\n\t\tPath \"a; b\"\n"),
             "pound.cfg:5.22-27: Path: expected a path"),
            (service(session: "\t\tType \"CookieInsert\"\n\t\tID \"S\"\n",
                     backends: "\tBackend\n\t\tAddress 10.0.0.1\n\t\tCookieValue \"a~b\"\n\tEnd\n"),
             "pound.cfg:8.29-33: CookieValue: expected 1 to 64 letters, digits, '-' or '_'"),
            (service(session: "\t\tType \"CookieInsert\"\n\t\tID \"S\"\n",
                     backends: "\tBackend\n\t\tAddress 10.0.0.1\n\t\tCookieValue \"a\"\n\tEnd\n"
                        + "\tBackend\n\t\tAddress 10.0.0.2\n\t\tCookieValue \"a\"\n\tEnd\n"),
             "pound.cfg:10.9-13.11: CookieValue \"a\" is used by another backend of this service"),
            (service(session: "\t\tType IP\n\t\tTTL 300\n",
                     backends: "\tBackend\n\t\tAddress 10.0.0.1\n\t\tCookieValue \"a\"\n\tEnd\n"),
             "pound.cfg:6.9-9.11: CookieValue needs a client-affinity Session in its service (Type \"CookieInsert\" or \"CookiePrefix\")"),
        ]
        for (text, message) in cases {
            let outcome = parse(text)
            #expect(!outcome.succeeded, "\(text)")
            #expect(outcome.messages == [message], "\(text)")
        }
    }
}
