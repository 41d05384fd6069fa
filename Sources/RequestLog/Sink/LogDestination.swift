/// Where Pound sends its messages at a given moment, from its command line and
/// configuration (`config_parse`, `parse_config_file`, `main` and `vlogmsg` in Pound).
///
/// * Until the configuration is read, messages go to the console.
/// * Then the facility is the configuration's `LogFacility` (default `daemon`; `-`
///   means the console), except that `-e` keeps the console whatever the file says.
/// * A daemon (no `-F`/`-e` and `Daemon` not 0) has no console: `LogFacility -` becomes
///   `daemon`.
/// * `-v` prints messages on the console too while starting (up to just before Pound
///   detaches), even when they also go to syslog.
/// * Debug messages are not filtered: on the console they are always printed (Pound never
///   calls setlogmask; syslog's own configuration filters the rest).
public struct LogDestination: Sendable, Hashable {
    public var console: Bool
    public var syslog: SyslogFacility?

    public init(console: Bool, syslog: SyslogFacility?) {
        self.console = console
        self.syslog = syslog
    }

    /// Before the configuration file is read.
    public static let startup = LogDestination(console: true, syslog: nil)

    /// - Parameters:
    ///   - configuredFacility: `LogFacility` from the configuration (nil: `-`).
    ///   - stderrOption: `-e`.
    ///   - daemon: the process detaches (`Daemon` on and neither `-F` nor `-e`).
    ///   - verbose: `-v`.
    ///   - starting: still starting up (before the point where Pound detaches).
    public static func pound(configuredFacility: String?, stderrOption: Bool, daemon: Bool,
                             verbose: Bool, starting: Bool) -> LogDestination {
        var facility: SyslogFacility?
        if !stderrOption {
            facility = configuredFacility.flatMap(SyslogFacility.init(name:))
        }
        if daemon && facility == nil {
            facility = .daemon
        }
        return LogDestination(console: facility == nil || (verbose && starting), syslog: facility)
    }
}
