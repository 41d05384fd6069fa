/// Service selection for one listener.
public struct ListenerRouting: Sendable {
    /// Position in `PoundConfiguration.listeners`.
    public let index: Int
    /// The listener's own services (with any ACME service where Pound puts it),
    /// then the global ones: the same `RuntimeService` instances for every listener.
    public let services: [RuntimeService]
    /// How many of `services` belong to the listener.
    public let ownServiceCount: Int
    /// The listener's own `SetHeader`/`Rewrite`... rules.
    public let rewrites: ScopeRewrites
    let scope: RoutingScope

    init(index: Int, services: [RuntimeService], ownServiceCount: Int, scope: RoutingScope,
         rewrites: ScopeRewrites = .none) {
        self.rewrites = rewrites
        self.index = index
        self.services = services
        self.ownServiceCount = ownServiceCount
        self.scope = scope
    }

    /// Pound's `select_service`: the first enabled service whose conditions hold,
    /// nil when none does (503) or when evaluation failed (Pound answers 500 then:
    /// use `select` to tell the two apart).
    public func selectService(_ request: inout RoutingRequest) -> RuntimeService? {
        select(&request).service
    }

    /// Like `selectService`, with Pound's three outcomes. Conditions of services
    /// tried before the chosen one leave their matches in `request.captures`, as in
    /// Pound.
    public func select(_ request: inout RoutingRequest) -> ServiceSelection {
        request.scope.listener = scope
        for service in services where !service.isDisabled {
            switch service.matches(&request) {
            case .yes:
                return .service(service)
            case .no:
                continue
            case .error:
                request.scope.service = nil
                return .failed(service)
            }
        }
        request.scope.service = nil
        return .noMatch
    }
}
