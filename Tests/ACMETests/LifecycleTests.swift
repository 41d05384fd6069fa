import Foundation
import PoundConfig
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

@Suite("Automatic HTTPS bookkeeping")
struct AutomaticBookkeepingTests {
    @Test func shortLivedCertificatesAreRetriedSooner() {
        var s = RenewalSchedule()
        // A 30-second certificate: a twentieth of it, then doubling.
        #expect(s.failed(now: 0, notAfter: nil, lifetime: 30) == 1.5)
        #expect(s.failed(now: 0, notAfter: nil, lifetime: 30) == 3)
        var long = RenewalSchedule()
        #expect(long.failed(now: 0, notAfter: nil, lifetime: 90 * 86_400) == 60)
        var tiny = RenewalSchedule()
        #expect(tiny.failed(now: 0, notAfter: nil, lifetime: 4) == 1)
    }

    /// RFC 9773 §4.1's example: keyIdentifier 69:88:5B:6B:87:46:40:41:E1:B3:7B:84:7B:A0:AE:2C:DE:01:C8:D4,
    /// serial 0x87654321 (DER content 00 87 65 43 21).
    @Test func theRenewalIdentifierIsTheRFCs() {
        let keyID: [UInt8] = [0x69, 0x88, 0x5B, 0x6B, 0x87, 0x46, 0x40, 0x41, 0xE1, 0xB3, 0x7B, 0x84, 0x7B, 0xA0, 0xAE, 0x2C,
                              0xDE, 0x01, 0xC8, 0xD4]
        #expect(CertificateInfo.renewalIdentifier(authorityKeyIdentifier: keyID, serialMagnitude: [0x87, 0x65, 0x43, 0x21])
                == "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE")
        #expect(CertificateInfo.renewalIdentifier(authorityKeyIdentifier: [1], serialMagnitude: [0x12]) == "AQ.Eg")
        // A self-signed certificate has no authority key identifier to name.
        let key = try? ECKey.generate()
        let pem = key.flatMap { try? SelfSignedCertificate.pem(names: ["a.test"], key: $0) } ?? ""
        #expect(CertificateInfo(pem: pem)?.renewalIdentifier == nil)
    }

    @Test func challengeTokensAreFilesOnlyWhenTheyAreBase64URL() throws {
        let dir = NSTemporaryDirectory() + "acme-challenges-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Missing parents are made too (/var/lib/pounce/acme on a fresh host).
        let state = try StateDirectory(path: dir + "/lib/pounce/acme")
        try state.writeChallenge(token: "abc_DEF-123", keyAuthorization: "abc_DEF-123.thumb")
        #expect(try String(contentsOfFile: state.challengeFolder + "/abc_DEF-123", encoding: .utf8) == "abc_DEF-123.thumb")
        for bad in ["../account.key", "a/b", "", "a.b"] {
            #expect(throws: StateDirectory.Failure.self) { try state.writeChallenge(token: bad, keyAuthorization: "x") }
        }
        state.removeChallenge(token: "abc_DEF-123")
        #expect(!FileManager.default.fileExists(atPath: state.challengeFolder + "/abc_DEF-123"))
    }

    @Test func theManagerServesWhatIsStoredOrAPlaceholder() throws {
        let dir = NSTemporaryDirectory() + "acme-manager-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var settings = ACMESettings()
        settings.stateDirectory = dir
        let lines = LogLines()
        let manager = CertificateManager(log: { lines.append($0) })
        let fresh = AutoCertificate(names: ["new.test"], range: .unset, position: 0)
        let placeholder = try manager.initialCertificate(for: fresh, settings: settings)
        #expect(CertificateInfo(pem: placeholder.chain)?.names == ["new.test"])
        #expect(manager.statuses.map(\.state) == [.placeholder])

        let state = try StateDirectory(path: dir)
        let key = try ECKey.generate()
        let stored = try SelfSignedCertificate.pem(names: ["kept.test", "www.kept.test"], key: key, seconds: 3600)
        try state.store(chain: stored, key: key, for: "kept.test")
        let kept = AutoCertificate(names: ["kept.test", "www.kept.test"], range: .unset, position: 0)
        #expect(try manager.initialCertificate(for: kept, settings: settings).chain == stored)
        // A stored certificate that lacks a name now configured is not served.
        let grown = AutoCertificate(names: ["kept.test", "api.kept.test"], range: .unset, position: 0)
        var other = settings
        other.directoryURL = "https://other.test/dir"
        #expect(try manager.initialCertificate(for: grown, settings: other).chain != stored)
        #expect(lines.all.contains { $0.hasPrefix("acme: kept.test: loaded from \(dir), valid until ") })
        #expect(lines.all.filter { $0.contains("serving a self-signed placeholder") }.count == 2)
        let status = try #require(manager.statuses.first { $0.name == "kept.test" && $0.state == .valid })
        #expect(abs((status.notAfter ?? 0) - Date().timeIntervalSince1970 - 3600) < 5)
    }
}

