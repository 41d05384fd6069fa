/// A template the configuration cannot use.
public enum TemplateError: Error, Equatable, CustomStringConvertible {
    case unknownAccessor(template: String, accessor: String)

    public var description: String {
        switch self {
        case .unknownAccessor(let template, let accessor):
            "\"\(template)\": unknown request accessor \(accessor)"
        }
    }
}
