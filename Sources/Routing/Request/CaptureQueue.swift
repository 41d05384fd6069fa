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

/// Pound's submatch queue: the last eight successful matches of a request, newest
/// first. Every matching pattern condition pushes its match, whether its service is
/// finally chosen or not, and also under `Not`: `$N` always means the most recently
/// matched condition evaluated so far, and `$N(M)` the M-th before it.
public struct CaptureQueue: Sendable {
    /// Pound's SMQ_SIZE.
    public static let capacity = 8

    // Allocated on the first push so requests that match nothing allocate nothing.
    private var slots: [Capture?] = []
    private var current = 0

    public init() {}

    public var isEmpty: Bool { slots.isEmpty }

    mutating func push(_ capture: Capture) {
        if slots.isEmpty { slots = Array(repeating: nil, count: Self.capacity) }
        current = (current + 1) % Self.capacity
        slots[current] = capture
    }

    /// The `n`-th most recent match (0 = the last one), nil if that slot is empty.
    public func recent(_ n: Int) -> Capture? {
        guard n >= 0, n < Self.capacity, !slots.isEmpty else { return nil }
        return slots[(current + Self.capacity - n) % Self.capacity]
    }

    /// The position (for `recent`) of the newest match tagged `tag`.
    public func position<T: Collection<UInt8>>(ofTag tag: T) -> Int? {
        guard !slots.isEmpty else { return nil }
        for i in 0..<Self.capacity {
            if let t = recent(i)?.tag, t.utf8.elementsEqual(tag) { return i }
        }
        return nil
    }
}
