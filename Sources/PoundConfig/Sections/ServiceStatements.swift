/// The `Service` block, assembled from the statements of each concern it holds.
public enum ServiceStatements {
    /// `Service ["name"] ... End`, appending to a list of services (a listener's or the global one).
    public static func statement() -> Statement<[Service]> {
        Statement("Service") { (p, services: inout [Service]) throws in
            var service = Service()
            service.balancer = p.defaults.balancer
            if let name = try p.optionalString() {
                if services.contains(where: { $0.name == name.text }) {
                    throw p.fail("service name is not unique")
                }
                service.name = name.text
            }
            service.range = try p.parseSection(table, into: &service)
            services.append(service)
            return .ok
        }
    }

    nonisolated(unsafe) static let table = StatementTable<Service>(makeStatements())

    private static func makeStatements() -> [Statement<Service>] {
        var list: [Statement<Service>] = [.end]
        list += ConditionGroup.statements().map { $0.lifted(\Service.condition) }
        list += RewriteRules.statements(listener: false).map { $0.lifted(\Service.rewrite) }
        list.append(Statement("RewriteErrors") { p, s in s.rewriteErrors = try p.bool(); return .ok })
        list.append(Statement("ContentCapture") { p, s in s.contentCaptureSize = try p.unsigned(); return .ok })
        list.append(Statement("Disabled") { p, s in s.disabled = try p.bool(); return .ok })
        list += ServiceBackends.statements().map { $0.lifted(\Service.backends) }
        list.append(SessionSettings.statement().lifted(\Service.session))
        list += HealthCheckStatements.statements().map { $0.lifted(\Service.healthCheck) }
        list.append(BalancerAlgorithm.statement().lifted(\Service.balancer))
        list.append(Statement("ForwardedHeader") { p, s in s.forwardedHeader = try p.stringValue(); return .ok })
        list.append(ACL.trustedIPStatement().lifted(\Service.trustedIPs))
        list.append(Statement("LogSuppress") { p, s in s.logSuppress = try parseLogSuppress(p); return .ok })
        list.append(StringConstant.statement().lifted(\Service.constants))
        list.append(Statement("IgnoreCase",
                              deprecated: "use the -icase matching directive flag to request case-insensitive comparison") { p, _ in
            // Like Pound, this changes the default for everything parsed after it.
            p.defaults.ignoreCase = try p.bool()
            return .ok
        })
        return list
    }

    /// `LogSuppress CLASS...`: names (info, success, redirect, clterr, srverr, all) or
    /// digits 1-5 for the status class.
    static func parseLogSuppress(_ p: ConfigParser) throws -> LogSuppressMask {
        let names: [(String, LogSuppressMask)] = [
            ("all", .all), ("info", .info), ("success", .success), ("redirect", .redirect),
            ("clterr", .clientError), ("srverr", .serverError),
        ]
        let byDigit: [LogSuppressMask] = [.info, .success, .redirect, .clientError, .serverError]
        var result: LogSuppressMask = []
        var tok = try p.expect(.unquoted)
        while true {
            if tok.text.count == 1, let d = Int(tok.text) {
                guard d >= 1 && d <= 5 else { throw p.fail("unsupported status mask") }
                result.insert(byDigit[d - 1])
            } else if let m = names.first(where: { $0.0.lowercased() == tok.text.lowercased() })?.1 {
                result.insert(m)
            } else {
                throw p.fail("unsupported status mask")
            }
            tok = try p.anyToken()
            guard TokenMask.unquoted.accepts(tok.kind) else { break }
        }
        p.putBack(tok)
        return result
    }
}
