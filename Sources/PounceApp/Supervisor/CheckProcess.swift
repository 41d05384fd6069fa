import ProcessSupport
import RequestLog
#if canImport(Glibc)
import Glibc
#endif

/// `pounce -c` on the supervisor's own command line, run as a child: how a supervisor
/// checks a configuration, at start-up and on each reload, without loading a module or
/// a Lua source into itself (their code could start threads, which would take the
/// signals the supervisor waits for, or crash it). The child's messages, Pound's
/// diagnostics, are passed on to the supervisor's log.
enum CheckProcess {
    /// A check that takes longer than this (a Lua source that loops at load) fails.
    static let timeout = 60.0

    /// True when the configuration checks; every message the check printed has been logged.
    static func passes(_ context: StartupContext, directory: String, log: LogSink) -> Bool {
        var pipeEnds: [Int32] = [-1, -1]
        guard pipe(&pipeEnds) == 0 else {
            log.log(.error, "can't check the configuration: pipe: \(ProcessSupportError.errorText(errno))")
            return false
        }
        for fd in pipeEnds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        let null = open("/dev/null", O_WRONLY | O_CLOEXEC)
        defer { if null >= 0 { close(null) } }
        let pid: pid_t
        do {
            pid = try SelfSpawn.start(arguments: context.arguments + ["-c"], environment: nil, descriptors: [],
                                      directory: directory, standardOutput: null >= 0 ? null : nil,
                                      standardError: pipeEnds[1])
        } catch {
            close(pipeEnds[0])
            close(pipeEnds[1])
            log.log(.error, "can't check the configuration: \(error)")
            return false
        }
        close(pipeEnds[1])
        let output = LinkConnection(fd: pipeEnds[0])
        defer { output.close() }
        let deadline = LinkConnection.now() + timeout
        let prefix = context.program.name + ": "
        while let line = output.readLine(deadline: deadline) {
            let text = line.hasPrefix(prefix) ? String(line.dropFirst(prefix.count)) : String(line)
            log.log(text.contains(": warning: ") ? .warning : .error, text)
        }
        var status: Int32 = 0
        if LinkConnection.now() >= deadline {
            kill(pid, SIGKILL)
            log.log(.error, "the configuration check did not end within \(Int(timeout)) seconds")
            waitpid(pid, &status, 0)
            return false
        }
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return status == 0
    }
}
