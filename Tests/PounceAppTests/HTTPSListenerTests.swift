import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `ListenHTTPS` end to end with real OpenSSL clients (`openssl s_client`, `curl`)
/// and the certificates of `certs/make-certs.sh`: SNI, client certificates,
/// protocol and cipher restrictions, ALPN, X-SSL-* headers, and a TLS scanner.
final class HTTPSListenerTests: XCTestCase {
    /// The development PKI, made once for all tests in a scratch directory.
    static let pki: String = {
        var root = "\(#filePath)"
        for _ in 0..<3 { root = String(root[..<(root.lastIndex(of: "/") ?? root.endIndex)]) }
        let dir = PounceProcess.temporaryDirectory()
        let made = PounceProcess.run([root + "/certs/make-certs.sh", dir], in: dir, executable: "/bin/bash")
        precondition(made.status == 0, "make-certs.sh failed: \(made.stderr)")
        return dir
    }()

    private var pki: String { Self.pki }

    private func start(_ tls: String, backend: TestBackend, global: String = "") throws -> RunningPounce {
        try RunningPounce(config: """
            Daemon 0
            LogFacility -
            \(global)
            ListenHTTPS
                Address 127.0.0.1
                Port {PORT}
            \(tls)
                Service
                    Backend
                        Address 127.0.0.1
                        Port \(backend.port)
                    End
                End
            End
            """)
    }

    /// `openssl s_client` with `arguments`, sending one request; its output, or the
    /// failure, as text.
    private func sClient(_ port: Int, _ arguments: [String]) -> PounceProcess.Result {
        let dir = PounceProcess.temporaryDirectory()
        PounceProcess.write("GET /probe HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", to: dir + "/request")
        let args = ["s_client", "-connect", "127.0.0.1:\(port)", "-ign_eof"] + arguments
        let quoted = args.map { "'\($0)'" }.joined(separator: " ")
        return PounceProcess.run(["-c", "/usr/bin/openssl \(quoted) < '\(dir)/request'"], in: dir, executable: "/bin/sh")
    }

    private func curl(_ port: Int, _ path: String = "/", _ extra: [String] = []) -> PounceProcess.Result {
        PounceProcess.run(["-s", "--http1.1", "--max-time", "10", "--cacert", pki + "/ca.crt", "-D", "-"] + extra
                          + ["https://localhost:\(port)\(path)"], in: pki, executable: "/usr/bin/curl")
    }

