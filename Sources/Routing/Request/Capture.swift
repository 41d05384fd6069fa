/// The subject and sub-match offsets of one successful pattern match: what `$N`
/// refers to.
public struct Capture: Sendable {
    /// The matched subject, as Pound copies it (`strdup`), e.g. the decoded path.
    public let subject: [UInt8]
    /// `groups[0]` is the whole match; empty for the literal pattern kinds, which
    /// report no sub-matches in Pound (not even `$0`).
    public let groups: [Range<Int>?]
    /// The condition's `-tag`.
    public let tag: String?

    public init(subject: [UInt8], groups: [Range<Int>?], tag: String?) {
        self.subject = subject
        self.groups = groups
        self.tag = tag
    }

    /// The bytes of group `n`: empty for a group that did not take part in the match
    /// (Pound copies zero bytes), nil when the group does not exist.
    ///
    /// Pound accepts `n == groupCount + 1` and then reads past its offsets array; that
    /// is treated as non-existing here.
    public func group(_ n: Int) -> ArraySlice<UInt8>? {
        guard n >= 0, n < groups.count else { return nil }
        guard let r = groups[n], r.lowerBound >= 0, r.upperBound <= subject.count else { return subject[0..<0] }
        return subject[r]
    }
}
