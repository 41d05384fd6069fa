import PoundConfig

extension BackendState {
    /// The single backend of a `Tunnel` listener: outside any service, but with the
    /// same alive state (killed on connect failure, revived by the Alive timer).
    public static func tunnel(_ backend: Backend) -> BackendState {
        BackendState(backend: backend, id: 0, isEmergency: false)
    }
}
