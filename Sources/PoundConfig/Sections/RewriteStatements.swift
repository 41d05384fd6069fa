import PoundRegex

extension RewriteRules {
    /// SetHeader, DeleteHeader, SetURL, SetPath, SetQuery, DeleteQuery, SetQueryParam,
    /// LuaModify and `Rewrite [request|response] ... End`. With `listener`, also the
    /// deprecated 2.x spellings (HeaderAdd/AddHeader, HeaderRemove/HeadRemove).
    public static func statements(listener: Bool) -> [Statement<RewriteRules>] {
        typealias S = Statement<RewriteRules>
        var list: [S] = []
        list.append(S("Rewrite") { p, rules in
            let tok = try p.anyToken()
            var response = false
            if tok.kind == .identifier {
                switch tok.text.lowercased() {
                case "response": response = true
                case "request": response = false
                default:
                    throw p.fail("expected response, request, or newline, but found \(tok.kind.description)")
                }
            } else {
                p.putBack(tok)
            }
            var rule = RewriteRule()
            try p.parseSection(response ? RewriteRule.responseTable : RewriteRule.requestTable, into: &rule)
            if response { rules.response.append(rule) } else { rules.request.append(rule) }
            return .ok
        })
        // Operations outside a Rewrite block join the last unconditional request rule.
        func direct(_ op: Statement<[RewriteOperation]>) -> S {
            let h = op.handler
            return S(op.name, deprecated: op.deprecation) { p, rules in
                if rules.request.last?.isUnconditional != true {
                    rules.request.append(RewriteRule())
                }
                let last = rules.request.count - 1
                return try h(p, &rules.request[last].operations)
            }
        }
        let ops = RewriteOperation.requestStatements
        for op in ops {
            list.append(direct(op))
            if listener && op.name == "SetHeader" {
                list.append(direct(.alias("HeaderAdd", of: "SetHeader", op.handler)))
                list.append(direct(.alias("AddHeader", of: "SetHeader", op.handler)))
            }
            if listener && op.name == "DeleteHeader" {
                let remove: Statement<[RewriteOperation]>.Handler = { p, ops in
                    ops.append(.deleteHeader(try RewriteOperation.parseHeaderPattern(
                        p, options: [.caseInsensitive, .multiline])))
                    return .ok
                }
                list.append(direct(Statement("HeaderRemove", deprecated: "use \"DeleteHeader\" instead", remove)))
                list.append(direct(Statement("HeadRemove", deprecated: "use \"DeleteHeader\" instead", remove)))
            }
        }
        return list
    }
}

extension RewriteRule {
    typealias S = Statement<RewriteRule>

    nonisolated(unsafe) static let requestTable = makeTable(response: false, isElse: false)
    nonisolated(unsafe) static let requestElseTable = makeTable(response: false, isElse: true)
    nonisolated(unsafe) static let responseTable = makeTable(response: true, isElse: false)
    nonisolated(unsafe) static let responseElseTable = makeTable(response: true, isElse: true)

    /// Pound's rewrite_rule_parsetab and friends: End, a nested Rewrite, Else, the
    /// conditions (into the rule's condition) and the operations (into its list).
    private static func makeTable(response: Bool, isElse: Bool) -> StatementTable<RewriteRule> {
        var list: [S] = []
        if isElse {
            // The End of an Else branch also ends the rule it belongs to: Pound pushes the
            // End back (after a newline) so the enclosing loop sees it too.
            list.append(S("End") { p, _ in
                if let end = p.lastRange {
                    p.putBack(Token(kind: .identifier, text: "End", range: end))
                    p.putBack(Token(kind: .newline, text: "\n", range: end))
                }
                return .end
            })
        } else {
            list.append(.end)
        }
        list.append(S("Rewrite") { p, rule in
            var sub = RewriteRule()
            try p.parseSection(response ? responseTable : requestTable, into: &sub)
            rule.operations.append(.rule(sub))
            return .ok
        })
        list.append(S("Else") { p, rule in
            var sub = RewriteRule()
            // Pound's response Else tables send a nested Else to the request table.
            let table = response && !isElse ? responseElseTable : requestElseTable
            try p.parseSection(table, into: &sub)
            rule.otherwise = sub
            return .ok
        })
        let conditions = response ? ConditionGroup.responseStatements() : ConditionGroup.statements()
        list += conditions.map { $0.lifted(\RewriteRule.condition) }
        let ops = response ? RewriteOperation.responseStatements : RewriteOperation.requestStatements
        list += ops.map { $0.lifted(\RewriteRule.operations) }
        return StatementTable(list)
    }
}

extension RewriteOperation {
    typealias S = Statement<[RewriteOperation]>

    nonisolated(unsafe) static let requestStatements: [S] = makeStatements(response: false)
    nonisolated(unsafe) static let responseStatements: [S] = makeStatements(response: true)

    private static func makeStatements(response: Bool) -> [S] {
        var list: [S] = []
        list.append(S("SetHeader") { p, ops in ops.append(.setHeader(try p.stringValue())); return .ok })
        list.append(S("DeleteHeader") { p, ops in
            ops.append(.deleteHeader(try parseHeaderPattern(p, options: p.defaults.ignoreCase ? .caseInsensitive : [])))
            return .ok
        })
        if !response {
            list.append(S("SetURL") { p, ops in ops.append(.setURL(try p.stringValue())); return .ok })
            list.append(S("SetPath") { p, ops in
                let encode = try parseEncodeOption(p)
                ops.append(.setPath(try p.stringValue(), encode: encode))
                return .ok
            })
            list.append(S("SetQuery") { p, ops in ops.append(.setQuery(try p.stringValue())); return .ok })
            list.append(S("DeleteQuery") { _, ops in ops.append(.deleteQuery); return .ok })
            list.append(S("SetQueryParam") { p, ops in
                var encode = try parseEncodeOption(p)
                let name = try p.stringValue()
                // -encode may also follow the name.
                if try parseEncodeOption(p) { encode = true }
                let tok = try p.anyToken()
                switch tok.kind {
                case .newline:
                    ops.append(.setQueryParam(name: name, value: nil, encode: encode))
                    return .okNoNewline
                case .string:
                    ops.append(.setQueryParam(name: name, value: tok.text, encode: encode))
                    return .ok
                default:
                    throw p.fail("expected string, but found \(tok.kind.description)")
                }
            })
        }
        list.append(S("LuaModify") { p, ops in
            ops.append(.lua(try ConditionGroup.parseLuaClosure(p)))
            return .okNoNewline
        })
        return list
    }

    /// `-encode`, if present (Pound's `parse_encode_option`).
    static func parseEncodeOption(_ p: ConfigParser) throws -> Bool {
        try p.option([("encode", false)]) != nil
    }

    /// Pound's `parse_regex_compat`: match-type options without -file/-tag, then a
    /// pattern, compiled with the running RegexType.
    static func parseHeaderPattern(_ p: ConfigParser, options: PatternOptions) throws -> Pattern {
        let mode = try ConditionGroup.parseMatchMode(p, kind: p.defaults.regexType, options: options,
                                                    fileOptions: false, decode: nil)
        let tok = try p.string()
        guard let pattern = ConditionGroup.compile(p, tok.text, kind: mode.kind, options: mode.options,
                                                   at: tok.range) else {
            throw ConfigFailure()
        }
        return pattern
    }
}
