import Dispatch
import Foundation
import Synchronization

/// The one thread that talks to OCSP responders: blocking HTTP with timeouts, so never an
/// event loop. Started with the first certificate that names a responder; it then sleeps
/// until the next fetch or expiry is due, or until `poke` says a certificate was added.
final class OCSPRefresher: Sendable {
    private let registry: StaplingRegistry
    private let wake = DispatchSemaphore(value: 0)
    private let started = Mutex(false)
    /// Each phase of a fetch (connect, write, read) is bounded: one dead responder must not
    /// hold up the others' refreshes for long.
    private let client = HTTPSClient(timeout: 10)
    /// Sleeps are cut to this, so a wall-clock step (OCSP times are wall-clock) is noticed.
    private static let longestSleep: Double = 60

    init(registry: StaplingRegistry) {
        self.registry = registry
    }

    /// A certificate was added: start the thread if need be, and have it look now.
    func poke() {
        let start = started.withLock { running in
            defer { running = true }
            return !running
        }
        if start {
            let thread = Thread { [self] in run() }
            thread.name = "pounce-ocsp"
            thread.start()
        }
        wake.signal()
    }

    private func run() {
        while true {
            let now = Date().timeIntervalSince1970
            let work = registry.nextWork(now: now)
            for (name, at) in work.expired {
                OCSPStapling.report("ocsp: \(name): answer expired (next update \(Self.format(at)) passed); no longer stapling")
            }
            if let job = work.job {
                fetch(job)
                continue
            }
            _ = wake.wait(timeout: .now() + min(work.sleep ?? Self.longestSleep, Self.longestSleep))
        }
    }

    private func fetch(_ job: StaplingRegistry.Job) {
        let outcome = Result<OCSPQuery.Answer, HTTPSClient.Failure> { () throws(HTTPSClient.Failure) in
            try answer(for: job.query)
        }
        let now = Date().timeIntervalSince1970
        switch outcome {
        case .success(let answer):
            guard registry.fetched(job, answer: answer, now: now) else { return }
            let next = answer.nextUpdate.map { "next update \(Self.format($0))" } ?? "no next update given"
            switch answer.status {
            case .revoked:
                OCSPStapling.report("ocsp: \(job.name): stapling answer (revoked), \(next): the certificate is REVOKED")
            default:
                OCSPStapling.report("ocsp: \(job.name): stapling answer (good), \(next)")
            }
        case .failure(let failure):
            guard let delay = registry.failed(job, now: now) else { return }
            OCSPStapling.report("ocsp: \(job.name): \(job.query.responder): failed: \(failure.description); "
                             + "retrying in \(Int(delay)) s")
        }
    }

    /// RFC 6960 A.1.1: the DER request POSTed as application/ocsp-request. An answer that
    /// does not check (signature, times, certificate) is never stapled; nor is "unknown",
    /// which tells a client nothing and makes some refuse the connection.
    private func answer(for query: OCSPQuery) throws(HTTPSClient.Failure) -> OCSPQuery.Answer {
        guard let url = URL(string: query.responder) else {
            throw HTTPSClient.Failure(description: "not a URL")
        }
        let response = try client.post(url, body: query.request, contentType: "application/ocsp-request")
        guard response.status == 200 else {
            throw HTTPSClient.Failure(description: "HTTP status \(response.status)")
        }
        guard let answer = query.check(response.body) else {
            throw HTTPSClient.Failure(description: "the answer does not check (unsigned, out of date, or not about this certificate)")
        }
        guard answer.status != .unknown else {
            throw HTTPSClient.Failure(description: "the responder does not know the certificate (status unknown)")
        }
        return answer
    }

    /// `2025-01-02 03:04:05 UTC`.
    static func format(_ seconds: Double) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        var buffer = [CChar](repeating: 0, count: 32)
        let length = strftime(&buffer, buffer.count, "%Y-%m-%d %H:%M:%S UTC", &parts)
        return String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
