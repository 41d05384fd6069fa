import Foundation
import PebbleHarness
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Automatic HTTPS (`AutoCert`, RFC 8555) end to end: a pounce whose ListenHTTPS gets its
/// certificate from Pebble (Let's Encrypt's ACME test server, Debian `pebble`), validated
/// over http-01 on pounce's ListenHTTP or tls-alpn-01 on the HTTPS listener itself, then
/// checked with real clients (curl, openssl s_client, Python's ssl) against Pebble's root.
/// Each test has its own Pebble, ports and state directory; waits poll against deadlines.
@Suite(.serialized, .enabled(if: Pebble.isInstalled, "pebble is not installed (apt install pebble)"))
struct AutomaticHTTPSTests {
    /// a. http-01: a placeholder at once, then Pebble's certificate for both names, live.
    @Test func firstIssuanceOverHTTP01() throws {
        let rig = try AutoCertRig(challenge: "http-01")
        defer { rig.tearDown() }
        let pounce = try rig.startPounce()
        rig.expectPlaceholderLogged(pounce)
        // Before installation the placeholder is self-signed. Pebble may be quicker than this
        // probe; a certificate that is not self-signed must then have been logged installed.
        let installedBeforeProbe = pounce.log.contains(rig.installed)
        let first = try #require(rig.served(AutoCertRig.name), "no certificate served at once\n\(pounce.log)")
        if first.isSelfSigned {
            #expect(first.subject.contains(AutoCertRig.name), "\(first)")
            let verified = rig.curl(AutoCertRig.name, root: rig.root).status == 0
            #expect(!verified || pounce.log.contains(rig.installed), "the placeholder verifies against Pebble's root")
        } else {
            #expect(installedBeforeProbe || pounce.waitForLog(rig.installed, timeout: 5),
                    "served \(first) before logging 'certificate installed'\n\(pounce.log)")
        }

        try rig.waitForFirstIssuance(pounce)
        for reply in rig.expectEveryNameReplies(pounce) {
            #expect(reply.stdout.hasPrefix("HTTP/1.1 200"), "\(reply.stdout)")
        }
        try rig.expectIssuedByPebble()
        #expect(rig.subjectAltNames(AutoCertRig.name).contains("DNS:www.site.example.test"))

