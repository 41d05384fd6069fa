import Foundation
import XCTest
@testable import PoundConfig

/// Generated from runs of the real Pound 4.23 (pound -c -Wno-dns -Wno-include-dir);
/// every expected message below is what that binary printed.
final class BackendTests: XCTestCase {
    func test_allDirectives() {
        let cfg = "Service\n\tBackend\n\t\tAddress 10.0.0.1\n\t\tPort 8080\n\t\tFamily inet\n\t\tResolve immediate\n\t\tIgnoreSRVWeight yes\n\t\tOverrideTTL 30\n\t\tRetryInterval 7\n\t\tPriority 9\n\t\tTimeOut 3\n\t\tWSTimeOut 4\n\t\tConnTO 5\n\t\tHTTPS\n\t\tCiphers -ciphersuites \"TLS_AES_256_GCM_SHA384\" -cipherlist \"HIGH\"\n\t\tDisable TLSv1\n\t\tDisable SSLv3\n\t\tDisabled 1\n\t\tServerName \"backend.example\"\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: true, messages: [])
        guard let config = outcome else { return }
        guard case .regular(let s) = config.services[0].backends.normal[0].kind else { return XCTFail() }
        let b = config.services[0].backends.normal[0]
        XCTAssertEqual(s.address, .inet(host: "10.0.0.1", port: 8080))
        XCTAssertEqual(s.family, .inet)
        XCTAssertTrue(s.ignoreSRVWeight)
        XCTAssertEqual(s.overrideTTL, 30)
        XCTAssertEqual(s.retryInterval, 7)
        XCTAssertEqual(b.priority, 9)
        XCTAssertTrue(b.disabled)
        XCTAssertEqual(s.timeout, 3)
        XCTAssertEqual(s.webSocketTimeout, 4)
        XCTAssertEqual(s.connectTimeout, 5)
        XCTAssertEqual(s.tls?.cipherSuites, "TLS_AES_256_GCM_SHA384")
        XCTAssertEqual(s.tls?.cipherList, "HIGH")
        XCTAssertEqual(s.tls?.disabledUpTo, .tlsv1)
        XCTAssertEqual(s.serverName, "backend.example")
    }
    func test_defaultsFromGlobals() {
        let cfg = "TimeOut 20\nConnTO 21\nWSTimeOut 22\nService\n\tBackend\n\t\tAddress 10.0.0.1\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: true, messages: [])
        guard let config = outcome else { return }
        guard case .regular(let s) = config.services[0].backends.normal[0].kind else { return XCTFail() }
        XCTAssertEqual(s.address, .inet(host: "10.0.0.1", port: 80))
        XCTAssertEqual(s.timeout, 20)
        XCTAssertEqual(s.connectTimeout, 21)
        XCTAssertEqual(s.webSocketTimeout, 22)
        XCTAssertEqual(config.services[0].backends.normal[0].priority, 5)
    }
    func test_httpsDefaultPort() {
        let cfg = "Service\n\tBackend\n\t\tAddress 10.0.0.1\n\t\tHTTPS\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: true, messages: [])
        guard let config = outcome else { return }
        guard case .regular(let s) = config.services[0].backends.normal[0].kind else { return XCTFail() }
        XCTAssertEqual(s.address, .inet(host: "10.0.0.1", port: 443))
    }
    func test_portZeroMeansDefault() {
        let cfg = "Service\n\tBackend\n\t\tAddress 10.0.0.1\n\t\tPort 0\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: true, messages: [])
        guard let config = outcome else { return }
        guard case .regular(let s) = config.services[0].backends.normal[0].kind else { return XCTFail() }
        XCTAssertEqual(s.address, .inet(host: "10.0.0.1", port: 80))
    }
    func test_portServiceName() {
        let cfg = "Service\n\tBackend\n\t\tAddress 10.0.0.1\n\t\tPort https\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: true, messages: [])
        guard let config = outcome else { return }
        guard case .regular(let s) = config.services[0].backends.normal[0].kind else { return XCTFail() }
        XCTAssertEqual(s.address, .inet(host: "10.0.0.1", port: 443))
    }
    func test_ipv6Address() {
        let cfg = "Service\n\tBackend\n\t\tAddress \"::1\"\n\t\tPort 8080\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: true, messages: [])
        guard let config = outcome else { return }
        guard case .regular(let s) = config.services[0].backends.normal[0].kind else { return XCTFail() }
        XCTAssertEqual(s.address, .inet(host: "::1", port: 8080))
    }
    func test_unixSocket() {
        let cfg = "Service\n\tBackend\n\t\tAddress \"/run/app.sock\"\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: true, messages: [])
        guard let config = outcome else { return }
        guard case .regular(let s) = config.services[0].backends.normal[0].kind else { return XCTFail() }
        XCTAssertEqual(s.address, .unix(path: "/run/app.sock"))
    }
    func test_hostNameWithoutDNSIsSocket() {
        let cfg = "Service\n\tBackend\n\t\tAddress backend.example.org\n\t\tPort 8080\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: true, messages: [])
        guard let config = outcome else { return }
        guard case .regular(let s) = config.services[0].backends.normal[0].kind else { return XCTFail() }
        XCTAssertEqual(s.address, .unix(path: "backend.example.org"))
    }
    func test_familyMismatchWithoutDNSIsSocket() {
        let cfg = "Service\n\tBackend\n\t\tAddress 10.0.0.1\n\t\tFamily inet6\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: true, messages: [])
        guard let config = outcome else { return }
        guard case .regular(let s) = config.services[0].backends.normal[0].kind else { return XCTFail() }
        XCTAssertEqual(s.address, .unix(path: "10.0.0.1"))
    }
    func test_ipv6ResolveModeOverridden() {
        let cfg = "Service\n\tBackend\n\t\tAddress fe80::1\n\t\tResolve first\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: true, messages: [])
        _ = outcome
    }
    func test_priorityAboveMaxIsReset() {
        let cfg = "Service\n\tBackend\n\t\tAddress 10.0.0.1\n\t\tPriority 70000\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: true, messages: ["pound.cfg:2.9-5.11: backend priority out of allowed range; reset to max. 65535"])
        guard let config = outcome else { return }
        XCTAssertEqual(config.services[0].backends.normal[0].priority, 65535)
    }
    func test_missingAddress() {
        let cfg = "Service\n\tBackend\n\t\tPort 8080\n\tEnd\n\tBackend\n\t\tPort 8081\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:2.9-4.11: Backend missing Address declaration", "pound.cfg:5.9-7.11: Backend missing Address declaration"])
        _ = outcome
    }
    func test_portWithUnixSocket() {
        let cfg = "Service\n\tBackend\n\t\tAddress \"/tmp/sock\"\n\t\tPort 8080\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:2.9-5.11: Port is not applicable to this address family"])
        _ = outcome
    }
    func test_unixPathTooLong() {
        let cfg = "Service\n\tBackend\n\t\tAddress \"/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:2.9-4.11: UNIX path name too long"])
        _ = outcome
    }
    func test_dynamicWithoutDNS() {
        let cfg = "Service\n\tBackend\n\t\tAddress 127.0.0.1\n\t\tResolve first\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:2.9-5.11: Dynamic backend creation is not available: disabled by -Wno-dns"])
        _ = outcome
    }
    func test_priorityHuge() {
        let cfg = "Service\n\tBackend\n\t\tAddress 10.0.0.1\n\t\tPriority 99999999999\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:4.26-36: bad integer number"])
        _ = outcome
    }
    func test_timeoutNegative() {
        let cfg = "Service\n\tBackend\n\t\tAddress 10.0.0.1\n\t\tTimeOut -1\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:4.25-26: expected number, but found literal"])
        _ = outcome
    }
    func test_emergencyWithName() {
        let cfg = "Service\n\tEmergency \"x\"\n\t\tAddress 1.2.3.4\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: true, messages: ["pound.cfg:2.19-21: syntax error"])
        _ = outcome
    }
    func test_priorityZero() {
        let cfg = "Service\n\tBackend\n\t\tAddress 10.0.0.1\n\t\tPriority 0\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:4.26: value out of allowed range (>= 1)"])
        _ = outcome
    }
    func test_priorityString() {
        let cfg = "Service\n\tBackend\n\t\tAddress 10.0.0.1\n\t\tPriority \"x\"\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:4.26-28: expected number, but found quoted string"])
        _ = outcome
    }
    func test_badPortName() {
        let cfg = "Service\n\tBackend\n\t\tAddress 10.0.0.1\n\t\tPort foo\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:4.22-24: bad port number: Servname not supported for ai_socktype"])
        _ = outcome
    }
    func test_quotedPort() {
        let cfg = "Service\n\tBackend\n\t\tAddress 10.0.0.1\n\t\tPort \"80\"\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:4.22-25: expected port number or service name, but found quoted string"])
        _ = outcome
    }
    func test_negativePort() {
        let cfg = "Service\n\tBackend\n\t\tAddress 10.0.0.1\n\t\tPort -1\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:4.22-23: expected port number or service name, but found literal"])
        _ = outcome
    }
    func test_missingPort() {
        let cfg = "Service\n\tBackend\n\t\tAddress 10.0.0.1\n\t\tPort\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:4.20-5: expected port number or service name, but found end of line"])
        _ = outcome
    }
    func test_badFamily() {
        let cfg = "Service\n\tBackend\n\t\tAddress 10.0.0.1\n\t\tFamily foo\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:4.24-26: unrecognized address family name"])
        _ = outcome
    }
    func test_badResolve() {
        let cfg = "Service\n\tBackend\n\t\tAddress 10.0.0.1\n\t\tResolve foo\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:4.25-27: unrecognized backend resolve mode"])
        _ = outcome
    }
    func test_certWithoutHTTPS() {
        let cfg = "Service\n\tBackend\n\t\tAddress 10.0.0.1\n\t\tCert \"x\"\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:4.17-20: HTTPS must be used before this statement"])
        _ = outcome
    }
    func test_ciphersWithoutHTTPS() {
        let cfg = "Service\n\tBackend\n\t\tAddress 10.0.0.1\n\t\tCiphers \"x\"\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:4.17-23: HTTPS must be used before this statement"])
        _ = outcome
    }
    func test_disableWithoutHTTPS() {
        let cfg = "Service\n\tBackend\n\t\tAddress 10.0.0.1\n\t\tDisable TLSv1\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:4.17-23: HTTPS must be used before this statement"])
        _ = outcome
    }
    func test_badProtocol() {
        let cfg = "Service\n\tBackend\n\t\tAddress 10.0.0.1\n\t\tHTTPS\n\t\tDisable TLSv9\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:5.25-29: unrecognized protocol name"])
        _ = outcome
    }
    func test_protocolIsCaseSensitive() {
        let cfg = "Service\n\tBackend\n\t\tAddress 10.0.0.1\n\t\tHTTPS\n\t\tDisable tlsv1\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:5.25-29: unrecognized protocol name"])
        _ = outcome
    }
    func test_ciphersBadToken() {
        let cfg = "Service\n\tBackend\n\t\tAddress 10.0.0.1\n\t\tHTTPS\n\t\tCiphers \"HIGH\" 12\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:5.32-33: expected cipher list, ciphersuites or newline, but found number"])
        _ = outcome
    }
    func test_ciphersBadOption() {
        let cfg = "Service\n\tBackend\n\t\tAddress 10.0.0.1\n\t\tHTTPS\n\t\tCiphers -foo \"x\"\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:5.25-28: unexpected token: -foo"])
        _ = outcome
    }
    func test_certMissingFile() {
        let cfg = "Service\n\tBackend\n\t\tAddress 10.0.0.1\n\t\tHTTPS\n\t\tCert \"nonexist.pem\"\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:5.22-35: $DIR/nonexist.pem: SSL_CTX_use_certificate_chain_file: error:80000002:system library::No such file or directory", "pound.cfg:5.22-35: error:10080002:BIO routines::system lib", "pound.cfg:5.22-35: error:0A080002:SSL routines::system lib"])
        _ = outcome
    }
    func test_certNotPEM() {
        let cfg = "Service\n\tBackend\n\t\tAddress 10.0.0.1\n\t\tHTTPS\n\t\tCert \"cert.pem\"\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: ["cert.pem": "hello\n"], expectSuccess: false, messages: ["pound.cfg:5.22-31: $DIR/cert.pem: SSL_CTX_use_certificate_chain_file: error:0480006C:PEM routines::no start line", "pound.cfg:5.22-31: error:0A080009:SSL routines::PEM lib"])
        _ = outcome
    }
    func test_unknownBackendKeyword() {
        let cfg = "Service\n\tBackend\n\t\tAddress 10.0.0.1\n\t\tFoo 1\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:4.17-19: unrecognized keyword"])
        _ = outcome
    }
    func test_disabledNotBool() {
        let cfg = "Service\n\tBackend\n\t\tAddress 10.0.0.1\n\t\tDisabled maybe\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:4.26-30: not a boolean value", "pound.cfg:4.26-30: valid booleans are: 1, yes, true, on for true value, and 0, no, false, off for false value"])
        _ = outcome
    }
    func test_serverNameUnquoted() {
        let cfg = "Service\n\tBackend\n\t\tAddress 10.0.0.1\n\t\tServerName foo\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:4.28-30: expected quoted string, but found identifier"])
        _ = outcome
    }
    func test_addressNumber() {
        let cfg = "Service\n\tBackend\n\t\tAddress 12\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:3.25-26: expected identifier, quoted string or literal, but found number"])
        _ = outcome
    }
    func test_redirectDefault() {
        let cfg = "Service\n\tRedirect \"https://example.org\"\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: true, messages: [])
        guard let config = outcome else { return }
        guard case .redirect(let r) = config.services[0].backends.normal[0].kind else { return XCTFail() }
        XCTAssertEqual(r.status, 302)
        XCTAssertEqual(r.url, "https://example.org")
        XCTAssertFalse(r.hasPath)
        XCTAssertTrue(r.appendsRequestURL)
    }
    func test_redirectSlashPathStripped() {
        let cfg = "Service\n\tRedirect 301 \"http://example.org/\"\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: true, messages: [])
        guard let config = outcome else { return }
        guard case .redirect(let r) = config.services[0].backends.normal[0].kind else { return XCTFail() }
        XCTAssertEqual(r.status, 301)
        XCTAssertEqual(r.url, "http://example.org")
        XCTAssertTrue(r.hasPath)
        XCTAssertFalse(r.appendsRequestURL)
    }
    func test_redirectWithExpansion() {
        let cfg = "Service\n\tRedirect 308 \"https://example.org$1\"\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: true, messages: [])
        guard let config = outcome else { return }
        guard case .redirect(let r) = config.services[0].backends.normal[0].kind else { return XCTFail() }
        XCTAssertEqual(r.status, 308)
        XCTAssertFalse(r.hasPath)
        XCTAssertTrue(r.hasExpansions)
        XCTAssertFalse(r.appendsRequestURL)
    }
    func test_redirectAllCodes() {
        let cfg = "Service\n\tRedirect 303 \"http://a.example/x\"\n\tRedirect 307 \"http://b.example/%[url]\"\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: true, messages: ["pound.cfg:1.7-4.3: warning: service uses multiple redirect backends", "pound.cfg:1.7-4.3: see section \"DEPRECATED FEATURES\" in pound(8)"])
        _ = outcome
    }
    func test_redirectBadCode() {
        let cfg = "Service\n\tRedirect 305 \"http://x\"\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:2.18-20: invalid status code"])
        _ = outcome
    }
    func test_redirectBadURL() {
        let cfg = "Service\n\tRedirect \"ftp://x\"\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:2.18-26: Redirect bad URL"])
        _ = outcome
    }
    func test_redirectNoHost() {
        let cfg = "Service\n\tRedirect \"http:///path\"\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:2.18-31: Redirect bad URL"])
        _ = outcome
    }
    func test_redirectUnquoted() {
        let cfg = "Service\n\tRedirect 301 foo\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:2.22-24: expected quoted string, but found identifier"])
        _ = outcome
    }
    func test_errorBackend() {
        let cfg = "Service\n\tError 503\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: true, messages: [])
        guard let config = outcome else { return }
        guard case .error(let status, let page) = config.services[0].backends.normal[0].kind else { return XCTFail() }
        XCTAssertEqual(status, 503)
        XCTAssertNil(page)
    }
    func test_errorBackendWithFile() {
        let cfg = "Service\n\tError 404 \"404.html\"\nEnd\n"
        let outcome = poundCheck(cfg, files: ["404.html": "Content-Type: text/plain\nX-Foo: bar\n\nNot here\n"], expectSuccess: true, messages: [])
        guard let config = outcome else { return }
        guard case .error(let status, let page) = config.services[0].backends.normal[0].kind else { return XCTFail() }
        XCTAssertEqual(status, 404)
        XCTAssertEqual(page?.headers, ["Content-Type: text/plain", "X-Foo: bar"])
        XCTAssertEqual(page?.body, "Not here\n")
    }
    func test_errorPageWithoutHeaders() {
        let cfg = "Service\n\tError 500 \"500.html\"\nEnd\n"
        let outcome = poundCheck(cfg, files: ["500.html": "<html>\n<body>Oops</body>\n\n</html>\n"], expectSuccess: true, messages: [])
        guard let config = outcome else { return }
        guard case .error(_, let page) = config.services[0].backends.normal[0].kind else { return XCTFail() }
        XCTAssertEqual(page?.headers, [])
        XCTAssertEqual(page?.body, "<html>\n<body>Oops</body>\n\n</html>\n")
    }
    func test_errorMissingFile() {
        let cfg = "Service\n\tError 404 \"nofile.html\"\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:2.19-31: can't open $DIR/nofile.html: No such file or directory"])
        _ = outcome
    }
    func test_errorEmptyFile() {
        let cfg = "Service\n\tError 404 \"empty.html\"\nEnd\n"
        let outcome = poundCheck(cfg, files: ["empty.html": ""], expectSuccess: false, messages: ["pound.cfg:2.19-30: empty.html: empty file"])
        _ = outcome
    }
    func test_errorFileIsDirectory() {
        let cfg = "Service\n\tError 404 \"dir\"\nEnd\n"
        let outcome = poundCheck(cfg, files: ["dir": nil], expectSuccess: false, messages: ["pound.cfg:2.19-23: dir: not a regular file"])
        _ = outcome
    }
    func test_errorUnsupportedStatus() {
        let cfg = "Service\n\tError 499\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:2.15-17: unsupported status code"])
        _ = outcome
    }
    func test_errorBadToken() {
        let cfg = "Service\n\tError 404 12\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:2.19-20: string or newline expected"])
        _ = outcome
    }
    func test_errorStatusMissing() {
        let cfg = "Service\n\tError \"x\"\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:2.15-17: expected number, but found quoted string"])
        _ = outcome
    }
    func test_success() {
        let cfg = "Service\n\tSuccess\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: true, messages: [])
        guard let config = outcome else { return }
        guard case .success = config.services[0].backends.normal[0].kind else { return XCTFail() }
    }
    func test_metrics() {
        let cfg = "Service\n\tMetrics\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: true, messages: [])
        guard let config = outcome else { return }
        guard case .metrics = config.services[0].backends.normal[0].kind else { return XCTFail() }
    }
    func test_control() {
        let cfg = "Service\n\tControl\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: true, messages: [])
        guard let config = outcome else { return }
        guard case .control = config.services[0].backends.normal[0].kind else { return XCTFail() }
    }
    func test_sendFile() {
        let cfg = "Service\n\tSendFile \"htdocs\"\nEnd\n"
        let outcome = poundCheck(cfg, files: ["htdocs": nil], expectSuccess: true, messages: [])
        guard let config = outcome else { return }
        guard case .sendFile(let dir) = config.services[0].backends.normal[0].kind else { return XCTFail() }
        XCTAssertTrue(dir.hasSuffix("htdocs"))
    }
    func test_sendFileMissing() {
        let cfg = "Service\n\tSendFile \"nodir\"\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:2.18-24: can't open nodir: No such file or directory"])
        _ = outcome
    }
    func test_sendFileNotDirectory() {
        let cfg = "Service\n\tSendFile \"file.txt\"\nEnd\n"
        let outcome = poundCheck(cfg, files: ["file.txt": "x"], expectSuccess: false, messages: ["pound.cfg:2.18-27: can't open file.txt: Not a directory"])
        _ = outcome
    }
    func test_luaBackendBadArgument() {
        let cfg = "Service\n\tLuaBackend \"f\" 1\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:2.24: expected string or newline, but found number"])
        _ = outcome
    }
    func test_luaBackendUnquoted() {
        let cfg = "Service\n\tLuaBackend f\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:2.20: expected quoted string, but found identifier"])
        _ = outcome
    }
    func test_namedBackend() {
        let cfg = "Service\n\tUseBackend \"test\"\nEnd\nService\n\tBackend \"test\"\n\t\tPriority 7\n\tEnd\nEnd\nBackend \"test\"\n\tAddress 10.0.0.2\n\tPort 8080\n\tPriority 3\n\tDisabled 1\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: true, messages: [])
        guard let config = outcome else { return }
        let a = config.services[0].backends.normal[0]
        let b = config.services[1].backends.normal[0]
        guard case .regular(let s) = a.kind else { return XCTFail() }
        XCTAssertEqual(s.address, .inet(host: "10.0.0.2", port: 8080))
        XCTAssertEqual(a.namedFrom, "test")
        XCTAssertEqual(a.priority, 5)
        XCTAssertFalse(a.disabled)
        XCTAssertEqual(b.priority, 7)
        XCTAssertTrue(b.disabled)
        XCTAssertEqual(config.namedBackends["test"]?.priority, 3)
    }
    func test_namedBackendPriorityInheritedAndReset() {
        let cfg = "Backend \"a\"\n\tAddress 1.2.3.4\n\tPriority 70000\nEnd\nService\n\tBackend \"a\"\n\tEnd\n\tUseBackend \"a\"\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: true, messages: ["pound.cfg:6.9-7.11: backend priority out of allowed range; reset to max. 65535"])
        _ = outcome
    }
    func test_namedBackendNotDeclared() {
        let cfg = "Service\n\tUseBackend \"foo\"\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:2.20-24: named backend foo is not declared"])
        _ = outcome
    }
    func test_namedBackendRefNotDeclared() {
        let cfg = "Service\n\tBackend \"foo\"\n\t\tPriority 3\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:2.9-4.11: named backend foo is not declared"])
        _ = outcome
    }
    func test_namedBackendRedefined() {
        let cfg = "Backend \"a\"\n\tAddress 1.2.3.4\nEnd\nBackend \"a\"\n\tAddress 1.2.3.5\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:4.1-6.3: redefinition of named backend a", "pound.cfg:1.1-3.3: original definition was here"])
        _ = outcome
    }
    func test_namedBackendUnquoted() {
        let cfg = "Backend a\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:1.9: expected quoted string, but found identifier"])
        _ = outcome
    }
    func test_namedReferenceRejectsAddress() {
        let cfg = "Service\n\tBackend \"a\"\n\t\tAddress 1.2.3.4\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:3.17-23: unrecognized keyword"])
        _ = outcome
    }
    func test_useBackendUnquoted() {
        let cfg = "Service\n\tUseBackend foo\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:2.20-22: expected quoted string, but found identifier"])
        _ = outcome
    }
    func test_balancerIWRR() {
        let cfg = "Balancer iwrr\nService\n\tBackend\n\t\tAddress 1.2.3.4\n\tEnd\nEnd\nService\n\tBalancer Random\n\tBackend\n\t\tAddress 1.2.3.4\n\tEnd\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: true, messages: [])
        guard let config = outcome else { return }
        XCTAssertEqual(config.services[0].balancer, .iwrr)
        XCTAssertEqual(config.services[1].balancer, .random)
    }
    func test_balancerUnknown() {
        let cfg = "Service\n\tBalancer foo\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:2.18-20: unsupported balancing strategy: foo"])
        _ = outcome
    }
    func test_balancerMissing() {
        let cfg = "Service\n\tBalancer\nEnd\n"
        let outcome = poundCheck(cfg, files: [:], expectSuccess: false, messages: ["pound.cfg:2.16-3: expected identifier, number or literal, but found end of line"])
        _ = outcome
    }
}

