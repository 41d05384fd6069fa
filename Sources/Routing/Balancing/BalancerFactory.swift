/// Makes the balancer of one group. Built-in: `random`, `iwrr`; a loadable balancer
/// module (a later Pounce extension) provides one of these under its `Balancer "name"`.
public protocol BalancerFactory: Sendable {
    /// `priorities` are those of the group's backends, in configuration order.
    func makeBalancer(priorities: [Int]) throws -> any Balancer
}
