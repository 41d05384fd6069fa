/// How one `AutoCert` certificate stands, for the control API, the status page and the
/// metrics. Times are seconds since the epoch.
public struct ManagedCertificateStatus: Sendable, Equatable {
    public enum State: String, Sendable {
        /// A self-signed certificate is served until the CA's arrives.
        case placeholder
        case valid
        /// An order is in progress.
        case renewing
        /// The last attempt failed; the next is scheduled.
        case failing
    }

    public var name: String
    public var names: [String]
    public var state: State
    /// The served certificate's end (nil while a placeholder is served).
    public var notAfter: Double?
    public var nextAttempt: Double?
    public var consecutiveFailures: Int
    public var lastError: String?

    public init(name: String, names: [String], state: State, notAfter: Double?, nextAttempt: Double?,
                consecutiveFailures: Int, lastError: String?) {
        self.name = name
        self.names = names
        self.state = state
        self.notAfter = notAfter
        self.nextAttempt = nextAttempt
        self.consecutiveFailures = consecutiveFailures
        self.lastError = lastError
    }
}
