/// Content-Length values as Pound's `get_content_length` reads them: decimal digits only
/// (no sign, no `0x`), blanks around allowed, at most `Int64.max` (Pound's
/// `CONTENT_LENGTH` is signed 64-bit; a larger value is "invalid", not clamped).
enum ContentLength {
    static func parse(_ value: String) -> UInt64? {
        var value = value
        return value.withUTF8 { parse(UnsafeRawBufferPointer($0)) }
    }

    static func parse(_ p: UnsafeRawBufferPointer) -> UInt64? {
        var i = 0
        var end = p.count
        while i < end && ASCII.isBlank(p[i]) { i += 1 }
        while end > i && ASCII.isBlank(p[end - 1]) { end -= 1 }
        guard i < end else { return nil }
        let max = UInt64(Int64.max)
        var n: UInt64 = 0
        while i < end {
            let d = p[i] &- 0x30
            guard d < 10 else { return nil }
            let digit = UInt64(d)
            guard n <= (max - digit) / 10 else { return nil }
            n = n * 10 + digit
            i += 1
        }
        return n
    }
}
