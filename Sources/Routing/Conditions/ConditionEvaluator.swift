import HTTPWire
import PoundRegex

extension CompiledCondition {
    /// Marks a named condition under evaluation, so a condition that `Eval`s itself
    /// fails instead of recursing forever (Pound would overflow its stack).
    private static let evaluating: UInt8 = 4

    /// Evaluates the condition as Pound's `match_cond` does, recording matches in
    /// `request.captures`.
    ///
    /// Groups, `Not` and `Eval` recurse, as deep as the configuration nests (at most
    /// `ConfigParser.nestingLimit` levels, `Eval`s included). Only they are handled
    /// here, so that each level costs a small frame; the tests are in `test(_:)`.
    func evaluate(_ request: inout RoutingRequest, _ named: NamedConditions) -> MatchResult {
        switch self {
        case .all(let parts):
            var r = MatchResult.yes
            for part in parts {
                r = part.evaluate(&request, named)
                if r != .yes { return r }
            }
            return r

        case .any(let parts):
            // An empty OR is true in Pound (its result starts as 1).
            var r = MatchResult.yes
            for part in parts {
                r = part.evaluate(&request, named)
                if r != .no { return r }
            }
            return r

        case .not(let inner):
            switch inner.evaluate(&request, named) {
            case .yes: return .no
            case .no: return .yes
            case .error: return .error
            }

        case .eval(let index):
            return Self.evaluate(named: index, &request, named)

        default:
            return test(&request)
        }
    }

    /// `Eval`: a named condition, evaluated once per request.
    @inline(never)
    private static func evaluate(named index: Int, _ request: inout RoutingRequest,
                                 _ named: NamedConditions) -> MatchResult {
        guard index >= 0, index < named.conditions.count else { return .error }
        if request.evalResults.count <= index {
            request.evalResults += Array(repeating: 0, count: named.conditions.count - request.evalResults.count)
        }
        let cached = request.evalResults[index]
        if cached == evaluating { return .error }
        if let r = MatchResult(rawValue: cached) { return r }
        // Matches made inside a named condition are not visible outside it.
        let saved = request.captures
        request.captures = CaptureQueue()
        request.evalResults[index] = evaluating
        let r = named.conditions[index].evaluate(&request, named)
        request.evalResults[index] = r.rawValue
        request.captures = saved
        return r
    }

    /// The conditions that do not nest.
    @inline(never)
    private func test(_ request: inout RoutingRequest) -> MatchResult {
        switch self {
        case .all, .any, .not, .eval:
            preconditionFailure("nested conditions are evaluated by evaluate(_:_:)")

        case .pattern(let test):
            return Self.evaluate(test.subject, CollectionOfOne(test.pattern), tag: test.tag, decode: test.decode, &request)

        case .patternList(let list):
            let patterns = list.patterns.current
            if patterns.isEmpty { return list.watched ? .no : .yes }
            return Self.evaluate(list.subject, patterns, tag: list.tag, decode: false, &request)

        case .acl(let acl, let forwarded):
            let bytes = forwarded ? ForwardedAddress.resolve(request, forwarded: true).bytes : request.client.bytes
            guard let address = NumericIP.aclBytes(bytes) else { return .error }
            return MatchResult(acl.current.contains(address))

        case .basicAuth(let file):
            switch BasicCredentials.parse(request.head.headers) {
            case .none: return .no
            case .invalid: return .error
            case .credentials(let c): return MatchResult(file.current.verify(user: c.user, password: c.password))
            }

        case .clientCertificate(let expected):
            return MatchResult(request.clientCertificate == expected)

        case .unavailable:
            return .no

        case .script(let call):
            guard let result = call.run(.match, &request) else { return .error }
            return MatchResult(result)

        case .tokenBucket(let table, let template):
            let key = template.expansion(request, what: "tbf")
            request.warnings += key.warnings
            guard key.succeeded else {
                request.warnings += key.errors
                return .error
            }
            guard let passed = table.take(key.text) else { return .error }
            return MatchResult(passed)

        }
    }