        // What a restart will load: the chain, its key and the account key.
        let stored = rig.stateDirectory + "/certificates/" + AutoCertRig.name
        for file in [stored + "/fullchain.pem", stored + "/privkey.pem", rig.stateDirectory + "/account.key"] {
            #expect(FileManager.default.fileExists(atPath: file), "\(file) missing")
        }
        // Pebble's default lifetime is years; nothing has failed.
        let days = rig.metric("pounce_acme_certificate_expiry_days")
        #expect((days ?? 0) > 30, "expiry days \(String(describing: days))\n\(rig.scrape())")
        #expect(rig.consecutiveFailures == 0, "\(rig.scrape())")
        #expect(!pounce.log.contains(rig.line("failed:")), "\(pounce.log)")
    }

    /// b. tls-alpn-01 on the HTTPS listener's own port; no ListenHTTP at all.
    @Test func firstIssuanceOverTLSALPN01() throws {
        let rig = try AutoCertRig(challenge: "tls-alpn-01")
        defer { rig.tearDown() }
        let pounce = try rig.startPounce()
        rig.expectPlaceholderLogged(pounce)
        try rig.waitForFirstIssuance(pounce)
        rig.expectEveryNameReplies(pounce)
        try rig.expectIssuedByPebble()
        // A client that does not ask for acme-tls/1 never sees a challenge certificate.
        #expect(!rig.certificateText(AutoCertRig.name).contains("1.3.6.1.5.5.7.1.31"))

        // The control API and the status page say what is served and until when.
        let control = PounceProcess.run(["-s", "--unix-socket", rig.work + "/ctl", "http://localhost/certificates"],
                                        in: rig.work, executable: "/usr/bin/curl").stdout
        #expect(control.contains(#""name":"site.example.test""#) && control.contains(#""state":"valid""#)
                && control.contains(#""names":["site.example.test", "www.site.example.test"]"#)
                && control.contains(#""expires_epoch":"#) && control.contains(#""failures":0"#), "\(control)")
        if let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first(where: {
            FileManager.default.isExecutableFile(atPath: $0)
        }) {
            // Chromium, started while the whole suite runs, now and then prints nothing at all
            // (it did once in CI): an empty dump is taken again, up to three times.
            var dump = PounceProcess.Result(status: -1, stdout: "", stderr: "")
            for _ in 0..<3 where dump.stdout.isEmpty {
                dump = PounceProcess.run(["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                          "--user-data-dir=\(PounceProcess.temporaryDirectory())", "--ignore-certificate-errors",
                                          "--virtual-time-budget=3000", "--host-resolver-rules=MAP * 127.0.0.1",
                                          "--dump-dom", "https://\(AutoCertRig.name):\(rig.tlsPort)/status"],
                                         in: rig.work, executable: chromium)
            }
            let dom = dump.stdout
            #expect(dom.contains(">Certificates<") && dom.contains("class=\"certificate\"") && dom.contains(">valid<"),
                    "\(dom.prefix(3000))\nchromium exit \(dump.status): \(dump.stderr.suffix(1500))")
        }
    }

    /// c. A 30 s lifetime: renewal about 20 s after issuance, swapped in under a busy
    /// keep-alive connection that neither fails nor reconnects; new connections get it.
    @Test func renewalSwapsTheCertificateUnderABusyConnection() throws {
        let rig = try AutoCertRig(challenge: "http-01", validity: 30)
        defer { rig.tearDown() }
        let pounce = try rig.startPounce()
        try rig.waitForInstallations(1, pounce)
        let before = try #require(rig.served(AutoCertRig.name))
        #expect(!before.isSelfSigned, "\(before)")

        let client = try BusyClient(rig: rig)
        defer { client.finish() }
        let started = try #require(client.waitForProgress(timeout: 15) { $0.ok >= 5 },
                                   "the busy client made no requests\n\(client.output)")
        #expect(started.connects == 1)

        try rig.waitForInstallations(2, pounce, timeout: 60)
        // Keep it busy across the swap, then a little longer.
        let atSwap = client.progress
        #expect(client.waitForProgress(timeout: 10) { $0.ok >= (atSwap?.ok ?? 0) + 20 } != nil,
                "the busy connection stalled after the swap\n\(client.output)")
        let result = try #require(client.finish(), "no result from the busy client\n\(client.output)")
        #expect(result.errors == 0, "errors on the busy connection: \(result.lastError)")
        #expect(result.connects == 1, "the busy connection was re-established \(result.connects - 1) times")
        #expect(result.ok > 25)
        // The busy connection kept the certificate it started with...
        #expect(result.serials.map(AutoCertRig.normalizedSerial) == [before.serialNumber],
                "\(result.serials) vs \(before.serial)")
        // ... while a new one gets the renewed certificate, which verifies as well.
        let after = try #require(rig.served(AutoCertRig.name))
        #expect(after.serialNumber != before.serialNumber, "still serving \(before.serial)")
        #expect(!after.isSelfSigned)
        rig.expectReply(root: rig.root, fromBackend: false)
        #expect(pounce.log.contains(rig.line("certificate installed, valid until")))
        #expect(pounce.log.contains("renewal at"))
    }

    /// d. The CA goes down before renewal: failures are logged and retried with backoff,
    /// the old certificate keeps being served; when the CA is back, renewal succeeds.
    @Test func renewalFailuresAreRetriedWhileTheOldCertificateIsServed() throws {
        // 45 s: renewal at 30 s, the first retry min(60, 45/20) = 2.25 s later, and some
        // margin before the old certificate expires to check it is still served.
        let rig = try AutoCertRig(challenge: "http-01", validity: 45)
        defer { rig.tearDown() }
        let pounce = try rig.startPounce()
        try rig.waitForInstallations(1, pounce)
        let old = try #require(rig.served(AutoCertRig.name))
        let oldRoot = rig.root
        rig.pebble.stop()

        let firstFailure = try #require(rig.waitForFailure(pounce, timeout: 50),
                                        "no failure logged with the CA down\n\(pounce.log)")
        // New connections still get the old certificate, and requests succeed.
        let during = try #require(rig.served(AutoCertRig.name))
        #expect(during.serialNumber == old.serialNumber)
        rig.expectReply(root: oldRoot)
        if let delay = AutoCertRig.nextAttempt(firstFailure) {
            #expect(delay >= 1 && delay <= 5, "first retry after \(delay) s, expected about 2.25 (\(firstFailure))")
        } else {
            Issue.record("no delay in \(firstFailure)")
        }

        // Retried: a second failure, with no shorter delay.
        #expect(rig.waitForCount(rig.line("failed:"), atLeast: 2, in: pounce, timeout: 30), "\(pounce.log)")
        let failures = pounce.logLines.filter { $0.contains(rig.line("failed:")) }
        if failures.count >= 2, let a = AutoCertRig.nextAttempt(failures[0]), let b = AutoCertRig.nextAttempt(failures[1]) {
            #expect(b >= a, "backoff: \(failures)")
        }
        #expect((rig.consecutiveFailures ?? 0) >= 2, "\(rig.scrape())")
        #expect(pounce.installations(rig) == 1)

        // The CA is back (a new Pebble run: new root, no accounts): renewal succeeds.
        try rig.pebble.start()
        let newRoot = try rig.saveRoot()
        try rig.waitForInstallations(2, pounce, timeout: 90)
        let renewed = try #require(rig.served(AutoCertRig.name))
        #expect(renewed.serialNumber != old.serialNumber)
        rig.expectReply(root: newRoot, fromBackend: false)
        #expect(rig.consecutiveFailures == 0, "\(rig.scrape())")
    }

    /// e. A restart loads the stored certificate and does not contact the CA (which is down).
    @Test func aRestartReusesTheStoredCertificate() throws {
        let rig = try AutoCertRig(challenge: "http-01")
        defer { rig.tearDown() }
        let first = try rig.startPounce()
        try rig.waitForInstallations(1, first)
        let issued = try #require(rig.served(AutoCertRig.name))
        #expect(first.stop() == 0, "\(first.log)")
        rig.pebble.stop()

        let second = try rig.startPounce()
        #expect(second.waitForLog(rig.line("loaded from")), "\(second.log)")
        #expect(second.log.contains(rig.stateDirectory), "\(second.log)")
        let served = try #require(rig.served(AutoCertRig.name))
        #expect(served.serialNumber == issued.serialNumber)
        rig.expectEveryNameReplies(second, fromBackend: false)
        // Give it time to (wrongly) go to the CA: nothing requested, nothing failed.
        usleep(3_000_000)
        #expect(!second.log.contains(rig.line("requesting")), "\(second.log)")
        #expect(!second.log.contains(rig.line("serving a self-signed placeholder")), "\(second.log)")
        #expect(!second.log.contains(rig.line("failed:")), "\(second.log)")
        #expect(rig.consecutiveFailures == 0, "\(rig.scrape())")
    }

    /// The CA unreachable from the start: the placeholder stays, self-signed, for both
    /// names; requests are served; the failure is logged, counted and retried.
    @Test func thePlaceholderIsServedWhileTheCAIsUnreachable() throws {
        let rig = try AutoCertRig(challenge: "http-01")
        defer { rig.tearDown() }
        rig.pebble.stop()
        let pounce = try rig.startPounce()
        rig.expectPlaceholderLogged(pounce)
        let line = try #require(rig.waitForFailure(pounce, timeout: 30), "\(pounce.log)")
        #expect(AutoCertRig.nextAttempt(line).map { $0 >= 1 && $0 <= 60 } == true, "\(line)")
        let placeholder = try #require(rig.served(AutoCertRig.name))
        #expect(placeholder.isSelfSigned, "\(placeholder)")
        #expect(placeholder.subject.contains(AutoCertRig.name), "\(placeholder)")
        let names = rig.subjectAltNames(AutoCertRig.name)
        #expect(names.contains("DNS:site.example.test") && names.contains("DNS:www.site.example.test"), "\(names)")
        #expect(rig.curl(AutoCertRig.name, root: rig.root).status != 0)
        rig.expectReply(root: nil)
        #expect((rig.consecutiveFailures ?? 0) >= 1, "\(rig.scrape())")
        #expect(!pounce.log.contains(rig.installed))
    }
}

