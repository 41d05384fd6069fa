/// One header line of an HTTP/1.x message.
///
/// The name keeps the client's spelling (Pound forwards header lines as received);
/// comparisons are case-insensitive. The value has surrounding blanks removed.
public struct HTTPHeaderField: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    /// The line as Pound's `HeadRequire`/`DeleteHeader` patterns see it: `Name: value`.
    public var line: String { "\(name): \(value)" }

    /// Case-insensitive (ASCII) name comparison, byte by byte: header names are tokens.
    public func hasName(_ other: String) -> Bool {
        ASCII.equalsIgnoringCase(name, other)
    }

    /// `hasName` for a lowercase literal, without touching the literal's case.
    @inline(__always)
    func hasName(lowercase literal: StaticString) -> Bool {
        ASCII.equalsIgnoringCase(name, literal)
    }
}