    /// One pattern condition, or the OR of a file's patterns over the same subject
    /// (each pattern scanning the subject, then the next pattern, as Pound's list of
    /// sub-conditions does).
    private static func evaluate<P: Collection<Pattern>>(_ subject: Subject, _ patterns: P, tag: String?,
                                                         decode: Bool, _ request: inout RoutingRequest) -> MatchResult {
        var found: (PatternMatch, [UInt8])?
        switch subject {
        case .url:
            found = firstMatch(patterns, Substring(request.head.uri), decode: false)
        case .path:
            found = firstMatch(patterns, RequestURI.path(request.head.uri), decode: decode)
        case .query:
            guard let q = RequestURI.query(request.head.uri) else { return .no }
            found = firstMatch(patterns, q, decode: false)
        case .method:
            found = firstMatch(patterns, Substring(request.head.method), decode: false)
        case .queryParam(let name):
            guard case .value(let v) = RequestURI.parameter(name, inURI: request.head.uri) else { return .no }
            found = firstMatch(patterns, v, decode: decode)
        case .string(let template):
            let e = template.expansion(request, what: "string_match")
            request.warnings += e.warnings
            guard e.succeeded else {
                request.warnings += e.errors
                return .error
            }
            found = firstMatch(patterns, Substring(e.text), decode: false)
        case .headerLine:
            // Whole "Name: value" lines, as HeadRequire and `Header "regex"` see them.
            let headers = request.responseHeaders ?? request.head.headers
            outer: for pattern in patterns {
                for field in headers.fields {
                    if let m = matchLine(pattern, field) { found = m; break outer }
                }
            }
        case .header(let name):
            let headers = request.responseHeaders ?? request.head.headers
            outer: for pattern in patterns {
                for field in headers.fields where field.hasName(name) {
                    if let m = firstMatch(CollectionOfOne(pattern), Substring(field.value), decode: false) { found = m; break outer }
                }
            }
        }
        guard let (match, bytes) = found else { return .no }
        request.captures.push(Capture(subject: bytes, groups: match.groups, tag: tag))
        return .yes
    }

    private static func firstMatch<P: Collection<Pattern>>(_ patterns: P, _ text: Substring,
                                                           decode: Bool) -> (PatternMatch, [UInt8])? {
        if decode {
            let bytes = RequestURI.percentDecode(text.utf8)
            for p in patterns {
                if let m = p.firstMatch(in: bytes) { return (m, Self.cString(bytes)) }
            }
            return nil
        }
        var t = text
        return t.withUTF8 { buf -> (PatternMatch, [UInt8])? in
            let raw = UnsafeRawBufferPointer(buf)
            for p in patterns {
                if let m = p.firstMatch(in: raw) { return (m, Self.cString(buf)) }
            }
            return nil
        }
    }

    /// Matches `Name: value` built on the stack (no String per header).
    private static func matchLine(_ pattern: Pattern, _ field: HTTPHeaderField) -> (PatternMatch, [UInt8])? {
        let name = field.name.utf8
        let value = field.value.utf8
        let count = name.count + 2 + value.count
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: count) { buf -> (PatternMatch, [UInt8])? in
            var i = 0
            for c in name { buf[i] = c; i += 1 }
            buf[i] = UInt8(ascii: ":"); buf[i + 1] = UInt8(ascii: " "); i += 2
            for c in value { buf[i] = c; i += 1 }
            let line = UnsafeBufferPointer(buf)
            guard let m = pattern.firstMatch(in: UnsafeRawBufferPointer(line)) else { return nil }
            return (m, Self.cString(line))
        }
    }

    /// The subject as Pound keeps it (`strdup`): up to the first NUL.
    private static func cString<C: Collection<UInt8>>(_ bytes: C) -> [UInt8] {
        if let nul = bytes.firstIndex(of: 0) { return Array(bytes[..<nul]) }
        return Array(bytes)
    }
}
