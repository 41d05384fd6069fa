import Testing
import BuiltinModules
import PounceModuleAPI
@testable import Routing

@Suite struct BalancerTests {
    func service(_ balancer: String, _ priorities: [Int], emergency: [Int] = [],
                 random: any RandomNumberSource = SplitMix64Random(seed: 1)) throws -> RuntimeService {
        var text = "ListenHTTP\n  Service \"s\"\n    Balancer \(balancer)\n"
        for (i, p) in priorities.enumerated() { text += backend(9000 + i, priority: p) }
        for (i, p) in emergency.enumerated() { text += backend(9100 + i, priority: p, emergency: true) }
        text += "  End\nEnd\n"
        let modules = RoutingOptions.builtinModules()
        modules.registerBalancer("random") { RandomBalancerModule(setup: $0, random: random) }
        return try routing(text, options: RoutingOptions(modules: modules)).listeners[0].services[0]
    }

    func ports(_ s: RuntimeService, _ n: Int) -> String {
        (0..<n).map { _ in
            guard let b = s.chooseBackend(for: request("GET", "/")) else { return "-" }
            return ["A", "B", "C", "D"][b.id]
        }.joined()
    }

    /// Pound's iwrr for priorities 3, 2, 1: round 0 takes A B C, round 1 A B, round 2
    /// A, round 3 (= max priority) nobody, then round 0 again; so the cycle is
    /// A B C A B A.
    @Test func iwrrSequenceMatchesPound() throws {
        let s = try service("iwrr", [3, 2, 1])
        #expect(ports(s, 12) == "ABCABAABCABA")
    }

    @Test func iwrrEqualWeightsIsRoundRobin() throws {
        let s = try service("iwrr", [5, 5, 5])
        #expect(ports(s, 9) == "ABCABCABC")
    }

    /// When a backend dies, Pound keeps its cursor and round: the rotation goes on
    /// from where it was with the remaining backends (max priority now 2).
    @Test func iwrrContinuesWhenTheUsableSetChanges() throws {
        let s = try service("iwrr", [3, 2, 1])
        #expect(ports(s, 2) == "AB")           // cursor at C, round 0
        s.backendFailed(s.backends[0])
        // C (round 0); round 1: B; round 2 (= new max): nobody; round 0: B C; ...
        #expect(ports(s, 6) == "CBBCBB")
        s.backends[0].markAlive()
        #expect(ports(s, 1) == "C")
    }

    /// Recorded from Pound 4.23 (three servers, Priority 3/2/1, Balancer iwrr; the
    /// first server stopped after two requests): A B C, then request 4 picks A, which
    /// fails to connect, and Pound retries with the next choice: B; then B C B B C B.
    @Test func iwrrFailoverTraceRecordedFromPound() throws {
        let s = try service("iwrr", [3, 2, 1])
        #expect(ports(s, 3) == "ABC")
        let a = try #require(s.chooseBackend(for: request("GET", "/")))
        #expect(a.id == 0)
        #expect(s.backendFailed(a))
        // The retry of request 4, then requests 5-10.
        #expect(ports(s, 7) == "BBCBBCB")
    }

    @Test func randomMapsTheDrawOntoCumulativePriorities() throws {
        // Sum 6: 0-2 → A, 3-4 → B, 5 → C.
        let s = try service("random", [3, 2, 1], random: ScriptedRandom([0, 2, 3, 4, 5]))
        #expect(ports(s, 5) == "AABBC")
        // B disabled: sum 4, 3 → C.
        let t = try service("random", [3, 2, 1], random: ScriptedRandom([3, 2]))
        t.backends[1].setDisabled(true)
        #expect(ports(t, 2) == "CA")
    }

