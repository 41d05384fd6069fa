import XCTest
import PoundRegex
@testable import PoundConfig

/// Wraps condition lines (each starting with a tab) in a global `Service ... End`.
func service(_ body: String) -> String {
    "Service\n" + body + "End\n"
}

/// Loads `text` from `fixture` (or a fresh one) and checks success and messages, ignoring
/// the finalizer's "no backends defined" warning (our test services have no backends).
@discardableResult
func loadChecked(_ text: String, in fixture: ConfigFixture = ConfigFixture(), succeeds: Bool,
                 _ messages: [String], file: StaticString = #filePath, line: UInt = #line) -> PoundConfiguration? {
    fixture.write("pound.cfg", text)
    let outcome = fixture.load()
    XCTAssertEqual(outcome.succeeded, succeeds, "messages: \(outcome.messages)", file: file, line: line)
    XCTAssertEqual(outcome.messages.filter { !$0.hasSuffix("warning: no backends defined") }, messages,
                   file: file, line: line)
    return outcome.config
}

/// The conditions of the first global service.
func conditions(_ config: PoundConfiguration?) -> [Condition] {
    config?.services.first?.condition.conditions ?? []
}

final class ConditionTests: XCTestCase {
    // MARK: - Accepted configurations

    func testEveryConditionKind() throws {
        let fixture = ConfigFixture()
        fixture.write("methods", "GET\nPOST\n")
        fixture.write("htpasswd", "user:$apr1$xyz\n#c\nbob:pw\n")
        let config = loadChecked(service("""
            \tURL "^/foo"
            \tURL -re "^/bar"
            \tURL -exact "/x"
            \tURL -beg "/x"
            \tURL -end ".html"
            \tURL -contain -icase "abc"
            \tPath -decode "/a b"
            \tPath -pcre "^/(\\\\d+)"
            \tQuery "a=1"
            \tQueryParam "foo" -decode "bar"
            \tHeader "X-Foo" "bar"
            \tHeader "X-Foo:.*bar"
            \tHost "example.org"
            \tMethod -file "methods"
            \tStringMatch "$1" -tag "x" "foo"
            \tACL
            \t\t"127.0.0.1"
            \tEnd
            \tTBF "%a" 10/s 20
            \tBasicAuth "htpasswd"
            \tNot URL "x"
            \tNOT Match OR
            \t\tURL "a"
            \t\tURL "b"
            \tEnd
            \tMatch AND
            \t\tMatch or
            \t\t\tHost "a"
            \t\tEnd
            \tEnd

            """), in: fixture, succeeds: true, [])
        let c = conditions(config)
        XCTAssertEqual(c.count, 21)
        guard c.count == 21 else { return }
        if case .match(let m) = c[0] {
            XCTAssertEqual(m.subject, .url)
            XCTAssertEqual(m.pattern.kind, .posix)
            XCTAssertTrue(m.pattern.matches("/foo/bar"))
        } else { XCTFail("URL") }
        if case .match(let m) = c[5] {
            XCTAssertEqual(m.pattern.kind, .contain)
            XCTAssertTrue(m.pattern.options.contains(.caseInsensitive))
        } else { XCTFail("URL -contain") }
        if case .match(let m) = c[6] { XCTAssertTrue(m.decode); XCTAssertEqual(m.subject, .path) } else { XCTFail("Path") }
        if case .match(let m) = c[7] { XCTAssertEqual(m.pattern.groupCount, 1) } else { XCTFail("Path -pcre") }
        if case .match(let m) = c[9] { XCTAssertEqual(m.subject, .queryParam("foo")); XCTAssertTrue(m.decode) } else { XCTFail("QueryParam") }
        if case .match(let m) = c[10] {
            XCTAssertEqual(m.subject, .header("X-Foo"))
            XCTAssertEqual(m.pattern.options, [.multiline, .caseInsensitive])
        } else { XCTFail("Header name") }
        if case .match(let m) = c[11] { XCTAssertEqual(m.subject, .headerLine) } else { XCTFail("Header line") }
        if case .match(let m) = c[12] {
            XCTAssertEqual(m.subject, .header("Host"))
            XCTAssertEqual(m.pattern.kind, .exact)
            XCTAssertTrue(m.pattern.matches("EXAMPLE.org"))
        } else { XCTFail("Host") }
        if case .patternFile(let f) = c[13] {
            XCTAssertEqual(f.subject, .method)
            XCTAssertEqual(f.patterns.map(\.source), ["GET", "POST"])
            XCTAssertFalse(f.file.watch)
        } else { XCTFail("Method -file") }
        if case .match(let m) = c[14] { XCTAssertEqual(m.subject, .string("$1")); XCTAssertEqual(m.tag, "x") } else { XCTFail("StringMatch") }
        if case .acl(let acl, let fwd) = c[15] {
            XCTAssertFalse(fwd)
            XCTAssertEqual(acl.entries, [CIDR(family: .inet, address: [127, 0, 0, 1], prefixLength: 32)])
        } else { XCTFail("ACL") }
        if case .tokenBucket(let t) = c[16] {
            XCTAssertEqual(t, TokenBucket(keyTemplate: "%a", nanosecondsPerToken: 100_000_000, burst: 20))
        } else { XCTFail("TBF") }
        if case .basicAuth(let b) = c[17] {
            XCTAssertTrue(b.file.watch)
            XCTAssertEqual(b.users.map(\.user), ["user", "bob"])
        } else { XCTFail("BasicAuth") }
        if case .not(.match(let m)) = c[18] { XCTAssertEqual(m.pattern.source, "x") } else { XCTFail("Not") }
        if case .not(.group(let g)) = c[19] {
            XCTAssertEqual(g.op, .or)
            XCTAssertEqual(g.conditions.count, 2)
        } else { XCTFail("NOT Match") }
        if case .group(let g) = c[20], case .group(let inner) = g.conditions.first {
            XCTAssertEqual(g.op, .and)
            XCTAssertEqual(inner.op, .or)
        } else { XCTFail("Match nesting") }
    }

