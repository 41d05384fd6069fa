/// One network of an ACL: address bytes already masked to the prefix, as Pound stores
/// them, so matching is a byte-wise AND and compare.
public struct CIDR: Sendable, Hashable {
    public enum Family: Sendable, Hashable {
        case inet, inet6
    }

    public var family: Family
    /// Network address in network byte order (4 bytes for IPv4, 16 for IPv6).
    public var address: [UInt8]
    /// Prefix length in bits. Pound accepts any number here; bits beyond the address
    /// length simply select the whole address.
    public var prefixLength: Int

    public init(family: Family, address: [UInt8], prefixLength: Int) {
        self.family = family
        self.prefixLength = prefixLength
        self.address = address
        let mask = self.mask
        for i in self.address.indices { self.address[i] &= mask[i] }
    }

    /// The netmask bytes for `prefixLength`.
    public var mask: [UInt8] {
        (0..<address.count).map { i in
            let bits = prefixLength - i * 8
            if bits >= 8 { return 0xff }
            if bits <= 0 { return 0 }
            return UInt8(truncatingIfNeeded: 0xff << (8 - bits))
        }
    }

    public func contains(_ bytes: [UInt8]) -> Bool {
        guard bytes.count == address.count else { return false }
        let mask = self.mask
        for i in bytes.indices where bytes[i] & mask[i] != address[i] { return false }
        return true
    }
}
