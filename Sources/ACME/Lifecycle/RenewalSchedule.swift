/// When a certificate is renewed, and when a failed attempt is tried again. Times are
/// seconds since the epoch, passed in, so the rules are tested without waiting.
///
/// - Renew at two thirds of the lifetime (Let's Encrypt's and Caddy's rule: 60 days into a
///   90-day certificate, 4 days into a 6-day one), or at a moment in the window the CA's
///   ACME Renewal Information gives when it gives one (RFC 9773 §4.2: a uniformly random
///   point, so that many clients do not all ask at once), whichever comes first.
/// - A failed attempt is retried after 1 minute, doubling up to 6 hours, but never later
///   than an hour before the certificate expires while there is still time.
public struct RenewalSchedule: Sendable, Equatable {
    public static let firstRetry = 60.0
    public static let longestRetry = 6 * 3600.0

    public private(set) var failures = 0

    public init() {}

    /// The moment to renew a certificate valid from `notBefore` to `notAfter`; `random` in
    /// 0..<1 picks the point inside a renewal-information window.
    public static func renewalTime(notBefore: Double, notAfter: Double, window: (start: Double, end: Double)? = nil,
                                   random: Double) -> Double {
        let twoThirds = notBefore + (notAfter - notBefore) * 2 / 3
        guard let window, window.end > window.start else { return twoThirds }
        let inWindow = window.start + (window.end - window.start) * min(max(random, 0), 0.999_999)
        return min(twoThirds, inWindow)
    }

    /// Records a failed attempt at `now`; returns when to try again. A certificate living
    /// `lifetime` seconds is first retried after a twentieth of it when that is sooner than
    /// a minute (at least a second): a 30-second certificate cannot wait a minute.
    public mutating func failed(now: Double, notAfter: Double?, lifetime: Double? = nil) -> Double {
        failures += 1
        var delay = Self.firstRetry
        if let lifetime { delay = max(1, min(delay, lifetime / 20)) }
        for _ in 1..<failures where delay < Self.longestRetry { delay *= 2 }
        delay = min(delay, Self.longestRetry)
        if let notAfter, notAfter - now > 2 * 3600 {
            delay = min(delay, notAfter - 3600 - now)
        }
        return now + delay
    }

    public mutating func succeeded() { failures = 0 }
}