/// Loads `cfg` (with extra `files`; a nil content makes a directory) the way the
/// generated tests ran Pound, and checks the outcome and the exact messages; `$DIR` in
/// an expected message stands for the fixture directory.
@discardableResult
func poundCheck(_ cfg: String, files: [String: String?], expectSuccess: Bool, messages: [String],
                features: Features = .testDefaults,
                file: StaticString = #filePath, line: UInt = #line) -> PoundConfiguration? {
    let fixture = ConfigFixture()
    for (name, content) in files {
        if let content {
            fixture.write(name, content)
        } else {
            mkdir(fixture.directory + "/" + name, 0o755)
        }
    }
    fixture.write("pound.cfg", cfg)
    let outcome = fixture.load(features: features)
    let dir = realDirectory(fixture.directory)
    XCTAssertEqual(outcome.succeeded, expectSuccess, "messages: \(outcome.messages)", file: file, line: line)
    XCTAssertEqual(outcome.messages, messages.map { $0.replacingOccurrences(of: "$DIR", with: dir) }, file: file, line: line)
    return outcome.config
}

private func realDirectory(_ path: String) -> String {
    guard let p = realpath(path, nil) else { return path }
    defer { free(p) }
    return String(cString: p)
}

// MARK: - Pounce decisions beyond Pound 4.23 (not comparable with the Pound binary)

