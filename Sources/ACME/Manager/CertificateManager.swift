import Foundation
import OpenSSLTLS
import PoundConfig
import Synchronization

/// Automatic HTTPS: the `AutoCert` certificates of every listener, obtained from the CA,
/// renewed, and installed into the listeners' live contexts.
///
/// Listeners ask for what to serve while they are built (`initialCertificate`): a stored
/// certificate still valid, read from the state directory with no network, or else a
/// self-signed placeholder. `start()` then runs one thread, off the event loops, that
/// orders what is missing or due, answers the challenges, stores the result and swaps it
/// in; failures are logged and retried with `RenewalSchedule`'s backoff while the old
/// certificate keeps being served.
public final class CertificateManager: AutomaticCertificates, @unchecked Sendable {
    public let alpnChallenges = ALPNChallenges()
    private let log: @Sendable (String) -> Void
    private let now: @Sendable () -> Double
    /// Records and the thread's stop flag; the thread sleeps on `wake`.
    private let wake = NSCondition()
    private var records: [String: ManagedCertificate] = [:]
    private var stopping = false
    private var thread: Thread?
    /// One client per CA and state directory (its account), used by the thread only.
    private var clients: [String: ACMEClient] = [:]

    public init(log: @escaping @Sendable (String) -> Void,
                now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.log = log
        self.now = now
    }

    deinit { stop() }

    // MARK: AutomaticCertificates

    public func initialCertificate(for certificate: AutoCertificate, settings: ACMESettings) throws(TLSContextError)
        -> CertificatePEM {
        wake.lock()
        defer { wake.unlock() }
        let record = try record(for: certificate, settings: settings)
        guard let served = record.served else {
            throw TLSContextError(message: "AutoCert \(certificate.name): nothing to serve", range: certificate.range)
        }
        return served
    }

    public func serve(_ certificate: AutoCertificate, settings: ACMESettings, in slot: CertificateSlot) {
        wake.lock()
        defer { wake.unlock() }
        records[Self.key(certificate.names, settings)]?.slots.append(slot)
    }

    public var statuses: [ManagedCertificateStatus] {
        wake.lock()
        defer { wake.unlock() }
        return records.values.map(\.status).sorted { $0.name < $1.name }
    }

    // MARK: running

    /// Starts ordering and renewing (nothing to do without `AutoCert`).
    public func start() {
        wake.lock()
        defer { wake.unlock() }
        guard thread == nil, !records.isEmpty else { return }
        let thread = Thread { [self] in run() }
        thread.name = "pounce-acme"
        self.thread = thread
        thread.start()
    }

    /// Stops the thread at its next wait (an order in progress ends first, bounded by the
    /// client's timeouts).
    public func stop() {
        wake.lock()
        stopping = true
        wake.broadcast()
        wake.unlock()
    }

    private static func key(_ names: [String], _ settings: ACMESettings) -> String {
        "\(settings.stateDirectory)\u{0}\(settings.directoryURL)\u{0}\(names.joined(separator: ","))"
    }

    /// The record for `certificate`, made on first use from the state directory. Called
    /// with the lock held.
    private func record(for certificate: AutoCertificate, settings: ACMESettings) throws(TLSContextError)
        -> ManagedCertificate {
        let key = Self.key(certificate.names, settings)
        if let known = records[key] { return known }
        let fail = { (why: String) in
            TLSContextError(message: "AutoCert \(certificate.name): \(why)", range: certificate.range)
        }
        let directory: StateDirectory
        do { directory = try StateDirectory(path: settings.stateDirectory) } catch { throw fail("StateDirectory \(error)") }
        let time = now()
        let record = ManagedCertificate(names: certificate.names, settings: settings, due: time)
        let stored: (chain: String, key: ECKey, info: CertificateInfo)?
        do { stored = try directory.certificate(for: certificate.name) } catch { throw fail(error.description) }
        if let stored, stored.info.notAfter > time, Set(certificate.names).isSubset(of: Set(stored.info.names)) {
            record.current = (CertificatePEM(chain: stored.chain, key: stored.key.pem), stored.info)
            record.due = record.renewalTime()
            record.windowCheck = ManagedCertificate.firstWindowCheck(now: time)
            log("acme: \(record.name): loaded from \(directory.path), valid until \(Self.date(stored.info.notAfter))")
        } else {
            do {
                let key = try ECKey.generate()
                record.placeholder = CertificatePEM(chain: try SelfSignedCertificate.pem(names: certificate.names, key: key),
                                                    key: key.pem)
            } catch {
                throw fail("cannot make a placeholder certificate: \(error)")
            }
            log("acme: \(record.name): serving a self-signed placeholder until a certificate is issued")
        }
        records[key] = record
        return record
    }

    // MARK: the thread

