import HTTPWire

/// The user name of an `Authorization: Basic` header, decoded as Pound's
/// `get_basic_auth` does for `%u`.
enum BasicAuthorization {
    private static let needle = Array("authorization".utf8)

    /// The bytes before the first `:` of the decoded credentials, or nil when the first
    /// Authorization header is not Basic, does not decode, or has no `:`.
    static func user(in headers: HTTPHeaders) -> [UInt8]? {
        guard let value = HeaderLookup.first(needle, in: headers) else { return nil }
        var bytes = Substring(value).utf8[...]
        let scheme = Array("basic".utf8)
        guard bytes.count >= 5, zip(bytes.prefix(5), scheme).allSatisfy({ ASCII.lower($0) == $1 }) else {
            return nil
        }
        bytes = bytes.dropFirst(5)
        while let b = bytes.first, b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") {
            bytes = bytes.dropFirst()
        }
        // Pound's quoted-credentials branch checks the byte after the closing quote, so a
        // quoted value never yields a user; do the same.
        if bytes.first == UInt8(ascii: "\"") { return nil }
        guard let decoded = Base64.decode(bytes), let colon = decoded.firstIndex(of: UInt8(ascii: ":")) else {
            return nil
        }
        return Array(decoded[..<colon])
    }
}

/// Standard base64 (RFC 4648 alphabet, `=` padding), all or nothing.
enum Base64 {
    static func decode<C: Collection>(_ input: C) -> [UInt8]? where C.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(input.count * 3 / 4)
        var acc: UInt32 = 0
        var bits = 0
        var padding = 0
        for c in input {
            let v: UInt8
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): v = c - UInt8(ascii: "A")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): v = c - UInt8(ascii: "a") + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = c - UInt8(ascii: "0") + 52
            case UInt8(ascii: "+"): v = 62
            case UInt8(ascii: "/"): v = 63
            case UInt8(ascii: "="):
                padding += 1
                continue
            default:
                return nil
            }
            if padding > 0 { return nil }
            acc = acc << 6 | UInt32(v)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: acc >> UInt32(bits)))
            }
        }
        guard padding <= 2, !out.isEmpty || input.isEmpty else { return nil }
        return out
    }
}
