/// The kinds of token Pound's scanner produces.
public enum TokenKind: Sendable, Hashable {
    case identifier
    case number
    case string
    case literal
    case newline
    case endOfFile
    /// A malformed token whose diagnostic has already been issued.
    case error

    /// Pound's wording for the kind, used in "expected X, but found Y".
    public var description: String {
        switch self {
        case .identifier: "identifier"
        case .string: "quoted string"
        case .number: "number"
        case .literal: "literal"
        case .newline: "end of line"
        case .endOfFile: "end of file"
        case .error: "error"
        }
    }
}

/// A set of acceptable token kinds; formats as Pound's "a, b or c" list.
public struct TokenMask: OptionSet, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let identifier = TokenMask(rawValue: 1)
    public static let number = TokenMask(rawValue: 2)
    public static let string = TokenMask(rawValue: 4)
    public static let literal = TokenMask(rawValue: 8)
    /// Pound's T_UNQ: anything written without quotes.
    public static let unquoted: TokenMask = [.identifier, .number, .literal]

    public func accepts(_ kind: TokenKind) -> Bool {
        switch kind {
        case .identifier: contains(.identifier)
        case .number: contains(.number)
        case .string: contains(.string)
        case .literal: contains(.literal)
        default: false
        }
    }

    /// The order is Pound's token numbering: identifier, number, quoted string, literal.
    public var description: String {
        let names: [(TokenMask, String)] = [
            (.identifier, "identifier"), (.number, "number"),
            (.string, "quoted string"), (.literal, "literal"),
        ]
        let present = names.filter { contains($0.0) }.map(\.1)
        guard let last = present.last else { return "" }
        if present.count == 1 { return last }
        return present.dropLast().joined(separator: ", ") + " or " + last
    }
}

public struct Token: Sendable, Hashable {
    public var kind: TokenKind
    public var text: String
    public var range: LocusRange

    public init(kind: TokenKind, text: String = "", range: LocusRange) {
        self.kind = kind
        self.text = text
        self.range = range
    }
}
