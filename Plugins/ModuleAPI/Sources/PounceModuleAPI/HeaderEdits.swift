/// Changes a client-affinity module asks for in a message's headers: Pounce applies
/// them, in order, to the request it forwards (before `SetHeader`/`Rewrite` rules) or to
/// the response it returns (API version 2). Names are case-insensitive.
public struct HeaderEdits: Sendable, Equatable {
    public enum Edit: Sendable, Equatable {
        /// Every value of `name` replaced by `values`, in their place (where the first was,
        /// else at the end); an empty list removes the header.
        case replace(name: String, values: [String])
        /// One more value of `name`, at the end.
        case append(name: String, value: String)
    }

    public private(set) var edits: [Edit] = []

    public init() {}

    public var isEmpty: Bool { edits.isEmpty }

    public mutating func replace(_ name: String, with values: [String]) {
        edits.append(.replace(name: name, values: values))
    }

    /// `name` set to `value` alone (nil removes it).
    public mutating func set(_ name: String, _ value: String?) {
        replace(name, with: value.map { [$0] } ?? [])
    }

    public mutating func append(_ name: String, _ value: String) {
        edits.append(.append(name: name, value: value))
    }
}
