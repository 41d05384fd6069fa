import CVRRPLinux
import Foundation
import Testing
@testable import VRRP

#if canImport(Glibc)
import Glibc
#endif

private let needsRoot = "needs root: creates a veth pair (pvt0/pvt1) and opens raw, packet and netlink sockets"

/// pvt0 (10.231.0.1/24) <-> pvt1 (10.231.0.2/24).
private func withVeth(_ body: () throws -> Void) rethrows {
    try withVethPair("pvt0", "pvt1", subnet: "10.231.0", body)
}

/// The first datagram `matching` accepts within `milliseconds`, or nil.
private func receive(_ fd: Int32, milliseconds: Int32 = 2_000, matching: ([UInt8]) -> Bool = { _ in true }) -> [UInt8]? {
    receivePackets(fd, milliseconds: Int(milliseconds), stop: matching).last.flatMap { matching($0) ? $0 : nil }
}

private let pvt0Address = IPv4Address(10, 231, 0, 1)
private let pvt1Address = IPv4Address(10, 231, 0, 2)
private let testVIP = VRRPVirtualAddress(address: IPv4Address(10, 231, 0, 100), prefixLength: 32)

private func settings(interface: String, priority: UInt8) -> VRRPRouterSettings {
    VRRPRouterSettings(
        name: "VI_\(interface)", interface: interface, version: .v3, virtualRouterID: 77, priority: priority,
        advertInterval: 10, virtualAddresses: [testVIP], garpDelay: .zero)
}

@Suite(.serialized, .enabled(if: runningAsRoot, "\(needsRoot)"))
struct VRRPLinuxSocketTests {
    @Test func advertSentOnPvt0IsReceivedOnPvt1WithTTL255() throws {
        try withVeth {
            let pvt0 = try VRRPLinuxInterface.resolve("pvt0")
            let pvt1 = try VRRPLinuxInterface.resolve("pvt1")
            let receiver = try VRRPLinuxSockets.openReceiver(protocol: VRRPPacket.ipProtocol, interface: pvt1)
            defer { close(receiver) }
            let sender = try VRRPLinuxSockets.openSender(interface: pvt0)
            defer { close(sender) }
            var codec = VRRPAdvertCodec(settings: settings(interface: "pvt0", priority: 150), source: pvt0Address)
            let advert = codec.adverts(priority: 150)[0]
            #expect(VRRPLinuxSockets.sendIPv4(sender, advert.packet, to: advert.destination) == 0)
            guard let bytes = receive(receiver) else {
                Issue.record("no advert arrived on pvt1")
                return
            }
            let datagram = try bytes.withUnsafeBytes { try VRRPDatagram.parse($0) }
            #expect(datagram.timeToLive == 255)
            #expect(datagram.typeOfService == 0xc0)
            #expect(datagram.source == pvt0Address)
            #expect(datagram.destination == .vrrpMulticast)
            let ours = VRRPAdvertCodec(settings: settings(interface: "pvt1", priority: 100), source: pvt1Address)
            guard case .accepted(let packet, let source, true) = bytes.withUnsafeBytes({ ours.check($0) }) else {
                Issue.record("not accepted: \(hexString(bytes))")
                return
            }
            #expect(packet.priority == 150)
            #expect(packet.virtualRouterID == 77)
            #expect(source == pvt0Address)
        }
    }

    @Test func netlinkAddsAndRemovesTheVIP() throws {
        try withVeth {
            let pvt0 = try VRRPLinuxInterface.resolve("pvt0")
            var netlink = try VRRPNetlink()
            defer { netlink.close() }
            #expect(try netlink.add(testVIP, interfaceIndex: pvt0.index))
            #expect(command(["ip", "-4", "addr", "show", "dev", "pvt0"]).contains("inet 10.231.0.100/32"))
            // EEXIST is not an error.
            #expect(try !netlink.add(testVIP, interfaceIndex: pvt0.index))
            #expect(try netlink.remove(testVIP, interfaceIndex: pvt0.index))
            #expect(!command(["ip", "-4", "addr", "show", "dev", "pvt0"]).contains("10.231.0.100"))
            // Nor is removing what is not there.
            #expect(try !netlink.remove(testVIP, interfaceIndex: pvt0.index))
        }
    }

