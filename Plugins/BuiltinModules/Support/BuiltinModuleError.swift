/// Why a built-in module refuses its settings.
public enum BuiltinModuleError: Error, Equatable, CustomStringConvertible {
    /// COOKIE, URL and HEADER sessions need `ID` (Pound: "Session ID not defined").
    case sessionIDRequired(type: String)
    /// Cookie attributes (`Path`, `Domain`, ... as their `Session` keywords) configured for a
    /// session type that sets no cookie of its own (CookiePrefix rewrites the application's
    /// cookie, whose attributes the application chooses).
    case cookieAttributesUnused(type: String, attributes: [String])

    public var description: String {
        switch self {
        case .sessionIDRequired(let type): "Session ID not defined (session type \(type))"
        case .cookieAttributesUnused(let type, let attributes):
            "\(type) does not use \(attributes.joined(separator: ", ")): "
                + "the application sets its own cookie's attributes"
        }
    }
}
