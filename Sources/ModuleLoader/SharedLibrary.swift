#if canImport(Glibc)
import Glibc
#endif

/// A `dlopen`ed library. It is never closed: code and metadata of a Swift module
/// (type descriptors, conformances registered with the runtime) cannot be unloaded
/// safely, and a C module's tables are referenced for the process's life.
struct SharedLibrary {
    let path: String
    private let handle: UnsafeMutableRawPointer

    /// `RTLD_NOW` so a missing symbol fails here, with dlerror's text, rather than at
    /// the first request; `RTLD_LOCAL` so two modules' symbols cannot collide.
    static func open(_ path: String) throws(ModuleLoadError) -> SharedLibrary {
        _ = dlerror()
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            throw ModuleLoadError(path: path, reason: .cannotOpen(dlerror: lastError() ?? "dlopen failed"))
        }
        return SharedLibrary(path: path, handle: handle)
    }

    /// The address of an exported symbol of the library (or of its dependencies).
    func symbol(_ name: String) -> UnsafeMutableRawPointer? {
        _ = dlerror()
        let address = dlsym(handle, name)
        _ = dlerror()
        return address
    }

    private static func lastError() -> String? {
        dlerror().map { String(cString: $0) }
    }
}
