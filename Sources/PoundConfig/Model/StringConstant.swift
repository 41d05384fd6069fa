// STUB: owned by the conditions helper; replaced with the full model.
/// `Constant "NAME" "VALUE"` (or read from a file).
public struct StringConstant: Sendable {}
