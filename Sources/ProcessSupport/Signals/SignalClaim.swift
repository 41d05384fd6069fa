#if canImport(Glibc)
import Glibc
#endif

/// What both ways of waiting for signals (`SignalWaiter`'s sigwait, `SignalFeed`'s
/// signalfd) do first, on the main thread before any other starts: `handler` for each of
/// `signals` (a handler, not "ignore": an ignored signal is discarded even while blocked),
/// SIGPIPE ignored process-wide (a peer that closes early must not kill the proxy; writes
/// fail with EPIPE instead), and `signals` blocked, a mask every later thread inherits.
enum SignalClaim {
    /// Returns the blocked set.
    static func claim(_ signals: [Int32], handler: @convention(c) (Int32) -> Void) -> sigset_t {
        var act = sigaction()
        act.__sigaction_handler.sa_handler = handler
        sigemptyset(&act.sa_mask)
        for s in signals { sigaction(s, &act, nil) }
        var ignore = sigaction()
        ignore.__sigaction_handler.sa_handler = SIG_IGN
        sigemptyset(&ignore.sa_mask)
        sigaction(SIGPIPE, &ignore, nil)
        var set = sigset_t()
        sigemptyset(&set)
        for s in signals { sigaddset(&set, s) }
        pthread_sigmask(SIG_BLOCK, &set, nil)
        return set
    }
}