/// f. `pounce -c` on AutoCert configurations: what ACME cannot do here is refused.
@Suite struct AutomaticHTTPSCheckTests {
    let dir = PounceProcess.temporaryDirectory()

    /// A ListenHTTPS with `statements` (AutoCert and the rest), and a ListenHTTP when asked.
    private func config(_ statements: String, listenHTTP: Bool) -> String {
        let http = listenHTTP ? listenHTTPBlock(port: 8080, backendPort: 9000) : ""
        return """
            Daemon 0
            LogFacility -
            \(http)
            ListenHTTPS
                Address 127.0.0.1
                Port 8443
                CertificateAuthority "https://localhost:14000/dir"
                CertificateAuthorityTrust "\(dir)/ca.pem"
                Contact "mailto:ops@example.test"
                StateDirectory "\(dir)/acme"
            \(statements)
            \(backendService(9000))
            End
            """
    }

    private func check(_ statements: String, listenHTTP: Bool = true) throws -> PounceProcess.Result {
        try FileManager.default.createDirectory(atPath: dir + "/acme", withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: dir + "/ca.pem") {
            let made = PounceProcess.run(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                                          "-keyout", dir + "/ca.key", "-out", dir + "/ca.pem", "-days", "2",
                                          "-subj", "/CN=Check CA"], in: dir, executable: "/usr/bin/openssl")
            try #require(made.status == 0, "\(made.stderr)")
        }
        PounceProcess.write(config(statements, listenHTTP: listenHTTP), to: dir + "/pound.cfg")
        return PounceProcess.run(["-c", "-Wno-dns", "-Wno-include-dir", "-f", "pound.cfg"], in: dir)
    }

    @Test func aValidAutoCertConfigurationPasses() throws {
        let http01 = try check("""
                AutoCert "site.example.test" "www.site.example.test"
                Challenge "http-01"
            """)
        #expect(http01.status == 0, "\(http01.stderr)")
        #expect(http01.stderr == "")
        // tls-alpn-01 (the default) needs no ListenHTTP; AutoCert may repeat.
        let alpn = try check("""
                AutoCert "site.example.test" "www.site.example.test"
                AutoCert "other.example.test"
            """, listenHTTP: false)
        #expect(alpn.status == 0, "\(alpn.stderr)")
        let explicit = try check("""
                AutoCert "site.example.test"
                Challenge "tls-alpn-01"
            """, listenHTTP: false)
        #expect(explicit.status == 0, "\(explicit.stderr)")
    }

    @Test func aWildcardNameIsRefused() throws {
        let r = try check("    AutoCert \"*.example.test\"\n")
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderr.hasPrefix("pounce: "), "\(r.stderr)")
        #expect(!r.stderr.contains("unrecognized keyword"), "\(r.stderr)")
        let text = r.stderr.lowercased()
        #expect(text.contains("wildcard") || text.contains("dns-01"), "\(r.stderr)")
    }

    @Test func theDNS01ChallengeIsRefused() throws {
        let r = try check("    AutoCert \"site.example.test\"\n    Challenge \"dns-01\"\n")
        #expect(r.status == 1, "\(r.stderr)")
        #expect(!r.stderr.contains("unrecognized keyword"), "\(r.stderr)")
        #expect(r.stderr.contains("dns-01"), "\(r.stderr)")
    }

    @Test func http01WithoutAnyListenHTTPIsRefused() throws {
        let r = try check("    AutoCert \"site.example.test\"\n    Challenge \"http-01\"\n", listenHTTP: false)
        #expect(r.status == 1, "\(r.stderr)")
        #expect(!r.stderr.contains("unrecognized keyword"), "\(r.stderr)")
        #expect(r.stderr.contains("http-01") || r.stderr.contains("ListenHTTP"), "\(r.stderr)")
    }
}

