import Foundation
import OCSPResponderHarness
import XCTest

/// OCSP stapling end to end (RFC 6066 §8): a CA and certificates made here with the
/// `openssl` command, `openssl ocsp` as the responder the certificate names, pounce
/// serving the certificate, and `openssl s_client -status` asking for the staple.
final class OCSPStaplingTests: XCTestCase {
    /// A scratch CA, www.example.test naming the responder on a free port, and
    /// plain.example.test naming none.
    private func makePKI() throws -> OCSPResponderFixture {
        let pki = try OCSPResponderFixture(caName: "OCSP Test CA", port: FreePort.next())
        try pki.issue("www.example.test", serial: "1234")
        try pki.issue("plain.example.test", serial: "5678", namesResponder: false)
        return pki
    }

    private func startPounce(certificate: String, backend: TestBackend) throws -> RunningPounce {
        try RunningPounce(config: """
            Daemon 0
            LogFacility -
            ListenHTTPS
                Address 127.0.0.1
                Port {PORT}
                Cert "\(certificate)"
            \(backendService(backend.port))
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

    /// pounce serving www.example.test, its responder answering `status` (good or revoked):
    /// that answer is fetched, logged and stapled.
    private func checkStapled(_ status: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let pki = try makePKI()
        try pki.startResponder(for: "www.example.test", revoked: status == "revoked")
        let backend = try TestBackend(name: "b1")
        let pounce = try startPounce(certificate: pki.pemPath("www.example.test"), backend: backend)
        XCTAssertTrue(pounce.waitForLog("stapling answer (\(status))", timeout: 20), pounce.log, file: file, line: line)
        let out = sClientStatus(port: pounce.port, name: "www.example.test")
        XCTAssertTrue(out.contains("OCSP Response Status: successful"), out, file: file, line: line)
        XCTAssertTrue(out.contains("Cert Status: \(status)"), out, file: file, line: line)
        XCTAssertEqual(pounce.stop(), 0, file: file, line: line)
    }

    func testAGoodAnswerIsStapled() throws {
        try checkStapled("good")
    }

    func testARevokedAnswerIsStapledAsItIs() throws {
        try checkStapled("revoked")
    }

    func testACertificateWithoutResponderGetsNoStaple() throws {
        let pki = try makePKI()
        let backend = try TestBackend(name: "b1")
        let pounce = try startPounce(certificate: pki.pemPath("plain.example.test"), backend: backend)
        let out = sClientStatus(port: pounce.port, name: "plain.example.test")
        XCTAssertTrue(out.contains("OCSP response: no response sent"), out)
        XCTAssertTrue(out.contains("CN = plain.example.test") || out.contains("CN=plain.example.test"), out)
        XCTAssertFalse(pounce.log.contains("ocsp:"), pounce.log)
        XCTAssertEqual(pounce.stop(), 0)
    }
}
