import OpenSSLTLS
import PoundConfig

/// One `AutoCert` certificate as the manager keeps it: what is served, where it goes, and
/// when it is next renewed. Touched by the manager's thread only, but for `slots` (added
/// while listeners are built) and `status` (read by the control API), both behind the
/// manager's lock.
final class ManagedCertificate {
    let names: [String]
    let settings: ACMESettings
    var slots: [CertificateSlot] = []

    /// The served certificate; nil while the placeholder is.
    var current: (pem: CertificatePEM, info: CertificateInfo)?
    var placeholder: CertificatePEM?
    var schedule = RenewalSchedule()
    /// When to order a certificate next (seconds since the epoch).
    var due: Double
    /// The CA's renewal window (RFC 9773), when it gives one, and when to ask again.
    var window: (start: Double, end: Double)?
    /// When to ask for the window (never before a certificate is served, see `firstWindowCheck`).
    var windowCheck: Double = .infinity
    var lastError: String?
    var ordering = false
    /// Picks the point in a renewal window; fixed per certificate, so that asking again does
    /// not move the renewal around.
    let random = Double.random(in: 0..<1)

    var name: String { names.first ?? "" }

    /// The first renewal-information request for a certificate just loaded or installed: at
    /// a random point of the next 6 hours (RFC 9773 §4.3.3 asks clients to spread their
    /// checks), so a start with stored certificates asks the CA nothing, and a fleet
    /// restarted at once does not ask all together.
    static func firstWindowCheck(now: Double) -> Double {
        now + Double.random(in: 0..<(6 * 3600))
    }

    init(names: [String], settings: ACMESettings, due: Double) {
        self.names = names
        self.settings = settings
        self.due = due
    }

    /// What to serve now.
    var served: CertificatePEM? { current?.pem ?? placeholder }

    /// When the served certificate is renewed: at two thirds of its life or in the CA's window.
    func renewalTime() -> Double {
        guard let info = current?.info else { return 0 }
        return RenewalSchedule.renewalTime(notBefore: info.notBefore, notAfter: info.notAfter, window: window,
                                           random: random)
    }

    var status: ManagedCertificateStatus {
        let state: ManagedCertificateStatus.State
        if ordering {
            state = .renewing
        } else if schedule.failures > 0 {
            state = .failing
        } else {
            state = current == nil ? .placeholder : .valid
        }
        return ManagedCertificateStatus(name: name, names: names, state: state, notAfter: current?.info.notAfter,
                                        nextAttempt: due, consecutiveFailures: schedule.failures, lastError: lastError)
    }
}
