/// The protocol version of an advertisement: v2 is RFC 3768 (keepalived's default), v3 RFC 5798.
public enum VRRPVersion: UInt8, Sendable, Hashable {
    case v2 = 2
    case v3 = 3
}

/// The v2 authentication field. RFC 3768 reserved types 1 and 2, but keepalived still sends them
/// (RFC 2338 semantics), and peers carried over from old tutorials rely on them.
public enum VRRPAuthentication: Sendable, Hashable {
    case none
    /// Type 1: the password in clear, zero-padded to 8 bytes.
    case simple(password: [UInt8])
    /// Type 2: the real check is an IPsec AH header in front of the message; keepalived sends
    /// zeros in the auth data field, which is kept here so re-encoding is byte-exact.
    case ipAuthenticationHeader(data: [UInt8])
    /// Any other type, kept verbatim.
    case other(type: UInt8, data: [UInt8])

    public var type: UInt8 {
        switch self {
        case .none: 0
        case .simple: 1
        case .ipAuthenticationHeader: 2
        case .other(let type, _): type
        }
    }

    /// The 8 bytes on the wire: shorter input is zero-padded, longer is cut (keepalived's auth_pass
    /// is at most 8 characters, and it too pads with zeros).
    var wireData: [UInt8] {
        let data: [UInt8]
        switch self {
        case .none: data = []
        case .simple(let password): data = password
        case .ipAuthenticationHeader(let bytes): data = bytes
        case .other(_, let bytes): data = bytes
        }
        var out = [UInt8](repeating: 0, count: 8)
        for i in 0..<min(8, data.count) {
            out[i] = data[i]
        }
        return out
    }

    init(type: UInt8, data: [UInt8]) {
        switch type {
        case 0: self = .none
        case 1:
            // Trailing zeros are padding, not part of the password.
            var end = data.count
            while end > 0, data[end - 1] == 0 { end -= 1 }
            self = .simple(password: Array(data[0..<end]))
        case 2: self = .ipAuthenticationHeader(data: data)
        default: self = .other(type: type, data: data)
        }
    }
}

public enum VRRPPacketError: Error, Sendable, Hashable {
    case truncated(length: Int)
    case unsupportedVersion(UInt8)
    case unsupportedType(UInt8)
    /// The length does not match the address count (8 + 4n, plus 8 auth bytes in v2).
    case lengthMismatch(expected: Int, actual: Int)
    case badChecksum(found: UInt16, expected: UInt16)
}

/// One VRRP advertisement (IPv4), without the IP header. Encoding and decoding are byte-exact:
/// a decoded packet re-encodes to the same bytes.
public struct VRRPPacket: Sendable, Hashable {
    public static let ipProtocol: UInt8 = 112
    public static let advertisementType: UInt8 = 1

    public var version: VRRPVersion
    public var type: UInt8
    public var virtualRouterID: UInt8
    public var priority: UInt8
    /// In the version's own unit: v2 whole seconds (8 bits), v3 centiseconds (12 bits).
    public var advertInterval: UInt16
    public var addresses: [IPv4Address]
    /// v2 only; v3 has no authentication and encodes nothing for it.
    public var authentication: VRRPAuthentication
    /// The checksum as decoded; encoding always computes it afresh.
    public var checksum: UInt16

    public init(
        version: VRRPVersion, virtualRouterID: UInt8, priority: UInt8, advertInterval: UInt16,
        addresses: [IPv4Address], authentication: VRRPAuthentication = .none,
        type: UInt8 = VRRPPacket.advertisementType, checksum: UInt16 = 0
    ) {
        self.version = version
        self.type = type
        self.virtualRouterID = virtualRouterID
        self.priority = priority
        self.advertInterval = advertInterval
        self.addresses = addresses
        self.authentication = authentication
        self.checksum = checksum
    }

    /// The length on the wire.
    public var encodedLength: Int {
        8 + 4 * addresses.count + (version == .v2 ? 8 : 0)
    }

