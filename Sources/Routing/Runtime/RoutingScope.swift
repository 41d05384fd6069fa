import PoundConfig

/// Settings that a service, a listener or the global section may each define, looked
/// up most specific first: `%[const NAME]` constants, `ForwardedHeader` and
/// `TrustedIP`. A listener's scope has the global one as parent; a service's scope
/// has none, because a global service is shared by every listener and Pound looks
/// at the request's listener after the service.
final class RoutingScope: Sendable {
    let constants: [String: StringConstant]
    let forwardedHeader: String?
    let trustedIPs: AddressList?
    /// `Anonymise` (global only): `%[remoteip]` zeroes the last address component.
    let anonymise: Bool
    let parent: RoutingScope?

    init(constants: [String: StringConstant], forwardedHeader: String?, trustedIPs: ACL?,
         anonymise: Bool = false, parent: RoutingScope? = nil) {
        self.constants = constants
        self.forwardedHeader = forwardedHeader
        self.trustedIPs = trustedIPs.map(AddressList.init)
        self.anonymise = anonymise
        self.parent = parent
    }

    /// The defaults Pound uses when nothing is configured.
    static let empty = RoutingScope(constants: [:], forwardedHeader: nil, trustedIPs: nil)
}

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
    var trustedIPs: AddressList? { first { $0.trustedIPs } }
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
