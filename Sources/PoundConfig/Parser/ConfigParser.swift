/// How deprecated statements are treated (`-W [no-]warn-deprecated`).
public enum DeprecationMode: Sendable {
    case allow, warn, reject
}

/// The section loop and the value readers every statement handler uses.
///
/// The loop mirrors Pound's: a keyword is looked up in the section's table (then among
/// the statements valid everywhere, i.e. `Include`), its handler reads its arguments, and
/// the rest of the line must be empty. The first error stops everything: Pound reports
/// it and exits, so later errors are never shown.
public final class ConfigParser {
    public let scanner: Scanner
    public let diagnostics: Diagnostics
    public var deprecationMode: DeprecationMode
    /// Settings that statements parsed so far establish for the ones that follow
    /// (RegexType, IgnoreCase, default timeouts...).
    public var defaults = ParseDefaults()
    public let features: Features
    /// Named ACLs, conditions, backends, constants and log formats declared so far.
    public var symbols = SymbolTables()

    /// How deeply sections may nest, counting every enclosing section (`ListenHTTP`,
    /// `Service`, `Match`, `Not`, `Rewrite`, `Else`, `Condition`...) and, for `Eval`,
    /// the depth of the named condition it evaluates. Beyond it the parser reports
    /// `nesting too deep` at the keyword opening the level too many.
    ///
    /// Pound 4.23 has no limit (it accepts 20,000 levels). Pounce has one because
    /// parsing, compiling, evaluating and freeing conditions and rewrite rules recurse
    /// once per level, and nothing else bounds them: without it 10,000 levels overflow
    /// the stack. In a debug build 256 levels take about 1.25 MiB of stack to parse (on
    /// the 8 MiB main thread) and at most 320 KiB to evaluate (on event-loop threads,
    /// which glibc gives 8 MiB, or 2 MiB when the stack size is unlimited);
    /// RoutingTests' NestingDepthTests measure both.
    public static let nestingLimit = 256

    /// How many sections enclose the statement being parsed (the top level is 0).
    public private(set) var nestingDepth = 0
    /// The deepest level reached so far, with `Eval`s counted as the depth they add;
    /// `Condition` uses it to learn how deep its body goes.
    var deepestNesting = 0
    /// The keyword of the statement whose handler is running: where `nesting too
    /// deep` points when that handler opens a section too many.
    private var statementRange: LocusRange?

    /// Notes that the current statement reaches `extra` levels below the current one
    /// (a section it opens, or the named condition an `Eval` runs), refusing it when
    /// that goes beyond `nestingLimit`.
    public func reachNesting(_ extra: Int) throws {
        let depth = nestingDepth + extra
        guard depth <= Self.nestingLimit else {
            throw fail("nesting too deep", at: statementRange ?? lastRange)
        }
        deepestNesting = max(deepestNesting, depth)
    }

    public init(scanner: Scanner, diagnostics: Diagnostics, features: Features) {
        self.scanner = scanner
        self.diagnostics = diagnostics
        self.features = features
        self.deprecationMode = features.warnDeprecated ? .warn : .allow
    }

    // MARK: - Errors

    /// The last token's location (Pound's `conf_error`).
    public var lastRange: LocusRange? { scanner.lastTokenRange }

    /// Reports an error at the last token and returns the failure to throw.
    public func fail(_ message: String) -> ConfigFailure {
        diagnostics.error(message, at: lastRange)
        return ConfigFailure()
    }

    public func fail(_ message: String, at range: LocusRange?) -> ConfigFailure {
        diagnostics.error(message, at: range)
        return ConfigFailure()
    }

    public func warn(_ message: String, at range: LocusRange? = nil) {
        diagnostics.warning(message, at: range ?? lastRange)
    }

    // MARK: - Sections

    /// Parses statements into `section` until `End` (or end of file at top level).
    /// Returns the section's span: from the last token before it to its `End`.
    @discardableResult
    public func parseSection<S>(_ table: StatementTable<S>, into section: inout S,
                                singleStatement: Bool = false) throws -> LocusRange {
        var range = LocusRange(begin: lastRange?.begin ?? .unset)
        // Sections nest by recursion (here and in the handlers), so the depth is
        // bounded before it can exhaust the stack, here or when the result is
        // compiled, evaluated or freed.
        if !table.isTopLevel {
            try reachNesting(1)
            nestingDepth += 1
        }
        let outerStatement = statementRange
        defer {
            if !table.isTopLevel { nestingDepth -= 1 }
            statementRange = outerStatement
        }
        while true {
            let tok = scanner.next()
            switch tok.kind {
            case .endOfFile:
                if table.isTopLevel { return range }
                diagnostics.error("unexpected end of file", at: LocusRange(begin: range.begin))
                throw ConfigFailure()
            case .error:
                throw ConfigFailure()
            default:
                break
            }
            range.end = lastRange?.end ?? .unset

            guard tok.kind == .identifier else {
                if tok.kind != .newline {
                    // Pound reports this and carries on with the next token.
                    diagnostics.error("syntax error", at: tok.range)
                }
                continue
            }
            let statement: Statement<S>
            if let s = table.lookup(tok.text) {
                statement = s
            } else if !singleStatement, tok.text.lowercased() == "include" {
                statement = Statement("Include") { (p, _: inout S) throws in
                    let name = try p.string()
                    try p.scanner.include(name.text, at: name.range)
                    return .okNoNewline
                }
            } else {
                diagnostics.error("unrecognized keyword", at: tok.range)
                throw ConfigFailure()
            }
            if let message = statement.deprecation {
                switch deprecationMode {
                case .allow: break
                case .warn: warn("deprecated statement, " + message)
                case .reject: throw fail("deprecated statement, " + message)
                }
            }
            statementRange = tok.range
            switch try statement.handler(self, &section) {
            case .ok:
                let after = scanner.next()
                if after.kind == .error { throw ConfigFailure() }
                if after.kind != .newline && after.kind != .endOfFile {
                    throw fail("unexpected \(after.kind.description)")
                }
                if singleStatement { return range }
            case .okNoNewline:
                if singleStatement { return range }
            case .end:
                return range
            }
        }
    }

