#if canImport(Glibc)
import Glibc
#endif
import PoundRegex

extension ConditionGroup {
    /// Service conditions (Pound's `match_conditions`): URL, Path, Header, Match, Not, ...
    public static func statements() -> [Statement<ConditionGroup>] {
        requestStatements
    }

    /// The conditions valid in `Rewrite response` rules (Pound's `match_response_conditions`).
    public static func responseStatements() -> [Statement<ConditionGroup>] {
        responseStatementList
    }

    nonisolated(unsafe) static let requestStatements: [Statement<ConditionGroup>] = makeRequestStatements()
    nonisolated(unsafe) static let responseStatementList: [Statement<ConditionGroup>] = makeResponseStatements()
    nonisolated(unsafe) static let requestTable = StatementTable<ConditionGroup>(requestStatements)
    nonisolated(unsafe) static let responseTable = StatementTable<ConditionGroup>(responseStatementList)
    /// `Match ... End` / `Condition ... End` bodies.
    nonisolated(unsafe) static let requestBlockTable = StatementTable<ConditionGroup>([.end] + requestStatements)
    nonisolated(unsafe) static let responseBlockTable = StatementTable<ConditionGroup>([.end] + responseStatementList)

    private typealias S = Statement<ConditionGroup>

    private static func makeRequestStatements() -> [S] {
        var list: [S] = []
        list.append(S("ACL") { p, g in
            let ref = try ACL.parseReference(p, allowForwarded: true)
            g.conditions.append(.acl(ref.acl, forwarded: ref.forwarded))
            return .ok
        })
        list.append(simpleMatcher("Method", .method))
        list.append(simpleMatcher("URL", .url))
        list.append(simpleMatcher("Path", .path))
        list.append(simpleMatcher("Query", .query))
        list.append(S("QueryParam") { p, g in
            let name = try p.stringValue()
            try parseMatcher(p, into: &g, subject: .queryParam(name), kind: p.defaults.regexType,
                             options: p.defaults.ignoreCase ? .caseInsensitive : [])
            return .ok
        })
        list.append(headerStatement())
        list.append(.alias("HeadRequire", of: "Header", headerHandler))
        list.append(S("HeadDeny", deprecated: "use \"Not Header\" instead") { p, g in
            var inner = ConditionGroup()
            try parseMatcher(p, into: &inner, subject: .headerLine, kind: p.defaults.regexType,
                             options: [.multiline, .caseInsensitive])
            g.conditions.append(.not(inner.conditions.count == 1 ? inner.conditions[0] : .group(inner)))
            return .ok
        })
        list.append(S("Host") { p, g in
            try parseMatcher(p, into: &g, subject: .header("Host"), kind: .exact, options: .caseInsensitive)
            return .ok
        })
        list.append(S("BasicAuth") { p, g in
            g.conditions.append(.basicAuth(try parseBasicAuth(p)))
            return .ok
        })
        list.append(S("TBF") { p, g in
            let key = try p.stringValue()
            let rate = try parseRate(p)
            let burst = try p.unsigned()
            g.conditions.append(.tokenBucket(TokenBucket(keyTemplate: key, nanosecondsPerToken: rate, burst: burst)))
            return .ok
        })
        list.append(stringMatchStatement())
        list.append(luaMatchStatement())
        list.append(matchStatement(response: false))
        list.append(notStatement(response: false))
        list.append(S("ClientCert") { p, g in
            g.conditions.append(.clientCert(try parseClientCert(p)))
            return .ok
        })
        list.append(S("Eval") { p, g in
            let name = try p.stringValue()
            guard let nc = p.symbols.namedConditions[name] else {
                throw p.fail("\(name): no such condition")
            }
            // Evaluating it recurses as deep as its body (and its own Evals) go. A
            // condition evaluating itself counts 0: the inner Eval fails at once.
            try p.reachNesting(nc.depth)
            g.conditions.append(.eval(name: name, index: nc.index))
            return .ok
        })
        return list
    }

    private static func makeResponseStatements() -> [S] {
        [headerStatement(), stringMatchStatement(), luaMatchStatement(),
         matchStatement(response: true), notStatement(response: true)]
    }

    // MARK: - Statements shared by the request and response tables

    private static func simpleMatcher(_ name: String, _ subject: MatchSubject) -> S {
        S(name) { p, g in
            try parseMatcher(p, into: &g, subject: subject, kind: p.defaults.regexType,
                             options: p.defaults.ignoreCase ? .caseInsensitive : [])
            return .ok
        }
    }

    private static func headerStatement() -> S { S("Header", headerHandler) }