    func testTBFRates() {
        let config = loadChecked(service("\tTBF \"%a\" 10/S 20\n\tTBF \"%a\" 2/3ms 20\n\tTBF \"%a\" 5/us 1\n\tTBF \"%a\" \"10\" 5\n"),
                                 succeeds: true, [])
        let rates: [UInt64] = conditions(config).compactMap {
            if case .tokenBucket(let t) = $0 { return t.nanosecondsPerToken }
            return nil
        }
        XCTAssertEqual(rates, [100_000_000, 1_500_000, 200, 100_000_000])
    }

    func testRegexTypeAndIgnoreCaseDefaults() {
        let config = loadChecked("IgnoreCase 1\nRegexType pcre\n" + service("\tURL \"x\"\n\tURL -case \"y\"\n\tURL -posix \"z\"\n\tHost -re \"^a\"\n"),
                                 succeeds: true,
                                 ["pound.cfg:1.1-10: warning: deprecated statement, use the -icase matching directive flag to request case-insensitive comparison"])
        let pats: [Pattern] = conditions(config).compactMap {
            if case .match(let m) = $0 { return m.pattern }
            return nil
        }
        XCTAssertEqual(pats.map(\.kind), [.pcre, .pcre, .posix, .pcre])
        XCTAssertEqual(pats.map { $0.options.contains(.caseInsensitive) }, [true, false, true, true])
    }

    func testDeprecatedHeadRequireAndHeadDeny() {
        let config = loadChecked(service("\tHeadRequire \"Host:.*\"\n\tHeadDeny \"X-Foo:.*\"\n"), succeeds: true, [
            "pound.cfg:2.9-19: warning: deprecated statement, use \"Header\" instead",
            "pound.cfg:3.9-16: warning: deprecated statement, use \"Not Header\" instead",
        ])
        let c = conditions(config)
        guard c.count == 2 else { return XCTFail("\(c)") }
        if case .match(let m) = c[0] { XCTAssertEqual(m.subject, .headerLine) } else { XCTFail("HeadRequire") }
        if case .not(.match(let m)) = c[1] {
            XCTAssertEqual(m.subject, .headerLine)
            XCTAssertTrue(m.pattern.matches("x-foo: bar"))
        } else { XCTFail("HeadDeny") }
    }

    func testNamedConditionsAndEval() {
        let config = loadChecked("Condition \"a\" OR\n\tURL \"x\"\n\tHost \"y\"\nEnd\nCondition \"b\"\n\tEval \"a\"\n\tNot Eval \"a\"\nEnd\n"
                                 + service("\tEval \"b\"\n"), succeeds: true, [])
        XCTAssertEqual(config?.namedConditions["a"]?.group.op, .or)
        XCTAssertEqual(config?.namedConditions["a"]?.index, 0)
        XCTAssertEqual(config?.namedConditions["b"]?.index, 1)
        XCTAssertEqual(config?.namedConditions["b"]?.group.conditions.count, 2)
        if case .eval(let name, let index) = conditions(config).first {
            XCTAssertEqual(name, "b")
            XCTAssertEqual(index, 1)
        } else { XCTFail("Eval") }
    }