extension BackendTests {
    /// Pound 2.x `HAport port`: accepted with a deprecation warning (Pound 4.23 rejects it).
    func testHAportPort() {
        let cfg = "Service\n\tBackend\n\t\tAddress 10.0.0.1\n\t\tHAport 8081\n\tEnd\nEnd\n"
        let config = poundCheck(cfg, files: [:], expectSuccess: true, messages: [
            "pound.cfg:4.17-22: warning: deprecated statement, HAport is a Pound 2.x statement; its address is used for health checks only",
        ])
        guard case .regular(let s)? = config?.services[0].backends.normal[0].kind else { return XCTFail() }
        XCTAssertEqual(s.healthCheck, Backend.HealthCheck(host: nil, port: 8081))
        XCTAssertEqual(s.address, .inet(host: "10.0.0.1", port: 80))
    }

    func testHAportAddressAndPort() {
        let cfg = "Service\n\tBackEnd\n\t\tAddress 10.0.0.1\n\t\tHAport 10.0.0.9 http\n\tEND\nEND\n"
        let config = poundCheck(cfg, files: [:], expectSuccess: true, messages: [
            "pound.cfg:4.17-22: warning: deprecated statement, HAport is a Pound 2.x statement; its address is used for health checks only",
        ])
        guard case .regular(let s)? = config?.services[0].backends.normal[0].kind else { return XCTFail() }
        XCTAssertEqual(s.healthCheck, Backend.HealthCheck(host: "10.0.0.9", port: 80))
    }

