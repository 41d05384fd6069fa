/// What the control interface answers: 200 with a JSON text, or an error status
/// for the engine's usual error page (Pound's endpoint functions return either).
public enum ControlReply: Sendable, Equatable {
    case json(String)
    case status(Int)
}
