import XCTest
#if canImport(Glibc)
import Glibc
#endif
@testable import PoundConfig

/// ListenHTTP, ListenHTTPS and Tunnel; every expected message was checked against
/// Pound 4.23 (`pound -c -Wno-dns -Wno-include-dir`).
final class ListenerTests: XCTestCase {
    /// Writes a throwaway key+certificate PEM (as Pound expects them, in one file).
    func makeCert(in fixture: ConfigFixture, name: String = "cert.pem") -> Bool {
        let d = fixture.directory
        let cmd = "cd '\(d)' && openssl req -x509 -newkey rsa:2048 -nodes -keyout k.pem -out c.pem -days 1"
            + " -subj /CN=localhost >/dev/null 2>&1 && cat k.pem c.pem > '\(name)'"
        return system(cmd) == 0
    }

    func testDefaultsAndAddress() throws {
        let c = assertAccepts("ListenHTTP\nEnd\nListenHTTP \"x\"\n\tAddress 127.0.0.1\n\tPort http\nEnd\nListenHTTP\n\tAddress ::1\n\tPort 8080\nEnd\n")
        let ls = try XCTUnwrap(c?.listeners)
        XCTAssertEqual(ls.count, 3)
        XCTAssertEqual(ls[1].name, "x")
        XCTAssertEqual(ls[1].address, .inet(NumericAddress(host: "127.0.0.1", port: 80, family: .ipv4)))
        XCTAssertEqual(ls[2].address, .inet(NumericAddress(host: "::1", port: 8080, family: .ipv6)))
        XCTAssertEqual(ls[0].allowedMethods, .level0)
        XCTAssertEqual(ls[0].rewriteLocation, .enabled)
        XCTAssertEqual(ls[0].clientTimeout, 10)
    }

    func testAddressErrors() {
        assertRejects("ListenHTTP\n\tAddress localhost\nEnd\n",
                      ["pound.cfg:1.10-3.3: bad listener address: Name or service not known"])
        assertRejects("ListenHTTP\n\tAddress \"/tmp/x.sock\"\nEnd\n",
                      ["pound.cfg:1.10-3.3: bad listener address: Name or service not known"])
        assertRejects("ListenHTTP\n\tAddress 127.0.0.1\n\tPort foo\nEnd\n",
                      ["pound.cfg:1.10-4.3: bad listener address: Servname not supported for ai_socktype"])
        assertRejects("ListenHTTP\n\tAddress 127.0.0.1\n\tSocketFrom \"/tmp/s\"\nEnd\n",
                      ["pound.cfg:3.9-18: Duplicate Address or SocketFrom statement"])
        assertRejects("ListenHTTP\n\tPort 80\n\tSocketFrom \"/tmp/s\"\nEnd\n",
                      ["pound.cfg:3.9-18: Duplicate Address or SocketFrom statement"])
        assertRejects("ListenHTTP \"a\"\nEnd\nListenHTTP \"a\"\nEnd\n", ["pound.cfg:3.12-14: listener name is not unique"])
    }

    func testSocketFrom() {
        let c = assertAccepts("ListenHTTP\n\tSocketFrom \"/tmp/s\"\n\tAddress 127.0.0.1\nEnd\n")
        XCTAssertEqual(c?.listeners.first?.address, .socketFrom("/tmp/s"))
    }

    func testXHTTP() {
        for n in 0...3 {
            let c = assertAccepts("ListenHTTP\n\txHTTP \(n)\nEnd\n")
            XCTAssertEqual(c?.listeners.first?.allowedMethods, .level(n))
        }
        // Pound 4.23 rejects xHTTP 4; Pounce accepts the 2.x value with a warning.
        let c = assertAccepts("ListenHTTP\n\txHTTP 4\nEnd\n", warnings: [
            "pound.cfg:2.15: warning: deprecated value, xHTTP 4 is treated as xHTTP 3 with RPC_IN_DATA and RPC_OUT_DATA",
        ])
        XCTAssertEqual(c?.listeners.first?.allowedMethods, .level4)
        XCTAssertTrue(c?.listeners.first?.allowedMethods.methods.contains("RPC_IN_DATA") ?? false)
        assertRejects("ListenHTTP\n\txHTTP 5\nEnd\n", ["pound.cfg:2.15: value out of allowed range (0..3)"])
    }

