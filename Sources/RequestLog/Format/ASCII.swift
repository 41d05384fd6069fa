/// ASCII-only case folding for header names: HTTP field names are ASCII, and folding
/// bytes avoids the allocations and Unicode rules of `String.lowercased()`.
enum ASCII {
    @inline(__always)
    static func lower(_ b: UInt8) -> UInt8 {
        b &- UInt8(ascii: "A") < 26 ? b | 0x20 : b
    }

    static func lowercased(_ s: String) -> [UInt8] {
        s.utf8.map(lower)
    }

    /// True when `bytes` equal `lowerNeedle` ignoring ASCII case.
    static func equalsIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ lowerNeedle: [UInt8]) -> Bool {
        guard bytes.count == lowerNeedle.count else { return false }
        for i in 0..<bytes.count where lower(bytes[i]) != lowerNeedle[i] {
            return false
        }
        return true
    }
}