    /// `Header ["Name"] [options] "pattern"`. A lone string is the pattern, matched
    /// against whole header lines; a string followed by more is the header name.
    nonisolated(unsafe) private static let headerHandler: S.Handler = { p, g in
        var name: String?
        let tok = try p.anyToken()
        if tok.kind == .string {
            let following = try p.anyToken()
            p.putBack(following)
            if following.kind == .newline {
                p.putBack(tok)
            } else {
                name = tok.text
            }
        } else {
            p.putBack(tok)
        }
        try parseMatcher(p, into: &g, subject: name.map { .header($0) } ?? .headerLine,
                         kind: p.defaults.regexType, options: [.multiline, .caseInsensitive])
        return .ok
    }

    private static func stringMatchStatement() -> S {
        S("StringMatch") { p, g in
            let template = try p.stringValue()
            try parseMatcher(p, into: &g, subject: .string(template), kind: p.defaults.regexType,
                             options: p.defaults.ignoreCase ? .caseInsensitive : [])
            return .ok
        }
    }

    private static func luaMatchStatement() -> S {
        S("LuaMatch") { p, g in
            g.conditions.append(.lua(try parseLuaClosure(p)))
            return .okNoNewline
        }
    }

    /// `Match [AND|OR] ... End`: a nested group.
    private static func matchStatement(response: Bool) -> S {
        S("Match") { p, g in
            let op = try parseOperator(p)
            var sub = ConditionGroup(op: op)
            try p.parseSection(response ? responseBlockTable : requestBlockTable, into: &sub)
            g.conditions.append(.group(sub))
            return .ok
        }
    }

    /// `Not COND`: exactly one following condition statement, negated.
    private static func notStatement(response: Bool) -> S {
        S("NOT") { p, g in
            var sub = ConditionGroup()
            try p.parseSection(response ? responseTable : requestTable, into: &sub, singleStatement: true)
            let negated: Condition = sub.conditions.count == 1 ? sub.conditions[0] : .group(sub)
            g.conditions.append(.not(negated))
            return .okNoNewline
        }
    }

    /// The optional `AND`/`OR` after `Match` or `Condition "name"`.
    static func parseOperator(_ p: ConfigParser) throws -> Operator {
        let tok = try p.anyToken()
        guard tok.kind == .identifier else {
            p.putBack(tok)
            return .and
        }
        switch tok.text.lowercased() {
        case "and": return .and
        case "or": return .or
        default: throw p.fail("expected AND or OR, but found \(tok.text)")
        }
    }

    // MARK: - Pattern conditions

    /// What Pound's `parse_match_mode` collects from the options before a pattern.
    struct MatchMode {
        var kind: PatternKind
        var options: PatternOptions
        var file: String?
        var watch = false
        var tag: String?
        /// nil when `-decode` is not supported by the statement.
        var decode: Bool?
    }

    /// Pound's `parse_match_mode`. `fileOptions` false disables -file, -filewatch, -tag
    /// and -decode (DeleteHeader, HeaderRemove); `decode` non-nil enables -decode.
    static func parseMatchMode(_ p: ConfigParser, kind: PatternKind, options: PatternOptions,
                               fileOptions: Bool, decode: Bool?) throws -> MatchMode {
        var mode = MatchMode(kind: kind, options: options, decode: decode)
        let table: [(name: String, takesArgument: Bool)] = [
            ("file", true), ("filewatch", true), ("re", false), ("exact", false), ("beg", false),
            ("end", false), ("contain", false), ("icase", false), ("case", false), ("posix", false),
            ("pcre", false), ("perl", false), ("tag", true), ("decode", false),
        ]
        while let (name, arg) = try p.option(table) {
            let needsParam = ["file", "filewatch", "tag", "decode"].contains(name)
            if (needsParam && !fileOptions) || (name == "decode" && decode == nil) {
                throw p.fail("unsupported option: -\(name)")
            }
            switch name {
            case "case": mode.options.remove(.caseInsensitive)
            case "icase": mode.options.insert(.caseInsensitive)
            case "file": mode.file = arg; mode.watch = false
            case "filewatch": mode.file = arg; mode.watch = true
            case "re": mode.kind = p.defaults.regexType
            case "posix": mode.kind = .posix
            case "exact": mode.kind = .exact
            case "beg": mode.kind = .prefix
            case "end": mode.kind = .suffix
            case "contain": mode.kind = .contain
            case "pcre", "perl": mode.kind = .pcre
            case "tag": mode.tag = arg
            default: mode.decode = true
            }
        }
        return mode
    }

    /// Compiles `source`, reporting failures as Pound's `regcomp_error_at_locus_range`.
    static func compile(_ p: ConfigParser, _ source: String, kind: PatternKind, options: PatternOptions,
                        at range: LocusRange?) -> Pattern? {
        compile(source, kind: kind, options: options, at: range, report: p.diagnostics.report)
    }

