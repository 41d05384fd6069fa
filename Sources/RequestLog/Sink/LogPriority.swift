#if canImport(Glibc)
import Glibc
#endif

/// syslog(3) severities, which Pound uses for every message, request lines included
/// (those are `info`).
public enum LogPriority: Int32, Sendable, Hashable, CaseIterable {
    case emergency = 0
    case alert = 1
    case critical = 2
    case error = 3
    case warning = 4
    case notice = 5
    case info = 6
    case debug = 7

    /// Pound's console rule (`vlogmsg`): info and debug go to stdout, the rest to stderr.
    public var goesToStandardOutput: Bool {
        self == .info || self == .debug
    }
}
