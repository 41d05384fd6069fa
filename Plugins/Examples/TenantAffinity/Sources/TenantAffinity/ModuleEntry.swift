import PounceModuleAPI

// The two functions pounce looks up after dlopen. It calls the version first and
// refuses the module if it was built against another module API.

@_cdecl("pounce_module_api_version")
public func pounceModuleAPIVersion() -> Int32 {
    ModuleAPIVersion.current
}

@_cdecl("pounce_module_register")
public func pounceModuleRegister(_ registry: UnsafeMutableRawPointer) {
    ModuleRegistry.fromEntryArgument(registry).registerSession("tenant") { TenantSession($0) }
}
