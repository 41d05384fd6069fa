import XCTest
@testable import PoundRegex

final class RegexPatternTests: XCTestCase {
    func testBasicMatching() throws {
        for kind in [PatternKind.posix, .pcre] {
            let p = try compile("^/api/(v[0-9]+)/(.*)$", kind)
            XCTAssertTrue(kind.isRegex)
            XCTAssertEqual(p.groupCount, 2)
            XCTAssertEqual(groups(p.firstMatch(in: "/api/v12/users/7")), [[0, 16], [5, 8], [9, 16]], "\(kind)")
            XCTAssertTrue(p.matches("/api/v1/"))
            XCTAssertFalse(p.matches("/api/x1/"))
            XCTAssertNil(p.firstMatch(in: "/web"))
        }
    }

    func testUnanchoredFindsLeftmostMatch() throws {
        for kind in [PatternKind.posix, .pcre] {
            let p = try compile("b+", kind)
            XCTAssertEqual(p.firstMatch(in: "aabbbcbb")?.range, 2..<5, "\(kind)")
        }
    }

    /// Pound's example: a(b)?(c)?(d)? on "xac" — group 1 unset in the
    /// middle, group 3 unset at the end; both must come back nil and the
    /// group count must stay groupCount + 1.
    func testUnsetGroups() throws {
        for kind in [PatternKind.posix, .pcre] {
            let p = try compile("a(b)?(c)?(d)?", kind)
            XCTAssertEqual(p.groupCount, 3)
            let match = try XCTUnwrap(p.firstMatch(in: "xac"))
            XCTAssertEqual(groups(match), [[1, 3], nil, [2, 3], nil], "\(kind)")
            XCTAssertEqual(match[2], 2..<3)
            XCTAssertNil(match[1])
            XCTAssertNil(match[3])
            XCTAssertNil(match[4], "out-of-range group")
            XCTAssertNil(match[-1])
        }
        for kind in [PatternKind.posix, .pcre] {
            let p = try compile("(a)|(b)", kind)
            XCTAssertEqual(groups(p.firstMatch(in: "b")), [[0, 1], nil, [0, 1]], "\(kind)")
        }
    }

    func testEmptyGroupIsSetNotNil() throws {
        for kind in [PatternKind.posix, .pcre] {
            let p = try compile("(a*)+", kind)
            XCTAssertEqual(groups(p.firstMatch(in: "b")), [[0, 0], [0, 0]], "\(kind)")
        }
    }

    func testCaseSensitivity() throws {
        for kind in [PatternKind.posix, .pcre] {
            XCTAssertFalse(try compile("HELLO", kind).matches("say hello"), "\(kind)")
            let p = try compile("HELLO", kind, .caseInsensitive)
            XCTAssertEqual(p.firstMatch(in: "say hello")?.range, 4..<9, "\(kind)")
            // Character classes are not folded away by REG_ICASE/CASELESS
            // in the sense of [[:upper:]] still matching lower case.
            XCTAssertTrue(try compile("[[:upper:]]", kind, .caseInsensitive).matches("abc"), "\(kind)")
        }
        XCTAssertTrue(try compile("(?i)abc", .pcre).matches("ABC"))
    }

    func testMultiline() throws {
        for kind in [PatternKind.posix, .pcre] {
            XCTAssertFalse(try compile("^b$", kind).matches("a\nb\nc"), "\(kind)")
            XCTAssertEqual(try compile("^b$", kind, .multiline).firstMatch(in: "a\nb\nc")?.range, 2..<3, "\(kind)")
        }
        // REG_NEWLINE also stops '.' at newlines; without it POSIX '.' crosses
        // them. PCRE's '.' never matches '\n' unless DOTALL.
        XCTAssertTrue(try compile("a.b", .posix).matches("a\nb"))
        XCTAssertFalse(try compile("a.b", .posix, .multiline).matches("a\nb"))
        XCTAssertFalse(try compile("a.b", .pcre).matches("a\nb"))
        XCTAssertTrue(try compile("(?s)a.b", .pcre).matches("a\nb"))
    }

