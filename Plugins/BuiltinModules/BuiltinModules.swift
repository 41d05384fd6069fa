import PounceModuleAPI

/// Registers Pounce's own session types and balancers, as a loaded module would.
public enum BuiltinModules {
    public static func register(into registry: ModuleRegistry) {
    }
}
