/// Byte classes and comparisons for HTTP/1.x text, written as branch-light
/// inline functions so the parsers can stay plain byte loops.
enum ASCII {
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let space: UInt8 = 0x20
    static let tab: UInt8 = 0x09
    static let colon: UInt8 = 0x3A
    static let comma: UInt8 = 0x2C
    static let semicolon: UInt8 = 0x3B
    static let equals: UInt8 = 0x3D
    static let quote: UInt8 = 0x22
    static let backslash: UInt8 = 0x5C

    /// RFC 9110 `tchar` as two 64-bit masks (bytes 0-63 and 64-127).
    /// Pound's header regex `^([a-z0-9!#$%&'*+.^_`|~-]+):` (case-insensitive) is the same set.
    private static let tcharLow: UInt64 = 0x03FF_6CFA_0000_0000
    private static let tcharHigh: UInt64 = 0x57FF_FFFF_C7FF_FFFE

    @inline(__always)
    static func isTokenChar(_ b: UInt8) -> Bool {
        if b < 64 { return (tcharLow >> UInt64(b)) & 1 != 0 }
        if b < 128 { return (tcharHigh >> UInt64(b &- 64)) & 1 != 0 }
        return false
    }

    /// Pound's `get_line` refuses every control character except HT (0x00-0x1F, 0x7F);
    /// CR and LF are handled by the callers before this test.
    @inline(__always)
    static func isForbiddenControl(_ b: UInt8) -> Bool {
        (b < 0x20 && b != tab) || b == 0x7F
    }

    @inline(__always)
    static func isBlank(_ b: UInt8) -> Bool { b == space || b == tab }

    @inline(__always)
    static func lower(_ b: UInt8) -> UInt8 {
        (b &- 0x41) < 26 ? b | 0x20 : b
    }

    @inline(__always)
    static func hexValue(_ b: UInt8) -> UInt8? {
        if b &- 0x30 < 10 { return b &- 0x30 }
        let l = b | 0x20
        if l &- 0x61 < 6 { return l &- 0x61 &+ 10 }
        return nil
    }

    /// `bytes` equals `lowercaseLiteral` ignoring ASCII case. The literal must be lowercase.
    @inline(__always)
    static func equalsIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ lowercaseLiteral: StaticString) -> Bool {
        let count = lowercaseLiteral.utf8CodeUnitCount
        guard bytes.count == count else { return false }
        let lit = lowercaseLiteral.utf8Start
        for i in 0..<count where lower(bytes[i]) != lit[i] {
            return false
        }
        return true
    }

    /// Case-insensitive equality of two byte runs (ASCII folding only).
    @inline(__always)
    static func equalsIgnoringCase(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        for i in 0..<a.count where lower(a[i]) != lower(b[i]) {
            return false
        }
        return true
    }

    /// Case-insensitive equality of two strings' UTF-8 bytes (ASCII folding only).
    /// Most calls compare a header's name with another of a different length: the
    /// lengths go first, before either string is touched further.
    static func equalsIgnoringCase(_ a: String, _ b: String) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        // The bytes read in place: no copy of either string.
        let fast = a.utf8.withContiguousStorageIfAvailable { ab in
            b.utf8.withContiguousStorageIfAvailable { bb in
                for i in 0..<ab.count where lower(ab[i]) != lower(bb[i]) {
                    return false
                }
                return true
            }
        }
        if let fast, let equal = fast { return equal }
        return a.utf8.elementsEqual(b.utf8) { lower($0) == lower($1) }
    }

    /// Case-insensitive equality of a string with a lowercase literal.
    @inline(__always)
    static func equalsIgnoringCase(_ s: String, _ lowercaseLiteral: StaticString) -> Bool {
        guard s.utf8.count == lowercaseLiteral.utf8CodeUnitCount else { return false }
        if let equal = s.utf8.withContiguousStorageIfAvailable({
            equalsIgnoringCase(UnsafeRawBufferPointer($0), lowercaseLiteral)
        }) {
            return equal
        }
        return s.utf8.elementsEqual(UnsafeBufferPointer(start: lowercaseLiteral.utf8Start,
                                                        count: lowercaseLiteral.utf8CodeUnitCount)) { lower($0) == $1 }
    }

    /// A String made of the bytes `start..<end` of `base`. Invalid UTF-8 becomes U+FFFD:
    /// the head model is `String`, so non-UTF-8 octets (obs-text) cannot survive unchanged.
    @inline(__always)
    static func string(_ base: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: base[start..<end]), as: UTF8.self)
    }
}
