import CPounceModuleABI
import PounceModuleAPI

/// Loads module libraries named by `LoadModule` into a registry.
///
/// A library is a Swift module when it exports `pounce_module_register` (and
/// `pounce_module_api_version`, checked first), a C module when it exports
/// `pounce_module_c_entry_v2` or `pounce_module_c_entry_v1` (v2 preferred, so one
/// library can serve an older pounce through v1 and this one through v2). Libraries
/// stay loaded for the process's life.
public enum ModuleLoader {
    private typealias APIVersionFunction = @convention(c) () -> Int32
    private typealias RegisterFunction = @convention(c) (UnsafeMutableRawPointer) -> Void

    /// Opens the library at `path` and registers its session types and balancers in
    /// `registry` (replacing same-named ones registered before).
    public static func load(path: String, into registry: ModuleRegistry) throws(ModuleLoadError) {
        let library = try SharedLibrary.open(path)
        if let register = library.symbol("pounce_module_register") {
            guard let versionSymbol = library.symbol("pounce_module_api_version") else {
                throw ModuleLoadError(path: path, reason: .missingAPIVersion)
            }
            let version = unsafeBitCast(versionSymbol, to: APIVersionFunction.self)()
            // Swift has no stable ABI on Linux: a module built against other API types
            // would crash at its first call, so it is refused before it can register.
            guard version == ModuleAPIVersion.current else {
                throw ModuleLoadError(path: path,
                                      reason: .apiVersionMismatch(module: version, host: ModuleAPIVersion.current))
            }
            unsafeBitCast(register, to: RegisterFunction.self)(registry.entryArgument)
            return
        }
        if let entry = library.symbol("pounce_module_c_entry_v2") {
            let table = unsafeBitCast(entry, to: pounce_module_c_entry_v2_fn.self)()
            try CModule.register(v2: table, from: path, into: registry)
            return
        }
        if let entry = library.symbol("pounce_module_c_entry_v1") {
            let table = unsafeBitCast(entry, to: pounce_module_c_entry_v1_fn.self)()
            try CModule.register(v1: table, from: path, into: registry)
            return
        }
        throw ModuleLoadError(path: path, reason: .notAModule)
    }
}
