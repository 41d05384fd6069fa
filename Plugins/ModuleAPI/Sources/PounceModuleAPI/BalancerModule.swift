/// A balancing algorithm for one group of a service's backends (the normal ones, or
/// the Emergency ones). Pounce asks it only for requests without a session, or with a
/// session key not seen yet; a group with one backend never reaches it.
///
/// One instance per group, shared by every event loop: keep `choose` lock-free and
/// allocation-free.
public protocol BalancerModule: AnyObject, Sendable {
    /// The backend to use: an index `i` (into the group's backends, in configuration
    /// order) with `usable[i]` true, or nil when none will do. `key` is the request's
    /// session key when the service has sessions and the request carries one.
    func choose(usable: UnsafeBufferPointer<Bool>, key: String?) -> Int?

    /// When true, Pounce reports each request's start and end on the backend it went
    /// to (for least-connections balancing); false spares the calls.
    var countsRequests: Bool { get }
    func requestStarted(on backend: Int)
    func requestFinished(on backend: Int)
}

extension BalancerModule {
    public var countsRequests: Bool { false }
    public func requestStarted(on backend: Int) {}
    public func requestFinished(on backend: Int) {}
}
