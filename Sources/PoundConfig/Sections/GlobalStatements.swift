/// The top level of pound.cfg: process settings, defaults, named objects, listeners
/// and global services.
public enum GlobalStatements {
    nonisolated(unsafe) static let table = StatementTable<PoundConfiguration>(topLevel: true, makeStatements())

    private typealias S = Statement<PoundConfiguration>

    private static func makeStatements() -> [S] {
        var list: [S] = [
            S("IncludeDir") { p, _ in
                let dir = try p.string()
                try p.scanner.setIncludeDirectory(dir.text, at: dir.range)
                return .ok
            },
            S("User") { p, c in c.user = try p.stringValue(); return .ok },
            S("Group") { p, c in c.group = try p.stringValue(); return .ok },
            S("RootJail") { p, c in c.rootJail = try p.stringValue(); return .ok },
            S("Daemon") { p, c in c.daemon = try p.bool(); return .ok },
            S("Supervisor") { p, c in c.supervisor = try p.bool(); return .ok },
            S("WorkerMinCount") { p, c in c.workerMinCount = try p.unsigned(); return .ok },
            S("WorkerMaxCount") { p, c in c.workerMaxCount = try p.unsigned(); return .ok },
            S("Threads") { p, c in
                let n = try p.unsigned()
                c.workerMinCount = n
                c.workerMaxCount = n
                return .ok
            },
            S("WorkerIdleTimeout") { p, c in c.workerIdleTimeout = try p.timeout(); return .ok },
            S("WorkerStackSize") { p, c in c.workerStackSize = try p.size(); return .ok },
            S("ConnectionQueueSize") { p, c in c.connectionQueueSize = try p.unsigned(); return .ok },
            S("ReserveFD") { p, c in
                let perWatcher = try p.option([("watcher", false)]) != nil
                let n = try p.unsigned()
                if perWatcher {
                    guard Int(Int32.max) - c.reserveWorkerFileDescriptors >= n else { throw p.fail("value out of range") }
                    c.reserveWorkerFileDescriptors += n
                } else {
                    guard Int(Int32.max) - c.reserveFileDescriptors >= n else { throw p.fail("value out of range") }
                    c.reserveFileDescriptors += n
                }
                return .ok
            },
            S("Grace") { p, c in c.grace = try p.timeout(); return .ok },
            S("LogFacility") { p, c in c.logFacility = try parseLogFacility(p); return .ok },
            S("LogLevel") { p, _ in p.defaults.logLevel = try LogLevel.parse(p); return .ok },
        ]
        list.append(LogFormat.statement().liftedToSymbols(\.logFormats))
        list += [
            S("LogTag") { p, c in c.logTag = try p.stringValue(); return .ok },
            S("Alive") { p, c in c.alive = try p.timeout(); return .ok },
            S("Client") { p, _ in p.defaults.clientTimeout = try p.timeout(); return .ok },
            S("TimeOut") { p, _ in p.defaults.backendTimeout = try p.timeout(); return .ok },
            S("WSTimeOut") { p, _ in p.defaults.webSocketTimeout = try p.timeout(); return .ok },
            S("ConnTO") { p, _ in p.defaults.connectTimeout = try p.timeout(); return .ok },
        ]
        list.append(BalancerAlgorithm.statement().liftedToDefaults(\.balancer))
        list += [
            S("HeaderOption") { p, _ in
                p.defaults.headerOptions = try HeaderOptions.parse(p, current: p.defaults.headerOptions)
                return .ok
            },
            S("ECDHCurve", deprecated: "this setting is no longer used") { p, _ in
                _ = try p.string()
                p.warn("statement ignored")
                return .ok
            },
            S("SSLEngine") { p, c in
                c.sslEngine = try p.stringValue()
                p.warn("statement ignored")
                return .ok
            },
            S("Control") { p, c in c.control = try parseControl(p); return .ok },
            S("Anonymise") { _, c in c.anonymise = true; return .ok },
            S("Anonymize") { _, c in c.anonymise = true; return .ok },
        ]
        list.append(ServiceStatements.statement().lifted(\PoundConfiguration.services))
        list.append(NamedBackendTable.statement().liftedToSymbols(\.namedBackends))
        list.append(NamedCondition.statement())
        list += Listener.statements().map { $0.lifted(\PoundConfiguration.listeners) }
        list.append(ACL.namedStatement().liftedToSymbols(\.self))
        list += [
            S("PidFile") { p, c in c.pidFile = try p.stringValue(); return .ok },
            S("BackendStats") { p, c in c.backendStats = try p.bool(); return .ok },
            S("ForwardedHeader") { p, c in c.forwardedHeader = try p.stringValue(); return .ok },
        ]
        list.append(ACL.trustedIPStatement().lifted(\PoundConfiguration.trustedIPs))
        list += [
            S("CombineHeaders") { p, c in c.combineHeaders += try parseCombineHeaders(p); return .ok },
            S("RegexType") { p, _ in
                let tok = try p.expect(.identifier)
                p.defaults.regexType = try p.keyword(tok, in: [("posix", .posix), ("pcre", .pcre), ("perl", .pcre)],
                                                     what: "regex type")
                return .ok
            },
            S("Resolver") { p, c in
                try p.parseSection(resolverTable, into: &c.resolver)
                return .ok
            },
            S("Lua") { p, c in
                var lua = c.lua ?? LuaSettings()
                try p.parseSection(luaTable, into: &lua)
                c.lua = lua
                return .ok
            },
            S("WatcherTTL") { p, c in c.watcherTTL = try p.unsigned(); return .ok },
            S("LineBufferSize") { p, _ in
                p.defaults.lineBufferSize = try parseLineBufferSize(p)
                return .ok
            },
        ]
        list.append(StringConstant.statement().liftedToSymbols(\.constants))
        list += ModuleStatements.statements()
        list.append(VRRPStatements.statement().lifted(\PoundConfiguration.vrrp))
        list.append(S("IgnoreCase",
                      deprecated: "use the -icase matching directive flag to request case-insensitive comparison") { p, _ in
            p.defaults.ignoreCase = try p.bool()
            return .ok
        })
        return UnsupportedStatements.global(list)
    }