    @Test func gratuitousARPArrivesOnThePeerByteExact() throws {
        try withVeth {
            let pvt0 = try VRRPLinuxInterface.resolve("pvt0")
            let pvt1 = try VRRPLinuxInterface.resolve("pvt1")
            let listener = socket(AF_PACKET, Int32(SOCK_RAW.rawValue), Int32(UInt16(0x0806).bigEndian))
            #expect(listener >= 0)
            defer { close(listener) }
            #expect(cvrrp_packet_bind(listener, pvt1.index, 0x0806) == 0)
            let sender = try VRRPLinuxSockets.openPacketSender()
            defer { close(sender) }
            let frame = VRRPGratuitousARP.frame(for: testVIP.address, senderHardwareAddress: pvt0.hardwareAddress)
            #expect(VRRPLinuxSockets.sendFrame(sender, frame, interfaceIndex: pvt0.index, destination: VRRPGratuitousARP.broadcast) == 0)
            let expected = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff] + pvt0.hardwareAddress + [0x08, 0x06, 0, 1, 8, 0, 6, 4, 0, 1]
                + pvt0.hardwareAddress + [10, 231, 0, 100] + [0xff, 0xff, 0xff, 0xff, 0xff, 0xff] + [10, 231, 0, 100]
            let got = receive(listener) { Array($0.prefix(12)) == Array(expected.prefix(12)) && $0.count >= 42 && $0[38..<42] == [10, 231, 0, 100] }
            #expect(got == expected)
        }
    }

    @Test func twoRoutersElectAMasterAndFailOverOnStop() throws {
        try withVeth {
            let log = LogLines()
            // Stale VIP from a "crashed" run: start() must remove it.
            command(["ip", "addr", "add", "10.231.0.100/32", "dev", "pvt1"])
            let high = VRRPRouter(settings: settings(interface: "pvt0", priority: 150), log: { log.append($0, $1) }, onTransition: { _, _ in })
            let low = VRRPRouter(settings: settings(interface: "pvt1", priority: 100), log: { log.append($0, $1) }, onTransition: { _, _ in })
            try low.start()
            #expect(!command(["ip", "-4", "addr", "show", "dev", "pvt1"]).contains("10.231.0.100"))
            #expect(log.count(containing: "VRRP_Instance(VI_pvt1) removing VIPs") == 1)
            try high.start()
            defer {
                high.stop()
                low.stop()
            }
            // Master_Down for 10 cs adverts: 0.3 s + skew; the low one wins first, then is preempted.
            usleep(1_500_000)
            #expect(high.status.state == .master)
            #expect(low.status.state == .backup)
            #expect(low.status.masterAddress == pvt0Address)
            #expect(low.status.advertsReceived > 5)
            #expect(command(["ip", "-4", "addr", "show", "dev", "pvt0"]).contains("inet 10.231.0.100/32"))
            #expect(!command(["ip", "-4", "addr", "show", "dev", "pvt1"]).contains("10.231.0.100"))

            high.stop()
            high.stop()  // idempotent
            #expect(high.status.state == .initialize)
            #expect(!command(["ip", "-4", "addr", "show", "dev", "pvt0"]).contains("10.231.0.100"))
            #expect(log.count(containing: "VRRP_Instance(VI_pvt0) sent 0 priority") == 1)
            usleep(300_000)
            #expect(low.status.state == .master)
            #expect(command(["ip", "-4", "addr", "show", "dev", "pvt1"]).contains("inet 10.231.0.100/32"))
            #expect(log.errors.isEmpty, "\(log.errors)")
        }
    }

    @Test func startFailsClearlyWithoutTheInterface() {
        let router = VRRPRouter(settings: settings(interface: "pvt-missing", priority: 100), log: { _, _ in }, onTransition: { _, _ in })
        #expect(throws: VRRPRouterError.noSuchInterface("pvt-missing")) { try router.start() }
    }
}
