/// `LoadModule "path"` (a Pounce extension): a session or balancer module library
/// loaded at start-up, before the routing tables that use its types are built.
public struct ModuleLibrary: Sendable, Hashable {
    /// The default of `ModuleDirectory`.
    public static let defaultDirectory = "/usr/lib/pounce/modules"

    /// The name as written.
    public var name: String
    /// The file to open: `name` itself when absolute, resolved against the include
    /// directory when relative, or found in the module directory when it is a bare
    /// name (no `/`).
    public var path: String
    /// Where the name is written, for the messages of a module that fails to load.
    public var range: LocusRange

    public init(name: String, path: String, range: LocusRange = .unset) {
        self.name = name
        self.path = path
        self.range = range
    }
}
