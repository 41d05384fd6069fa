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
        firstIndex(name).map { fields[$0].value }
    }

    /// Where the first field `matches` accepts is, from `start` on. Scans go through
    /// the array's storage: a field handed out by value would cost a retain and a
    /// release of its head's bytes each.
    @inline(__always)
    public func firstIndex(from start: Int = 0, where matches: (HTTPHeaderField) -> Bool) -> Int? {
        fields.withUnsafeBufferPointer { fields in
            var i = start
            while i < fields.count {
                if matches(fields[i]) { return i }
                i &+= 1
            }
            return nil
        }
    }

    /// Where the first header called `name` is, from `start` on.
    @inline(__always)
    public func firstIndex(_ name: String, from start: Int = 0) -> Int? {
        firstIndex(from: start) { $0.hasName(name) }
    }

    @inline(__always)
    func firstIndex(lowercase name: StaticString, from start: Int = 0) -> Int? {
        firstIndex(from: start) { $0.hasName(lowercase: name) }
    }

    /// Removes the fields from `start` on that `matches` accepts, keeping the others'
    /// order: one pass, whatever the number removed.
    @inline(__always)
    private mutating func removeFields(from start: Int = 0, where matches: (HTTPHeaderField) -> Bool) {
        guard let first = firstIndex(from: start, where: matches) else { return }
        let kept = fields.withUnsafeMutableBufferPointer { fields in
            var end = first
            for i in (first &+ 1)..<fields.count where !matches(fields[i]) {
                fields.swapAt(i, end)
                end &+= 1
            }
            return end
        }
        fields.removeSubrange(kept...)
    }

    /// Every value of headers called `name`, in order.
    public func values(_ name: String) -> [String] {
        fields.filter { $0.hasName(name) }.map(\.value)
    }

    public func contains(_ name: String) -> Bool {
        firstIndex(name) != nil
    }

    public mutating func append(_ name: String, _ value: String) {
        fields.append(HTTPHeaderField(name: name, value: value))
    }

    /// Removes every header called `name`.
    public mutating func remove(_ name: String) {
        removeFields { $0.hasName(name) }
    }

    /// Removes every header called `name` or `other`, in one pass.
    public mutating func remove(_ name: String, _ other: String) {
        removeFields { $0.hasName(name) || $0.hasName(other) }
    }

    /// Replaces the first header called `name` (removing later ones) or appends it.
    public mutating func replaceOrAppend(_ name: String, _ value: String) {
        if let i = firstIndex(name) {
            fields[i].value = value
            removeFields(from: i &+ 1) { $0.hasName(name) }
        } else {
            append(name, value)
        }
    }

    /// True when some header called `name` lists `token` (comma list, case-insensitive),
    /// e.g. `hasToken("close", inHeadersNamed: "Connection")`.
    public func hasToken(_ token: String, inHeadersNamed name: String) -> Bool {
        token.withUTF8Bytes { token in
            for field in fields where field.hasName(name) {
                let found = field.withValueBytes { value in
                    FieldList.first(in: value) { element, _ in ASCII.equalsIgnoringCase(element, token) }
                }
                if found { return true }
            }
            return false
        }
    }

    func containsToken(lowercase lowercaseToken: StaticString, inHeadersNamed lowercaseName: StaticString) -> Bool {
        var next = 0
        while let i = firstIndex(lowercase: lowercaseName, from: next) {
            if fields[i].withValueBytes({ FieldList.contains($0, token: lowercaseToken) }) { return true }
            next = i &+ 1
        }
        return false
    }

    func contains(lowercase name: StaticString) -> Bool {
        firstIndex(lowercase: name) != nil
    }
}
