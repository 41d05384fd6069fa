import Testing
import HTTPWire
import PoundConfig
import BuiltinModules
import PounceModuleAPI
@testable import Routing

/// A service whose backends DNS changes (`Resolve first|all|srv`): the set swapped
/// whole by `replaceGenerated`, ids that sessions rely on, balancer groups. No DNS
/// here: the matrix's host name is never looked up, the tests hand in the addresses.
@Suite struct DynamicBackendSetTests {
    /// What the engine would attach to a generated backend.
    final class Marker: BackendAttachment {
        let name: String
        init(_ name: String) { self.name = name }
    }

    /// A service "s" with these backend sections. DNS stays on (a matrix needs it;
    /// `routing(_:)` loads with `-Wno-dns`), but nothing in these configurations is
    /// looked up: numeric addresses and matrices only.
    func service(_ backends: String, balancer: String = "iwrr", session: String? = nil,
                 clock: ManualClock = ManualClock()) throws -> RuntimeService {
        var text = "ListenHTTP\n  Service \"s\"\n    Balancer \(balancer)\n"
        if let session { text += "    Session\n\(session)\n    End\n" }
        text += backends + "  End\nEnd\n"
        let path = Fixture().write("pound.cfg", text)
        var features = Features()
        features.dns = true
        features.includeDirectory = nil
        let diagnostics = Diagnostics()
        let config: PoundConfiguration
        do {
            config = try ConfigLoader.load(file: path, features: features, diagnostics: diagnostics)
        } catch {
            Issue.record("configuration rejected: \(diagnostics.all.map(\.description))")
            throw error
        }
        return try RoutingTable.build(config, options: RoutingOptions(clock: clock)).listeners[0].services[0]
    }

    /// A matrix section: a host name (never resolved here) with `Resolve all`.
    func matrix(_ host: String = "backend.invalid", port: Int = 8080, priority: Int? = nil,
                emergency: Bool = false) -> String {
        """
            \(emergency ? "Emergency" : "Backend")
              Address \(host)
              Port \(port)
              Resolve all
        \(priority.map { "      Priority \($0)\n" } ?? "")    End

        """
    }

    func address(_ host: String, port: Int = 8080, group: Int = 0, priority: Int = 1) -> DynamicBackendAddress {
        DynamicBackendAddress(host: host, port: port, groupWeight: group, priority: priority)
    }

    /// The only matrix of `s`.
    func theMatrix(_ s: RuntimeService) throws -> BackendState {
        let matrices = s.backends.filter(\.isMatrix)
        try #require(matrices.count == 1)
        return matrices[0]
    }

    @discardableResult
    func replace(_ s: RuntimeService, _ addresses: [DynamicBackendAddress]) throws -> BackendSetChange {
        try s.replaceGenerated(of: try theMatrix(s), with: addresses) { backend, name in Marker(name) }
    }

    /// The generated backend with this host, in the current set.
    func generated(_ s: RuntimeService, _ host: String) -> BackendState? {
        s.backends.first { $0.generatedAddress?.host == host }
    }

    func host(_ b: BackendState?) -> String? {
        guard case .inet(let host, _)? = b?.address else { return nil }
        return host
    }

    /// Hosts chosen by `n` balancer choices.
    func choices(_ s: RuntimeService, _ n: Int, minimumWeight: Int? = nil) -> [String] {
        (0..<n).map { _ in
            let b = minimumWeight.map { s.chooseBackend(minimumWeight: $0) } ?? s.chooseBackend()
            return host(b) ?? "-"
        }
    }

    // MARK: A matrix and the backends it generates

