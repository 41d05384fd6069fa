import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// OCSP stapling end to end (RFC 6066 §8): a CA and certificates made here with the
/// `openssl` command, `openssl ocsp` as the responder the certificate names, pounce
/// serving the certificate, and `openssl s_client -status` asking for the staple.
final class OCSPStaplingTests: XCTestCase {
    /// A scratch CA, a certificate naming a responder on `responderPort`, one naming none,
    /// and the responder when started.
    private final class OCSPSetup {
        let dir = PounceProcess.temporaryDirectory()
        let responderPort = FreePort.next()
        private var responder: Process?

        init() throws {
            try openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                         "-subj", "/CN=OCSP Test CA", "-days", "2", "-keyout", "ca.key", "-out", "ca.crt",
                         "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
            try issue(name: "www.example.test", serial: "1234",
                      extensions: "authorityInfoAccess = OCSP;URI:http://127.0.0.1:\(responderPort)\n")
            try issue(name: "plain.example.test", serial: "5678", extensions: "")
        }

        deinit {
            stopResponder()
            _ = PounceProcess.run(["-rf", dir], in: "/", executable: "/bin/rm")
        }

        /// `name`.crt signed by the CA, and `name`.pem as pound.cfg's `Cert` wants it: the
        /// certificate, then its issuer, then the key.
        private func issue(name: String, serial: String, extensions: String) throws {
            try openssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=\(name)",
                         "-keyout", "\(name).key", "-out", "\(name).csr"])
            PounceProcess.write(extensions + "subjectAltName = DNS:\(name)\n", to: "\(dir)/\(name).cnf")
            try openssl(["x509", "-req", "-in", "\(name).csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-set_serial", "0x\(serial)",
                         "-days", "1", "-extfile", "\(name).cnf", "-out", "\(name).crt"])
            let pem = ["\(name).crt", "ca.crt", "\(name).key"].map { PounceProcess.read("\(dir)/\($0)") }.joined()
            PounceProcess.write(pem, to: "\(dir)/\(name).pem")
        }

        @discardableResult
        func openssl(_ arguments: [String]) throws -> String {
            let result = PounceProcess.run(arguments, in: dir, executable: "/usr/bin/openssl")
            guard result.status == 0 else { throw HarnessError("openssl \(arguments.joined(separator: " ")): \(result.stderr)") }
            return result.stdout
        }

        /// `openssl ocsp` answering for www.example.test from a one-line index: valid, or
        /// revoked a minute ago.
        func startResponder(revoked: Bool) throws {
            stopResponder()
            let end = try openssl(["x509", "-in", "www.example.test.crt", "-noout", "-enddate", "-dateopt", "iso_8601"])
            // notAfter=2025-01-02 03:04:05Z → 250102030405Z, the index's format.
            let digits = end.replacingOccurrences(of: "notAfter=", with: "").filter(\.isNumber)
            let expiry = String(digits.dropFirst(2)) + "Z"
            let now = time(nil) - 60
            var tm = tm()
            gmtime_r([now], &tm)
            let revokedAt = String(format: "%02d%02d%02d%02d%02d%02dZ", tm.tm_year % 100, tm.tm_mon + 1, tm.tm_mday,
                                   tm.tm_hour, tm.tm_min, tm.tm_sec)
            let line = revoked ? "R\t\(expiry)\t\(revokedAt)\t1234\tunknown\t/CN=www.example.test\n"
                : "V\t\(expiry)\t\t1234\tunknown\t/CN=www.example.test\n"
            PounceProcess.write(line, to: dir + "/index.txt")
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            p.arguments = ["ocsp", "-index", "index.txt", "-port", String(responderPort), "-rsigner", "ca.crt",
                           "-rkey", "ca.key", "-CA", "ca.crt", "-ndays", "1"]
            p.currentDirectoryURL = URL(fileURLWithPath: dir)
            // Its own words say when it listens: a probing connection would wedge it (it
            // serves one connection at a time and waits for the probe's request).
            let log = dir + "/responder.log"
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            p.standardOutput = FileHandle(forWritingAtPath: log)
            p.standardError = FileHandle(forWritingAtPath: log)
            try p.run()
            responder = p
            let deadline = Date().addingTimeInterval(10)
            while !PounceProcess.read(log).contains("waiting for OCSP client connections") {
                guard Date() < deadline else { throw HarnessError("openssl ocsp did not start: \(PounceProcess.read(log))") }
                usleep(20_000)
            }
        }

        func stopResponder() {
            if let responder, responder.isRunning {
                kill(responder.processIdentifier, SIGKILL)
                responder.waitUntilExit()
            }
            responder = nil
        }
    }

    private func startPounce(certificate: String, backend: TestBackend) throws -> RunningPounce {
        try RunningPounce(config: """
            Daemon 0
            LogFacility -
            ListenHTTPS
                Address 127.0.0.1
                Port {PORT}
                Cert "\(certificate)"
                Service
                    Backend
                        Address 127.0.0.1
                        Port \(backend.port)
                    End
                End
            End
            """)
    }

    /// `openssl s_client -status` asking for `name`: its output (the OCSP part included).
    private func sClientStatus(port: Int, name: String) -> String {
        let dir = PounceProcess.temporaryDirectory()
        let result = PounceProcess.run(["-c", "/usr/bin/openssl s_client -connect 127.0.0.1:\(port) -servername \(name) "
                                        + "-status </dev/null"], in: dir, executable: "/bin/sh")
        return result.stdout
    }

    func testAGoodAnswerIsStapled() throws {
        let setup = try OCSPSetup()
        try setup.startResponder(revoked: false)
        let backend = try TestBackend(name: "b1")
        let pounce = try startPounce(certificate: setup.dir + "/www.example.test.pem", backend: backend)
        XCTAssertTrue(pounce.waitForLog("stapling answer (good)", timeout: 20), pounce.log)
        let out = sClientStatus(port: pounce.port, name: "www.example.test")
        XCTAssertTrue(out.contains("OCSP Response Status: successful"), out)
        XCTAssertTrue(out.contains("Cert Status: good"), out)
        XCTAssertEqual(pounce.stop(), 0)
    }

    func testARevokedAnswerIsStapledAsItIs() throws {
        let setup = try OCSPSetup()
        try setup.startResponder(revoked: true)
        let backend = try TestBackend(name: "b1")
        let pounce = try startPounce(certificate: setup.dir + "/www.example.test.pem", backend: backend)
        XCTAssertTrue(pounce.waitForLog("stapling answer (revoked)", timeout: 20), pounce.log)
        let out = sClientStatus(port: pounce.port, name: "www.example.test")
        XCTAssertTrue(out.contains("OCSP Response Status: successful"), out)
        XCTAssertTrue(out.contains("Cert Status: revoked"), out)
        XCTAssertEqual(pounce.stop(), 0)
    }

    func testACertificateWithoutResponderGetsNoStaple() throws {
        let setup = try OCSPSetup()
        let backend = try TestBackend(name: "b1")
        let pounce = try startPounce(certificate: setup.dir + "/plain.example.test.pem", backend: backend)
        let out = sClientStatus(port: pounce.port, name: "plain.example.test")
        XCTAssertTrue(out.contains("OCSP response: no response sent"), out)
        XCTAssertTrue(out.contains("CN = plain.example.test") || out.contains("CN=plain.example.test"), out)
        XCTAssertFalse(pounce.log.contains("ocsp:"), pounce.log)
        XCTAssertEqual(pounce.stop(), 0)
    }
}
