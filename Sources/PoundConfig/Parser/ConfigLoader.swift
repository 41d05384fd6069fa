/// Reads a pound.cfg (and everything it includes) into a `PoundConfiguration`, with
/// Pound's checks and diagnostics. Diagnostics go to `diagnostics` as they are found.
public enum ConfigLoader {
    public static func load(file: String, features: Features = Features(),
                            diagnostics: Diagnostics) throws -> PoundConfiguration {
        let scanner = Scanner(diagnostics: diagnostics, includeDirectory: features.includeDirectory)
        let parser = ConfigParser(scanner: scanner, diagnostics: diagnostics, features: features)
        try scanner.openTopLevel(file)
        var config = PoundConfiguration()
        try parser.parseSection(GlobalStatements.table, into: &config)
        if scanner.hasOpenInput { throw ConfigFailure() }
        try finalize(&config, parser: parser)
        return config
    }

    /// Checks that need the whole file: every service's backends, then global limits.
    static func finalize(_ config: inout PoundConfiguration, parser: ConfigParser) throws {
        for l in config.listeners.indices {
            try Listener.finalize(&config.listeners[l], parser: parser)
            for s in config.listeners[l].services.indices {
                try ServiceFinalizer.finalize(&config.listeners[l].services[s], parser: parser)
            }
        }
        try Listener.finalizeAutoCert(&config.listeners, parser: parser)
        for s in config.services.indices {
            try ServiceFinalizer.finalize(&config.services[s], parser: parser)
        }
        for instance in config.vrrp {
            try VRRPStatements.checkReferences(instance, in: config, parser: parser)
        }
        if config.workerMinCount > config.workerMaxCount {
            parser.diagnostics.error("WorkerMinCount is greater than WorkerMaxCount", at: nil)
            throw ConfigFailure(terminates: true)
        }
        config.defaults = parser.defaults
        config.acls = parser.symbols.acls
        config.namedConditions = parser.symbols.namedConditions
        config.namedBackends = parser.symbols.namedBackends
        config.constants = parser.symbols.constants
        config.logFormats = parser.symbols.logFormats
    }
}
