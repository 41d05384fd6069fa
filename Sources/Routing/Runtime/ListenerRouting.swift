import PoundConfig

/// Service selection for one listener.
/// A class, not a struct: every request reads it, and a struct of references read out
/// of the listener would be copied (each reference retained and released) per request.
public final class ListenerRouting: Sendable {
    /// Position in `PoundConfiguration.listeners`.
    public let index: Int
    /// The listener's `Name` and socket, which name it across a reload (its index
    /// shifts when a listener is added before it); nil when built without them.
    public let name: String?
    public let address: ListenerAddress?
    /// The listener's own services (with any ACME service where Pound puts it),
    /// then the global ones: the same `RuntimeService` instances for every listener.
    public let services: [RuntimeService]
    /// How many of `services` belong to the listener.
    public let ownServiceCount: Int
    /// The listener's own `SetHeader`/`Rewrite`... rules.
    public let rewrites: ScopeRewrites
    let scope: RoutingScope
    /// The names a Lua resend may give (`http.service.name`): the listener's own
    /// services by name, the global ones by `/name`.
    public let serviceNames: (listener: Set<String>, global: Set<String>)

    init(index: Int, services: [RuntimeService], ownServiceCount: Int, scope: RoutingScope,
         rewrites: ScopeRewrites = .none, name: String? = nil, address: ListenerAddress? = nil) {
        self.rewrites = rewrites
        self.index = index
        self.name = name
        self.address = address
        self.services = services
        self.ownServiceCount = ownServiceCount
        self.scope = scope
        self.serviceNames = (Set(services.prefix(ownServiceCount).compactMap(\.service.name)),
                             Set(services.dropFirst(ownServiceCount).compactMap(\.service.name)))
    }

    /// A service by the name a script gives it (`name`, or `/name` for a global one).
    public func service(named name: String) -> RuntimeService? {
        if name.hasPrefix("/") {
            let global = name.dropFirst()
            return services.dropFirst(ownServiceCount).first { $0.service.name.map { $0[...] == global } ?? false }
        }
        return services.prefix(ownServiceCount).first { $0.service.name == name }
    }

    /// How a script names `service` (`http.service.name`): "" without a name, `/name`
    /// for a global service unless a listener service has the same name.
    public func scriptName(of service: RuntimeService) -> String {
        guard let name = service.service.name else { return "" }
        if service.listenerIndex == nil && !serviceNames.listener.contains(name) { return "/" + name }
        return name
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
