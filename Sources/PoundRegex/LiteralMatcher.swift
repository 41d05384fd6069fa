#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `-exact`, `-beg`, `-end` and `-contain`: plain byte comparisons.
///
/// Case folding is ASCII-only on purpose: Pound uses its own C-locale
/// `c_strcasecmp` / upper-case table, so `É` never matches `é`. These kinds
/// never fail to compile and report no sub-matches.
struct LiteralMatcher: PatternEngine {
    private let kind: PatternKind
    /// The needle, already passed through `map`, so only subject bytes need
    /// translating while matching.
    private let needle: [UInt8]
    private let caseInsensitive: Bool
    /// Byte translation applied before comparing: identity, or ASCII
    /// upper-casing for case-insensitive patterns. A table keeps the inner
    /// loops free of the case-sensitivity branch.
    private let map: [UInt8]
    /// Horspool shift table for `-contain`, indexed by translated bytes.
    private let skip: [Int]

    var groupCount: Int { 0 }

    init(_ pattern: String, kind: PatternKind, options: PatternOptions) {
        precondition(!kind.isRegex, "LiteralMatcher only handles literal kinds")
        let caseInsensitive = options.contains(.caseInsensitive)
        let map = (0...255).map { (value: Int) -> UInt8 in
            let byte = UInt8(value)
            return caseInsensitive && (0x61...0x7A).contains(byte) ? byte - 0x20 : byte
        }
        // Pound keeps the pattern as a C string: anything after a NUL is gone.
        let needle = pattern.utf8.prefix { $0 != 0 }.map { map[Int($0)] }

        var skip: [Int] = []
        if kind == .contain && !needle.isEmpty {
            // Distance from a byte's last occurrence (ignoring the final
            // position) to the end of the needle; absent bytes skip it all.
            skip = Array(repeating: needle.count, count: 256)
            for index in 0..<(needle.count - 1) {
                skip[Int(needle[index])] = needle.count - 1 - index
            }
        }
        self.kind = kind
        self.needle = needle
        self.caseInsensitive = caseInsensitive
        self.map = map
        self.skip = skip
    }

    func matches(_ subject: UnsafeRawBufferPointer) -> Bool {
        let length = needle.count
        switch kind {
        case .exact:
            return subject.count == length && equals(subject, at: 0)
        case .prefix:
            return subject.count >= length && equals(subject, at: 0)
        case .suffix:
            return subject.count >= length && equals(subject, at: subject.count - length)
        case .contain:
            // As in Pound, an empty -contain pattern matches everything.
            return length == 0 || contains(subject)
        case .posix, .pcre:
            preconditionFailure("regex kind in LiteralMatcher")
        }
    }

    func firstMatch(in subject: UnsafeRawBufferPointer) -> PatternMatch? {
        // Pound's literal kinds have zero sub-matches, not even `$0`.
        matches(subject) ? PatternMatch(groups: []) : nil
    }

    /// Compares the needle with `subject[offset ..< offset + needle.count]`;
    /// the caller guarantees the bounds.
    private func equals(_ subject: UnsafeRawBufferPointer, at offset: Int) -> Bool {
        if needle.isEmpty { return true }
        if !caseInsensitive {
            return needle.withUnsafeBytes {
                memcmp(subject.baseAddress! + offset, $0.baseAddress!, $0.count) == 0
            }
        }
        for index in 0..<needle.count where map[Int(subject[offset + index])] != needle[index] {
            return false
        }
        return true
    }

    /// Boyer–Moore–Horspool. Pound uses full Boyer–Moore here, but its
    /// good-suffix table is subtly wrong and misses periodic needles (e.g.
    /// "abab" in "aaaaabab"); we implement the documented "subject contains
    /// pattern" semantics instead of reproducing that bug.
    private func contains(_ subject: UnsafeRawBufferPointer) -> Bool {
        let length = needle.count
        guard subject.count >= length else { return false }
        let last = length - 1
        var start = 0
        while start <= subject.count - length {
            var index = last
            while map[Int(subject[start + index])] == needle[index] {
                if index == 0 { return true }
                index -= 1
            }
            start += skip[Int(map[Int(subject[start + last])])]
        }
        return false
    }
}
