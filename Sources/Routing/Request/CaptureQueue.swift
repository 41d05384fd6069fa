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
