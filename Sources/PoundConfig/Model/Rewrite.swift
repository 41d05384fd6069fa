// STUB: owned by the conditions helper; replaced with the full model.
/// Request and response modification rules of a listener or service, in config order.
public struct RewriteRules: Sendable {
    public init() {}
}
