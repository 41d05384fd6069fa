#if canImport(Glibc)
import Glibc
#endif

/// How Pound stops on a signal: SIGHUP and SIGINT close the listeners and wait up to
/// `Grace` seconds for requests in progress; SIGTERM and SIGQUIT exit at once. Both end
/// with exit status 0.
public enum ShutdownSignal: Sendable, Hashable {
    case graceful
    case immediate

    /// The shutdown a signal asks for, or nil for other signals.
    public init?(signal: Int32) {
        switch signal {
        case SIGHUP, SIGINT: self = .graceful
        case SIGTERM, SIGQUIT: self = .immediate
        default: return nil
        }
    }
}
