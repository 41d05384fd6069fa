import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A scratch PKI made with the `openssl` command and `openssl ocsp` as the responder its
/// certificates name, on 127.0.0.1: an EC CA, leaves issued by it (`issue`), and the
/// responder answering for one of them from a one-line index (`startResponder`).
///
/// Shared by the OCSP tests of OpenSSLTLS (queries and stapling on SSL_CTXs) and the
/// process tests of pounce's stapling, like `PebbleHarness` for ACME. The directory is
/// removed and the responder killed in deinit.
public final class OCSPResponderFixture {
    /// Scratch directory: ca.crt, ca.key, and NAME.crt, NAME.key, NAME.pem per leaf.
    public let directory: String
    /// Where the responder listens (and what the leaves issued with `namesResponder` name).
    public let port: Int
    /// The responder's URL as the certificates name it.
    public var responderURL: String { "http://127.0.0.1:\(port)" }

    private var serials: [String: String] = [:]
    private var responder: Process?

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    /// Makes the CA (`/CN=caName`, P-256, two days). `port` defaults to one the kernel
    /// picks for a bound, closed socket.
    public init(caName: String, port: Int? = nil, prefix: String = "ocsp") throws {
        directory = NSTemporaryDirectory() + "\(prefix)-\(UUID().uuidString)"
        self.port = port ?? Self.freePort()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try run(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=\(caName)",
                 "-days", "2", "-keyout", "ca.key", "-out", "ca.crt",
                 "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
    }

    deinit {
        stopResponder()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// `name`.crt signed by the CA for a day (serial `serial`, hex; SAN DNS:`name`; the
    /// responder named in its AIA when `namesResponder`), and `name`.pem as pound.cfg's
    /// `Cert` wants it: the certificate, then its issuer, then the key.
    public func issue(_ name: String, serial: String = "1234", namesResponder: Bool = true) throws {
        try run(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=\(name)",
                 "-keyout", "\(name).key", "-out", "\(name).csr"])
        let aia = namesResponder ? "authorityInfoAccess = OCSP;URI:\(responderURL)\n" : ""
        try (aia + "subjectAltName = DNS:\(name)\n")
            .write(toFile: "\(directory)/\(name).cnf", atomically: true, encoding: .utf8)
        try run(["x509", "-req", "-in", "\(name).csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-set_serial", "0x\(serial)",
                 "-days", "1", "-extfile", "\(name).cnf", "-out", "\(name).crt"])
        try (chain(name) + file("\(name).key")).write(toFile: pemPath(name), atomically: true, encoding: .utf8)
        serials[name] = serial
    }

    /// The PEM file of `name`: certificate, issuer, key.
    public func pemPath(_ name: String) -> String { "\(directory)/\(name).pem" }

    /// `name`'s certificate, PEM.
    public func certificate(_ name: String) throws -> String { try file("\(name).crt") }

    /// The CA's certificate, PEM.
    public var caCertificate: String { get throws { try file("ca.crt") } }

    /// `name`'s certificate followed by its issuer's.
    public func chain(_ name: String) throws -> String { try certificate(name) + caCertificate }

    private func file(_ name: String) throws -> String {
        try String(contentsOfFile: "\(directory)/\(name)", encoding: .utf8)
    }

    /// Runs `executable` (default: openssl) with `arguments` in `directory`; its stdout.
    @discardableResult
    public func run(_ arguments: [String], executable: String = "/usr/bin/openssl") throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        p.currentDirectoryURL = URL(fileURLWithPath: directory)
        let out = Pipe()
        let errors = directory + "/stderr-\(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: errors, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errors) }
        p.standardOutput = out
        p.standardError = FileHandle(forWritingAtPath: errors)
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            let said = (try? String(contentsOfFile: errors, encoding: .utf8)) ?? ""
            throw Failure("\(executable) \(arguments.joined(separator: " ")): \(said)")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// `openssl ocsp` on `port` answering for `name` (issued here) from a one-line index:
    /// valid, or revoked a minute ago. Returns once it says it listens: a probing
    /// connection would wedge it (it serves one connection at a time and waits for the
    /// probe's request).
    public func startResponder(for name: String, revoked: Bool) throws {
        stopResponder()
        guard let serial = serials[name] else { throw Failure("\(name) was not issued here") }
        let end = try run(["x509", "-in", "\(name).crt", "-noout", "-enddate", "-dateopt", "iso_8601"])
        // notAfter=2025-01-02 03:04:05Z → 250102030405Z, the index's format.
        let expiry = String(end.replacingOccurrences(of: "notAfter=", with: "").filter(\.isNumber).dropFirst(2)) + "Z"
        let format = DateFormatter()
        format.locale = Locale(identifier: "en_US_POSIX")
        format.timeZone = TimeZone(identifier: "GMT")
        format.dateFormat = "yyMMddHHmmss'Z'"
        let line = revoked
            ? "R\t\(expiry)\t\(format.string(from: Date().addingTimeInterval(-60)))\t\(serial)\tunknown\t/CN=\(name)\n"
            : "V\t\(expiry)\t\t\(serial)\tunknown\t/CN=\(name)\n"
        try line.write(toFile: directory + "/index.txt", atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        p.arguments = ["ocsp", "-index", "index.txt", "-port", String(port), "-rsigner", "ca.crt", "-rkey", "ca.key",
                       "-CA", "ca.crt", "-ndays", "1"]
        p.currentDirectoryURL = URL(fileURLWithPath: directory)
        let log = directory + "/responder.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        p.standardOutput = FileHandle(forWritingAtPath: log)
        p.standardError = FileHandle(forWritingAtPath: log)
        try p.run()
        responder = p
        let deadline = Date().addingTimeInterval(10)
        while !((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("waiting for OCSP client connections") {
            guard Date() < deadline else {
                throw Failure("openssl ocsp did not start: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
            }
            usleep(20_000)
        }
    }

    public func stopResponder() {
        if let responder, responder.isRunning {
            kill(responder.processIdentifier, SIGKILL)
            responder.waitUntilExit()
        }
        responder = nil
    }

    /// A port nobody listens on now (the kernel's pick for a bound, closed socket).
    public static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        return withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                guard bind(fd, $0, length) == 0, getsockname(fd, $0, &length) == 0 else { return 0 }
                return Int(UInt16(bigEndian: pointer.pointee.sin_port))
            }
        }
    }
}
