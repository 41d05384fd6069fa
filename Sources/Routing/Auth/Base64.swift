/// Base64 as Pound uses it through OpenSSL's base64 BIO, one line at a time.
enum Base64 {
    private static let alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

    @inline(__always)
    private static func value(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x41...0x5A: c - 0x41
        case 0x61...0x7A: c - 0x61 + 26
        case 0x30...0x39: c - 0x30 + 52
        case UInt8(ascii: "+"): 62
        case UInt8(ascii: "/"): 63
        default: nil
        }
    }

    /// Decodes like Pound's `BIO_f_base64` reads did on 4.23 (checked against it):
    /// blanks inside are skipped; the number of characters must be a multiple of four
    /// (no unpadded input); `=` only as the last one or two characters; anything else
    /// (invalid characters, data after padding, an empty result) is an error (nil).
    static func decode<C: Collection<UInt8>>(_ input: C) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(input.count / 4 * 3)
        var quad: UInt32 = 0
        var n = 0
        var padding = 0
        for c in input {
            if ASCII.isSpace(c) { continue }
            if c == UInt8(ascii: "=") {
                padding += 1
                if padding > 2 { return nil }
                quad <<= 6
                n += 1
            } else {
                guard padding == 0, let v = value(c) else { return nil }
                quad = quad << 6 | UInt32(v)
                n += 1
            }
            if n == 4 {
                out.append(UInt8(truncatingIfNeeded: quad >> 16))
                if padding < 2 { out.append(UInt8(truncatingIfNeeded: quad >> 8)) }
                if padding < 1 { out.append(UInt8(truncatingIfNeeded: quad)) }
                quad = 0
                n = 0
                if padding > 0 { padding = 3 } // nothing may follow a padded quad
            }
        }
        guard n == 0, !out.isEmpty else { return nil }
        return out
    }

    /// Standard base64 with padding and no line breaks (Pound strips the BIO's).
    static func encode(_ input: some Collection<UInt8>, into out: inout [UInt8]) {
        let a = alphabet.utf8Start
        var it = input.makeIterator()
        while let b0 = it.next() {
            let b1 = it.next()
            let b2 = it.next()
            let v = UInt32(b0) << 16 | UInt32(b1 ?? 0) << 8 | UInt32(b2 ?? 0)
            out.append(a[Int(v >> 18 & 63)])
            out.append(a[Int(v >> 12 & 63)])
            out.append(b1 == nil ? UInt8(ascii: "=") : a[Int(v >> 6 & 63)])
            out.append(b2 == nil ? UInt8(ascii: "=") : a[Int(v & 63)])
        }
    }
}
