import CVRRPLinux
import Foundation
import Testing
@testable import VRRP

#if canImport(Glibc)
import Glibc
#endif

private let needsRoot = "needs root: creates a veth pair (pvm0/pvm1) and a macvlan vrrp.51"

private let vrid: UInt8 = 51
private let vmac: [UInt8] = [0x00, 0x00, 0x5e, 0x00, 0x01, 0x33]
private let vmacName = "vrrp.51"
private let pvm0Address = IPv4Address(10, 232, 0, 1)
private let vip = VRRPVirtualAddress(address: IPv4Address(10, 232, 0, 100), prefixLength: 32)

/// pvm0 (10.232.0.1/24) <-> pvm1 (10.232.0.2/24); a macvlan a test leaves behind goes too.
private func withVeth(_ body: () throws -> Void) rethrows {
    try withVethPair("pvm0", "pvm1", subnet: "10.232.0", alsoRemove: [vmacName], body)
}

/// An AF_PACKET socket on `interface` that sees every frame (ETH_P_ALL).
private func openListener(_ interface: String) throws -> Int32 {
    let index = try VRRPLinuxInterface.resolve(interface).index
    let fd = socket(AF_PACKET, Int32(SOCK_RAW.rawValue), Int32(UInt16(0x0003).bigEndian))
    #expect(fd >= 0)
    #expect(cvrrp_packet_bind(fd, index, 0x0003) == 0)
    return fd
}

/// Every frame that arrives within `milliseconds`.
private func drain(_ fd: Int32, milliseconds: Int) -> [[UInt8]] {
    receivePackets(fd, milliseconds: milliseconds)
}

private func isARP(_ frame: [UInt8], op: UInt8) -> Bool {
    frame.count >= 42 && frame[12] == 0x08 && frame[13] == 0x06 && frame[21] == op
}

private func isVRRP(_ frame: [UInt8]) -> Bool {
    frame.count >= 34 && frame[12] == 0x08 && frame[13] == 0x00 && frame[23] == 112
}

private func settings(interface: String, priority: UInt8) -> VRRPRouterSettings {
    VRRPRouterSettings(
        name: "VI_vmac", interface: interface, version: .v3, virtualRouterID: vrid, priority: priority,
        advertInterval: 10, virtualAddresses: [vip], useVirtualMAC: true, garpRepeat: 2, garpDelay: .zero)
}

private func waitFor(_ condition: () -> Bool, milliseconds: Int = 2_000) -> Bool {
    for _ in 0..<(milliseconds / 20) {
        if condition() { return true }
        usleep(20_000)
    }
    return condition()
}

@Suite(.serialized, .enabled(if: runningAsRoot, "\(needsRoot)"))
struct VRRPVirtualMACTests {
    @Test func virtualMACAndInterfaceName() {
        #expect(VRRPVirtualMAC.hardwareAddress(virtualRouterID: 51) == vmac)
        #expect(VRRPVirtualMAC.hardwareAddress(virtualRouterID: 255) == [0, 0, 0x5e, 0, 1, 0xff])
        #expect(VRRPVirtualMAC.interfaceName(virtualRouterID: 51) == "vrrp.51")
    }

