import OpenSSLTLS
import PoundConfig
import Routing
import VRRP
#if canImport(Glibc)
import Glibc
#endif

/// Pound's `*_serialize` functions (svc.c, http.c): the JSON objects `poundctl`
/// reads, with the same member names, types and nesting.
struct ControlSerializer {
    let plane: ControlPlane
    /// Version string reported as `version` (`PACKAGE_VERSION` in Pound).
    let version: String

    func pound() -> ControlJSON {
        var members: [String: ControlJSON] = [
            "kind": .string("pound"),
            "core": core(),
            "listeners": .array(plane.listeners.indices.map(listener)),
            "services": .array(plane.globalServices.map { service($0, tunnel: false) }),
        ]
        // A Pounce extension, present only with VRRP blocks so Pound's own clients see Pound's tree.
        let instances = plane.failoverStatuses
        if !instances.isEmpty { members["vrrp"] = vrrp(instances) }
        // Likewise, only with AutoCert.
        let managed = plane.certificateStatuses
        if !managed.isEmpty { members["certificates"] = certificates(managed) }
        return .object(members)
    }

    /// `GET /certificates`: one object per `AutoCert` certificate.
    func certificates(_ statuses: [ManagedCertificateStatus]? = nil) -> ControlJSON {
        .array((statuses ?? plane.certificateStatuses).map { s in
            let seconds = { (t: Double?) -> ControlJSON in t.map { .number($0.rounded(.down)) } ?? .null }
            return .object([
                "kind": .string("certificate"),
                "name": .string(s.name),
                "names": .array(s.names.map(ControlJSON.string)),
                "state": .string(s.state.rawValue),
                "expires_epoch": seconds(s.notAfter),
                "next_attempt_epoch": seconds(s.nextAttempt),
                "failures": .int(s.consecutiveFailures),
                "last_error": s.lastError.map(ControlJSON.string) ?? .null,
            ])
        })
    }

    /// `GET /vrrp`: one object per VRRP instance.
    func vrrp(_ instances: [VRRPStatus]? = nil) -> ControlJSON {
        .array((instances ?? plane.failoverStatuses).map { s in
            .object([
                "kind": .string("vrrp"),
                "name": .string(s.name),
                "interface": .string(s.interface),
                "vrid": .int(Int(s.virtualRouterID)),
                "version": .int(Int(s.version.rawValue)),
                "state": .string(s.state.rawValue),
                "priority": .int(Int(s.effectivePriority)),
                "base_priority": .int(Int(s.basePriority)),
                "master": s.masterAddress.map { .string($0.description) } ?? .null,
                "addresses": .array(s.virtualAddresses.map { .string("\($0.address)/\($0.prefixLength)") }),
                "holds_addresses": .bool(s.holdsAddresses),
                "last_transition": .string(Self.timestamp(UInt64(max(s.lastTransition, 0) * 1_000_000_000))),
                "transitions": .int(s.transitions),
                "adverts_sent": .int(s.advertsSent),
                "adverts_received": .int(s.advertsReceived),
                "discarded": .int(s.packetsDiscarded),
            ])
        })
    }

    /// Pound's workers do not exist here (the event loops serve everyone); the
    /// configured Worker* values are reported, with the minimum as the count, as a
    /// Pound that just started shows them.
    func core() -> ControlJSON {
        let w = plane.workers
        var members: [String: ControlJSON] = [
            "kind": .string("core"),
            "version": .string(version),
            "pid": .int(Int(getpid())),
            "timestamp": .string(Self.timestamp(Clock.nowNanos())),
            "uptime": .number(Double(plane.uptimeMicroseconds)),
            // queue_len repeats queue.len for Pound 4.5-4.22 clients.
            "queue": .object(["len": .int(0), "max": .int(w.max)]),
            "queue_len": .int(0),
            "workers": .object([
                "min": .int(w.min), "max": .int(w.max), "timeout": .int(w.timeout),
                "count": .int(w.min), "active": .int(0),
            ]),
        ]
        // A Pounce extension, only under a supervisor: which reload or restart serves. Its
        // name keeps Pound's members first (the object is written in name order).
        if let g = plane.generation {
            members["supervised"] = .object([
                "generation": .int(g.generation),
                "started": .string(Self.timestamp(UInt64(max(g.startedAt, 0)) &* 1_000_000_000)),
                "started_epoch": .int(Int(g.startedAt)),
            ])
        }
        return .object(members)
    }

    func listener(_ index: Int) -> ControlJSON {
        let entry = plane.listeners[index]
        var members: [String: ControlJSON] = [
            "kind": .string("listener"),
            "name": .string(entry.name),
            "address": .string(entry.address),
            "enabled": .bool(!plane.isListenerDisabled(index)),
            "protocol": .string(entry.protocol),
            "services": .array(entry.services.map { service($0, tunnel: entry.isTunnel) }),
        ]
        if let n = entry.noHTTPS11 { members["nohttps11"] = .int(n) }
        // Pounce's: handshakes not finished within `Client`.
        if entry.protocol == "https" {
            members["tls_handshake_timeouts"] = .int(entry.counters.handshakeTimeouts.load(ordering: .relaxed))
        }
        return .object(members)
    }

    func service(_ s: RuntimeService, tunnel: Bool) -> ControlJSON {
        .object([
            "kind": .string("service"),
            "name": .string(s.service.name),
            "enabled": .bool(!s.isDisabled),
            "session_type": .string(Self.sessionTypeName(s.service.session?.type)),
            "sessions": sessions(s),
            "backends": backends(s.backendSet, tunnel: tunnel),
        ])
    }

