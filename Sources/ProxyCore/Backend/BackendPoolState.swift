/// The pool's decisions, without I/O (the async-http-client model): which idle
/// connection to hand out, and whether a returned one is kept.
struct BackendPoolState<Connection: AnyObject> {
    /// Idle connections per backend, most recently used last (LIFO reuse keeps the
    /// hottest sockets busy and lets the others time out at the backend).
    private var idle: [ObjectIdentifier: [Connection]] = [:]
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

    // Both edit the list in place through the dictionary's accessor: a copy taken
    // out and stored back would make every lease and release copy the whole list.
    mutating func lease(backend: ObjectIdentifier) -> LeaseDecision {
        if let c = idle[backend]?.popLast() { return .reuse(c) }
        return .connect
    }

    mutating func release(_ connection: Connection, backend: ObjectIdentifier, closing: Bool) -> ReleaseDecision {
        if closing { return .close }
        guard idleCount(backend: backend) < maxIdlePerBackend else { return .close }
        idle[backend, default: []].append(connection)
        return .park
    }

    /// An idle connection went away (closed by the backend).
    mutating func remove(_ connection: Connection, backend: ObjectIdentifier) {
        idle[backend]?.removeAll { $0 === connection }
    }

    /// Every idle connection, emptying the pool.
    mutating func drain() -> [Connection] {
        defer { idle = [:] }
        return idle.values.flatMap { $0 }
    }

    /// The idle connections of one backend, leaving none for it.
    mutating func drain(backend: ObjectIdentifier) -> [Connection] {
        idle.removeValue(forKey: backend) ?? []
    }

    func idleCount(backend: ObjectIdentifier) -> Int { idle[backend]?.count ?? 0 }
}
