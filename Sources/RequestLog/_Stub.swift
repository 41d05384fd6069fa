public enum LogPriority: Sendable { case emerg, alert, crit, err, warning, notice, info, debug }
public final class LogSink: Sendable { public static func console(programName: String) -> LogSink { LogSink() }
  public static func syslog(facility: String, tag: String) -> LogSink { LogSink() }
  public func log(_ p: LogPriority, _ m: String) {} }
