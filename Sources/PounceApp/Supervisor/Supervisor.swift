import PoundConfig
import ProcessSupport
import ProxyCore
import RequestLog
import Routing
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Pound's `Supervisor`, with HAProxy's master-worker reload: this process owns the
/// listening sockets, the control socket, the PID file and the VRRP instances, and a
/// worker (this program again, see `WorkerRunner`) serves on inherited copies of the
/// sockets. The sockets never close while the supervisor lives, so a connection that
/// arrives while no worker accepts waits in the kernel's queue instead of being
/// refused:
/// - a worker that dies is replaced at once (`RestartBackoff` slows a crash loop, and
///   only a worker that cannot be kept running puts VRRP into FAULT);
/// - SIGUSR2 reloads: the new configuration is checked, listeners it adds are bound,
///   the running worker's sticky sessions are fetched, and a new worker starts with
///   them; once it is ready the old one gets SIGHUP and drains within `Grace`. A
///   configuration that does not load, or a worker that does not get ready, leaves
///   the running one serving;
/// - SIGHUP/SIGINT stop gracefully, SIGTERM/SIGQUIT at once, as in Pound.
final class Supervisor {
    /// Pound supervises only when it detaches; Pounce also in the foreground (`-F`,
    /// as under systemd), so both run the same way. `-e` alone (Pound's way of running
    /// its test suite: no detaching, log on stderr) stays one process.
    static func supervises(_ context: StartupContext) -> Bool {
        context.config.supervisor && (context.daemon || context.options.foregroundFlag)
    }

    private let context: StartupContext
    private let signals: SignalFeed
    private let log: LogSink
    private let sockets: ListenerSockets
    private let arguments: [String]
    private let directory: String
    private let notify = SystemdNotify.fromEnvironment()
    /// The configuration the serving worker runs (the last one that started).
    private var config: PoundConfiguration
    private var control: (path: String, fd: Int32)?
    private var current: WorkerProcess?
    private var starting: WorkerProcess?
    /// Set while `starting` is a reload: what replaces `config` and `control` once it is ready.
    private var pendingReload: (config: PoundConfiguration, control: (path: String, fd: Int32)?)?
    private var reloadQueued = false
    private var draining: [WorkerProcess] = []
    private var generation = 0
    private var backoff = RestartBackoff()
    private var restartAt: Double?
    /// When the serving worker was found dead (monotonic seconds), until one serves again.
    private var lostAt: Double?
    /// When the VRRP state goes to the serving worker next (monotonic seconds).
    private var nextFailoverReport = 0.0
    /// While in a crash loop's fault: when the serving worker will have stayed up long enough.
    private var faultClearsAt: Double?
    private var highAvailability: HighAvailability?
    /// The serving worker's link, for VRRP's checks on their own thread.
    private let health: SupervisedHealth

    private init(context: StartupContext, signals: SignalFeed, log: LogSink, sockets: ListenerSockets,
                 control: (path: String, fd: Int32)?, directory: String) {
        self.context = context
        self.signals = signals
        self.log = log
        self.sockets = sockets
        self.config = context.config
        self.control = control
        health = SupervisedHealth(config: context.config)
        // The command line again: a worker never detaches nor writes the PID file, whatever
        // it says.
        arguments = context.arguments
        self.directory = directory
    }

    static func run(_ context: StartupContext) -> Int32 {
        let config = context.config
        let signals: SignalFeed
        let startupLog = context.sink(starting: true)
        do {
            signals = try SignalFeed()
        } catch {
            return context.abend("\(error)", log: startupLog)
        }
        let directory = startDirectory()
        // The file's diagnostics, from the check, in Pound's words; a failure is the start's.
        guard CheckProcess.passes(context, directory: directory, log: startupLog) else { return 1 }
        let privileges: Privileges
        do {
            privileges = try Privileges.resolve(user: config.user, group: config.group)
        } catch {
            return context.abend("\(error)", log: startupLog)
        }
        startupLog.log(.notice, "starting...")
        let sockets = ListenerSockets()
        let control: Int32?
        do {
            _ = try sockets.sockets(for: config, log: startupLog)
            control = try ProxyRunner.openControlSocket(config, privileges: privileges)
        } catch {
            return context.abend(error.message, at: error.range, log: startupLog)
        }
        if context.daemon {
            do { try Daemon.detach() } catch { return context.abend("\(error)", log: startupLog) }
        }
        let log = context.sink(starting: false)
        let pidFile = ProxyRunner.writePIDFile(context, log: log)
        let supervisor = Supervisor(context: context, signals: signals, log: log, sockets: sockets,
                                    control: zip(config.control?.path, control), directory: directory)
        let status = supervisor.serve()
        try? pidFile?.remove()
        if let path = supervisor.control?.path { unlink(path) }
        return status
    }