    func testCheckURL() {
        let c = assertAccepts("ListenHTTP\n\tCheckURL \"/echo/[0-9][^/]*\"\n\tAddress 127.0.0.1\n\tPort 80\nEnd\n")
        XCTAssertNotNil(c?.listeners.first?.checkURL)
        assertAccepts("ListenHTTP\n\tCheckURL -icase \"x\"\nEnd\n")
        assertRejects("ListenHTTP\n\tCheckURL \"/echo/[0-9][^/]*\"\n\tCheckURL \"/echo/foo/*\"\nEnd\n",
                      ["pound.cfg:3.9-16: CheckURL multiple pattern"])
        assertRejects("ListenHTTP\n\tCheckURL \"(x\"\nEnd\n", ["pound.cfg:2.18-21: Unmatched ( or \\("])
    }

    func testErrorFiles() {
        let f = ConfigFixture()
        f.write("err.html", "Err page\n")
        f.write("pound.cfg", "ListenHTTP\n\tErr400 \"err.html\"\n\tErrorFile 405 \"err.html\"\n\tErrorFile 429 \"err.html\"\nEnd\n")
        let o = f.load()
        XCTAssertEqual(o.messages, ["pound.cfg:2.9-14: warning: deprecated statement, use \"ErrorFile 400\" instead"])
        XCTAssertEqual(o.config?.listeners.first?.errorFiles.keys.sorted(), [400, 405, 429])

        f.write("pound.cfg", "ListenHTTP\n\tErrorFile 402 \"err.html\"\nEnd\n")
        XCTAssertEqual(f.load().messages, ["pound.cfg:2.19-21: unsupported status code"])
        f.write("pound.cfg", "ListenHTTP\n\tErrorFile 404 \"missing.html\"\nEnd\n")
        XCTAssertEqual(f.load().messages,
                       ["pound.cfg:2.23-36: can't open \(f.directory)/missing.html: No such file or directory"])
        assertRejects("ListenHTTP\n\tErrorFile \"err.html\"\nEnd\n",
                      ["pound.cfg:2.19-28: expected number, but found quoted string"])
    }

    func testWarnDeprecatedErrorPages() {
        let f = ConfigFixture()
        f.write("errfile.html", "Cryptic Error Text\n")
        var cfg = "ListenHTTP\n\tAddress 127.0.0.1\n\tPort 80\n"
        var expected: [String] = []
        for (i, s) in [400, 401, 403, 404, 413, 414, 500, 501, 503].enumerated() {
            cfg += "\tErr\(s) \"errfile.html\"\n"
            expected.append("pound.cfg:\(i + 4).9-14: warning: deprecated statement, use \"ErrorFile \(s)\" instead")
        }
        f.write("pound.cfg", cfg + "End\n")
        let o = f.load()
        XCTAssertTrue(o.succeeded)
        XCTAssertEqual(o.messages, expected)
    }

    func testLimitsAndFlags() {
        let c = assertAccepts("""
            Client 20
            ListenHTTP
            \tMaxRequest 1000
            \tMaxURI 100000
            \tRewriteLocation 2
            \tRewriteDestination 1
            \tRewriteErrors on
            \tLogLevel 3
            \tForwardedHeader "X-Real-IP"
            \tLineBufferSize 8192
            End

            """)
        let l = c?.listeners.first
        XCTAssertEqual(l?.clientTimeout, 20)
        XCTAssertEqual(l?.maxRequestSize, 1000)
        XCTAssertEqual(l?.maxURILength, 8192)
        XCTAssertEqual(l?.rewriteLocation, .backendOnly)
        XCTAssertEqual(l?.rewriteDestination, true)
        XCTAssertEqual(l?.rewriteErrors, true)
        XCTAssertEqual(l?.logLevel, .number(3))
        XCTAssertEqual(l?.forwardedHeader, "X-Real-IP")
        assertRejects("ListenHTTP\n\tMaxRequest 1x\nEnd\n", ["pound.cfg:2.20-21: expected number, but found literal"])
        assertRejects("ListenHTTP\n\tMaxRequest 99999999999999999999999\nEnd\n", ["pound.cfg:2.20-42: bad long number"])
        assertRejects("ListenHTTP\n\tRewriteLocation 3\nEnd\n", ["pound.cfg:2.25: value out of allowed range (0..2)"])
        assertRejects("ListenHTTP\n\tMaxURI 100000\n\tLineBufferSize 100\nEnd\n",
                      ["pound.cfg:3.24-26: value out of allowed range (>= 4096)"])
        assertRejects("LineBufferSize 100\n", ["pound.cfg:1.16-18: value out of allowed range (>= 4096)"])
    }

