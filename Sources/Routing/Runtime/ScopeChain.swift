import PoundConfig

/// The scopes a request sees: the service being matched or chosen (Pound sets
/// `phttp->svc` while matching), then its listener and the global settings.
struct ScopeChain {
    var service: RoutingScope?
    var listener: RoutingScope?

    private func first<T>(_ get: (RoutingScope) -> T?) -> T? {
        if let s = service, let v = get(s) { return v }
        var l = listener
        while let scope = l {
            if let v = get(scope) { return v }
            l = scope.parent
        }
        return nil
    }

    /// Pound's DEFAULT_FORWARDED_HEADER when nothing overrides it.
    var forwardedHeader: String { first { $0.forwardedHeader } ?? "X-Forwarded-For" }
    var trustedIPs: AddressList? { first { $0.trustedIPs?.current } }
    func constant(_ name: String) -> StringConstant? { first { $0.constants[name] } }

    var anonymise: Bool {
        var l = listener
        while let scope = l {
            if scope.anonymise { return true }
            l = scope.parent
        }
        return false
    }
}
