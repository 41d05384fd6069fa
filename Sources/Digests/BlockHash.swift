/// What MD5 and SHA-1 share: 64-byte blocks fed to a compression function, and the
/// Merkle–Damgård padding (0x80, zeros, the message length in bits) at the end.
public protocol BlockHash {
    var buffer: [UInt8] { get set }
    var length: UInt64 { get set }
    /// SHA-1 writes the length big-endian, MD5 little-endian.
    static var lengthIsBigEndian: Bool { get }
    /// Processes the 64 bytes in `buffer`.
    mutating func compress()
}

extension BlockHash {
    public mutating func update<C: Collection<UInt8>>(_ data: C) {
        for byte in data {
            buffer.append(byte)
            if buffer.count == 64 {
                compress()
                buffer.removeAll(keepingCapacity: true)
            }
        }
        length &+= UInt64(data.count)
    }

    /// Appends the padding and the length, compressing the last block(s).
    public mutating func pad() {
        let bits = length &* 8
        buffer.append(0x80)
        if buffer.count > 56 {
            while buffer.count < 64 { buffer.append(0) }
            compress()
            buffer.removeAll(keepingCapacity: true)
        }
        while buffer.count < 56 { buffer.append(0) }
        for i in 0..<8 {
            let shift = Self.lengthIsBigEndian ? 56 - 8 * i : 8 * i
            buffer.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift)))
        }
        compress()
    }
}
