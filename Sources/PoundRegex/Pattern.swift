#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A compiled match pattern: Pounce's counterpart of Pound's `GENPAT`.
///
/// Immutable once initialised, so one instance can be matched from any
/// number of threads at once; the match path takes no locks of ours and
/// allocates at most the per-call PCRE2 match data and the result array.
///
/// Subjects are byte strings that end at their first NUL byte, because
/// Pound hands its matchers C strings: a subject of "ab\0cd" is "ab" to
/// every kind. Offsets in `PatternMatch` are byte offsets from the start.
public final class Pattern: Sendable {
    /// The pattern text as written in the configuration.
    public let source: String
    public let kind: PatternKind
    public let options: PatternOptions
    private let engine: any PatternEngine

    /// Compiles `source`. Only `.posix` and `.pcre` can fail; the error
    /// carries Pound's message and byte offset.
    public init(_ source: String, kind: PatternKind, options: PatternOptions = []) throws(PatternError) {
        self.source = source
        self.kind = kind
        self.options = options
        switch kind {
        case .posix:
            engine = try POSIXRegex(source, options: options)
        case .pcre:
            engine = try PCRE2Regex(source, options: options)
        case .exact, .prefix, .suffix, .contain:
            engine = LiteralMatcher(source, kind: kind, options: options)
        }
    }

    /// Number of capture groups, not counting the whole match (so `$1` …
    /// `$groupCount` are valid back-references); 0 for the literal kinds.
    public var groupCount: Int {
        engine.groupCount
    }

    // MARK: Matching

    public func matches(_ subject: UnsafeRawBufferPointer) -> Bool {
        Pattern.normalize(subject) { engine.matches($0) }
    }

    public func matches(_ subject: [UInt8]) -> Bool {
        subject.withUnsafeBytes { matches($0) }
    }

    public func matches(_ subject: String) -> Bool {
        var subject = subject
        return subject.withUTF8 { matches(UnsafeRawBufferPointer($0)) }
    }

    /// The leftmost match and its sub-match byte ranges, or nil when the
    /// subject does not match.
    public func firstMatch(in subject: UnsafeRawBufferPointer) -> PatternMatch? {
        Pattern.normalize(subject) { engine.firstMatch(in: $0) }
    }

    public func firstMatch(in subject: [UInt8]) -> PatternMatch? {
        subject.withUnsafeBytes { firstMatch(in: $0) }
    }

    public func firstMatch(in subject: String) -> PatternMatch? {
        var subject = subject
        return subject.withUTF8 { firstMatch(in: UnsafeRawBufferPointer($0)) }
    }

    /// Cuts the subject at its first NUL (Pound's C-string view) and makes
    /// sure an empty subject still has a real address: PCRE2 10.42 rejects
    /// a NULL subject even with length 0.
    private static func normalize<R>(_ subject: UnsafeRawBufferPointer,
                                     _ body: (UnsafeRawBufferPointer) -> R) -> R {
        guard let base = subject.baseAddress else {
            var zero: UInt8 = 0
            return withUnsafeMutableBytes(of: &zero) {
                body(UnsafeRawBufferPointer(start: $0.baseAddress, count: 0))
            }
        }
        guard let nul = memchr(base, 0, subject.count) else { return body(subject) }
        return body(UnsafeRawBufferPointer(start: base, count: UnsafeRawPointer(nul) - base))
    }
}
