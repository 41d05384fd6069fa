import CPounceModuleABI
import PounceModuleAPI

/// A C module's table (`pounce_module_v1`): checked whole, then each of its session
/// types and balancers registered behind a Swift adapter.
enum CModule {
    static func register(_ table: UnsafePointer<pounce_module_v1>?, from path: String,
                         into registry: ModuleRegistry) throws(ModuleLoadError) {
        func invalid(_ problem: String) -> ModuleLoadError {
            ModuleLoadError(path: path, reason: .invalidCModule(problem))
        }
        guard let module = table?.pointee else {
            throw invalid("pounce_module_c_entry_v1 returned NULL")
        }
        guard module.abi_version == POUNCE_MODULE_C_ABI_VERSION else {
            throw ModuleLoadError(path: path, reason: .cABIVersionMismatch(module: module.abi_version,
                                                                           host: POUNCE_MODULE_C_ABI_VERSION))
        }

        // Everything is checked before anything is registered, so a broken module
        // leaves the registry as it was.
        var sessions: [CSessionType] = []
        if module.session_type_count > 0 {
            guard let types = module.session_types else { throw invalid("session_types is NULL") }
            for i in 0..<module.session_type_count {
                let type = types[i]
                guard let name = type.name.map({ String(cString: $0) }), !name.isEmpty else {
                    throw invalid("session type \(i) has no name")
                }
                guard type.request_key != nil else { throw invalid("session type \"\(name)\" has no request_key") }
                sessions.append(CSessionType(module: path, name: name, table: type))
            }
        }
        var balancers: [CBalancerType] = []
        if module.balancer_type_count > 0 {
            guard let types = module.balancer_types else { throw invalid("balancer_types is NULL") }
            for i in 0..<module.balancer_type_count {
                let type = types[i]
                guard let name = type.name.map({ String(cString: $0) }), !name.isEmpty else {
                    throw invalid("balancer \(i) has no name")
                }
                guard type.choose != nil else { throw invalid("balancer \"\(name)\" has no choose") }
                balancers.append(CBalancerType(module: path, name: name, table: type))
            }
        }

        for type in sessions {
            registry.registerSession(type.name) { settings in try CSessionModule(type: type, settings: settings) }
        }
        for type in balancers {
            registry.registerBalancer(type.name) { setup in try CBalancerModule(type: type, setup: setup) }
        }
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
