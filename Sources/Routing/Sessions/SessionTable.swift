import Synchronization

/// One service's sticky sessions: key → backend, forgotten after `TTL` seconds
/// without use (Pound's session hash plus its LRU expiry job).
///
/// A `Mutex` guards the table; this and the TBF buckets are the only shared
/// structures allowed a lock. Critical sections are a dictionary operation (plus
/// the lock-free balancer when a session is created, so that lookup-then-create is
/// atomic as in Pound). Expired entries are ignored on lookup and dropped by a sweep
/// at most once per TTL, which bounds the table to the keys of about two TTLs.
public final class SessionTable: Sendable {
    struct Entry {
        var backend: Int
        var expires: UInt64
    }

    struct State {
        var entries: [String: Entry] = [:]
        var nextSweep: UInt64 = 0
    }

    /// Idle lifetime in nanoseconds.
    public let ttl: UInt64
    private let clock: any RoutingClock
    private let state = Mutex(State())

    init(ttlSeconds: Int, clock: any RoutingClock) {
        let (t, overflow) = UInt64(max(ttlSeconds, 0)).multipliedReportingOverflow(by: 1_000_000_000)
        ttl = overflow ? UInt64.max / 4 : t
        self.clock = clock
    }

    private func sweepIfDue(_ state: inout State, now: UInt64) {
        guard now >= state.nextSweep else { return }
        state.entries = state.entries.filter { $0.value.expires > now }
        state.nextSweep = now &+ max(ttl, 1_000_000_000)
    }

    /// `find_backend_by_key`: the backend of a live session for `key` (its lifetime
    /// renewed), or else the backend `choose` picks, remembered under `key`. A session
    /// whose backend `isAlive` rejects is dropped first (Pound drops sessions when
    /// their backend dies; this also covers a session learnt while it was dying).
    func resolve(_ key: String, isAlive: (Int) -> Bool, choose: () -> Int?) -> Int? {
        let now = clock.nanoseconds()
        return state.withLock { state in
            sweepIfDue(&state, now: now)
            if let e = state.entries[key] {
                if e.expires > now && isAlive(e.backend) {
                    state.entries[key]?.expires = now &+ ttl
                    return e.backend
                }
                state.entries[key] = nil
            }
            guard let b = choose() else { return nil }
            state.entries[key] = Entry(backend: b, expires: now &+ ttl)
            return b
        }
    }

    /// `upd_session`: create a session for `key` unless one exists (which is only
    /// renewed, even if it names another backend).
    func learn(_ key: String, backend: Int) {
        let now = clock.nanoseconds()
        state.withLock { state in
            sweepIfDue(&state, now: now)
            if let e = state.entries[key], e.expires > now {
                state.entries[key]?.expires = now &+ ttl
            } else {
                state.entries[key] = Entry(backend: backend, expires: now &+ ttl)
            }
        }
    }

    /// Adds or replaces a session (`poundctl add`).
    public func add(_ key: String, backend: Int) {
        let now = clock.nanoseconds()
        state.withLock { $0.entries[String(decoding: key.utf8.prefix(SessionKeys.maxKeyBytes), as: UTF8.self)] = Entry(backend: backend, expires: now &+ ttl) }
    }

    /// Removes the session of `key` (`poundctl delete`); true if there was one.
    @discardableResult
    public func remove(key: String) -> Bool {
        state.withLock { $0.entries.removeValue(forKey: key) != nil }
    }

    /// Drops every session of a backend (it died).
    func remove(backend: Int) {
        state.withLock { state in
            state.entries = state.entries.filter { $0.value.backend != backend }
        }
    }

    /// The live sessions: key, backend index, nanoseconds until expiry.
    public func snapshot() -> [(key: String, backend: Int, remaining: UInt64)] {
        let now = clock.nanoseconds()
        return state.withLock { state in
            state.entries.compactMap { key, e in
                e.expires > now ? (key, e.backend, e.expires - now) : nil
            }
        }
    }

    /// The backend of a live session, without renewing it.
    public func backend(forKey key: String) -> Int? {
        let now = clock.nanoseconds()
        return state.withLock { state in
            guard let e = state.entries[key], e.expires > now else { return nil }
            return e.backend
        }
    }
}
