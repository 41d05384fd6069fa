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

    mutating func lease(backend: ObjectIdentifier) -> LeaseDecision {
        if var list = idle[backend], let c = list.popLast() {
            idle[backend] = list
            return .reuse(c)
        }
        return .connect
    }

    mutating func release(_ connection: Connection, backend: ObjectIdentifier, closing: Bool) -> ReleaseDecision {
        if closing { return .close }
        var list = idle[backend, default: []]
        guard list.count < maxIdlePerBackend else { return .close }
        list.append(connection)
        idle[backend] = list
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

    func idleCount(backend: ObjectIdentifier) -> Int { idle[backend]?.count ?? 0 }
}