    private func run() {
        wake.lock()
        while !stopping {
            let time = now()
            if let record = records.values.filter({ $0.windowCheck <= time && $0.current != nil })
                .min(by: { $0.windowCheck < $1.windowCheck }) {
                wake.unlock()
                checkWindow(record)
                wake.lock()
                continue
            }
            if let record = records.values.filter({ $0.due <= time }).min(by: { $0.due < $1.due }) {
                record.ordering = true
                wake.unlock()
                order(record)
                wake.lock()
                record.ordering = false
                continue
            }
            let next = records.values.flatMap { [$0.due, $0.windowCheck] }.min() ?? .infinity
            // Wake at least hourly: the clock may jump (suspend, NTP) while we wait.
            _ = wake.wait(until: Date(timeIntervalSince1970: min(next, time + 3600)))
        }
        wake.unlock()
    }

    /// Orders `record`'s certificate and installs it, or schedules the next attempt.
    private func order(_ record: ManagedCertificate) {
        let settings = record.settings
        log("acme: \(record.name): requesting a certificate (\(settings.challenge.rawValue))")
        var board: ChallengeBoard?
        do {
            let directory = try StateDirectory(path: settings.stateDirectory)
            let client = try client(for: settings, directory: directory)
            let challenges = ChallengeBoard(directory: directory, alpn: alpnChallenges)
            board = challenges
            let key = try ECKey.generate()
            let chain = try client.issue(names: record.names, certificateKey: key, challengeType: settings.challenge.rawValue) {
                challenge, identifier, keyAuthorization in
                if let problem = challenges.publish(challenge, identifier: identifier, keyAuthorization: keyAuthorization) {
                    log("acme: \(record.name): cannot answer the challenge for \(identifier): \(problem)")
                }
            }
            board?.withdrawAll()
            board = nil
            guard let info = CertificateInfo(pem: chain) else {
                throw ACMEClient.Failure(status: nil, type: nil, description: "the CA sent no readable certificate")
            }
            try directory.store(chain: chain, key: key, for: record.name)
            let pem = CertificatePEM(chain: chain, key: key.pem)
            wake.lock()
            let slots = record.slots
            wake.unlock()
            for slot in slots { try slot.install(pem) }
            wake.lock()
            record.current = (pem, info)
            record.placeholder = nil
            record.window = nil
            record.windowCheck = ManagedCertificate.firstWindowCheck(now: now())
            record.schedule.succeeded()
            record.lastError = nil
            record.due = record.renewalTime()
            wake.unlock()
            log("acme: \(record.name): certificate installed, valid until \(Self.date(info.notAfter)), "
                + "renewal at \(Self.date(record.due))")
        } catch {
            board?.withdrawAll()
            let why = "\(error)"
            let time = now()
            wake.lock()
            // The CA may have forgotten the account (a test CA restarted) or changed its
            // directory: the next attempt starts from the directory again.
            clients[Self.key([], settings)] = nil
            let lifetime = record.current.map { $0.info.notAfter - $0.info.notBefore }
            record.due = record.schedule.failed(now: time, notAfter: record.current?.info.notAfter, lifetime: lifetime)
            record.lastError = why
            let wait = Int((record.due - time).rounded(.up))
            wake.unlock()
            log("acme: \(record.name): failed: \(why); next attempt in \(wait) s")
        }
    }

    /// Asks the CA's renewal information (RFC 9773) when it offers it; a window earlier than
    /// two thirds of the lifetime moves the renewal forward.
    private func checkWindow(_ record: ManagedCertificate) {
        var next = now() + 6 * 3600
        var window: (start: Double, end: Double)?
        if let info = record.current?.info, let identifier = info.renewalIdentifier,
           let directory = try? StateDirectory(path: record.settings.stateDirectory),
           let client = try? client(for: record.settings, directory: directory, register: false),
           let answer = try? client.renewalInformation(identifier) {
            window = answer.window
            if let retry = answer.retryAfter { next = now() + min(max(retry, 60), 24 * 3600) }
        }
        wake.lock()
        record.windowCheck = next
        if let window {
            record.window = window
            record.due = min(record.due, record.renewalTime())
        }
        wake.unlock()
    }

    private func client(for settings: ACMESettings, directory: StateDirectory, register: Bool = true) throws -> ACMEClient {
        let key = Self.key([], settings)
        wake.lock()
        let known = clients[key]
        wake.unlock()
        let client: ACMEClient
        if let known {
            client = known
        } else {
            guard let url = URL(string: settings.directoryURL) else {
                throw ACMEClient.Failure(status: nil, type: nil, description: "\(settings.directoryURL): not a URL")
            }
            client = ACMEClient(directoryURL: url, key: try directory.accountKey(), http: HTTPSClient(trust: settings.trustFile))
            wake.lock()
            clients[key] = client
            wake.unlock()
        }
        if register && client.accountURL == nil {
            try client.register(contact: settings.contact, agreeToTerms: true)
        }
        return client
    }

    static func date(_ seconds: Double) -> String {
        Date(timeIntervalSince1970: seconds).formatted(.iso8601)
    }
}