    // MARK: Running

    private func serve() -> Int32 {
        // The first worker must come up, as a single process must: its failure is the start's.
        guard startWorker(config: config, control: control?.fd, sessions: nil) else {
            return context.abend("no worker could be started", log: log)
        }
        var announced = false
        while true {
            if announced && reloadQueued && starting == nil {
                reloadQueued = false
                reload()
            }
            var wakeUp = restartAt
            if highAvailability != nil { wakeUp = min(wakeUp ?? nextFailoverReport, nextFailoverReport) }
            if let clear = faultClearsAt { wakeUp = min(wakeUp ?? clear, clear) }
            let timeout = wakeUp.map { max($0 - LinkConnection.now(), 0) }
            switch signals.wait(readable: starting?.readyPipe.map { [$0] } ?? [], timeout: timeout) {
            case .readable:
                if let worker = starting, worker.takeReadiness() { promote(worker) }
            case .signal(SIGCHLD):
                if !announced, let worker = starting, let status = worker.reap() {
                    return context.abend("the worker ended with \(WorkerProcess.describe(status)) before it was ready",
                                         log: log)
                }
                reapWorkers()
            case .signal(SIGUSR2):
                reloadQueued = true
            case .signal(let s):
                if let stop = ShutdownSignal(signal: s) { return shutdown(stop) }
            case .timeout:
                break
            }
            if !announced && current != nil {
                announced = true
                if let failure = announce() { return failure }
            }
            if let at = restartAt, LinkConnection.now() >= at {
                restartAt = nil
                if !startWorker(config: config, control: control?.fd, sessions: nil) { scheduleRestart(after: nil) }
            }
            if LinkConnection.now() >= nextFailoverReport { reportFailover() }
            if let clear = faultClearsAt, LinkConnection.now() >= clear, current != nil {
                faultClearsAt = nil
                highAvailability?.setWorkerFault(false)
            }
        }
    }

    /// Tells the serving worker the VRRP instances' state, for its control API, status page
    /// and metrics: once a second, and as soon as a worker serves.
    private func reportFailover() {
        nextFailoverReport = LinkConnection.now() + 1
        guard let highAvailability, let worker = current else { return }
        let text = highAvailability.statuses.map(\.text).joined(separator: "\n")
        _ = worker.link.ask(.failover(text), timeout: 1)
    }

    /// The first worker serves: VRRP starts (the floating address is claimed only by a
    /// proxy that already serves) and systemd hears that the service is up. The exit
    /// status when VRRP cannot start.
    private func announce() -> Int32? {
        highAvailability = HighAvailability(config: config, health: health, log: log)
        do {
            try highAvailability?.start()
        } catch {
            _ = shutdown(.immediate)
            return context.abend(error.message, at: error.range, log: log)
        }
        do { try notify?.ready() } catch { log.log(.warning, "\(error)") }
        return nil
    }

    /// Starts the next generation's worker as `starting`; false (logged) when it could not.
    @discardableResult
    private func startWorker(config: PoundConfiguration, control: Int32?, sessions: Int32?) -> Bool {
        let listenerSockets: [Int32]
        do {
            listenerSockets = try sockets.sockets(for: config, log: log)
        } catch {
            log.log(.error, "\(error.range): \(error.message)")
            return false
        }
        generation += 1
        do {
            starting = try WorkerProcess(generation: generation, config: config, arguments: arguments,
                                         directory: directory, sockets: listenerSockets, control: control,
                                         sessions: sessions)
            return true
        } catch {
            log.log(.error, "\(error)")
            return false
        }
    }

