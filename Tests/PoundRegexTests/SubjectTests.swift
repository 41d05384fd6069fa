import XCTest
#if canImport(Glibc)
import Glibc
#endif
@testable import PoundRegex

/// How subjects are read: bytes (not characters), the three input forms,
/// and C-string termination.
final class SubjectTests: XCTestCase {
    /// Pound compiles without PCRE2_UTF and runs in the C locale, so '.' is
    /// one byte and offsets are byte offsets, for both regex flavours.
    func testUTF8SubjectsAreBytes() throws {
        for kind in [PatternKind.posix, .pcre] {
            XCTAssertFalse(try compile("^.$", kind).matches("é"), "\(kind)")
            XCTAssertTrue(try compile("^..$", kind).matches("é"), "\(kind)")
            let p = try compile("(ü)(x)", kind)
            XCTAssertEqual(groups(p.firstMatch(in: "aüx")), [[1, 4], [1, 3], [3, 4]], "\(kind)")
            XCTAssertFalse(try compile("É", kind, .caseInsensitive).matches("é"), "\(kind)")
            XCTAssertTrue(try compile("ÉTÉ", kind, .caseInsensitive).matches("ÉtÉ"), "\(kind)")
            XCTAssertFalse(try compile("ÉTÉ", kind, .caseInsensitive).matches("Été"), "\(kind)")
        }
        XCTAssertTrue(try compile("/caf\u{e9}", .prefix).matches("/caf\u{e9}/menu"))
        XCTAssertFalse(try compile("/cafe\u{301}", .exact).matches("/caf\u{e9}"), "no Unicode normalisation")
    }

    /// Even if the calling thread runs in a UTF-8 locale, POSIX patterns
    /// keep Pound's C-locale byte semantics.
    func testPOSIXIgnoresCallerLocale() throws {
        #if canImport(Glibc)
        guard let utf8 = newlocale(LC_CTYPE_MASK | LC_COLLATE_MASK, "C.UTF-8", nil) else {
            throw XCTSkip("C.UTF-8 locale not available")
        }
        defer { freelocale(utf8) }
        let previous = uselocale(utf8)
        defer { uselocale(previous) }
        XCTAssertEqual(__ctype_get_mb_cur_max(), 6, "the UTF-8 locale is really in effect")
        let p = try compile("^.$", .posix)
        XCTAssertFalse(p.matches("é"))
        XCTAssertTrue(try compile("^..$", .posix).matches("é"))
        XCTAssertFalse(try compile("é", .posix, .caseInsensitive).matches("É"))
        #else
        throw XCTSkip("glibc only")
        #endif
    }

    /// Request bytes need not be valid UTF-8; without PCRE2_UTF nothing
    /// validates them.
    func testInvalidUTF8Subject() throws {
        let bytes: [UInt8] = [0x2F, 0xFF, 0xC3, 0x41, 0x42]
        for kind in [PatternKind.posix, .pcre] {
            XCTAssertEqual(try compile("AB", kind).firstMatch(in: bytes)?.range, 3..<5, "\(kind)")
            XCTAssertTrue(try compile("^/...", kind).matches(bytes), "\(kind)")
        }
        XCTAssertTrue(try compile("AB", .suffix).matches(bytes))
    }

    func testByteAndBufferVariantsAgreeWithString() throws {
        let subject = "/api/v2/users?id=7"
        let bytes = Array(subject.utf8)
        for kind in PatternKind.allCases {
            let p = try compile(kind.isRegex ? "/(v[0-9])/" : "/api/", kind == .exact ? .prefix : kind)
            let viaString = p.firstMatch(in: subject)
            XCTAssertEqual(p.firstMatch(in: bytes), viaString, "\(kind)")
            bytes.withUnsafeBytes { buffer in
                XCTAssertEqual(p.firstMatch(in: buffer), viaString, "\(kind)")
                XCTAssertEqual(p.matches(buffer), viaString != nil, "\(kind)")
            }
            XCTAssertEqual(p.matches(bytes), viaString != nil)
        }
    }

    /// A slice of a larger buffer: matching must stop at the slice end, not
    /// read on to the next NUL.
    func testBufferSliceIsBounded() throws {
        let storage = Array("abcXYZ".utf8)
        try storage.withUnsafeBytes { all in
            let head = UnsafeRawBufferPointer(rebasing: all[0..<3])
            for kind in [PatternKind.posix, .pcre] {
                XCTAssertTrue(try compile("c$", kind).matches(head), "\(kind)")
                XCTAssertFalse(try compile("X", kind).matches(head), "\(kind)")
            }
            XCTAssertTrue(try compile("abc", .exact).matches(head))
            XCTAssertFalse(try compile("cX", .contain).matches(head))
            XCTAssertTrue(try compile("bc", .suffix).matches(head))
        }
    }

    /// Pound matches C strings, so a subject ends at its first NUL byte.
    func testSubjectEndsAtNUL() throws {
        let bytes: [UInt8] = [0x61, 0x62, 0x00, 0x63]
        XCTAssertTrue(try compile("ab", .exact).matches(bytes))
        XCTAssertTrue(try compile("b", .suffix).matches(bytes))
        XCTAssertFalse(try compile("c", .contain).matches(bytes))
        for kind in [PatternKind.posix, .pcre] {
            XCTAssertTrue(try compile("^ab$", kind).matches(bytes), "\(kind)")
            XCTAssertFalse(try compile("c", kind).matches(bytes), "\(kind)")
            XCTAssertTrue(try compile("^ab$", kind).matches("ab\u{0}c"), "\(kind)")
        }
    }

    func testPatternEndsAtNUL() throws {
        XCTAssertTrue(try compile("ab\u{0}zz", .exact).matches("ab"))
        XCTAssertTrue(try compile("^ab\u{0}zz", .pcre).matches("abc"))
        XCTAssertTrue(try compile("^ab\u{0}zz", .posix).matches("abc"))
    }

    func testPatternKeepsItsSource() throws {
        let p = try compile("^/x(y)$", .pcre, [.caseInsensitive, .multiline])
        XCTAssertEqual(p.source, "^/x(y)$")
        XCTAssertEqual(p.kind, .pcre)
        XCTAssertEqual(p.options, [.caseInsensitive, .multiline])
        XCTAssertEqual(PatternOptions.caseInsensitive.rawValue, 0x1, "GENPAT_ICASE")
        XCTAssertEqual(PatternOptions.multiline.rawValue, 0x2, "GENPAT_MULTILINE")
    }
}
