import BuiltinModules
import PounceModuleAPI

/// What `RoutingTable.build` can be given besides the configuration.
public struct RoutingOptions: Sendable {
    /// Time for session TTLs and token buckets.
    public var clock: any RoutingClock
    /// Random numbers for `Balancer random`.
    public var random: any RandomSource
    /// Balancers of loadable modules, by the name used in `Balancer "name"`.
    public var balancerModules: [String: any BalancerFactory]
    /// Session types and balancers by name: the built-in ones and those `LoadModule`
    /// brought in.
    public var modules: ModuleRegistry

    public init(clock: any RoutingClock = MonotonicClock(), random: any RandomSource = SplitMixRandom(),
                balancerModules: [String: any BalancerFactory] = [:],
                modules: ModuleRegistry = RoutingOptions.builtinModules()) {
        self.clock = clock
        self.random = random
        self.balancerModules = balancerModules
        self.modules = modules
    }

    /// A registry holding only Pounce's built-in modules.
    public static func builtinModules() -> ModuleRegistry {
        let registry = ModuleRegistry()
        BuiltinModules.register(into: registry)
        return registry
    }
}