// MARK: - The rig

/// A Service passing every request to the backend on 127.0.0.1:`port` (also the OCSP
/// stapling tests' configuration).
func backendService(_ port: Int) -> String {
    """
    Service
        Backend
            Address 127.0.0.1
            Port \(port)
        End
    End
    """
}

/// A ListenHTTP on `port` with `backendService(backendPort)`.
private func listenHTTPBlock(port: Int, backendPort: Int) -> String {
    "ListenHTTP\n    Address 127.0.0.1\n    Port \(port)\n\(backendService(backendPort))\nEnd"
}

/// One test's world: a Pebble validating on this rig's ports, a backend, a state
/// directory, and pounce (started and restarted on the same configuration).
final class AutoCertRig {
    static let name = "site.example.test"
    static let names = ["site.example.test", "www.site.example.test"]

    let pebble: Pebble
    let backend: TestBackend
    let challenge: String
    /// pounce's ListenHTTP (http-01 validation), nil for tls-alpn-01.
    let httpPort: Int?
    /// pounce's ListenHTTPS with AutoCert (tls-alpn-01 validation).
    let tlsPort: Int
    let work: String
    let stateDirectory: String
    /// Pebble's current root, saved (for --cacert); `saveRoot()` after a Pebble restart.
    private(set) var root: String
    private var started: [RunningPounce] = []

