// VRRP's receive path: a whole IPv4 packet as the raw socket hands it over
// (VRRPDatagram.parse, the AH header, keepalived's ICV), then the VRRP message in it
// (VRRPPacket.decode). The message alone is also decoded with its checksum made right,
// so mutations get past the checksum, and must survive encode/decode unchanged.
import FuzzDriver
import VRRP
#if canImport(Glibc)
import Glibc
#endif

let multicast = IPv4Address.vrrpMulticast
let peer = IPv4Address(192, 0, 2, 1)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    if let datagram = try? VRRPDatagram.parse(bytes) {
        let range = datagram.vrrpRange
        precondition(range.lowerBound >= 0 && range.upperBound <= size, "vrrpRange \(range) outside \(size) bytes")
        let message = UnsafeRawBufferPointer(rebasing: bytes[range])
        _ = try? VRRPPacket.decode(message, source: datagram.source, destination: datagram.destination)
        if let ah = datagram.authenticationHeader {
            _ = ah.encode()
            _ = VRRPAuthenticationHeader.keepalivedICV(packet: Array(bytes), password: Array("secret".utf8),
                                                       zeroTimeToLive: datagram.destination != multicast)
        }
        roundTrip(message, source: datagram.source, destination: datagram.destination)
    }
    roundTrip(bytes, source: peer, destination: multicast)
    return 0
}

/// Decodes `message` with a correct checksum; what decodes must encode to the same
/// bytes (but for what decoding ignores) and decode again to the same packet.
func roundTrip(_ message: UnsafeRawBufferPointer, source: IPv4Address, destination: IPv4Address) {
    _ = try? VRRPPacket.decode(message, source: source, destination: destination)
    guard message.count >= 8, let version = VRRPVersion(rawValue: message[0] >> 4) else { return }
    var fixed = Array(message)
    setChecksum(&fixed, version: version, source: source, destination: destination)
    guard let packet = try? VRRPPacket.decode(fixed, source: source, destination: destination) else { return }
    precondition(packet.addresses.count == Int(fixed[3]))
    let again = packet.encode(source: source, destination: destination)
    precondition(again.count == packet.encodedLength)
    guard let decoded = try? VRRPPacket.decode(again, source: source, destination: destination) else {
        preconditionFailure("re-encoded packet does not decode: \(again)")
    }
    var same = packet
    same.checksum = decoded.checksum
    precondition(decoded == same, "decode(encode(p)) != p: \(decoded) vs \(packet)")
    // Byte-exact, except for what a receiver ignores: v3's reserved interval bits (sent
    // as zero) and v2 auth data with auth type 0 (sent as zeros).
    var expected = fixed
    if version == .v3 { expected[4] &= 0x0F }
    if version == .v2, expected[4] == 0 {
        let o = 8 + 4 * Int(expected[3])
        for i in o..<(o + 8) { expected[i] = 0 }
    }
    setChecksum(&expected, version: version, source: source, destination: destination)
    precondition(again == expected, "encode(decode(m)) != m: \(again) vs \(expected)")
}

func setChecksum(_ m: inout [UInt8], version: VRRPVersion, source: IPv4Address, destination: IPv4Address) {
    let sum = m.withUnsafeBytes {
        VRRPPacket.computeChecksum(version: version, message: $0, source: source, destination: destination)
    }
    m[6] = UInt8(truncatingIfNeeded: sum >> 8)
    m[7] = UInt8(truncatingIfNeeded: sum)
}

/// `POUNCE_FUZZ_VRRP_SEEDS=DIR fuzz-vrrp` writes the seed packets of Corpus/vrrp, made
/// with the encoder the router sends with, into DIR and exits.
func writeSeeds(to dir: String) {
    let router = IPv4Address(10, 213, 0, 11)
    let other = IPv4Address(10, 213, 0, 12)
    let vips = [IPv4Address(10, 213, 0, 99), IPv4Address(192, 0, 2, 80), IPv4Address(198, 51, 100, 7)]
    func save(_ name: String, _ bytes: [UInt8]) {
        let fd = open(dir + "/" + name, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        precondition(fd >= 0, "cannot write \(dir)/\(name)")
        precondition(bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == bytes.count)
        close(fd)
    }
    let adverts: [(String, VRRPPacket, IPv4Address, VRRPDatagram.AHParameters?)] = [
        ("v2-none", VRRPPacket(version: .v2, virtualRouterID: 51, priority: 100, advertInterval: 1,
                               addresses: [vips[0]]), .vrrpMulticast, nil),
        ("v2-pass", VRRPPacket(version: .v2, virtualRouterID: 51, priority: 150, advertInterval: 3,
                               addresses: vips, authentication: .simple(password: Array("rigpass1".utf8))),
         .vrrpMulticast, nil),
        ("v2-ah", VRRPPacket(version: .v2, virtualRouterID: 7, priority: 200, advertInterval: 1,
                             addresses: [vips[1]], authentication: .ipAuthenticationHeader(data: [UInt8](repeating: 0, count: 8))),
         .vrrpMulticast, VRRPDatagram.AHParameters(spi: router.value, sequence: 1, password: Array("rigpass1".utf8))),
        ("v2-ah-unicast", VRRPPacket(version: .v2, virtualRouterID: 7, priority: 90, advertInterval: 2,
                                     addresses: [vips[1]], authentication: .ipAuthenticationHeader(data: [UInt8](repeating: 0, count: 8))),
         other, VRRPDatagram.AHParameters(spi: router.value, sequence: 41, password: Array("secret".utf8), unicast: true)),
        ("v3", VRRPPacket(version: .v3, virtualRouterID: 51, priority: 100, advertInterval: 100,
                          addresses: [vips[0]]), .vrrpMulticast, nil),
        ("v3-unicast", VRRPPacket(version: .v3, virtualRouterID: 255, priority: 255, advertInterval: 4095,
                                  addresses: vips), other, nil),
        ("v3-priority0", VRRPPacket(version: .v3, virtualRouterID: 1, priority: 0, advertInterval: 1,
                                    addresses: []), .vrrpMulticast, nil),
    ]
    for (name, packet, destination, ah) in adverts {
        let message = packet.encode(source: router, destination: destination)
        save("message-" + name, message)
        save("ip-" + name, VRRPDatagram.encode(vrrp: message, source: router, destination: destination,
                                               identification: 1, authentication: ah))
    }
}

if let dir = getenv("POUNCE_FUZZ_VRRP_SEEDS") {
    writeSeeds(to: String(cString: dir))
    exit(0)
}

pounce_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv) { data, size in
    guard let data else { return withUnsafePointer(to: 0 as UInt8) { fuzz($0, 0) } }
    return fuzz(data, size)
}