    func testSNIChoosesTheCertificateByCNOrSubjectAltName() throws {
        let b = try TestBackend(name: "b1")
        let p = try start("Cert \"\(pki)/server.pem\"\nCert \"\(pki)/alt.pem\"", backend: b)
        func subject(_ name: String?) -> String {
            let out = sClient(p.port, name.map { ["-servername", $0] } ?? ["-noservername"]).stdout
            return out.components(separatedBy: "\n").first { $0.hasPrefix("subject=") } ?? "none"
        }
        XCTAssertTrue(subject("alt.localhost").contains("CN=alt.localhost") || subject("alt.localhost").contains("CN = alt.localhost"))
        XCTAssertTrue(subject("www.alt.localhost").contains("alt.localhost"), "wildcard subjectAltName")
        XCTAssertTrue(subject("localhost").hasSuffix("localhost") && !subject("localhost").contains("alt"))
        XCTAssertFalse(subject("unknown.example").contains("alt"), "unknown names get the first certificate")
        XCTAssertFalse(subject(nil).contains("alt"), "no SNI: the first certificate")
        // curl verifies the chain and the name against the dev CA.
        let r = curl(p.port, "/sni", ["--resolve", "x.alt.localhost:\(p.port):127.0.0.1", "https://x.alt.localhost:\(p.port)/sni"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(p.stop(), 0)
    }

    func testRequiredClientCertificate() throws {
        let b = try TestBackend(name: "b1")
        let p = try start("Cert \"\(pki)/server.pem\"\nClientCert 2 3\nVerifyList \"\(pki)/ca.crt\"\nCAlist \"\(pki)/ca.crt\"",
                          backend: b)
        let with = curl(p.port, "/cc", ["--cert", pki + "/client.pem"])
        XCTAssertEqual(with.status, 0, with.stderr)
        XCTAssertTrue(with.stdout.hasPrefix("HTTP/1.1 200"), with.stdout)
        let request = try XCTUnwrap(b.requests.last)
        XCTAssertTrue(request.header("X-SSL-Subject")?.contains("Pounce Dev Client") ?? false, request.head)
        XCTAssertTrue(request.header("X-SSL-Issuer")?.contains("Pounce Dev CA") ?? false, request.head)
        XCTAssertNotNil(request.header("X-SSL-notBefore"))
        XCTAssertNotNil(request.header("X-SSL-notAfter"))
        XCTAssertNotNil(request.header("X-SSL-serial"))
        XCTAssertTrue(request.head.contains("X-SSL-certificate: -----BEGIN CERTIFICATE-----\r\n\t"), "PEM folded over lines")
        XCTAssertTrue(request.header("X-SSL-cipher")?.hasPrefix("TLSv1.3/") ?? false)

        let without = curl(p.port, "/cc")
        XCTAssertNotEqual(without.status, 0, "no certificate, no connection")
        XCTAssertFalse(without.stdout.contains("200"))
        XCTAssertEqual(b.requests.count, 1)
        XCTAssertEqual(p.stop(), 0)
    }

    func testOptionalClientCertificate() throws {
        let b = try TestBackend(name: "b1")
        let p = try start("Cert \"\(pki)/server.pem\"\nClientCert 1 3\nVerifyList \"\(pki)/ca.crt\"", backend: b)
        XCTAssertEqual(curl(p.port, "/anon").status, 0)
        XCTAssertNil(b.requests.last?.header("X-SSL-Subject"))
        XCTAssertEqual(curl(p.port, "/cert", ["--cert", pki + "/client.pem"]).status, 0)
        XCTAssertTrue(b.requests.last?.header("X-SSL-Subject")?.contains("Pounce Dev Client") ?? false)
        XCTAssertEqual(p.stop(), 0)
    }

    func testClientCertConditionSelectsTheServiceForThatCertificate() throws {
        let mine = try TestBackend(name: "mine")
        let others = try TestBackend(name: "others")
        let p = try RunningPounce(config: """
            Daemon 0
            LogFacility -
            ListenHTTPS
                Address 127.0.0.1
                Port {PORT}
                Cert "\(pki)/server.pem"
                ClientCert 1 3
                VerifyList "\(pki)/ca.crt"
                Service
                    ClientCert "\(pki)/client.crt"
                    Backend
                        Address 127.0.0.1
                        Port \(mine.port)
                    End
                End
                Service
                    Backend
                        Address 127.0.0.1
                        Port \(others.port)
                    End
                End
            End
            """)
        let with = curl(p.port, "/", ["--cert", pki + "/client.pem"])
        XCTAssertTrue(with.stdout.contains("x-backend: mine"), with.stdout + with.stderr)
        let without = curl(p.port, "/")
        XCTAssertTrue(without.stdout.contains("x-backend: others"), without.stdout + without.stderr)
        XCTAssertEqual(p.stop(), 0)
    }

    func testUnverifiedClientCertificateIsPassedOn() throws {
        // A self-signed client certificate nobody vouches for: accepted with ClientCert 3.
        let dir = PounceProcess.temporaryDirectory()
        let made = PounceProcess.run(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                                      "-days", "1", "-subj", "/CN=Stranger", "-keyout", "k.pem", "-out", "c.pem"],
                                     in: dir, executable: "/usr/bin/openssl")
        XCTAssertEqual(made.status, 0, made.stderr)
        let b = try TestBackend(name: "b1")
        let p = try start("Cert \"\(pki)/server.pem\"\nClientCert 3 1", backend: b)
        let r = curl(p.port, "/", ["--cert", dir + "/c.pem", "--key", dir + "/k.pem"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(b.requests.last?.header("X-SSL-Subject")?.contains("Stranger") ?? false)
        XCTAssertEqual(p.stop(), 0)
    }

    func testDisabledProtocolsAndWeakCiphersAreRefused() throws {
        let b = try TestBackend(name: "b1")
        let defaults = try start("Cert \"\(pki)/server.pem\"", backend: b)
        XCTAssertTrue(sClient(defaults.port, ["-tls1_2"]).stdout.contains("Protocol  : TLSv1.2")
                      || sClient(defaults.port, ["-tls1_2"]).stdout.contains("TLSv1.2"), "TLS 1.2 is on by default")
        let old = sClient(defaults.port, ["-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"])
        XCTAssertFalse(old.stdout.contains("HTTP/1.1 200"), "TLS 1.1 is refused")
        // A non-forward-secret CBC suite is not in the default list.
        let weak = sClient(defaults.port, ["-tls1_2", "-cipher", "AES128-SHA"])
        XCTAssertFalse(weak.stdout.contains("HTTP/1.1 200"), weak.stdout)
        XCTAssertEqual(defaults.stop(), 0)

        let only13 = try start("Cert \"\(pki)/server.pem\"\nDisable TLSv1_2", backend: b)
        XCTAssertFalse(sClient(only13.port, ["-tls1_2"]).stdout.contains("HTTP/1.1 200"), "Disable TLSv1_2 refuses it")
        XCTAssertTrue(sClient(only13.port, ["-tls1_3"]).stdout.contains("HTTP/1.1 200"))
        XCTAssertEqual(only13.stop(), 0)
    }

    func testTLS13SuitesCanBeRestricted() throws {
        let b = try TestBackend(name: "b1")
        let p = try start("Cert \"\(pki)/server.pem\"\nCiphers -ciphersuites \"TLS_CHACHA20_POLY1305_SHA256\"", backend: b)
        let chacha = sClient(p.port, ["-tls1_3"])
        XCTAssertTrue(chacha.stdout.contains("TLS_CHACHA20_POLY1305_SHA256"), chacha.stdout)
        let aes = sClient(p.port, ["-tls1_3", "-ciphersuites", "TLS_AES_128_GCM_SHA256"])
        XCTAssertFalse(aes.stdout.contains("HTTP/1.1 200"), "no common TLS 1.3 suite")
        XCTAssertTrue(b.requests.last?.header("X-SSL-cipher")?.contains("CHACHA20") ?? false)
        XCTAssertEqual(p.stop(), 0)
    }

    func testALPNAnswersByPreferenceAndNoHTTPS11ClosesAfterEachRequest() throws {
        let b = try TestBackend(name: "b1")
        let p = try start("Cert \"\(pki)/server.pem\"\nNoHTTPS11 1", backend: b)
        // h2 first whatever the client's order; http/1.1 for a client without h2;
        // nothing for one offering neither.
        for (offer, answer) in [("http/1.1,h2", "ALPN protocol: h2"), ("http/1.1", "ALPN protocol: http/1.1"),
                                ("spdy/3", "No ALPN negotiated")] {
            let alpn = sClient(p.port, ["-alpn", offer])
            XCTAssertTrue(alpn.stdout.contains(answer), "\(offer): \(alpn.stdout)")
        }
        let r = curl(p.port, "/one")
        XCTAssertTrue(r.stdout.lowercased().contains("connection: close"), r.stdout)
        XCTAssertEqual(p.stop(), 0)
    }

    /// A response larger than what the client's socket takes at once goes out whole
    /// over HTTP/1.1 and HTTP/2: ciphertext written while encrypting a large body is
    /// flushed too, so the connection becomes writable again and the backend is read
    /// on (it stalled until `TimeOut` and was cut off before).
    func testLargeResponsesAreRelayedWhole() throws {
        let size = 8 << 20
        let b = try TestBackend(name: "big", handler: { _, _ in
            Array("HTTP/1.1 200 OK\r\nContent-Length: \(size)\r\n\r\n".utf8) + [UInt8](repeating: 0x61, count: size)
        })
        let p = try start("Cert \"\(pki)/server.pem\"", backend: b, global: "TimeOut 3")
        for version in ["--http1.1", "--http2"] {
            let r = curl(p.port, "/big", [version, "-o", "/dev/null", "-w", "%{size_download}"])
            XCTAssertEqual(r.status, 0, "\(version): \(r.stderr)")
            XCTAssertTrue(r.stdout.hasSuffix("\(size)"), "\(version): \(r.stdout)")
        }
        XCTAssertEqual(p.stop(), 0)
    }

    /// TLS slowloris: connections that send nothing, half a ClientHello, or a whole
    /// ClientHello and then nothing are closed once `Client` seconds pass (checked
    /// each second), while a normal HTTPS client keeps getting answers; afterwards
    /// pounce has no more descriptors open than before.
    func testStalledHandshakesAreClosedAtTheClientTimeout() throws {
        // A `Success` backend: no pooled backend connection blurs the descriptor count.
        let p = try RunningPounce(config: """
            Daemon 0
            LogFacility -
            LogLevel 5
            Client 2
            Control "pounce.ctl"
            ListenHTTPS
                Address 127.0.0.1
                Port {PORT}
                Cert "\(pki)/server.pem"
                Service
                    Success
                End
            End
            """)
        XCTAssertTrue(curl(p.port, "/warm").stdout.hasPrefix("HTTP/1.1 200"))
        let fds = "/proc/\(p.process.processIdentifier)/fd"
        let baseline = try FileManager.default.contentsOfDirectory(atPath: fds).count

        let hello = try Self.clientHello()
        var stalled: [TCP] = []
        for i in 0..<200 {
            let c = try TCP(port: p.port, timeout: 1)
            switch i % 3 {
            case 0: break                                              // nothing at all
            case 1: c.send(Array(hello.prefix(hello.count / 2)))       // half a ClientHello
            default: c.send(hello)                                     // a ClientHello, then nothing
            }
            stalled.append(c)
        }
        let opened = Date()
        // A normal client is served all along.
        while Date().timeIntervalSince(opened) < 1.5 {
            XCTAssertTrue(curl(p.port, "/during").stdout.hasPrefix("HTTP/1.1 200"))
        }
        // Client 2, swept once a second: all closed within Client + 1 s.
        let wait = 3.2 - Date().timeIntervalSince(opened)
        if wait > 0 { usleep(UInt32(wait * 1_000_000)) }
        let open = stalled.filter { !Self.closedByPeer($0.fd) }.count
        XCTAssertEqual(open, 0, "\(open) of 200 stalled handshakes still open after 3.2 s")
        XCTAssertTrue(curl(p.port, "/after").stdout.hasPrefix("HTTP/1.1 200"))
        // The last curl's own connection may take a moment to close.
        var after = Int.max
        for _ in 0..<40 where after > baseline {
            after = try FileManager.default.contentsOfDirectory(atPath: fds).count
            if after > baseline { usleep(50_000) }
        }
        XCTAssertLessThanOrEqual(after, baseline, "descriptors: \(baseline) before, \(after) after")
        XCTAssertTrue(p.log.contains("TLS handshake not finished in 2 s"), p.log)
        // Counted, and shown by the control interface (the listener after the control socket's).
        let listener = try ControlSocket.request(p.directory + "/pounce.ctl", "GET", "/listener/1")
        let json = try JSONSerialization.jsonObject(with: Data(listener.body.utf8)) as? [String: Any]
        XCTAssertEqual(json?["tls_handshake_timeouts"] as? Int, 200, listener.body)
        XCTAssertEqual(p.stop(), 0)
    }

    /// Whether the peer closed `fd`: EOF or a reset once what it sent is read.
    private static func closedByPeer(_ fd: Int32) -> Bool {
        var buf = [UInt8](repeating: 0, count: 16384)
        while true {
            let n = recv(fd, &buf, buf.count, Int32(MSG_DONTWAIT))
            if n > 0 { continue }
            return n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)
        }
    }

    /// A real TLS ClientHello, as Python's ssl module (OpenSSL) writes it.
    private static func clientHello() throws -> [UInt8] {
        let script = """
            import ssl
            c = ssl.create_default_context(); c.check_hostname = False; c.verify_mode = ssl.CERT_NONE
            i, o = ssl.MemoryBIO(), ssl.MemoryBIO()
            s = c.wrap_bio(i, o, server_hostname="localhost")
            try: s.do_handshake()
            except ssl.SSLWantReadError: pass
            print(o.read().hex())
            """
        let r = PounceProcess.run(["-c", script], in: "/tmp", executable: "/usr/bin/python3")
        let hex = Array(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines).utf8)
        guard r.status == 0, hex.count > 100, hex.count % 2 == 0 else {
            throw HarnessError("no ClientHello from python3: \(r.stderr)")
        }
        return stride(from: 0, to: hex.count, by: 2).compactMap { UInt8(String(decoding: hex[$0..<$0 + 2], as: UTF8.self), radix: 16) }
    }

    func testABadCertificateFileIsAConfigurationError() throws {
        let dir = PounceProcess.temporaryDirectory()
        PounceProcess.write("not a certificate\n", to: dir + "/bad.pem")
        PounceProcess.write("""
            ListenHTTPS
                Address 127.0.0.1
                Port 8443
                Cert "bad.pem"
                Service
                    Backend
                        Address 127.0.0.1
                        Port 8081
                    End
                End
            End
            """, to: dir + "/pound.cfg")
        let r = PounceProcess.run(["-c", "-Wno-dns", "-Wno-include-dir", "-f", "pound.cfg"], in: dir)
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("pound.cfg:4."), r.stderr)
        XCTAssertTrue(r.stderr.contains("bad.pem"), r.stderr)
    }

