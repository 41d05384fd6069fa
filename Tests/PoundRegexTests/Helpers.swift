import XCTest
@testable import PoundRegex

/// Compiles or fails the test with the compile error (typed throws make the
/// error message directly available).
func compile(_ source: String, _ kind: PatternKind, _ options: PatternOptions = [],
             file: StaticString = #filePath, line: UInt = #line) throws -> Pattern {
    do {
        return try Pattern(source, kind: kind, options: options)
    } catch {
        XCTFail("\(kind) \"\(source)\" failed to compile: \(error)", file: file, line: line)
        throw error
    }
}

/// The compile error for `source`, or nil (with a test failure) if it compiled.
func compileError(_ source: String, _ kind: PatternKind, _ options: PatternOptions = [],
                  file: StaticString = #filePath, line: UInt = #line) -> PatternError? {
    do {
        _ = try Pattern(source, kind: kind, options: options)
        XCTFail("\(kind) \"\(source)\" compiled but should not", file: file, line: line)
        return nil
    } catch {
        return error
    }
}

/// Group ranges as (start, end) pairs, nil for unset groups: short to write
/// in expectations and printed readably on failure.
func groups(_ match: PatternMatch?) -> [[Int]?]? {
    match.map { $0.groups.map { $0.map { [$0.lowerBound, $0.upperBound] } } }
}