    func testHAportBadPort() {
        poundCheck("Service\n\tBackend\n\t\tAddress 10.0.0.1\n\t\tHAport \"x\"\n\tEnd\nEnd\n", files: [:],
                   expectSuccess: false, messages: [
            "pound.cfg:4.17-22: warning: deprecated statement, HAport is a Pound 2.x statement; its address is used for health checks only",
            "pound.cfg:4.24-26: expected port number or service name, but found quoted string",
        ])
    }

    func testHAportWithoutDeprecationWarnings() {
        var features = Features.testDefaults
        features.warnDeprecated = false
        poundCheck("Service\n\tBackend\n\t\tAddress 10.0.0.1\n\t\tHAport 8081\n\tEnd\nEnd\n", files: [:],
                   expectSuccess: true, messages: [], features: features)
    }

    /// Pound 2.6 `HTTPS "certfile"`: HTTPS plus Cert, with a deprecation warning.
    func testHTTPSWithCertificateFile() {
        let pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
        let config = poundCheck("Service\n\tBackend\n\t\tAddress 10.0.0.1\n\t\tHTTPS \"client.pem\"\n\tEnd\nEnd\n",
                                files: ["client.pem": pem], expectSuccess: true, messages: [
            "pound.cfg:4.17-21: warning: deprecated statement, HTTPS with a certificate file is a Pound 2.x form; use \"HTTPS\" and \"Cert\" instead",
        ])
        guard case .regular(let s)? = config?.services[0].backends.normal[0].kind else { return XCTFail() }
        XCTAssertEqual(s.tls?.certificateFile, "client.pem")
        XCTAssertEqual(s.address, .inet(host: "10.0.0.1", port: 443))
    }