    @Test func aMatrixAloneHasNoUsableBackendUntilDNSAnswers() throws {
        let s = try service(matrix(priority: 3))
        #expect(s.hasDynamicBackends)
        #expect(s.backends.count == 1)
        let m = try theMatrix(s)
        #expect(m.displayName == "matrix:backend.invalid")
        guard case .dynamic(host: "backend.invalid", port: 8080, mode: .all)? = m.address else {
            Issue.record("matrix address \(String(describing: m.address))")
            return
        }
        #expect(!s.hasUsableBackend)
        #expect(s.chooseBackend() == nil)
        #expect(s.chooseBackend(for: request("GET", "/")) == nil)
        #expect(s.chooseBackend(minimumWeight: 0) == nil)
        #expect(s.balance() == nil)

        var attached: [String] = []
        let change = try s.replaceGenerated(of: m, with: [address("192.0.2.1", priority: 4), address("192.0.2.2")]) {
            backend, name in
            attached.append(name)
            return Marker(name)
        }
        #expect(change.added.map(host) == ["192.0.2.1", "192.0.2.2"])
        #expect(change.removed.isEmpty)
        #expect(attached == ["192.0.2.1:8080", "192.0.2.2:8080"])
        #expect(s.hasUsableBackend)
        #expect(s.backends.count == 3)
        #expect(s.backends[0] === m)

        let a = try #require(generated(s, "192.0.2.1"))
        #expect(a.parent === m)
        #expect(!a.isMatrix)
        #expect(a.isServer && a.isAlive && a.isUsable)
        #expect(a.address == .inet(host: "192.0.2.1", port: 8080))
        #expect(a.generatedAddress == address("192.0.2.1", priority: 4))
        #expect(a.priority == 4)
        #expect(a.groupWeight == 0)
        #expect(!a.isEmergency)
        #expect(a.displayName == "192.0.2.1:8080")
        #expect((a.attachment as? Marker)?.name == "192.0.2.1:8080")
        // The generated backend keeps the matrix's other settings, but resolves no more.
        guard case .regular(let server) = a.backend.kind else {
            Issue.record("not a server backend")
            return
        }
        #expect(server.resolveMode == .immediate)
        #expect(server.host == "backend.invalid")
        #expect(m.backend.priority == 3)

        let chosen = try #require(s.chooseBackend())
        #expect(chosen.parent === m)

        // DNS takes them all away: back to nothing usable.
        let gone = try replace(s, [])
        #expect(Set(gone.removed.compactMap(host)) == ["192.0.2.1", "192.0.2.2"])
        #expect(gone.added.isEmpty)
        #expect(s.backends.count == 1)
        #expect(!s.hasUsableBackend)
        #expect(s.chooseBackend() == nil)
    }

    @Test func theSameAnswerChangesNothing() throws {
        let s = try service(matrix())
        try replace(s, [address("192.0.2.1"), address("192.0.2.2")])
        let before = s.backendSet
        let change = try replace(s, [address("192.0.2.2"), address("192.0.2.1"), address("192.0.2.2")])
        #expect(change.added.isEmpty && change.removed.isEmpty)
        #expect(s.backendSet === before)
        // A duplicate address makes one backend.
        let t = try service(matrix())
        try replace(t, [address("192.0.2.1"), address("192.0.2.1")])
        #expect(t.backends.count == 2)
    }

    @Test func aServiceWithoutMatrixIsNotDynamic() throws {
        let s = try service(backend(9000) + backend(9001))
        #expect(!s.hasDynamicBackends)
        let before = s.backendSet
        let change = try s.replaceGenerated(of: s.backends[0], with: [address("192.0.2.1")]) { _, name in Marker(name) }
        #expect(change.added.isEmpty && change.removed.isEmpty)
        #expect(s.backendSet === before)
        #expect(s.backends.map(\.id) == [0, 1])
    }

    // MARK: Ids

