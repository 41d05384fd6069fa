import NIOCore
import NIOPosix
import PoundConfig
import RequestLog
import Routing
import Synchronization

/// The Alive poller: runs each backend's probes on one event loop, every so many
/// seconds, feeds the answers to its `HealthCheckState` and applies what that decides
/// to the shared `BackendState` (logging each change). Passive marking stays with the
/// engine (a failed connect kills at once); the states notice it at their next result.
final class HealthMonitor: Sendable {
    /// One checked backend.
    struct Member: Sendable {
        let backend: BackendState
        /// The service whose sessions go when the backend dies; nil for a Tunnel's.
        let service: RuntimeService?
        let probe: HealthProbe
        let policy: HealthCheckState.Policy
        /// Seconds between probes.
        let interval: Int
    }

    private struct Slot {
        let member: Member
        var state: HealthCheckState
        /// A probe is under way: the next tick leaves this backend alone, so a slow
        /// backend never has probes piling up.
        var probing = false
    }

    /// Checked backends by a key of their own (DNS adds and removes backends while
    /// running), and one repeated task per distinct interval, so that without health
    /// checks this is Pound's single `Alive` timer.
    private struct State {
        var slots: [Int: Slot] = [:]
        var nextKey = 0
        var timers: [Int: RepeatedTask] = [:]
        var started = false
    }

    private let loop: EventLoop
    private let log: LogSink
    // Only the monitor's loop runs probes; the lock is for adding and removing members.
    private let state = Mutex(State())

    init(members: [Member], loop: EventLoop, log: LogSink) {
        self.loop = loop
        self.log = log
        add(members)
    }

    func start() {
        state.withLock { state in
            state.started = true
            for interval in Set(state.slots.values.map(\.member.interval)) { startTimer(interval, &state) }
        }
    }

    func stop() {
        state.withLock { state in
            state.started = false
            for task in state.timers.values { task.cancel() }
            state.timers = [:]
        }
    }

    /// Checks these backends too (backends DNS brought).
    func add(_ members: [Member]) {
        state.withLock { state in
            for member in members {
                state.slots[state.nextKey] = Slot(member: member,
                                                  state: HealthCheckState(policy: member.policy, alive: member.backend.isAlive))
                state.nextKey += 1
                if state.started { startTimer(member.interval, &state) }
            }
        }
    }

    /// Stops checking these backends (DNS took them away); a probe under way ends unheard.
    func remove(_ backends: [BackendState]) {
        let gone = Set(backends.map(ObjectIdentifier.init))
        state.withLock { state in
            state.slots = state.slots.filter { !gone.contains(ObjectIdentifier($0.value.member.backend)) }
        }
    }

    private func startTimer(_ interval: Int, _ state: inout State) {
        guard state.timers[interval] == nil else { return }
        let delay = TimeAmount.seconds(Int64(max(interval, 1)))
        state.timers[interval] = loop.scheduleRepeatedTask(initialDelay: delay, delay: delay) { [self] _ in
            tick(interval)
        }
    }

    private func tick(_ interval: Int) {
        let due = state.withLock { state -> [(Int, Member)] in
            var due: [(Int, Member)] = []
            for (key, slot) in state.slots where slot.member.interval == interval && !slot.probing
                && slot.state.wantsProbe(alive: slot.member.backend.isAlive) {
                state.slots[key]?.probing = true
                due.append((key, slot.member))
            }
            return due
        }
        for (key, member) in due {
            member.probe.run(on: loop).whenSuccess { [self] outcome in
                finished(key, member, outcome)
            }
        }
    }

    private func finished(_ key: Int, _ member: Member, _ outcome: HealthCheckState.Outcome) {
        let transition = state.withLock { state -> HealthCheckState.Transition? in
            guard state.slots[key] != nil else { return nil }
            state.slots[key]?.probing = false
            return state.slots[key]?.state.record(outcome, alive: member.backend.isAlive)
        }
        guard let transition else { return }
        let name = member.backend.displayName
        switch transition {
        case .revive:
            guard member.backend.markAlive() else { return }
            if case .http = member.policy {
                log.log(.notice, "Backend \(name) alive (health check)")
            } else {
                log.log(.notice, "Backend \(name) resurrected")
            }
        case .kill(let reason):
            let changed = member.service?.backendFailed(member.backend) ?? member.backend.markDead()
            guard changed else { return }
            if case .http = member.policy {
                log.log(.notice, "Backend \(name) dead (health check: \(reason))")
            } else {
                // Pound 2.x wording.
                log.log(.notice, "BackEnd \(name) is dead (HA)")
            }
        }
    }
}

