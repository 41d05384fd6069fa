/// Typed reads of the control tree for the metrics walk.
extension ControlJSON {
    func member(_ name: String) -> ControlJSON? {
        if case .object(let members) = self { return members[name] }
        return nil
    }

    var numberValue: Double? {
        if case .number(let n) = self { return n }
        return nil
    }

    var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }
}