    @Test func generatedIDsAvoidTheConfiguredOnesAndLastAcrossUpdates() throws {
        // Configured: 9000 (id 0), the matrix (id 1), 9001 (id 2).
        let s = try service(backend(9000) + matrix() + backend(9001))
        #expect(s.backends.map(\.id) == [0, 1, 2])
        #expect(s.backends[1].isMatrix)

        try replace(s, [address("192.0.2.1"), address("192.0.2.2")])
        let a = try #require(generated(s, "192.0.2.1"))
        let b = try #require(generated(s, "192.0.2.2"))
        #expect([a.id, b.id] == [3, 4])
        #expect(s.backendSet.backend(id: 3) === a)
        #expect(s.backendSet.index(ofID: 4) == 4)

        // Same address, group and priority: the very same backend, whatever the order.
        let change = try replace(s, [address("192.0.2.2"), address("192.0.2.3"), address("192.0.2.1")])
        #expect(change.added.map(host) == ["192.0.2.3"])
        #expect(change.removed.isEmpty)
        #expect(generated(s, "192.0.2.1") === a)
        #expect(generated(s, "192.0.2.2") === b)
        let c = try #require(generated(s, "192.0.2.3"))
        #expect(c.id == 5)
        // Ids follow the backends, not their positions.
        #expect(s.backends.map(\.id) == [0, 1, 2, 4, 5, 3])
        #expect(s.backendSet.index(ofID: 3) == 5)
        #expect(s.backendSet.backend(id: 3) === a)
        #expect(s.backendSet.backend(id: 4) === b)
        #expect(s.backendSet.backend(id: 6) == nil)
        // Ids are unique in every set.
        #expect(Set(s.backends.map(\.id)).count == s.backends.count)
    }

    @Test func aChangedPriorityOrGroupMakesANewBackend() throws {
        let s = try service(matrix())
        try replace(s, [address("192.0.2.1", priority: 1)])
        let first = try #require(generated(s, "192.0.2.1"))
        let change = try replace(s, [address("192.0.2.1", priority: 2)])
        let second = try #require(generated(s, "192.0.2.1"))
        #expect(second !== first)
        #expect(change.removed.count == 1 && change.removed[0] === first)
        #expect(change.added.count == 1 && change.added[0] === second)
        #expect(second.priority == 2)
        try replace(s, [address("192.0.2.1", group: 10, priority: 2)])
        let third = try #require(generated(s, "192.0.2.1"))
        #expect(third !== second)
        #expect(third.groupWeight == 10)
        try replace(s, [address("192.0.2.1", port: 8081, group: 10, priority: 2)])
        #expect(generated(s, "192.0.2.1") !== third)
        #expect(s.backends.count == 2)
    }

    @Test func idsOfRemovedBackendsAreUsedAgainLater() throws {
        let s = try service(matrix())                 // the matrix is id 0
        try replace(s, [address("192.0.2.1"), address("192.0.2.2"), address("192.0.2.3")])
        #expect(s.backends.map(\.id) == [0, 1, 2, 3])
        try replace(s, [address("192.0.2.3")])
        #expect(s.backends.map(\.id) == [0, 3])
        try replace(s, [address("192.0.2.3"), address("192.0.2.4"), address("192.0.2.5"), address("192.0.2.6")])
        #expect(s.backends.map(\.id) == [0, 3, 1, 2, 4])
        #expect(host(s.backendSet.backend(id: 1)) == "192.0.2.4")
        #expect(host(s.backendSet.backend(id: 4)) == "192.0.2.6")
    }

    // MARK: Sessions

    @Test func aRemovedBackendsSessionsAreDropped() throws {
        let s = try service(matrix(), session: "      Type IP\n      TTL 300")
        try replace(s, [address("192.0.2.1"), address("192.0.2.2")])
        let x = request("GET", "/", client: "10.0.0.1")
        let y = request("GET", "/", client: "10.0.0.2")
        let bx = try #require(s.chooseBackend(for: x))
        let by = try #require(s.chooseBackend(for: y))
        #expect(bx !== by)                             // iwrr, equal priorities: one each
        #expect((0..<4).allSatisfy { _ in s.chooseBackend(for: x) === bx && s.chooseBackend(for: y) === by })

        // DNS drops x's backend: its session goes, y's stays.
        let yHost = try #require(host(by))
        let change = try replace(s, [address(yHost)])
        #expect(change.removed.count == 1 && change.removed[0] === bx)
        #expect(s.sessions?.backend(forKey: "10.0.0.1") == nil)
        #expect(s.sessions?.backend(forKey: "10.0.0.2") == by.id)
        #expect(s.chooseBackend(for: y) === by)
        #expect(s.chooseBackend(for: x) === by)       // the only one left
        #expect(s.listSessions().count == 2)
    }

