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
///
/// Call `wait()` on the thread that created the waiter. Should a thread the proxy does
/// not control (one started before the waiter, or one that unblocks signals) take a
/// shutdown signal, the handler passes it on to that thread, so it is never lost.
public final class SignalWaiter: Sendable {
    /// The signals `wait()` returns.
    public static let shutdownSignals: [Int32] = [SIGHUP, SIGINT, SIGTERM, SIGQUIT]

    /// The waiting thread, for the handler. Written once, before the handler is installed.
    nonisolated(unsafe) private static var waitingThread = pthread_t()

    public init() {
        Self.waitingThread = pthread_self()
        // A handler rather than the default disposition: a signal whose disposition is
        // "ignore" (inherited from a parent such as nohup, or a non-interactive shell's
        // background job) would be discarded even while blocked, and sigwait would never
        // see it. Pound installs a no-op handler for the same reason; this one forwards a
        // signal that landed on another thread (pthread_kill is async-signal-safe).
        _ = SignalClaim.claim(Self.shutdownSignals, handler: { signal in
            let target = SignalWaiter.waitingThread
            // On the waiting thread itself (signals unblocked there by someone) forwarding
            // would only re-deliver to this handler.
            if pthread_equal(pthread_self(), target) == 0 {
                pthread_kill(target, signal)
            }
        })
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

    /// Waits at most `seconds` for a shutdown signal; nil when none came.
    public func waitForSignal(timeout seconds: Double) -> Int32? {
        var set = Self.signalSet()
        let whole = max(seconds, 0).rounded(.down)
        var timeout = timespec(tv_sec: Int(whole), tv_nsec: Int((max(seconds, 0) - whole) * 1e9))
        while true {
            let s = sigtimedwait(&set, nil, &timeout)
            if s > 0 { return s }
            // EINTR restarts with the full timeout; good enough for a shutdown wait.
            if errno != EINTR { return nil }
        }
    }

    /// Takes a pending shutdown signal without waiting; nil when none is pending.
    public func poll() -> Int32? {
        waitForSignal(timeout: 0)
    }

    private static func signalSet() -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for s in shutdownSignals { sigaddset(&set, s) }
        return set
    }
}
