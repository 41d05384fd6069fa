import PoundConfig

/// Settings that a service, a listener or the global section may each define, looked
/// up most specific first: `%[const NAME]` constants, `ForwardedHeader` and
/// `TrustedIP`. A listener's scope has the global one as parent; a service's scope
/// has none, because a global service is shared by every listener and Pound looks
/// at the request's listener after the service.
final class RoutingScope: Sendable {
    let constants: [String: StringConstant]
    let forwardedHeader: String?
    let trustedIPs: FileContent<AddressList>?
    /// `Anonymise` (global only): `%[remoteip]` zeroes the last address component.
    let anonymise: Bool
    let parent: RoutingScope?

    init(constants: [String: StringConstant], forwardedHeader: String?, trustedIPs: FileContent<AddressList>?,
         anonymise: Bool = false, parent: RoutingScope? = nil) {
        self.constants = constants
        self.forwardedHeader = forwardedHeader
        self.trustedIPs = trustedIPs
        self.anonymise = anonymise
        self.parent = parent
    }

    /// The defaults Pound uses when nothing is configured.
    static let empty = RoutingScope(constants: [:], forwardedHeader: nil, trustedIPs: nil)
}
