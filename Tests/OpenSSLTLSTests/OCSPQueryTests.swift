import Foundation
import OCSPResponderHarness
import Testing
@testable import OpenSSLTLS

/// OCSP against `openssl ocsp` as the responder, on 127.0.0.1, with a CA and a certificate
/// naming it made here by the `openssl` command; the request is posted with curl.
@Suite("OCSP queries") struct OCSPQueryTests {
    /// The CA ("Test CA", which the tampering below looks for) and www.example.test.
    private static func setup() throws -> OCSPResponderFixture {
        let setup = try OCSPResponderFixture(caName: "Test CA")
        try setup.issue("www.example.test")
        return setup
    }

    /// Posts `request` to `url` with curl (retried while the responder comes up).
    private static func ask(_ request: [UInt8], at url: String, in setup: OCSPResponderFixture) throws -> [UInt8] {
        try Data(request).write(to: URL(fileURLWithPath: setup.directory + "/req.der"))
        for _ in 0..<20 {
            if (try? setup.run(["-s", "-f", "--data-binary", "@req.der", "-H", "Content-Type: application/ocsp-request",
                                "-o", "resp.der", url], executable: "/usr/bin/curl")) != nil {
                return Array(try Data(contentsOf: URL(fileURLWithPath: setup.directory + "/resp.der")))
            }
            usleep(100_000)
        }
        throw CocoaError(.fileReadUnknown)
    }

    @Test func aGoodCertificateThenARevokedOne() throws {
        let setup = try Self.setup()
        let query = try #require(OCSPQuery(chainPEM: try setup.chain("www.example.test")))
        #expect(query.responder == "http://127.0.0.1:\(setup.port)")
        try setup.startResponder(for: "www.example.test", revoked: false)
        let good = try Self.ask(query.request, at: query.responder, in: setup)
        let answer = try #require(query.check(good))
        #expect(answer.status == .good)
        let now = Date().timeIntervalSince1970
        #expect(abs(answer.thisUpdate - now) < 120)
        #expect(abs((answer.nextUpdate ?? 0) - now - 86_400) < 120)
        #expect(answer.response == good)

        // A response changed in transit does not verify: one byte of the signed part (the
        // responder's name, the first "Test CA" in it; the copy of the CA certificate at the
        // end is not what the signature covers).
        var tampered = good
        let name = Array("Test CA".utf8)
        let at = try #require(tampered.indices.first { tampered[$0...].starts(with: name) })
        tampered[at] ^= 0x20
        #expect(query.check(tampered) == nil)
        #expect(query.check([]) == nil)

        try setup.startResponder(for: "www.example.test", revoked: true)
        let revoked = try Self.ask(query.request, at: query.responder, in: setup)
        #expect(query.check(revoked)?.status == .revoked)
    }

    @Test func aCertificateWithoutResponderOrIssuerHasNoQuery() throws {
        let setup = try Self.setup()
        #expect(OCSPQuery(chainPEM: try setup.certificate("www.example.test")) == nil)
        #expect(OCSPQuery(chainPEM: try setup.caCertificate + setup.caCertificate) == nil)
    }
}
