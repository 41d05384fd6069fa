import CProcessSupport
#if canImport(Glibc)
import Glibc
#endif

/// The supervisor's signals as events among others: SIGHUP/SIGINT (graceful stop),
/// SIGTERM/SIGQUIT (immediate stop), SIGUSR2 (reload) and SIGCHLD (a worker ended)
/// arrive through a signalfd(2), so one poll(2) waits for them, for a worker's
/// readiness pipe and for a timer together, on the one supervisor thread.
///
/// Create it on the main thread before any other thread starts: the signals are blocked
/// in the creating thread and threads inherit the mask, so only the signalfd takes them.
public final class SignalFeed {
    public static let signals: [Int32] = [SIGHUP, SIGINT, SIGTERM, SIGQUIT, SIGUSR2, SIGCHLD]

    public enum Event: Equatable {
        case signal(Int32)
        case readable(Int32)
        case timeout
    }

    private let fd: Int32

    public init() throws(ProcessSupportError) {
        // A no-op handler: the signals are read from the signalfd (and an ignored SIGCHLD
        // would reap children by itself).
        var set = SignalClaim.claim(Self.signals, handler: { _ in })
        fd = pounce_signalfd(&set)
        guard fd >= 0 else { throw .system("signalfd") }
    }

    deinit { close(fd) }

    /// The next signal, or the first of `readable` with data (or end of file), or
    /// `.timeout` once `timeout` seconds passed (nil: no limit).
    public func wait(readable: [Int32] = [], timeout: Double?) -> Event {
        if let signal = take() { return .signal(signal) }
        var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0)]
        fds += readable.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        let ms: Int32 = timeout.map { Int32(min(max($0, 0) * 1000, 86_400_000).rounded(.up)) } ?? -1
        let rc = poll(&fds, nfds_t(fds.count), ms)
        guard rc > 0 else { return rc == 0 ? .timeout : (take().map { .signal($0) } ?? .timeout) }
        if fds[0].revents != 0, let signal = take() { return .signal(signal) }
        for p in fds.dropFirst() where p.revents != 0 { return .readable(p.fd) }
        return .timeout
    }

    private func take() -> Int32? {
        let signal = pounce_signalfd_take(fd)
        return signal > 0 ? signal : nil
    }
}
