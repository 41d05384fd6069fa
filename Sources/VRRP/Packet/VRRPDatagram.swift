/// The IP protocol number of an IPsec Authentication Header (RFC 4302), which keepalived puts in
/// front of v2 adverts with `auth_type AH`.
public let ipProtocolAH: UInt8 = 51

/// An IPsec AH header as keepalived sends it: SPI = the sender's address, a sequence number
/// counting from 1, and a 96-bit HMAC-MD5 ICV.
public struct VRRPAuthenticationHeader: Sendable, Hashable {
    public var nextHeader: UInt8
    public var spi: UInt32
    public var sequence: UInt32
    public var icv: [UInt8]

    public init(nextHeader: UInt8 = VRRPPacket.ipProtocol, spi: UInt32, sequence: UInt32, icv: [UInt8]) {
        self.nextHeader = nextHeader
        self.spi = spi
        self.sequence = sequence
        self.icv = icv
    }

    /// 12 fixed bytes plus the ICV, a multiple of 4.
    public var encodedLength: Int { 12 + icv.count }

    public func encode() -> [UInt8] {
        var out: [UInt8] = [nextHeader, UInt8(truncatingIfNeeded: encodedLength / 4 - 2), 0, 0]
        for word in [spi, sequence] {
            out += [UInt8(truncatingIfNeeded: word >> 24), UInt8(truncatingIfNeeded: word >> 16),
                    UInt8(truncatingIfNeeded: word >> 8), UInt8(truncatingIfNeeded: word)]
        }
        return out + icv
    }
}

/// A received IPv4 packet carrying VRRP, split into what the receive checks need. A raw socket for
/// protocol 112 (or 51) hands the IP header to the reader, so this is the receive path's first step.
public struct VRRPDatagram: Sendable, Hashable {
    public var typeOfService: UInt8
    public var identification: UInt16
    public var timeToLive: UInt8
    public var source: IPv4Address
    public var destination: IPv4Address
    public var headerChecksumValid: Bool
    public var authenticationHeader: VRRPAuthenticationHeader?
    /// The VRRP message's byte range within the parsed buffer.
    public var vrrpRange: Range<Int>

    public enum ParseError: Error, Sendable, Hashable {
        case truncated
        case notIPv4
        case notVRRP(protocol: UInt8)
    }

    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(ParseError) -> VRRPDatagram {
        guard bytes.count >= 20 else { throw .truncated }
        guard bytes[0] >> 4 == 4 else { throw .notIPv4 }
        let headerLength = Int(bytes[0] & 0x0F) * 4
        let totalLength = Int(bytes[2]) << 8 | Int(bytes[3])
        guard headerLength >= 20, totalLength >= headerLength, bytes.count >= totalLength else {
            throw .truncated
        }
        var sum = InternetChecksum()
        sum.add(UnsafeRawBufferPointer(rebasing: bytes[0..<headerLength]))
        func address(_ o: Int) -> IPv4Address { IPv4Address(bytes[o], bytes[o + 1], bytes[o + 2], bytes[o + 3]) }
        func word(_ o: Int) -> UInt32 {
            UInt32(bytes[o]) << 24 | UInt32(bytes[o + 1]) << 16 | UInt32(bytes[o + 2]) << 8 | UInt32(bytes[o + 3])
        }

        var payloadStart = headerLength
        var ah: VRRPAuthenticationHeader?
        let proto = bytes[9]
        if proto == ipProtocolAH {
            guard totalLength - headerLength >= 12 else { throw .truncated }
            let ahLength = (Int(bytes[headerLength + 1]) + 2) * 4
            guard ahLength >= 12, headerLength + ahLength <= totalLength else { throw .truncated }
            let next = bytes[headerLength]
            guard next == VRRPPacket.ipProtocol else { throw .notVRRP(protocol: next) }
            ah = VRRPAuthenticationHeader(
                nextHeader: next, spi: word(headerLength + 4), sequence: word(headerLength + 8),
                icv: Array(bytes[(headerLength + 12)..<(headerLength + ahLength)]))
            payloadStart += ahLength
        } else if proto != VRRPPacket.ipProtocol {
            throw .notVRRP(protocol: proto)
        }
        return VRRPDatagram(
            typeOfService: bytes[1],
            identification: UInt16(bytes[4]) << 8 | UInt16(bytes[5]),
            timeToLive: bytes[8],
            source: address(12), destination: address(16),
            // The sum over a header that includes its own checksum is all ones, i.e. zero here.
            headerChecksumValid: sum.value == 0,
            authenticationHeader: ah,
            vrrpRange: payloadStart..<totalLength)
    }
}
