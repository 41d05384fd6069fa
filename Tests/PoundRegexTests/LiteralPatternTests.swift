import XCTest
@testable import PoundRegex

final class LiteralPatternTests: XCTestCase {
    func testExact() throws {
        let p = try compile("/index.html", .exact)
        XCTAssertTrue(p.matches("/index.html"))
        XCTAssertFalse(p.matches("/index.html5"))
        XCTAssertFalse(p.matches("x/index.html"))
        XCTAssertFalse(p.matches("/INDEX.HTML"))
        XCTAssertFalse(p.matches(""))
        XCTAssertEqual(p.groupCount, 0)
    }

    func testExactCaseInsensitive() throws {
        let p = try compile("/Index.HTML", .exact, .caseInsensitive)
        XCTAssertTrue(p.matches("/index.html"))
        XCTAssertTrue(p.matches("/INDEX.html"))
        XCTAssertFalse(p.matches("/index.htm"))
    }

    func testPrefix() throws {
        let p = try compile("/api/", .prefix)
        XCTAssertTrue(p.matches("/api/"))
        XCTAssertTrue(p.matches("/api/v1/users"))
        XCTAssertFalse(p.matches("/api"))
        XCTAssertFalse(p.matches("/API/v1"))
        XCTAssertFalse(p.matches("x/api/"))
        XCTAssertTrue(try compile("/API/", .prefix, .caseInsensitive).matches("/api/v1"))
    }

    func testSuffix() throws {
        let p = try compile(".php", .suffix)
        XCTAssertTrue(p.matches("/index.php"))
        XCTAssertTrue(p.matches(".php"))
        XCTAssertFalse(p.matches("php"))
        XCTAssertFalse(p.matches("/index.php?x=1"))
        XCTAssertFalse(p.matches("/index.PHP"))
        XCTAssertTrue(try compile(".PHP", .suffix, .caseInsensitive).matches("/index.php"))
    }

    func testContain() throws {
        let p = try compile("admin", .contain)
        XCTAssertTrue(p.matches("admin"))
        XCTAssertTrue(p.matches("/x/admin/y"))
        XCTAssertTrue(p.matches("/x/admin"))
        XCTAssertFalse(p.matches("/x/adm/in"))
        XCTAssertFalse(p.matches("/x/ADMIN"))
        XCTAssertFalse(p.matches("adm"))
        let ci = try compile("AdMiN", .contain, .caseInsensitive)
        XCTAssertTrue(ci.matches("/x/ADMIN/y"))
        XCTAssertTrue(ci.matches("/x/admin"))
        XCTAssertFalse(ci.matches("/x/admi"))
    }

    /// Pound's Boyer–Moore misses these (its good-suffix table is wrong for
    /// periodic needles: pound reports no match for "abab" in "aaaaabab");
    /// Pounce deliberately implements real substring semantics.
    func testContainPeriodicNeedles() throws {
        XCTAssertTrue(try compile("abab", .contain).matches("aaaaabab"))
        XCTAssertTrue(try compile("baba", .contain).matches("abbabaaab"))
        XCTAssertTrue(try compile("ABAb", .contain, .caseInsensitive).matches("baAaaabAB"))
        XCTAssertTrue(try compile("ababa", .contain, .caseInsensitive).matches("bbabbbaabababbaabb"))
    }

    /// Cross-check -contain against a naive search over a small alphabet,
    /// where periodic needles and near misses are frequent.
    func testContainAgainstNaiveSearch() throws {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("abAB".utf8)
        for iteration in 0..<5000 {
            let caseInsensitive = iteration % 2 == 0
            let needle = (0..<Int.random(in: 1...5, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
            let subject = (0..<Int.random(in: 0...20, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
            let fold: (UInt8) -> UInt8 = { caseInsensitive && $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }
            let n = needle.map(fold), s = subject.map(fold)
            let expected = s.count >= n.count && (0...(s.count - n.count)).contains { Array(s[$0..<$0 + n.count]) == n }
            let p = try compile(String(decoding: needle, as: UTF8.self), .contain,
                                caseInsensitive ? .caseInsensitive : [])
            XCTAssertEqual(p.matches(subject), expected,
                           "\(String(decoding: needle, as: UTF8.self)) in \(String(decoding: subject, as: UTF8.self)) ci=\(caseInsensitive)")
        }
    }

    func testCaseFoldingIsASCIIOnly() throws {
        // Pound folds with its own ASCII table, never the locale.
        XCTAssertFalse(try compile("É", .exact, .caseInsensitive).matches("é"))
        XCTAssertFalse(try compile("straße", .contain, .caseInsensitive).matches("STRASSE"))
        XCTAssertTrue(try compile("ÉTÉ", .contain, .caseInsensitive).matches("xÉtÉx"))
        // '[' (0x5B) and '{' (0x7B) are not letters and must not be folded.
        XCTAssertFalse(try compile("[", .exact, .caseInsensitive).matches("{"))
        XCTAssertFalse(try compile("@", .exact, .caseInsensitive).matches("`"))
    }

    func testEmptyPatterns() throws {
        let exact = try compile("", .exact)
        XCTAssertTrue(exact.matches(""))
        XCTAssertFalse(exact.matches("a"))
        for kind in [PatternKind.prefix, .suffix, .contain] {
            let p = try compile("", kind)
            XCTAssertTrue(p.matches(""), "\(kind)")
            XCTAssertTrue(p.matches("anything"), "\(kind)")
        }
    }

    func testLiteralKindsReportNoSubmatches() throws {
        for kind in [PatternKind.exact, .prefix, .suffix, .contain] {
            let p = try compile("ab", kind)
            XCTAssertEqual(p.groupCount, 0)
            XCTAssertFalse(kind.isRegex)
            let match = p.firstMatch(in: "ab")
            XCTAssertNotNil(match, "\(kind)")
            XCTAssertEqual(match?.groups.count, 0, "\(kind)")
            XCTAssertNil(match?.range)
            XCTAssertNil(p.firstMatch(in: "xyz"), "\(kind)")
        }
    }

    func testRegexMetacharactersAreLiteral() throws {
        XCTAssertTrue(try compile("a.b*(", .exact).matches("a.b*("))
        XCTAssertFalse(try compile("a.b", .exact).matches("axb"))
        XCTAssertTrue(try compile("[x]", .contain).matches("/[x]/"))
    }

    func testMultilineIsIgnored() throws {
        let p = try compile("b", .exact, [.multiline])
        XCTAssertTrue(p.matches("b"))
        XCTAssertFalse(p.matches("a\nb"))
    }
}
