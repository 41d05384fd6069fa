import PounceModuleAPI

/// Registers Pounce's own session types and balancers, as a loaded module would.
/// Names are Pound's keywords (session types) and HAProxy's (the balancers Pound
/// lacks); the registry compares them case-insensitively.
public enum BuiltinModules {
    public static let sessionTypeNames = ["IP", "BASIC", "URL", "PARM", "COOKIE", "HEADER",
                                          "CookieInsert", "CookiePrefix"]
    public static let balancerNames = ["random", "iwrr", "roundrobin", "leastconn", "chash"]

    public static func register(into registry: ModuleRegistry) {
        registry.registerSession("IP") { IPSessionModule(settings: $0) }
        registry.registerSession("BASIC") { BasicSessionModule(settings: $0) }
        registry.registerSession("URL") { try URLSessionModule(settings: $0) }
        registry.registerSession("PARM") { PathParameterSessionModule(settings: $0) }
        registry.registerSession("COOKIE") { try CookieSessionModule(settings: $0) }
        registry.registerSession("HEADER") { try HeaderSessionModule(settings: $0) }
        // Pounce's client-affinity types (HAProxy's cookie modes; no Pound keyword).
        registry.registerSession("CookieInsert") { try CookieInsertSessionModule(settings: $0) }
        registry.registerSession("CookiePrefix") { try CookiePrefixSessionModule(settings: $0) }

        registry.registerBalancer("random") { RandomBalancerModule(setup: $0) }
        registry.registerBalancer("iwrr") { IWRRBalancerModule(setup: $0) }
        registry.registerBalancer("roundrobin") { RoundRobinBalancerModule(setup: $0) }
        registry.registerBalancer("leastconn") { LeastConnBalancerModule(setup: $0) }
        registry.registerBalancer("chash") { ConsistentHashBalancerModule(setup: $0) }
    }
}