    /// Configured backends, then those DNS generated, each with the index of its
    /// matrix as `parent` (Pound's `backend_serialize_dyninfo`).
    func backends(_ set: BackendSet, tunnel: Bool) -> ControlJSON {
        guard !set.backends.isEmpty else { return .null }
        return .array(set.backends.map { b in
            guard case .object(var m) = backend(b, tunnel: tunnel) else { return .null }
            if let parent = b.parent, let index = set.index(ofID: parent.id) { m["parent"] = .int(index) }
            return .object(m)
        })
    }

    /// `expire` is the wall-clock time the session lapses if unused.
    func sessions(_ s: RuntimeService) -> ControlJSON {
        guard s.service.session != nil else { return .null }
        let now = Clock.nowNanos()
        return .array(s.listSessions().map { sess in
            .object([
                "key": .string(sess.key),
                "backend": .int(sess.backend),
                "expire": .string(Self.timestamp(now &+ sess.expiresIn)),
            ])
        })
    }

    func backend(_ b: BackendState, tunnel: Bool) -> ControlJSON {
        var m: [String: ControlJSON] = [
            "kind": .string("backend"),
            "priority": .int(b.priority),
            "alive": .bool(b.isAlive),
            "enabled": .bool(!b.isDisabled),
            // The balancer group's weight: 0 for the normal group, 65535 for
            // Emergency, an SRV record's priority for the backends it generated.
            "weight": .int(b.groupWeight),
        ]
        switch b.backend.kind {
        case .regular(let server) where b.isMatrix:
            m["type"] = .string("matrix")
            if case .dynamic(let host, _, let mode)? = server.address {
                m["hostname"] = .string(host)
                m["resolve_mode"] = .string(Self.resolveModeName(mode))
            }
            m["family"] = .int(Self.familyNumber(server.family))
            m["servername"] = .string(server.serverName)
            if let next = b.nextLookupTime { m["expire"] = .string(Self.timestamp(UInt64(next) &* 1_000_000_000)) }
        case .regular(let server):
            m["type"] = .string("backend")
            m["address"] = .string(b.displayName)
            m["io_to"] = .int(server.timeout)
            m["conn_to"] = .int(server.connectTimeout)
            m["ws_to"] = .int(server.webSocketTimeout)
            m["servername"] = .string(server.serverName)
            m["protocol"] = .string(tunnel ? "tunnel" : server.tls != nil ? "https" : "http")
        case .redirect(let r):
            m["type"] = .string("redirect")
            m["url"] = .string(r.url)
            m["code"] = .int(r.status)
            m["has_uri"] = .bool(r.hasPath)
        case .error(let status, let page):
            m["type"] = .string("error")
            m["status"] = .int(status)
            m["text"] = .string(page?.body)
        case .success: m["type"] = .string("success")
        case .sendFile: m["type"] = .string(b.acmeDirectory != nil ? "acme" : "file")
        case .metrics: m["type"] = .string("metrics")
        case .control: m["type"] = .string("control")
        case .stats: m["type"] = .string("stats")
        case .lua(let call):
            m["type"] = .string("lua")
            m["function"] = .string(call.function)
        case .reference:
            m["type"] = .string("backend")
        }
        // Every backend but a matrix (its resolved children count instead).
        if plane.backendStats, !b.isMatrix { m["stats"] = stats(b) }
        return .object(m)
    }

    /// Pound's `backend_stats_serialize`: the mean and deviation only once a
    /// request was counted.
    func stats(_ b: BackendState) -> ControlJSON {
        let s = b.statistics.snapshot
        var m: [String: ControlJSON] = ["request_count": .number(Double(s.requests))]
        if let average = s.average, let deviation = s.deviation {
            m["request_time_avg"] = .number(average)
            m["request_time_stddev"] = .number(deviation)
        }
        return .object(m)
    }

    /// Pound's `resolve_mode_str`.
    private static func resolveModeName(_ mode: Backend.ResolveMode) -> String {
        switch mode {
        case .immediate: "immediate"
        case .first: "first"
        case .all: "all"
        case .srv: "srv"
        }
    }

    /// The address family as Pound prints it: the C constant's value.
    private static func familyNumber(_ family: Backend.AddressFamily) -> Int {
        switch family {
        case .any: Int(AF_UNSPEC)
        case .unix: Int(AF_UNIX)
        case .inet: Int(AF_INET)
        case .inet6: Int(AF_INET6)
        }
    }

    /// Pound's `sess_type_to_str`.
    static func sessionTypeName(_ type: SessionType?) -> String {
        switch type {
        case nil: "NONE"
        case .ip?: "IP"
        case .cookie?: "COOKIE"
        case .url?: "URL"
        case .parameter?: "PARM"
        case .basic?: "BASIC"
        case .header?: "HEADER"
        case .module(let name)?: name.uppercased()
        }
    }

    /// Pound's `timespec_serialize`: local time, microseconds, no zone.
    static func timestamp(_ nanos: UInt64) -> String {
        var seconds = time_t(nanos / 1_000_000_000)
        var tm = tm()
        localtime_r(&seconds, &tm)
        var buffer = [CChar](repeating: 0, count: 32)
        let n = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S", &tm)
        let micros = Int(nanos % 1_000_000_000 / 1000)
        let head = String(decoding: buffer.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let frac = String(micros)
        return head + "." + String(repeating: "0", count: 6 - frac.count) + frac
    }
}
