import PoundConfig

/// An ACL compiled for matching: network and mask per entry, precomputed so a check
/// is a few integer operations (the model's `CIDR.contains` builds its mask per call).
struct AddressList: Sendable {
    private var v4: [(network: UInt32, mask: UInt32)] = []
    private var v6: [(network: (UInt64, UInt64), mask: (UInt64, UInt64))] = []

    init(_ acl: ACL) {
        self.init(acl.entries)
    }

    init(_ entries: [CIDR]) {
        for cidr in entries {
            let mask = Self.mask(prefix: cidr.prefixLength, bytes: cidr.address.count)
            switch cidr.address.count {
            case 4:
                v4.append((Self.word32(cidr.address[...]) & Self.word32(mask[...]),
                           Self.word32(mask[...])))
            case 16:
                let m = (Self.word64(mask[0..<8]), Self.word64(mask[8..<16]))
                let a = (Self.word64(cidr.address[0..<8]), Self.word64(cidr.address[8..<16]))
                v6.append(((a.0 & m.0, a.1 & m.1), m))
            default:
                continue
            }
        }
    }

    private static func mask(prefix: Int, bytes: Int) -> [UInt8] {
        (0..<bytes).map { i in
            let bits = prefix - i * 8
            if bits >= 8 { return 0xFF }
            if bits <= 0 { return 0 }
            return UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
        }
    }

    private static func word32(_ b: ArraySlice<UInt8>) -> UInt32 {
        b.reduce(0) { $0 << 8 | UInt32($1) }
    }

    private static func word64(_ b: ArraySlice<UInt8>) -> UInt64 {
        b.reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// Whether the address (4 or 16 bytes; IPv4-mapped already reduced to 4) is in
    /// the list. Families never match each other, as in Pound.
    func contains(_ address: ArraySlice<UInt8>) -> Bool {
        switch address.count {
        case 4:
            let a = Self.word32(address)
            return v4.contains { a & $0.mask == $0.network }
        case 16:
            let s = address.startIndex
            let a = (Self.word64(address[s..<s + 8]), Self.word64(address[s + 8..<s + 16]))
            return v6.contains { a.0 & $0.mask.0 == $0.network.0 && a.1 & $0.mask.1 == $0.network.1 }
        default:
            return false
        }
    }
}
