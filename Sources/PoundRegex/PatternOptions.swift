/// Compile flags, mirroring Pound's `GENPAT_*` bits (same raw values, so
/// diagnostics and debug dumps can be compared with Pound's).
public struct PatternOptions: OptionSet, Sendable, Hashable {
    public let rawValue: Int

    public init(rawValue: Int) {
        self.rawValue = rawValue
    }

    /// `GENPAT_ICASE` (`-icase`, `IgnoreCase 1`). For the literal kinds the
    /// folding is ASCII-only, as in Pound; for regexes it is whatever the
    /// engine does in the C locale, which is also ASCII-only.
    public static let caseInsensitive = PatternOptions(rawValue: 0x1)

    /// `GENPAT_MULTILINE`: `^`/`$` also match at embedded newlines
    /// (`REG_NEWLINE` for POSIX, which additionally stops `.` and `[^...]`
    /// from matching a newline; `PCRE2_MULTILINE` for PCRE). Pound ignores
    /// it for the literal kinds, and so do we.
    public static let multiline = PatternOptions(rawValue: 0x2)
}
