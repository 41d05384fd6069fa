import PoundConfig

/// A `-filewatch` file the routing table took content from, with the means to read it
/// again: the file watcher calls `reload` when it changes and `clear` when it is gone.
public struct WatchedFileContent: Sendable {
    /// The file, as the configuration named it (`messagePrefix` starts Pound's messages).
    public let file: WatchedFile
    private let load: @Sendable (_ report: (Diagnostic) -> Void) -> Result<Void, SystemError>
    private let empty: @Sendable () -> Void

    init(file: WatchedFile, load: @escaping @Sendable (_ report: (Diagnostic) -> Void) -> Result<Void, SystemError>,
         empty: @escaping @Sendable () -> Void) {
        self.file = file
        self.load = load
        self.empty = empty
    }

    /// Reads the file with the rules the configuration parser applies and puts the
    /// result in place. Lines that don't parse go to `report` and are left out; the
    /// content is unchanged when the file can't be read (the error is thrown).
    public func reload(report: (Diagnostic) -> Void) throws {
        try load(report).get()
    }

    /// Empties the content: a missing file is an empty list.
    public func clear() {
        empty()
    }
}
