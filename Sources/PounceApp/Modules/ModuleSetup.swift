import ModuleLoader
import PoundConfig
import PounceModuleAPI
import Routing

/// The session types and balancers of this process: the built-in ones, then those of
/// each `LoadModule` library in file order (a later one replaces a same-named type).
enum ModuleSetup {
    /// The registry, or nil after `report` was given the first load error, written
    /// like a configuration error: `FILE:LINE.COL-COL: LIBRARY: dlerror text`.
    static func registry(for config: PoundConfiguration, report: (String) -> Void) -> ModuleRegistry? {
        let registry = RoutingOptions.builtinModules()
        for module in config.modules {
            do {
                try ModuleLoader.load(path: module.path, into: registry)
            } catch {
                report(module.range.begin.isSet ? "\(module.range): \(error)" : "\(error)")
                return nil
            }
        }
        return registry
    }
}
