import XCTest
#if canImport(Glibc)
import Glibc
#endif
@testable import PoundConfig

/// Pounce's HTTP/2 listener statements: `HTTP2` and the `HTTP2Max...`/`HTTP2WindowSize`
/// limits of ListenHTTP and ListenHTTPS (Pounce extensions, unknown to Pound).
final class HTTP2ListenerTests: XCTestCase {
    /// Writes a throwaway key+certificate PEM as `cert.pem` in the fixture directory.
    private func makeCert(in fixture: ConfigFixture) -> Bool {
        let cmd = "cd '\(fixture.directory)' && openssl req -x509 -newkey rsa:2048 -nodes -keyout k.pem -out c.pem"
            + " -days 1 -subj /CN=localhost >/dev/null 2>&1 && cat k.pem c.pem > cert.pem"
        return system(cmd) == 0
    }

    /// Every limit statement, its property and its bounds.
    private let limits: [(name: String, path: WritableKeyPath<HTTP2Limits, Int>, min: Int, max: Int)] = [
        ("HTTP2MaxStreams", \.maxConcurrentStreams, 1, 2147483647),
        ("HTTP2MaxHeaderList", \.maxHeaderListSize, 1024, 2147483647),
        ("HTTP2MaxResets", \.maxResets, 1, 2147483647),
        ("HTTP2MaxContinuations", \.maxContinuations, 1, 2147483647),
        ("HTTP2MaxControlFrames", \.maxControlFrames, 1, 2147483647),
        ("HTTP2MaxEmptyFrames", \.maxEmptyDataFrames, 1, 2147483647),
        ("HTTP2WindowSize", \.initialWindowSize, 65535, 2147483647),
    ]

    func testSettingsDefaults() {
        let s = HTTP2Limits()
        XCTAssertEqual(s.maxConcurrentStreams, 100)
        XCTAssertEqual(s.maxHeaderListSize, 65536)
        XCTAssertEqual(s.maxResets, 200)
        XCTAssertEqual(s.maxContinuations, 5)
        XCTAssertEqual(s.maxControlFrames, 200)
        XCTAssertEqual(s.maxEmptyDataFrames, 1)
        XCTAssertEqual(s.initialWindowSize, 65535)
        XCTAssertEqual(HTTP2Limits.rateWindowSeconds, 30)
    }

    func testDefaultsByKind() throws {
        // ListenHTTP: HTTP/1.x only unless asked.
        let http = try XCTUnwrap(assertAccepts("ListenHTTP\nEnd\n")?.listeners.first)
        XCTAssertNil(http.http2Enabled)
        XCTAssertFalse(http.servesHTTP2)
        XCTAssertEqual(http.http2, HTTP2Limits())

        // Tunnel: never.
        let tunnel = try XCTUnwrap(assertAccepts("Tunnel\n\tBackend\n\tAddress 127.0.0.1\n\tEnd\nEnd\n")?.listeners.first)
        XCTAssertNil(tunnel.http2Enabled)
        XCTAssertFalse(tunnel.servesHTTP2)
        var forced = tunnel
        forced.http2Enabled = true
        XCTAssertFalse(forced.servesHTTP2, "a Tunnel relays bytes and never speaks HTTP/2")

        // ListenHTTPS: h2 by ALPN unless turned off.
        let f = ConfigFixture()
        try XCTSkipUnless(makeCert(in: f), "openssl not available")
        f.write("pound.cfg", "ListenHTTPS\n\tCert \"cert.pem\"\nEnd\n")
        let o = f.load()
        XCTAssertEqual(o.messages, [])
        let https = try XCTUnwrap(o.config?.listeners.first)
        XCTAssertNil(https.http2Enabled)
        XCTAssertTrue(https.servesHTTP2)
        XCTAssertEqual(https.http2, HTTP2Limits())
    }

