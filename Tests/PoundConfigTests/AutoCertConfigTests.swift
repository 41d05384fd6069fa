import Testing
@testable import PoundConfig

/// `AutoCert` and its companions in ListenHTTPS (Pounce extensions).
@Suite("AutoCert statements")
struct AutoCertConfigTests {
    private func https(_ body: String) -> String {
        "ListenHTTPS\n\tAddress 127.0.0.1\n\tPort 8443\n" + body + "End\n"
    }

    @Test func aListenerWithAutoCertNeedsNoCertFile() throws {
        let outcome = parse(https("""
            \tAutoCert "example.com" "www.example.com"
            \tAutoCert "api.example.com"
            \tCertificateAuthority "https://acme-staging-v02.api.letsencrypt.org/directory"
            \tContact "mailto:ops@example.com"
            \tStateDirectory "/var/lib/pounce/acme/"
            \tChallenge "tls-alpn-01"

            """))
        #expect(outcome.messages == [])
        let tls = try #require(outcome.config?.listeners.first?.tls)
        #expect(tls.certificates.isEmpty)
        #expect(tls.autoCertificates.map(\.names) == [["example.com", "www.example.com"], ["api.example.com"]])
        #expect(tls.autoCertificates.map(\.position) == [0, 0])
        #expect(tls.acme.directoryURL == ACMESettings.letsEncryptStaging)
        #expect(tls.acme.contact == ["mailto:ops@example.com"])
        #expect(tls.acme.stateDirectory == "/var/lib/pounce/acme")
        #expect(tls.acme.challenge == .tlsALPN01)
    }

    @Test func defaults() throws {
        let tls = try #require(parse(https("\tAutoCert \"example.com\"\n")).config?.listeners.first?.tls)
        #expect(tls.acme.directoryURL == ACMESettings.letsEncrypt)
        #expect(tls.acme.stateDirectory == ACMESettings.defaultStateDirectory)
        #expect(tls.acme.challenge == .tlsALPN01)
        #expect(tls.acme.trustFile == nil)
    }

    @Test func http01IsAnsweredByEveryListenHTTPBeforeItsServices() throws {
        let config = """
            ListenHTTP
            \tAddress 127.0.0.1
            \tPort 8080
            \tService
            \t\tRedirect "https://example.com"
            \tEnd
            End

            """ + https("\tAutoCert \"example.com\"\n\tStateDirectory \"/srv/acme\"\n\tChallenge \"http-01\"\n")
        let outcome = parse(config)
        #expect(outcome.messages == [])
        let http = try #require(outcome.config?.listeners.first)
        #expect(http.acmeChallenges.map(\.directory) == ["/srv/acme/challenges"])
        #expect(http.acmeChallenges.map(\.servicePosition) == [0])
    }

    @Test func errors() {
        let cases: [(String, String)] = [
            (https("\tAutoCert \"*.example.com\"\n"),
             "pound.cfg:4.18-32: AutoCert: *.example.com: wildcard names need the dns-01 challenge, which Pounce does not answer"),
            (https("\tAutoCert \"a..b\"\n"), "pound.cfg:4.18-23: AutoCert: a..b is not a DNS name"),
            (https("\tAutoCert \"../etc\"\n"), "pound.cfg:4.18-25: AutoCert: ../etc is not a DNS name"),
            (https("\tAutoCert\n"), "pound.cfg:4.9-16: AutoCert needs at least one name"),
            (https("\tAutoCert \"a.test\"\n\tAutoCert \"a.test\"\n"), "pound.cfg:5.18-25: AutoCert: a.test is named twice"),
            (https("\tAutoCert \"a.test\"\n\tChallenge \"dns-01\"\n"),
             "pound.cfg:5.19-26: Challenge: expected \"tls-alpn-01\" or \"http-01\" (dns-01 is not answered by Pounce)"),
            (https("\tAutoCert \"a.test\"\n\tCertificateAuthority \"http://ca.test/dir\"\n"),
             "pound.cfg:5.30-49: CertificateAuthority: http://ca.test/dir: not an https URL"),
            (https("\tAutoCert \"a.test\"\n\tContact \"ops@example.com\"\n"),
             "pound.cfg:5.17-33: Contact: ops@example.com: expected a mailto: URL"),
            (https("\tAutoCert \"a.test\"\n\tStateDirectory \"acme\"\n"),
             "pound.cfg:5.24-29: StateDirectory: acme: expected an absolute path"),
            (https("\tAutoCert \"a.test\"\n\tStateDirectory \"/etc/passwd\"\n"),
             "pound.cfg:5.24-36: StateDirectory: /etc/passwd is not a directory"),
            // Nothing is accepted and ignored: the companions need an AutoCert.
            (https("\tContact \"mailto:ops@example.com\"\n"), "pound.cfg:1.11-5.3: Cert statement is missing"),
            (https("\tAutoCert \"a.test\"\n\tChallenge \"http-01\"\n"),
             "pound.cfg:5.19-27: Challenge \"http-01\" needs a ListenHTTP to answer on (the CA connects to port 80)"),
        ]
        for (text, message) in cases {
            let outcome = parse(text)
            #expect(!outcome.succeeded, "\(text)")
            #expect(outcome.messages == [message], "\(text)")
        }
    }

    @Test func companionsWithoutAutoCertAreRefused() {
        let fixture = ConfigFixture()
        fixture.write("cert.pem", "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\n")
        fixture.write("pound.cfg", https("\tCert \"cert.pem\"\n\tStateDirectory \"/srv/acme\"\n"))
        #expect(fixture.load().messages == ["pound.cfg:5.24-34: StateDirectory has no effect without AutoCert"])
    }
}
