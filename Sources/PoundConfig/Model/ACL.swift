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
    /// How Pound names the file in messages: `DIRECTORY/NAME` for a relative name.
    public var displayName: String
    /// The statement that named the file: Pound's watcher messages start with it.
    public var range: LocusRange?

    public init(name: String, path: String, watch: Bool, displayName: String? = nil, range: LocusRange? = nil) {
        self.name = name
        self.path = path
        self.watch = watch
        self.displayName = displayName ?? path
        self.range = range
    }

    /// The start of Pound's watcher messages (`watcher_log`): `LOCUS: FILE`.
    public var messagePrefix: String {
        guard let range, range.begin.isSet else { return displayName }
        return "\(range): \(displayName)"
    }

    /// The locus of line `n` (`DIR/NAME:N`, no column), as Pound reports errors found
    /// while reading the file.
    public func locus(line n: Int) -> LocusRange {
        LocusRange(begin: LocusPoint(file: displayName, line: n, column: 0))
    }
}
