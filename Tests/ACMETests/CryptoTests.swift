import Foundation
import Testing
@testable import ACME

@Suite("ACME cryptography through OpenSSL")
struct CryptoTests {
    @Test func base64URLRoundTripsWithoutPadding() {
        for n in 0..<40 {
            let bytes = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 250) }
            let text = Base64URL.encode(bytes)
            #expect(!text.contains("=") && !text.contains("+") && !text.contains("/"))
            #expect(Base64URL.decode(text) == bytes)
        }
        // RFC 7515 appendix C.
        #expect(Base64URL.encode([3, 236, 255, 224, 193]) == "A-z_4ME")
        #expect(Base64URL.decode("A-z_4ME=") == nil)
        #expect(Base64URL.decode("A") == nil)
    }

    @Test func aKeySurvivesPEMAndSignsVerifiably() throws {
        let key = try ECKey.generate()
        let again = try ECKey(pem: key.pem)
        #expect(again.jwkJSON == key.jwkJSON)
        #expect(key.pem.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        let message = Array("eyJhbGciOiJFUzI1NiJ9.eyJ0ZXN0Ijp0cnVlfQ".utf8)
        let signature = try key.sign(message)
        #expect(signature.count == 64)
        // Checked by the openssl command, from the public key and a DER form of r || s.
        #expect(try OpenSSLCommand.verifies(signature: signature, message: message, key: key))
        var tampered = message
        tampered[0] ^= 1
        #expect(try !OpenSSLCommand.verifies(signature: signature, message: tampered, key: key))
    }

    @Test func theThumbprintIsRFC7638s() throws {
        let key = try ECKey.generate()
        let members = key.jwk.map(\.name)
        #expect(members == ["crv", "kty", "x", "y"])
        // Computed here by another route: the JSON written by JSONSerialization with sorted keys.
        let object = Dictionary(uniqueKeysWithValues: key.jwk.map { ($0.name, $0.value) })
        let json = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        #expect(String(decoding: json, as: UTF8.self) == key.jwkJSON)
        let digest = try OpenSSLCommand.sha256(Array(json))
        #expect(key.thumbprint == Base64URL.encode(digest))
    }

    @Test func pemThatIsNotAP256KeyIsRefused() {
        #expect(throws: ECKey.Failure.self) { try ECKey(pem: "not a key") }
    }
}

/// The `openssl` command, as an independent check of what the library computed.
enum OpenSSLCommand {
    static func run(_ arguments: [String], input: [UInt8] = []) throws -> (status: Int32, output: [UInt8]) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        stdin.fileHandleForWriting.write(Data(input))
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, Array(output))
    }

    static func sha256(_ bytes: [UInt8]) throws -> [UInt8] {
        try run(["dgst", "-sha256", "-binary"], input: bytes).output
    }

    static func verifies(signature: [UInt8], message: [UInt8], key: ECKey) throws -> Bool {
        let dir = NSTemporaryDirectory() + "acme-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try key.pem.write(toFile: dir + "/key.pem", atomically: true, encoding: .utf8)
        _ = try run(["pkey", "-in", dir + "/key.pem", "-pubout", "-out", dir + "/pub.pem"])
        try Data(message).write(to: URL(fileURLWithPath: dir + "/msg"))
        try Data(der(signature)).write(to: URL(fileURLWithPath: dir + "/sig"))
        return try run(["dgst", "-sha256", "-verify", dir + "/pub.pem", "-signature", dir + "/sig", dir + "/msg"]).status == 0
    }

    /// r || s as an ASN.1 SEQUENCE of two INTEGERs.
    private static func der(_ raw: [UInt8]) -> [UInt8] {
        func integer(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
            var v = Array(bytes.drop { $0 == 0 })
            if v.isEmpty { v = [0] }
            if v[0] & 0x80 != 0 { v.insert(0, at: 0) }
            return [0x02, UInt8(v.count)] + v
        }
        let body = integer(raw[0..<32]) + integer(raw[32..<64])
        return [0x30, UInt8(body.count)] + body
    }
}
