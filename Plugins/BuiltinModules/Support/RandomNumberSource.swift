/// Uniform random numbers for the balancers, shared by all event loops.
public protocol RandomNumberSource: Sendable {
    /// A uniformly distributed value in `0..<upperBound`; `upperBound` > 0.
    func next(below upperBound: UInt64) -> UInt64
}
