/// Just enough JSON to find one member of the top-level object: strings (with their
/// escapes) are skipped whole so a key inside a nested object or a string value is
/// never mistaken for a top-level one. Not a validator.
enum JSONScan {
    /// The value of member `key` of the top-level object: a string's unescaped text
    /// (`\uXXXX` escapes are kept as written), or a number/literal's text; nil when the
    /// member is absent or an object/array.
    static func topLevelValue(of key: String, in json: [UInt8]) -> String? {
        let wanted = Array(key.utf8)
        var i = 0
        var depth = 0
        var expectingKey = false
        while i < json.count {
            let byte = json[i]
            switch byte {
            case UInt8(ascii: "{"):
                depth += 1
                expectingKey = depth == 1
                i += 1
            case UInt8(ascii: "["):
                depth += 1
                i += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                i += 1
            case UInt8(ascii: ","):
                expectingKey = depth == 1
                i += 1
            case UInt8(ascii: "\""):
                guard let (text, end) = string(json, from: i) else { return nil }
                i = end
                guard expectingKey else { continue }
                expectingKey = false
                guard text == wanted else { continue }
                i = skipSpace(json, from: i)
                guard i < json.count, json[i] == UInt8(ascii: ":") else { return nil }
                return value(json, from: skipSpace(json, from: i + 1))
            default:
                i += 1
            }
        }
        return nil
    }

    private static func value(_ json: [UInt8], from start: Int) -> String? {
        guard start < json.count else { return nil }
        if json[start] == UInt8(ascii: "\"") {
            return string(json, from: start).map { String(decoding: $0.text, as: UTF8.self) }
        }
        var end = start
        while end < json.count, ![UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), UInt8(ascii: " "),
                                  UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t")].contains(json[end]) {
            end += 1
        }
        guard end > start, json[start] != UInt8(ascii: "{"), json[start] != UInt8(ascii: "[") else { return nil }
        return String(decoding: json[start..<end], as: UTF8.self)
    }

    /// The string starting at the quote at `start`, unescaped, and the index after
    /// its closing quote; nil if it never closes.
    private static func string(_ json: [UInt8], from start: Int) -> (text: [UInt8], end: Int)? {
        var text: [UInt8] = []
        var i = start + 1
        while i < json.count {
            let byte = json[i]
            if byte == UInt8(ascii: "\"") { return (text, i + 1) }
            if byte == UInt8(ascii: "\\"), i + 1 < json.count {
                let escaped = json[i + 1]
                switch escaped {
                case UInt8(ascii: "n"): text.append(10)
                case UInt8(ascii: "t"): text.append(9)
                case UInt8(ascii: "r"): text.append(13)
                case UInt8(ascii: "b"): text.append(8)
                case UInt8(ascii: "f"): text.append(12)
                case UInt8(ascii: "u"): text += [byte, escaped]
                default: text.append(escaped)
                }
                i += 2
                continue
            }
            text.append(byte)
            i += 1
        }
        return nil
    }

    private static func skipSpace(_ json: [UInt8], from start: Int) -> Int {
        var i = start
        while i < json.count, [UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t")].contains(json[i]) {
            i += 1
        }
        return i
    }
}
