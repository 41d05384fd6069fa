/// The version of this API, checked when a module is loaded: a module built against
/// another version is refused with a clear error instead of crashing later (Swift
/// has no stable ABI on Linux, so any change to these types is a new version).
///
/// A Swift module exports it as `pounce_module_api_version`:
///
///     @_cdecl("pounce_module_api_version")
///     public func pounceModuleAPIVersion() -> Int32 { ModuleAPIVersion.current }
///
/// `current` is inlined into the module when it is compiled, so the module reports
/// the version it was built against, not the one of the library it is loaded with.
///
/// 1: session types (keys for Pounce's table) and balancers.
/// 2: client-affinity session types (`ClientAffinityModule`: backend tags, header edits
///    of the request and the response), `CookieAttributes` in `SessionSettings`,
///    `ModuleRequest.headers(_:)`. Modules built against 1 are refused: rebuild them.
public enum ModuleAPIVersion {
    @inlinable public static var current: Int32 { 2 }
}