    /// `RewriteLocation N [safe|pound]` and `RewriteLocation safe` (a Pounce extension);
    /// the errors without the extension are Pound 4.23's.
    func testRewriteLocationModes() {
        func mode(_ args: String) -> RewriteLocationMode? {
            assertAccepts("ListenHTTP\n\tRewriteLocation \(args)\nEnd\n")?.listeners.first?.rewriteLocation
        }
        XCTAssertEqual(mode("0"), .disabled)
        XCTAssertEqual(mode("1"), .enabled)
        XCTAssertEqual(mode("2"), .backendOnly)
        XCTAssertEqual(mode("1 pound"), .enabled)
        XCTAssertEqual(mode("1 safe"), .safe)
        XCTAssertEqual(mode("1 Safe"), .safe)
        XCTAssertEqual(mode("safe"), .safe)
        XCTAssertEqual(mode("2 safe"), .backendOnly, "mode 2 never touches foreign locations anyway")
        XCTAssertEqual(mode("0 safe"), .disabled)
        XCTAssertEqual(mode("2 pound"), .backendOnly)
        assertRejects("ListenHTTP\n\tRewriteLocation 1 foo\nEnd\n",
                      ["pound.cfg:2.27-29: unrecognized RewriteLocation handling, expected safe or pound"])
        assertRejects("ListenHTTP\n\tRewriteLocation 1 2\nEnd\n", ["pound.cfg:2.27: unexpected number"])
        assertRejects("ListenHTTP\n\tRewriteLocation 1 \"safe\"\nEnd\n", ["pound.cfg:2.27-32: unexpected quoted string"])
        assertRejects("ListenHTTP\n\tRewriteLocation pound\nEnd\n",
                      ["pound.cfg:2.25-29: expected number, but found identifier"])
        assertRejects("ListenHTTP\n\tRewriteLocation\nEnd\n",
                      ["pound.cfg:2.23-3: expected number, but found end of line"])
    }

    func testACME() {
        let c = assertAccepts("ListenHTTP\n\tACME \"/tmp\"\nEnd\n")
        XCTAssertEqual(c?.listeners.first?.acmeChallenges.first?.directory, "/tmp")
        assertRejects("ListenHTTP\n\tACME \"/nonexist\"\nEnd\n",
                      ["pound.cfg:2.14-24: can't stat /nonexist: No such file or directory"])
        assertRejects("ListenHTTP\n\tACME \"/etc/passwd\"\nEnd\n",
                      ["pound.cfg:2.14-26: /etc/passwd is not a directory: Bad file descriptor"])
    }

    func testHTTPSOnlyStatements() {
        assertRejects("ListenHTTP\n\tCert \"/tmp/x.pem\"\nEnd\n", ["pound.cfg:2.9-12: unrecognized keyword"])
        assertRejects("ListenHTTPS\n\tAddress 127.0.0.1\nEnd\n", ["pound.cfg:1.11-3.3: Cert statement is missing"])
        assertRejects("ListenHTTPS\n\tClientCert 1 1\nEnd\n", ["pound.cfg:2.9-18: ClientCert may only be used after Cert"])
        assertRejects("ListenHTTPS\n\tCiphers \"HIGH\"\nEnd\n", ["pound.cfg:2.9-15: Ciphers may only be used after Cert"])
        assertRejects("ListenHTTPS\n\tCAlist \"/tmp/c.pem\"\nEnd\n", ["pound.cfg:2.9-14: CAList may only be used after Cert"])
        assertRejects("ListenHTTPS\n\tVerifyList \"/tmp/c.pem\"\nEnd\n",
                      ["pound.cfg:2.9-18: VerifyList may only be used after Cert"])
        assertRejects("ListenHTTPS\n\tCRLlist \"/tmp/c.pem\"\nEnd\n", ["pound.cfg:2.9-15: CRlist may only be used after Cert"])
        assertRejects("ListenHTTPS\n\tCert \"/dev/null\"\nEnd\n", [
            "pound.cfg:2.14-24: /dev/null: not a regular file or directory",
            "pound.cfg:1.11-3.3: Cert statement is missing",
        ])
        let f = ConfigFixture()
        f.write("pound.cfg", "ListenHTTPS\n\tCert \"nope.pem\"\nEnd\n")
        XCTAssertEqual(f.load().messages, ["pound.cfg:2.14-23: \(f.directory)/nope.pem: stat error: No such file or directory"])
    }

