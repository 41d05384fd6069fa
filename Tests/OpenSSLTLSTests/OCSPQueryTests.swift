import Foundation
import Testing
@testable import OpenSSLTLS

/// OCSP against `openssl ocsp` as the responder, on 127.0.0.1, with a CA and a certificate
/// naming it made here by the `openssl` command; the request is posted with curl.
@Suite("OCSP queries") struct OCSPQueryTests {
    private final class Setup {
        let dir = NSTemporaryDirectory() + "ocsp-\(UUID().uuidString)"
        let port = Int.random(in: 12_000..<19_000)
        var responder: Process?

        init() throws {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try run(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=Test CA",
                     "-days", "2", "-keyout", "ca.key", "-out", "ca.crt",
                     "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
            try run(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=www.example.test",
                     "-keyout", "server.key", "-out", "server.csr"])
            try "authorityInfoAccess = OCSP;URI:http://127.0.0.1:\(port)\nsubjectAltName = DNS:www.example.test\n"
                .write(toFile: dir + "/ext.cnf", atomically: true, encoding: .utf8)
            try run(["x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-set_serial", "0x1234",
                     "-days", "1", "-extfile", "ext.cnf", "-out", "server.crt"])
        }

        deinit {
            stopResponder()
            try? FileManager.default.removeItem(atPath: dir)
        }

        @discardableResult
        func run(_ arguments: [String], executable: String = "/usr/bin/openssl") throws -> String {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: executable)
            p.arguments = arguments
            p.currentDirectoryURL = URL(fileURLWithPath: dir)
            let out = Pipe()
            p.standardOutput = out
            p.standardError = FileHandle.nullDevice
            try p.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            guard p.terminationStatus == 0 else { throw CocoaError(.fileReadUnknown) }
            return String(decoding: data, as: UTF8.self)
        }

        var chain: String {
            get throws {
                try String(contentsOfFile: dir + "/server.crt", encoding: .utf8)
                    + String(contentsOfFile: dir + "/ca.crt", encoding: .utf8)
            }
        }

        /// `openssl ocsp` answering from a one-line index that says `state` (V or R).
        func startResponder(revoked: Bool) throws {
            stopResponder()
            let end = try run(["x509", "-in", "server.crt", "-noout", "-enddate"])
                .replacingOccurrences(of: "notAfter=", with: "").trimmingCharacters(in: .whitespacesAndNewlines)
            let parser = DateFormatter()
            parser.locale = Locale(identifier: "en_US_POSIX")
            parser.timeZone = TimeZone(identifier: "GMT")
            parser.dateFormat = "MMM d HH:mm:ss yyyy 'GMT'"
            let date = try #require(parser.date(from: end.replacingOccurrences(of: "  ", with: " ")))
            let index = DateFormatter()
            index.locale = Locale(identifier: "en_US_POSIX")
            index.timeZone = TimeZone(identifier: "GMT")
            index.dateFormat = "yyMMddHHmmss'Z'"
            let line = revoked
                ? "R\t\(index.string(from: date))\t\(index.string(from: Date().addingTimeInterval(-60)))\t1234\tunknown\t/CN=www.example.test\n"
                : "V\t\(index.string(from: date))\t\t1234\tunknown\t/CN=www.example.test\n"
            try line.write(toFile: dir + "/index.txt", atomically: true, encoding: .utf8)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            p.arguments = ["ocsp", "-index", "index.txt", "-port", String(port), "-rsigner", "ca.crt", "-rkey", "ca.key",
                           "-CA", "ca.crt", "-ndays", "1"]
            p.currentDirectoryURL = URL(fileURLWithPath: dir)
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            responder = p
            usleep(300_000)
        }

        func stopResponder() {
            if let responder, responder.isRunning {
                kill(responder.processIdentifier, SIGKILL)
                responder.waitUntilExit()
            }
            responder = nil
        }

        func ask(_ request: [UInt8], at url: String) throws -> [UInt8] {
            try Data(request).write(to: URL(fileURLWithPath: dir + "/req.der"))
            for _ in 0..<20 {
                if (try? run(["-s", "-f", "--data-binary", "@req.der", "-H", "Content-Type: application/ocsp-request",
                              "-o", "resp.der", url], executable: "/usr/bin/curl")) != nil {
                    return Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/resp.der")))
                }
                usleep(100_000)
            }
            throw CocoaError(.fileReadUnknown)
        }
    }

    @Test func aGoodCertificateThenARevokedOne() throws {
        let setup = try Setup()
        let query = try #require(OCSPQuery(chainPEM: try setup.chain))
        #expect(query.responder == "http://127.0.0.1:\(setup.port)")
        try setup.startResponder(revoked: false)
        let good = try setup.ask(query.request, at: query.responder)
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

        try setup.startResponder(revoked: true)
        let revoked = try setup.ask(query.request, at: query.responder)
        #expect(query.check(revoked)?.status == .revoked)
    }

    @Test func aCertificateWithoutResponderOrIssuerHasNoQuery() throws {
        let setup = try Setup()
        #expect(OCSPQuery(chainPEM: try String(contentsOfFile: setup.dir + "/server.crt", encoding: .utf8)) == nil)
        #expect(OCSPQuery(chainPEM: try String(contentsOfFile: setup.dir + "/ca.crt", encoding: .utf8)
                          + String(contentsOfFile: setup.dir + "/ca.crt", encoding: .utf8)) == nil)
    }
}
