import Foundation
import Testing
@testable import ACME
import OpenSSLTLS
import PebbleHarness

/// Against Pebble, the ACME test server of Let's Encrypt (Debian `pebble`): see PebbleHarness.
@Suite("ACME against Pebble", .enabled(if: Pebble.isInstalled, "pebble is not installed (apt install pebble)"))
struct PebbleTests {
    @Test func anAccountIsCreatedThenFoundAgain() throws {
        let pebble = try Pebble()
        let key = try ECKey.generate()
        let client = ACMEClient(directoryURL: pebble.directory, key: key, http: HTTPSClient(trust: pebble.trust))
        let directory = try client.loadDirectory()
        #expect(directory.newAccount.host == "localhost")
        let account = try client.register(contact: ["mailto:ops@example.com"], agreeToTerms: true)
        #expect(account.contains("/my-account/"))
        // The same key again: Pebble finds the account (200) instead of making another.
        let again = ACMEClient(directoryURL: pebble.directory, key: try ECKey(pem: key.pem),
                               http: HTTPSClient(trust: pebble.trust))
        #expect(try again.register(contact: [], agreeToTerms: true) == account)
    }

    @Test func aServerWhoseCertificateIsNotTrustedIsRefused() throws {
        let pebble = try Pebble()
        let client = ACMEClient(directoryURL: pebble.directory, key: try ECKey.generate(),
                                http: HTTPSClient(trust: nil, timeout: 5))
        #expect(throws: ACMEClient.Failure.self) { try client.loadDirectory() }
    }

    @Test func aBadSignatureIsTheCAsError() throws {
        let pebble = try Pebble()
        let client = ACMEClient(directoryURL: pebble.directory, key: try ECKey.generate(),
                                http: HTTPSClient(trust: pebble.trust))
        // Signed with the account key but naming another key's account: Pebble refuses it.
        _ = try client.register(contact: [], agreeToTerms: true)
        let directory = try client.loadDirectory()
        let response = try client.post(directory.newOrder, payload: ["identifiers": [["type": "dns", "value": "a.example"]]],
                                       signer: .keyID(pebble.directory.absoluteString + "/nobody"))
        #expect(response.status >= 400)
        #expect(ACMEClient.problemType(response)?.hasPrefix("urn:ietf:params:acme:error:") == true)
    }

