// STUB: owned by the backends helper; replaced with the full model.
/// `Session ... End`: sticky-session settings of a service.
public struct SessionSettings: Sendable {}
