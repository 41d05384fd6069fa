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

    /// Removes every header called `name` or `other`, in one pass.
    public mutating func remove(_ name: String, _ other: String) {
        fields.removeAll { $0.hasName(name) || $0.hasName(other) }
    }

    /// Replaces the first header called `name` (removing later ones) or appends it.
    public mutating func replaceOrAppend(_ name: String, _ value: String) {
        if let i = fields.firstIndex(where: { $0.hasName(name) }) {
            fields[i].value = value
            let next = fields.index(after: i)
            if fields[next...].contains(where: { $0.hasName(name) }) {
                var j = next
                while j < fields.endIndex {
                    if fields[j].hasName(name) { fields.remove(at: j) } else { j += 1 }
                }
            }
        } else {
            append(name, value)
        }
    }

    /// True when some header called `name` lists `token` (comma list, case-insensitive),
    /// e.g. `hasToken("close", inHeadersNamed: "Connection")`.
    public func hasToken(_ token: String, inHeadersNamed name: String) -> Bool {
        for field in fields where field.hasName(name) {
            var value = field.value
            var token = token
            let found = value.withUTF8 { v in
                token.withUTF8 { t in
                    FieldList.first(in: UnsafeRawBufferPointer(v)) { element, _ in
                        guard element.count == t.count else { return false }
                        for i in 0..<t.count where ASCII.lower(element[i]) != ASCII.lower(t[i]) {
                            return false
                        }
                        return true
                    }
                }
            }
            if found { return true }
        }
        return false
    }

    func containsToken(lowercase lowercaseToken: StaticString, inHeadersNamed lowercaseName: StaticString) -> Bool {
        for field in fields where field.hasName(lowercase: lowercaseName) {
            if FieldList.contains(field.value, token: lowercaseToken) { return true }
        }
        return false
    }

    func contains(lowercase name: StaticString) -> Bool {
        fields.contains { $0.hasName(lowercase: name) }
    }
}
