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
