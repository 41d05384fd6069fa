/// Tests on eight bytes at once ("SIMD within a register"), for the line scans. Each
/// answers only whether some byte matches, which is exact with these formulas
/// (Bit Twiddling Hacks, "haszero"/"hasless"); the caller finds which byte by itself.
enum SWAR {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    @inline(__always)
    static func hasZeroByte(_ w: UInt64) -> Bool {
        (w &- ones) & ~w & highs != 0
    }

    @inline(__always)
    static func hasByte(_ w: UInt64, _ b: UInt8) -> Bool {
        hasZeroByte(w ^ (ones &* UInt64(b)))
    }

    /// Some byte is below 0x20 or equals 0x7F.
    @inline(__always)
    static func hasControlByte(_ w: UInt64) -> Bool {
        ((w &- ones &* 0x20) & ~w & highs) != 0 || hasByte(w, 0x7F)
    }
}
