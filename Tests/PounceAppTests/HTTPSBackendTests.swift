import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `Backend` with `HTTPS`: pounce as a process, plain HTTP clients, and real TLS
/// backends on 127.0.0.1 — OpenSSL's own `s_server`, and our TLS server handler in
/// this process where keep-alive matters (`s_server -www` closes after each page).
final class HTTPSBackendTests: XCTestCase {
    /// Made once with the openssl CLI: backend.pem (CN backend.test), client.pem
    /// (O=Pounce, CN=proxy-client), mismatch.pem (client certificate, another key).
    private static let certificates = Certificates()

    private struct Certificates {
        let directory = PounceProcess.temporaryDirectory()
        let ready: Bool
        var backend: String { directory + "/backend.pem" }
        var client: String { directory + "/client.pem" }
        var mismatch: String { directory + "/mismatch.pem" }

        init() {
            let req = "openssl req -x509 -newkey rsa:2048 -nodes -days 2"
            let script = """
                cd '\(directory)' && \
                \(req) -keyout backend.key -out backend.crt -subj /CN=backend.test \
                  -addext subjectAltName=DNS:backend.test && \
                cat backend.crt backend.key > backend.pem && \
                \(req) -keyout client.key -out client.crt -subj /O=Pounce/CN=proxy-client && \
                cat client.crt client.key > client.pem && \
                \(req) -keyout other.key -out other.crt -subj /CN=other && \
                cat client.crt other.key > mismatch.pem
                """
            ready = system("(\(script)) >/dev/null 2>&1") == 0
        }
    }

    private func config(backendPort: Int, _ statements: String) -> String {
        """
        Daemon 0
        LogFacility -
        LogLevel 1
        ListenHTTP
            Address 127.0.0.1
            Port {PORT}
            Service
                Backend
                    Address 127.0.0.1
                    Port \(backendPort)
                    HTTPS
        \(statements)
                End
            End
        End
        """
    }

    private func get(_ path: String, on client: TCP, close: Bool = false) throws -> HTTPReply {
        client.send("GET \(path) HTTP/1.1\r\nHost: x\r\n\(close ? "Connection: close\r\n" : "")\r\n")
        guard let reply = client.readResponse() else { throw HarnessError("no response for \(path)") }
        return reply
    }

