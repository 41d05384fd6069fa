import XCTest
@testable import PoundConfig

/// Statements Pounce reads but does not carry out are never silently accepted:
/// tuning knobs of Pound's thread and process model (and `CNAMEChain`, which c-ares
/// has no limit for) load with a warning naming them. Dynamic backends are carried out.
final class UnsupportedStatementTests: XCTestCase {
    private let workers = "pounce is event-driven and has no worker thread pool"
    private let queue = "pounce is event-driven and has no connection queue"

    private var dns: Features {
        var f = Features.testDefaults
        f.dns = true
        return f
    }

    // MARK: - Dynamic backends: carried out

    func testDynamicBackendsAreMatrices() throws {
        for (word, mode) in [("first", Backend.ResolveMode.first), ("all", .all), ("srv", .srv)] {
            let c = try XCTUnwrap(assertAccepts(
                "Service\n\tBackend\n\t\tAddress backend.invalid\n\t\tResolve \(word)\n\tEnd\nEnd\n", features: dns))
            guard case .regular(let s) = c.services[0].backends.normal[0].kind else { return XCTFail(word) }
            XCTAssertEqual(s.address, .dynamic(host: "backend.invalid", port: 80, mode: mode), word)
        }
    }

    func testDynamicNamedBackendIsAMatrixWhereItIsUsed() throws {
        let c = try XCTUnwrap(assertAccepts("Backend \"b\"\n\tAddress backend.invalid\n\tResolve all\nEnd\n"
                                            + "Service\n\tUseBackend \"b\"\nEnd\n", features: dns))
        guard case .regular(let s) = c.services[0].backends.normal[0].kind else { return XCTFail() }
        XCTAssertEqual(s.address, .dynamic(host: "backend.invalid", port: 80, mode: .all))
    }

    func testResolveThatPoundTurnsIntoImmediateIsAccepted() {
        // An IPv6 address or a socket path is resolved once whatever Resolve says, as in Pound.
        assertAccepts("Service\n\tBackend\n\t\tAddress fe80::1\n\t\tResolve first\n\tEnd\nEnd\n")
        assertAccepts("Service\n\tBackend\n\t\tAddress \"/run/app.sock\"\n\t\tResolve all\n\tEnd\nEnd\n")
        assertAccepts("Service\n\tBackend\n\t\tAddress 10.0.0.1\n\t\tResolve immediate\n\tEnd\nEnd\n")
    }

    func testWithoutDNSPoundsOwnMessageComesFirst() {
        assertRejects("Service\n\tBackend\n\t\tAddress backend.invalid\n\t\tResolve all\n\tEnd\nEnd\n",
                      ["pound.cfg:2.9-5.11: Dynamic backend creation is not available: disabled by -Wno-dns"])
    }

    // MARK: - Accepted with a warning

    func testThreadModelKnobsWarn() throws {
        let c = try XCTUnwrap(assertAccepts("""
            WorkerMinCount 2
            WorkerIdleTimeout 45
            WorkerStackSize 524288
            ConnectionQueueSize 1000
            ReserveFD 10
            ReserveFD -watcher 3

            """, warnings: [
                "pound.cfg:1.1-16: warning: WorkerMinCount has no effect: \(workers)",
                "pound.cfg:2.1-20: warning: WorkerIdleTimeout has no effect: \(workers)",
                "pound.cfg:3.1-22: warning: WorkerStackSize has no effect: \(workers)",
                "pound.cfg:4.1-24: warning: ConnectionQueueSize has no effect: \(queue)",
                "pound.cfg:5.1-12: warning: ReserveFD has no effect: \(queue)",
                "pound.cfg:6.1-20: warning: ReserveFD has no effect: \(queue)",
            ]))
        XCTAssertEqual(c.workerMinCount, 2)
        XCTAssertEqual(c.reserveWorkerFileDescriptors, 3)
    }

    func testKeywordsAreMatchedWhateverTheirCase() {
        assertAccepts("workermincount 2\n", warnings: ["pound.cfg:1.1-16: warning: WorkerMinCount has no effect: \(workers)"])
    }

    func testEventLoopCountIsNotWarnedAbout() {
        // WorkerMaxCount and Threads bound the number of event loops.
        assertAccepts("WorkerMaxCount 4\nThreads 4\n")
    }

    func testSupervisorIsCarriedOut() throws {
        // Both have an effect: a supervisor process (the default) or none.
        XCTAssertEqual(try XCTUnwrap(assertAccepts("Supervisor no\n")).supervisor, false)
        XCTAssertEqual(try XCTUnwrap(assertAccepts("Supervisor yes\n")).supervisor, true)
    }

    func testResolverIsReadAndCNAMEChainWarns() throws {
        let c = try XCTUnwrap(assertAccepts(
            "Resolver\n ConfigText\n nameserver 192.0.2.24\n End\n Debug 1\n RetryInterval 10\n CNAMEChain 4\nEnd\n",
            warnings: ["pound.cfg:7.2-13: warning: CNAMEChain has no effect: "
                       + "pounce follows CNAME chains of any length, as its DNS library (c-ares) does"]))
        XCTAssertEqual(c.resolver.configText, " nameserver 192.0.2.24\n")
        XCTAssertTrue(c.resolver.debug)
        XCTAssertEqual(c.resolver.retryInterval, 10)
        XCTAssertEqual(c.resolver.cnameChain, 4)
    }

    func testDynamicBackendTuningIsRead() throws {
        let c = try XCTUnwrap(assertAccepts(
            "Service\n\tBackend\n\t\tAddress backend.invalid\n\t\tResolve srv\n\t\tIgnoreSRVWeight yes\n"
            + "\t\tOverrideTTL 30\n\t\tRetryInterval 7\n\tEnd\nEnd\n", features: dns))
        guard case .regular(let s) = c.services[0].backends.normal[0].kind else { return XCTFail() }
        XCTAssertTrue(s.ignoreSRVWeight)
        XCTAssertEqual(s.overrideTTL, 30)
        XCTAssertEqual(s.retryInterval, 7)
    }

    // MARK: - Carried out: no message

    func testCleanConfigurationHasNoMessages() throws {
        let c = try XCTUnwrap(assertAccepts("""
            User "www-data"
            Daemon 0
            Supervisor 0
            WorkerMaxCount 8
            Grace 5
            Alive 7
            BackendStats yes
            ListenHTTP
            \tAddress 127.0.0.1
            \tPort 8080
            \tService
            \t\tBackend
            \t\t\tAddress 127.0.0.1
            \t\t\tPort 8081
            \t\t\tFamily inet
            \t\t\tResolve immediate
            \t\tEnd
            \tEnd
            End
            Tunnel
            \tBackend
            \t\tAddress 127.0.0.1
            \t\tPort 22
            \t\tDisabled 1
            \tEnd
            End

            """))
        XCTAssertEqual(c.listeners.count, 2)
    }
}