    /// The same text means different things in ERE and PCRE.
    func testPOSIXAndPCRESyntaxDiffer() throws {
        // \d is a digit class in PCRE; glibc ERE treats "\d" as a literal d.
        XCTAssertEqual(try compile("\\d+", .pcre).firstMatch(in: "ab123")?.range, 2..<5)
        XCTAssertFalse(try compile("\\d+", .posix).matches("123"))
        XCTAssertEqual(try compile("\\d+", .posix).firstMatch(in: "xddd")?.range, 1..<4)
        // POSIX is leftmost-longest, PCRE takes the first alternative.
        XCTAssertEqual(try compile("a|ab", .posix).firstMatch(in: "ab")?.range, 0..<2)
        XCTAssertEqual(try compile("a|ab", .pcre).firstMatch(in: "ab")?.range, 0..<1)
        // Lazy quantifiers exist only in PCRE; glibc reads "+?" as greedy.
        XCTAssertEqual(try compile("a+?", .posix).firstMatch(in: "aaa")?.range, 0..<3)
        XCTAssertEqual(try compile("a+?", .pcre).firstMatch(in: "aaa")?.range, 0..<1)
        // Lookahead is PCRE-only.
        XCTAssertEqual(try compile("foo(?=bar)", .pcre).firstMatch(in: "foobar")?.range, 0..<3)
        XCTAssertEqual(compileError("foo(?=bar)", .posix),
                       PatternError(message: "Invalid preceding regular expression", offset: 0))
        // A lone ')' is an ordinary character in glibc ERE but an error in PCRE.
        XCTAssertTrue(try compile("a)", .posix).matches("a)"))
        XCTAssertNotNil(compileError("a)", .pcre))
        // Both understand POSIX bracket classes and bounds.
        for kind in [PatternKind.posix, .pcre] {
            XCTAssertEqual(try compile("[[:digit:]]+", kind).firstMatch(in: "x42")?.range, 1..<3)
            XCTAssertEqual(try compile("a{2}", kind).firstMatch(in: "baab")?.range, 1..<3)
        }
        XCTAssertEqual(try compile("\\w+", .posix).firstMatch(in: "ab_c-")?.range, 0..<4)
    }

    func testNamedGroupsCountAsGroups() throws {
        let p = try compile("(?<year>[0-9]{4})-(?:[0-9]{2})-([0-9]{2})", .pcre)
        XCTAssertEqual(p.groupCount, 2)
        XCTAssertEqual(groups(p.firstMatch(in: "on 2024-05-17")), [[3, 13], [3, 7], [11, 13]])
    }

    func testEmptyPattern() throws {
        for kind in [PatternKind.posix, .pcre] {
            let p = try compile("", kind)
            XCTAssertEqual(p.groupCount, 0)
            XCTAssertEqual(groups(p.firstMatch(in: "abc")), [[0, 0]], "\(kind)")
            XCTAssertEqual(groups(p.firstMatch(in: "")), [[0, 0]], "\(kind)")
        }
    }

    func testEmptySubject() throws {
        for kind in [PatternKind.posix, .pcre] {
            XCTAssertTrue(try compile("^$", kind).matches(""), "\(kind)")
            XCTAssertFalse(try compile("a", kind).matches(""), "\(kind)")
            XCTAssertEqual(groups(try compile("(x)?", kind).firstMatch(in: [UInt8]())), [[0, 0], nil], "\(kind)")
            XCTAssertTrue(try compile("^$", kind).matches(UnsafeRawBufferPointer(start: nil, count: 0)), "\(kind)")
        }
    }

    func testManyGroups() throws {
        let source = String(repeating: "(.)", count: 12)
        for kind in [PatternKind.posix, .pcre] {
            let p = try compile(source, kind)
            XCTAssertEqual(p.groupCount, 12)
            let match = try XCTUnwrap(p.firstMatch(in: "abcdefghijklm"))
            XCTAssertEqual(match.groups.count, 13)
            XCTAssertEqual(match[12], 11..<12)
        }
    }

    /// Deep backtracking can exhaust the JIT's small stack; the match must
    /// then fall back to the interpreter rather than report "no match".
    func testDeepPCREMatch() throws {
        let p = try compile("^(a|b)*$", .pcre)
        let subject = String(repeating: "ab", count: 50_000)
        XCTAssertTrue(p.matches(subject))
        XCTAssertEqual(p.firstMatch(in: subject)?.range, 0..<100_000)
    }

    func testConcurrentMatching() throws {
        let patterns = [try compile("^/(item|user)/([0-9]+)$", .posix), try compile("^/(item|user)/([0-9]+)$", .pcre)]
        DispatchQueue.concurrentPerform(iterations: 64) { iteration in
            let pattern = patterns[iteration % 2]
            for value in 0..<200 {
                let subject = "/item/\(value)"
                let match = pattern.firstMatch(in: subject)
                XCTAssertEqual(match?[2], 6..<subject.utf8.count)
                XCTAssertFalse(pattern.matches("/other/\(value)"))
            }
        }
    }
}
