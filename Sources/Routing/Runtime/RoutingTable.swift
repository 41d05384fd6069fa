import PoundConfig
import PoundRegex

/// Everything request routing needs, built once from the configuration and shared
/// by all event loops.
public struct RoutingTable: Sendable {
    /// One per configured listener, in `config.listeners` order (a Tunnel listener
    /// has no services).
    public var listeners: [ListenerRouting]
    /// The global services, shared by all listeners.
    public let globalServices: [RuntimeService]
    /// Every backend of every service once (a global service's backends are not
    /// repeated per listener), for the Alive resurrection timer.
    public let allBackends: [BackendState]
    /// The `-filewatch` files whose content the table holds (ACLs, pattern lists,
    /// password files), for the file watcher to keep up to date. A named ACL is here
    /// once however often it is used.
    public let watchedFiles: [WatchedFileContent]
    /// The extension language the table's Lua statements call, if any.
    public let scripts: (any ScriptEngine)?

    /// Every service once: the global ones, then each listener's own (every
    /// listener's `services` repeats the global ones after its own).
    public var services: [RuntimeService] {
        globalServices + listeners.flatMap { $0.services.prefix($0.ownServiceCount) }
    }

    /// Builds the table. Fails when the configuration asks for a balancer or session
    /// module that is not available.
    public static func build(_ config: PoundConfiguration, options: RoutingOptions = RoutingOptions()) throws -> RoutingTable {
        let context = CompiledCondition.Context(clock: options.clock, scripts: options.scripts)
        let namedList = config.namedConditions.values.sorted { $0.index < $1.index }
        var compiledNamed = [CompiledCondition](repeating: .all([]), count: namedList.count)
        for nc in namedList where nc.index >= 0 && nc.index < compiledNamed.count {
            compiledNamed[nc.index] = try CompiledCondition(group: nc.group, context)
        }
        let named = NamedConditions(compiledNamed)

        let files = context.files
        let global = RoutingScope(constants: config.constants, forwardedHeader: config.forwardedHeader,
                                  trustedIPs: config.trustedIPs.map(files.addressList), anonymise: config.anonymise)

        func makeService(_ s: Service, index: Int, listener: Int?) throws -> RuntimeService {
            try RuntimeService(service: s, index: index, listenerIndex: listener,
                               condition: try CompiledCondition(group: s.condition, context),
                               named: named,
                               scope: RoutingScope(constants: s.constants, forwardedHeader: s.forwardedHeader,
                                                   trustedIPs: s.trustedIPs.map(files.addressList)),
                               options: options,
                               rewrites: try ScopeRewrites(s.rewrite, named: named, context: context))
        }

        let globals = try config.services.enumerated().map { try makeService($1, index: $0, listener: nil) }
        var all: [BackendState] = globals.flatMap(\.backends)

        var listeners: [ListenerRouting] = []
        for (li, l) in config.listeners.enumerated() {
            var own: [RuntimeService] = []
            var pending = l.acmeChallenges.sorted { $0.servicePosition < $1.servicePosition }[...]
            func addACME(upTo position: Int) throws {
                while let acme = pending.first, acme.servicePosition <= position {
                    pending.removeFirst()
                    own.append(try makeACMEService(acme, index: own.count, listener: li, named: named,
                                                   options: options))
                }
            }
            for (si, s) in l.services.enumerated() {
                try addACME(upTo: si)
                own.append(try makeService(s, index: own.count, listener: li))
            }
            try addACME(upTo: Int.max)
            all += own.flatMap(\.backends)
            let scope = RoutingScope(constants: l.constants, forwardedHeader: l.forwardedHeader,
                                     trustedIPs: l.trustedIPs.map(files.addressList), parent: global)
            listeners.append(ListenerRouting(index: li, services: own + globals, ownServiceCount: own.count,
                                             scope: scope,
                                             rewrites: try ScopeRewrites(l.rewrite, named: named, context: context),
                                             name: l.name, address: l.address))
        }
        return RoutingTable(listeners: listeners, globalServices: globals, allBackends: all,
                            watchedFiles: files.files, scripts: options.scripts)
    }

    /// Pound's `parse_acme`: a service matching `^/\.well-known/acme-challenge/(.+)`
    /// (POSIX) whose only backend serves the challenge files.
    private static func makeACMEService(_ acme: ACMEChallenge, index: Int, listener: Int,
                                        named: NamedConditions, options: RoutingOptions) throws -> RuntimeService {
        let pattern = try Pattern(ACMEChallenge.urlPattern, kind: .posix)
        var service = Service()
        service.range = acme.range
        service.backends.normal = [Backend(kind: .sendFile(directory: acme.directory), priority: 1, range: acme.range)]
        let condition = CompiledCondition.all([.pattern(.init(subject: .url, pattern: pattern, tag: nil, decode: false))])
        return try RuntimeService(service: service, index: index, listenerIndex: listener, condition: condition,
                                  named: named, scope: RoutingScope.empty, options: options,
                                  acmeChallenge: acme)
    }
}