    @Test func masterSpeaksThroughAPrivateMacvlanWithTheVirtualMAC() throws {
        try withVeth {
            let baseARPIgnore = VRRPVirtualMAC.readSysctl("ipv4", "pvm0", "arp_ignore")
            let baseARPFilter = VRRPVirtualMAC.readSysctl("ipv4", "pvm0", "arp_filter")
            let listener = try openListener("pvm1")
            defer { close(listener) }
            let log = LogLines()
            let router = VRRPRouter(settings: settings(interface: "pvm0", priority: 150), log: { log.append($0, $1) }, onTransition: { _, _ in })
            try router.start()
            defer { router.stop() }
            #expect(waitFor { router.status.state == .master })

            let link = command(["ip", "-d", "link", "show", vmacName])
            #expect(link.contains("\(vmacName)@pvm0"), "\(link)")
            #expect(link.contains("link/ether 00:00:5e:00:01:33"), "\(link)")
            #expect(link.contains("macvlan mode private"), "\(link)")
            #expect(link.contains(",UP,") || link.contains("<UP,") || link.contains(",UP>"), "\(link)")
            #expect(command(["ip", "-4", "addr", "show", "dev", vmacName]).contains("inet 10.232.0.100/32"))
            #expect(!command(["ip", "-4", "addr", "show", "dev", "pvm0"]).contains("10.232.0.100"))
            // No IPv6 link-local address on the macvlan (keepalived's ADDR_GEN_MODE_NONE).
            #expect(!command(["ip", "-6", "addr", "show", "dev", vmacName]).contains("fe80"))
            #expect(VRRPVirtualMAC.readSysctl("ipv4", vmacName, "arp_ignore") == "1")
            #expect(VRRPVirtualMAC.readSysctl("ipv4", vmacName, "accept_local") == "1")
            #expect(VRRPVirtualMAC.readSysctl("ipv4", vmacName, "rp_filter") == "0")
            #expect(VRRPVirtualMAC.readSysctl("ipv4", "pvm0", "arp_ignore") == "1")
            #expect(VRRPVirtualMAC.readSysctl("ipv4", "pvm0", "arp_filter") == "1")

            let frames = drain(listener, milliseconds: 400)
            let garps = frames.filter { isARP($0, op: 1) && Array($0[28..<32]) == vip.address.bytes }
            #expect(garps.count == 2)
            for garp in garps {
                #expect(Array(garp[0..<6]) == VRRPGratuitousARP.broadcast)
                #expect(Array(garp[6..<12]) == vmac)       // Ethernet source
                #expect(Array(garp[22..<28]) == vmac)      // ARP sender hardware address
                #expect(Array(garp[38..<42]) == vip.address.bytes)
            }
            let adverts = frames.filter(isVRRP)
            #expect(adverts.count >= 3)
            for advert in adverts {
                #expect(Array(advert[0..<6]) == [0x01, 0x00, 0x5e, 0x00, 0x00, 0x12])
                #expect(Array(advert[6..<12]) == vmac)
                #expect(Array(advert[26..<30]) == pvm0Address.bytes)   // IP source: the base's address
                #expect(advert[22] == 255)                             // TTL
                #expect(advert[35] == vrid)
            }

            // Who-has 10.232.0.100 from pvm1: one answer, from the macvlan with the virtual MAC;
            // pvm0 (arp_ignore=1) keeps quiet although the VIP is local to it too.
            let pvm1 = try VRRPLinuxInterface.resolve("pvm1")
            let request = VRRPGratuitousARP.broadcast + pvm1.hardwareAddress + [0x08, 0x06, 0, 1, 8, 0, 6, 4, 0, 1]
                + pvm1.hardwareAddress + [10, 232, 0, 2] + [0, 0, 0, 0, 0, 0] + vip.address.bytes
            let sender = try VRRPLinuxSockets.openPacketSender()
            defer { close(sender) }
            #expect(VRRPLinuxSockets.sendFrame(sender, request, interfaceIndex: pvm1.index, destination: VRRPGratuitousARP.broadcast) == 0)
            let replies = drain(listener, milliseconds: 300).filter { isARP($0, op: 2) && Array($0[28..<32]) == vip.address.bytes }
            #expect(replies.count == 1)
            #expect(replies.first.map { Array($0[22..<28]) } == vmac)
            #expect(replies.first.map { Array($0[6..<12]) } == vmac)

            router.stop()
            #expect(if_nametoindex(vmacName) == 0)
            #expect(VRRPVirtualMAC.readSysctl("ipv4", "pvm0", "arp_ignore") == baseARPIgnore)
            #expect(VRRPVirtualMAC.readSysctl("ipv4", "pvm0", "arp_filter") == baseARPFilter)
            // The priority-0 advert still left through the macvlan, before it was deleted.
            let last = drain(listener, milliseconds: 200).filter(isVRRP)
            #expect(last.contains { Array($0[6..<12]) == vmac && $0.count > 36 && $0[36] == 0 })
            #expect(log.errors.isEmpty, "\(log.errors)")
        }
    }

