/// An access list of CIDR ranges (`ACL`, `TrustedIP`, the `ACL` condition).
///
/// Pound keeps named ACLs in a global list and conditions point at them; here a
/// reference copies the value (ACLs are immutable after parsing) and keeps the name so
/// diagnostics and dumps can still say which list was meant. A list read with
/// `-filewatch` remembers its file so the runtime can reload it.
public struct ACL: Sendable {
    /// The name of a top-level `ACL "name"`; nil for inline and file-based lists.
    public var name: String?
    public var entries: [CIDR] = []
    /// The file the entries come from (`-file`/`-filewatch`), if any.
    public var file: WatchedFile?
    public var range: LocusRange = .unset

    public init(name: String? = nil) {
        self.name = name
    }

    /// True when `address` (network-order bytes, 4 or 16 of them) is in the list.
    public func contains(_ address: [UInt8]) -> Bool {
        entries.contains { $0.contains(address) }
    }
}

/// A file a configuration object was read from, and whether the runtime should watch it
/// for changes (`-filewatch`), as Pound's watcher does.
public struct WatchedFile: Sendable, Hashable {
    /// The name as written in the configuration.
    public var name: String
    /// The path to open (resolved against the include directory).
    public var path: String
    public var watch: Bool

    public init(name: String, path: String, watch: Bool) {
        self.name = name
        self.path = path
        self.watch = watch
    }
}