    /// `openssl s_server -www` on a free port, answering only clients that send
    /// `backend.test` as SNI (any other name is a fatal alert).
    private func startOpenSSLServer() throws -> (Process, Int) {
        let pki = Self.certificates
        let port = FreePort.next()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl", "s_server", "-accept", "127.0.0.1:\(port)", "-www",
                             "-cert", pki.backend, "-servername", "backend.test", "-servername_fatal",
                             "-cert2", pki.backend]
        let log = pki.directory + "/s_server-\(port).log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: log)
        process.standardError = FileHandle(forWritingAtPath: log)
        try process.run()
        addTeardownBlock {
            process.terminate()
            process.waitUntilExit()
        }
        guard TCP.waitUntilAccepting(port: port, timeout: 10) else {
            throw HarnessError("s_server did not start: \(PounceProcess.read(log))")
        }
        return (process, port)
    }

    // MARK: OpenSSL's s_server

    func testRequestReachesOpenSSLServerWithServerNameAndTheNextConnectionResumes() throws {
        try XCTSkipUnless(Self.certificates.ready, "openssl CLI could not make certificates")
        let (_, backendPort) = try startOpenSSLServer()
        let p = try RunningPounce(config: config(backendPort: backendPort, "ServerName \"backend.test\""))

        let first = try get("/", on: TCP(port: p.port), close: true)
        XCTAssertEqual(first.status, 200, p.log)
        // s_server's status page: a full handshake, and the cipher it settled on.
        XCTAssertTrue(first.body.contains("New, TLSv1.3, Cipher is TLS_"), first.body)

        // s_server closed that connection; the new one offers the cached session.
        let second = try get("/", on: TCP(port: p.port), close: true)
        XCTAssertEqual(second.status, 200)
        XCTAssertTrue(second.body.contains("Reused, TLSv1.3, Cipher is TLS_"), second.body)
        XCTAssertEqual(p.stop(), 0)
    }

    func testAServerNameTheBackendRefusesIsAHandshakeFailureAnswered503() throws {
        try XCTSkipUnless(Self.certificates.ready, "openssl CLI could not make certificates")
        let (_, backendPort) = try startOpenSSLServer()
        let p = try RunningPounce(config: config(backendPort: backendPort, "ServerName \"elsewhere.test\""))
        let reply = try get("/", on: TCP(port: p.port), close: true)
        XCTAssertEqual(reply.status, 503)
        XCTAssertTrue(p.waitForLog("127.0.0.1:\(backendPort): handshake with backend failed: "
                                   + "error:0A000458:SSL routines::tlsv1 unrecognized name"), p.log)
        XCTAssertEqual(p.stop(), 0)
    }

    // MARK: our server handler, keep-alive

    func testAKeptAliveClientConnectionReusesOneBackendTLSConnection() throws {
        try XCTSkipUnless(Self.certificates.ready, "openssl CLI could not make certificates")
        let pki = Self.certificates
        // ClientCert 3: asked for and passed on unverified, so it can be shown.
        let backend = try TLSTestBackend(listenerStatements: ["Cert \"\(pki.backend)\"", "ClientCert 3 1"],
                                         directory: pki.directory)
        defer { backend.stop() }
        let p = try RunningPounce(config: config(backendPort: backend.port,
                                                 "Cert \"\(pki.client)\"\nServerName \"backend.test\""))

        let client = try TCP(port: p.port)
        for n in 1...3 {
            let reply = try get("/\(n)", on: client)
            XCTAssertEqual(reply.status, 200, p.log)
            XCTAssertTrue(reply.body.hasPrefix("conn=1 req=\(n) sni=backend.test reused=false "
                                               + "client=O = Pounce, CN = proxy-client "), reply.body)
            // As in Pound, ServerName is also the Host the backend sees.
            XCTAssertTrue(reply.body.contains("host=backend.test\n"), reply.body)
        }
        XCTAssertEqual(backend.connections, 1)
        XCTAssertEqual(backend.handshakes.count, 1)

        // Once the backend closes it, the next connection resumes the session (from
        // whichever event loop the next client lands on: the cache is per backend).
        let last = try get("/close", on: client)
        XCTAssertTrue(last.body.hasPrefix("conn=1 req=4 "), last.body)
        let resumed = try get("/5", on: TCP(port: p.port))
        XCTAssertTrue(resumed.body.hasPrefix("conn=2 req=1 sni=backend.test reused=true "), resumed.body)
        XCTAssertEqual(backend.handshakes.map(\.sessionReused), [false, true])
        XCTAssertEqual(backend.errors, [])
        XCTAssertEqual(p.stop(), 0)
    }

    // MARK: start-up

    func testAClientCertificateWithTheWrongKeyStopsStartUpLikePound() throws {
        try XCTSkipUnless(Self.certificates.ready, "openssl CLI could not make certificates")
        let pki = Self.certificates
        let p = try RunningPounce(config: config(backendPort: 9, "Cert \"\(pki.mismatch)\""), waitForPort: false)
        let deadline = Date().addingTimeInterval(10)
        while p.process.isRunning && Date() < deadline { usleep(20_000) }
        XCTAssertEqual(p.stop(), 1)
        // Pound's words, at the Cert statement's file name.
        XCTAssertTrue(p.log.contains(": \(pki.mismatch): SSL_CTX_use_PrivateKey_file: "
                                     + "error:05800074:x509 certificate routines::key values mismatch"), p.log)
        XCTAssertTrue(p.log.contains("pound.cfg:12."), p.log)
    }
}