    func testPatternFiles() {
        let fixture = ConfigFixture()
        fixture.write("pats", "a.*\n[bad\n  # comment\n\n^/x$\n")
        let dir = fixture.directory
        // Pound reports a bad pattern in a -file list but still accepts the configuration.
        let config = loadChecked(service("\tURL -file \"pats\"\n\tURL -filewatch \"nosuch\"\n"), in: fixture, succeeds: true, [
            "\(dir)/pats:2: Unmatched [, [^, [:, [., or [=",
            "pound.cfg:3.31-4: \(dir)/nosuch: file does not exist",
        ])
        let c = conditions(config)
        if case .patternFile(let f) = c.first {
            XCTAssertEqual(f.patterns.map(\.source), ["a.*", "^/x$"])
        } else { XCTFail("URL -file") }
        if c.count == 2, case .patternFile(let f) = c[1] {
            XCTAssertTrue(f.file.watch)
            XCTAssertTrue(f.patterns.isEmpty)
        } else { XCTFail("URL -filewatch") }
    }

    func testHeaderFromFileWithTag() {
        let fixture = ConfigFixture()
        fixture.write("hosts", "example.org\nexample.com\n")
        let config = loadChecked(service("\tHeader \"Host\" -tag \"h\" -file \"hosts\"\n\tHost -file \"hosts\"\n"), in: fixture, succeeds: true, [])
        let c = conditions(config)
        if c.count == 2, case .patternFile(let f) = c[0], case .patternFile(let h) = c[1] {
            XCTAssertEqual(f.subject, .header("Host"))
            XCTAssertEqual(f.tag, "h")
            XCTAssertEqual(h.kind, .exact)
            XCTAssertEqual(h.patterns.count, 2)
        } else { XCTFail("\(c)") }
    }

    func testBasicAuthWatchedFileMayBeMissing() {
        let fixture = ConfigFixture()
        loadChecked(service("\tBasicAuth \"nosuch\"\n"), in: fixture, succeeds: true,
                    ["pound.cfg:2.19-26: \(fixture.directory)/nosuch: file does not exist"])
    }

    // MARK: - Rejected configurations (messages verified with Pound 4.23)

    func testBadPOSIXRegex() {
        loadChecked(service("\tURL \"x(\"\n"), succeeds: false, ["pound.cfg:2.13-16: Unmatched ( or \\("])
    }

    func testBadPCRERegexReportsOffset() {
        loadChecked(service("\tURL -pcre \"x(\"\n"), succeeds: false, ["pound.cfg:2.19-22: missing closing parenthesis at byte 2"])
        loadChecked(service("\tURL -pcre \"a[b\"\n"), succeeds: false,
                    ["pound.cfg:2.19-23: missing terminating ] for character class at byte 3"])
        loadChecked("RegexType pcre\n" + service("\tURL \"x(?\"\n"), succeeds: false,
                    ["pound.cfg:3.13-17: missing closing parenthesis at byte 3"])
    }

    func testBadPCRERegexAtByteZeroHasNoOffset() {
        loadChecked(service("\tURL -perl \"*\"\n"), succeeds: false, ["pound.cfg:2.19-21: quantifier does not follow a repeatable item"])
    }

    func testUnknownOption() {
        loadChecked(service("\tURL -foo \"x\"\n"), succeeds: false, ["pound.cfg:2.13-16: unexpected token: -foo"])
    }

    func testDecodeOnlyForPathAndQueryParam() {
        loadChecked(service("\tURL -decode \"x\"\n"), succeeds: false, ["pound.cfg:2.13-19: unsupported option: -decode"])
    }

    func testMissingPattern() {
        loadChecked(service("\tURL\n"), succeeds: false, ["pound.cfg:2.11-3: expected quoted string, but found end of line"])
        loadChecked(service("\tURL 12\n"), succeeds: false, ["pound.cfg:2.13-14: expected quoted string, but found number"])
        loadChecked(service("\tHeader \"X-Foo\" -icase\n"), succeeds: false,
                    ["pound.cfg:2.29-3: expected quoted string, but found end of line"])
        loadChecked(service("\tQueryParam\n"), succeeds: false, ["pound.cfg:2.18-3: expected quoted string, but found end of line"])
    }

    func testTrailingToken() {
        loadChecked(service("\tURL \"a\" \"b\"\n"), succeeds: false, ["pound.cfg:2.17-19: unexpected quoted string"])
    }

