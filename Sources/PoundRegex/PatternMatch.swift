/// The sub-match offsets of a successful match, the raw material for
/// Pound's `$N` / `$N(M)` back-references.
///
/// Offsets are byte offsets into the subject as it was passed in (UTF-8 for
/// `String` subjects), never character indices, because the expansion code
/// slices the original request bytes.
public struct PatternMatch: Sendable, Equatable {
    /// `groups[0]` is the whole match, `groups[n]` capture group `n`;
    /// `nil` marks a group that did not take part in the match.
    ///
    /// For regex kinds the count is always `groupCount + 1`, even when the
    /// trailing groups are unset. For the literal kinds it is empty, because
    /// Pound reports no sub-matches for them (not even `$0`).
    public let groups: [Range<Int>?]

    public init(groups: [Range<Int>?]) {
        self.groups = groups
    }

    /// The range of the whole match, if the kind reports one.
    public var range: Range<Int>? {
        groups.first ?? nil
    }

    /// Group `index`, or `nil` when it is unset or does not exist.
    public subscript(index: Int) -> Range<Int>? {
        groups.indices.contains(index) ? groups[index] : nil
    }
}
