/// Why a built-in module refuses its settings.
public enum BuiltinModuleError: Error, Equatable, CustomStringConvertible {
    /// COOKIE, URL and HEADER sessions need `ID` (Pound: "Session ID not defined").
    case sessionIDRequired(type: String)

    public var description: String {
        switch self {
        case .sessionIDRequired(let type): "Session ID not defined (session type \(type))"
        }
    }
}