    func testHTTP2OnHTTP() {
        for word in ["1", "yes", "true", "on"] {
            let l = assertAccepts("ListenHTTP\n\tHTTP2 \(word)\nEnd\n")?.listeners.first
            XCTAssertEqual(l?.http2Enabled, true, word)
            XCTAssertEqual(l?.servesHTTP2, true, word)
        }
        for word in ["0", "no", "false", "off"] {
            let l = assertAccepts("ListenHTTP\n\tHTTP2 \(word)\nEnd\n")?.listeners.first
            XCTAssertEqual(l?.http2Enabled, false, word)
            XCTAssertEqual(l?.servesHTTP2, false, word)
        }
        // Keywords are case-insensitive, the last statement wins.
        let l = assertAccepts("ListenHTTP\n\thttp2 on\n\tHttp2 off\nEnd\n")?.listeners.first
        XCTAssertEqual(l?.servesHTTP2, false)
    }

    func testHTTP2OnHTTPS() throws {
        let f = ConfigFixture()
        try XCTSkipUnless(makeCert(in: f), "openssl not available")
        for (word, expected) in [("off", false), ("0", false), ("no", false), ("false", false),
                                 ("on", true), ("1", true), ("yes", true), ("true", true)] {
            f.write("pound.cfg", "ListenHTTPS\n\tHTTP2 \(word)\n\tCert \"cert.pem\"\nEnd\n")
            let o = f.load()
            XCTAssertEqual(o.messages, [], word)
            XCTAssertEqual(o.config?.listeners.first?.http2Enabled, expected, word)
            XCTAssertEqual(o.config?.listeners.first?.servesHTTP2, expected, word)
        }

        // The limits in ListenHTTPS.
        f.write("pound.cfg", """
            ListenHTTPS
            \tCert "cert.pem"
            \tHTTP2MaxStreams 250
            \tHTTP2MaxHeaderList 32768
            \tHTTP2MaxResets 50
            \tHTTP2MaxContinuations 3
            \tHTTP2MaxControlFrames 1000
            \tHTTP2MaxEmptyFrames 2
            \tHTTP2WindowSize 1048576
            End

            """)
        let o = f.load()
        XCTAssertEqual(o.messages, [])
        let l = try XCTUnwrap(o.config?.listeners.first)
        XCTAssertTrue(l.servesHTTP2)
        XCTAssertEqual(l.http2.maxConcurrentStreams, 250)
        XCTAssertEqual(l.http2.maxHeaderListSize, 32768)
        XCTAssertEqual(l.http2.maxResets, 50)
        XCTAssertEqual(l.http2.maxContinuations, 3)
        XCTAssertEqual(l.http2.maxControlFrames, 1000)
        XCTAssertEqual(l.http2.maxEmptyDataFrames, 2)
        XCTAssertEqual(l.http2.initialWindowSize, 1048576)

        // A bad value in ListenHTTPS is refused the same way.
        f.write("pound.cfg", "ListenHTTPS\n\tCert \"cert.pem\"\n\tHTTP2 maybe\nEnd\n")
        let bad = f.load()
        XCTAssertFalse(bad.succeeded)
        XCTAssertEqual(bad.messages, [
            "pound.cfg:3.15-19: not a boolean value",
            "pound.cfg:3.15-19: valid booleans are: 1, yes, true, on for true value, and 0, no, false, off for false value",
        ])
        f.write("pound.cfg", "ListenHTTPS\n\tCert \"cert.pem\"\n\tHTTP2WindowSize 65534\nEnd\n")
        let small = f.load()
        XCTAssertFalse(small.succeeded)
        XCTAssertEqual(small.messages, ["pound.cfg:3.25-29: HTTP2WindowSize must be between 65535 and 2147483647"])
    }

