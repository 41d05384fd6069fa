/// The outcome of service selection.
public enum ServiceSelection: Sendable {
    case service(RuntimeService)
    /// No enabled service matched: 503 ("no suitable service found").
    case noMatch
    /// A condition could not be evaluated (Pound's -1): 500, and selection stopped
    /// at that service. The request's `warnings` say why where Pound would log it.
    case failed(RuntimeService)

    public var service: RuntimeService? {
        if case .service(let s) = self { return s }
        return nil
    }
}
