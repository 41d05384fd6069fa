import Digests

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

extension VRRPAuthenticationHeader {
    /// keepalived's ICV: HMAC-MD5-96 keyed with the 8-byte auth_pass (zero-padded), over the whole
    /// IP packet with TOS, flags/fragment offset, header checksum and the ICV itself zeroed; the TTL
    /// too, but only for unicast peers (observed from keepalived 2.2.7 in the rig's captures).
    /// `packet` is the IP packet starting at the IP header, with the AH right after a 20-byte header.
    public static func keepalivedICV(packet: [UInt8], password: [UInt8], zeroTimeToLive: Bool) -> [UInt8] {
        var copy = packet
        guard copy.count >= 20 else { return [] }
        let headerLength = Int(copy[0] & 0x0F) * 4
        guard copy.count >= headerLength + 12 else { return [] }
        copy[1] = 0
        copy[6] = 0
        copy[7] = 0
        copy[10] = 0
        copy[11] = 0
        if zeroTimeToLive { copy[8] = 0 }
        let ahLength = (Int(copy[headerLength + 1]) + 2) * 4
        let icvEnd = min(headerLength + ahLength, copy.count)
        for i in (headerLength + 12)..<max(headerLength + 12, icvEnd) {
            copy[i] = 0
        }
        var key = [UInt8](repeating: 0, count: 8)
        for i in 0..<min(8, password.count) { key[i] = password[i] }
        return Array(MD5.hmac(key: key, message: copy)[0..<12])
    }
}

extension VRRPDatagram {
    /// What a sender needs for keepalived-style AH: its SPI (keepalived uses the sender's address),
    /// the sequence number (counting from 1), and the shared password.
    public struct AHParameters: Sendable, Hashable {
        public var spi: UInt32
        public var sequence: UInt32
        public var password: [UInt8]
        public var unicast: Bool

        public init(spi: UInt32, sequence: UInt32, password: [UInt8], unicast: Bool = false) {
            self.spi = spi
            self.sequence = sequence
            self.password = password
            self.unicast = unicast
        }
    }

    /// A whole IPv4 packet as keepalived sends it (for an IP_HDRINCL raw socket): TOS 0xc0 (CS6),
    /// no DF, TTL 255, the caller's IP id, and an AH header in front of the message when asked for.
    public static func encode(
        vrrp message: [UInt8], source: IPv4Address, destination: IPv4Address, identification: UInt16,
        typeOfService: UInt8 = 0xc0, timeToLive: UInt8 = 255, authentication: AHParameters? = nil
    ) -> [UInt8] {
        let ahLength = authentication == nil ? 0 : 24
        let total = 20 + ahLength + message.count
        var out: [UInt8] = [
            0x45, typeOfService, UInt8(truncatingIfNeeded: total >> 8), UInt8(truncatingIfNeeded: total),
            UInt8(truncatingIfNeeded: identification >> 8), UInt8(truncatingIfNeeded: identification), 0, 0,
            timeToLive, authentication == nil ? VRRPPacket.ipProtocol : ipProtocolAH, 0, 0,
        ]
        out += source.bytes
        out += destination.bytes
        var sum = InternetChecksum()
        out.withUnsafeBytes { sum.add($0) }
        out[10] = UInt8(truncatingIfNeeded: sum.value >> 8)
        out[11] = UInt8(truncatingIfNeeded: sum.value)
        if let ah = authentication {
            out += VRRPAuthenticationHeader(
                spi: ah.spi, sequence: ah.sequence, icv: [UInt8](repeating: 0, count: 12)).encode()
            out += message
            let icv = VRRPAuthenticationHeader.keepalivedICV(
                packet: out, password: ah.password, zeroTimeToLive: ah.unicast)
            out.replaceSubrange(32..<44, with: icv)
        } else {
            out += message
        }
        return out
    }
}
