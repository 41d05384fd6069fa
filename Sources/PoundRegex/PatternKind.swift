/// The matching strategy of a pattern, one per Pound match-type option.
///
/// Pound's `-re` is deliberately absent: it means "whatever `RegexType`
/// says at this point of the configuration", which only the config layer
/// knows, so it resolves `-re` to `.posix` or `.pcre` before compiling.
public enum PatternKind: Sendable, Hashable, CaseIterable {
    /// `-posix`: POSIX extended regular expression (glibc `regcomp`).
    case posix
    /// `-pcre` / `-perl`: Perl-compatible regular expression (PCRE2).
    case pcre
    /// `-exact`: the whole subject equals the pattern.
    case exact
    /// `-beg`: the subject starts with the pattern.
    case prefix
    /// `-end`: the subject ends with the pattern.
    case suffix
    /// `-contain`: the subject contains the pattern.
    case contain

    /// True for the kinds that report sub-matches (and thus support `$N`
    /// back-references); Pound reports none at all, not even `$0`, for the
    /// literal kinds.
    public var isRegex: Bool {
        switch self {
        case .posix, .pcre: return true
        case .exact, .prefix, .suffix, .contain: return false
        }
    }
}