    func testMatchOperator() {
        loadChecked(service("\tMatch XOR\n\tEnd\n"), succeeds: false, ["pound.cfg:2.15-17: expected AND or OR, but found XOR"])
        loadChecked(service("\tMatch OR\n\t\tURL \"a\"\n"), succeeds: false, ["pound.cfg:1.7: unexpected end of file"])
        loadChecked(service("\tMatch OR\n\t\tURL \"a\"\n\tEnd foo\n"), succeeds: false, ["pound.cfg:4.13-15: unexpected identifier"])
    }

    func testNotTakesOneCondition() {
        loadChecked(service("\tNot End\n"), succeeds: false, ["pound.cfg:2.13-15: unrecognized keyword"])
        loadChecked(service("\tNot Include \"x\"\n"), succeeds: false, ["pound.cfg:2.13-19: unrecognized keyword"])
        loadChecked(service("\tNot\n"), succeeds: false, ["pound.cfg:3.1-3: unrecognized keyword"])
    }

    func testEvalOfUndeclaredCondition() {
        loadChecked(service("\tEval \"nosuch\"\n"), succeeds: false, ["pound.cfg:2.14-21: nosuch: no such condition"])
        loadChecked(service("\tEval 1\n"), succeeds: false, ["pound.cfg:2.14: expected quoted string, but found number"])
    }

    func testNamedConditionErrors() {
        loadChecked("Condition \"a\"\n\tURL \"x\"\nEnd\nCondition \"a\" OR\n\tURL \"y\"\nEnd\n", succeeds: false, [
            "pound.cfg:4.15-16: a redefined",
            "pound.cfg:1.13-3.3: originally defined here",
        ])
        loadChecked("Condition \"a\" FOO\nEnd\n", succeeds: false, ["pound.cfg:1.15-17: expected AND or OR, but found FOO"])
        loadChecked(service("\tCondition \"x\"\n\tEnd\n"), succeeds: false, ["pound.cfg:2.9-17: unrecognized keyword"])
    }

    func testTBFRateErrors() {
        loadChecked(service("\tTBF \"%a\" 0 10\n"), succeeds: false, ["pound.cfg:2.18: bad unsigned number"])
        loadChecked(service("\tTBF \"%a\" 10/x 10\n"), succeeds: false, ["pound.cfg:2.21: bad interval specifier"])
        loadChecked(service("\tTBF \"%a\" 10/0s 10\n"), succeeds: false, ["pound.cfg:2.18-22: bad interval specifier"])
        loadChecked(service("\tTBF \"%a\" 10/ 5\n"), succeeds: false, ["pound.cfg:2.21-20: bad interval specifier"])
        loadChecked(service("\tTBF \"%a\" 10x 10\n"), succeeds: false, ["pound.cfg:2.18-20: invalid rate"])
        loadChecked(service("\tTBF \"%a\" 2000000000/us 10\n"), succeeds: false, ["pound.cfg:2.18-30: effective rate is 0"])
        loadChecked(service("\tTBF \"%a\" 99999999999999999999 5\n"), succeeds: false, ["pound.cfg:2.18-37: bad unsigned number"])
        loadChecked(service("\tTBF \"%a\" 10/s\n"), succeeds: false, ["pound.cfg:2.21-3: expected number, but found end of line"])
        loadChecked(service("\tTBF \"%a\"\n"), succeeds: false, ["pound.cfg:2.16-3: bad unsigned number"])
    }

    func testPatternFileErrors() {
        loadChecked(service("\tURL -file \"nosuch\"\n"), succeeds: false, ["pound.cfg:2.26-3: file nosuch does not exist"])
    }

    func testBasicAuthFileMustExist() {
        loadChecked(service("\tBasicAuth -file \"nosuch\"\n"), succeeds: false, ["pound.cfg:2.32-3: file nosuch does not exist"])
        loadChecked(service("\tBasicAuth -forwarded \"x\"\n"), succeeds: false, ["pound.cfg:2.19-28: unsupported option: -forwarded"])
    }

    func testClientCertFileMustExist() {
        let fixture = ConfigFixture()
        loadChecked(service("\tClientCert \"nosuch.pem\"\n"), in: fixture, succeeds: false,
                    ["pound.cfg:2.20-31: can't open \(fixture.directory)/nosuch.pem: No such file or directory"])
    }

    func testLuaMatchNeedsFunction() {
        loadChecked(service("\tLuaMatch\n"), succeeds: false, ["pound.cfg:2.16-3: expected quoted string, but found end of line"])
    }
}