    static func compile(_ source: String, kind: PatternKind, options: PatternOptions, at range: LocusRange?,
                        report: (Diagnostic) -> Void) -> Pattern? {
        do {
            return try Pattern(source, kind: kind, options: options)
        } catch {
            report(Diagnostic(severity: .error, range: range, message: error.description))
            return nil
        }
    }

    /// Pound's `parse_cond_matcher`: options, then a pattern or a pattern file.
    static func parseMatcher(_ p: ConfigParser, into g: inout ConditionGroup, subject: MatchSubject,
                             kind: PatternKind, options: PatternOptions) throws {
        var decodable = false
        switch subject {
        case .path, .queryParam: decodable = true
        default: break
        }
        let mode = try parseMatchMode(p, kind: kind, options: options, fileOptions: true,
                                      decode: decodable ? false : nil)
        let decode = mode.decode ?? false
        if let file = mode.file {
            let source = try ConfigFileSource(p, name: file, watch: mode.watch)
            let watchRange = p.lastRange
            let watched = source.watchedFile(range: watchRange)
            var patterns: [Pattern] = []
            // Pound reports a bad pattern but, by an accident of its code, does not fail
            // the configuration; the pattern is simply left out.
            switch watched.readPatterns(kind: mode.kind, options: mode.options, report: p.diagnostics.report) {
            case .success(let list):
                patterns = list
            case .failure(let e):
                if mode.watch {
                    if e.errno != ENOENT { throw source.watchOpenFailure(p, e, at: watchRange) }
                    source.noteMissing(p, at: watchRange)
                } else {
                    throw ConfigFileSource.openFailure(p, file, e)
                }
            }
            g.conditions.append(.patternFile(PatternFileCondition(
                subject: subject, kind: mode.kind, options: mode.options, file: watched,
                patterns: patterns, tag: mode.tag, decode: decode)))
            return
        }
        let tok = try p.string()
        guard let pattern = compile(p, tok.text, kind: mode.kind, options: mode.options, at: tok.range) else {
            throw ConfigFailure()
        }
        g.conditions.append(.match(PatternCondition(subject: subject, pattern: pattern, tag: mode.tag, decode: decode)))
    }

    // MARK: - Other conditions

    /// `BasicAuth "file"` (watched) or `BasicAuth -file "file"` (read once, must exist).
    static func parseBasicAuth(_ p: ConfigParser) throws -> BasicAuthFile {
        let options = try FileOptions.parse(p)
        let name: String
        let range: LocusRange?
        var watch = true
        if let file = options.file {
            name = file
            range = p.lastRange
            watch = options.watch
        } else {
            let tok = try p.string()
            name = tok.text
            range = tok.range
        }
        let source = try ConfigFileSource(p, name: name, watch: watch)
        let file = source.watchedFile(range: range)
        var users: [(user: String, password: String)] = []
        switch file.readPasswords() {
        case .success(let list):
            users = list
        case .failure(let e):
            if !watch { throw ConfigFileSource.openFailure(p, name, e) }
            if e.errno != ENOENT { throw source.watchOpenFailure(p, e, at: range) }
            source.noteMissing(p, at: range)
        }
        return BasicAuthFile(file: file, users: users)
    }

    /// `user:hash` lines; leading blanks, `#` comments and lines without a colon skipped.
    static func parseHtpasswd(_ bytes: [UInt8]) -> [(user: String, password: String)] {
        var result: [(user: String, password: String)] = []
        for raw in bytes.split(separator: UInt8(ascii: "\n")) {
            let line = raw.drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
            guard let first = line.first, first != UInt8(ascii: "#"),
                  let colon = line.firstIndex(of: UInt8(ascii: ":")) else { continue }
            result.append((String(decoding: line[..<colon], as: UTF8.self),
                           String(decoding: line[(colon + 1)...], as: UTF8.self)))
        }
        return result
    }

    /// `ClientCert "file.pem"`: the file must be readable and hold a PEM certificate.
    /// Full X.509 decoding is left to the TLS layer.
    static func parseClientCert(_ p: ConfigParser) throws -> ClientCertificate {
        let tok = try p.string()
        let wd = try p.scanner.includeWorkDirectory(at: tok.range)
        let path = wd.resolve(tok.text)
        switch FileSystem.readFile(path) {
        case .success(let bytes):
            let text = String(decoding: bytes, as: UTF8.self)
            guard text.contains("-----BEGIN CERTIFICATE-----") || text.contains("-----BEGIN X509 CERTIFICATE-----")
                    || text.contains("-----BEGIN TRUSTED CERTIFICATE-----") else {
                throw p.fail("\(tok.text): can't load certificate: error:0480006C:PEM routines::no start line")
            }
            return ClientCertificate(path: path, pem: bytes)
        case .failure(let e):
            let shown = tok.text.hasPrefix("/") ? tok.text : wd.displayName(tok.text)
            throw p.fail("can't open \(shown): \(e)", at: tok.range)
        }
    }

