import PounceModuleAPI

/// Loads module libraries named by `LoadModule` into a registry.
public enum ModuleLoader {
}
