import Synchronization
import HTTPWire
import PoundConfig
import PoundRegex
import PounceModuleAPI

/// A service ready to route: compiled conditions, backends with their state,
/// balancers and the session table. Shared by every event loop (a global service
/// also by every listener).
public final class RuntimeService: Sendable {
    public let service: Service
    /// Position in its list: the listener's own services (ACME services included,
    /// where Pound puts them) or the global services.
    public let index: Int
    /// The listener that owns it; nil for a global service.
    public let listenerIndex: Int?
    /// Normal backends first, then the Emergency ones (`BackendState.index`).
    public let backends: [BackendState]
    /// nil without `Session`.
    public let sessions: SessionTable?
    /// The session type's module (built-in or loaded); nil without `Session`.
    let sessionModule: (any SessionModule)?
    /// Some group's balancer wants each request's start and end (`leastconn`).
    public let countsRequests: Bool
    /// The `ACME "dir"` this service was made for (its backend answers challenges).
    public let acmeChallenge: ACMEChallenge?
    /// The service's `SetHeader`/`Rewrite`... rules.
    public let rewrites: ScopeRewrites

    let condition: CompiledCondition
    let named: NamedConditions
    let scope: RoutingScope
    private let groups: [BalancerGroup]
    private let disabledFlag: Atomic<Bool>

    /// One balancer group: Pound's BALANCER (weight 0 = normal, 65535 = Emergency).
    struct BalancerGroup: Sendable {
        let members: [Int]
        let balancer: any BalancerModule
    }

    /// Which group (index into `groups`) and position in it each backend has.
    private let placement: [(group: Int, position: Int)]

    init(service: Service, index: Int, listenerIndex: Int?, condition: CompiledCondition,
         named: NamedConditions, scope: RoutingScope, options: RoutingOptions,
         rewrites: ScopeRewrites = .none, acmeChallenge: ACMEChallenge? = nil) throws {
        self.rewrites = rewrites
        self.service = service
        self.index = index
        self.listenerIndex = listenerIndex
        self.condition = condition
        self.named = named
        self.scope = scope
        self.acmeChallenge = acmeChallenge
        self.disabledFlag = Atomic(service.disabled)

        var backends: [BackendState] = []
        for b in service.backends.normal {
            backends.append(BackendState(backend: b, index: backends.count, isEmergency: false,
                                         acmeDirectory: acmeChallenge?.directory, script: try Self.script(b, options)))
        }
        for b in service.backends.emergency {
            backends.append(BackendState(backend: b, index: backends.count, isEmergency: true,
                                         script: try Self.script(b, options)))
        }
        self.backends = backends

        let balancerName = ModuleNames.balancer(service.balancer)
        guard let makeBalancer = options.modules.balancerMaker(balancerName) else {
            throw RoutingBuildError.balancerModuleUnavailable(name: balancerName, range: service.range)
        }
        var groups: [BalancerGroup] = []
        var placement = Array(repeating: (group: 0, position: 0), count: backends.count)
        for members in [backends.filter { !$0.isEmergency }, backends.filter(\.isEmergency)] where !members.isEmpty {
            let setup = BalancerSetup(name: balancerName, backends: members.map {
                BalancerSetup.Backend(address: $0.displayName, weight: $0.priority)
            })
            do {
                for (position, b) in members.enumerated() { placement[b.index] = (groups.count, position) }
                groups.append(BalancerGroup(members: members.map(\.index), balancer: try makeBalancer(setup)))
            } catch {
                throw RoutingBuildError.balancerRejected(name: balancerName, reason: "\(error)", range: service.range)
            }
        }
        self.groups = groups
        self.placement = placement
        self.countsRequests = groups.contains { $0.balancer.countsRequests }

        if let settings = service.session {
            let name = ModuleNames.session(settings.type)
            guard let makeSession = options.modules.sessionMaker(name) else {
                throw RoutingBuildError.sessionModuleUnavailable(name: name, range: settings.range)
            }
            do {
                sessionModule = try makeSession(SessionSettings(type: name, id: settings.id, ttl: settings.ttl))
            } catch {
                throw RoutingBuildError.sessionModuleRejected(name: name, reason: "\(error)", range: settings.range)
            }
            sessions = SessionTable(ttlSeconds: settings.ttl, clock: options.clock)
        } else {
            sessionModule = nil
            sessions = nil
        }
    }

