import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Pebble, the ACME test server of Let's Encrypt (Debian `pebble`), run on 127.0.0.1 for
/// tests: its HTTPS listener has a certificate from the repository's dev CA
/// (`certs/make-certs.sh`, so `trust` verifies it), and `pebble-challtestsrv` answers its
/// DNS queries with 127.0.0.1 for every name, so any identifier validates on this machine.
///
/// `httpPort` and `tlsPort` are where Pebble connects to validate http-01 and
/// tls-alpn-01: the caller's listeners. `stop()` kills Pebble (the CA goes down, the DNS
/// server stays); `start()` brings it back on the same ports and configuration, with a
/// new root and none of the accounts or orders it had (Pebble keeps all in memory).
///
/// Independent of the ACME module on purpose: readiness and the roots are fetched with
/// `curl`, so the harness serves the ACME module's tests and the process tests alike.
public final class Pebble: @unchecked Sendable {
    /// The ACME directory URL, `https://localhost:PORT/dir`.
    public let directory: URL
    /// PEM file of the CA that signed Pebble's HTTPS certificate (for CertificateAuthorityTrust).
    public let trust: String
    /// Where Pebble's validation connects for http-01 (on every name: its DNS says 127.0.0.1).
    public let httpPort: Int
    /// Where Pebble's validation connects for tls-alpn-01.
    public let tlsPort: Int
    /// The ACME listener (`directory`'s port).
    public let listenPort: Int
    /// Pebble's management interface (HTTPS, same certificate): /roots/0, /intermediates/0.
    public let managementPort: Int
    /// Scratch directory of this instance: pki/, pebble.json, pebble.log; removed in deinit.
    public let folder: String
    /// The certificates' lifetime in seconds Pebble was configured with (nil: Pebble's default).
    public let certificateValidityPeriod: Int?
    /// Pebble's stdout and stderr, appended over restarts.
    public var logPath: String { folder + "/pebble.log" }
    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    private let dnsPort: Int
    private let environment: [String: String]
    private let lock = NSLock()
    private var process: Process?
    private var dns: Process?

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    public static var isInstalled: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/pebble")
            && FileManager.default.isExecutableFile(atPath: "/usr/bin/pebble-challtestsrv")
    }

    private static var packageRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
    }

    /// Makes the PKI and the configuration and starts Pebble and its DNS server; returns
    /// once the directory answers. `httpPort`/`tlsPort` default to free ports of Pebble's
    /// own block; `authorizationReuse` is PEBBLE_AUTHZREUSE (percent; 0: every order
    /// validates its names afresh, which keeps renewals deterministic).
    /// `nonceRejection` is PEBBLE_WFE_NONCEREJECT (percent of good nonces refused as bad).
    public init(httpPort: Int? = nil, tlsPort: Int? = nil, certificateValidityPeriod: Int? = nil,
                authorizationReuse: Int = 0, nonceRejection: Int = 0) throws {
        folder = NSTemporaryDirectory() + "pebble-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let certs = Process()
        certs.executableURL = URL(fileURLWithPath: "/bin/bash")
        certs.arguments = [Self.packageRoot + "/certs/make-certs.sh", folder + "/pki"]
        certs.standardOutput = FileHandle.nullDevice
        certs.standardError = FileHandle.nullDevice
        try certs.run()
        certs.waitUntilExit()
        guard certs.terminationStatus == 0 else { throw Failure("certs/make-certs.sh failed") }
        trust = folder + "/pki/ca.crt"
        let port = Self.freePorts(6)
        listenPort = port
        managementPort = port + 1
        self.httpPort = httpPort ?? port + 2
        self.tlsPort = tlsPort ?? port + 3
        dnsPort = port + 4
        self.certificateValidityPeriod = certificateValidityPeriod
        guard let url = URL(string: "https://localhost:\(port)/dir") else { throw Failure("bad directory URL") }
        directory = url
        let validity = certificateValidityPeriod.map { ", \"certificateValidityPeriod\": \($0)" } ?? ""
        let config = """
            {"pebble": {"listenAddress": "127.0.0.1:\(port)", "managementListenAddress": "127.0.0.1:\(port + 1)",
             "certificate": "\(folder)/pki/server.crt", "privateKey": "\(folder)/pki/server.key",
             "httpPort": \(self.httpPort), "tlsPort": \(self.tlsPort), "ocspResponderURL": "",
             "externalAccountBindingRequired": false\(validity)}}
            """
        try config.write(toFile: folder + "/pebble.json", atomically: true, encoding: .utf8)
        environment = ["PEBBLE_VA_NOSLEEP": "1", "PEBBLE_WFE_NONCEREJECT": String(nonceRejection),
                       "PEBBLE_AUTHZREUSE": String(authorizationReuse)]
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)

        // A DNS server answering 127.0.0.1 for every name, so any identifier validates here.
        let dns = Process()
        dns.executableURL = URL(fileURLWithPath: "/usr/bin/pebble-challtestsrv")
        dns.arguments = ["-dns01", "127.0.0.1:\(port + 4)", "-http01", "", "-https01", "", "-tlsalpn01", "",
                         "-management", "127.0.0.1:\(port + 5)", "-defaultIPv4", "127.0.0.1", "-defaultIPv6", ""]
        dns.standardOutput = FileHandle.nullDevice
        dns.standardError = FileHandle.nullDevice
        try dns.run()
        lock.withLock { self.dns = dns }
        do {
            try start()
        } catch {
            kill(dns.processIdentifier, SIGKILL)
            dns.waitUntilExit()
            throw error
        }
    }

    /// True while the Pebble process runs.
    public var isRunning: Bool { lock.withLock { process?.isRunning ?? false } }

    /// Starts Pebble (again) on the same ports and configuration; returns once its
    /// directory answers (10 s at most). Accounts, orders and the root are new.
    public func start() throws {
        try lock.withLock {
            if let process, process.isRunning { return }
            let child = Process()
            child.executableURL = URL(fileURLWithPath: "/usr/bin/pebble")
            child.arguments = ["-config", folder + "/pebble.json", "-strict", "-dnsserver", "127.0.0.1:\(dnsPort)"]
            child.environment = environment
            let log = FileHandle(forWritingAtPath: logPath)
            log?.seekToEndOfFile()
            child.standardOutput = log ?? FileHandle.nullDevice
            child.standardError = log ?? FileHandle.nullDevice
            try child.run()
            process = child
        }
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if curl(directory.absoluteString) != nil { return }
            guard isRunning else { break }
            usleep(50_000)
        }
        stop()
        throw Failure("pebble did not start on \(listenPort):\n\(log)")
    }

    /// Kills Pebble (it ignores SIGTERM) and waits for it: the CA is down until `start()`.
    public func stop() {
        lock.withLock {
            guard let process, process.isRunning else { return }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// The root that issues this run's certificates, PEM (management `/roots/0`).
    public func rootPEM() throws -> String {
        guard let pem = curl("https://localhost:\(managementPort)/roots/0"), pem.contains("BEGIN CERTIFICATE") else {
            throw Failure("cannot fetch Pebble's root from port \(managementPort)")
        }
        return pem
    }

    /// The intermediate that signs this run's certificates, PEM (management `/intermediates/0`).
    public func intermediatePEM() throws -> String {
        guard let pem = curl("https://localhost:\(managementPort)/intermediates/0"), pem.contains("BEGIN CERTIFICATE") else {
            throw Failure("cannot fetch Pebble's intermediate from port \(managementPort)")
        }
        return pem
    }

    /// `rootPEM()` written to `path` (for `curl --cacert`, an ssl context's cafile).
    @discardableResult
    public func saveRoot(to path: String) throws -> String {
        try rootPEM().write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// GET `url` with curl trusting `trust`; the body on success (2xx), nil otherwise.
    private func curl(_ url: String) -> String? {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        child.arguments = ["-sf", "--max-time", "5", "--cacert", trust, url]
        let pipe = Pipe()
        child.standardOutput = pipe
        child.standardError = FileHandle.nullDevice
        do { try child.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        child.waitUntilExit()
        return child.terminationStatus == 0 ? String(decoding: data, as: UTF8.self) : nil
    }

    /// The first of `count` consecutive ports nothing listens on (checked by binding each).
    private static func freePorts(_ count: Int) -> Int {
        while true {
            // Below the ephemeral range and the process tests' FreePort range (20,000-32,000).
            let base = Int.random(in: 12_000..<19_000)
            if (base..<base + count).allSatisfy(canBind) { return base }
        }
    }

    private static func canBind(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    deinit {
        for child in [process, dns].compactMap({ $0 }) where child.isRunning {
            kill(child.processIdentifier, SIGKILL)
            child.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: folder)
    }
}
