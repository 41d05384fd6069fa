import Atomics
import PounceModuleAPI

/// The backends of a service at one moment, with their balancer groups. A service
/// without dynamic backends has one for life; one with `Resolve first|all|srv` gets a
/// new set whenever DNS changes its backends, swapped whole, so a request sees one
/// consistent list of backends, groups and balancers.
public final class BackendSet: Sendable, AtomicReference {
    /// Configured backends in their order (normal, then Emergency), then the generated
    /// ones: the order the control interface numbers them in.
    public let backends: [BackendState]
    /// Pound's balancer groups, lightest weight first: the normal backends (0), SRV
    /// priorities, Emergency (65535).
    let groups: [BalancerGroup]
    /// Which group and position in it each backend (by index) has.
    private let placement: [(group: Int, position: Int)]
    /// Index of each backend id, when some id is not its own index (generated backends).
    private let indexByID: [Int: Int]?
    /// Some group's balancer wants each request's start and end (`leastconn`).
    let countsRequests: Bool
    /// With a client-affinity session type: each backend's tag (by index), and back.
    let tags: [String?]
    private let indexByTag: [String: Int]

    /// One balancer group: Pound's BALANCER.
    struct BalancerGroup: Sendable {
        let weight: Int
        let members: [Int]
        let balancer: any BalancerModule
    }

    typealias MakeBalancer = @Sendable (BalancerSetup) throws -> any BalancerModule

    /// Groups `backends` by weight (a matrix stands for its generated backends and
    /// joins none) and gives each group a balancer from `make`.
    init(backends: [BackendState], balancerName: String, make: MakeBalancer, tagger: AffinityTagger? = nil) throws {
        self.backends = backends
        let tags = backends.map { tagger?.tag(for: $0) }
        self.tags = tags
        // Two backends with one address (or a CookieValue equal to another's hash) share a
        // tag: the first keeps it, as the first of two same backends gets Pound's sessions.
        indexByTag = Dictionary(tags.enumerated().compactMap { i, tag in tag.map { ($0, i) } },
                                uniquingKeysWith: { first, _ in first })
        var byWeight: [Int: [Int]] = [:]
        for (i, b) in backends.enumerated() where !b.isMatrix {
            byWeight[b.groupWeight, default: []].append(i)
        }
        var groups: [BalancerGroup] = []
        var placement = Array(repeating: (group: -1, position: 0), count: backends.count)
        for weight in byWeight.keys.sorted() {
            let members = byWeight[weight] ?? []
            let setup = BalancerSetup(name: balancerName, backends: members.map {
                BalancerSetup.Backend(address: backends[$0].displayName, weight: backends[$0].priority)
            })
            for (position, i) in members.enumerated() { placement[i] = (groups.count, position) }
            groups.append(BalancerGroup(weight: weight, members: members, balancer: try make(setup)))
        }
        self.groups = groups
        self.placement = placement
        self.countsRequests = groups.contains { $0.balancer.countsRequests }
        if backends.indices.allSatisfy({ backends[$0].id == $0 }) {
            indexByID = nil
        } else {
            indexByID = Dictionary(backends.indices.map { (backends[$0].id, $0) }, uniquingKeysWith: { a, _ in a })
        }
    }

    /// The backend a client-affinity tag names, by index.
    func index(ofTag tag: String) -> Int? { indexByTag[tag] }

    /// The position of the backend with this id in `backends`.
    public func index(ofID id: Int) -> Int? {
        guard let indexByID else { return backends.indices.contains(id) ? id : nil }
        return indexByID[id]
    }

    public func backend(id: Int) -> BackendState? {
        index(ofID: id).map { backends[$0] }
    }

    /// The position of this very backend (not another with its id) in the set.
    func index(of backend: BackendState) -> Int? {
        guard let i = index(ofID: backend.id), backends[i] === backend else { return nil }
        return i
    }

    /// Whether some backend of any group can serve (Pound's `service_has_backends`).
    var hasUsableBackend: Bool {
        backends.contains { $0.isUsable }
    }

    /// The balancers alone: each group in turn, lightest first, until one picks. Returns an index.
    func balance(key: String?, minimumWeight: Int = Int.min) -> Int? {
        for group in groups where group.weight >= minimumWeight {
            if let chosen = pick(in: group, key: key) { return chosen }
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

    /// A request starts or ends on `backend`, for balancers that count them. A request
    /// that outlives the set it started in ends without a count (the new set's balancer
    /// never saw it start).
    func requestStarted(on backend: BackendState) {
        guard let p = placement(of: backend) else { return }
        groups[p.group].balancer.requestStarted(on: p.position)
    }

    func requestFinished(on backend: BackendState) {
        guard let p = placement(of: backend) else { return }
        groups[p.group].balancer.requestFinished(on: p.position)
    }

    private func placement(of backend: BackendState) -> (group: Int, position: Int)? {
        guard let i = index(of: backend), placement[i].group >= 0 else { return nil }
        return placement[i]
    }
}
