import Atomics
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
    /// nil without `Session`.
    public let sessions: SessionTable?
    /// The session type's module (built-in or loaded); nil without `Session`.
    let sessionModule: (any SessionModule)?
    /// The same module when it keeps affinity in the client (`CookieInsert`...): requests
    /// then name their backend by its tag, and there is no session table.
    let affinity: (any ClientAffinityModule)?
    /// How backends are tagged for `affinity`.
    private let tagger: AffinityTagger?
    /// The `ACME "dir"` this service was made for (its backend answers challenges).
    public let acmeChallenge: ACMEChallenge?
    /// The service's `SetHeader`/`Rewrite`... rules.
    public let rewrites: ScopeRewrites

    let condition: CompiledCondition
    let named: NamedConditions
    let scope: RoutingScope
    private let disabledFlag: Atomic<Bool>
    private let store: Store
    private let balancerName: String
    private let makeBalancer: BackendSet.MakeBalancer
    /// Serializes changes of a dynamic service's set (DNS answers for several matrices).
    private let changes = Mutex<Void>(())

    /// A service without dynamic backends keeps its one set in a constant; only one
    /// with matrices pays for an atomic load per request.
    private enum Store: Sendable {
        case fixed(BackendSet)
        case live(ManagedAtomic<BackendSet>)
    }

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
            backends.append(BackendState(backend: b, id: backends.count, isEmergency: false,
                                         acmeDirectory: acmeChallenge?.directory, script: try Self.script(b, options)))
        }
        for b in service.backends.emergency {
            backends.append(BackendState(backend: b, id: backends.count, isEmergency: true,
                                         script: try Self.script(b, options)))
        }

        if let settings = service.session {
            let name = ModuleNames.session(settings.type)
            guard let makeSession = options.modules.sessionMaker(name) else {
                throw RoutingBuildError.sessionModuleUnavailable(name: name, range: settings.range)
            }
            let module: any SessionModule
            do {
                module = try makeSession(SessionSettings(type: name, id: settings.id, ttl: settings.ttl,
                                                         cookie: Self.cookieAttributes(settings.cookie)))
            } catch {
                throw RoutingBuildError.sessionModuleRejected(name: name, reason: "\(error)", range: settings.range)
            }
            sessionModule = module
            if let clientSide = module as? any ClientAffinityModule {
                // Nothing is accepted and ignored: such a type keeps no sessions to time out.
                guard settings.ttl == 0 else {
                    throw RoutingBuildError.sessionModuleRejected(
                        name: name, reason: "TTL: this session type keeps no sessions", range: settings.range)
                }
                affinity = clientSide
                tagger = AffinityTagger(secret: settings.cookie.secret)
                sessions = nil
            } else {
                // Nothing is accepted and ignored: a table-keeping type sets no cookie.
                if let (statement, range) = settings.cookie.firstStatement {
                    throw RoutingBuildError.sessionModuleRejected(
                        name: name, reason: "\(statement): this session type sets no cookie", range: range)
                }
                if let tagged = service.backends.all.first(where: {
                    if case .regular(let server) = $0.kind { server.cookieValue != nil } else { false }
                }) {
                    throw RoutingBuildError.sessionModuleRejected(
                        name: name, reason: "CookieValue: this session type does not tag backends", range: tagged.range)
                }
                guard settings.ttl > 0 else {
                    throw RoutingBuildError.sessionModuleRejected(name: name, reason: "Session TTL not defined",
                                                                  range: settings.range)
                }
                affinity = nil
                tagger = nil
                sessions = SessionTable(ttlSeconds: settings.ttl, clock: options.clock)
            }
        } else {
            sessionModule = nil
            affinity = nil
            tagger = nil
            sessions = nil
        }

        let balancerName = ModuleNames.balancer(service.balancer)
        guard let makeBalancer = options.modules.balancerMaker(balancerName) else {
            throw RoutingBuildError.balancerModuleUnavailable(name: balancerName, range: service.range)
        }
        self.balancerName = balancerName
        self.makeBalancer = makeBalancer
        let set: BackendSet
        do {
            set = try BackendSet(backends: backends, balancerName: balancerName, make: makeBalancer, tagger: tagger)
        } catch {
            throw RoutingBuildError.balancerRejected(name: balancerName, reason: "\(error)", range: service.range)
        }
        store = backends.contains(where: \.isMatrix) ? .live(ManagedAtomic(set)) : .fixed(set)
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

    /// The backends and balancers now.
    public var backendSet: BackendSet {
        switch store {
        case .fixed(let set): set
        case .live(let current): current.load(ordering: .acquiring)
        }
    }

    /// Configured backends (normal, then Emergency), then those DNS generated.
    public var backends: [BackendState] { backendSet.backends }

    /// Whether DNS can change the backends (some backend is a matrix).
    public var hasDynamicBackends: Bool {
        if case .live = store { return true }
        return false
    }

    /// Some group's balancer wants each request's start and end (`leastconn`).
    public var countsRequests: Bool { backendSet.countsRequests }

    /// Whether some backend of any group can serve (Pound's `service_has_backends`).
    public var hasUsableBackend: Bool { backendSet.hasUsableBackend }

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
        let set = backendSet
        guard set.hasUsableBackend else { return nil }
        let view = ModuleRequestView(head: head, client: client)
        if let found = module.key(for: view) {
            let key = SessionKey.truncated(found)
            let chosen = sessions.resolve(key, isAlive: { set.backend(id: $0)?.isAlive ?? false },
                                          choose: { set.balance(key: key).map { set.backends[$0].id } })
            return chosen.flatMap { set.backend(id: $0) }
        }
        return set.balance(key: nil).map { set.backends[$0] }
    }

    /// `chooseBackend(for:)` for a service without sessions: the request plays no
    /// part, so callers on the hot path need not hand (and copy) it.
    public func chooseBackend() -> BackendState? {
        let set = backendSet
        guard set.hasUsableBackend else { return nil }
        return set.balance(key: nil).map { set.backends[$0] }
    }

    /// The balancers alone (`service_lb_select_backend`), without sessions: each
    /// group in turn, lightest first. `key` is the request's session key, for
    /// balancers that hash it. Returns an index into `backends`.
    public func balance(key: String? = nil) -> Int? {
        backendSet.balance(key: key)
    }

    /// The weight of a balancer group, as Pound numbers them: 0 for the normal
    /// backends, 65535 for the Emergency ones (`http.balancer`).
    public static let emergencyWeight = BackendState.emergencyWeight

    /// A resend's choice (`http.balancer = N`): the balancers of the groups whose
    /// weight is N or more, in order.
    public func chooseBackend(minimumWeight: Int) -> BackendState? {
        let set = backendSet
        guard set.hasUsableBackend else { return nil }
        return set.balance(key: nil, minimumWeight: minimumWeight).map { set.backends[$0] }
    }

    /// A request starts on `backend`, for balancers that count them (call only when
    /// `countsRequests`); finish the count when it ends.
    public func requestStarted(on backend: BackendState) -> RequestCount {
        let set = backendSet
        set.requestStarted(on: backend)
        return RequestCount(set: set, backend: backend)
    }

    /// A request counted by a `leastconn` balancer: it ends in the set it started in,
    /// even if DNS changed the service's backends meanwhile.
    public struct RequestCount: Sendable {
        let set: BackendSet
        let backend: BackendState

        public func finish() {
            set.requestFinished(on: backend)
        }
    }

    // MARK: Dynamic backends

    /// Replaces the backends `matrix` generated with one per address, keeping those
    /// whose address, group and priority did not change (their state, statistics and
    /// sessions stay). New ones get what `attach` makes for them. The new set is
    /// published whole; requests already on a removed backend finish there, sessions
    /// that named it are dropped. Throws what the balancer module says about the new
    /// groups (the old set stays then).
    public func replaceGenerated(of matrix: BackendState, with addresses: [DynamicBackendAddress],
                                 attach: (_ backend: Backend, _ name: String) -> (any BackendAttachment)?)
        throws -> BackendSetChange {
        guard case .live(let current) = store else { return BackendSetChange(added: [], removed: []) }
        return try changes.withLock { _ in
            let old = current.load(ordering: .acquiring)
            var kept: [BackendState] = []
            var previous: [DynamicBackendAddress: BackendState] = [:]
            for b in old.backends {
                if b.parent === matrix, let address = b.generatedAddress {
                    previous[address] = b
                } else {
                    kept.append(b)
                }
            }
            var wanted: [DynamicBackendAddress] = []
            var seen = Set<DynamicBackendAddress>()
            for a in addresses where seen.insert(a).inserted { wanted.append(a) }
            // Ids of backends removed now are not given out in the same change, so a
            // request still on one cannot be taken for its successor.
            var ids = Set(kept.map(\.id)).union(previous.values.map(\.id))
            var nextFree = 0
            var generated: [BackendState] = []
            var added: [BackendState] = []
            for a in wanted {
                if let b = previous.removeValue(forKey: a) {
                    generated.append(b)
                    continue
                }
                while ids.contains(nextFree) { nextFree += 1 }
                ids.insert(nextFree)
                // Sessions a stale request might still have made under a reused id go.
                sessions?.remove(backend: nextFree)
                let backend = BackendState.generatedBackend(from: matrix, address: a)
                let b = BackendState(backend: backend, id: nextFree, isEmergency: matrix.isEmergency,
                                     groupWeight: a.groupWeight, parent: matrix,
                                     attachment: attach(backend, BackendState.describe(backend)))
                generated.append(b)
                added.append(b)
            }
            let removed = Array(previous.values)
            guard !added.isEmpty || !removed.isEmpty else { return BackendSetChange(added: [], removed: []) }
            let set = try BackendSet(backends: kept + generated, balancerName: balancerName, make: makeBalancer,
                                     tagger: tagger)
            current.store(set, ordering: .releasing)
            for b in removed { sessions?.remove(backend: b.id) }
            return BackendSetChange(added: added, removed: removed)
        }
    }

    /// After a backend answered: the session type may learn a key from the response
    /// (COOKIE's `Set-Cookie`, HEADER's header, BASIC's `Authorization`) and bind it
    /// to `backend` unless a session for it exists (`upd_session`).
    public func learnSession(response: HTTPResponseHead, request: RoutingRequest, backend: BackendState) {
        learnSession(response: response, requestHead: request.head, client: request.client, backend: backend)
    }

    public func learnSession(response: HTTPResponseHead, requestHead: HTTPRequestHead, client: ClientAddress,
                             backend: BackendState) {
        // A backend DNS removed meanwhile learns nothing: its id may name another now.
        guard let sessions, let module = sessionModule, backendSet.index(of: backend) != nil,
              let key = module.key(learnedFrom: ModuleResponseView(head: response),
                                   request: ModuleRequestView(head: requestHead, client: client))
        else { return }
        sessions.learn(SessionKey.truncated(key), backend: backend.id)
    }

    /// A connect failure (Pound's `kill_be(..., BE_KILL)`): the backend is marked dead
    /// and its sessions are dropped. True when this call changed it from alive (log
    /// "Backend ADDR dead (killed)" then). Special backends cannot die.
    @discardableResult
    public func backendFailed(_ b: BackendState) -> Bool {
        guard b.isServer else { return false }
        let changed = b.markDead()
        // A backend DNS removed has no sessions left, and its id may name another now.
        if backendSet.index(of: b) != nil { sessions?.remove(backend: b.id) }
        return changed
    }

    // MARK: Control interface (poundctl)

    /// `poundctl add /L/S/B KEY`: binds `key` to `backend`. A session the key already
    /// had is replaced, as Pound's `service_session_add` drops the duplicate. False, with nothing done, when the
    /// service has no `Session`, the backend does not exist, or the key is longer than
    /// KEY_SIZE (Pound answers 400). Pound gives even a session-less service a table
    /// it never consults; ours has none.
    public func addSession(key: String, backend: BackendState) -> Bool {
        guard let sessions, backendSet.index(of: backend) != nil, !backend.isMatrix,
              key.utf8.count <= SessionKey.maxBytes else { return false }
        return sessions.add(key, backend: backend.id)
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
        guard let sessions else { return [] }
        let set = backendSet
        return sessions.snapshot().compactMap { session in
            set.index(ofID: session.backend).map { (session.key, $0, session.lastUsed, session.expiresIn) }
        }
    }

    /// Evaluates the service's conditions alone (as selection does for it).
    func matches(_ request: inout RoutingRequest) -> MatchResult {
        request.scope.service = scope
        return condition.evaluate(&request, named)
    }
}

/// What one DNS answer changed in a service's backends.
public struct BackendSetChange: Sendable {
    public let added: [BackendState]
    public let removed: [BackendState]
}
