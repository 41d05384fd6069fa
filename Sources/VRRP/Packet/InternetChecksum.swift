/// The RFC 1071 ones'-complement sum, accumulated piecewise so that the VRRPv3 pseudo-header and
/// the message can be summed without being copied into one buffer.
struct InternetChecksum {
    private var sum: UInt32 = 0

    mutating func add(_ word: UInt16) {
        sum &+= UInt32(word)
    }

    mutating func add(_ address: IPv4Address) {
        add(UInt16(truncatingIfNeeded: address.value >> 16))
        add(UInt16(truncatingIfNeeded: address.value))
    }

    /// Sums `bytes` as big-endian 16-bit words, the odd last byte padded with zero.
    mutating func add(_ bytes: UnsafeRawBufferPointer) {
        var index = 0
        let count = bytes.count
        while index + 1 < count {
            add(UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1]))
            index += 2
        }
        if index < count {
            add(UInt16(bytes[index]) << 8)
        }
    }

    var value: UInt16 {
        var folded = sum
        while folded > 0xFFFF {
            folded = (folded & 0xFFFF) &+ (folded >> 16)
        }
        return ~UInt16(truncatingIfNeeded: folded)
    }
}
