import PoundConfig

/// Handing sticky sessions from the worker of one configuration to the worker of the
/// next. Indices do not survive a reload (a listener, service or backend added
/// before another shifts it), so services and backends are named by identities:
///
/// - A service: `SCOPE service:WHICH session:SETTINGS`.
///   SCOPE is `global` for a top-level Service, else `listener:` and the listener's
///   `name=NAME` if it has a Name, otherwise its socket (`address=HOST:PORT`,
///   `address=[V6]:PORT`, `socket-from=PATH`).
///   WHICH is `name=NAME` for a named service. An unnamed one is `unnamed=N`: the
///   Nth unnamed service in its scope with the same session settings, rather than
///   its plain position, so that adding a service before it (any service with other
///   settings, or none) keeps its sessions.
///   SETTINGS renders the whole `Session` block (`type=COOKIE,id=SID,ttl=300`): a
///   changed definition makes another service, whose keys would mean something else.
///   Should two services still come out alike (a name used twice in one listener),
///   the second gets ` #2` and so on, in configuration order.
/// - A backend: its address as `%{backend}N` prints it (`127.0.0.1:8080`,
///   `[::1]:80`), or `unix:PATH`; the second backend of a service with the same
///   address gets `#2`. Backends with no address of their own (special backends,
///   DNS matrices) hold no sessions worth keeping; those DNS generated have one.
///
/// Every component is percent-encoded down to letters, digits and `-._~:/[]@`, so
/// the spaces, commas and `=` between components cannot come from a name.
extension RoutingTable {
    /// The live sessions of every service that has a session table.
    public func exportSessions() -> SessionHandoff {
        var entries: [SessionHandoff.Entry] = []
        for (service, identity) in sessionServiceIdentities() {
            guard let sessions = service.sessions else { continue }
            let backends = Self.backendIdentities(service.backendSet.backends)
            for s in sessions.snapshot() {
                guard let backend = backends[s.backend] else { continue }
                entries.append(.init(service: identity, key: s.key, backend: backend, expiresIn: s.expiresIn))
            }
        }
        return SessionHandoff(entries: entries)
    }

    /// Restores the entries whose service is in this table and whose backend is one
    /// of that service's, each with the lifetime it had left (at most the TTL);
    /// others are skipped. Returns how many sessions were restored (a key given twice
    /// for a service counts once, the later entry winning).
    @discardableResult
    public func importSessions(_ handoff: SessionHandoff) -> Int {
        var targets: [String: (sessions: SessionTable, backends: [String: Int])] = [:]
        for (service, identity) in sessionServiceIdentities() {
            guard let sessions = service.sessions else { continue }
            let ids = Self.backendIdentities(service.backendSet.backends)
            targets[identity] = (sessions, Dictionary(ids.map { ($1, $0) }, uniquingKeysWith: { a, _ in a }))
        }
        struct Pending {
            let sessions: SessionTable
            let key: String
            let backend: Int
            let expiresIn: UInt64
        }
        // Keys compare by bytes, as in the table (String's `==` would merge
        // canonically equivalent keys the table keeps apart).
        struct Slot: Hashable {
            let table: ObjectIdentifier
            let key: SessionTable.Key
        }
        var pending: [Pending] = []
        var position: [Slot: Int] = [:]
        for e in handoff.entries {
            guard let target = targets[e.service], let backend = target.backends[e.backend] else { continue }
            let p = Pending(sessions: target.sessions, key: e.key, backend: backend, expiresIn: e.expiresIn)
            let slot = Slot(table: ObjectIdentifier(target.sessions), key: SessionTable.Key(SessionKey.truncated(e.key)))
            if let i = position[slot] {
                pending[i] = p
            } else {
                position[slot] = pending.count
                pending.append(p)
            }
        }
        // Least life left first: each session then joins its shard's list at the
        // recent end, instead of walking the list to its place.
        let order = pending.indices.sorted { i, j in
            pending[i].expiresIn != pending[j].expiresIn ? pending[i].expiresIn < pending[j].expiresIn : i < j
        }
        var restored = 0
        for i in order where pending[i].sessions.restore(pending[i].key, backend: pending[i].backend,
                                                          expiresIn: pending[i].expiresIn) {
            restored += 1
        }
        return restored
    }

    // MARK: Identities

    /// Every service with a session table, with its identity (see above).
    private func sessionServiceIdentities() -> [(service: RuntimeService, identity: String)] {
        var found: [(service: RuntimeService, identity: String)] = []
        func collect(_ services: some Sequence<RuntimeService>, scope: String) {
            var unnamed: [String: Int] = [:]
            for service in services {
                guard service.sessions != nil, let settings = service.service.session else { continue }
                let session = Self.sessionIdentity(settings)
                let which: String
                if let name = service.service.name {
                    which = "name=" + Self.component(name)
                } else {
                    let n = unnamed[session, default: 0] + 1
                    unnamed[session] = n
                    which = "unnamed=\(n)"
                }
                found.append((service, "\(scope) service:\(which) session:\(session)"))
            }
        }
        collect(globalServices, scope: "global")
        for l in listeners {
            collect(l.services.prefix(l.ownServiceCount), scope: "listener:" + Self.listenerIdentity(l))
        }
        var seen: [String: Int] = [:]
        return found.map { service, identity in
            let n = seen[identity, default: 0] + 1
            seen[identity] = n
            return (service, n == 1 ? identity : identity + " #\(n)")
        }
    }

    private static func listenerIdentity(_ l: ListenerRouting) -> String {
        if let name = l.name { return "name=" + component(name) }
        switch l.address {
        case .inet(let a)?:
            let host = component(a.host)
            return "address=" + (a.family == .ipv6 ? "[\(host)]:\(a.port)" : "\(host):\(a.port)")
        case .socketFrom(let path)?:
            return "socket-from=" + component(path)
        case nil:
            return "index=\(l.index)"
        }
    }

    private static func sessionIdentity(_ s: SessionSettings) -> String {
        "type=" + component(ModuleNames.session(s.type)) + (s.id.map { ",id=" + component($0) } ?? "")
            + ",ttl=\(s.ttl)"
    }

    /// Backend id → identity, for the backends that have an address.
    private static func backendIdentities(_ backends: [BackendState]) -> [Int: String] {
        var names: [Int: String] = [:]
        var seen: [String: Int] = [:]
        for b in backends {
            let address: String
            switch b.address {
            // Formatted once when the backend was made (a host name resolved then),
            // so exporting never waits for DNS.
            case .inet?: address = b.displayName
            case .unix(let path)?: address = "unix:" + path
            case .dynamic?, nil: continue
            }
            let n = seen[address, default: 0] + 1
            seen[address] = n
            names[b.id] = n == 1 ? address : address + "#\(n)"
        }
        return names
    }

    /// `text` percent-encoded but for letters, digits and `-._~:/[]@`.
    private static func component(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for b in text.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"):
                out.append(b)
            case _ where "-._~:/[]@".utf8.contains(b):
                out.append(b)
            default:
                out += [UInt8(ascii: "%"), hex[Int(b >> 4)], hex[Int(b & 15)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
