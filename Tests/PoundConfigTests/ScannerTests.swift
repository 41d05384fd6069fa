import XCTest
@testable import PoundConfig

final class ScannerTests: XCTestCase {
    func testUnrecognizedKeywordPointsAtKeyword() {
        assertRejects("user \"root\"\nFooBar 10\ngroup \"root\"\n", ["pound.cfg:2.1-6: unrecognized keyword"])
    }

    func testMissingArgumentPointsAtEndOfLine() {
        assertRejects("# Missing argument\nuser\ngroup \"0\"\n",
                      ["pound.cfg:2.4-3: expected quoted string, but found end of line"])
    }

    func testMistypedArgument() {
        assertRejects("user 10\n", ["pound.cfg:1.6-7: expected quoted string, but found number"])
    }

    func testExtraArgument() {
        assertRejects("user \"root\" 10\n", ["pound.cfg:1.13-14: unexpected number"])
    }

    func testUnrecognizedEscapeIsReportedButAccepted() {
        let c = assertAccepts("user \"foo\\Bar\"\n", warnings: ["pound.cfg:1.11: unrecognized escape character"])
        XCTAssertEqual(c?.user, "fooBar")
    }

    func testEscapes() {
        XCTAssertEqual(assertAccepts("User \"a\\\"b\\\\c\"\n")?.user, "a\"b\\c")
    }

    func testKeywordsAreCaseInsensitiveAndCommentsTrail() {
        let c = assertAccepts("USER \"root\" # inline comment\n\nGROUP \"wheel\"\n")
        XCTAssertEqual(c?.user, "root")
        XCTAssertEqual(c?.group, "wheel")
    }

    func testBooleans() {
        for v in ["0", "false", "off", "no"] { XCTAssertEqual(assertAccepts("Daemon \(v)\n")?.daemon, false) }
        for v in ["1", "true", "on", "yes"] { XCTAssertEqual(assertAccepts("Daemon \(v)\n")?.daemon, true) }
        assertRejects("# Invalid boolean value\nDaemon whatever\n", [
            "pound.cfg:2.8-15: not a boolean value",
            "pound.cfg:2.8-15: valid booleans are: 1, yes, true, on for true value, and 0, no, false, off for false value",
        ])
    }

    func testTabsAdvanceColumnByEight() {
        assertRejects("\tFooBar\n", ["pound.cfg:1.9-14: unrecognized keyword"])
    }

    func testEndOfLineInQuotedString() {
        assertRejects("User \"abc\\\n\"\n", ["pound.cfg:2: end of line in quoted string"])
    }

    func testUnterminatedStringAtEndOfFile() {
        assertRejects("User \"abc", ["pound.cfg:1.9: end of file in quoted string"])
    }

    func testMissingEndInSectionPointsAtSectionStart() {
        assertRejects("Resolver\n\tDebug 1\n", ["pound.cfg:1.1: unexpected end of file"])
    }

    func testArgumentAtEndOfFileWithoutNewline() {
        assertRejects("User", ["unexpected end of file"])
    }

    func testMissingTopLevelFile() {
        let f = ConfigFixture()
        let outcome = f.load("nope.cfg")
        XCTAssertNil(outcome.config)
        XCTAssertEqual(outcome.messages, ["can't stat \(realpath(f.directory))/nope.cfg: No such file or directory"])
    }

    func testLiteralsNumbersAndIdentifiers() {
        assertRejects("User 127.0.0.1\n", ["pound.cfg:1.6-14: expected quoted string, but found literal"])
        assertRejects("User abc\n", ["pound.cfg:1.6-8: expected quoted string, but found identifier"])
        assertRejects("Grace \"10\"\n", ["pound.cfg:1.7-10: expected number, but found quoted string"])
        assertRejects("Grace 10s\n", ["pound.cfg:1.7-9: expected number, but found literal"])
    }

    func testValueRanges() {
        assertRejects("Grace 99999999999\n", ["pound.cfg:1.7-17: bad unsigned number"])
        assertRejects("LogFacility nosuch\n", ["pound.cfg:1.13-18: unknown log facility name"])
        XCTAssertNil(assertAccepts("LogFacility -\n")?.logFacility)
        XCTAssertEqual(assertAccepts("LogFacility local3\n")?.logFacility, "local3")
    }

    private func realpath(_ p: String) -> String {
        guard let r = Glibc.realpath(p, nil) else { return p }
        defer { free(r) }
        return String(cString: r)
    }
}
