/// Sticky sessions carried across a configuration reload: the old worker exports its
/// tables (`RoutingTable.exportSessions`) into a file, the new one imports them
/// before it serves. Services and backends are named by identities that survive a
/// reload (see `RoutingTable+SessionHandoff.swift`), never by index, which a changed
/// configuration shifts.
///
/// The file is text, one session a line, so that an operator can read it:
///
///     pounce-sessions 1
///     SERVICE<TAB>KEY<TAB>BACKEND<TAB>NANOSECONDS-LEFT
///     ...
///     end COUNT
///
/// Fields are percent-encoded (every byte outside `!`...`~`, and `%` itself),
/// because keys are client data and may hold tabs, newlines or any other byte. The
/// closing line with the count tells a complete file from one cut short at a line
/// boundary.
public struct SessionHandoff: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        /// The service and its `Session` settings (a changed definition is another service).
        public var service: String
        /// The session key.
        public var key: String
        /// The backend's address: "127.0.0.1:8080", "[::1]:80", "unix:/path".
        public var backend: String
        /// Nanoseconds of idle lifetime left.
        public var expiresIn: UInt64

        public init(service: String, key: String, backend: String, expiresIn: UInt64) {
            self.service = service
            self.key = key
            self.backend = backend
            self.expiresIn = expiresIn
        }
    }

    /// Why `decode` refused its input; `line` counts from 1.
    public struct FormatError: Error, Sendable, Equatable, CustomStringConvertible {
        public var line: Int
        public var reason: String

        public init(line: Int, reason: String) {
            self.line = line
            self.reason = reason
        }

        public var description: String { "session handoff, line \(line): \(reason)" }
    }

    public static let magic = "pounce-sessions"
    public static let version = 1

    public var entries: [Entry]

    public init(entries: [Entry] = []) {
        self.entries = entries
    }

    public func encoded() -> [UInt8] {
        var out = Array("\(Self.magic) \(Self.version)\n".utf8)
        for e in entries {
            Self.escape(e.service, into: &out)
            out.append(Self.tab)
            Self.escape(e.key, into: &out)
            out.append(Self.tab)
            Self.escape(e.backend, into: &out)
            out.append(Self.tab)
            out += String(e.expiresIn).utf8
            out.append(Self.newline)
        }
        out += "end \(entries.count)\n".utf8
        return out
    }

    /// Reads what `encoded` wrote. Throws `FormatError` for anything else: another
    /// magic or version, a malformed line, a file cut short.
    public static func decode(_ bytes: [UInt8]) throws -> SessionHandoff {
        guard !bytes.isEmpty else { throw FormatError(line: 1, reason: "empty input") }
        var lines = bytes.split(separator: newline, omittingEmptySubsequences: false)
        // A complete file ends with a newline, which leaves an empty piece after it.
        guard lines.last?.isEmpty == true else {
            throw FormatError(line: lines.count, reason: "truncated: the last line has no newline")
        }
        lines.removeLast()
        try checkHeader(lines[0])
        guard lines.count >= 2, let count = trailerCount(lines[lines.count - 1]) else {
            throw FormatError(line: lines.count, reason: "truncated: no closing \"end COUNT\" line")
        }
        let body = lines[1..<(lines.count - 1)]
        guard count == UInt64(body.count) else {
            throw FormatError(line: lines.count, reason: "the end line counts \(count) sessions, the file has \(body.count)")
        }
        var entries: [Entry] = []
        entries.reserveCapacity(body.count)
        for (i, line) in zip(body.indices, body) {
            entries.append(try entry(line, number: i + 1))
        }
        return SessionHandoff(entries: entries)
    }

    // MARK: Format

    private static let tab = UInt8(ascii: "\t")
    private static let newline = UInt8(ascii: "\n")
    private static let percent = UInt8(ascii: "%")
    private static let printable = UInt8(ascii: "!")...UInt8(ascii: "~")

    private static func checkHeader(_ line: ArraySlice<UInt8>) throws {
        let prefix = Array("\(magic) ".utf8)
        guard line.starts(with: prefix) else {
            throw FormatError(line: 1, reason: "not a session handoff (expected \"\(magic) \(version)\", got \(shown(line)))")
        }
        let v = line.dropFirst(prefix.count)
        guard number(v) == UInt64(version) else {
            throw FormatError(line: 1, reason: "unsupported version \(shown(v)) (this is version \(version))")
        }
    }

    /// The count of an `end COUNT` line.
    private static func trailerCount(_ line: ArraySlice<UInt8>) -> UInt64? {
        let prefix = Array("end ".utf8)
        guard line.starts(with: prefix) else { return nil }
        return number(line.dropFirst(prefix.count))
    }

    private static func entry(_ line: ArraySlice<UInt8>, number n: Int) throws -> Entry {
        let fields = line.split(separator: tab, omittingEmptySubsequences: false)
        guard fields.count == 4 else {
            throw FormatError(line: n, reason: "expected 4 tab-separated fields, found \(fields.count)")
        }
        guard let expiresIn = number(fields[3]) else {
            throw FormatError(line: n, reason: "lifetime \(shown(fields[3])) is not a number of nanoseconds")
        }
        return Entry(service: try unescape(fields[0], line: n), key: try unescape(fields[1], line: n),
                     backend: try unescape(fields[2], line: n), expiresIn: expiresIn)
    }

    /// A decimal UInt64: digits only (no sign, no space), no overflow.
    private static func number(_ digits: ArraySlice<UInt8>) -> UInt64? {
        guard !digits.isEmpty, digits.count <= 20 else { return nil }
        var value: UInt64 = 0
        for d in digits {
            guard d >= UInt8(ascii: "0"), d <= UInt8(ascii: "9") else { return nil }
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(d - UInt8(ascii: "0")))
            guard !o1, !o2 else { return nil }
            value = sum
        }
        return value
    }

    private static func escape(_ text: String, into out: inout [UInt8]) {
        let hex = Array("0123456789ABCDEF".utf8)
        for b in text.utf8 {
            if printable.contains(b), b != percent {
                out.append(b)
            } else {
                out += [percent, hex[Int(b >> 4)], hex[Int(b & 15)]]
            }
        }
    }

    /// Bytes that are not UTF-8 once decoded become U+FFFD: `encoded` never writes
    /// them, and a key so repaired just finds no session.
    private static func unescape(_ field: ArraySlice<UInt8>, line: Int) throws -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(field.count)
        var i = field.startIndex
        while i < field.endIndex {
            let b = field[i]
            if b == percent {
                guard field.endIndex - i >= 3, let high = ASCII.hexValue(field[i + 1]), let low = ASCII.hexValue(field[i + 2]) else {
                    throw FormatError(line: line, reason: "bad percent escape in \(shown(field))")
                }
                bytes.append(high << 4 | low)
                i += 3
            } else {
                guard printable.contains(b) else {
                    throw FormatError(line: line, reason: "byte 0x\(String(b, radix: 16)) not allowed in a field (fields are percent-encoded)")
                }
                bytes.append(b)
                i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Input quoted for an error message: printable ASCII as is, other bytes as
    /// `\xNN`, cut at 40 bytes.
    private static func shown(_ bytes: ArraySlice<UInt8>) -> String {
        var text = "\""
        for b in bytes.prefix(40) {
            if b >= 0x20, b < 0x7F, b != UInt8(ascii: "\""), b != UInt8(ascii: "\\") {
                text.unicodeScalars.append(Unicode.Scalar(b))
            } else {
                text += "\\x" + (b < 16 ? "0" : "") + String(b, radix: 16)
            }
        }
        return text + (bytes.count > 40 ? "...\"" : "\"")
    }
}
