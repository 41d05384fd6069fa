import PoundConfig

/// `Rewrite ... Else ... End` ready to run: the `Else` chain flattened into
/// alternatives, tried in order until one's condition holds (Pound's
/// `rewrite_rule_check`). An unconditional rule is one alternative whose condition
/// is the empty AND, which always holds.
struct CompiledRewriteRule: Sendable {
    struct Alternative: Sendable {
        let condition: CompiledCondition
        let steps: [RewriteStep]
    }

    let alternatives: [Alternative]

    /// What compiling needs besides the rule; collects what cannot be applied.
    final class BuildContext {
        let conditions: CompiledCondition.Context
        var unsupported: [String] = []
        init(conditions: CompiledCondition.Context) { self.conditions = conditions }
    }

    init(_ rule: RewriteRule, _ context: BuildContext) throws {
        var alternatives: [Alternative] = []
        var next: RewriteRule? = rule
        while let r = next {
            alternatives.append(Alternative(condition: try CompiledCondition(group: r.condition, context.conditions),
                                            steps: try r.operations.compactMap { try RewriteStep($0, context) }))
            next = r.otherwise
        }
        self.alternatives = alternatives
    }
}
