import Testing
@testable import VRRP

private let lb1 = IPv4Address(10, 213, 0, 11)
private let lb2 = IPv4Address(10, 213, 0, 12)
private let vip = IPv4Address(10, 213, 0, 99)
private let group = IPv4Address.vrrpMulticast

@Suite struct VRRPPacketTests {
    @Test func addressParsing() {
        #expect(IPv4Address("10.213.0.99") == vip)
        #expect(IPv4Address("224.0.0.18") == group)
        #expect(vip.description == "10.213.0.99")
        #expect(IPv4Address("10.213.0") == nil)
        #expect(IPv4Address("10.213.0.256") == nil)
        #expect(IPv4Address("10..0.1") == nil)
        #expect(IPv4Address("1.2.3.4.5") == nil)
        #expect(lb2 > lb1)
    }

    // Known-good keepalived 2.2.7 packets from the rig's README, so these tests do not depend on
    // ../shared being present.
    @Test(arguments: [
        ("21 33 67 01 00 01 6c92 0ad50063 0000000000000000", lb1, group),
        ("21 33 00 01 00 01 d392 0ad50063 0000000000000000", lb2, group),
        ("21 33 67 01 01 01 bd13 0ad50063 7269677061737331", lb1, group),
        ("2133670102016a920ad500630000000000000000", lb1, group),
        ("31 33 67 01 0064 70c0 0ad50063", lb1, group),
        ("31 33 00 01 0064 d7c0 0ad50063", lb1, group),
        ("31 33 00 01 0064 d7bf 0ad50063", lb2, group),
        ("31 33 67 01 0064 45f2 0ad50063", lb1, lb2),
    ])
    func literalVectorsRoundTrip(hex: String, source: IPv4Address, destination: IPv4Address) throws {
        let bytes = hexBytes(hex)
        let packet = try VRRPPacket.decode(bytes, source: source, destination: destination)
        #expect(packet.virtualRouterID == 51)
        #expect(packet.addresses == [vip])
        #expect(packet.encode(source: source, destination: destination) == bytes)
    }

    @Test func decodesV2PassFields() throws {
        let packet = try VRRPPacket.decode(
            hexBytes("21 33 67 01 01 01 bd13 0ad50063 7269677061737331"), source: lb1, destination: group)
        #expect(packet.version == .v2)
        #expect(packet.priority == 103)
        #expect(packet.advertInterval == 1)
        #expect(packet.checksum == 0xbd13)
        #expect(packet.authentication == .simple(password: Array("rigpass1".utf8)))
    }

    @Test func encodesFromFields() {
        let v3 = VRRPPacket(version: .v3, virtualRouterID: 51, priority: 103, advertInterval: 100, addresses: [vip])
        #expect(v3.encode(source: lb1, destination: group) == hexBytes("31 33 67 01 0064 70c0 0ad50063"))
        let v2 = VRRPPacket(
            version: .v2, virtualRouterID: 51, priority: 103, advertInterval: 1, addresses: [vip],
            authentication: .simple(password: Array("rigpass1".utf8)))
        #expect(v2.encode(source: lb1, destination: group)
            == hexBytes("21 33 67 01 01 01 bd13 0ad50063 7269677061737331"))
        // A short password is zero-padded to 8 bytes and comes back without the padding.
        let short = VRRPPacket(
            version: .v2, virtualRouterID: 1, priority: 100, advertInterval: 1, addresses: [vip],
            authentication: .simple(password: Array("abc".utf8)))
        let bytes = short.encode(source: lb1, destination: group)
        #expect(Array(bytes[12...]) == [0x61, 0x62, 0x63, 0, 0, 0, 0, 0])
        #expect((try? VRRPPacket.decode(bytes, source: lb1, destination: group))?.authentication
            == .simple(password: Array("abc".utf8)))
    }

    @Test func v3ChecksumDependsOnPseudoHeader() {
        let bytes = hexBytes("31 33 67 01 0064 70c0 0ad50063")
        // Sent to the group, checked as if unicast to lb2: the pseudo-header differs.
        #expect(throws: VRRPPacketError.badChecksum(found: 0x70c0, expected: 0x45f2)) {
            try VRRPPacket.decode(bytes, source: lb1, destination: lb2)
        }
        // v2 has no pseudo-header: any addresses verify.
        let v2 = hexBytes("21 33 00 01 00 01 d392 0ad50063 0000000000000000")
        #expect((try? VRRPPacket.decode(v2, source: lb2, destination: lb1)) != nil)
    }

    @Test func rejectsBrokenPackets() {
        var corrupt = hexBytes("21 33 67 01 00 01 6c92 0ad50063 0000000000000000")
        corrupt[2] = 0x68
        #expect(throws: VRRPPacketError.badChecksum(found: 0x6c92, expected: 0x6b92)) {
            try VRRPPacket.decode(corrupt, source: lb1, destination: group)
        }
        let v3 = hexBytes("31 33 67 01 0064 70c0 0ad50063")
        #expect(throws: VRRPPacketError.truncated(length: 11)) {
            try VRRPPacket.decode(Array(v3[0..<11]), source: lb1, destination: group)
        }
        #expect(throws: VRRPPacketError.truncated(length: 4)) {
            try VRRPPacket.decode(Array(v3[0..<4]), source: lb1, destination: group)
        }
        #expect(throws: VRRPPacketError.lengthMismatch(expected: 12, actual: 13)) {
            try VRRPPacket.decode(v3 + [0], source: lb1, destination: group)
        }
        var v4 = v3
        v4[0] = 0x41
        #expect(throws: VRRPPacketError.unsupportedVersion(4)) {
            try VRRPPacket.decode(v4, source: lb1, destination: group)
        }
        var type2 = v3
        type2[0] = 0x32
        #expect(throws: VRRPPacketError.unsupportedType(2)) {
            try VRRPPacket.decode(type2, source: lb1, destination: group)
        }
    }

    @Test func parsesWholeIPv4Packets() throws {
        let v3 = hexBytes("45c0 0020 0001 0000 ff 70 cfba 0ad5000b e0000012 3133670100 6470c0 0ad50063")
        let datagram = try v3.withUnsafeBytes { try VRRPDatagram.parse($0) }
        #expect(datagram.timeToLive == 255)
        #expect(datagram.typeOfService == 0xc0)
        #expect(datagram.identification == 1)
        #expect(datagram.headerChecksumValid)
        #expect(datagram.source == lb1 && datagram.destination == group)
        #expect(datagram.authenticationHeader == nil)
        #expect(datagram.vrrpRange == 20..<32)

        let ahHex = "45c0004000010000ff33cfd70ad5000be0000012700400000ad5000b000000017bacee93eb2ee3b544882ab4"
            + "2133670102016a920ad500630000000000000000"
        let ahBytes = hexBytes(ahHex)
        let ah = try ahBytes.withUnsafeBytes { try VRRPDatagram.parse($0) }
        let header = try #require(ah.authenticationHeader)
        #expect(header.spi == lb1.value)
        #expect(header.sequence == 1)
        #expect(header.icv == hexBytes("7bacee93eb2ee3b544882ab4"))
        #expect(header.encode() == Array(ahBytes[20..<44]))
        let packet = try VRRPPacket.decode(Array(ahBytes[ah.vrrpRange]), source: ah.source, destination: ah.destination)
        #expect(packet.authentication == .ipAuthenticationHeader(data: [0, 0, 0, 0, 0, 0, 0, 0]))
        #expect(packet.authentication.type == 2)
    }
}
