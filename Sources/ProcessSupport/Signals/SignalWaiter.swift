#if canImport(Glibc)
import Glibc
#endif

/// Waits for the shutdown signals in one thread while every other thread ignores them.
///
/// Create it on the main thread BEFORE starting any other thread (event loops, timers):
/// it blocks SIGHUP, SIGINT, SIGTERM and SIGQUIT in the calling thread, and threads
/// inherit the mask, so the signals stay pending until `wait()` takes them with
/// sigwait(2), as Pound's main thread does. SIGPIPE is ignored process-wide (a peer that
/// closes early must not kill the proxy; writes fail with EPIPE instead).
public final class SignalWaiter: Sendable {
    /// The signals `wait()` returns.
    public static let shutdownSignals: [Int32] = [SIGHUP, SIGINT, SIGTERM, SIGQUIT]

    public init() {
        // A no-op handler rather than the default: a signal whose disposition is "ignore"
        // (inherited from a parent such as nohup) would be discarded even while blocked,
        // and sigwait would never see it. Pound installs the same kind of handler.
        var act = sigaction()
        act.__sigaction_handler.sa_handler = { _ in }
        sigemptyset(&act.sa_mask)
        for s in Self.shutdownSignals { sigaction(s, &act, nil) }
        var ignore = sigaction()
        ignore.__sigaction_handler.sa_handler = SIG_IGN
        sigemptyset(&ignore.sa_mask)
        sigaction(SIGPIPE, &ignore, nil)

        var set = Self.signalSet()
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// Blocks until a shutdown signal arrives and returns its number.
    public func waitForSignal() -> Int32 {
        var set = Self.signalSet()
        var signal: Int32 = 0
        while true {
            let rc = sigwait(&set, &signal)
            if rc == 0, Self.shutdownSignals.contains(signal) { return signal }
        }
    }

    /// Blocks until a shutdown signal arrives and returns the kind of stop it asks for.
    public func wait() -> ShutdownSignal {
        ShutdownSignal(signal: waitForSignal()) ?? .immediate
    }

    /// Takes a pending shutdown signal without waiting; nil when none is pending.
    public func poll() -> Int32? {
        var set = Self.signalSet()
        var timeout = timespec(tv_sec: 0, tv_nsec: 0)
        let s = sigtimedwait(&set, nil, &timeout)
        return s > 0 ? s : nil
    }

    private static func signalSet() -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for s in shutdownSignals { sigaddset(&set, s) }
        return set
    }
}
