/// Byte-level character classes and comparisons, as Pound's `c_*` functions: ASCII
/// only, locale-free, and allocation-free (HTTPWire's `hasName` lowercases copies).
enum ASCII {
    @inline(__always)
    static func lower(_ c: UInt8) -> UInt8 {
        c >= 0x41 && c <= 0x5A ? c | 0x20 : c
    }

    /// `c_isblank`: space or tab.
    @inline(__always)
    static func isBlank(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 }

    /// `c_isspace`: space, \t, \n, \v, \f, \r.
    @inline(__always)
    static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || (c >= 0x09 && c <= 0x0D) }

    @inline(__always)
    static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    /// The value of a hex digit, or nil.
    @inline(__always)
    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x41...0x46: c - 0x41 + 10
        case 0x61...0x66: c - 0x61 + 10
        default: nil
        }
    }

    static func equalsIgnoringCase<A: Collection<UInt8>, B: Collection<UInt8>>(_ a: A, _ b: B) -> Bool {
        guard a.count == b.count else { return false }
        var j = b.startIndex
        for c in a {
            if lower(c) != lower(b[j]) { return false }
            j = b.index(after: j)
        }
        return true
    }

    static func equalsIgnoringCase(_ a: String, _ b: String) -> Bool {
        equalsIgnoringCase(a.utf8, b.utf8)
    }

    /// Whether `s` starts with `prefix`, ASCII case-insensitively.
    static func hasPrefixIgnoringCase<S: Collection<UInt8>>(_ s: S, _ prefix: StaticString) -> Bool {
        let p = UnsafeBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount)
        guard s.count >= p.count else { return false }
        var i = s.startIndex
        for c in p {
            if lower(s[i]) != lower(c) { return false }
            i = s.index(after: i)
        }
        return true
    }
}
