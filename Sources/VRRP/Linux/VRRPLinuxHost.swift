#if canImport(Glibc)
import Glibc
#endif

/// The file descriptors a running router owns besides its NIO channels; Sendable so the router can
/// hand them to its loop and close them after it.
struct VRRPLinuxResources: Sendable {
    /// Where the instance speaks: the configured interface, or its macvlan with `useVirtualMAC`.
    let interface: VRRPLinuxInterface
    var netlink: VRRPNetlink
    let senderFD: Int32
    let packetFD: Int32
    var virtualMAC: VRRPVirtualMAC? = nil

    /// Last, after the loop has stopped: deleting the macvlan takes its VIPs with it.
    func close(log: (_ isError: Bool, _ message: String) -> Void = { _, _ in }) {
        if let virtualMAC {
            var netlink = self.netlink
            virtualMAC.remove(netlink: &netlink, log: log)
        }
        netlink.close()
        _ = Glibc.close(senderFD)
        _ = Glibc.close(packetFD)
    }
}

/// `VRRPHost` on Linux: netlink for the addresses, the IP_HDRINCL socket for adverts, AF_PACKET
/// for GARP, all on `resources.interface` (with a virtual MAC, the macvlan, whose MAC is then the
/// GARP's sender). Failures are logged, not thrown: the state machine has moved on either way, and
/// keepalived too keeps running when one `ip addr` or send fails.
final class VRRPLinuxHost: VRRPHost {
    private var resources: VRRPLinuxResources
    private let name: String
    private let log: (_ isError: Bool, _ message: String) -> Void
    private var lastSendError: Int32 = 0

    init(resources: VRRPLinuxResources, name: String, log: @escaping (_ isError: Bool, _ message: String) -> Void) {
        self.resources = resources
        self.name = name
        self.log = log
    }

    private var prefix: String { "VRRP_Instance(\(name))" }

    func addVirtualAddresses(_ addresses: [VRRPVirtualAddress]) {
        changeAddresses(addresses) { netlink, address, index in
            try netlink.add(address, interfaceIndex: index)
        }
    }

    func removeVirtualAddresses(_ addresses: [VRRPVirtualAddress]) {
        changeAddresses(addresses) { netlink, address, index in
            _ = try netlink.remove(address, interfaceIndex: index)
        }
    }

    /// One netlink request per address; a failure is logged and the others still go ahead.
    private func changeAddresses(
        _ addresses: [VRRPVirtualAddress],
        _ change: (inout VRRPNetlink, VRRPVirtualAddress, Int32) throws -> Void
    ) {
        for address in addresses {
            do {
                try change(&resources.netlink, address, resources.interface.index)
            } catch {
                log(true, "\(prefix) \(error)")
            }
        }
    }

    func sendGratuitousARP(for addresses: [VRRPVirtualAddress]) {
        for address in addresses {
            let frame = VRRPGratuitousARP.frame(
                for: address.address, senderHardwareAddress: resources.interface.hardwareAddress)
            let code = VRRPLinuxSockets.sendFrame(
                resources.packetFD, frame, interfaceIndex: resources.interface.index,
                destination: VRRPGratuitousARP.broadcast)
            report(code, "sending gratuitous ARP for \(address.address)")
        }
    }

    func sendAdvertisement(_ packet: [UInt8], to destination: IPv4Address) {
        report(VRRPLinuxSockets.sendIPv4(resources.senderFD, packet, to: destination), "sending advert to \(destination)")
    }

    /// One line per new error, not one per advert: a downed link would otherwise log every second.
    private func report(_ code: Int32, _ what: String) {
        if code != 0, code != lastSendError {
            log(true, "\(prefix) \(what): \(String(cString: strerror(code)))")
        }
        lastSendError = code
    }
}
