import COpenSSL
import Foundation
import PoundConfig
import Synchronization
import Testing
@testable import OpenSSLTLS

/// `AutoCert` in the TLS layer: a slot's certificate replaced while connections run, and
/// tls-alpn-01 answered in the handshake (RFC 8737), with real OpenSSL on both sides.
@Suite("AutoCert contexts")
struct AutomaticCertificateTests {
    let pki = TestPKI.shared

    /// Stands in for the ACME manager: serves a fixed first certificate, keeps the slot.
    final class FixedCertificates: AutomaticCertificates, @unchecked Sendable {
        let initial: CertificatePEM
        let alpnChallenges = ALPNChallenges()
        var slots: [CertificateSlot] = []
        var statuses: [ManagedCertificateStatus] { [] }

        init(_ initial: CertificatePEM) { self.initial = initial }

        func initialCertificate(for certificate: AutoCertificate, settings: ACMESettings) throws(TLSContextError)
            -> CertificatePEM { initial }

        func serve(_ certificate: AutoCertificate, settings: ACMESettings, in slot: CertificateSlot) {
            slots.append(slot)
        }
    }

    private func pem(_ path: String) throws -> CertificatePEM {
        // One file holds the certificate and the key: each reader takes its own block.
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return CertificatePEM(chain: text, key: text)
    }

    private func settings(challenge: ACMEChallengeType = .tlsALPN01) -> TLSSettings {
        var settings = TLSSettings()
        settings.autoCertificates = [AutoCertificate(names: ["auto.test"], range: .unset, position: 0)]
        settings.acme.challenge = challenge
        return settings
    }

    private func peerName(_ client: TLSTestClient) -> String? {
        guard let x509 = SSL_get1_peer_certificate(client.ssl) else { return nil }
        defer { X509_free(x509) }
        return CertificateText.commonNames(of: x509).first
    }