    func testEachLimitParsed() throws {
        let c = assertAccepts("""
            ListenHTTP
            \tHTTP2 on
            \tHTTP2MaxStreams 128
            \tHTTP2MaxHeaderList 16384
            \tHTTP2MaxResets 100
            \tHTTP2MaxContinuations 8
            \tHTTP2MaxControlFrames 500
            \tHTTP2MaxEmptyFrames 4
            \tHTTP2WindowSize 131072
            End

            """)
        let l = try XCTUnwrap(c?.listeners.first)
        XCTAssertTrue(l.servesHTTP2)
        XCTAssertEqual(l.http2.maxConcurrentStreams, 128)
        XCTAssertEqual(l.http2.maxHeaderListSize, 16384)
        XCTAssertEqual(l.http2.maxResets, 100)
        XCTAssertEqual(l.http2.maxContinuations, 8)
        XCTAssertEqual(l.http2.maxControlFrames, 500)
        XCTAssertEqual(l.http2.maxEmptyDataFrames, 4)
        XCTAssertEqual(l.http2.initialWindowSize, 131072)

        // Each statement alone sets its own value and leaves the others at their defaults.
        for limit in limits {
            let value = limit.min + 1
            let l = try XCTUnwrap(assertAccepts("ListenHTTP\n\tHTTP2 on\n\t\(limit.name) \(value)\nEnd\n")?.listeners.first,
                                  limit.name)
            var expected = HTTP2Limits()
            expected[keyPath: limit.path] = value
            XCTAssertEqual(l.http2, expected, limit.name)
        }
    }

    func testBoundsAccepted() throws {
        for limit in limits {
            for value in [limit.min, limit.max] {
                let l = try XCTUnwrap(assertAccepts("ListenHTTP\n\tHTTP2 1\n\t\(limit.name) \(value)\nEnd\n")?
                    .listeners.first, "\(limit.name) \(value)")
                XCTAssertEqual(l.http2[keyPath: limit.path], value, "\(limit.name) \(value)")
            }
        }
    }

    /// A limit in a ListenHTTP without `HTTP2 on` does nothing, but `pounce -c` accepts
    /// it silently and carries the value.
    func testLimitsWithoutHTTP2AreAccepted() throws {
        let l = try XCTUnwrap(assertAccepts("ListenHTTP\n\tHTTP2MaxStreams 10\n\tHTTP2WindowSize 70000\nEnd\n")?
            .listeners.first)
        XCTAssertFalse(l.servesHTTP2)
        XCTAssertEqual(l.http2.maxConcurrentStreams, 10)
        XCTAssertEqual(l.http2.initialWindowSize, 70000)
        let off = try XCTUnwrap(assertAccepts("ListenHTTP\n\tHTTP2 off\n\tHTTP2MaxResets 20\nEnd\n")?.listeners.first)
        XCTAssertFalse(off.servesHTTP2)
        XCTAssertEqual(off.http2.maxResets, 20)
    }