    func testCertificateFileAccepted() {
        let pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
        let config = poundCheck("Service\n\tBackend\n\t\tAddress 10.0.0.1\n\t\tHTTPS\n\t\tCert \"client.pem\"\n\tEnd\nEnd\n",
                                files: ["client.pem": pem], expectSuccess: true, messages: [])
        guard case .regular(let s)? = config?.services[0].backends.normal[0].kind else { return XCTFail() }
        XCTAssertEqual(s.tls?.certificateFile, "client.pem")
    }

    func testBalancerExtensions() {
        let cfg = "Balancer leastconn\nService\n\tBackend\n\t\tAddress 10.0.0.1\n\tEnd\nEnd\n"
            + "Service\n\tBalancer RoundRobin\n\tBackend\n\t\tAddress 10.0.0.1\n\tEnd\nEnd\n"
            + "Service\n\tBalancer \"mybalancer\"\n\tBackend\n\t\tAddress 10.0.0.1\n\tEnd\nEnd\n"
            + "Service\n\tBalancer chash\n\tBackend\n\t\tAddress 10.0.0.1\n\tEnd\nEnd\n"
        let config = poundCheck(cfg, files: [:], expectSuccess: true, messages: [])
        XCTAssertEqual(config?.services.map(\.balancer), [.module("leastconn"), .module("roundrobin"),
                                                          .module("mybalancer"), .module("chash")])
    }

