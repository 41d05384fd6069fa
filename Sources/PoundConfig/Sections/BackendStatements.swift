// STUB: owned by the backends helper.
extension ServiceBackends {
    /// Backend, UseBackend, Emergency, Redirect, Error, Success, SendFile, Metrics,
    /// Control, LuaBackend inside a Service.
    public static func statements() -> [Statement<ServiceBackends>] { [] }
}

extension NamedBackendTable {
    /// Top-level `Backend "name" ... End`.
    public static func statement() -> Statement<NamedBackendTable> {
        Statement("Backend") { p, _ in throw p.fail("Backend: not implemented") }
    }
}

extension BalancerAlgorithm {
    /// `Balancer random|iwrr` (global or per service).
    public static func statement() -> Statement<BalancerAlgorithm> {
        Statement("Balancer") { p, _ in throw p.fail("Balancer: not implemented") }
    }
}
