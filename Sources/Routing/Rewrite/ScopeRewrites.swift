import PoundConfig

/// A listener's or service's request and response modification rules, compiled
/// once at start-up.
public struct ScopeRewrites: Sendable {
    public let request: RewriteProgram
    public let response: RewriteProgram

    public static let none = ScopeRewrites()

    private init() {
        request = RewriteProgram()
        response = RewriteProgram()
    }

    init(_ rules: RewriteRules, named: NamedConditions, context: CompiledCondition.Context) throws {
        let build = CompiledRewriteRule.BuildContext(conditions: context)
        request = try RewriteProgram(rules.request, named: named, context: build)
        response = try RewriteProgram(rules.response, named: named, context: build)
    }
}
