import XCTest
@testable import PoundRegex

/// Messages and offsets as printed by Pound 4.23 (`pound -c`) for the same
/// patterns, against glibc 2.36 and PCRE2 10.42.
final class PatternErrorTests: XCTestCase {
    func testPCREErrors() {
        let cases: [(String, String, Int)] = [
            ("(", "missing closing parenthesis", 1),
            ("a)", "unmatched closing parenthesis", 1),
            ("[a", "missing terminating ] for character class", 2),
            ("a{2,1}", "numbers out of order in {} quantifier", 5),
            ("*a", "quantifier does not follow a repeatable item", 0),
            ("x++++", "quantifier does not follow a repeatable item", 3),
            ("\\", "\\ at end of pattern", 1),
            ("a\\", "\\ at end of pattern", 2),
            ("(?<n", "syntax error in subpattern name (missing terminator?)", 4),
            ("[z-a]", "range out of order in character class", 3),
            ("(?P<1a>x)", "subpattern name must start with a non-digit", 4),
            ("\\k", "\\k is not followed by a braced, angle-bracketed, or quoted name", 2),
            ("(*FOO)", "(*VERB) not recognized or malformed", 5),
            ("[[:foo:]]", "unknown POSIX class name", 3),
        ]
        for (source, message, offset) in cases {
            XCTAssertEqual(compileError(source, .pcre), PatternError(message: message, offset: offset), source)
        }
    }

    func testPOSIXErrors() {
        let cases: [(String, String)] = [
            ("(", "Unmatched ( or \\("),
            ("[a", "Unmatched [, [^, [:, [., or [="),
            ("a{2,1}", "Invalid content of \\{\\}"),
            ("a{1", "Unmatched \\{"),
            ("*a", "Invalid preceding regular expression"),
            ("\\", "Trailing backslash"),
            ("a\\", "Trailing backslash"),
            ("(?<n", "Invalid preceding regular expression"),
            ("[z-a]", "Invalid range end"),
            ("[[:foo:]]", "Invalid character class name"),
        ]
        for (source, message) in cases {
            for options: PatternOptions in [[], [.caseInsensitive, .multiline]] {
                XCTAssertEqual(compileError(source, .posix, options), PatternError(message: message, offset: 0), source)
            }
        }
    }

    /// Pound prints "<message> at byte <n>" only for a non-zero offset.
    func testDescriptionMatchesPoundFormat() {
        XCTAssertEqual(compileError("(", .pcre)?.description, "missing closing parenthesis at byte 1")
        XCTAssertEqual(compileError("*a", .pcre)?.description, "quantifier does not follow a repeatable item")
        XCTAssertEqual(compileError("(", .posix)?.description, "Unmatched ( or \\(")
    }

    func testPatternsValidInOneFlavourOnly() throws {
        // PCRE accepts an unterminated brace as literal text; POSIX does not.
        XCTAssertTrue(try compile("a{1", .pcre).matches("a{1"))
        XCTAssertEqual(compileError("a{1", .posix)?.message, "Unmatched \\{")
    }

    func testLiteralKindsNeverFail() throws {
        for kind in [PatternKind.exact, .prefix, .suffix, .contain] {
            for source in ["(", "[a", "\\", "*"] {
                XCTAssertTrue(try compile(source, kind).matches(source), "\(kind) \(source)")
            }
        }
    }
}
