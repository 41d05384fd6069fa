import Synchronization

/// One service's sticky sessions: key → backend, forgotten after `TTL` seconds
/// without use, as Pound 4.23 does it (svc.c: each find or add sets the session's
/// expiry to now + TTL and moves it to the tail of the service's list; a job drops
/// sessions from the head once their expiry has passed).
///
/// The table is shared by every event loop, so it is split by key hash into
/// independently locked shards, each with its own dictionary and LRU list: two
/// loops contend only when their keys land in the same shard. Not lock-free because
/// Swift has no production lock-free hash map, and an uncontended `Mutex` costs
/// about 20 ns, well under the rest of a request.
///
/// Expired sessions are never returned. Within a shard the list is ordered by last
/// use, so every operation first trims expired sessions from its old end (O(1)
/// amortised, no periodic scan). Each shard also holds at most its part of
/// `capacity` sessions; a new one then replaces the shard's least recently used.
/// Sessions of a backend that died are invalidated at once by bumping that backend's
/// generation and dropped lazily when met.
public final class SessionTable: Sendable {
    /// Sessions kept per service at most. Pound has no bound; ours keeps a flood of
    /// distinct keys (each client address, each forged cookie) from growing memory
    /// without limit within one TTL: 100,000 sessions take about 25 MB even when
    /// every key is KEY_SIZE long.
    public static let defaultCapacity = 100_000

    /// A power of two comfortably above the number of event loops, so that two
    /// loops rarely hit the same shard.
    public static let defaultShardCount = 16

    /// Idle lifetime in nanoseconds.
    public let ttl: UInt64
    /// Most sessions held (split evenly over the shards).
    public let capacity: Int
    private let clock: any RoutingClock
    private let shards: [ShardBox]
    private let shardMask: Int

    /// A shard padded to its own cache lines, so that two loops locking
    /// neighbouring shards do not bounce one line between cores.
    private final class ShardBox: Sendable {
        let state: Mutex<Shard>
        private let padding: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
            (0, 0, 0, 0, 0, 0, 0, 0)

        init(capacity: Int) { state = Mutex(Shard(capacity: capacity)) }
    }

    /// `capacity` and `shardCount` are there for tests: the shard count is rounded
    /// down to a power of two and to at most `capacity`.
    init(ttlSeconds: Int, clock: any RoutingClock, capacity: Int = SessionTable.defaultCapacity,
         shardCount: Int = SessionTable.defaultShardCount) {
        let (t, overflow) = UInt64(max(ttlSeconds, 0)).multipliedReportingOverflow(by: 1_000_000_000)
        // Capped so that `lastUsed + ttl` cannot overflow.
        ttl = overflow || t > UInt64.max / 4 ? UInt64.max / 4 : t
        self.clock = clock
        let total = max(capacity, 1)
        self.capacity = total
        var n = 1
        while n * 2 <= min(max(shardCount, 1), total) { n *= 2 }
        shardMask = n - 1
        shards = (0..<n).map { i in ShardBox(capacity: total / n + (i < total % n ? 1 : 0)) }
    }

    private func shard(_ key: Key) -> ShardBox {
        // The low bits pick the dictionary bucket (Dictionary rehashes them anyway);
        // take the shard from the high ones.
        shards[Int(truncatingIfNeeded: UInt64(bitPattern: Int64(key.hash)) >> 48) & shardMask]
    }

    // MARK: Request path

    /// `find_backend_by_key`: the backend of a live session for `key` (its lifetime
    /// renewed), or else the backend `choose` picks, remembered under `key`;
    /// lookup-then-create is atomic as in Pound. A session whose backend `isAlive`
    /// rejects is dropped first (it was learnt while its backend was dying).
    func resolve(_ key: String, isAlive: (Int) -> Bool, choose: () -> Int?) -> Int? {
        let k = Key(key)
        let now = clock.nanoseconds()
        return shard(k).state.withLock { shard in
            shard.expire(now: now, ttl: ttl)
            if let slot = shard.live(k, now: now, ttl: ttl) {
                let backend = shard.backend(slot)
                if isAlive(backend) {
                    shard.touch(slot, now: now)
                    return backend
                }
                shard.delete(slot)
            }
            guard let b = choose() else { return nil }
            shard.insert(k, backend: b, now: now)
            return b
        }
    }

    /// `upd_session`: create a session for `key` unless one exists (which is only
    /// renewed, even if it names another backend).
    func learn(_ key: String, backend: Int) {
        let k = Key(key)
        let now = clock.nanoseconds()
        shard(k).state.withLock { shard in
            shard.expire(now: now, ttl: ttl)
            if let slot = shard.live(k, now: now, ttl: ttl) {
                shard.touch(slot, now: now)
            } else {
                shard.insert(k, backend: backend, now: now)
            }
        }
    }

