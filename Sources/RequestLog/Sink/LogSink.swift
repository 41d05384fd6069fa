#if canImport(Glibc)
import Glibc
#endif

/// Where diagnostics and request-log lines go: the console, syslog, or both.
///
/// Console lines are `PROGNAME: message\n`, info and debug on stdout, everything else
/// on stderr (Pound's `vlogmsg`). Each line is assembled first and written with one
/// write(2), unbuffered: lines from different threads never interleave (writes to a pipe
/// up to PIPE_BUF are atomic, and so are writes to a regular file), and nothing is lost
/// if the process is killed. Pound's test harness and log readers rely on both.
public final class LogSink: Sendable {
    private let prefix: [UInt8]?
    private let standardOutput: Int32
    private let standardError: Int32
    private let useSyslog: Bool

    private init(prefix: [UInt8]?, standardOutput: Int32, standardError: Int32, syslog: (SyslogFacility, String)?) {
        self.prefix = prefix
        self.standardOutput = standardOutput
        self.standardError = standardError
        self.useSyslog = syslog != nil
        if let (facility, tag) = syslog {
            Self.openSyslog(facility: facility, tag: tag)
        }
    }

    /// `LogFacility -`: lines on stdout/stderr prefixed with `programName: `. The file
    /// descriptors can be replaced (tests write through a pipe).
    public static func console(programName: String, standardOutput: Int32 = 1, standardError: Int32 = 2) -> LogSink {
        LogSink(prefix: Array((programName + ": ").utf8), standardOutput: standardOutput,
                standardError: standardError, syslog: nil)
    }

    /// syslog(3) with `facility`, tagged `tag` (`LogTag`, else the program name), with
    /// Pound's openlog options (LOG_CONS | LOG_NDELAY | LOG_PID). openlog is per process:
    /// the last sink created decides the tag and facility.
    public static func syslog(facility: SyslogFacility, tag: String) -> LogSink {
        LogSink(prefix: nil, standardOutput: 1, standardError: 2, syslog: (facility, tag))
    }

    /// A sink for `destination` (see `LogDestination.pound`).
    public convenience init(_ destination: LogDestination, programName: String, tag: String? = nil) {
        self.init(prefix: destination.console ? Array((programName + ": ").utf8) : nil,
                  standardOutput: 1, standardError: 2,
                  syslog: destination.syslog.map { ($0, tag ?? programName) })
    }

    /// Drops everything.
    public static let discard = LogSink(prefix: nil, standardOutput: -1, standardError: -1, syslog: nil)

    public func log(_ priority: LogPriority, _ message: String) {
        var message = message
        message.withUTF8 { log(priority, utf8: UnsafeRawBufferPointer($0)) }
    }

    /// Logs `message` given as UTF-8 bytes (no newline).
    public func log(_ priority: LogPriority, utf8 message: UnsafeRawBufferPointer) {
        if let prefix {
            writeLine(prefix, message, to: priority.goesToStandardOutput ? standardOutput : standardError)
        }
        if useSyslog {
            Self.sendToSyslog(priority, message)
        }
    }

    public func log(_ priority: LogPriority, utf8 message: [UInt8]) {
        message.withUnsafeBytes { log(priority, utf8: $0) }
    }

    private func writeLine(_ prefix: [UInt8], _ message: UnsafeRawBufferPointer, to fd: Int32) {
        guard fd >= 0 else { return }
        let total = prefix.count + message.count + 1
        withUnsafeTemporaryAllocation(byteCount: total, alignment: 1) { line in
            prefix.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: line[0..<prefix.count]).copyMemory(from: $0) }
            UnsafeMutableRawBufferPointer(rebasing: line[prefix.count..<(total - 1)]).copyMemory(from: message)
            line[total - 1] = UInt8(ascii: "\n")
            guard let base = line.baseAddress else { return }
            var offset = 0
            while offset < total {
                let n = Glibc.write(fd, base + offset, total - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return
                }
                if n == 0 { return }
                offset += n
            }
        }
    }

    private static func openSyslog(facility: SyslogFacility, tag: String) {
        // openlog keeps the pointer: the copy lives for the rest of the process.
        let ident = strdup(tag)
        openlog(ident, LOG_CONS | LOG_NDELAY | LOG_PID, facility.code)
    }

    private static func sendToSyslog(_ priority: LogPriority, _ message: UnsafeRawBufferPointer) {
        // syslog(3) is variadic and cannot be called from Swift; vsyslog with a "%s"
        // format and the NUL-terminated message is the same call.
        withUnsafeTemporaryAllocation(byteCount: message.count + 1, alignment: 1) { text in
            UnsafeMutableRawBufferPointer(rebasing: text[0..<message.count]).copyMemory(from: message)
            text[message.count] = 0
            guard let base = text.baseAddress else { return }
            let cString = base.assumingMemoryBound(to: CChar.self)
            withVaList([UnsafePointer(cString)]) { args in
                vsyslog(priority.rawValue, "%s", args)
            }
        }
    }
}
