extension SessionTable {
    /// One session: a node of its shard's LRU list, linked by slot numbers so that
    /// the list lives in one array (no allocation per session beyond its key).
    struct Node {
        var key: Key
        var lastUsed: UInt64
        var backend: Int32
        /// The backend's generation when the session was made; a later one means
        /// the backend died since.
        var generation: UInt32
        /// Neighbours towards the least and the most recently used end, -1 at an
        /// end; a free slot chains to the next free one through `newer`.
        var older: Int32
        var newer: Int32
    }

    /// One shard: the sessions whose key hash selects it, by key and in order of
    /// last use. Every method runs under the shard's lock.
    struct Shard {
        private var slots: [Key: Int32] = [:]
        private var nodes: [Node] = []
        private var oldest: Int32 = -1
        private var newest: Int32 = -1
        private var free: Int32 = -1
        private var generations: [UInt32] = []
        private(set) var count = 0
        let capacity: Int

        init(capacity: Int) {
            self.capacity = capacity
        }

        private func generation(of backend: Int32) -> UInt32 {
            Int(backend) < generations.count ? generations[Int(backend)] : 0
        }

        private func isLive(_ node: Node, now: UInt64, ttl: UInt64) -> Bool {
            // Pound keeps a session while its expiry (last use + TTL) is after now.
            node.lastUsed &+ ttl > now && node.generation == generation(of: node.backend)
        }

        func backend(_ slot: Int32) -> Int { Int(nodes[Int(slot)].backend) }

        /// The slot of the live session for `key`; a dead one found instead is dropped.
        mutating func live(_ key: Key, now: UInt64, ttl: UInt64) -> Int32? {
            guard let slot = slots[key] else { return nil }
            if isLive(nodes[Int(slot)], now: now, ttl: ttl) { return slot }
            delete(slot)
            return nil
        }

        /// Drops sessions idle for TTL from the old end: the list is in order of last
        /// use, so the first live one ends the trim.
        mutating func expire(now: UInt64, ttl: UInt64) {
            while oldest >= 0, nodes[Int(oldest)].lastUsed &+ ttl <= now {
                delete(oldest)
            }
        }

        /// Renews a session: it becomes the most recently used.
        mutating func touch(_ slot: Int32, now: UInt64) {
            let time = stamp(now)
            if slot != newest {
                unlink(slot)
                linkNewest(slot)
            }
            nodes[Int(slot)].lastUsed = time
        }

        /// Adds a session for a key that has none, first evicting the least recently
        /// used session when the shard is full.
        mutating func insert(_ key: Key, backend: Int, now: UInt64) {
            if count >= capacity, oldest >= 0 { delete(oldest) }
            linkNewest(store(key, backend: backend, lastUsed: stamp(now)))
        }

        /// Adds a session for a key that has none, last used at `lastUsed` (a restored
        /// session, possibly older than others): it goes to its place in time order,
        /// found from the recent end, where restores in order of age land at once.
        /// A full shard evicts its least recently used session, unless the new one
        /// would be that: then nothing is added (false).
        mutating func insert(_ key: Key, backend: Int, lastUsed: UInt64) -> Bool {
            if count >= capacity, oldest >= 0 {
                guard nodes[Int(oldest)].lastUsed <= lastUsed else { return false }
                delete(oldest)
            }
            var before = newest
            while before >= 0, nodes[Int(before)].lastUsed > lastUsed { before = nodes[Int(before)].older }
            link(store(key, backend: backend, lastUsed: lastUsed), after: before)
            return true
        }

        /// Puts a new, unlinked node in a free slot.
        private mutating func store(_ key: Key, backend: Int, lastUsed: UInt64) -> Int32 {
            let b = Int32(truncatingIfNeeded: backend)
            let node = Node(key: key, lastUsed: lastUsed, backend: b, generation: generation(of: b),
                            older: -1, newer: -1)
            let slot: Int32
            if free >= 0 {
                slot = free
                free = nodes[Int(slot)].newer
                nodes[Int(slot)] = node
            } else {
                slot = Int32(nodes.count)
                nodes.append(node)
            }
            slots[key] = slot
            count += 1
            return slot
        }

        mutating func delete(_ slot: Int32) {
            slots.removeValue(forKey: nodes[Int(slot)].key)
            unlink(slot)
            nodes[Int(slot)].key = .none
            nodes[Int(slot)].newer = free
            free = slot
            count -= 1
        }

        /// Makes every session of `backend` dead.
        mutating func invalidate(backend: Int) {
            if backend >= generations.count {
                generations.append(contentsOf: repeatElement(0, count: backend + 1 - generations.count))
            }
            generations[backend] &+= 1
        }

        /// Hands over the live sessions from the least recently used, dropping the
        /// ones of dead backends on the way.
        mutating func collect(now: UInt64, ttl: UInt64, _ body: (String, Int, UInt64) -> Void) {
            var slot = oldest
            while slot >= 0 {
                let node = nodes[Int(slot)]
                let next = node.newer
                if isLive(node, now: now, ttl: ttl) {
                    body(node.key.text, Int(node.backend), node.lastUsed)
                } else {
                    delete(slot)
                }
                slot = next
            }
        }

        /// `now`, but never before the newest session's last use: loops read the
        /// clock before taking the lock, and the list must stay in time order for
        /// `expire` to stop at the first live session.
        private func stamp(_ now: UInt64) -> UInt64 {
            newest >= 0 ? max(now, nodes[Int(newest)].lastUsed) : now
        }

        private mutating func unlink(_ slot: Int32) {
            let older = nodes[Int(slot)].older
            let newer = nodes[Int(slot)].newer
            if older >= 0 { nodes[Int(older)].newer = newer } else { oldest = newer }
            if newer >= 0 { nodes[Int(newer)].older = older } else { newest = older }
            nodes[Int(slot)].older = -1
            nodes[Int(slot)].newer = -1
        }

        private mutating func linkNewest(_ slot: Int32) {
            link(slot, after: newest)
        }

        /// Links `slot` next to `older` on its recent side; at the old end for -1.
        private mutating func link(_ slot: Int32, after older: Int32) {
            let newer = older >= 0 ? nodes[Int(older)].newer : oldest
            nodes[Int(slot)].older = older
            nodes[Int(slot)].newer = newer
            if older >= 0 { nodes[Int(older)].newer = slot } else { oldest = slot }
            if newer >= 0 { nodes[Int(newer)].older = slot } else { newest = slot }
        }
    }
}
