/// What Pounce takes from resolv.conf text (Pound's `Resolver` `ConfigFile` or
/// `ConfigText`): the name servers, and the `timeout`/`attempts` options. resolv.conf
/// lines that make no difference to lookups of absolute names are skipped; the rest are
/// reported, so that nothing in the file is dropped without a word.
public struct ResolverConfiguration: Sendable, Equatable {
    /// As written: "ip", "ip:port", "ipv6" or "[ipv6]:port" (c-ares's server list
    /// syntax); empty = c-ares's own (/etc/resolv.conf).
    public var servers: [String] = []
    public var timeoutMilliseconds = 2000
    public var tries = 3
    /// Lines pounce does not act on, as "line N: text".
    public var ignored: [String] = []

    public init() {}

    /// Reads resolv.conf syntax: `nameserver ADDR`, `options timeout:N attempts:N`;
    /// `#` and `;` start comments. `domain`, `search`, `sortlist` and other options
    /// concern short names and address sorting, which dynamic backends do not use
    /// (their names are looked up as written), and are listed in `ignored`.
    public init(text: String) {
        for (n, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = raw.prefix { $0 != "#" && $0 != ";" }
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
            guard let keyword = words.first else { continue }
            switch keyword {
            case "nameserver" where words.count >= 2:
                servers.append(words[1])
            case "options":
                for option in words.dropFirst() {
                    if let v = Self.value(option, "timeout:") {
                        timeoutMilliseconds = max(v, 1) * 1000
                    } else if let v = Self.value(option, "attempts:") {
                        tries = max(v, 1)
                    } else {
                        ignored.append("line \(n + 1): options \(option)")
                    }
                }
            default:
                ignored.append("line \(n + 1): \(line.trimmingSpaces)")
            }
        }
    }

    private static func value(_ option: String, _ prefix: String) -> Int? {
        guard option.hasPrefix(prefix) else { return nil }
        return Int(option.dropFirst(prefix.count))
    }
}

private extension Substring {
    var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" || $0 == "\r" }.reversed())
    }
}
