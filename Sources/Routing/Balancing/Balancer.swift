/// One balancer group of a service at the moment of a choice: its backends in
/// configuration order, their `Priority`, and whether each may be chosen now (alive
/// and not disabled). The buffers are valid only during the call that receives them.
public struct BalancerCandidates {
    public let priorities: UnsafeBufferPointer<Int>
    public let usable: UnsafeBufferPointer<Bool>

    public init(priorities: UnsafeBufferPointer<Int>, usable: UnsafeBufferPointer<Bool>) {
        precondition(priorities.count == usable.count)
        self.priorities = priorities
        self.usable = usable
    }

    public var count: Int { priorities.count }
}

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

/// Makes the balancer of one group. Built-in: `random`, `iwrr`; a loadable balancer
/// module (a later Pounce extension) provides one of these under its `Balancer "name"`.
public protocol BalancerFactory: Sendable {
    /// `priorities` are those of the group's backends, in configuration order.
    func makeBalancer(priorities: [Int]) throws -> any Balancer
}