    func testHTTPS() throws {
        let f = ConfigFixture()
        try XCTSkipUnless(makeCert(in: f), "openssl not available")
        f.write("pound.cfg", """
            ListenHTTPS
            \tAddress 127.0.0.1
            \tPort 8443
            \tDisable SSLv3
            \tCert "cert.pem"
            \tDisable TLSv1_1
            \tClientCert 2 3
            \tCiphers "HIGH" -ciphersuites "TLS_AES_128_GCM_SHA256"
            \tSSLHonorCipherOrder 1
            \tSSLAllowClientRenegotiation 1
            \tNoHTTPS11 2
            \tCAlist "c.pem"
            \tVerifyList "c.pem"
            End

            """)
        let o = f.load()
        XCTAssertEqual(o.messages, [])
        let l = try XCTUnwrap(o.config?.listeners.first)
        let tls = try XCTUnwrap(l.tls)
        XCTAssertEqual(l.address, .inet(NumericAddress(host: "127.0.0.1", port: 8443, family: .ipv4)))
        XCTAssertEqual(tls.certificates.map(\.path), ["\(f.directory)/cert.pem"])
        XCTAssertEqual(tls.disabledProtocols, [.sslv2, .sslv3, .tlsv1, .tlsv1_1])
        XCTAssertEqual(tls.clientCertificate, .required(depth: 3))
        XCTAssertEqual(tls.cipherList, "HIGH")
        XCTAssertEqual(tls.cipherSuites, "TLS_AES_128_GCM_SHA256")
        XCTAssertEqual(tls.honorCipherOrder, true)
        XCTAssertEqual(tls.clientRenegotiation, .secureOnly)
        XCTAssertEqual(tls.noHTTPS11, .msieOnly)

        // Default port 443; a directory of certificates.
        mkdir(f.directory + "/certs", 0o755)
        _ = system("cp '\(f.directory)/cert.pem' '\(f.directory)/certs/a.pem'")
        f.write("pound.cfg", "ListenHTTPS\n\tCert \"certs\"\nEnd\n")
        let d = f.load()
        XCTAssertEqual(d.messages, [])
        if case .inet(let a)? = d.config?.listeners.first?.address { XCTAssertEqual(a.port, 443) } else { XCTFail() }
        XCTAssertEqual(d.config?.listeners.first?.tls?.certificates.count, 1)

        let errors: [(String, [String])] = [
            ("\tClientCert 4\n", ["pound.cfg:3.20: value out of allowed range (0..3)"]),
            ("\tClientCert 2\n", ["pound.cfg:3.20-4: expected number, but found end of line"]),
            ("\tDisable TLSv1_3\n", ["pound.cfg:3.17-23: unrecognized protocol name"]),
            ("\tCiphers -foo \"x\"\n", ["pound.cfg:3.17-20: unexpected token: -foo"]),
            ("\tCiphers 12\n", ["pound.cfg:3.17-18: expected cipher list, ciphersuites or newline, but found number"]),
            ("\tSSLAllowClientRenegotiation 3\n", ["pound.cfg:3.37: value out of allowed range (0..2)"]),
            ("\tNoHTTPS11 3\n", ["pound.cfg:3.19: value out of allowed range (0..2)"]),
            ("\tACME \"/tmp\"\n", ["pound.cfg:3.9-12: unrecognized keyword"]),
            ("\tCAlist \"/nonexistent/nope.pem\"\n", [
                "pound.cfg:3.16-38: SSL_load_client_CA_file: error:80000002:system library::No such file or directory",
                "pound.cfg:3.16-38: error:10080002:BIO routines::system lib",
            ]),
            ("\tVerifyList \"/nonexistent/nope.pem\"\n", [
                "pound.cfg:3.20-42: /nonexistent/nope.pem: SSL_CTX_load_verify_locations: error:80000002:system library::No such file or directory",
                "pound.cfg:3.20-42: error:10000080:BIO routines::no such file",
                "pound.cfg:3.20-42: error:05880002:x509 certificate routines::system lib",
            ]),
        ]
        for (line, expected) in errors {
            f.write("pound.cfg", "ListenHTTPS\n\tCert \"cert.pem\"\n" + line + "End\n")
            let r = f.load()
            XCTAssertFalse(r.succeeded, line)
            XCTAssertEqual(r.messages, expected, line)
        }
        f.write("pound.cfg", "ListenHTTPS\n\tCert \"c.pem\"\nEnd\n")
        XCTAssertEqual(f.load().messages, [
            "pound.cfg:2.14-20: \(f.directory)/c.pem: SSL_CTX_use_PrivateKey_file: error:1E08010C:DECODER routines::unsupported",
            "pound.cfg:2.14-20: error:0A080009:SSL routines::PEM lib",
        ])
    }

