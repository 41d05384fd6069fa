import HTTPWire
import PoundConfig

/// One scope's rules for one direction, applied in config order (Pound's
/// `rewrite_apply_rules`). Listener rules run before the service's on requests and
/// after them on responses; the caller keeps that order.
public struct RewriteProgram: Sendable {
    let rules: [CompiledRewriteRule]
    let named: NamedConditions

    init() {
        rules = []
        named = .none
    }

    init(_ rules: [RewriteRule], named: NamedConditions, context: CompiledRewriteRule.BuildContext) throws {
        self.rules = try rules.map { try CompiledRewriteRule($0, context) }
        self.named = named
    }

    public var isEmpty: Bool { rules.isEmpty }

    /// Modifies the request. False when an operation failed (an expansion error, a
    /// `SetHeader` that does not make a header line): Pound stops there and answers
    /// 500, and `request.warnings` says why.
    public func apply(to request: inout RoutingRequest) -> Bool {
        rules.allSatisfy { run($0, &request, response: false) }
    }

    /// Modifies response headers. Conditions look at `headers`; expansions still
    /// read the request (Pound's accessors always do), and matches join the
    /// request's capture queue, so `$1` can refer to a service condition.
    public func apply(to headers: inout HTTPHeaders, request: inout RoutingRequest) -> Bool {
        guard !rules.isEmpty else { return true }
        // Moved, not copied, so edits do not trigger copy-on-write.
        request.responseHeaders = headers
        headers = HTTPHeaders()
        let ok = rules.allSatisfy { run($0, &request, response: true) }
        headers = request.responseHeaders.take() ?? HTTPHeaders()
        return ok
    }

    /// Recurses once per nested `Rewrite` block (at most `ConfigParser.nestingLimit`
    /// levels), so nested rules are handled here and every other step in `perform`,
    /// keeping each level's frame small.
    private func run(_ rule: CompiledRewriteRule, _ request: inout RoutingRequest, response: Bool) -> Bool {
        // A condition that fails to evaluate counts as false, as in Pound.
        for alternative in rule.alternatives where alternative.condition.evaluate(&request, named) == .yes {
            for step in alternative.steps {
                if case .rule(let inner) = step {
                    guard run(inner, &request, response: response) else { return false }
                } else {
                    guard perform(step, &request, response: response) else { return false }
                }
            }
            return true
        }
        return true
    }

    @inline(never)
    private func perform(_ step: RewriteStep, _ request: inout RoutingRequest, response: Bool) -> Bool {
        switch step {
        case .rule:
            preconditionFailure("nested rules are run by run(_:_:response:)")
        case .script(let call):
            return call.run(response ? .modifyResponse : .modifyRequest, &request) != nil
        case .deleteHeader(let pattern):
            Self.editHeaders(&request, response: response) { $0.fields.removeAll { pattern.matches($0.line) } }
            return true
        case .setHeader(let template):
            guard let line = Self.expand(template, step.what, &request),
                  let (name, value) = Self.headerLine(line) else { return false }
            Self.editHeaders(&request, response: response) { $0.replaceOrAppend(name, value) }
            return true
        case .setURL(let template):
            guard let url = Self.expand(template, step.what, &request) else { return false }
            request.head.uri = url
        case .setPath(let template, let encode):
            guard let path = Self.expand(template, step.what, &request, encode: encode ? "/" : nil) else { return false }
            request.head.uri = path + (request.head.query.map { "?" + $0 } ?? "")
        case .setQuery(let template):
            guard let query = Self.expand(template, step.what, &request) else { return false }
            request.head.uri = String(request.head.path) + "?" + query
        case .deleteQuery:
            request.head.uri = String(request.head.path)
        case .setQueryParam(let name, let template, let encode):
            var value: String?
            if let template {
                guard let v = Self.expand(template, step.what, &request, encode: encode ? "" : nil) else { return false }
                value = v
            }
            request.head.uri = QueryParameters.set(name, to: value, in: request.head.uri)
        }
        return true
    }

    private static func editHeaders(_ request: inout RoutingRequest, response: Bool, _ edit: (inout HTTPHeaders) -> Void) {
        if response, var headers = request.responseHeaders.take() {
            edit(&headers)
            request.responseHeaders = headers
        } else {
            edit(&request.head.headers)
        }
    }

    /// The expansion, or nil after recording Pound's warnings. With `encode`, the
    /// result is percent-encoded keeping those characters (`-encode`).
    private static func expand(_ template: Template, _ what: String, _ request: inout RoutingRequest,
                               encode keeping: StaticString? = nil) -> String? {
        let e = template.expansion(request, what: what)
        request.warnings += e.warnings
        guard e.succeeded else {
            request.warnings += e.errors
            return nil
        }
        guard let keeping else { return e.text }
        var out: [UInt8] = []
        RequestURI.percentEncode(e.text.utf8, into: &out, keeping: keeping)
        return String(decoding: out, as: UTF8.self)
    }

    /// `Name: value` split as Pound's header parser does; nil when it is not a
    /// header line (no colon, or an empty or blank-containing name).
    static func headerLine(_ line: String) -> (String, String)? {
        guard let colon = line.firstIndex(of: ":") else { return nil }
        let name = line[..<colon]
        guard !name.isEmpty, !name.contains(where: { $0 == " " || $0 == "\t" }) else { return nil }
        let value = line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
        return (String(name), String(value))
    }
}
