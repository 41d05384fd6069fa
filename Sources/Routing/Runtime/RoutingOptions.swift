/// What `RoutingTable.build` can be given besides the configuration.
public struct RoutingOptions: Sendable {
    /// Time for session TTLs and token buckets.
    public var clock: any RoutingClock
    /// Random numbers for `Balancer random`.
    public var random: any RandomSource
    /// Balancers of loadable modules, by the name used in `Balancer "name"`.
    public var balancerModules: [String: any BalancerFactory]

    public init(clock: any RoutingClock = MonotonicClock(), random: any RandomSource = SplitMixRandom(),
                balancerModules: [String: any BalancerFactory] = [:]) {
        self.clock = clock
        self.random = random
        self.balancerModules = balancerModules
    }
}
