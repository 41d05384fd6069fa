/// Why `LoadModule` could not load a library. The description names the file first,
/// as Pounce prints it after the statement's location.
public struct ModuleLoadError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// `dlopen` failed; `dlerror()`'s text (a missing file, a missing dependency,
        /// an undefined symbol...).
        case cannotOpen(dlerror: String)
        /// A Swift module built against another version of the module API.
        case apiVersionMismatch(module: Int32, host: Int32)
        /// `pounce_module_register` without `pounce_module_api_version`: the version
        /// cannot be checked, so the module is not trusted.
        case missingAPIVersion
        /// A C module whose table has another `abi_version`.
        case cABIVersionMismatch(module: UInt32, host: UInt32)
        /// A C module whose table is unusable (NULL, a type without a name or a
        /// required function, two types of one name).
        case invalidCModule(String)
        /// No entry point is exported (Swift, C v2 or C v1).
        case notAModule
    }

    /// The library as it was given to `dlopen`.
    public let path: String
    public let reason: Reason

    public init(path: String, reason: Reason) {
        self.path = path
        self.reason = reason
    }

    public var description: String {
        switch reason {
        case .cannotOpen(let text):
            // dlerror() usually starts with the file name already.
            text.hasPrefix(path + ":") ? text : "\(path): \(text)"
        case .apiVersionMismatch(let module, let host):
            // The only fix is on the module's side; say which one.
            "\(path): module built against module API version \(module), this pounce has \(host); "
                + "rebuild it against this pounce's PounceModuleAPI"
        case .missingAPIVersion:
            "\(path): exports pounce_module_register but not pounce_module_api_version"
        case .cABIVersionMismatch(let module, let host):
            "\(path): module built against C module ABI version \(module), this pounce has \(host)"
        case .invalidCModule(let problem):
            "\(path): invalid C module: \(problem)"
        case .notAModule:
            "\(path): not a pounce module (no pounce_module_register, pounce_module_c_entry_v2 or pounce_module_c_entry_v1)"
        }
    }
}