    func testTunnel() throws {
        let c = assertAccepts("Tunnel \"t\"\n\tAddress 127.0.0.1\n\tPort 9000\n\tBackend\n\tAddress localhost\n\tPort 22\n\tTimeOut 5\n\tConnTO 4\n\tDisabled 1\n\tEnd\nEnd\n")
        let l = try XCTUnwrap(c?.listeners.first)
        guard case .tunnel(let be) = l.kind, case .regular(let server) = be.kind else { return XCTFail("not a tunnel") }
        XCTAssertEqual(server.host, "localhost")
        XCTAssertEqual(server.port, 22)
        XCTAssertEqual(server.timeout, 5)
        XCTAssertEqual(server.connectTimeout, 4)
        XCTAssertTrue(be.disabled)
        XCTAssertEqual(be.priority, 1, "a Tunnel's backend weighs 1, as in Pound")
        if case .inet(let a) = l.address { XCTAssertEqual(a.port, 9000) } else { XCTFail() }
        // Default port for a tunnel is 443, as in Pound.
        let d = assertAccepts("Tunnel\n\tBackend\n\tAddress 127.0.0.1\n\tEnd\nEnd\n")
        if case .inet(let a)? = d?.listeners.first?.address { XCTAssertEqual(a.port, 443) } else { XCTFail() }
    }

    func testTunnelErrors() {
        assertRejects("Tunnel\nEnd\n", ["pound.cfg:1.6-2.3: no backend defined"])
        assertRejects("Tunnel\n\tBackend\n\tEnd\nEnd\n", ["pound.cfg:2.9-3.11: Backend missing Address declaration"])
        assertRejects("Tunnel\n\tBackend\n\tAddress 127.0.0.1\n\tEnd\n\tBackend\n\tEnd\nEnd\n",
                      ["pound.cfg:5.9-15: only one backend is allowed in Tunnel"])
        assertRejects("Tunnel\n\tBackend\n\tAddress \"/tmp/s\"\n\tPort 80\n\tEnd\nEnd\n",
                      ["pound.cfg:2.9-5.11: Port is not applicable to this address family"])
        assertRejects("Tunnel\n\tBackend\n\tAddress \"127.0.0.1\"\n\tPort foo\n\tEnd\nEnd\n",
                      ["pound.cfg:4.14-16: bad port number: Servname not supported for ai_socktype"])
        assertRejects("Tunnel\n\tBackend\n\tAddress \"127.0.0.1\"\n\tPort \"80\"\n\tEnd\nEnd\n",
                      ["pound.cfg:4.14-17: expected port number or service name, but found quoted string"])
        assertRejects("Tunnel\n\txHTTP 1\nEnd\n", ["pound.cfg:2.9-13: unrecognized keyword"])
    }
}