    /// Pound's `parse_rate`: `N[/[M]UNIT]` with UNIT `s`, `ms` or `us`; the result is the
    /// number of nanoseconds per token.
    static func parseRate(_ p: ConfigParser) throws -> UInt64 {
        let tok = try p.anyToken()
        let text = Array(tok.kind == .newline ? "\n".utf8 : tok.text.utf8)
        var i = 0
        func digits() -> (UInt64?, Bool) {
            // strtoul: value, overflow flag.
            var v: UInt64 = 0
            var overflow = false
            let start = i
            while i < text.count, text[i] >= 48, text[i] <= 57 {
                let (m, o1) = v.multipliedReportingOverflow(by: 10)
                let (s, o2) = m.addingReportingOverflow(UInt64(text[i] - 48))
                if o1 || o2 { overflow = true }
                v = s
                i += 1
            }
            return (i == start ? nil : v, overflow)
        }
        while i < text.count, [32, 9, 10, 11, 12, 13].contains(text[i]) { i += 1 }
        let (rateValue, rateOverflow) = digits()
        guard let rate = rateValue, rate != 0, !rateOverflow else {
            throw p.fail("bad unsigned number")
        }
        if rateValue == nil { i = 0 }
        var interval: UInt64 = 1
        var multiplier: UInt64 = 1_000_000_000
        if i < text.count, text[i] == UInt8(ascii: "/") {
            i += 1
            if i < text.count, text[i] >= 48, text[i] <= 57 {
                let (n, overflow) = digits()
                guard let n, n != 0, !overflow else { throw p.fail("bad interval specifier") }
                interval = n
            }
            let unit = String(decoding: text[i...], as: UTF8.self).lowercased()
            switch unit {
            case "s": multiplier = 1_000_000_000
            case "ms": multiplier = 1_000_000
            case "us": multiplier = 1000
            default:
                var r = tok.range
                r.begin.column += i
                throw p.fail("bad interval specifier", at: r)
            }
        } else if i < text.count {
            throw p.fail("invalid rate")
        }
        let (product, overflow) = interval.multipliedReportingOverflow(by: multiplier)
        guard !overflow else { throw p.fail("effective rate is out of range") }
        let result = product / rate
        guard result != 0 else { throw p.fail("effective rate is 0") }
        return result
    }

    /// Pound's `pndlua_parse_closure`: a function name and string arguments up to the end
    /// of the line (which it consumes).
    static func parseLuaClosure(_ p: ConfigParser) throws -> LuaClosure {
        let name = try p.string()
        var args: [String] = []
        while true {
            let tok = try p.anyToken()
            if tok.kind == .string {
                args.append(tok.text)
            } else if tok.kind == .newline {
                break
            } else {
                throw p.fail("expected string or newline, but found \(tok.kind.description)")
            }
        }
        return LuaClosure(function: name.text, arguments: args, range: name.range)
    }
}

extension NamedCondition {
    /// Top-level `Condition "NAME" [AND|OR] ... End`.
    ///
    /// Generic over the section because it works on the parser's symbol tables directly:
    /// its body may refer to named ACLs and other conditions while it is being parsed.
    public static func statement<Section>() -> Statement<Section> {
        Statement("Condition") { p, _ in
            let name = try p.stringValue()
            let op = try ConditionGroup.parseOperator(p)
            var range = p.lastRange ?? .unset
            if let old = p.symbols.namedConditions[name] {
                p.diagnostics.error("\(name) redefined", at: p.lastRange)
                p.diagnostics.error("originally defined here", at: old.range)
                throw ConfigFailure()
            }
            let index = p.symbols.namedConditions.count
            var group = ConditionGroup(op: op)
            // Registered before the body, as in Pound.
            p.symbols.namedConditions[name] = NamedCondition(name: name, index: index, group: group, range: range)
            // How deep the body goes below this level, Evals included.
            let level = p.nestingDepth
            let deepestOutside = p.deepestNesting
            p.deepestNesting = level
            try p.parseSection(ConditionGroup.requestBlockTable, into: &group)
            let depth = p.deepestNesting - level
            p.deepestNesting = max(deepestOutside, p.deepestNesting)
            if let end = p.lastRange?.end { range.end = end }
            p.symbols.namedConditions[name] = NamedCondition(name: name, index: index, group: group, range: range,
                                                             depth: depth)
            return .ok
        }
    }
}
