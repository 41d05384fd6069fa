/// The syslog priority of a watcher message, as Pound logs it.
public enum WatchLogPriority: Sendable, Hashable {
    case critical, error, warning, notice, info
}
