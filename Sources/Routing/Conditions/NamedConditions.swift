/// The named conditions (`Condition "NAME" ... End`) by their index, for `Eval`.
final class NamedConditions: Sendable {
    let conditions: [CompiledCondition]
    init(_ conditions: [CompiledCondition]) { self.conditions = conditions }
    static let none = NamedConditions([])
}