    /// A `LuaBackend`'s call, resolved in the extension language.
    private static func script(_ backend: Backend, _ options: RoutingOptions) throws -> ScriptCall? {
        guard case .lua(let call) = backend.kind else { return nil }
        return try ScriptCall(call, engine: options.scripts)
    }

    /// `%{service}N`: the service name, "-" when it has none (Pound's `print_str`).
    public var name: String { service.name ?? "-" }

    /// Administratively disabled (config `Disabled`, or the control interface):
    /// service selection skips it.
    public var isDisabled: Bool { disabledFlag.load(ordering: .relaxed) }

    public func setDisabled(_ value: Bool) {
        disabledFlag.store(value, ordering: .relaxed)
    }

    /// Whether some backend of any group can serve (Pound's `service_has_backends`).
    public var hasUsableBackend: Bool {
        backends.contains { $0.isUsable }
    }

    // MARK: Choosing a backend

    /// Pound's `get_backend`: nothing when no backend of any group is usable (503);
    /// otherwise the backend of the request's session if it has one (a disabled
    /// backend keeps its sessions, as in Pound), else the balancer's choice over the
    /// normal group, then the Emergency group; a new session is remembered for the
    /// request's key.
    public func chooseBackend(for request: RoutingRequest) -> BackendState? {
        chooseBackend(head: request.head, client: request.client)
    }

    /// `chooseBackend(for:)` from the parts sessions read, so the engine can pass
    /// them without copying its whole request.
    public func chooseBackend(head: HTTPRequestHead, client: ClientAddress) -> BackendState? {
        guard let sessions, let module = sessionModule else { return chooseBackend() }
        guard hasUsableBackend else { return nil }
        let view = ModuleRequestView(head: head, client: client)
        if let found = module.key(for: view) {
            let key = SessionKey.truncated(found)
            let chosen = sessions.resolve(key, isAlive: { backends[$0].isAlive }, choose: { balance(key: key) })
            return chosen.map { backends[$0] }
        }
        return balance(key: nil).map { backends[$0] }
    }

    /// `chooseBackend(for:)` for a service without sessions: the request plays no
    /// part, so callers on the hot path need not hand (and copy) it.
    public func chooseBackend() -> BackendState? {
        guard hasUsableBackend else { return nil }
        return balance(key: nil).map { backends[$0] }
    }

    /// The balancers alone (`service_lb_select_backend`), without sessions: the
    /// normal group, then the Emergency one. `key` is the request's session key,
    /// for balancers that hash it.
    public func balance(key: String? = nil) -> Int? {
        for group in groups {
            if let chosen = pick(in: group, key: key) { return chosen }
        }
        return nil
    }

    /// The weight of a balancer group, as Pound numbers them: 0 for the normal
    /// backends, 65535 for the Emergency ones (`http.balancer`).
    public static let emergencyWeight = 65535

    /// A resend's choice (`http.balancer = N`): the balancers of the groups whose
    /// weight is N or more, in order.
    public func chooseBackend(minimumWeight: Int) -> BackendState? {
        guard hasUsableBackend else { return nil }
        for group in groups {
            let weight = backends[group.members[0]].isEmergency ? Self.emergencyWeight : 0
            guard weight >= minimumWeight else { continue }
            if let chosen = pick(in: group, key: nil) { return backends[chosen] }
        }
        return nil
    }