    var installed: String { line("certificate installed") }

    init(challenge: String, validity: Int? = nil) throws {
        self.challenge = challenge
        httpPort = challenge == "http-01" ? FreePort.next() : nil
        tlsPort = FreePort.next()
        backend = try TestBackend(name: "b1")
        pebble = try Pebble(httpPort: httpPort, tlsPort: tlsPort, certificateValidityPeriod: validity)
        work = PounceProcess.temporaryDirectory()
        stateDirectory = work + "/acme"
        try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        root = work + "/root-0.pem"
        try pebble.saveRoot(to: root)
    }

    /// Saves the root of Pebble's current run and makes it `root`.
    @discardableResult
    func saveRoot() throws -> String {
        let path = work + "/root-\(UUID().uuidString).pem"
        try pebble.saveRoot(to: path)
        root = path
        return path
    }

    /// `acme: NAME: text`, as pounce logs it.
    func line(_ text: String) -> String { "acme: \(Self.name): \(text)" }

    var config: String {
        let http = httpPort.map { listenHTTPBlock(port: $0, backendPort: backend.port) } ?? ""
        return """
            Daemon 0
            LogFacility -
            Control "\(work)/ctl"
            \(http)
            ListenHTTPS
                Address 127.0.0.1
                Port \(tlsPort)
                AutoCert "\(Self.names.joined(separator: "\" \""))"
                CertificateAuthority "\(pebble.directory.absoluteString)"
                CertificateAuthorityTrust "\(pebble.trust)"
                Contact "mailto:ops@example.test"
                StateDirectory "\(stateDirectory)"
                Challenge "\(challenge)"
                Service
                    URL "^/metrics$"
                    Metrics
                End
                Service
                    URL "^/status"
                    Stats
                End
            \(backendService(backend.port))
            End
            """
    }

