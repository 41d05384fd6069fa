import PoundConfig

/// A `LuaMatch`, `LuaModify` or `LuaBackend` statement ready to run: the function
/// resolved, the arguments parsed once as templates (Pound expands back-references
/// and request accessors in them at each call).
public struct ScriptCall: Sendable {
    public let function: ScriptFunction
    let arguments: [Template]

    init(function: String, arguments: [String], range: LocusRange, engine: (any ScriptEngine)?) throws {
        guard let engine else { throw ScriptFunctionUndefined(name: function, range: range) }
        self.function = try engine.resolve(function, at: range)
        self.arguments = try arguments.map { try Template($0, unknownAccessors: .literal) }
    }

    public init(_ call: Backend.LuaCall, engine: (any ScriptEngine)?) throws {
        try self.init(function: call.function, arguments: call.arguments, range: call.range, engine: engine)
    }

    init(_ closure: LuaClosure, engine: (any ScriptEngine)?) throws {
        try self.init(function: closure.function, arguments: closure.arguments, range: closure.range, engine: engine)
    }

    /// Runs the call for `request`: true/false for a condition, true for a
    /// modification that worked, nil when an argument could not be expanded or
    /// the function failed (the reason is in `request.warnings`).
    public func run(_ kind: ScriptCallKind, _ request: inout RoutingRequest) -> Bool? {
        guard let scripts = request.scripts else {
            request.warn("\(function.range): Lua is not available for this request")
            return nil
        }
        var values: [String] = []
        values.reserveCapacity(arguments.count)
        for template in arguments {
            let e = template.expansion(request, what: "Lua argument")
            request.warnings += e.warnings
            guard e.succeeded else {
                request.warnings += e.errors
                return nil
            }
            values.append(e.text)
        }
        return scripts.runner.call(function, kind: kind, arguments: values, request: &request, scripts: scripts)
    }
}
