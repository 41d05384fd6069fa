/// Byte-level character classes and comparisons, as Pound's `c_*` functions: ASCII
/// only, locale-free and allocation-free. HTTP's names and keys are ASCII, and these
/// spare a module `lowercased()` copies on its request path.
public enum ASCII {
    @inlinable
    public static func lower(_ c: UInt8) -> UInt8 {
        c >= 0x41 && c <= 0x5A ? c | 0x20 : c
    }

    /// `c_isblank`: space or tab.
    @inlinable
    public static func isBlank(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 }

    /// `c_isspace`: space, \t, \n, \v, \f, \r.
    @inlinable
    public static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || (c >= 0x09 && c <= 0x0D) }

    @inlinable
    public static func equalsIgnoringCase(_ a: UnsafeBufferPointer<UInt8>.SubSequence,
                                   _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        var j = 0
        for c in a {
            if lower(c) != lower(b[j]) { return false }
            j += 1
        }
        return true
    }

    /// Whether `s` starts with `prefix`, ASCII case-insensitively.
    @inlinable
    public static func hasPrefixIgnoringCase(_ s: UnsafeBufferPointer<UInt8>, _ prefix: StaticString) -> Bool {
        let p = UnsafeBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount)
        guard s.count >= p.count else { return false }
        for i in 0..<p.count where lower(s[i]) != lower(p[i]) { return false }
        return true
    }
}
