/// A JSON value as Pound's control interface builds it (`json.c`), printed the way
/// Pound prints it so `poundctl` and scripts comparing text see the same bytes.
public indirect enum ControlJSON: Sendable, Equatable {
    case null
    case bool(Bool)
    /// Pound's `json_new_integer` and `json_new_number` both print as `%.0f` at the
    /// control interface's precision 0; fractions are rounded.
    case number(Double)
    case string(String)
    case array([ControlJSON])
    /// Pound keeps an object's members ordered by name (`json_object_set` inserts in
    /// `strcmp` order); `rendered` sorts them the same way, so builders need not.
    case object([String: ControlJSON])

    public static func int(_ n: Int) -> ControlJSON { .number(Double(n)) }

    public static func string(_ s: String?) -> ControlJSON { s.map { .string($0) } ?? .null }

    /// The text Pound's `json_value_format` writes with `indent` spaces per level:
    /// with 0, everything on one line with `", "` between members and no space after
    /// the colon; otherwise one member per line and `": "`.
    public func rendered(indent: Int = 0) -> String {
        var out = ""
        write(to: &out, indent: indent, level: 1)
        return out
    }

    private func write(to out: inout String, indent: Int, level: Int) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n): out += Self.format(n)
        case .string(let s): Self.escape(s, into: &out)
        case .array(let items):
            out += "["
            if !items.isEmpty {
                if indent > 0 { out += "\n" }
                for (i, item) in items.enumerated() {
                    Self.separate(&out, first: i == 0, indent: indent, level: level)
                    item.write(to: &out, indent: indent, level: level + 1)
                }
                Self.close(&out, indent: indent, level: level)
            }
            out += "]"
        case .object(let members):
            out += "{"
            if !members.isEmpty {
                if indent > 0 { out += "\n" }
                let keys = members.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
                for (i, key) in keys.enumerated() {
                    Self.separate(&out, first: i == 0, indent: indent, level: level)
                    Self.escape(key, into: &out)
                    out += indent > 0 ? ": " : ":"
                    members[key]?.write(to: &out, indent: indent, level: level + 1)
                }
                Self.close(&out, indent: indent, level: level)
            }
            out += "}"
        }
    }

    private static func separate(_ out: inout String, first: Bool, indent: Int, level: Int) {
        if !first { out += indent > 0 ? ",\n" : ", " }
        if first || indent > 0 { out += String(repeating: " ", count: indent * level) }
    }

    private static func close(_ out: inout String, indent: Int, level: Int) {
        guard indent > 0 else { return }
        out += "\n" + String(repeating: " ", count: indent * (level - 1))
    }

    /// `%.0f`: round half to even like printf, no exponent.
    static func format(_ n: Double) -> String {
        guard n.isFinite else { return n.isNaN ? "nan" : (n < 0 ? "-inf" : "inf") }
        let r = n.rounded(.toNearestOrEven)
        if abs(r) < 9.0e15 { return String(Int64(r)) }
        var s = String(r)
        if s.hasSuffix(".0") { s.removeLast(2) }
        return s
    }

    /// Pound escapes only backslash, quote and \b \f \n \r \t; other control
    /// characters, and `/` (its table lists it but its loop stops short), go out as they are.
    static func escape(_ s: String, into out: inout String) {
        out += "\""
        for c in s.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default: out.unicodeScalars.append(c)
            }
        }
        out += "\""
    }
}
