import PoundRegex

/// Request and response modification rules of a listener or service, in config order.
public struct RewriteRules: Sendable {
    public var request: [RewriteRule] = []
    public var response: [RewriteRule] = []
    public init() {}

    public var isEmpty: Bool { request.isEmpty && response.isEmpty }
}

/// `Rewrite ... [Else ...] End`: when `condition` holds, apply `operations` in order,
/// otherwise the `Else` branch (itself a rule, so `Else` chains behave as else-if).
///
/// Operations written directly in a service or listener land in an unconditional rule,
/// exactly where Pound puts them, so ordering relative to `Rewrite` blocks is kept.
public struct RewriteRule: Sendable {
    public var condition = ConditionGroup()
    public var operations: [RewriteOperation] = []
    // An array so the struct can hold itself; at most one element.
    private var elseStorage: [RewriteRule] = []

    public init() {}

    public var otherwise: RewriteRule? {
        get { elseStorage.first }
        set { elseStorage = newValue.map { [$0] } ?? [] }
    }

    /// Pound appends service-level operations to the last rule when it has no condition.
    var isUnconditional: Bool { condition.isEmpty }
}

/// One modification. Strings are templates expanded per request ($N, %[...]).
public indirect enum RewriteOperation: Sendable {
    /// `SetHeader "Name: value"` (replaces an existing header of that name).
    case setHeader(String)
    /// `DeleteHeader "regex"`: removes every header line the pattern matches.
    case deleteHeader(Pattern)
    case setURL(String)
    /// `SetPath [-encode] "path"`: with encode, the expansion is percent-encoded.
    case setPath(String, encode: Bool)
    case setQuery(String)
    case deleteQuery
    /// `SetQueryParam [-encode] "name" ["value"]`; a nil value deletes the parameter.
    case setQueryParam(name: String, value: String?, encode: Bool)
    case lua(LuaClosure)
    /// A nested `Rewrite ... End` block.
    case rule(RewriteRule)
}
