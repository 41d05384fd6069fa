#if canImport(Glibc)
import Glibc
#endif

/// Builds the `Metrics` exposition from the object tree the control interface
/// serves (`ControlSerializer.pound()`), as Pound's metrics.c builds it from
/// `pound_serialize`: one walk over listeners, services and backends serves both,
/// and what `poundctl list` shows is what a scrape reports.
struct MetricsCollector {
    /// One level of the tree: the member holding its array, the labels that
    /// number and name each element, and the level below it.
    private struct Level {
        let member: String
        let indexLabel: String
        let nameLabel: String?
        let families: [MetricFamily]
    }

    private static let listeners = Level(member: "listeners", indexLabel: "listener", nameLabel: "listener_name",
                                         families: MetricFamily.listenerLevel)
    private static let services = Level(member: "services", indexLabel: "service", nameLabel: "service_name",
                                        families: MetricFamily.serviceLevel)
    private static let backends = Level(member: "backends", indexLabel: "backend", nameLabel: nil,
                                        families: MetricFamily.backendLevel)

    private var exposition = MetricsExposition()

    /// Nil when the tree lacks a member Pound requires (Pound then answers 500).
    static func exposition(from root: ControlJSON) -> MetricsExposition? {
        var collector = MetricsCollector()
        guard collector.core(root),
              collector.iterate(listeners, in: root, labels: []),
              collector.iterate(services, in: root, labels: [])
        else { return nil }
        collector.vrrp(root)
        collector.certificates(root)
        return collector.exposition
    }

    private mutating func core(_ root: ControlJSON) -> Bool {
        guard let core = root.member("core"),
              let uptime = core.member("uptime")?.numberValue,
              let workers = core.member("workers"),
              let queue = core.member("queue")
        else { return false }
        exposition.add(.uptime, value: uptime)
        if let supervised = core.member("supervised"), let number = supervised.member("generation")?.numberValue,
           let started = supervised.member("started_epoch")?.numberValue {
            exposition.add(.generation, value: number)
            exposition.add(.generationStart, value: started)
        }
        exposition.touch(.workers)
        for type in ["active", "count", "max", "min"] {
            guard let n = workers.member(type)?.numberValue else { return false }
            exposition.add(.workers, labels: [MetricLabel("type", type)], value: n)
        }
        exposition.touch(.queue)
        for type in ["len", "max"] {
            guard let n = queue.member(type)?.numberValue else { return false }
            exposition.add(.queue, labels: [MetricLabel("type", type)], value: n)
            if type == "len" { exposition.add(.queueLength, value: n) }
        }
        return true
    }

    private mutating func vrrp(_ root: ControlJSON) {
        guard case .array(let instances)? = root.member("vrrp") else { return }
        for item in instances {
            guard case .string(let name)? = item.member("name"), case .string(let state)? = item.member("state")
            else { continue }
            let labels = [MetricLabel("instance", name)]
            for candidate in ["INIT", "BACKUP", "MASTER", "FAULT"] {
                // OpenMetrics names a stateset's label after the family.
                exposition.add(.vrrpState, labels: labels + [MetricLabel(MetricFamily.vrrpState.name, candidate)],
                               value: candidate == state ? 1 : 0)
            }
            for (type, key) in [("base", "base_priority"), ("effective", "priority")] {
                if let n = item.member(key)?.numberValue {
                    exposition.add(.vrrpPriority, labels: labels + [MetricLabel("type", type)], value: n)
                }
            }
            if let n = item.member("transitions")?.numberValue { exposition.add(.vrrpTransitions, labels: labels, value: n) }
            for (type, key) in [("sent", "adverts_sent"), ("received", "adverts_received"), ("discarded", "discarded")] {
                if let n = item.member(key)?.numberValue {
                    exposition.add(.vrrpAdverts, labels: labels + [MetricLabel("type", type)], value: n)
                }
            }
        }
    }

