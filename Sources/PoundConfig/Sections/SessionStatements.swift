// STUB: owned by the backends helper.
extension SessionSettings {
    /// `Session ... End` inside a Service.
    public static func statement() -> Statement<SessionSettings?> {
        Statement("Session") { p, _ in throw p.fail("Session: not implemented") }
    }
}
