import XCTest
@testable import PoundConfig

/// Generated from runs of the real Pound 4.23 (pound -c -Wno-dns -Wno-include-dir);
/// every expected message below is what that binary printed.
final class BackendMixTests: XCTestCase {
    func test_twoRegular() {
        let cfg = "Service\n\tBackend\n\t\tAddress 127.0.0.1\n\t\tPort 8080\n\tEnd\n\tBackend\n\t\tAddress 127.0.0.1\n\t\tPort 8081\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: true, messages: [])
        _ = outcome
    }
    func test_error() {
        let cfg = "Service\n\tError 404\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: true, messages: [])
        _ = outcome
    }
    func test_redirect() {
        let cfg = "Service\n\tRedirect \"https://example.org\"\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: true, messages: [])
        _ = outcome
    }
    func test_metrics() {
        let cfg = "Service\n\tMetrics\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: true, messages: [])
        _ = outcome
    }
    func test_regularAndError() {
        let cfg = "Service\n\tBackend\n\t\tAddress 127.0.0.1\n\t\tPort 8080\n\tEnd\n\tBackend\n\t\tAddress 127.0.0.1\n\t\tPort 8081\n\tEnd\n\tError 404\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:1.7-11.3: service mixes backends of different types"])
        _ = outcome
    }
    func test_redirectAndError() {
        let cfg = "Service\n\tRedirect \"http://www.example.com\"\n\tError 404\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:1.7-4.3: service mixes backends of different types"])
        _ = outcome
    }
    func test_twoErrors() {
        let cfg = "Service\n\tError 501\n\tError 404\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:1.7-4.3: multiple backends of this type are not allowed"])
        _ = outcome
    }
    func test_regularAndRedirect() {
        let cfg = "Service\n\tBackend\n\t\tAddress 127.0.0.1\n\t\tPort 8080\n\tEnd\n\tBackend\n\t\tAddress 127.0.0.1\n\t\tPort 8081\n\tEnd\n\tRedirect \"https://www.example.com\"\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: true, messages: ["pound.cfg:1.7-11.3: warning: service mixes regular and redirect backends", "pound.cfg:1.7-11.3: see section \"DEPRECATED FEATURES\" in pound(8)"])
        _ = outcome
    }
    func test_twoRedirects() {
        let cfg = "Service\n\tRedirect \"https://example.com\"\n\tRedirect \"https://www.example.com\"\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: true, messages: ["pound.cfg:1.7-4.3: warning: service uses multiple redirect backends", "pound.cfg:1.7-4.3: see section \"DEPRECATED FEATURES\" in pound(8)"])
        _ = outcome
    }
    func test_noBackends() {
        let cfg = "Service\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: true, messages: ["pound.cfg:1.7-2.3: warning: no backends defined"])
        _ = outcome
    }
    func test_emergencyOnly() {
        let cfg = "Service\n\tEmergency\n\t\tAddress 1.2.3.4\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: true, messages: [])
        guard let config = outcome else { return }
        guard case .regular(let s) = config.services[0].backends.emergency[0].kind else { return XCTFail() }
        XCTAssertEqual(s.timeout, 120)
        XCTAssertEqual(s.connectTimeout, 120)
        XCTAssertEqual(s.webSocketTimeout, 120)
    }
    func test_emergencyGroupSeparate() {
        let cfg = "Service\n\tError 404\n\tEmergency\n\t\tAddress 1.2.3.4\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: true, messages: [])
        _ = outcome
    }
    func test_twoEmergency() {
        let cfg = "Service\n\tEmergency\n\t\tAddress 1.2.3.4\n\tEnd\n\tEmergency\n\t\tAddress 1.2.3.5\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: true, messages: [])
        _ = outcome
    }
    func test_emergencyMissingAddressNotReachedAfterNormalError() {
        let cfg = "Service\n\tBackend\n\tEnd\n\tEmergency\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:2.9-3.11: Backend missing Address declaration"])
        _ = outcome
    }
    func test_firstServiceErrorStops() {
        let cfg = "Service\n\tBackend\n\tEnd\nEnd\nService\n\tBackend\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:2.9-3.11: Backend missing Address declaration"])
        _ = outcome
    }
    func test_twoControls() {
        let cfg = "Service\n\tControl\n\tControl\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:1.7-4.3: multiple backends of this type are not allowed"])
        _ = outcome
    }
    func test_successAndRegular() {
        let cfg = "Service\n\tSuccess\n\tBackend\n\t\tAddress 1.2.3.4\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:1.7-6.3: service mixes backends of different types"])
        _ = outcome
    }
    func test_metricsAndControl() {
        let cfg = "Service\n\tMetrics\n\tControl\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:1.7-4.3: service mixes backends of different types"])
        _ = outcome
    }
    func test_twoSendFile() {
        let cfg = "Service\n\tSendFile \"d\"\n\tSendFile \"d\"\nEnd\n"
        let outcome = poundCheck(cfg, files: ["d": nil], expectSuccess: false, messages: ["pound.cfg:1.7-4.3: multiple backends of this type are not allowed"])
        _ = outcome
    }
    func test_regularAndDynamicMixOK() {
        let cfg = "Service\n\tBackend\n\t\tAddress 1.2.3.4\n\tEnd\n\tRedirect \"http://x.example/\"\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: true, messages: ["pound.cfg:1.7-6.3: warning: service mixes regular and redirect backends", "pound.cfg:1.7-6.3: see section \"DEPRECATED FEATURES\" in pound(8)"])
        _ = outcome
    }
    func test_configAt_missingAddress() {
        let cfg = "# Mandatory parameters\nService\n\tBackend\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:3.9-4.11: Backend missing Address declaration"])
        _ = outcome
    }
    func test_configAt_missingAddressWithPort() {
        let cfg = "# Mandatory parameters\nService\n\tBackend\n\t\tPort 80\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:3.9-5.11: Backend missing Address declaration"])
        _ = outcome
    }
    func test_configAt_portOptional() {
        let cfg = "# Port statement is optional\nService\n\tBackend\n\t\tAddress 127.0.0.1\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: true, messages: [])
        _ = outcome
    }
    func test_configAt_keywordOrdering() {
        let cfg = "# Keyword ordering\nService\n\tBackend\n\t\tPort 80\n\t\tAddress 127.0.0.1\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: true, messages: [])
        _ = outcome
    }
    func test_configAt_superfluousPort() {
        let cfg = "# Superfluous statement\nService\n\tBackend\n\t\tAddress \"/tmp/pound.sock\"\n\t\tPort 80\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:3.9-6.11: Port is not applicable to this address family"])
        _ = outcome
    }
    func test_configAt_unixSocket() {
        let cfg = "# UNIX socket\nService\n\tBackend\n\t\tAddress \"/tmp/pound.sock\"\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: true, messages: [])
        _ = outcome
    }
    func test_configAt_namedService() {
        let cfg = "# Optional argument\nService \"LOCAL\"\n\tBackend\n\t\tAddress \"/tmp/pound.sock\"\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: true, messages: [])
        _ = outcome
    }
    func test_configAt_missingEnd() {
        let cfg = "# Missing end statement\nService\n\tBackend\n\t\tAddress \"/tmp/pound.sock\"\n\tEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:2.7: unexpected end of file"])
        _ = outcome
    }
    func test_nb_useBeforeDeclaration() {
        let cfg = "Service\n\tUseBackend \"test\"\nEnd\nService\n\tUseBackend \"test\"\nEnd\nBackend \"test\"\n\tAddress 127.0.0.1\n\tPort 8080\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: true, messages: [])
        guard let config = outcome else { return }
        XCTAssertEqual(config.services.count, 2)
        for svc in config.services {
            guard case .regular(let s) = svc.backends.normal[0].kind else { return XCTFail() }
            XCTAssertEqual(s.address, .inet(host: "127.0.0.1", port: 8080))
        }
    }

    // The configurations of Pound's tests/bemix.at, verbatim (need ListenHTTP support).
    func test_listener_twoRegular() throws {
        try requireListeners()
        let cfg = "ListenHTTP\n\tAddress 127.0.0.1\n\tPort 80\n\tService\n\t\tBackend\n\t\t\tAddress 127.0.0.1\n\t\t\tPort 8080\n\t\tEnd\n\t\tBackend\n\t\t\tAddress 127.0.0.1\n\t\t\tPort 8081\n\t\tEnd\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: true, messages: [])
        _ = outcome
    }
    func test_listener_error() throws {
        try requireListeners()
        let cfg = "ListenHTTP\n\tAddress 127.0.0.1\n\tPort 80\n\tService\n\t\tError 404\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: true, messages: [])
        _ = outcome
    }
    func test_listener_redirect() throws {
        try requireListeners()
        let cfg = "ListenHTTP\n\tAddress 127.0.0.1\n\tPort 80\n\tService\n\t\tRedirect \"https://example.org\"\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: true, messages: [])
        _ = outcome
    }
    func test_listener_metrics() throws {
        try requireListeners()
        let cfg = "ListenHTTP\n\tAddress 127.0.0.1\n\tPort 80\n\tService\n\t\tMetrics\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: true, messages: [])
        _ = outcome
    }
    func test_listener_regularAndError() throws {
        try requireListeners()
        let cfg = "ListenHTTP\n\tAddress 127.0.0.1\n\tPort 80\n\tService\n\t\tBackend\n\t\t\tAddress 127.0.0.1\n\t\t\tPort 8080\n\t\tEnd\n\t\tBackend\n\t\t\tAddress 127.0.0.1\n\t\t\tPort 8081\n\t\tEnd\n\t\tError 404\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:4.15-14.11: service mixes backends of different types"])
        _ = outcome
    }
    func test_listener_redirectAndError() throws {
        try requireListeners()
        let cfg = "ListenHTTP\n\tAddress 127.0.0.1\n\tPort 80\n\tService\n\t\tRedirect \"http://www.example.com\"\n\t\tError 404\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:4.15-7.11: service mixes backends of different types"])
        _ = outcome
    }
    func test_listener_twoErrors() throws {
        try requireListeners()
        let cfg = "ListenHTTP\n\tAddress 127.0.0.1\n\tPort 80\n\tService\n\t\tError 501\n\t\tError 404\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:4.15-7.11: multiple backends of this type are not allowed"])
        _ = outcome
    }
    func test_listener_regularAndRedirect() throws {
        try requireListeners()
        let cfg = "ListenHTTP\n\tAddress 127.0.0.1\n\tPort 80\n\tService\n\t\tBackend\n\t\t\tAddress 127.0.0.1\n\t\t\tPort 8080\n\t\tEnd\n\t\tBackend\n\t\t\tAddress 127.0.0.1\n\t\t\tPort 8081\n\t\tEnd\n\t\tRedirect \"https://www.example.com\"\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: true, messages: ["pound.cfg:4.15-14.11: warning: service mixes regular and redirect backends", "pound.cfg:4.15-14.11: see section \"DEPRECATED FEATURES\" in pound(8)"])
        _ = outcome
    }
    func test_listener_twoRedirects() throws {
        try requireListeners()
        let cfg = "ListenHTTP\n\tAddress 127.0.0.1\n\tPort 80\n\tService\n\t\tRedirect \"https://example.com\"\n\t\tRedirect \"https://www.example.com\"\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: true, messages: ["pound.cfg:4.15-7.11: warning: service uses multiple redirect backends", "pound.cfg:4.15-7.11: see section \"DEPRECATED FEATURES\" in pound(8)"])
        _ = outcome
    }

    /// Skips until the listener sections are available in this build.
    func requireListeners() throws {
        let outcome = parse("ListenHTTP\n\tAddress 127.0.0.1\n\tPort 80\nEnd\n")
        if !outcome.succeeded { throw XCTSkip("ListenHTTP not implemented in this build") }
    }
}

// MARK: - Cases where Pound 4.23 crashes; Pounce reports an error instead.

extension BackendMixTests {
    /// Pound segfaults when a named backend without Address is used; we report it at the use.
    func testNamedBackendWithoutAddress() {
        poundCheck("Backend \"a\"\nEnd\nService\n\tUseBackend \"a\"\nEnd\n", files: [:], expectSuccess: false,
                   messages: ["pound.cfg:4.20-22: Backend missing Address declaration"])
    }
}
