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

    public func hasName(_ other: String) -> Bool {
        name.utf8.count == other.utf8.count && name.lowercased() == other.lowercased()
    }
}

/// The header lines of a message, in order. Small lists are the rule, so lookups are
/// linear scans: cheaper than hashing for the dozen headers a request carries.
public struct HTTPHeaders: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    public var fields: [HTTPHeaderField]

    public init(_ fields: [HTTPHeaderField] = []) {
        self.fields = fields
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.fields = elements.map { HTTPHeaderField(name: $0.0, value: $0.1) }
    }

    public func makeIterator() -> IndexingIterator<[HTTPHeaderField]> { fields.makeIterator() }
    public var count: Int { fields.count }
    public var isEmpty: Bool { fields.isEmpty }

    /// The value of the first header called `name`.
    public func first(_ name: String) -> String? {
        fields.first { $0.hasName(name) }?.value
    }

    /// Every value of headers called `name`, in order.
    public func values(_ name: String) -> [String] {
        fields.filter { $0.hasName(name) }.map(\.value)
    }

    public func contains(_ name: String) -> Bool {
        fields.contains { $0.hasName(name) }
    }

    public mutating func append(_ name: String, _ value: String) {
        fields.append(HTTPHeaderField(name: name, value: value))
    }

    /// Removes every header called `name`.
    public mutating func remove(_ name: String) {
        fields.removeAll { $0.hasName(name) }
    }

    /// Replaces the first header called `name` (removing later ones) or appends it.
    public mutating func replaceOrAppend(_ name: String, _ value: String) {
        if let i = fields.firstIndex(where: { $0.hasName(name) }) {
            fields[i].value = value
            var j = fields.index(after: i)
            while j < fields.endIndex {
                if fields[j].hasName(name) { fields.remove(at: j) } else { j += 1 }
            }
        } else {
            append(name, value)
        }
    }
}