    func testBadValues() {
        // Column of the value: the statement starts at 9 (after a tab), then its name and a space.
        assertRejects("ListenHTTP\n\tHTTP2MaxStreams 0\nEnd\n",
                      ["pound.cfg:2.25: HTTP2MaxStreams must be between 1 and 2147483647"])
        assertRejects("ListenHTTP\n\tHTTP2MaxStreams 2147483648\nEnd\n",
                      ["pound.cfg:2.25-34: HTTP2MaxStreams must be between 1 and 2147483647"])
        assertRejects("ListenHTTP\n\tHTTP2MaxStreams 99999999999999999999999\nEnd\n",
                      ["pound.cfg:2.25-47: HTTP2MaxStreams must be between 1 and 2147483647"])
        assertRejects("ListenHTTP\n\tHTTP2MaxHeaderList 1023\nEnd\n",
                      ["pound.cfg:2.28-31: HTTP2MaxHeaderList must be between 1024 and 2147483647"])
        assertRejects("ListenHTTP\n\tHTTP2MaxHeaderList 4294967295\nEnd\n",
                      ["pound.cfg:2.28-37: HTTP2MaxHeaderList must be between 1024 and 2147483647"])
        assertRejects("ListenHTTP\n\tHTTP2MaxResets 0\nEnd\n",
                      ["pound.cfg:2.24: HTTP2MaxResets must be between 1 and 2147483647"])
        assertRejects("ListenHTTP\n\tHTTP2MaxContinuations 0\nEnd\n",
                      ["pound.cfg:2.31: HTTP2MaxContinuations must be between 1 and 2147483647"])
        assertRejects("ListenHTTP\n\tHTTP2MaxControlFrames 0\nEnd\n",
                      ["pound.cfg:2.31: HTTP2MaxControlFrames must be between 1 and 2147483647"])
        assertRejects("ListenHTTP\n\tHTTP2MaxEmptyFrames 0\nEnd\n",
                      ["pound.cfg:2.29: HTTP2MaxEmptyFrames must be between 1 and 2147483647"])
        assertRejects("ListenHTTP\n\tHTTP2WindowSize 65534\nEnd\n",
                      ["pound.cfg:2.25-29: HTTP2WindowSize must be between 65535 and 2147483647"])
        assertRejects("ListenHTTP\n\tHTTP2WindowSize 2147483648\nEnd\n",
                      ["pound.cfg:2.25-34: HTTP2WindowSize must be between 65535 and 2147483647"])

        // Not a number at all: the parser's usual wording.
        assertRejects("ListenHTTP\n\tHTTP2MaxStreams -1\nEnd\n",
                      ["pound.cfg:2.25-26: expected number, but found literal"])
        assertRejects("ListenHTTP\n\tHTTP2MaxStreams many\nEnd\n",
                      ["pound.cfg:2.25-28: expected number, but found identifier"])
        assertRejects("ListenHTTP\n\tHTTP2MaxStreams \"100\"\nEnd\n",
                      ["pound.cfg:2.25-29: expected number, but found quoted string"])
        assertRejects("ListenHTTP\n\tHTTP2MaxStreams 64k\nEnd\n",
                      ["pound.cfg:2.25-27: expected number, but found literal"])
        assertRejects("ListenHTTP\n\tHTTP2MaxStreams\nEnd\n",
                      ["pound.cfg:2.23-3: expected number, but found end of line"])
        assertRejects("ListenHTTP\n\tHTTP2MaxStreams 10 20\nEnd\n",
                      ["pound.cfg:2.28-29: unexpected number"])

        // HTTP2 takes a boolean.
        assertRejects("ListenHTTP\n\tHTTP2 2\nEnd\n", [
            "pound.cfg:2.15: not a boolean value",
            "pound.cfg:2.15: valid booleans are: 1, yes, true, on for true value, and 0, no, false, off for false value",
        ])
        assertRejects("ListenHTTP\n\tHTTP2 \"on\"\nEnd\n",
                      ["pound.cfg:2.15-18: expected identifier, number or literal, but found quoted string"])
        assertRejects("ListenHTTP\n\tHTTP2\nEnd\n",
                      ["pound.cfg:2.13-3: expected identifier, number or literal, but found end of line"])
    }

    func testUnknownInTunnelAndElsewhere() {
        let tunnel = { (line: String) in "Tunnel\n\(line)\n\tBackend\n\tAddress 127.0.0.1\n\tEnd\nEnd\n" }
        assertRejects(tunnel("\tHTTP2 on"), ["pound.cfg:2.9-13: unrecognized keyword"])
        assertRejects(tunnel("\tHTTP2 off"), ["pound.cfg:2.9-13: unrecognized keyword"])
        assertRejects(tunnel("\tHTTP2MaxStreams 10"), ["pound.cfg:2.9-23: unrecognized keyword"])
        assertRejects(tunnel("\tHTTP2WindowSize 65535"), ["pound.cfg:2.9-23: unrecognized keyword"])
        // Listener statements only: not global, not in a Service or a Backend.
        assertRejects("HTTP2 on\n", ["pound.cfg:1.1-5: unrecognized keyword"])
        assertRejects("ListenHTTP\n\tService\n\t\tHTTP2 on\n\tEnd\nEnd\n", ["pound.cfg:3.17-21: unrecognized keyword"])
    }
}