    /// The `AutoCert` certificates: days until each expires (counted from now, so the
    /// gauge falls by itself) and the failed attempts in a row.
    private mutating func certificates(_ root: ControlJSON) {
        guard case .array(let items)? = root.member("certificates") else { return }
        let now = Double(time(nil))
        for item in items {
            guard case .string(let name)? = item.member("name") else { continue }
            let labels = [MetricLabel("certificate", name)]
            if let expires = item.member("expires_epoch")?.numberValue {
                exposition.add(.acmeExpiryDays, labels: labels, value: (expires - now) / 86_400)
            }
            if let failures = item.member("failures")?.numberValue {
                exposition.add(.acmeFailures, labels: labels, value: failures)
            }
        }
    }

    /// Pound's `exposition_iterate`: a missing member is no error, one of another
    /// type is.
    private mutating func iterate(_ level: Level, in object: ControlJSON, labels: [MetricLabel]) -> Bool {
        guard let member = object.member(level.member) else { return true }
        guard case .array(let items) = member else {
            // A service without backends serializes them as null; Pound's walk
            // takes that as an empty list.
            return member == .null && level.member == "backends"
        }
        for (i, item) in items.enumerated() {
            var own = labels
            own.append(MetricLabel(level.indexLabel, String(i)))
            if let nameLabel = level.nameLabel, case .string(let name)? = item.member("name"), !name.isEmpty {
                own.append(MetricLabel(nameLabel, name))
            }
            for family in level.families { exposition.touch(family) }
            guard apply(level, item, own) else { return false }
            switch level.member {
            case "listeners": guard iterate(Self.services, in: item, labels: own) else { return false }
            case "services": guard iterate(Self.backends, in: item, labels: own) else { return false }
            default: break
            }
        }
        return true
    }

    private mutating func apply(_ level: Level, _ item: ControlJSON, _ labels: [MetricLabel]) -> Bool {
        switch level.member {
        case "listeners":
            guard let enabled = item.member("enabled")?.boolValue,
                  case .string(let address)? = item.member("address"),
                  case .string(let proto)? = item.member("protocol")
            else { return false }
            exposition.add(.listenerEnabled, labels: labels, value: enabled ? 1 : 0)
            exposition.add(.listenerInfo,
                           labels: labels + [MetricLabel("address", address), MetricLabel("protocol", proto)],
                           value: 1)
            if let n = item.member("tls_handshake_timeouts")?.numberValue {
                exposition.add(.listenerHandshakeTimeouts, labels: labels, value: n)
            }
        case "services":
            guard let enabled = item.member("enabled")?.boolValue else { return false }
            exposition.add(.serviceEnabled, labels: labels, value: enabled ? 1 : 0)
            // Pound fails the whole scrape when `backends` is not an array (an empty
            // service); such a service is counted with zeros here instead.
            var total = 0, alive = 0, enabled2 = 0, active = 0
            if case .array(let list)? = item.member("backends") {
                total = list.count
                for b in list {
                    let on = b.member("enabled")?.boolValue ?? false
                    let up = b.member("alive")?.boolValue ?? false
                    if on { enabled2 += 1 }
                    if up { alive += 1 }
                    if on && up { active += 1 }
                }
            }
            for (state, n) in [("total", total), ("enabled", enabled2), ("alive", alive), ("active", active)] {
                exposition.add(.backends, labels: labels + [MetricLabel("state", state)], value: Double(n))
            }
        default:
            guard let alive = item.member("alive")?.boolValue, let enabled = item.member("enabled")?.boolValue
            else { return false }
            exposition.add(.backendState, labels: labels + [MetricLabel("state", "alive")], value: alive ? 1 : 0)
            exposition.add(.backendState, labels: labels + [MetricLabel("state", "enabled")], value: enabled ? 1 : 0)
            // Only with `BackendStats on`; the timings once a request was counted.
            if let stats = item.member("stats") {
                let pairs: [(String, MetricFamily)] = [("request_count", .backendRequests),
                                                       ("request_time_avg", .backendRequestTime),
                                                       ("request_time_stddev", .backendRequestDeviation)]
                for (key, family) in pairs {
                    if let n = stats.member(key)?.numberValue {
                        exposition.add(family, labels: labels, value: n)
                    }
                }
            }
        }
        return true
    }
}
