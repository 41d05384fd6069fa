// STUB: owned by the listeners helper.
extension Listener {
    /// Top-level `ListenHTTP`, `ListenHTTPS`, `Tunnel`.
    public static func statements() -> [Statement<[Listener]>] { [] }
}