    static let facilities = ["auth", "authpriv", "cron", "daemon", "ftp", "kern", "lpr", "mail", "news",
                             "syslog", "user", "uucp", "local0", "local1", "local2", "local3", "local4",
                             "local5", "local6", "local7"]

    /// `LogFacility name|-`: nil means stdout/stderr.
    static func parseLogFacility(_ p: ConfigParser) throws -> String? {
        let tok = try p.expect(.unquoted)
        if tok.text == "-" { return nil }
        guard let name = facilities.first(where: { $0 == tok.text.lowercased() }) else {
            throw p.fail("unknown log facility name")
        }
        return name
    }

    /// `LineBufferSize N`: at least Pound's built-in buffer size (smaller values are an error).
    public static func parseLineBufferSize(_ p: ConfigParser) throws -> Int {
        try p.unsigned(min: 4096)
    }

    /// `Control "path"` or `Control ... Socket/Mode/ChangeOwner ... End`.
    static func parseControl(_ p: ConfigParser) throws -> ControlSocket {
        let first = try p.anyToken()
        var control = ControlSocket(path: "")
        if first.kind == .string {
            control.path = first.text
            control.range = first.range
        } else {
            p.putBack(first)
            control.range = try p.parseSection(controlTable, into: &control)
            if control.path.isEmpty {
                throw p.fail("Socket statement is missing", at: control.range)
            }
        }
        return control
    }

    nonisolated(unsafe) static let controlTable = StatementTable<ControlSocket>([
        .end,
        Statement("Socket") { p, c in
            let tok = try p.string()
            guard tok.text.utf8.count <= 108 else { throw p.fail("UNIX path name too long", at: tok.range) }
            c.path = tok.text
            return .ok
        },
        Statement("ChangeOwner") { p, c in c.changeOwner = try p.bool(); return .ok },
        Statement("Mode") { p, c in c.mode = try p.fileMode(); return .ok },
    ])

    /// `CombineHeaders` followed by quoted header names, one or more per line, up to `End`.
    static func parseCombineHeaders(_ p: ConfigParser) throws -> [String] {
        let first = try p.anyToken()
        guard first.kind == .newline else {
            throw p.fail("expected newline, but found \(first.kind.description)")
        }
        var names: [String] = []
        while true {
            let tok = try p.anyToken()
            switch tok.kind {
            case .newline:
                continue
            case .identifier where tok.text.lowercased() == "end":
                return names
            case .identifier where tok.text.lowercased() == "include":
                let file = try p.string()
                try p.scanner.include(file.text, at: file.range)
            case .string:
                names.append(tok.text)
            default:
                throw p.fail("expected quoted string, \"Include\", or \"End\", but found \(tok.kind.description)")
            }
        }
    }