    /// `worker` is ready: the one before it stops accepting, this one starts, and the old
    /// one drains. The handover leaves the sockets unattended for two questions on the
    /// links; connections wait in the kernel's queue meanwhile.
    private func promote(_ worker: WorkerProcess) {
        starting = nil
        _ = current?.link.ask(.accepting(false), timeout: 5)
        guard worker.link.word(.accepting(true), timeout: 5) == "yes" else {
            log.log(.error, "worker \(worker.pid) (generation \(worker.generation)) did not start accepting; stopped")
            worker.signal(SIGKILL)
            draining.append(worker)
            if let old = current {
                _ = old.link.ask(.accepting(true), timeout: 5)
            }
            if pendingReload != nil { abandonReload() }
            if current == nil { scheduleRestart(after: worker) }
            return
        }
        if let old = current {
            old.signal(SIGHUP)
            draining.append(old)
        }
        current = worker
        health.link.withLock { $0 = worker.link }
        nextFailoverReport = 0
        // A crash loop's fault ends once a worker has stayed up, not as soon as one serves:
        // a request that kills every worker would otherwise flap the address.
        if backoff.isFaulty { faultClearsAt = LinkConnection.now() + backoff.stableAfter }
        if let reload = pendingReload {
            pendingReload = nil
            let oldControl = control
            config = reload.config
            control = reload.control
            sockets.keepOnly(config)
            if let old = oldControl, old.fd != control?.fd {
                close(old.fd)
                if old.path != control?.path { unlink(old.path) }
            }
            log.log(.notice, "configuration reloaded: worker \(worker.pid) (generation \(worker.generation)) serves")
            tell("READY=1\nSTATUS=Serving (generation \(worker.generation))\n")
        } else if let lost = lostAt {
            let ms = Int(((LinkConnection.now() - lost) * 1000).rounded())
            log.log(.notice, "worker \(worker.pid) (generation \(worker.generation)) serves, \(ms) ms after the last one ended")
        }
        lostAt = nil
    }

    private func reapWorkers() {
        draining.removeAll { worker in
            guard let status = worker.reap() else { return false }
            log.log(.info, "worker \(worker.pid) (generation \(worker.generation)) ended after draining: "
                    + WorkerProcess.describe(status))
            return true
        }
        if let worker = starting, let status = worker.reap() {
            starting = nil
            let what = WorkerProcess.describe(status)
            if pendingReload != nil {
                log.log(.error, "reload failed: the new worker ended with \(what) before it was ready; "
                        + "generation \(current?.generation ?? 0) keeps serving")
                abandonReload()
                if current == nil { scheduleRestart(after: worker) }
            } else {
                log.log(.error, "worker \(worker.pid) ended with \(what) before it was ready")
                scheduleRestart(after: worker)
            }
        }
        if let worker = current, let status = worker.reap() {
            current = nil
            lostAt = LinkConnection.now()
            health.link.withLock { $0 = nil }
            log.log(.error, "worker \(worker.pid) (generation \(worker.generation)) ended with "
                    + "\(WorkerProcess.describe(status)); starting another")
            if starting == nil { scheduleRestart(after: worker) }
        }
    }

    /// The next worker after `dead` died (nil: starting one failed), when the backoff says.
    private func scheduleRestart(after dead: WorkerProcess?) {
        let now = LinkConnection.now()
        let delay = backoff.workerDied(servedSince: dead?.servedSince, now: now)
        faultClearsAt = nil
        if backoff.isFaulty {
            log.log(.error, "\(backoff.consecutiveCrashes) workers ended in a row; next start in \(delay) s")
            highAvailability?.setWorkerFault(true)
        }
        if delay == 0 {
            if !startWorker(config: config, control: control?.fd, sessions: nil) { scheduleRestart(after: nil) }
        } else {
            restartAt = now + delay
        }
    }

    // MARK: Reload

    private func reload() {
        tell("RELOADING=1\nSTATUS=Reloading\nMONOTONIC_USEC=\(Self.monotonicMicroseconds())\n")
        log.log(.notice, "reloading \(context.options.configFile)")
        guard CheckProcess.passes(context, directory: directory, log: log), let new = readConfiguration() else {
            log.log(.error, "reload failed: the configuration did not load; generation \(current?.generation ?? 0) "
                    + "keeps serving")
            tell("READY=1\n")
            return
        }
        for note in Self.changesNeedingRestart(from: config, to: new) {
            log.log(.warning, "reload: \(note) takes effect only when pounce is restarted")
        }
        var newControl = control
        if new.control?.path != control?.path {
            newControl = nil
            if new.control != nil {
                do {
                    let privileges = try Privileges.resolve(user: new.user, group: new.group)
                    if let fd = try ProxyRunner.openControlSocket(new, privileges: privileges), let path = new.control?.path {
                        newControl = (path, fd)
                    }
                } catch {
                    log.log(.error, "reload failed: \(error); generation \(current?.generation ?? 0) keeps serving")
                    tell("READY=1\n")
                    return
                }
            }
        }
        let sessions = current.flatMap { worker in
            worker.link.fetch(.sessions, timeout: 5).flatMap(Self.anonymousFile)
        }
        defer { if let sessions { close(sessions) } }
        pendingReload = (new, newControl)
        if !startWorker(config: new, control: newControl?.fd, sessions: sessions) {
            log.log(.error, "reload failed; generation \(current?.generation ?? 0) keeps serving")
            abandonReload()
        }
    }

