import BuiltinModules
import PounceModuleAPI

/// What `RoutingTable.build` can be given besides the configuration.
public struct RoutingOptions: Sendable {
    /// Time for session TTLs and token buckets.
    public var clock: any RoutingClock
    /// Session types and balancers by name: the built-in ones and those `LoadModule`
    /// brought in.
    public var modules: ModuleRegistry

    public init(clock: any RoutingClock = MonotonicClock(), modules: ModuleRegistry = RoutingOptions.builtinModules()) {
        self.clock = clock
        self.modules = modules
    }

    /// A registry holding only Pounce's built-in modules.
    public static func builtinModules() -> ModuleRegistry {
        let registry = ModuleRegistry()
        BuiltinModules.register(into: registry)
        return registry
    }
}