extension HealthMonitor {
    /// What to check for every server backend of `routing` and each Tunnel backend:
    /// the HTTP check of the backend or else of its service, else the 2.x `HAport`,
    /// else Pound's resurrection probe. `alive` is the global `Alive`.
    static func members(routing: RoutingTable, tunnels: [(BackendState, BackendTarget)],
                        env: ProxyEnvironment, alive: Int) -> [Member] {
        var members: [Member] = []
        for service in routing.services {
            members += service.backends.compactMap { member(of: $0, in: service, env: env, alive: alive) }
        }
        let aliveInterval = max(alive, 1)
        for (backend, target) in tunnels {
            members.append(Member(backend: backend, service: nil,
                                  probe: HealthProbe(address: target.address, kind: .connect, timeout: target.connectTimeout),
                                  policy: .resurrect, interval: aliveInterval))
        }
        return members
    }

    /// What to check for one server backend of `service` (nil for a special backend
    /// or a matrix, which has no address of its own): at start-up, and for each
    /// backend DNS adds.
    static func member(of backend: BackendState, in service: RuntimeService, env: ProxyEnvironment,
                       alive: Int) -> Member? {
        guard let target = env.target(for: backend), case .regular(let server) = backend.backend.kind else {
            return nil
        }
        return member(backend, server: server, service: service, target: target, alive: max(alive, 1), log: env.log)
    }

    private static func member(_ backend: BackendState, server: Backend.Server, service: RuntimeService,
                               target: BackendTarget, alive: Int, log: LogSink) -> Member {
        if let check = server.httpCheck ?? service.service.healthCheck {
            let text = HTTPCheckHandler.request(method: check.method, path: check.path, host: hostHeader(server))
            let probe = HealthProbe(address: target.address,
                                    kind: .http(request: text, expect: check.expect, tls: target.tls),
                                    timeout: check.effectiveTimeout(alive: alive))
            return Member(backend: backend, service: service, probe: probe,
                          policy: .http(rise: check.rise, fall: check.fall),
                          interval: check.effectiveInterval(alive: alive))
        }
        if let ha = server.healthCheck {
            var host = ha.host
            if host == nil, case .inet(let h, _)? = server.address { host = h }
            if host == nil, case .dynamic(let h, _, _)? = server.address { host = h }
            if let host, let address = try? SocketAddress.makeAddressResolvingHost(host, port: ha.port) {
                return Member(backend: backend, service: service,
                              probe: HealthProbe(address: address, kind: .connect, timeout: target.connectTimeout),
                              policy: .haPort, interval: alive)
            }
            log.log(.warning, "\(backend.displayName): can't resolve the HAport address; using the backend's own")
        }
        return Member(backend: backend, service: service,
                      probe: HealthProbe(address: target.address, kind: .connect, timeout: target.connectTimeout),
                      policy: .resurrect, interval: alive)
    }

    /// `Host` of the check request: the `ServerName` if any, else the address as
    /// written, with the port unless it is the scheme's default.
    static func hostHeader(_ server: Backend.Server) -> String {
        if let name = server.serverName { return name }
        let port = server.effectivePort
        let defaultPort = server.tls == nil ? 80 : 443
        switch server.address {
        case .inet(let host, let p)?, .dynamic(let host, let p, _)?:
            let shown = host.contains(":") ? "[\(host)]" : host
            return p == defaultPort ? shown : "\(shown):\(p)"
        case .unix?:
            return "localhost"
        case nil:
            let host = server.host ?? "localhost"
            return port == defaultPort ? host : "\(host):\(port)"
        }
    }
}