    /// The pending reload will not happen: the control socket it opened (if it needed a new
    /// one) and the listeners only it uses are closed, and systemd hears the reload is over.
    private func abandonReload() {
        if let c = pendingReload?.control, c.fd != control?.fd { close(c.fd) }
        pendingReload = nil
        sockets.keepOnly(config)
        tell("READY=1\n")
    }

    /// An sd_notify message, when systemd asked for them; a failure to send is only logged.
    private func tell(_ message: String) {
        do { try notify?.send(message) } catch { log.log(.warning, "\(error)") }
    }

    /// The file, read again for its listeners (the check has shown its diagnostics), where
    /// pounce started, as at start-up: it and the files it names may be relative, and a
    /// daemon's supervisor runs in `/`. The working directory is the whole process's: a
    /// VRRP script started during these milliseconds would start there too.
    private func readConfiguration() -> PoundConfiguration? {
        let home = context.daemon ? open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1
        if home >= 0 { _ = chdir(directory) }
        defer {
            if home >= 0 {
                _ = fchdir(home)
                close(home)
            }
        }
        return ConfigurationCheck.loadFile(options: context.options, program: context.program, report: { _ in })
    }

    /// What the supervisor itself set up at start and a reload does not redo.
    private static func changesNeedingRestart(from old: PoundConfiguration, to new: PoundConfiguration) -> [String] {
        var notes: [String] = []
        if old.vrrp != new.vrrp { notes.append("a change of the VRRP blocks") }
        if old.supervisor != new.supervisor { notes.append("Supervisor") }
        if old.daemon != new.daemon { notes.append("Daemon") }
        if old.pidFile != new.pidFile { notes.append("PIDFile") }
        if old.logFacility != new.logFacility || old.logTag != new.logTag { notes.append("the supervisor's LogFacility") }
        return notes
    }

    /// `bytes` in an unlinked temporary file, positioned at its start, for the worker to read.
    private static func anonymousFile(_ bytes: [UInt8]) -> Int32? {
        var template = Array("/tmp/pounce-sessions.XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.map { mkstemp($0) } ?? -1 }
        guard fd >= 0 else { return nil }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        // Only the descriptor is passed on: the name goes at once.
        unlink(String(cString: template))
        let written = LinkConnection(fd: fd).write(bytes)
        guard written, lseek(fd, 0, SEEK_SET) == 0 else {
            close(fd)
            return nil
        }
        return fd
    }

    private static func monotonicMicroseconds() -> UInt64 {
        UInt64(LinkConnection.now() * 1_000_000)
    }

    // MARK: Stopping

    private func shutdown(_ stop: ShutdownSignal) -> Int32 {
        log.log(.notice, "shutting down...")
        do { try notify?.stopping() } catch { log.log(.warning, "\(error)") }
        // Give the address away first: the peer takes over within its skew time while the
        // worker finishes what it has.
        highAvailability?.stop()
        restartAt = nil
        var workers = draining + [current, starting].compactMap { $0 }
        for worker in workers { worker.signal(stop == .graceful ? SIGHUP : SIGTERM) }
        let deadline = LinkConnection.now() + Double(stop == .graceful ? config.grace + 5 : 5)
        while !workers.isEmpty, LinkConnection.now() < deadline {
            workers.removeAll { $0.reap() != nil }
            if workers.isEmpty { break }
            _ = signals.wait(timeout: min(0.1, max(deadline - LinkConnection.now(), 0)))
        }
        for worker in workers {
            worker.signal(SIGKILL)
            var status: Int32 = 0
            waitpid(worker.pid, &status, 0)
        }
        return 0
    }

    /// The working directory pounce was started in: a daemon's supervisor moves to `/`,
    /// its workers run where a single process would.
    private static func startDirectory() -> String {
        guard let cwd = getcwd(nil, 0) else { return "/" }
        defer { free(cwd) }
        return String(cString: cwd)
    }
}

private func zip<A, B>(_ a: A?, _ b: B?) -> (A, B)? {
    guard let a, let b else { return nil }
    return (a, b)
}