    /// Starts pounce on `config` and waits until the HTTPS listener accepts.
    func startPounce() throws -> RunningPounce {
        let pounce = try RunningPounce(config: config, waitForPort: false)
        started.append(pounce)
        guard TCP.waitUntilAccepting(port: tlsPort, timeout: 15) else {
            pounce.stop(signal: SIGKILL)
            throw HarnessError("pounce did not start accepting on \(tlsPort):\n\(pounce.log)")
        }
        return pounce
    }

    func tearDown() {
        for pounce in started { pounce.stop(signal: SIGKILL, timeout: 5) }
        pebble.stop()
        backend.stop()
    }

    /// Waits until pounce has logged `count` installations; throws with both logs if not.
    func waitForInstallations(_ count: Int, _ pounce: RunningPounce, timeout: TimeInterval = 60) throws {
        guard waitForCount(installed, atLeast: count, in: pounce, timeout: timeout) else {
            throw HarnessError("\(count) × '\(installed)' not logged within \(Int(timeout)) s\n"
                               + "pounce:\n\(pounce.log)\npebble:\n\(pebble.log.suffix(4000))")
        }
    }

    func waitForCount(_ text: String, atLeast count: Int, in pounce: RunningPounce, timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if pounce.log.components(separatedBy: text).count - 1 >= count { return true }
            usleep(100_000)
        }
        return false
    }

    /// The next failed attempt pounce logs (one that says when it retries), within `timeout`.
    func waitForFailure(_ pounce: RunningPounce, timeout: TimeInterval) -> String? {
        pounce.waitForLogLine(timeout: timeout) { $0.contains(line("failed:")) && $0.contains("next attempt in") }
    }

    func expectPlaceholderLogged(_ pounce: RunningPounce, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(pounce.waitForLog(line("serving a self-signed placeholder until a certificate is issued")),
                "\(pounce.log)", sourceLocation: sourceLocation)
    }

    /// The first order over this rig's challenge, then its certificate installed.
    func waitForFirstIssuance(_ pounce: RunningPounce, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(pounce.waitForLog(line("requesting a certificate (\(challenge))"), timeout: 30), "\(pounce.log)",
                sourceLocation: sourceLocation)
        try waitForInstallations(1, pounce)
    }

    /// What a new connection gets once issued: Pebble's certificate, not self-signed.
    @discardableResult
    func expectIssuedByPebble(sourceLocation: SourceLocation = #_sourceLocation) throws -> Served {
        let issued = try #require(served(Self.name), sourceLocation: sourceLocation)
        #expect(!issued.isSelfSigned && issued.issuer.contains("Pebble"), "\(issued)", sourceLocation: sourceLocation)
        return issued
    }

    /// The failures counted in the metrics.
    var consecutiveFailures: Double? { metric("pounce_acme_consecutive_failures") }

    /// `N` of "next attempt in N s".
    static func nextAttempt(_ line: String) -> Double? {
        guard let range = line.range(of: "next attempt in ") else { return nil }
        let number = line[range.upperBound...].prefix { $0.isNumber || $0 == "." }
        return Double(number)
    }

    static func normalizedSerial(_ serial: String) -> String {
        let hex = serial.uppercased().filter(\.isHexDigit)
        let trimmed = hex.drop { $0 == "0" }
        return trimmed.isEmpty ? "0" : String(trimmed)
    }

    // MARK: Clients

    struct Served: CustomStringConvertible {
        var subject = "", issuer = "", serial = "", notAfter = ""
        var isSelfSigned: Bool { !subject.isEmpty && subject == issuer }
        /// `serial` as `normalizedSerial` writes it, for comparisons.
        var serialNumber: String { AutoCertRig.normalizedSerial(serial) }
        var description: String { "subject=\(subject) issuer=\(issuer) serial=\(serial) notAfter=\(notAfter)" }
    }

    private func sh(_ command: String) -> PounceProcess.Result {
        PounceProcess.run(["-c", command], in: work, executable: "/bin/sh")
    }

    /// The leaf served for SNI `name` on a new connection (openssl s_client), PEM; "" if none.
    func certificatePEM(_ name: String) -> String {
        sh("timeout 10 openssl s_client -connect 127.0.0.1:\(tlsPort) -servername '\(name)' </dev/null 2>/dev/null"
           + " | openssl x509").stdout
    }

    func served(_ name: String) -> Served? {
        let pem = certificatePEM(name)
        guard pem.contains("BEGIN CERTIFICATE") else { return nil }
        let file = work + "/served-\(UUID().uuidString).pem"
        PounceProcess.write(pem, to: file)
        let out = sh("openssl x509 -in '\(file)' -noout -subject -issuer -serial -enddate").stdout
        var served = Served()
        for line in out.split(separator: "\n") {
            let text = String(line)
            func value(_ prefix: String) -> String? {
                text.hasPrefix(prefix) ? String(text.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces) : nil
            }
            if let v = value("subject=") { served.subject = v }
            if let v = value("issuer=") { served.issuer = v }
            if let v = value("serial=") { served.serial = v }
            if let v = value("notAfter=") { served.notAfter = v }
        }
        return served
    }

    /// `openssl x509 -text` of the certificate served for `name`.
    func certificateText(_ name: String) -> String {
        let file = work + "/text-\(UUID().uuidString).pem"
        PounceProcess.write(certificatePEM(name), to: file)
        return sh("openssl x509 -in '\(file)' -noout -text").stdout
    }

    func subjectAltNames(_ name: String) -> String {
        let file = work + "/san-\(UUID().uuidString).pem"
        PounceProcess.write(certificatePEM(name), to: file)
        return sh("openssl x509 -in '\(file)' -noout -ext subjectAltName").stdout
    }

    /// `GET path` as `https://name:tlsPort/` resolved to 127.0.0.1, verified against `root`
    /// (nil: not verified); headers and body on stdout.
    func curl(_ name: String, root: String?, path: String = "/") -> PounceProcess.Result {
        let trust = root.map { ["--cacert", $0] } ?? ["-k"]
        return PounceProcess.run(["-s", "-S", "--http1.1", "--max-time", "10", "-D", "-"] + trust
                                 + ["--resolve", "\(name):\(tlsPort):127.0.0.1", "https://\(name):\(tlsPort)\(path)"],
                                 in: work, executable: "/usr/bin/curl")
    }

    /// `curl` for `name` verified against `root` (nil: not verified) must succeed and, when
    /// `fromBackend`, reach the backend; `context` (pounce's log) goes with a failure.
    @discardableResult
    func expectReply(_ name: String = AutoCertRig.name, root: String?, fromBackend: Bool = true, context: String = "",
                     sourceLocation: SourceLocation = #_sourceLocation) -> PounceProcess.Result {
        let reply = curl(name, root: root)
        #expect(reply.status == 0, "curl \(name): \(reply.stderr)\n\(context)", sourceLocation: sourceLocation)
        if fromBackend {
            #expect(reply.stdout.lowercased().contains("x-backend: b1"), "\(reply.stdout)", sourceLocation: sourceLocation)
        }
        return reply
    }

    /// `expectReply` for every name, against the current root.
    @discardableResult
    func expectEveryNameReplies(_ pounce: RunningPounce, fromBackend: Bool = true,
                                sourceLocation: SourceLocation = #_sourceLocation) -> [PounceProcess.Result] {
        Self.names.map {
            expectReply($0, root: root, fromBackend: fromBackend, context: pounce.log, sourceLocation: sourceLocation)
        }
    }

    /// The metrics page (through the HTTPS listener, not verified).
    func scrape() -> String { curl(Self.name, root: nil, path: "/metrics").stdout }

    /// The value of `family{certificate="site.example.test"}` in the metrics.
    func metric(_ family: String) -> Double? {
        for line in scrape().split(separator: "\n") where line.hasPrefix(family + "{")
            && line.contains("certificate=\"\(Self.name)\"") {
            guard let close = line.lastIndex(of: "}") else { continue }
            let rest = line[line.index(after: close)...].split(separator: " ")
            if let value = rest.first.flatMap({ Double($0) }) { return value }
        }
        return nil
    }
}

