/// The supervisor's questions to its worker over their socket pair, and the answers:
/// one line each, tagged with an id so an answer that comes after its question timed
/// out is never taken for the answer to the next one.
///
///     7 sessions              →  7 data 1234\n + 1234 bytes
///     8 listener 0 2000       →  8 yes
///     9 lag 200               →  9 no
///     10 backends web%20farm  →  10 3   (or 10 none)
///     11 accept off           →  11 yes
///     12 failover TEXT        →  12 yes
///
/// Service names are percent-escaped (they may hold spaces); everything else is numbers.
public enum LinkRequest: Sendable, Equatable {
    /// Every sticky-session table, as `SessionHandoff` bytes.
    case sessions
    /// Whether listener `index` accepts a connection within `milliseconds`.
    case listenerAccepts(index: Int, milliseconds: Int)
    /// Whether every event loop runs a task within `milliseconds`.
    case loopsRespond(milliseconds: Int)
    /// How many usable backends the named service has.
    case usableBackends(service: String)
    /// Start or stop taking connections from the shared listening sockets.
    case accepting(Bool)
    /// The supervisor's VRRP instances, for the worker's control API, status page and
    /// metrics (`VRRPStatus.text` lines joined by newlines; escaped on the wire).
    case failover(String)

    public func line(id: UInt64) -> String {
        switch self {
        case .sessions: "\(id) sessions\n"
        case .listenerAccepts(let index, let ms): "\(id) listener \(index) \(ms)\n"
        case .loopsRespond(let ms): "\(id) lag \(ms)\n"
        case .usableBackends(let service): "\(id) backends \(PercentEscape.escape(service))\n"
        case .accepting(let on): "\(id) accept \(on ? "on" : "off")\n"
        case .failover(let text): "\(id) failover \(PercentEscape.escape(text))\n"
        }
    }

    /// Parses one line (without its newline); nil for anything malformed.
    public static func parse(_ line: Substring) -> (id: UInt64, request: LinkRequest)? {
        let words = line.split(separator: " ", omittingEmptySubsequences: false)
        guard words.count >= 2, let id = UInt64(words[0]) else { return nil }
        switch (words[1], words.count) {
        case ("sessions", 2):
            return (id, .sessions)
        case ("listener", 4):
            guard let index = Int(words[2]), index >= 0, let ms = Int(words[3]), ms >= 0 else { return nil }
            return (id, .listenerAccepts(index: index, milliseconds: ms))
        case ("lag", 3):
            guard let ms = Int(words[2]), ms >= 0 else { return nil }
            return (id, .loopsRespond(milliseconds: ms))
        case ("accept", 3):
            switch words[2] {
            case "on": return (id, .accepting(true))
            case "off": return (id, .accepting(false))
            default: return nil
            }
        case ("failover", 3):
            guard let text = PercentEscape.unescape(words[2]) else { return nil }
            return (id, .failover(text))
        case ("backends", 3):
            guard let name = PercentEscape.unescape(words[2]) else { return nil }
            return (id, .usableBackends(service: name))
        default:
            return nil
        }
    }
}

/// An answer's first line: `ID WORD` or `ID data LENGTH` (then LENGTH bytes).
public enum LinkReply: Sendable, Equatable {
    case word(String)
    case data(length: Int)

    public func line(id: UInt64) -> String {
        switch self {
        case .word(let w): "\(id) \(w)\n"
        case .data(let length): "\(id) data \(length)\n"
        }
    }

    /// The largest `data` answer taken: a session table is bounded (100,000 sessions
    /// per service), this only stops a corrupt length from allocating without end.
    public static let maximumDataLength = 1 << 30

    public static func parse(_ line: Substring) -> (id: UInt64, reply: LinkReply)? {
        let words = line.split(separator: " ", omittingEmptySubsequences: false)
        guard let first = words.first, let id = UInt64(first) else { return nil }
        if words.count == 3, words[1] == "data" {
            guard let n = Int(words[2]), n >= 0, n <= maximumDataLength else { return nil }
            return (id, .data(length: n))
        }
        guard words.count == 2, !words[1].isEmpty else { return nil }
        return (id, .word(String(words[1])))
    }
}

/// `%XX` for '%', space, control bytes and non-ASCII, so any name fits one word of a line.
enum PercentEscape {
    static func escape(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            if byte <= 0x20 || byte >= 0x7f || byte == UInt8(ascii: "%") {
                out += "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 0xf, radix: 16, uppercase: true)
            } else {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            }
        }
        return out
    }

    static func unescape(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var i = text.utf8.startIndex
        let utf8 = text.utf8
        while i < utf8.endIndex {
            let b = utf8[i]
            if b == UInt8(ascii: "%") {
                let h = utf8.index(after: i)
                guard h < utf8.endIndex, utf8.index(after: h) < utf8.endIndex,
                      let hi = hexValue(utf8[h]), let lo = hexValue(utf8[utf8.index(after: h)]) else { return nil }
                bytes.append(hi << 4 | lo)
                i = utf8.index(h, offsetBy: 2)
            } else {
                bytes.append(b)
                i = utf8.index(after: i)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