    @Test func aSessionDoesNotMoveToTheBackendThatInheritsItsID() throws {
        // One update both removes x's backend and adds a new one, which does not take
        // the freed id; a later newcomer does: x's session must lead to neither.
        let s = try service(matrix(), session: "      Type IP\n      TTL 300")
        try replace(s, [address("192.0.2.1"), address("192.0.2.2")])
        let x = request("GET", "/", client: "10.0.0.1")
        let bx = try #require(s.chooseBackend(for: x))
        let other = try #require(s.backends.first { $0.parent != nil && $0 !== bx })
        let oldID = bx.id
        try replace(s, [try #require(other.generatedAddress), address("192.0.2.9")])
        let newcomer = try #require(generated(s, "192.0.2.9"))
        #expect(newcomer.id != oldID)                  // not in the change that freed it
        #expect(s.sessions?.backend(forKey: "10.0.0.1") == nil)
        try replace(s, [try #require(other.generatedAddress), address("192.0.2.9"), address("192.0.2.10")])
        let later = try #require(generated(s, "192.0.2.10"))
        #expect(later.id == oldID)                     // free again in a later change
        #expect(s.sessions?.backend(forKey: "10.0.0.1") == nil)
    }

    @Test func listSessionsGivesIndicesInTheCurrentSet() throws {
        // 9000 (id 0), the matrix (id 1), generated 2, 3, 4.
        let s = try service(backend(9000) + matrix(), session: "      Type HEADER\n      ID \"X-Session\"\n      TTL 300")
        try replace(s, [address("192.0.2.1"), address("192.0.2.2"), address("192.0.2.3")])
        let b = try #require(generated(s, "192.0.2.2"))
        let c = try #require(generated(s, "192.0.2.3"))
        #expect([b.id, c.id] == [3, 4])
        #expect(s.addSession(key: "on-c", backend: c))
        #expect(s.addSession(key: "on-b", backend: b))
        #expect(s.addSession(key: "on-0", backend: s.backends[0]))
        // A matrix takes no sessions.
        #expect(!s.addSession(key: "on-m", backend: try theMatrix(s)))
        var listed = Dictionary(uniqueKeysWithValues: s.listSessions().map { ($0.key, $0.backend) })
        #expect(listed == ["on-c": 4, "on-b": 3, "on-0": 0])

        // 192.0.2.1 (id 2, index 2) goes: b and c move up one place, keeping their ids.
        let a = try #require(generated(s, "192.0.2.1"))
        try replace(s, [address("192.0.2.2"), address("192.0.2.3")])
        #expect([b.id, c.id] == [3, 4])
        listed = Dictionary(uniqueKeysWithValues: s.listSessions().map { ($0.key, $0.backend) })
        #expect(listed == ["on-c": 3, "on-b": 2, "on-0": 0])
        for (key, index) in listed {
            #expect(s.backends[index] === (key == "on-c" ? c : key == "on-b" ? b : s.backends[0]))
        }
        // A backend no longer in the set takes no sessions.
        #expect(!s.addSession(key: "on-a", backend: a))
        // A session that names a removed backend is not listed (and is gone).
        try replace(s, [address("192.0.2.2")])
        #expect(s.listSessions().map(\.key).sorted() == ["on-0", "on-b"])
    }

    // MARK: Balancer groups

    @Test func groupsAreBalancedLightestWeightFirst() throws {
        let s = try service(matrix())
        try replace(s, [
            address("192.0.2.20", group: 20), address("192.0.2.10", group: 10),
            address("192.0.2.21", group: 20), address("192.0.2.11", group: 10),
        ])
        #expect(s.backendSet.groups.map(\.weight) == [10, 20])
        #expect(Set(choices(s, 8)) == ["192.0.2.10", "192.0.2.11"])
        // A resend to group 20 and up (`http.balancer = 20`).
        #expect(Set(choices(s, 8, minimumWeight: 20)) == ["192.0.2.20", "192.0.2.21"])
        #expect(Set(choices(s, 8, minimumWeight: 11)) == ["192.0.2.20", "192.0.2.21"])
        #expect(choices(s, 2, minimumWeight: 21) == ["-", "-"])
        // Group 10 gone: group 20 serves.
        try #require(generated(s, "192.0.2.10")).markDead()
        try #require(generated(s, "192.0.2.11")).setDisabled(true)
        #expect(Set(choices(s, 8)) == ["192.0.2.20", "192.0.2.21"])
    }

    @Test func configuredBackendsComeBeforeSRVGroupsAndEmergencyAfter() throws {
        let s = try service(backend(9000) + matrix() + backend(9100, emergency: true))
        try replace(s, [address("192.0.2.10", group: 10)])
        #expect(s.backendSet.groups.map(\.weight) == [0, 10, RuntimeService.emergencyWeight])
        #expect(s.chooseBackend()?.id == 0)
        s.backends[0].markDead()
        #expect(host(s.chooseBackend()) == "192.0.2.10")
        try #require(generated(s, "192.0.2.10")).markDead()
        #expect(s.chooseBackend()?.isEmergency == true)
    }

    @Test func anEmergencyMatrixMakesEmergencyBackends() throws {
        let s = try service(backend(9000) + matrix(emergency: true))
        let m = try theMatrix(s)
        #expect(m.isEmergency)
        #expect(m.groupWeight == RuntimeService.emergencyWeight)
        try replace(s, [address("192.0.2.1", group: RuntimeService.emergencyWeight)])
        let e = try #require(generated(s, "192.0.2.1"))
        #expect(e.isEmergency)
        #expect(s.chooseBackend()?.id == 0)
        s.backends[0].markDead()
        #expect(s.chooseBackend() === e)
    }

    @Test func theMatrixIsNeverChosenAndNeverAlive() throws {
        let s = try service(matrix(priority: 9), session: "      Type IP\n      TTL 300")
        let m = try theMatrix(s)
        #expect(!m.isAlive)
        #expect(!m.markAlive())
        #expect(!m.isAlive)
        #expect(!m.isUsable)
        // The matrix joins no balancer group.
        #expect(s.backendSet.groups.isEmpty)
        try replace(s, [address("192.0.2.1"), address("192.0.2.2")])
        #expect(s.backendSet.groups.count == 1)
        #expect(!s.backendSet.groups[0].members.contains(0))
        for i in 0..<20 {
            let b = s.chooseBackend(for: request("GET", "/", client: "10.0.1.\(i)"))
            #expect(b != nil && b !== m)
            #expect(s.balance() != 0)
        }
        // With every generated backend dead, nothing is chosen: not the matrix.
        for b in s.backends where b.parent != nil { s.backendFailed(b) }
        #expect(!s.hasUsableBackend)
        #expect(s.chooseBackend() == nil)
        #expect(s.chooseBackend(for: request("GET", "/", client: "10.9.9.9")) == nil)
        #expect(!m.isAlive)
    }

    // MARK: leastconn across updates

    /// Requests in flight on `backend` as its group's leastconn balancer in `set` counts them.
    func inFlight(_ set: BackendSet, _ backend: BackendState) throws -> Int {
        let index = try #require(set.index(of: backend))
        let group = try #require(set.groups.first { $0.members.contains(index) })
        let balancer = try #require(group.balancer as? LeastConnBalancerModule)
        return balancer.requestsInFlight(on: try #require(group.members.firstIndex(of: index)))
    }

    @Test func aRequestCountEndsInTheSetItStartedIn() throws {
        let s = try service(matrix(), balancer: "leastconn")
        try replace(s, [address("192.0.2.1"), address("192.0.2.2")])
        #expect(s.countsRequests)
        let a = try #require(generated(s, "192.0.2.1"))
        let b = try #require(generated(s, "192.0.2.2"))
        let old = s.backendSet
        let early = s.requestStarted(on: a)
        let early2 = s.requestStarted(on: a)
        #expect(try inFlight(old, a) == 2)
        // leastconn sees it: b is the lighter one now.
        #expect(s.chooseBackend() === b)

        // DNS adds a backend: a new set, new balancers, a and b kept.
        try replace(s, [address("192.0.2.1"), address("192.0.2.2"), address("192.0.2.3")])
        let new = s.backendSet
        #expect(new !== old)
        #expect(generated(s, "192.0.2.1") === a)
        #expect(try inFlight(new, a) == 0)
        let late = s.requestStarted(on: a)
        #expect(try inFlight(new, a) == 1)

        // The early requests end against the old set; the new count is untouched.
        early.finish()
        #expect(try inFlight(old, a) == 1)
        #expect(try inFlight(new, a) == 1)
        early2.finish()
        #expect(try inFlight(old, a) == 0)
        #expect(try inFlight(new, a) == 1)
        late.finish()
        #expect(try inFlight(new, a) == 0)
        #expect(try inFlight(old, a) == 0)
        #expect(try inFlight(new, b) == 0)
    }

    @Test func aRequestOnARemovedBackendIsNotCounted() throws {
        let s = try service(matrix(), balancer: "leastconn")
        try replace(s, [address("192.0.2.1"), address("192.0.2.2")])
        let a = try #require(generated(s, "192.0.2.1"))
        let b = try #require(generated(s, "192.0.2.2"))
        try replace(s, [address("192.0.2.2")])
        try replace(s, [address("192.0.2.2"), address("192.0.2.3")])
        let set = s.backendSet
        // The id a had now belongs to 192.0.2.3: a count for a must not land on it.
        let c = try #require(generated(s, "192.0.2.3"))
        #expect(c.id == a.id)
        let count = s.requestStarted(on: a)
        #expect(try inFlight(set, c) == 0)
        #expect(try inFlight(set, b) == 0)
        count.finish()
        #expect(try inFlight(set, c) == 0)
        #expect(try inFlight(set, b) == 0)
    }

    // MARK: A backend DNS removed, still in use

    /// A request that was sent to a backend before DNS removed it ends after the
    /// update; what it reports must not land on the backend that now has its id.
    @Test func aRemovedBackendsFailureLeavesItsIDsNewOwnerAlone() throws {
        let s = try service(matrix(), session: "      Type IP\n      TTL 300")
        try replace(s, [address("192.0.2.1")])
        let a = try #require(generated(s, "192.0.2.1"))
        // 192.0.2.1 goes; later 192.0.2.2 comes and takes its free id.
        try replace(s, [])
        try replace(s, [address("192.0.2.2")])
        let c = try #require(generated(s, "192.0.2.2"))
        #expect(c.id == a.id)
        let x = request("GET", "/", client: "10.0.0.1")
        #expect(s.chooseBackend(for: x) === c)
        #expect(s.sessions?.backend(forKey: "10.0.0.1") == c.id)
        // The old request's connect to 192.0.2.1 fails now (its server is gone).
        s.backendFailed(a)
        #expect(c.isAlive)
        #expect(s.sessions?.backend(forKey: "10.0.0.1") == c.id)
    }

    @Test func aRemovedBackendsResponseDoesNotBindSessionsToItsIDsNewOwner() throws {
        let s = try service(matrix(), session: "      Type HEADER\n      ID \"X-Session\"\n      TTL 300")
        try replace(s, [address("192.0.2.1")])
        let a = try #require(generated(s, "192.0.2.1"))
        try replace(s, [])
        try replace(s, [address("192.0.2.2")])
        let c = try #require(generated(s, "192.0.2.2"))
        #expect(c.id == a.id)
        // The response of a request 192.0.2.1 was serving when it was removed.
        let response = HTTPResponseHead(version: .http1_1, status: 200, reason: "OK", headers: ["X-Session": "t-1"])
        s.learnSession(response: response, request: request("GET", "/"), backend: a)
        #expect(s.sessions?.backend(forKey: "t-1") == nil)
    }
}