    /// Drops every session of a backend (it died: Pound's `kill_be(BE_KILL)`). Each
    /// shard only bumps the backend's generation; its sessions then count as absent
    /// and go when met, or with age.
    func remove(backend: Int) {
        guard backend >= 0 else { return }
        for box in shards {
            box.state.withLock { $0.invalidate(backend: backend) }
        }
    }

    // MARK: Control interface

    /// Adds a session, replacing one for the same key (`poundctl add`: Pound's
    /// `service_session_add` drops the duplicate). The key is cut to KEY_SIZE.
    /// False (nothing done) for a backend index out of range.
    @discardableResult
    public func add(_ key: String, backend: Int) -> Bool {
        guard backend >= 0, backend <= Int(Int32.max) else { return false }
        let k = Key(SessionKey.truncated(key))
        let now = clock.nanoseconds()
        shard(k).state.withLock { shard in
            shard.expire(now: now, ttl: ttl)
            if let slot = shard.live(k, now: now, ttl: ttl) { shard.delete(slot) }
            shard.insert(k, backend: backend, now: now)
        }
        return true
    }

    /// Puts back a session handed over from the previous worker across a reload,
    /// replacing one for the same key: it expires `expiresIn` nanoseconds from now
    /// (at most TTL). Its last use is set back to match, so that against the other
    /// sessions it counts as used as long ago as it was. The key is cut to KEY_SIZE.
    /// False (nothing done) for a backend index out of range, no life left, or a full
    /// table whose every session is more recent.
    ///
    /// While the clock is younger than TTL - expiresIn (a host booted less than TTL
    /// ago) that last use would precede the clock's origin; it is then taken as the
    /// origin, and the session lives up to TTL from there: a little longer, never
    /// wrapped round.
    @discardableResult
    public func restore(_ key: String, backend: Int, expiresIn: UInt64) -> Bool {
        let left = min(expiresIn, ttl)
        guard backend >= 0, backend <= Int(Int32.max), left > 0 else { return false }
        let k = Key(SessionKey.truncated(key))
        let now = clock.nanoseconds()
        let back = ttl - left
        let lastUsed = now >= back ? now - back : 0
        return shard(k).state.withLock { shard in
            shard.expire(now: now, ttl: ttl)
            if let slot = shard.live(k, now: now, ttl: ttl) { shard.delete(slot) }
            return shard.insert(k, backend: backend, lastUsed: lastUsed)
        }
    }

    /// Removes the session of `key` (`poundctl delete`); true if there was a live one.
    @discardableResult
    public func remove(key: String) -> Bool {
        let k = Key(key)
        let now = clock.nanoseconds()
        return shard(k).state.withLock { shard in
            shard.expire(now: now, ttl: ttl)
            guard let slot = shard.live(k, now: now, ttl: ttl) else { return false }
            shard.delete(slot)
            return true
        }
    }

    /// The live sessions, least recently used first (the order of Pound's list):
    /// key, backend index, last use on the clock's scale and nanoseconds until expiry.
    public func snapshot() -> [(key: String, backend: Int, lastUsed: UInt64, expiresIn: UInt64)] {
        let now = clock.nanoseconds()
        var all: [(key: String, backend: Int, lastUsed: UInt64, expiresIn: UInt64)] = []
        for box in shards {
            box.state.withLock { shard in
                shard.expire(now: now, ttl: ttl)
                shard.collect(now: now, ttl: ttl) { key, backend, lastUsed in
                    all.append((key, backend, lastUsed, lastUsed &+ ttl &- now))
                }
            }
        }
        // Each shard's part is in order already; ties between shards (one clock
        // reading) keep shard order.
        return all.indices.sorted { i, j in
            all[i].lastUsed != all[j].lastUsed ? all[i].lastUsed < all[j].lastUsed : i < j
        }.map { all[$0] }
    }

    /// The backend of a live session, without renewing it.
    public func backend(forKey key: String) -> Int? {
        let k = Key(key)
        let now = clock.nanoseconds()
        return shard(k).state.withLock { shard in
            shard.expire(now: now, ttl: ttl)
            return shard.live(k, now: now, ttl: ttl).map { shard.backend($0) }
        }
    }

    /// Sessions held, expired and invalidated ones not yet reclaimed included.
    var storedCount: Int {
        shards.reduce(0) { n, box in n + box.state.withLock { $0.count } }
    }
}
