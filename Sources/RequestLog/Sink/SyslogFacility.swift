#if canImport(Glibc)
import Glibc
#endif

/// A syslog facility (`LogFacility NAME`), as the `LOG_*` code openlog(3) takes.
public struct SyslogFacility: Sendable, Hashable {
    public let code: Int32

    public init(code: Int32) {
        self.code = code
    }

    /// `daemon`: Pound's default, and what a daemon falls back to when the configuration
    /// says `LogFacility -` (it has no terminal to write to).
    public static let daemon = SyslogFacility(code: LOG_DAEMON)

    /// The facility names Pound accepts (case-insensitively), as the configuration model
    /// stores them.
    public init?(name: String) {
        let table: [String: Int32] = [
            "auth": LOG_AUTH, "authpriv": LOG_AUTHPRIV, "cron": LOG_CRON, "daemon": LOG_DAEMON,
            "ftp": LOG_FTP, "kern": LOG_KERN, "lpr": LOG_LPR, "mail": LOG_MAIL, "news": LOG_NEWS,
            "syslog": LOG_SYSLOG, "user": LOG_USER, "uucp": LOG_UUCP,
            "local0": LOG_LOCAL0, "local1": LOG_LOCAL1, "local2": LOG_LOCAL2, "local3": LOG_LOCAL3,
            "local4": LOG_LOCAL4, "local5": LOG_LOCAL5, "local6": LOG_LOCAL6, "local7": LOG_LOCAL7,
        ]
        guard let code = table[name.lowercased()] else { return nil }
        self.code = code
    }
}