extension RunningPounce {
    func installations(_ rig: AutoCertRig) -> Int { log.components(separatedBy: rig.installed).count - 1 }
}

/// Python's `http.client` on ONE keep-alive HTTPS connection (verified against the rig's
/// root), sending requests back to back until told to stop; it counts responses, errors
/// and connections made, and keeps each connection's certificate serial.
final class BusyClient {
    struct Progress {
        var ok = 0, errors = 0, connects = 0
        var serials: [String] = []
        var lastError = ""
    }

    private static let script = """
        import http.client, json, os, socket, ssl, sys, time
        port, root, name, stop, progress = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
        ctx = ssl.create_default_context(cafile=root)
        state = {"ok": 0, "errors": 0, "connects": 0, "serials": [], "lastError": ""}

        class Connection(http.client.HTTPSConnection):
            def connect(self):
                state["connects"] += 1
                raw = socket.create_connection(("127.0.0.1", port), 10)
                self.sock = ctx.wrap_socket(raw, server_hostname=name)
                state["serials"].append(self.sock.getpeercert().get("serialNumber", ""))

        def report(path):
            with open(path + ".tmp", "w") as f:
                json.dump(state, f)
            os.replace(path + ".tmp", path)

        conn = Connection(name, port, context=ctx, timeout=10)
        deadline = time.time() + 240
        i = 0
        while not os.path.exists(stop) and time.time() < deadline:
            i += 1
            try:
                conn.request("GET", "/busy/%d" % i)
                r = conn.getresponse()
                r.read()
                if r.status == 200:
                    state["ok"] += 1
                else:
                    state["errors"] += 1
                    state["lastError"] = "status %d" % r.status
            except Exception as e:
                state["errors"] += 1
                state["lastError"] = repr(e)
                conn.close()
            report(progress)
            time.sleep(0.02)
        report(progress)
        print(json.dumps(state))
        """

