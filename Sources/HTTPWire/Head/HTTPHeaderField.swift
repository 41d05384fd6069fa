/// One header line of an HTTP/1.x message.
///
/// The name keeps the client's spelling (Pound forwards header lines as received);
/// comparisons are case-insensitive. The value has surrounding blanks removed.
///
/// A parsed field is a place in its head's bytes, and becomes Strings only when
/// something reads `name` or `value`: of the dozen fields a request or response
/// carries, the proxy looks at a few, and the rest go back on the wire as they came.
/// Building two Strings a field cost a tenth of a keep-alive request's instructions.
public struct HTTPHeaderField: Sendable {
    private enum Storage: Sendable {
        case text(name: String, value: String)
        /// `head[lineStart..<nameEnd]` is the name, `head[valueStart..<valueEnd]` the value.
        case parsed(head: [UInt8], lineStart: Int32, nameEnd: Int32, valueStart: Int32, valueEnd: Int32)
    }

    private var storage: Storage

    public init(name: String, value: String) {
        storage = .text(name: name, value: value)
    }

    /// A field the parser found in `head`; the offsets are within it.
    init(head: [UInt8], lineStart: Int, nameEnd: Int, valueStart: Int, valueEnd: Int) {
        storage = .parsed(head: head, lineStart: Int32(truncatingIfNeeded: lineStart),
                          nameEnd: Int32(truncatingIfNeeded: nameEnd),
                          valueStart: Int32(truncatingIfNeeded: valueStart),
                          valueEnd: Int32(truncatingIfNeeded: valueEnd))
    }

    /// Invalid UTF-8 (obs-text) reads as U+FFFD; a field nobody changed is still sent
    /// with its own bytes.
    public var name: String {
        get {
            switch storage {
            case .text(let name, _): return name
            case .parsed: return withNameBytes { String(decoding: $0, as: UTF8.self) }
            }
        }
        set { storage = .text(name: newValue, value: value) }
    }

    public var value: String {
        get {
            switch storage {
            case .text(_, let value): return value
            case .parsed: return withValueBytes { String(decoding: $0, as: UTF8.self) }
            }
        }
        set { storage = .text(name: name, value: newValue) }
    }

    /// The name with ASCII letters in lower case, as HTTP/2 sends names: one String
    /// made from the bytes, without Unicode's case rules.
    public var lowercasedName: String {
        withNameBytes { name in
            String(unsafeUninitializedCapacity: name.count) { out in
                for i in 0..<name.count { out[i] = ASCII.lower(name[i]) }
                return name.count
            }
        }
    }

    /// The name's bytes, without making a String of a parsed one.
    @inline(__always)
    public func withNameBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        switch storage {
        case .text(let name, _):
            return try name.withUTF8Bytes(body)
        case .parsed(let head, let start, let end, _, _):
            return try head.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[Int(start)..<Int(end)])) }
        }
    }

    /// The value's bytes, without making a String of a parsed one.
    @inline(__always)
    public func withValueBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        switch storage {
        case .text(_, let value):
            return try value.withUTF8Bytes(body)
        case .parsed(let head, _, _, let start, let end):
            return try head.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[Int(start)..<Int(end)])) }
        }
    }

    /// The wire size of `name` and of `value`.
    var byteCounts: (name: Int, value: Int) {
        switch storage {
        case .text(let name, let value):
            return (name.utf8.count, value.utf8.count)
        case .parsed(_, let lineStart, let nameEnd, let valueStart, let valueEnd):
            return (Int(nameEnd &- lineStart), Int(valueEnd &- valueStart))
        }
    }

    /// The line as Pound's `HeadRequire`/`DeleteHeader` patterns see it: `Name: value`.
    public var line: String { "\(name): \(value)" }

    /// Case-insensitive (ASCII) name comparison, byte by byte: header names are tokens.
    /// Lengths go first, before the bytes are looked at.
    public func hasName(_ other: String) -> Bool {
        switch storage {
        case .text(let name, _):
            return ASCII.equalsIgnoringCase(name, other)
        case .parsed(_, let start, let end, _, _):
            guard Int(end &- start) == other.utf8.count else { return false }
            return withNameBytes { name in other.withUTF8Bytes { ASCII.equalsIgnoringCase(name, $0) } }
        }
    }

    /// `hasName` for a lowercase literal, without touching the literal's case.
    @inline(__always)
    func hasName(lowercase literal: StaticString) -> Bool {
        if case .parsed(_, let start, let end, _, _) = storage, Int(end &- start) != literal.utf8CodeUnitCount {
            return false
        }
        return withNameBytes { ASCII.equalsIgnoringCase($0, literal) }
    }
}

extension HTTPHeaderField: Hashable {
    public static func == (a: HTTPHeaderField, b: HTTPHeaderField) -> Bool {
        a.name == b.name && a.value == b.value
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(value)
    }
}