    @Test func aCertificateIsIssuedOverHTTP01AndChainsToPebblesRoot() throws {
        let pebble = try Pebble()
        let responder = try ChallengeResponder(port: pebble.httpPort)
        let client = ACMEClient(directoryURL: pebble.directory, key: try ECKey.generate(),
                                http: HTTPSClient(trust: pebble.trust))
        try client.register(contact: [], agreeToTerms: true)
        let certificateKey = try ECKey.generate()
        var prepared: [String] = []
        let chain = try client.issue(names: ["www.example.test", "example.test"], certificateKey: certificateKey) {
            challenge, identifier, keyAuthorization in
            prepared.append(identifier)
            responder.publish(token: challenge.token, keyAuthorization: keyAuthorization)
        }
        #expect(Set(prepared) == ["www.example.test", "example.test"])
        #expect(responder.served >= 2)
        // The chain verifies against Pebble's root (from its management interface), names
        // both identifiers and carries the certificate key's public half.
        let root = try HTTPSClient(trust: pebble.trust).get(try #require(URL(string: "https://localhost:\(pebble.managementPort)/roots/0")))
        #expect(root.status == 200)
        let dir = pebble.folder
        try Data(root.body).write(to: URL(fileURLWithPath: dir + "/root.pem"))
        try chain.write(toFile: dir + "/chain.pem", atomically: true, encoding: .utf8)
        let blocks = chain.components(separatedBy: "-----END CERTIFICATE-----").filter { $0.contains("BEGIN") }
        #expect(blocks.count >= 2)
        try (blocks[0] + "-----END CERTIFICATE-----\n").write(toFile: dir + "/leaf.pem", atomically: true, encoding: .utf8)
        let verify = try OpenSSLCommand.run(["verify", "-CAfile", dir + "/root.pem", "-untrusted", dir + "/chain.pem",
                                             dir + "/leaf.pem"])
        #expect(verify.status == 0, "\(String(decoding: verify.output, as: UTF8.self))")
        let text = String(decoding: try OpenSSLCommand.run(["x509", "-in", dir + "/leaf.pem", "-noout", "-ext", "subjectAltName"]).output,
                          as: UTF8.self)
        #expect(text.contains("DNS:www.example.test") && text.contains("DNS:example.test"), "\(text)")
        try certificateKey.pem.write(toFile: dir + "/key.pem", atomically: true, encoding: .utf8)
        let fromCertificate = try OpenSSLCommand.run(["x509", "-in", dir + "/leaf.pem", "-noout", "-pubkey"]).output
        let fromKey = try OpenSSLCommand.run(["pkey", "-in", dir + "/key.pem", "-pubout"]).output
        #expect(fromCertificate == fromKey)
    }
}

extension PebbleTests {
    /// tls-alpn-01 (RFC 8737): the challenge certificate served by `openssl s_server` with
    /// ALPN acme-tls/1 on the port Pebble validates, which it must accept.
    @Test func aCertificateIsIssuedOverTLSALPN01() throws {
        let pebble = try Pebble()
        let client = ACMEClient(directoryURL: pebble.directory, key: try ECKey.generate(),
                                http: HTTPSClient(trust: pebble.trust))
        try client.register(contact: [], agreeToTerms: true)
        var server: Process?
        defer {
            if let server, server.isRunning {
                kill(server.processIdentifier, SIGKILL)
                server.waitUntilExit()
            }
        }
        let chain = try client.issue(names: ["alpn.example.test"], certificateKey: try ECKey.generate(),
                                     challengeType: "tls-alpn-01", timeout: 30) { _, identifier, keyAuthorization in
            guard let key = try? ECKey.generate(),
                  let certificate = try? SelfSignedCertificate.tlsALPN01(name: identifier, keyAuthorization: keyAuthorization,
                                                                         key: key) else { return }
            try? certificate.write(toFile: pebble.folder + "/alpn.pem", atomically: true, encoding: .utf8)
            try? key.pem.write(toFile: pebble.folder + "/alpn.key", atomically: true, encoding: .utf8)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            process.arguments = ["s_server", "-accept", "127.0.0.1:\(pebble.tlsPort)", "-cert", pebble.folder + "/alpn.pem",
                                 "-key", pebble.folder + "/alpn.key", "-alpn", "acme-tls/1", "-quiet"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try? process.run()
            server = process
            usleep(300_000)
        }
        #expect(chain.contains("BEGIN CERTIFICATE"))
    }

    @Test func theChallengeAndPlaceholderCertificatesSayWhatTheyShould() throws {
        let key = try ECKey.generate()
        let dir = NSTemporaryDirectory() + "acme-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let placeholder = try SelfSignedCertificate.pem(names: ["a.example", "b.example"], key: key)
        try placeholder.write(toFile: dir + "/p.pem", atomically: true, encoding: .utf8)
        let text = String(decoding: try OpenSSLCommand.run(["x509", "-in", dir + "/p.pem", "-noout", "-text"]).output, as: UTF8.self)
        #expect(text.contains("DNS:a.example, DNS:b.example"), "\(text)")
        #expect(text.contains("Subject: CN = a.example"))
        #expect(!text.contains("1.3.6.1.5.5.7.1.31"))
        let authorization = "token.thumbprint"
        let challenge = try SelfSignedCertificate.tlsALPN01(name: "a.example", keyAuthorization: authorization, key: key)
        try challenge.write(toFile: dir + "/c.pem", atomically: true, encoding: .utf8)
        let der = try OpenSSLCommand.run(["x509", "-in", dir + "/c.pem", "-outform", "DER"]).output
        // The extension: OID 1.3.6.1.5.5.7.1.31, critical, OCTET STRING { OCTET STRING (32) SHA-256 }.
        let expected: [UInt8] = [0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x1f, 0x01, 0x01, 0xff, 0x04, 0x22,
                                 0x04, 0x20] + ECKey.sha256(Array(authorization.utf8))
        #expect(der.indices.contains { der[$0...].starts(with: expected) })
        #expect(throws: ECKey.Failure.self) { try SelfSignedCertificate.pem(names: ["bad,name"], key: key) }
    }
}

/// Answers Pebble's http-01 requests (`GET /.well-known/acme-challenge/TOKEN`) with the key
/// authorizations published, as Pounce's listeners will.
final class ChallengeResponder: @unchecked Sendable {
    private let fd: Int32
    private let lock = NSLock()
    private var answers: [String: String] = [:]
    private var count = 0

    var served: Int { lock.withLock { count } }

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else { throw ACMEClient.Failure(status: nil, type: nil, description: "bind") }
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    deinit { shutdown(fd, Int32(SHUT_RDWR)); close(fd) }

    func publish(token: String, keyAuthorization: String) {
        lock.withLock { answers[token] = keyAuthorization }
    }

    private func serve() {
        while true {
            let client = accept(fd, nil, nil)
            guard client >= 0 else { return }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let n = read(client, &buffer, buffer.count)
            let request = n > 0 ? String(decoding: buffer[..<n], as: UTF8.self) : ""
            let path = request.split(separator: " ").dropFirst().first.map(String.init) ?? ""
            let token = path.hasPrefix("/.well-known/acme-challenge/") ? String(path.dropFirst(28)) : ""
            let answer = lock.withLock { () -> String? in
                count += 1
                return answers[token]
            }
            let response = answer.map { "HTTP/1.1 200 OK\r\nContent-Length: \($0.utf8.count)\r\nConnection: close\r\n\r\n\($0)" }
                ?? "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            _ = Array(response.utf8).withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
            close(client)
        }
    }
}

extension PebbleTests {
    /// A CA may refuse any nonce (RFC 8555 §6.5); Pebble refusing 40% of them, as Let's
    /// Encrypt's test CA does on purpose at 5%: every request is retried with the nonce
    /// of the refusal until one is taken, so the whole issuance still succeeds.
    @Test func refusedNoncesAreRetried() throws {
        let pebble = try Pebble(nonceRejection: 40)
        let responder = try ChallengeResponder(port: pebble.httpPort)
        let client = ACMEClient(directoryURL: pebble.directory, key: try ECKey.generate(),
                                http: HTTPSClient(trust: pebble.trust))
        try client.register(contact: [], agreeToTerms: true)
        let chain = try client.issue(names: ["nonce.example.test"], certificateKey: try ECKey.generate()) {
            challenge, _, keyAuthorization in
            responder.publish(token: challenge.token, keyAuthorization: keyAuthorization)
        }
        #expect(CertificateInfo(pem: chain)?.names == ["nonce.example.test"])
    }
}
