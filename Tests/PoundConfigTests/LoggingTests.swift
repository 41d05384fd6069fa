import XCTest
@testable import PoundConfig

/// LogLevel, LogFormat and HeaderOption; every expected message was checked against
/// Pound 4.23.
final class LoggingTests: XCTestCase {
    func testTraditionalLogLevels() {
        for n in 0...5 { assertAccepts("LogLevel \(n)\n") }
        let c = assertAccepts("LogLevel \"combined\"\n")
        XCTAssertEqual(c?.defaults.logLevel, .number(4))
    }

    func testLogLevelErrors() {
        assertRejects("LogLevel 6\n", ["pound.cfg:1.10: undefined log level"])
        assertRejects("LogLevel \"foo\"\n", ["pound.cfg:1.10-14: undefined format: foo"])
        assertRejects("LogLevel -1\n", ["pound.cfg:1.10-11: expected number or quoted string, but found literal"])
        assertRejects("LogLevel foo\n", ["pound.cfg:1.10-12: expected number or quoted string, but found identifier"])
        assertRejects("LogLevel 99999999999\n", ["pound.cfg:1.10-20: unsupported log level number"])
    }

    func testUserFormatByNumberAndName() {
        let c = assertAccepts("LogFormat \"a\" \"%a\"\nLogLevel 6\n")
        XCTAssertEqual(c?.defaults.logLevel, .named("a"))
        XCTAssertEqual(c?.logFormats["a"]?.index, 6)
        XCTAssertEqual(c?.logFormats["a"]?.segments, [.clientAddress])
    }

    func testLogFormatDiagnostics() {
        assertRejects("LogFormat \"a\" \"%\"\n", ["pound.cfg:1.16: unknown format char"])
        assertRejects("LogFormat \"a\" \"x %{abc\"\n", ["pound.cfg:1.18: missing terminating `}'"])
        assertRejects("LogFormat \"a\" \"x %Z y\"\n", ["pound.cfg:1.18: unknown format char"])
        assertRejects("LogFormat \"a\" \"%>x\"\n", ["pound.cfg:1.16: unknown format char"])
        assertRejects("LogFormat \"a\" \"%{bad}N\"\n", ["pound.cfg:1.17: unrecognized Pound object name"])
        assertRejects("LogFormat \"a\" \"%{bad}L\"\n", ["pound.cfg:1.17: unrecognized Pound object name"])
        assertRejects("LogFormat \"a\" \"%{x}T\"\n", ["pound.cfg:1.17: bad process time format"])
        assertRejects("LogFormat \"a\" \"%i\"\n", ["pound.cfg:1.16: format specifier requires argument"])
        assertRejects("LogFormat \"a\" \"%{x}\"\n", ["pound.cfg:1.19: unknown format char"])
        assertRejects("LogFormat \"a\" \"%{x}a %Z\"\n",
                      ["pound.cfg:1.19: format specifier does not take arguments", "pound.cfg:1.22: unknown format char"])
        assertRejects("LogFormat \"regular\" \"%a\"\n", ["pound.cfg:1.20: format already defined"])
        assertRejects("LogFormat \"a\" \"%a\"\nLogFormat \"a\" \"%a\"\n", ["pound.cfg:2.14: format already defined"])
    }

    func testLogFormatWarningsOnlyAreAccepted() {
        assertAccepts("LogFormat \"a\" \"%{x}a %{y}b\"\n", warnings: [
            "pound.cfg:1.19: format specifier does not take arguments",
            "pound.cfg:1.25: format specifier does not take arguments",
        ])
        // Pound keeps only the last problem's severity.
        assertAccepts("LogFormat \"a\" \"%Z %{x}a\"\n", warnings: [
            "pound.cfg:1.16: unknown format char",
            "pound.cfg:1.22: format specifier does not take arguments",
        ])
    }

    func testLogFormatSegments() {
        let fmt = "%%A=%A, %{X-Null}I %{X-Header}i %m %q %{listener}N %r %s %>s %u %v %t %{%Y-%m-%d}t %D %T %{ms}T %{end:msec}t"
        let c = assertAccepts("LogFormat \"default\" \"\(fmt)\"\nLogLevel \"default\"\n")
        let segs = c?.logFormats["default"]?.segments ?? []
        XCTAssertEqual(segs.first, .literal("%A="))
        XCTAssertTrue(segs.contains(.requestHeader("X-Null", clf: true)))
        XCTAssertTrue(segs.contains(.requestHeader("X-Header", clf: false)))
        XCTAssertTrue(segs.contains(.objectName(.listener)))
        XCTAssertTrue(segs.contains(.status(fullLine: true)))
        XCTAssertTrue(segs.contains(.status(fullLine: false)))
        XCTAssertTrue(segs.contains(.time(.strftime("%Y-%m-%d"), atEnd: false)))
        XCTAssertTrue(segs.contains(.time(.epochMilliseconds, atEnd: true)))
        XCTAssertTrue(segs.contains(.processingTime(.milliseconds)))
        XCTAssertEqual(LogFormat.builtIn.count, 6)
        XCTAssertEqual(LogFormat.builtIn[1].segments,
                       [.clientAddress, .literal(" "), .requestLine, .literal(" - "), .status(fullLine: true)])
    }

    func testHeaderOption() {
        let c = assertAccepts("HeaderOption no-ssl\nListenHTTP\n\tHeaderOption none forwarded NO-FORWARDED All\nEnd\n")
        XCTAssertEqual(c?.defaults.headerOptions, [.forwarded])
        XCTAssertEqual(c?.listeners.first?.headerOptions, [.forwarded, .ssl])
        assertRejects("ListenHTTP\n\tHeaderOption foo\nEnd\n", ["pound.cfg:2.22-24: unknown option"])
        assertRejects("ListenHTTP\n\tHeaderOption \"ssl\"\nEnd\n", ["pound.cfg:2.22-26: unexpected quoted string"])
    }
}
