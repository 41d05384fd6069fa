// STUB: owned by the conditions helper; replaced with the full model.
/// A service's selection conditions (Pound's COND_BOOL): all must hold (AND) or any (OR).
public struct ConditionGroup: Sendable {
    public init() {}
}

/// A detached condition (`Condition "NAME" ... End`), used through `Eval`.
public struct NamedCondition: Sendable {}
