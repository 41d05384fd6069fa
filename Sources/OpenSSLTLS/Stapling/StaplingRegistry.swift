import Synchronization

/// Which SSL_CTX staples which certificate's answer, and the answers held: one lock over
/// small tables. Handshakes (event-loop threads) only read through it, the refresher and
/// attach/detach write; every critical section is a few dictionary operations.
final class StaplingRegistry: Sendable {
    /// A fetch the refresher should make now.
    struct Job {
        let entry: UInt
        let query: OCSPQuery
        let name: String
    }

    private struct Tables {
        var entries: [UInt: StaplingEntry] = [:]
        /// Leaf DER + issuer DER → entry: contexts serving the same certificate share it.
        var entryByCertificate: [[UInt8]: UInt] = [:]
        /// The status callback's argument → entry (see OCSPStapling for why a number).
        var arguments: [UInt: UInt] = [:]
        /// SSL_CTX address → its argument, for detach.
        var contexts: [UInt: UInt] = [:]
        /// Entry → its current answer; kept apart from `entries` so a handshake's lookup
        /// touches nothing else.
        var staples: [UInt: Staple] = [:]
        /// Entry and argument numbers, never reused, so a stale one finds nothing.
        var lastNumber: UInt = 0

        mutating func number() -> UInt {
            lastNumber += 1
            return lastNumber
        }

        mutating func remove(context: UInt) {
            guard let argument = contexts.removeValue(forKey: context),
                  let entry = arguments.removeValue(forKey: argument) else { return }
            entries[entry]?.contexts -= 1
            if let left = entries[entry], left.contexts <= 0 {
                entries[entry] = nil
                staples[entry] = nil
                entryByCertificate[left.key] = nil
            }
        }
    }

    private let tables = Mutex(Tables())

    /// Registers the SSL_CTX at `context` for the certificate whose DER (with its issuer's)
    /// is `key`, replacing an earlier registration of the same context. Returns the status
    /// callback's argument, and whether the certificate is new (so needs a fetch).
    func attach(context: UInt, key: [UInt8], name: String, query: OCSPQuery) -> (argument: UInt, isNew: Bool) {
        tables.withLock { t in
            t.remove(context: context)
            let entry: UInt
            let isNew: Bool
            if let existing = t.entryByCertificate[key] {
                entry = existing
                t.entries[existing]?.contexts += 1
                isNew = false
            } else {
                entry = t.number()
                t.entries[entry] = StaplingEntry(query: query, key: key, name: name)
                t.entryByCertificate[key] = entry
                isNew = true
            }
            let argument = t.number()
            t.arguments[argument] = entry
            t.contexts[context] = argument
            return (argument, isNew)
        }
    }

    func detach(context: UInt) {
        tables.withLock { $0.remove(context: context) }
    }

    /// The handshake's question: the answer to staple for `argument`, if one is current.
    func staple(argument: UInt, now: Double) -> [UInt8]? {
        let staple = tables.withLock { t in t.arguments[argument].flatMap { t.staples[$0] } }
        guard let staple, staple.isCurrent(at: now) else { return nil }
        return staple.response
    }

    /// The refresher's question: what to fetch now, else how long to sleep (nil: nothing is
    /// registered); answers past their nextUpdate are dropped on the way, their names
    /// returned for the log.
    func nextWork(now: Double) -> (job: Job?, sleep: Double?, expired: [(name: String, at: Double)]) {
        tables.withLock { t in
            var expired: [(String, Double)] = []
            var wake: Double?
            for (entry, staple) in t.staples {
                guard let expires = staple.expires else { continue }
                if expires <= now {
                    t.staples[entry] = nil
                    expired.append((t.entries[entry]?.name ?? "?", expires))
                } else {
                    wake = min(wake ?? expires, expires)
                }
            }
            let due = t.entries.min { $0.value.nextFetch < $1.value.nextFetch }
            if let (entry, state) = due, state.nextFetch <= now {
                return (Job(entry: entry, query: state.query, name: state.name), nil, expired)
            }
            if let due { wake = min(wake ?? due.value.nextFetch, due.value.nextFetch) }
            return (nil, wake.map { max($0 - now, 0) }, expired)
        }
    }

    /// Stores a checked answer (unless the certificate was detached meanwhile) and
    /// schedules the refresh; false when the entry is gone.
    func fetched(_ job: Job, answer: OCSPQuery.Answer, now: Double) -> Bool {
        tables.withLock { t in
            guard t.entries[job.entry] != nil else { return false }
            t.entries[job.entry]?.fetched(answer, now: now)
            t.staples[job.entry] = Staple(response: answer.response, expires: answer.nextUpdate)
            return true
        }
    }

    /// Schedules the retry after a failed fetch (the last good answer stays): the delay,
    /// nil when the entry is gone.
    func failed(_ job: Job, now: Double) -> Double? {
        tables.withLock { t in
            guard t.entries[job.entry] != nil else { return nil }
            return t.entries[job.entry]?.failed(now: now)
        }
    }
}
