// STUB: owned by the backends helper; replaced with the full model.
/// A service's backends, grouped by balancer group (normal, Emergency).
public struct ServiceBackends: Sendable {
    public init() {}
}

/// Globally declared backends (`Backend "name" ... End` at top level), used via `UseBackend`.
public struct NamedBackendTable: Sendable {
    public init() {}
}