    /// A TLS scanner against a default `ListenHTTPS`: no SSLv3/TLS 1.0/1.1, no weak
    /// suites, no insecure renegotiation, no compression. sslyze comes from PyPI
    /// (`.ci/run` installs it); without it the test is skipped, not passed.
    func testSSLyzeFindsNothingWeakInTheDefaults() throws {
        let which = PounceProcess.run(["-c", "python3 -c 'import sslyze'"], in: "/", executable: "/bin/sh")
        try XCTSkipIf(which.status != 0, "sslyze is not installed (pip install sslyze)")
        let b = try TestBackend(name: "b1")
        let p = try start("Cert \"\(pki)/server.pem\"", backend: b)
        let out = PounceProcess.temporaryDirectory() + "/sslyze.json"
        let scan = PounceProcess.run(["-c", "python3 -m sslyze --quiet --json_out '\(out)' --sslv2 --sslv3 --tlsv1 --tlsv1_1 --tlsv1_2 --tlsv1_3 --reneg --compression 127.0.0.1:\(p.port)"],
                                     in: "/", executable: "/bin/sh")
        XCTAssertEqual(p.stop(), 0)
        let data = try XCTUnwrap(FileManager.default.contents(atPath: out), scan.stderr + scan.stdout)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let results = try XCTUnwrap((json["server_scan_results"] as? [[String: Any]])?.first)
        let commands = try XCTUnwrap(results["scan_result"] as? [String: Any], "\(results)")
        func accepted(_ name: String) -> [String] {
            let r = (commands[name] as? [String: Any])?["result"] as? [String: Any]
            return (r?["accepted_cipher_suites"] as? [[String: Any]] ?? []).compactMap {
                ($0["cipher_suite"] as? [String: Any])?["name"] as? String
            }
        }
        for old in ["ssl_2_0_cipher_suites", "ssl_3_0_cipher_suites", "tls_1_0_cipher_suites", "tls_1_1_cipher_suites"] {
            XCTAssertEqual(accepted(old), [], "\(old) accepted")
        }
        let tls12 = accepted("tls_1_2_cipher_suites")
        XCTAssertFalse(tls12.isEmpty)
        for suite in tls12 {
            XCTAssertTrue(suite.contains("ECDHE") || suite.contains("DHE"), "\(suite) is not forward secret")
            XCTAssertTrue(suite.contains("GCM") || suite.contains("CHACHA20"), "\(suite) is not AEAD")
        }
        XCTAssertFalse(accepted("tls_1_3_cipher_suites").isEmpty)
        let reneg = (commands["session_renegotiation"] as? [String: Any])?["result"] as? [String: Any]
        XCTAssertEqual(reneg?["is_vulnerable_to_client_renegotiation_dos"] as? Bool, false, "\(String(describing: reneg))")
        XCTAssertEqual(reneg?["supports_secure_renegotiation"] as? Bool, true)
        let compression = (commands["tls_compression"] as? [String: Any])?["result"] as? [String: Any]
        XCTAssertEqual(compression?["supports_compression"] as? Bool, false)
    }
}