    @Test func aStaleMacvlanIsRecreated() throws {
        try withVeth {
            command(["ip", "link", "add", "link", "pvm0", "name", vmacName, "type", "macvlan", "mode", "bridge"])
            #expect(if_nametoindex(vmacName) != 0)
            let log = LogLines()
            let router = VRRPRouter(settings: settings(interface: "pvm0", priority: 150), log: { log.append($0, $1) }, onTransition: { _, _ in })
            try router.start()
            defer { router.stop() }
            let link = command(["ip", "-d", "link", "show", vmacName])
            #expect(link.contains("link/ether 00:00:5e:00:01:33"), "\(link)")
            #expect(link.contains("macvlan mode private"), "\(link)")
            #expect(log.count(containing: "removing vrrp.51 left by an earlier run") == 1)
            // A second instance of this process cannot take the same macvlan over.
            let twin = VRRPRouter(settings: settings(interface: "pvm0", priority: 100), log: { _, _ in }, onTransition: { _, _ in })
            #expect(throws: VRRPRouterError.self) { try twin.start() }
            #expect(if_nametoindex(vmacName) != 0)
            router.stop()
            #expect(if_nametoindex(vmacName) == 0)
        }
    }

    /// Unicast adverts leave through the macvlan too (it has no route of its own: the kernel takes
    /// the peer as on-link for the bound socket and resolves it from there).
    @Test func unicastAdvertsLeaveWithTheVirtualMAC() throws {
        try withVeth {
            let listener = try openListener("pvm1")
            defer { close(listener) }
            var unicast = settings(interface: "pvm0", priority: 150)
            unicast.unicastPeers = [IPv4Address(10, 232, 0, 2)]
            let log = LogLines()
            let router = VRRPRouter(settings: unicast, log: { log.append($0, $1) }, onTransition: { _, _ in })
            try router.start()
            defer { router.stop() }
            #expect(waitFor { router.status.state == .master })
            let adverts = drain(listener, milliseconds: 400).filter(isVRRP)
            #expect(adverts.count >= 2)
            for advert in adverts {
                #expect(Array(advert[6..<12]) == vmac)
                #expect(Array(advert[30..<34]) == [10, 232, 0, 2])
            }
            #expect(log.errors.isEmpty, "\(log.errors)")
        }
    }

    /// A master elsewhere with the same virtual MAC: the kernel hands its adverts to our macvlan of
    /// that MAC only (not to pvm1), so the backup must listen there.
    @Test func backupHearsAMasterThatUsesTheSameVirtualMAC() throws {
        try withVeth {
            let log = LogLines()
            let backup = VRRPRouter(settings: settings(interface: "pvm1", priority: 100), log: { log.append($0, $1) }, onTransition: { _, _ in })
            try backup.start()
            defer { backup.stop() }
            let pvm0 = try VRRPLinuxInterface.resolve("pvm0")
            let sender = try VRRPLinuxSockets.openPacketSender()
            defer { close(sender) }
            var master = settings(interface: "pvm0", priority: 200)
            master.useVirtualMAC = false
            var codec = VRRPAdvertCodec(settings: master, source: pvm0Address)
            let multicastMAC: [UInt8] = [0x01, 0x00, 0x5e, 0x00, 0x00, 0x12]
            for _ in 0..<12 {
                let packet = codec.adverts(priority: 200)[0].packet
                let frame = multicastMAC + vmac + [0x08, 0x00] + packet
                #expect(VRRPLinuxSockets.sendFrame(sender, frame, interfaceIndex: pvm0.index, destination: multicastMAC) == 0)
                usleep(100_000)
            }
            #expect(backup.status.state == .backup)
            #expect(backup.status.masterAddress == pvm0Address)
            #expect(backup.status.advertsReceived >= 8)
            #expect(!command(["ip", "-4", "addr", "show", "dev", vmacName]).contains("10.232.0.100"))
            #expect(log.errors.isEmpty, "\(log.errors)")
        }
    }
}