    private func alpn(_ client: TLSTestClient) -> String? {
        var data: UnsafePointer<UInt8>?
        var length: UInt32 = 0
        SSL_get0_alpn_selected(client.ssl, &data, &length)
        guard let data, length > 0 else { return nil }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(length)), as: UTF8.self)
    }

    @Test func aNewCertificateServesNewHandshakesWhileOldConnectionsGoOn() throws {
        try #require(pki.ready)
        let provider = FixedCertificates(try pem(pki.defaultCert))
        let context = try TLSServerContext(settings: settings(), automatic: provider)
        #expect(context.certificateNames == [["auto.test"]])
        let slot = try #require(provider.slots.first)

        let before = try ServerHarness(context)
        let early = TLSTestClient()
        #expect(try before.handshake(early))
        #expect(peerName(early) == "default.test")

        try slot.install(try pem(pki.secondCert))
        let after = try ServerHarness(context)
        let late = TLSTestClient()
        #expect(try after.handshake(late))
        #expect(peerName(late) == "second.test")

        // The connection made before the swap still carries data both ways.
        try before.send(Array("still here".utf8), from: early)
        #expect(before.recorder.plaintext == Array("still here".utf8))
        try before.reply(Array("yes".utf8), to: early)
        early.readAvailable()
        #expect(early.received == Array("yes".utf8))
        #expect(before.reportedErrors.isEmpty && after.reportedErrors.isEmpty)
    }

    @Test func aBrokenCertificateIsRefusedAndTheOldOneStays() throws {
        try #require(pki.ready)
        let provider = FixedCertificates(try pem(pki.defaultCert))
        let context = try TLSServerContext(settings: settings(), automatic: provider)
        let slot = try #require(provider.slots.first)
        #expect(throws: TLSContextError.self) {
            try slot.install(CertificatePEM(chain: "not a certificate", key: "nor a key"))
        }
        // A certificate with another certificate's key.
        let mismatched = CertificatePEM(chain: try pem(pki.defaultCert).chain,
                                        key: try String(contentsOfFile: pki.directory + "/second.key", encoding: .utf8))
        #expect(throws: TLSContextError.self) { try slot.install(mismatched) }
        let harness = try ServerHarness(context)
        let client = TLSTestClient()
        #expect(try harness.handshake(client))
        #expect(peerName(client) == "default.test")
    }

    @Test func tlsALPN01IsAnsweredOnlyToAcmeTLSForThePublishedName() throws {
        try #require(pki.ready)
        let provider = FixedCertificates(try pem(pki.defaultCert))
        let context = try TLSServerContext(settings: settings(), automatic: provider)
        try provider.alpnChallenges.publish(name: "auto.test", certificate: try pem(pki.secondCert))

        func handshake(name: String?, alpn protocols: [String]) throws -> TLSTestClient {
            var options = TLSTestClient.Options()
            options.serverName = name
            options.alpn = protocols
            let client = TLSTestClient(options)
            let harness = try ServerHarness(context)
            #expect(try harness.handshake(client))
            return client
        }
        let validation = try handshake(name: "AUTO.test", alpn: ["acme-tls/1"])
        #expect(peerName(validation) == "second.test")
        #expect(alpn(validation) == "acme-tls/1")
        // Ordinary clients, and validations of names not being validated, get the listener's.
        let browser = try handshake(name: "auto.test", alpn: ["h2", "http/1.1"])
        #expect(peerName(browser) == "default.test")
        #expect(alpn(browser) == "http/1.1")
        #expect(peerName(try handshake(name: "other.test", alpn: ["acme-tls/1"])) == "default.test")

        provider.alpnChallenges.withdraw(name: "auto.test")
        #expect(provider.alpnChallenges.isEmpty)
        #expect(peerName(try handshake(name: "auto.test", alpn: ["acme-tls/1"])) == "default.test")
    }

    @Test func withHTTP01TheHandshakeIsNeverSwitched() throws {
        try #require(pki.ready)
        let provider = FixedCertificates(try pem(pki.defaultCert))
        let context = try TLSServerContext(settings: settings(challenge: .http01), automatic: provider)
        try provider.alpnChallenges.publish(name: "auto.test", certificate: try pem(pki.secondCert))
        var options = TLSTestClient.Options()
        options.serverName = "auto.test"
        options.alpn = ["acme-tls/1"]
        let client = TLSTestClient(options)
        #expect(try ServerHarness(context).handshake(client))
        #expect(peerName(client) == "default.test")
    }

    @Test func withoutAManagerAutoCertIsAnError() {
        #expect(throws: TLSContextError.self) { try TLSServerContext(settings: settings()) }
    }

    @Test func serverNameExtensionsAreReadWithinTheirBounds() {
        func name(_ bytes: [UInt8]) -> String? {
            bytes.withUnsafeBufferPointer { ALPNChallenges.hostName(inServerNameExtension: $0) }
        }
        #expect(name([0, 8, 0, 0, 5] + Array("a.com".utf8)) == "a.com")
        #expect(name([0, 8, 0, 0, 9] + Array("a.com".utf8)) == nil)
        #expect(name([0, 200, 0, 0, 5] + Array("a.com".utf8)) == "a.com")
        #expect(name([0]) == nil)
        #expect(name([]) == nil)
        func acme(_ bytes: [UInt8]) -> Range<Int>? {
            bytes.withUnsafeBufferPointer { ALPNChallenges.acmeProtocol(in: $0) }
        }
        #expect(acme([2] + Array("h2".utf8) + [10] + Array("acme-tls/1".utf8)) == 4..<14)
        #expect(acme([10] + Array("acme-tls/".utf8)) == nil)
        #expect(acme([2] + Array("h2".utf8)) == nil)
    }
}

extension AutomaticCertificateTests {
    /// The chain after the leaf goes out with it, in every handshake, from the first
    /// certificate and from every installed one.
    @Test func theChainIsServedWithTheLeaf() throws {
        try #require(pki.ready)
        let chain = try String(contentsOfFile: pki.directory + "/client.crt", encoding: .utf8)
            + String(contentsOfFile: pki.caFile, encoding: .utf8)
        let pem = CertificatePEM(chain: chain, key: try String(contentsOfFile: pki.directory + "/client.key", encoding: .utf8))
        let provider = FixedCertificates(pem)
        let context = try TLSServerContext(settings: settings(), automatic: provider)
        let slot = try #require(provider.slots.first)
        for round in 0..<20 {
            if round % 5 == 4 { try slot.install(pem) }
            let client = TLSTestClient()
            #expect(try ServerHarness(context).handshake(client))
            let sent = SSL_get_peer_cert_chain(client.ssl).map { Int(OPENSSL_sk_num($0)) } ?? 0
            #expect(sent == 2, "round \(round): \(sent) certificates sent")
        }
    }
}
