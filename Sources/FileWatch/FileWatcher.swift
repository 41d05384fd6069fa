import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Keeps files loaded while they change: a thread of its own waits for inotify events
/// (or polls) and calls each target's `reload` or `clear`, logging what it does in
/// Pound's words ("file reloaded", "file removed", "content cleared", "file restored").
public final class FileWatcher: Sendable {
    private struct Running: Sendable {
        var thread: pthread_t
        /// The pipe that tells the thread to stop: it polls `wakeRead`.
        var wakeRead: Int32
        var wakeWrite: Int32
    }

    private let targets: [WatchTarget]
    private let mode: WatchMode
    private let pollInterval: Int
    private let log: @Sendable (WatchLogPriority, String) -> Void
    private let running = Mutex<Running?>(nil)

    /// - Parameters:
    ///   - pollInterval: seconds between two stat checks of a polled file (`WatcherTTL`).
    ///   - log: receives each message; called on the watcher thread.
    public init(_ targets: [WatchTarget], mode: WatchMode = .automatic, pollInterval: Int,
                log: @escaping @Sendable (WatchLogPriority, String) -> Void) {
        self.targets = targets
        self.mode = mode
        self.pollInterval = pollInterval
        self.log = log
    }

    deinit {
        stop()
    }

    /// Installs the watches, then starts the thread. Changes made after this returns
    /// are seen. Does nothing if already running or there is nothing to watch.
    public func start() {
        running.withLock { running in
            guard running == nil, !targets.isEmpty else { return }
            var pipeFDs: [Int32] = [-1, -1]
            guard pipe(&pipeFDs) == 0 else {
                log(.critical, "can't start the file watcher: \(SystemErrno(errno))")
                return
            }
            for fd in pipeFDs { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            let loop = WatchLoop(targets: targets, mode: mode, pollInterval: pollInterval, wakeFD: pipeFDs[0], log: log)
            let context = Unmanaged.passRetained(loop).toOpaque()
            var thread = pthread_t()
            let rc = pthread_create(&thread, nil, { arg in
                guard let arg else { return nil }
                let loop = Unmanaged<WatchLoop>.fromOpaque(arg).takeRetainedValue()
                loop.run()
                return nil
            }, context)
            guard rc == 0 else {
                Unmanaged<WatchLoop>.fromOpaque(context).release()
                close(pipeFDs[0])
                close(pipeFDs[1])
                log(.critical, "can't start the file watcher: \(SystemErrno(rc))")
                return
            }
            running = Running(thread: thread, wakeRead: pipeFDs[0], wakeWrite: pipeFDs[1])
        }
    }

    /// Stops the thread and waits for it; a reload in progress finishes first.
    public func stop() {
        guard let r = running.withLock({ r -> Running? in
            defer { r = nil }
            return r
        }) else { return }
        var byte: UInt8 = 1
        _ = write(r.wakeWrite, &byte, 1)
        pthread_join(r.thread, nil)
        close(r.wakeWrite)
        close(r.wakeRead)
    }
}
