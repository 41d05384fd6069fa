/// One certificate (with its issuer) being stapled, shared by every SSL_CTX serving it,
/// and when the refresher should ask its responder next.
struct StaplingEntry {
    let query: OCSPQuery
    /// The certificate's DER, then its issuer's: how contexts find a shared entry.
    let key: [UInt8]
    /// The subject's CN, for the log.
    let name: String
    /// How many SSL_CTXs staple this: the entry goes when the last one is detached.
    var contexts = 1
    /// Seconds since the epoch; 0: at once.
    var nextFetch: Double = 0
    /// The wait after the next failure.
    var retryDelay = StaplingEntry.firstRetry

    /// Failures are retried after 10 s, 20 s, 40 s ... at most an hour apart: a responder
    /// that is down is not hammered, one that comes back is used soon.
    static let firstRetry: Double = 10
    static let longestRetry: Double = 3600
    /// An answer without nextUpdate (the responder always has newer information, RFC 6960
    /// 4.2.2.1) is refreshed hourly.
    static let refreshWithoutNextUpdate: Double = 3600
    /// However short-lived an answer, its responder is not asked more often than this.
    static let shortestRefresh: Double = 10

    /// After a good fetch: half-way between thisUpdate and nextUpdate, so a failing
    /// responder leaves half the answer's life for retries before it expires.
    mutating func fetched(_ answer: OCSPQuery.Answer, now: Double) {
        retryDelay = Self.firstRetry
        if let next = answer.nextUpdate {
            nextFetch = max(answer.thisUpdate + (next - answer.thisUpdate) / 2, now + Self.shortestRefresh)
        } else {
            nextFetch = now + Self.refreshWithoutNextUpdate
        }
    }

    /// After a failed fetch: the delay until the retry.
    mutating func failed(now: Double) -> Double {
        let delay = retryDelay
        nextFetch = now + delay
        retryDelay = min(retryDelay * 2, Self.longestRetry)
        return delay
    }
}