    private let process = Process()
    private let directory: String
    private var result: Progress?

    init(rig: AutoCertRig) throws {
        directory = PounceProcess.temporaryDirectory()
        PounceProcess.write(Self.script, to: directory + "/busy.py")
        _ = FileManager.default.createFile(atPath: directory + "/out", contents: nil)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", directory + "/busy.py", String(rig.tlsPort), rig.root, AutoCertRig.name,
                             directory + "/stop", directory + "/progress.json"]
        let out = FileHandle(forWritingAtPath: directory + "/out")
        process.standardOutput = out
        process.standardError = out
        try process.run()
    }

    var output: String { PounceProcess.read(directory + "/out") }

    var progress: Progress? { Self.parse(PounceProcess.read(directory + "/progress.json")) }

    func waitForProgress(timeout: TimeInterval, until predicate: (Progress) -> Bool) -> Progress? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let p = progress, predicate(p) { return p }
            if !process.isRunning { return nil }
            usleep(100_000)
        }
        return nil
    }

    /// Tells the client to stop, waits (15 s at most) and returns its final counts.
    @discardableResult
    func finish() -> Progress? {
        if let result { return result }
        PounceProcess.write("", to: directory + "/stop")
        let deadline = Date().addingTimeInterval(15)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        result = progress
        return result
    }

    private static func parse(_ text: String) -> Progress? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return nil }
        return Progress(ok: object["ok"] as? Int ?? 0, errors: object["errors"] as? Int ?? 0,
                        connects: object["connects"] as? Int ?? 0, serials: object["serials"] as? [String] ?? [],
                        lastError: object["lastError"] as? String ?? "")
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}
