import Foundation
import Testing
@testable import ACME

@Suite("When certificates are renewed")
struct RenewalScheduleTests {
    @Test func twoThirdsOfTheLifetimeOrTheRenewalWindowWhicheverComesFirst() {
        let day = 86_400.0
        #expect(RenewalSchedule.renewalTime(notBefore: 0, notAfter: 90 * day, random: 0.5) == 60 * day)
        #expect(RenewalSchedule.renewalTime(notBefore: 0, notAfter: 6 * day, random: 0.5) == 4 * day)
        // The CA says "renew between days 30 and 32": a point inside it, chosen at random.
        let early = (start: 30 * day, end: 32 * day)
        #expect(RenewalSchedule.renewalTime(notBefore: 0, notAfter: 90 * day, window: early, random: 0) == 30 * day)
        #expect(RenewalSchedule.renewalTime(notBefore: 0, notAfter: 90 * day, window: early, random: 0.5) == 31 * day)
        #expect(RenewalSchedule.renewalTime(notBefore: 0, notAfter: 90 * day, window: early, random: 1) < 32 * day)
        // A window after two thirds does not delay the renewal; an empty one is ignored.
        #expect(RenewalSchedule.renewalTime(notBefore: 0, notAfter: 90 * day, window: (80 * day, 85 * day),
                                            random: 0.5) == 60 * day)
        #expect(RenewalSchedule.renewalTime(notBefore: 0, notAfter: 90 * day, window: (10 * day, 10 * day),
                                            random: 0.5) == 60 * day)
    }

    @Test func failuresBackOffButNotPastTheExpiry() {
        var s = RenewalSchedule()
        var delays: [Double] = []
        for _ in 0..<12 { delays.append(s.failed(now: 1000, notAfter: nil) - 1000) }
        #expect(delays == [60, 120, 240, 480, 960, 1920, 3840, 7680, 15360, 21600, 21600, 21600])
        // Three hours left: the next try comes at the latest an hour before the end.
        #expect(s.failed(now: 0, notAfter: 3 * 3600) == 2 * 3600)
        s.succeeded()
        #expect(s.failures == 0)
        #expect(s.failed(now: 0, notAfter: nil) == 60)
    }
}

@Suite("The ACME state directory")
struct StateDirectoryTests {
    private func scratch() throws -> String {
        let dir = NSTemporaryDirectory() + "acme-state-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    private func mode(_ path: String) throws -> Int {
        ((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions]) as? Int) ?? -1
    }

    @Test func theAccountKeyIsMadeOnceAndKeptPrivate() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let state = try StateDirectory(path: dir + "/acme")
        let first = try state.accountKey()
        #expect(try mode(state.accountKeyPath) == 0o600)
        #expect(try mode(dir + "/acme") == 0o700)
        #expect(try state.accountKey().jwkJSON == first.jwkJSON)
    }

    @Test func aStoredCertificateComesBackWithItsKeyAndDates() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let state = try StateDirectory(path: dir)
        #expect(try state.certificate(for: "www.example.test") == nil)
        let key = try ECKey.generate()
        let chain = try SelfSignedCertificate.pem(names: ["www.example.test", "example.test"], key: key, seconds: 86_400)
        let before = Date().timeIntervalSince1970
        try state.store(chain: chain, key: key, for: "www.example.test")
        let folder = try state.certificateFolder(for: "www.example.test")
        #expect(try mode(folder + "/privkey.pem") == 0o600)
        let loaded = try #require(try state.certificate(for: "www.example.test"))
        #expect(loaded.chain == chain)
        #expect(loaded.key.jwkJSON == key.jwkJSON)
        #expect(loaded.info.names == ["www.example.test", "example.test"])
        #expect(abs(loaded.info.notBefore - before) < 5)
        #expect(abs(loaded.info.notAfter - loaded.info.notBefore - 86_400) < 2)
        for bad in ["../etc", "..", "a..b", "-a.example", "a,b", "", "a:b"] {
            #expect(throws: StateDirectory.Failure.self) { try state.certificateFolder(for: bad) }
        }
        #expect(try state.certificateFolder(for: "*.example.test").hasSuffix("/certificates/_.example.test"))
    }

    @Test func whatIsNotACertificateReadsAsNone() {
        #expect(CertificateInfo(pem: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n") == nil)
        #expect(CertificateInfo(pem: "") == nil)
    }
}
