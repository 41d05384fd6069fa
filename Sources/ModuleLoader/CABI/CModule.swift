import CPounceModuleABI
import PounceModuleAPI

/// A C module's table (`pounce_module_v2` or `pounce_module_v1`): checked whole, then
/// each of its session types, client-affinity types and balancers registered behind a
/// Swift adapter.
enum CModule {
    /// A table from `pounce_module_c_entry_v2`: it must say version 2, the only layout
    /// with `affinity_types`.
    static func register(v2 table: UnsafePointer<pounce_module_v2>?, from path: String,
                         into registry: ModuleRegistry) throws(ModuleLoadError) {
        guard let module = table?.pointee else {
            throw invalid(path, "pounce_module_c_entry_v2 returned NULL")
        }
        guard module.abi_version == POUNCE_MODULE_C_ABI_VERSION else {
            throw versionMismatch(path, module.abi_version)
        }
        var types = try checked(path, sessionCount: module.session_type_count, sessions: module.session_types,
                                balancerCount: module.balancer_type_count, balancers: module.balancer_types)
        if module.affinity_type_count > 0 {
            guard let affinity = module.affinity_types else { throw invalid(path, "affinity_types is NULL") }
            for i in 0..<module.affinity_type_count {
                let type = affinity[i]
                guard let name = type.name.map({ String(cString: $0) }), !name.isEmpty else {
                    throw invalid(path, "affinity type \(i) has no name")
                }
                guard type.request_tag != nil else { throw invalid(path, "affinity type \"\(name)\" has no request_tag") }
                guard type.respond != nil else { throw invalid(path, "affinity type \"\(name)\" has no respond") }
                types.affinity.append(CAffinityType(module: path, name: name, table: type))
            }
        }
        try types.register(into: registry, from: path)
    }

    /// A table from `pounce_module_c_entry_v1`. Version 1 is its own number; 2 is what a
    /// v1 module recompiled against the version 2 header writes, since it fills
    /// `abi_version` with the macro, whose value changed while the v1 layout did not.
    /// Both describe the same structure, so both load.
    static func register(v1 table: UnsafePointer<pounce_module_v1>?, from path: String,
                         into registry: ModuleRegistry) throws(ModuleLoadError) {
        guard let module = table?.pointee else {
            throw invalid(path, "pounce_module_c_entry_v1 returned NULL")
        }
        guard module.abi_version == POUNCE_MODULE_C_ABI_VERSION_1 || module.abi_version == POUNCE_MODULE_C_ABI_VERSION else {
            throw versionMismatch(path, module.abi_version)
        }
        let types = try checked(path, sessionCount: module.session_type_count, sessions: module.session_types,
                                balancerCount: module.balancer_type_count, balancers: module.balancer_types)
        try types.register(into: registry, from: path)
    }

    /// The types of one table, every entry checked.
    private struct Types {
        var sessions: [CSessionType] = []
        var balancers: [CBalancerType] = []
        var affinity: [CAffinityType] = []

        /// Session and affinity types share one namespace (`Session ... Type`); two of one
        /// name in a table would silently replace each other, so that is refused too.
        /// Only then is anything registered, so a broken module leaves the registry as
        /// it was.
        func register(into registry: ModuleRegistry, from path: String) throws(ModuleLoadError) {
            var names = Set<String>()
            for name in sessions.map(\.name) + affinity.map(\.name) where !names.insert(name.lowercased()).inserted {
                throw CModule.invalid(path, "two session types named \"\(name)\"")
            }
            names.removeAll()
            for name in balancers.map(\.name) where !names.insert(name.lowercased()).inserted {
                throw CModule.invalid(path, "two balancers named \"\(name)\"")
            }

            for type in sessions {
                registry.registerSession(type.name) { settings in try CSessionModule(type: type, settings: settings) }
            }
            for type in affinity {
                registry.registerSession(type.name) { settings in try CAffinityModule(type: type, settings: settings) }
            }
            for type in balancers {
                registry.registerBalancer(type.name) { setup in try CBalancerModule(type: type, setup: setup) }
            }
        }
    }

    /// The version 1 part of a table, common to both layouts.
    private static func checked(_ path: String, sessionCount: Int, sessions: UnsafePointer<pounce_session_type>?,
                                balancerCount: Int, balancers: UnsafePointer<pounce_balancer_type>?)
        throws(ModuleLoadError) -> Types {
        var types = Types()
        if sessionCount > 0 {
            guard let sessions else { throw invalid(path, "session_types is NULL") }
            for i in 0..<sessionCount {
                let type = sessions[i]
                guard let name = type.name.map({ String(cString: $0) }), !name.isEmpty else {
                    throw invalid(path, "session type \(i) has no name")
                }
                guard type.request_key != nil else { throw invalid(path, "session type \"\(name)\" has no request_key") }
                types.sessions.append(CSessionType(module: path, name: name, table: type))
            }
        }
        if balancerCount > 0 {
            guard let balancers else { throw invalid(path, "balancer_types is NULL") }
            for i in 0..<balancerCount {
                let type = balancers[i]
                guard let name = type.name.map({ String(cString: $0) }), !name.isEmpty else {
                    throw invalid(path, "balancer \(i) has no name")
                }
                guard type.choose != nil else { throw invalid(path, "balancer \"\(name)\" has no choose") }
                types.balancers.append(CBalancerType(module: path, name: name, table: type))
            }
        }
        return types
    }

    private static func invalid(_ path: String, _ problem: String) -> ModuleLoadError {
        ModuleLoadError(path: path, reason: .invalidCModule(problem))
    }

    private static func versionMismatch(_ path: String, _ version: UInt32) -> ModuleLoadError {
        ModuleLoadError(path: path, reason: .cABIVersionMismatch(module: version, host: POUNCE_MODULE_C_ABI_VERSION))
    }
}

/// One entry of a C module's `session_types`. The table lives in the library, which
/// is never unloaded, and holds only function pointers and a constant name.
struct CSessionType: @unchecked Sendable {
    let module: String
    let name: String
    let table: pounce_session_type
}

/// One entry of a C module's `balancer_types`.
struct CBalancerType: @unchecked Sendable {
    let module: String
    let name: String
    let table: pounce_balancer_type
}

/// One entry of a C module's `affinity_types` (version 2).
struct CAffinityType: @unchecked Sendable {
    let module: String
    let name: String
    let table: pounce_affinity_type
}

/// Calls a C module's `create` with an error buffer (256 bytes); a NULL instance
/// becomes the module's message as a `ModuleInstanceError`.
func createCInstance(module: String, kind: ModuleInstanceError.Kind, type: String,
                     _ create: (UnsafeMutablePointer<CChar>?, Int) -> UnsafeMutableRawPointer?)
    throws(ModuleInstanceError) -> UnsafeMutableRawPointer {
    let (made, message) = withUnsafeTemporaryAllocation(of: CChar.self, capacity: 256) { error in
        error.initialize(repeating: 0)
        let made = create(error.baseAddress, error.count)
        guard made == nil, let base = error.baseAddress else { return (made, "") }
        // NUL-terminated, or as much as fits.
        base[error.count - 1] = 0
        return (made, String(cString: base))
    }
    guard let made else {
        throw ModuleInstanceError(module: module, kind: kind, type: type,
                                  message: message.isEmpty ? "create failed" : message)
    }
    return made
}
