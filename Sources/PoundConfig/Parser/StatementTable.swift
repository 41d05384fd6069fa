/// What a statement handler tells the section loop.
public enum StatementOutcome: Sendable {
    /// The statement is complete; the rest of the line must be empty.
    case ok
    /// The handler consumed the end of line itself (nested sections, Include).
    case okNoNewline
    /// `End`: the section is finished.
    case end
}

/// One keyword of a section: its name, how to parse it, and whether it is deprecated.
///
/// `Section` is the model value the section builds; handlers mutate it in place.
public struct Statement<Section> {
    public typealias Handler = (ConfigParser, inout Section) throws -> StatementOutcome

    public let name: String
    /// The warning Pound prints after `warning: deprecated statement, `, if any.
    public let deprecation: String?
    public let handler: Handler

    public init(_ name: String, deprecated: String? = nil, _ handler: @escaping Handler) {
        self.name = name
        self.deprecation = deprecated
        self.handler = handler
    }

    /// A deprecated spelling of `canonical`: `use "Canonical" instead`.
    public static func alias(_ name: String, of canonical: String, _ handler: @escaping Handler) -> Statement {
        Statement(name, deprecated: "use \"\(canonical)\" instead", handler)
    }

    /// Re-targets a statement of a component section (e.g. a condition) at a path in this one.
    public func lifted<Outer>(_ path: WritableKeyPath<Outer, Section>) -> Statement<Outer> {
        let h = handler
        return Statement<Outer>(name, deprecated: deprecation) { (p, outer: inout Outer) throws in
            try h(p, &outer[keyPath: path])
        }
    }

    public static var end: Statement {
        Statement("End") { _, _ in .end }
    }
}

/// A section's keywords, looked up case-insensitively in declaration order.
public struct StatementTable<Section> {
    public var statements: [Statement<Section>]
    /// The top level ends at end of file; every other section needs `End`.
    public var isTopLevel: Bool
    private var index: [String: Int] = [:]

    public init(topLevel: Bool = false, _ statements: [Statement<Section>]) {
        self.statements = statements
        self.isTopLevel = topLevel
        for (i, s) in statements.enumerated() where index[s.name.lowercased()] == nil {
            index[s.name.lowercased()] = i
        }
    }

    public func lookup(_ keyword: String) -> Statement<Section>? {
        index[keyword.lowercased()].map { statements[$0] }
    }

    public func lifted<Outer>(_ path: WritableKeyPath<Outer, Section>) -> [Statement<Outer>] {
        statements.map { $0.lifted(path) }
    }
}
