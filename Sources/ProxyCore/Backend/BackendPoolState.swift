/// The pool's decisions, without I/O (the async-http-client model): which idle
/// connection to hand out, and whether a returned one is kept.
struct BackendPoolState<Connection: AnyObject> {
    /// Idle connections per backend, most recently used last (LIFO reuse keeps the
    /// hottest sockets busy and lets the others time out at the backend). The lists
    /// live in an array, found by a slot per backend: a dictionary's in-place accessor
    /// allocated on every lease and release.
    private var slots: [ObjectIdentifier: Int] = [:]
    private var idle: [[Connection]] = []
    /// Slots of backends that went away (DNS churn), for the next new one.
    private var freeSlots: [Int] = []
    let maxIdlePerBackend: Int

    init(maxIdlePerBackend: Int) {
        self.maxIdlePerBackend = maxIdlePerBackend
    }

    enum LeaseDecision {
        case reuse(Connection)
        case connect
    }

    enum ReleaseDecision: Equatable {
        case park
        case close
    }

    // Both edit the list in place: a copy taken out and stored back would make every
    // lease and release copy the whole list.
    mutating func lease(backend: ObjectIdentifier) -> LeaseDecision {
        if let slot = slots[backend], let c = idle[slot].popLast() { return .reuse(c) }
        return .connect
    }

    mutating func release(_ connection: Connection, backend: ObjectIdentifier, closing: Bool) -> ReleaseDecision {
        if closing { return .close }
        let slot = slots[backend] ?? addSlot(backend)
        guard idle[slot].count < maxIdlePerBackend else { return .close }
        idle[slot].append(connection)
        return .park
    }

    private mutating func addSlot(_ backend: ObjectIdentifier) -> Int {
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = free
        } else {
            idle.append([])
            slot = idle.count - 1
        }
        slots[backend] = slot
        return slot
    }

    /// An idle connection went away (closed by the backend).
    mutating func remove(_ connection: Connection, backend: ObjectIdentifier) {
        guard let slot = slots[backend] else { return }
        idle[slot].removeAll { $0 === connection }
    }

    /// Every idle connection, emptying the pool.
    mutating func drain() -> [Connection] {
        defer { slots = [:]; idle = []; freeSlots = [] }
        return idle.flatMap { $0 }
    }

    /// The idle connections of one backend, leaving none for it.
    mutating func drain(backend: ObjectIdentifier) -> [Connection] {
        guard let slot = slots.removeValue(forKey: backend) else { return [] }
        freeSlots.append(slot)
        defer { idle[slot] = [] }
        return idle[slot]
    }

    func idleCount(backend: ObjectIdentifier) -> Int { slots[backend].map { idle[$0].count } ?? 0 }
}