final class LogLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
}

@Suite("A start with stored certificates")
struct StoredStartTests {
    /// A listening socket standing in for the CA: it only counts who connects.
    final class CountingListener {
        let fd: Int32
        let port: Int

        init() throws {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
            guard bound == 0, listen(fd, 16) == 0 else { throw StateDirectory.Failure(description: "cannot listen") }
            _ = fcntl(fd, F_SETFL, O_NONBLOCK)
            self.fd = fd
            port = Int(UInt16(bigEndian: address.sin_port))
        }

        /// Connections accepted so far (each closed at once).
        func connections() -> Int {
            var count = 0
            while true {
                let client = accept(fd, nil, nil)
                guard client >= 0 else { return count }
                close(client)
                count += 1
            }
        }

        deinit { close(fd) }
    }

    /// The stored certificate is served and nothing is asked of the CA: not an order (it is
    /// not due) and not its renewal information, which waits for a random point of the
    /// next hours.
    @Test func theCAIsNotContacted() throws {
        let dir = NSTemporaryDirectory() + "acme-start-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ca = try CountingListener()
        var settings = ACMESettings()
        settings.stateDirectory = dir
        settings.directoryURL = "https://127.0.0.1:\(ca.port)/dir"
        let state = try StateDirectory(path: dir)
        // A CA-issued certificate, so it has an authority key identifier to ask about.
        let key = try ECKey.generate()
        try key.pem.write(toFile: dir + "/leaf.key", atomically: true, encoding: .utf8)
        try "subjectAltName=DNS:kept.test\nauthorityKeyIdentifier=keyid\n"
            .write(toFile: dir + "/ext.cnf", atomically: true, encoding: .utf8)
        for command in [
            ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", dir + "/ca.key",
             "-out", dir + "/ca.crt", "-subj", "/CN=Test CA", "-days", "2"],
            ["req", "-new", "-key", dir + "/leaf.key", "-subj", "/CN=kept.test", "-out", dir + "/leaf.csr"],
            ["x509", "-req", "-in", dir + "/leaf.csr", "-CA", dir + "/ca.crt", "-CAkey", dir + "/ca.key", "-days", "90",
             "-extfile", dir + "/ext.cnf", "-out", dir + "/leaf.crt"],
        ] {
            #expect(try OpenSSLCommand.run(command).status == 0, "openssl \(command)")
        }
        let stored = try String(contentsOfFile: dir + "/leaf.crt", encoding: .utf8)
            + String(contentsOfFile: dir + "/ca.crt", encoding: .utf8)
        #expect(CertificateInfo(pem: stored)?.renewalIdentifier != nil)
        try state.store(chain: stored, key: key, for: "kept.test")
        let manager = CertificateManager(log: { _ in })
        let certificate = AutoCertificate(names: ["kept.test"], range: .unset, position: 0)
        #expect(try manager.initialCertificate(for: certificate, settings: settings).chain == stored)
        manager.start()
        defer { manager.stop() }
        usleep(1_500_000)
        #expect(ca.connections() == 0)
        #expect(manager.statuses.map(\.state) == [.valid])
    }
}
