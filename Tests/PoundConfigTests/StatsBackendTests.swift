import XCTest
@testable import PoundConfig

/// `Stats` (Pounce extension): the live status page backend, parsed like `Control`.
final class StatsBackendTests: XCTestCase {
    func test_statsBackend() {
        let config = assertAccepts("Service\n\tStats\nEnd\n")
        guard let be = config?.services.first?.backends.normal.first else { return XCTFail("no backend") }
        guard case .stats = be.kind else { return XCTFail("kind is \(be.kind)") }
        XCTAssertEqual(be.priority, 1)
        XCTAssertEqual(be.range.begin.line, 2)
    }

    func test_statsBehindBasicAuth() {
        let fixture = ConfigFixture()
        fixture.write("htpasswd", "admin:{PLAIN}secret\n")
        fixture.write("pound.cfg", """
        ListenHTTP
        \tAddress 127.0.0.1
        \tPort 8080
        \tService
        \t\tURL "^/status"
        \t\tBasicAuth "htpasswd"
        \t\tStats
        \tEnd
        End

        """)
        let outcome = fixture.load()
        XCTAssertEqual(outcome.messages, [])
        guard let service = outcome.config?.listeners.first?.services.first else { return XCTFail("rejected") }
        guard case .stats = service.backends.normal.first?.kind else { return XCTFail("not Stats") }
        XCTAssertTrue(service.condition.conditions.contains { if case .basicAuth = $0 { true } else { false } })
    }

    func test_twoStats() {
        assertRejects("Service\n\tStats\n\tStats\nEnd\n",
                      ["pound.cfg:1.7-4.3: multiple backends of this type are not allowed"])
    }

    func test_statsAndRegular() {
        assertRejects("Service\n\tStats\n\tBackend\n\t\tAddress 1.2.3.4\n\tEnd\nEnd\n",
                      ["pound.cfg:1.7-6.3: service mixes backends of different types"])
    }

    func test_statsArgumentRejected() {
        let outcome = parse("Service\n\tStats \"x\"\nEnd\n")
        XCTAssertFalse(outcome.succeeded)
    }
}