    // MARK: - Tokens

    public func next() -> Token { scanner.next() }
    public func putBack(_ token: Token) { scanner.putBack(token) }

    /// The next token, which must be of a kind in `mask` (Pound's `gettkn_expect_mask`).
    public func expect(_ mask: TokenMask) throws -> Token {
        let tok = scanner.next()
        switch tok.kind {
        case .endOfFile:
            throw fail("unexpected end of file")
        case .error:
            throw ConfigFailure()
        default:
            guard mask.accepts(tok.kind) else {
                throw fail("expected \(mask.description), but found \(tok.kind.description)")
            }
            return tok
        }
    }

    /// Any token including end of line (Pound's `gettkn_any`).
    public func anyToken() throws -> Token {
        let tok = scanner.next()
        switch tok.kind {
        case .endOfFile: throw fail("unexpected end of file")
        case .error: throw ConfigFailure()
        default: return tok
        }
    }

    /// The next token if it is a quoted string; otherwise it is put back.
    public func optionalString() throws -> Token? {
        let tok = try anyToken()
        if tok.kind == .string { return tok }
        putBack(tok)
        return nil
    }

    // MARK: - Values

    public func string() throws -> Token {
        try expect(.string)
    }

    public func stringValue() throws -> String {
        try expect(.string).text
    }

    public func bool() throws -> Bool {
        let tok = try expect(.unquoted)
        switch tok.text {
        case "1", "yes", "true", "on": return true
        case "0", "no", "false", "off": return false
        default:
            diagnostics.error("not a boolean value", at: lastRange)
            diagnostics.error("valid booleans are: 1, yes, true, on for true value, and 0, no, false, off for false value", at: lastRange)
            throw ConfigFailure()
        }
    }

    /// Pound's `cfg_assign_unsigned_min`: a decimal fitting in 32 bits, at least `min`.
    public func unsigned(min: UInt32 = 0, clampToMin: Bool = false) throws -> Int {
        let tok = try expect(.number)
        guard let n = UInt32(tok.text) else { throw fail("bad unsigned number") }
        if n < min {
            if clampToMin { return Int(min) }
            throw fail("value out of allowed range (>= \(min))")
        }
        return Int(n)
    }

    /// Seconds (Pound's `cfg_assign_timeout`).
    public func timeout() throws -> Int {
        try unsigned()
    }

    public func int() throws -> Int {
        let tok = try expect(.number)
        guard let n = Int32(tok.text) else { throw fail("bad integer number") }
        return Int(n)
    }

    /// Pound's `cfg_assign_int_range`; a negative bound means "no bound".
    public func int(in min: Int, _ max: Int) throws -> Int {
        let n = try int()
        if (min >= 0 && n < min) || (max > 0 && n > max) {
            if min < 0 { throw fail("value out of allowed range (<= \(max))") }
            if max < 0 { throw fail("value out of allowed range (>= \(min))") }
            throw fail("value out of allowed range (\(min)..\(max))")
        }
        return n
    }

    public func size() throws -> Int {
        let tok = try expect(.number)
        guard let n = Int(tok.text), n >= 0 else { throw fail("bad size number") }
        return n
    }

    /// An octal file mode (Control's `Mode`).
    public func fileMode() throws -> Int {
        let tok = try expect(.number)
        guard let n = Int(tok.text, radix: 8), n <= 0o777 else {
            throw fail("invalid file mode", at: tok.range)
        }
        return n
    }

    /// A keyword from `table` (exact spelling, as Pound's `kw_to_tok` without case folding).
    public func keyword<T>(_ token: Token, in table: [(String, T)], what: String,
                           caseInsensitive: Bool = false) throws -> T {
        for (name, value) in table {
            if caseInsensitive ? name.lowercased() == token.text.lowercased() : name == token.text {
                return value
            }
        }
        throw fail("unrecognized \(what)")
    }

    /// Pound's `gettok_option`: a `-name` literal from `options`, or nil (token put back)
    /// when the next token is not an option. Returns the option and its string argument.
    public func option(_ options: [(name: String, takesArgument: Bool)]) throws -> (name: String, argument: String?)? {
        let tok = try anyToken()
        guard tok.kind == .literal, tok.text.hasPrefix("-") else {
            putBack(tok)
            return nil
        }
        let name = String(tok.text.dropFirst())
        guard let opt = options.first(where: { $0.name == name }) else {
            throw fail("unexpected token: \(tok.text)")
        }
        if opt.takesArgument {
            return (opt.name, try stringValue())
        }
        return (opt.name, nil)
    }
}
