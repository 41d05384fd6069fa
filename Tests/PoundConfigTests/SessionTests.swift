import XCTest
@testable import PoundConfig

/// Generated from runs of the real Pound 4.23 (pound -c -Wno-dns -Wno-include-dir);
/// every expected message below is what that binary printed.
final class SessionTests: XCTestCase {
    func test_ip() {
        let cfg = "Service\n\tSession\n\t\tType IP\n\t\tTTL 300\n\tEnd\n\tBackend\n\t\tAddress 1.2.3.4\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: true, messages: [])
        guard let config = outcome else { return }
        XCTAssertEqual(config.services[0].session, SessionSettings(type: .ip, ttl: 300, id: nil, range: config.services[0].session?.range ?? .unset))
    }
    func test_basicLowercase() {
        let cfg = "Service\n\tSession\n\t\tType basic\n\t\tTTL 300\n\tEnd\n\tBackend\n\t\tAddress 1.2.3.4\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: true, messages: [])
        guard let config = outcome else { return }
        XCTAssertEqual(config.services[0].session?.type, .basic)
    }
    func test_parm() {
        let cfg = "Service\n\tSession\n\t\tType PARM\n\t\tTTL 60\n\tEnd\n\tBackend\n\t\tAddress 1.2.3.4\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: true, messages: [])
        guard let config = outcome else { return }
        XCTAssertEqual(config.services[0].session?.type, .parameter)
    }
    func test_cookie() {
        let cfg = "Service\n\tSession\n\t\tType Cookie\n\t\tTTL 300\n\t\tID \"sess\"\n\tEnd\n\tBackend\n\t\tAddress 1.2.3.4\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: true, messages: [])
        guard let config = outcome else { return }
        XCTAssertEqual(config.services[0].session?.type, .cookie)
        XCTAssertEqual(config.services[0].session?.id, "sess")
        XCTAssertEqual(config.services[0].session?.ttl, 300)
    }
    func test_url() {
        let cfg = "Service\n\tSession\n\t\tType URL\n\t\tTTL 300\n\t\tID \"sid\"\n\tEnd\n\tBackend\n\t\tAddress 1.2.3.4\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: true, messages: [])
        guard let config = outcome else { return }
        XCTAssertEqual(config.services[0].session?.type, .url)
    }
    func test_header() {
        let cfg = "Service\n\tSession\n\t\tType HEADER\n\t\tTTL 300\n\t\tID \"X-Session\"\n\tEnd\n\tBackend\n\t\tAddress 1.2.3.4\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: true, messages: [])
        guard let config = outcome else { return }
        XCTAssertEqual(config.services[0].session?.id, "X-Session")
    }
    func test_idAcceptedForIP() {
        let cfg = "Service\n\tSession\n\t\tType IP\n\t\tTTL 300\n\t\tID \"x\"\n\tEnd\n\tBackend\n\t\tAddress 1.2.3.4\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: true, messages: [])
        guard let config = outcome else { return }
        XCTAssertEqual(config.services[0].session?.id, "x")
    }
    func test_cookieWithoutID() {
        let cfg = "Service\n\tSession\n\t\tType cookie\n\t\tTTL 300\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:5.9-11: Session ID not defined"])
        _ = outcome
    }
    func test_urlWithoutID() {
        let cfg = "Service\n\tSession\n\t\tType URL\n\t\tTTL 300\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:5.9-11: Session ID not defined"])
        _ = outcome
    }
    func test_headerWithoutID() {
        let cfg = "Service\n\tSession\n\t\tType HEADER\n\t\tTTL 300\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:5.9-11: Session ID not defined"])
        _ = outcome
    }
    func test_noTTL() {
        let cfg = "Service\n\tSession\n\t\tType cookie\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:2.9-4.11: Session TTL not defined"])
        _ = outcome
    }
    func test_noType() {
        let cfg = "Service\n\tSession\n\t\tTTL 300\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:2.9-4.11: Session type not defined"])
        _ = outcome
    }
    func test_unknownType() {
        let cfg = "Service\n\tSession\n\t\tType foo\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:3.22-24: Unknown Session type"])
        _ = outcome
    }
    func test_typeNumber() {
        let cfg = "Service\n\tSession\n\t\tType 12\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:3.22-23: expected identifier, but found number"])
        _ = outcome
    }
    func test_ttlNotNumber() {
        let cfg = "Service\n\tSession\n\t\tType IP\n\t\tTTL x\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:4.21: expected number, but found identifier"])
        _ = outcome
    }
    func test_idUnquoted() {
        let cfg = "Service\n\tSession\n\t\tType IP\n\t\tID x\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:4.20: expected quoted string, but found identifier"])
        _ = outcome
    }
    func test_unknownKeyword() {
        let cfg = "Service\n\tSession\n\t\tType IP\n\t\tFoo 1\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:4.17-19: unrecognized keyword"])
        _ = outcome
    }
    func test_secondBlockInherits() {
        let cfg = "Service\n\tSession\n\t\tType IP\n\t\tTTL 300\n\tEnd\n\tSession\n\t\tTTL 20\n\tEnd\n\tBackend\n\t\tAddress 1.2.3.4\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: true, messages: [])
        guard let config = outcome else { return }
        XCTAssertEqual(config.services[0].session?.type, .ip)
        XCTAssertEqual(config.services[0].session?.ttl, 20)
    }
}


// MARK: - Pounce extension: session modules

extension SessionTests {
    func testQuotedTypeIsModule() {
        let cfg = "Service\n\tSession\n\t\tType \"redis\"\n\t\tTTL 300\n\tEnd\n\tBackend\n\t\tAddress 1.2.3.4\n\tEnd\nEnd\n"
        let config = poundCheck(cfg, files: [:], expectSuccess: true, messages: [])
        XCTAssertEqual(config?.services[0].session?.type, .module("redis"))
        XCTAssertNil(config?.services[0].session?.id)
    }

    /// A module's type may keep no table (client affinity, API version 2), so the parser
    /// lets its TTL out; routing refuses a table-keeping module without one (RoutingTests).
    func testModuleTTLIsLeftToTheModule() {
        let config = poundCheck("Service\n\tSession\n\t\tType \"redis\"\n\tEnd\nEnd\n", files: [:], expectSuccess: true,
                                messages: ["pound.cfg:1.7-5.3: warning: no backends defined"])
        XCTAssertEqual(config?.services[0].session?.ttl, 0)
    }

    func testPounceCookieTypesNeedNoTTL() {
        let config = poundCheck("Service\n\tSession\n\t\tType \"CookieInsert\"\n\t\tID \"S\"\n\tEnd\nEnd\n", files: [:],
                                expectSuccess: true, messages: ["pound.cfg:1.7-6.3: warning: no backends defined"])
        XCTAssertEqual(config?.services[0].session?.type, .module("CookieInsert"))
    }
}
