import PounceModuleAPI
import Testing
@testable import BuiltinModules

@Suite struct RegistrationTests {
    @Test func everyBuiltinIsRegisteredCaseInsensitively() throws {
        let registry = ModuleRegistry()
        BuiltinModules.register(into: registry)
        #expect(registry.sessionTypeNames == ["basic", "cookie", "cookieinsert", "cookieprefix", "header", "ip", "parm", "url"])
        #expect(registry.balancerNames == ["chash", "iwrr", "leastconn", "random", "roundrobin"])

        let types: [(String, String?, any SessionModule.Type)] = [
            ("IP", nil, IPSessionModule.self), ("Basic", nil, BasicSessionModule.self),
            ("url", "u", URLSessionModule.self), ("PARM", nil, PathParameterSessionModule.self),
            ("Cookie", "c", CookieSessionModule.self), ("HEADER", "h", HeaderSessionModule.self),
        ]
        for (name, id, type) in types {
            let make = try #require(registry.sessionMaker(name))
            let module = try make(SessionSettings(type: name, id: id, ttl: 60))
            #expect(Swift.type(of: module) == type)
        }

        let balancers: [(String, any BalancerModule.Type)] = [
            ("random", RandomBalancerModule.self), ("IWRR", IWRRBalancerModule.self),
            ("RoundRobin", RoundRobinBalancerModule.self), ("leastconn", LeastConnBalancerModule.self),
            ("CHASH", ConsistentHashBalancerModule.self),
        ]
        for (name, type) in balancers {
            let make = try #require(registry.balancerMaker(name))
            let module = try make(setup(name, [1, 1]))
            #expect(Swift.type(of: module) == type)
            #expect(module.countsRequests == (type == LeastConnBalancerModule.self))
            #expect(choose(module, usable: [false, true], key: "k") == 1)
        }
    }
}
