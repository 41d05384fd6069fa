/// How changes are noticed.
public enum WatchMode: Sendable, Hashable {
    /// inotify on each file's directory, polling for what inotify can't watch.
    case automatic
    /// Only `stat` every so many seconds (Pound's "periodic" build, `WatcherTTL`).
    case polling
}
