// STUB: owned by the listeners helper; replaced with the full model.
/// `ListenHTTP`, `ListenHTTPS` or `Tunnel`.
public struct Listener: Sendable {
    /// The listener's own services, tried before the global ones.
    public var services: [Service] = []
}

/// A named request-log format (`LogFormat "name" "format"`).
public struct LogFormat: Sendable {}