    private func pick(in group: BalancerGroup, key: String?) -> Int? {
        if group.members.count == 1 {
            // Pound's balancer_select_backend: a lone backend is taken if usable,
            // whatever its priority.
            let only = group.members[0]
            return backends[only].isUsable ? only : nil
        }
        let n = group.members.count
        let picked: Int? = withUnsafeTemporaryAllocation(of: Bool.self, capacity: n) { usable in
            for i in 0..<n { usable[i] = backends[group.members[i]].isUsable }
            return group.balancer.choose(usable: UnsafeBufferPointer(usable), key: key)
        }
        if let picked, picked >= 0, picked < n, backends[group.members[picked]].isUsable {
            return group.members[picked]
        }
        return nil
    }

    /// A request starts or ends on `backend`, for balancers that count them
    /// (call only when `countsRequests`).
    public func requestStarted(on backend: BackendState) {
        guard backend.index < placement.count else { return }
        let p = placement[backend.index]
        groups[p.group].balancer.requestStarted(on: p.position)
    }

    public func requestFinished(on backend: BackendState) {
        guard backend.index < placement.count else { return }
        let p = placement[backend.index]
        groups[p.group].balancer.requestFinished(on: p.position)
    }

    /// After a backend answered: the session type may learn a key from the response
    /// (COOKIE's `Set-Cookie`, HEADER's header, BASIC's `Authorization`) and bind it
    /// to `backend` unless a session for it exists (`upd_session`).
    public func learnSession(response: HTTPResponseHead, request: RoutingRequest, backend: BackendState) {
        learnSession(response: response, requestHead: request.head, client: request.client, backend: backend)
    }

    public func learnSession(response: HTTPResponseHead, requestHead: HTTPRequestHead, client: ClientAddress,
                             backend: BackendState) {
        guard let sessions, let module = sessionModule,
              let key = module.key(learnedFrom: ModuleResponseView(head: response),
                                   request: ModuleRequestView(head: requestHead, client: client))
        else { return }
        sessions.learn(SessionKey.truncated(key), backend: backend.index)
    }

    /// A connect failure (Pound's `kill_be(..., BE_KILL)`): the backend is marked dead
    /// and its sessions are dropped. True when this call changed it from alive (log
    /// "Backend ADDR dead (killed)" then). Special backends cannot die.
    @discardableResult
    public func backendFailed(_ b: BackendState) -> Bool {
        guard b.isServer else { return false }
        let changed = b.markDead()
        sessions?.remove(backend: b.index)
        return changed
    }

    // MARK: Control interface (poundctl)

    /// `poundctl add /L/S/B KEY`: binds `key` to backend `backend` (an index into
    /// `backends`). A session the key already had is replaced, as Pound's
    /// `service_session_add` drops the duplicate. False, with nothing done, when the
    /// service has no `Session`, the backend does not exist, or the key is longer than
    /// KEY_SIZE (Pound answers 400). Pound gives even a session-less service a table
    /// it never consults; ours has none.
    public func addSession(key: String, backend: Int) -> Bool {
        guard let sessions, backends.indices.contains(backend),
              key.utf8.count <= SessionKey.maxBytes else { return false }
        return sessions.add(key, backend: backend)
    }

    /// `poundctl delete /L/S KEY`: forgets the session of `key`; true if it had a live
    /// one (Pound answers alike either way).
    public func deleteSession(key: String) -> Bool {
        sessions?.remove(key: key) ?? false
    }

    /// The live sessions for `poundctl list`, least recently used first as Pound lists
    /// them: key, backend index (into `backends`, the `backend` of Pound's JSON), last
    /// use in `RoutingClock` nanoseconds, and nanoseconds until expiry (Pound's
    /// `expire` is the wall-clock time now + `expiresIn`). Empty without `Session`
    /// (`sessions == nil`: Pound's JSON has null then).
    public func listSessions() -> [(key: String, backend: Int, lastUsed: UInt64, expiresIn: UInt64)] {
        sessions?.snapshot() ?? []
    }

    /// Evaluates the service's conditions alone (as selection does for it).
    func matches(_ request: inout RoutingRequest) -> MatchResult {
        request.scope.service = scope
        return condition.evaluate(&request, named)
    }
}