    nonisolated(unsafe) static let resolverTable = StatementTable<ResolverSettings>(UnsupportedStatements.resolver([
        .end,
        Statement("ConfigFile") { p, r in
            let tok = try p.string()
            switch FileSystem.readFile(tok.text) {
            case .success(let bytes): r.configText = String(decoding: bytes, as: UTF8.self)
            case .failure(let e): throw p.fail("can't open \(tok.text): \(e)", at: tok.range)
            }
            r.configFile = tok.text
            return .ok
        },
        Statement("ConfigText") { p, r in
            if r.configText != nil {
                // Pound reports this but carries on.
                p.diagnostics.error("ConfigText statement overrides prior ConfigFile", at: p.lastRange)
            }
            let nl = try p.anyToken()
            guard nl.kind == .newline else {
                throw p.fail("expected newline, but found \(nl.kind.description)")
            }
            r.configText = try p.scanner.readToEnd()
            return .okNoNewline
        },
        Statement("Debug") { p, r in r.debug = try p.bool(); return .ok },
        Statement("CNAMEChain") { p, r in r.cnameChain = try p.unsigned(); return .ok },
        Statement("RetryInterval") { p, r in r.retryInterval = try p.timeout(); return .ok },
    ]))

    nonisolated(unsafe) static let luaTable = StatementTable<LuaSettings>([
        .end,
        Statement("Path") { p, l in l.path += try luaPath(p); return .ok },
        Statement("CPath") { p, l in l.cpath += try luaPath(p); return .ok },
        Statement("Load") { p, l in l.load.append(try luaSource(p)); return .okNoNewline },
        Statement("LoadGlobal") { p, l in l.loadGlobal.append(try luaSource(p)); return .okNoNewline },
        // Pounce extension: a runaway script is stopped after this many instructions.
        Statement("MaxInstructions") { p, l in l.maxInstructions = try p.unsigned(min: 1000); return .ok },
    ])

    /// `Path`/`CPath`: `;`-separated components, each with the `?` Lua substitutes.
    private static func luaPath(_ p: ConfigParser) throws -> [String] {
        let value = try p.stringValue()
        var parts: [String] = []
        var failed = false
        for part in value.split(separator: ";") {
            if part.contains("?") {
                parts.append(String(part))
            } else {
                p.diagnostics.error("\(part): this doesn't look like a Lua path component", at: p.lastRange)
                failed = true
            }
        }
        if failed { throw ConfigFailure() }
        return parts
    }

    /// `Load "file" ["variable"]`: the file is found through the include directory.
    private static func luaSource(_ p: ConfigParser) throws -> LuaSource {
        let tok = try p.string()
        let file = try p.scanner.includeWorkDirectory(at: tok.range).resolve(tok.text)
        var source = LuaSource(file: file, range: tok.range)
        let next = try p.anyToken()
        switch next.kind {
        case .string:
            guard LuaSource.isVariableName(next.text) else { throw p.fail("not a valid Lua variable name") }
            source.variable = next.text
        case .newline:
            break
        default:
            throw p.fail("expected string or newline, but found \(next.kind.description)")
        }
        return source
    }
}

extension Statement {
    /// Re-targets a statement about a symbol table (named ACLs, backends...) at the parser's
    /// tables, whatever section it appears in.
    func liftedToSymbols<Outer>(_ path: WritableKeyPath<SymbolTables, Section>) -> Statement<Outer> {
        let h = handler
        return Statement<Outer>(name, deprecated: deprecation) { p, _ in
            try h(p, &p.symbols[keyPath: path])
        }
    }

    /// Re-targets a statement at one of the parser's running defaults.
    func liftedToDefaults<Outer>(_ path: WritableKeyPath<ParseDefaults, Section>) -> Statement<Outer> {
        let h = handler
        return Statement<Outer>(name, deprecated: deprecation) { p, _ in
            try h(p, &p.defaults[keyPath: path])
        }
    }
}
