import BuiltinModules
import PounceModuleAPI

/// What `RoutingTable.build` can be given besides the configuration.
public struct RoutingOptions: Sendable {
    /// Time for session TTLs and token buckets.
    public var clock: any RoutingClock
    /// Session types and balancers by name: the built-in ones and those `LoadModule`
    /// brought in.
    public var modules: ModuleRegistry
    /// The extension language (Lua) that `LuaMatch`, `LuaModify` and
    /// `LuaBackend` call; nil makes every such statement an error.
    public var scripts: (any ScriptEngine)?

    public init(clock: any RoutingClock = MonotonicClock(), modules: ModuleRegistry = RoutingOptions.builtinModules(),
                scripts: (any ScriptEngine)? = nil) {
        self.clock = clock
        self.modules = modules
        self.scripts = scripts
    }

    /// A registry holding only Pounce's built-in modules.
    public static func builtinModules() -> ModuleRegistry {
        let registry = ModuleRegistry()
        BuiltinModules.register(into: registry)
        return registry
    }
}
