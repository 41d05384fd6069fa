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

    /// What compiling needs besides the rule.
    struct BuildContext {
        let conditions: CompiledCondition.Context
    }

    init(_ rule: RewriteRule, _ context: BuildContext) throws {
        var alternatives: [Alternative] = []
        var next: RewriteRule? = rule
        while let r = next {
            alternatives.append(Alternative(condition: try CompiledCondition(group: r.condition, context.conditions),
                                            steps: try r.operations.map { try RewriteStep($0, context) }))
            next = r.otherwise
        }
        self.alternatives = alternatives
    }
}
