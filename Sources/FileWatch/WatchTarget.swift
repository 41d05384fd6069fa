/// One file to keep loaded: where it is, how messages about it start, and what to do
/// when it changes or goes away (Pound's `struct watcher` with its read/clear hooks).
public struct WatchTarget: Sendable {
    /// The file to watch (absolute, or relative to the working directory).
    public var path: String
    /// What every message about the file starts with (`LOCUS: FILE` in Pound).
    public var messagePrefix: String
    /// Reads the file again and puts its content in place. Throws when the file can't
    /// be read; the error's description goes into the "can't open file" message.
    public var reload: @Sendable () throws -> Void
    /// Empties the content (the file is gone, or could not be read).
    public var clear: @Sendable () -> Void

    public init(path: String, messagePrefix: String, reload: @escaping @Sendable () throws -> Void,
                clear: @escaping @Sendable () -> Void) {
        self.path = path
        self.messagePrefix = messagePrefix
        self.reload = reload
        self.clear = clear
    }
}
