/// A balancing algorithm instance for one group (normal or Emergency) of one service.
/// Called concurrently from every event loop, for every request without a session:
/// keep it lock-free and allocation-free.
///
/// Routing applies Pound's common rules around it: a group with a single backend
/// never reaches the balancer (that backend is used if usable, whatever its
/// priority), and a nil answer moves on to the next group.
public protocol Balancer: Sendable {
    /// The index of a usable backend, or nil when the group cannot serve.
    func choose(from candidates: BalancerCandidates) -> Int?
}