    func testDynamicBackendWithDNS() {
        // A name with `Resolve all` is a matrix, looked up while running (not now).
        var features = Features.testDefaults
        features.dns = true
        let config = poundCheck("Service\n\tBackend\n\t\tAddress backend.invalid\n\t\tPort 8080\n\t\tResolve all\n\tEnd\nEnd\n",
                                files: [:], expectSuccess: true, messages: [], features: features)
        guard case .regular(let s)? = config?.services[0].backends.normal[0].kind else { return XCTFail() }
        XCTAssertEqual(s.address, .dynamic(host: "backend.invalid", port: 8080, mode: .all))
    }

    func testLuaBackend() {
        let config = poundCheck("Service\n\tLuaBackend \"handler\" \"a\" \"b\"\nEnd\n", files: [:],
                                expectSuccess: true, messages: [])
        guard case .lua(let call)? = config?.services[0].backends.normal[0].kind else { return XCTFail() }
        XCTAssertEqual(call.function, "handler")
        XCTAssertEqual(call.arguments, ["a", "b"])
    }

    func testErrorPageSplit() {
        XCTAssertEqual(ErrorPage.split("A: 1\r\nB: 2\r\n\r\nbody").headers, ["A: 1", "B: 2"])
        // Like Pound, only the first character of the blank line is dropped.
        XCTAssertEqual(ErrorPage.split("A: 1\r\n\r\nbody").body, "\nbody")
        XCTAssertEqual(ErrorPage.split("A: 1\na: 2\n\nbody").headers, ["a: 2"])
        XCTAssertEqual(ErrorPage.split("not a header\n\nbody").body, "not a header\n\nbody")
        XCTAssertEqual(ErrorPage.split("\nbody").body, "\nbody")
        XCTAssertEqual(ErrorPage.split("A: 1\n").headers, ["A: 1"])
    }

    func testTunnelBackendTable() {
        XCTAssertNotNil(BackendStatements.tunnelTable.lookup("Address"))
        XCTAssertNil(BackendStatements.tunnelTable.lookup("HTTPS"))
    }
}