    @Test func randomIsRoughlyProportional() throws {
        let s = try service("random", [3, 2, 1], random: SplitMix64Random(seed: 42))
        var counts = [0, 0, 0]
        for _ in 0..<60_000 {
            if let b = s.chooseBackend(for: request("GET", "/")) { counts[b.id] += 1 }
        }
        // Deterministic for this seed; the bounds hold for any decent generator.
        #expect(abs(counts[0] - 30_000) < 900)
        #expect(abs(counts[1] - 20_000) < 900)
        #expect(abs(counts[2] - 10_000) < 900)
    }

    @Test func emergencyOnlyWhenNoNormalBackendIsUsable() throws {
        for algorithm in ["random", "iwrr"] {
            let s = try service(algorithm, [1, 1], emergency: [1])
            #expect(!ports(s, 4).contains("C"))
            s.backendFailed(s.backends[0])
            s.backends[1].setDisabled(true)
            #expect(ports(s, 3) == "CCC")
            #expect(s.backends[2].isEmergency)
            s.backendFailed(s.backends[2])
            #expect(s.chooseBackend(for: request("GET", "/")) == nil)
            s.backends[1].setDisabled(false)
            #expect(ports(s, 2) == "BB")
        }
    }

    @Test func aLoneBackendIsUsedWhateverItsPriority() throws {
        let s = try service("iwrr", [1])
        #expect(ports(s, 3) == "AAA")
        #expect(s.backendFailed(s.backends[0]))
        #expect(!s.backendFailed(s.backends[0]))  // already dead
        #expect(s.chooseBackend(for: request("GET", "/")) == nil)
        #expect(s.backends[0].markAlive())
        #expect(ports(s, 1) == "A")
    }

    @Test func iwrrIsConsistentAcrossThreads() async throws {
        let s = try service("iwrr", [3, 2, 1])
        let counts = await withTaskGroup(of: [Int].self) { group in
            for _ in 0..<4 {
                group.addTask {
                    var c = [0, 0, 0]
                    for _ in 0..<6_000 { if let b = s.chooseBackend(for: request("GET", "/")) { c[b.id] += 1 } }
                    return c
                }
            }
            var total = [0, 0, 0]
            for await c in group { for i in 0..<3 { total[i] += c[i] } }
            return total
        }
        // 24 000 choices are exactly 4 000 cycles of A B C A B A, whatever the interleaving.
        #expect(counts == [12_000, 8_000, 4_000])
    }

    @Test func balancersComeFromTheModuleRegistry() throws {
        final class FirstUsable: BalancerModule {
            func choose(usable: UnsafeBufferPointer<Bool>, key: String?) -> Int? { usable.firstIndex(of: true) }
        }
        let text = """
        ListenHTTP
          Service "m"
            Balancer "first"
        \(backend(9001))\(backend(9002))  End
        End
        """
        let f = Fixture()
        let config = try f.load(text)
        let error = #expect(throws: RoutingBuildError.self) { try RoutingTable.build(config) }
        #expect(error.map { "\($0)" }?.hasSuffix("balancer module \"first\" not available") == true)
        let modules = RoutingOptions.builtinModules()
        modules.registerBalancer("First") { _ in FirstUsable() }
        let t = try RoutingTable.build(config, options: RoutingOptions(modules: modules))
        let s = t.listeners[0].services[0]
        #expect(s.chooseBackend(for: request("GET", "/"))?.id == 0)
        s.backends[0].setDisabled(true)
        #expect(s.chooseBackend(for: request("GET", "/"))?.id == 1)
    }

    @Test func chashSendsASessionKeyToTheSameBackendInTwoTables() throws {
        let text = """
        ListenHTTP
          Service "h"
            Balancer chash
            Session
              Type Header
              ID "X-Key"
              TTL 60
            End
        \(backend(9001))\(backend(9002))\(backend(9003))  End
        End
        """
        let one = try routing(text).listeners[0].services[0]
        let two = try routing(text).listeners[0].services[0]
        for k in 0..<200 {
            let r = request("GET", "/", headers: [("X-Key", "k\(k)")])
            #expect(one.chooseBackend(for: r)?.id == two.chooseBackend(for: r)?.id)
        }
    }
}
