/// Pound's `-W` features, which change how the configuration is read.
public struct Features: Sendable, Equatable {
    /// Resolve host names found in the configuration (`-W [no-]dns`).
    public var dns = true
    /// Base directory for relative file names; nil = the working directory
    /// (`-W include-dir=DIR`, `-W no-include-dir`).
    public var includeDirectory: String? = Features.defaultIncludeDirectory
    public var warnDeprecated = true
    public var closeExtraFileDescriptors = true

    public static let defaultIncludeDirectory = "/etc"
    public static let defaultConfigFile = "/etc/pound.cfg"
    public static let defaultPIDFile = "/var/run/pound.pid"

    public init() {}
}
