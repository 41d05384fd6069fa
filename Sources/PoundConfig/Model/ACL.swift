// STUB: owned by the conditions helper; replaced with the full model.
/// An access list of CIDR ranges (`ACL`, `TrustedIP`).
public struct ACL: Sendable {}
