import PoundConfig
import ProcessSupport
#if canImport(Glibc)
import Glibc
#endif

/// One worker as the supervisor sees it: its process, the link to it, the pipe it
/// says "ready" on, and what it was started with.
final class WorkerProcess {
    let pid: pid_t
    let generation: Int
    let config: PoundConfiguration
    let link: WorkerLink
    /// When it said "ready" (monotonic seconds), nil before.
    private(set) var servedSince: Double?
    /// Open until the worker has said "ready" (or ended without).
    private(set) var readyPipe: Int32?
    private(set) var isReady = false

    /// Starts a worker on `sockets` (the listeners of `config`, in order).
    init(generation: Int, config: PoundConfiguration, arguments: [String], directory: String, sockets: [Int32],
         control: Int32?, sessions: Int32?) throws(ProcessSupportError) {
        var pair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
            throw ProcessSupportError("socketpair: \(ProcessSupportError.errorText(errno))")
        }
        var ready: [Int32] = [-1, -1]
        guard pipe(&ready) == 0, fcntl(ready[0], F_SETFD, FD_CLOEXEC) == 0, fcntl(ready[1], F_SETFD, FD_CLOEXEC) == 0 else {
            close(pair[0]); close(pair[1])
            throw ProcessSupportError("pipe: \(ProcessSupportError.errorText(errno))")
        }
        // The worker finds its descriptors at 3, 4, ... in this order.
        var passed = sockets
        let control3 = control.map { _ in Int32(3 + passed.count) }
        if let control { passed.append(control) }
        let link3 = Int32(3 + passed.count)
        passed.append(pair[1])
        let ready3 = Int32(3 + passed.count)
        passed.append(ready[1])
        let sessions3 = sessions.map { _ in Int32(3 + passed.count) }
        if let sessions { passed.append(sessions) }
        let handoff = WorkerHandoff(generation: generation, parent: getpid(),
                                    listeners: sockets.indices.map { Int32(3 + $0) }, control: control3,
                                    link: link3, ready: ready3, sessions: sessions3)
        let pid: pid_t
        do {
            pid = try SelfSpawn.start(arguments: arguments, environment: (WorkerHandoff.environmentName, handoff.encoded),
                                        descriptors: passed, directory: directory)
        } catch {
            for fd in [pair[0], pair[1], ready[0], ready[1]] { close(fd) }
            throw error
        }
        close(pair[1])
        close(ready[1])
        self.pid = pid
        self.generation = generation
        self.config = config
        link = WorkerLink(connection: LinkConnection(fd: pair[0]))
        readyPipe = ready[0]
    }

    /// Reads the ready pipe once it is readable: true when the worker said "ready"; the
    /// pipe is closed either way (at end of file the worker died before it was ready).
    func takeReadiness() -> Bool {
        guard let fd = readyPipe else { return isReady }
        var buffer = [UInt8](repeating: 0, count: 16)
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 && (errno == EINTR || errno == EAGAIN) { return false }
        close(fd)
        readyPipe = nil
        isReady = n > 0 && buffer.starts(with: Array("ready".utf8))
        if isReady { servedSince = LinkConnection.now() }
        return isReady
    }

    func signal(_ signal: Int32) { _ = kill(pid, signal) }

    /// The exit status once ended (reaped now), nil while it runs.
    func reap() -> Int32? {
        var status: Int32 = 0
        let rc = waitpid(pid, &status, WNOHANG)
        guard rc == pid else { return nil }
        if let fd = readyPipe { close(fd); readyPipe = nil }
        link.close()
        return status
    }

    /// "exit status 3" / "signal 9" for the log.
    static func describe(_ status: Int32) -> String {
        status & 0x7f == 0 ? "exit status \((status >> 8) & 0xff)" : "signal \(status & 0x7f)"
    }
}