    /// Encodes the message with its checksum. `source` and `destination` are the IP header's
    /// addresses, which the v3 checksum covers through the pseudo-header (the unicast peer when
    /// sending unicast); v2 ignores them.
    public func encode(source: IPv4Address, destination: IPv4Address) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(encodedLength)
        out.append(version.rawValue << 4 | (type & 0x0F))
        out.append(virtualRouterID)
        out.append(priority)
        out.append(UInt8(truncatingIfNeeded: addresses.count))
        switch version {
        case .v2:
            out.append(authentication.type)
            out.append(UInt8(truncatingIfNeeded: advertInterval))
        case .v3:
            // The top 4 bits are reserved and sent as zero (RFC 5798 §5.2.6).
            let interval = advertInterval & 0x0FFF
            out.append(UInt8(truncatingIfNeeded: interval >> 8))
            out.append(UInt8(truncatingIfNeeded: interval))
        }
        out.append(0)
        out.append(0)
        for address in addresses {
            out.append(contentsOf: address.bytes)
        }
        if version == .v2 {
            out.append(contentsOf: authentication.wireData)
        }
        let sum = out.withUnsafeBytes {
            Self.computeChecksum(version: version, message: $0, source: source, destination: destination)
        }
        out[6] = UInt8(truncatingIfNeeded: sum >> 8)
        out[7] = UInt8(truncatingIfNeeded: sum)
        return out
    }

    /// The checksum a message should carry, computed with its checksum field taken as zero.
    /// v2 covers the message only (RFC 3768 §5.3.8); v3 adds the IPv4 pseudo-header
    /// (RFC 5798 §5.2.8), which is what keepalived and Wireshark's default expect.
    public static func computeChecksum(
        version: VRRPVersion, message: UnsafeRawBufferPointer, source: IPv4Address, destination: IPv4Address
    ) -> UInt16 {
        var sum = InternetChecksum()
        if version == .v3 {
            sum.add(source)
            sum.add(destination)
            sum.add(UInt16(ipProtocol))
            sum.add(UInt16(truncatingIfNeeded: message.count))
        }
        if message.count >= 8 {
            sum.add(UnsafeRawBufferPointer(rebasing: message[0..<6]))
            sum.add(UnsafeRawBufferPointer(rebasing: message[8...]))
        } else {
            sum.add(message)
        }
        return sum.value
    }

    /// Decodes and checks one message (the IP payload). The checks are the receive-side ones that
    /// need only the message: version, type, length against the count, checksum. TTL, VRID and
    /// auth matching are the receiver's business.
    public static func decode(
        _ bytes: UnsafeRawBufferPointer, source: IPv4Address, destination: IPv4Address
    ) throws(VRRPPacketError) -> VRRPPacket {
        guard bytes.count >= 8 else { throw .truncated(length: bytes.count) }
        let versionBits = bytes[0] >> 4
        guard let version = VRRPVersion(rawValue: versionBits) else {
            throw .unsupportedVersion(versionBits)
        }
        let type = bytes[0] & 0x0F
        guard type == advertisementType else { throw .unsupportedType(type) }
        let count = Int(bytes[3])
        let expected = 8 + 4 * count + (version == .v2 ? 8 : 0)
        guard bytes.count >= expected else { throw .truncated(length: bytes.count) }
        // Trailing bytes would change the checksum and cannot be re-encoded, so they are refused.
        guard bytes.count == expected else { throw .lengthMismatch(expected: expected, actual: bytes.count) }

        let found = UInt16(bytes[6]) << 8 | UInt16(bytes[7])
        let computed = computeChecksum(version: version, message: bytes, source: source, destination: destination)
        guard found == computed else { throw .badChecksum(found: found, expected: computed) }

        var addresses = [IPv4Address]()
        addresses.reserveCapacity(count)
        for i in 0..<count {
            let o = 8 + 4 * i
            addresses.append(IPv4Address(bytes[o], bytes[o + 1], bytes[o + 2], bytes[o + 3]))
        }
        let interval: UInt16
        let authentication: VRRPAuthentication
        switch version {
        case .v2:
            interval = UInt16(bytes[5])
            let o = 8 + 4 * count
            authentication = VRRPAuthentication(type: bytes[4], data: Array(bytes[o..<(o + 8)]))
        case .v3:
            // Reserved bits are ignored on receipt (RFC 5798 §5.2.5).
            interval = (UInt16(bytes[4]) << 8 | UInt16(bytes[5])) & 0x0FFF
            authentication = .none
        }
        return VRRPPacket(
            version: version, virtualRouterID: bytes[1], priority: bytes[2], advertInterval: interval,
            addresses: addresses, authentication: authentication, type: type, checksum: found)
    }

    public static func decode(
        _ bytes: [UInt8], source: IPv4Address, destination: IPv4Address
    ) throws(VRRPPacketError) -> VRRPPacket {
        let result: Result<VRRPPacket, VRRPPacketError> = bytes.withUnsafeBytes { buffer in
            do throws(VRRPPacketError) {
                return .success(try decode(buffer, source: source, destination: destination))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}
