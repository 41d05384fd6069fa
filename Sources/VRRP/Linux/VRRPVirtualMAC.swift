import CVRRPLinux
import NIOConcurrencyHelpers

#if canImport(Glibc)
import Glibc
#endif

/// keepalived 2.2.7's `use_vmac` for IPv4: a macvlan `vrrp.<VRID>` (mode private) with the RFC's
/// virtual MAC 00:00:5e:00:01:<VRID> on top of the configured interface. The instance then speaks
/// through it: adverts and GARPs leave with the virtual MAC as Ethernet source (the capture
/// `keepalived-v3-vmac` shows that for both), the VIPs live on it, and the kernel answers ARP for
/// them with the virtual MAC. The advert's IP source stays the base interface's address.
///
/// The sysctls are keepalived's (vrrp_if_config.c):
/// - on the macvlan: `arp_ignore=1` (answer ARP only for its own addresses, the VIPs),
///   `accept_local=1`, `rp_filter=0` (it has no route of its own, so a strict reverse-path check
///   would drop the peers' adverts arriving on it) and `promote_secondaries=1`; and IPv6
///   `addr_gen_mode=1` (none) before it goes up, so it gets no link-local address (keepalived does
///   it through IFLA_INET6_ADDR_GEN_MODE; RFC 5798 §7.4).
/// - on the base interface: `arp_ignore=1` and `arp_filter=1`, so that it stops answering ARP for
///   the VIPs with its real MAC (with the default arp_ignore=0 any interface answers for any local
///   address). Like keepalived, the old values come back when the last user of the base stops.
///
/// keepalived's other rp_filter step (clearing `net.ipv4.conf.all.rp_filter` and pushing its value
/// onto every interface) is not done: it changes every interface of the host. With
/// `all.rp_filter=1` the macvlan stays strict; `start()` logs a warning then.
struct VRRPVirtualMAC: Sendable {
    /// The macvlan, as the sockets see it (its index and the virtual MAC).
    let link: VRRPLinuxInterface
    let base: VRRPLinuxInterface

    static func hardwareAddress(virtualRouterID: UInt8) -> [UInt8] {
        [0x00, 0x00, 0x5e, 0x00, 0x01, virtualRouterID]
    }

    static func interfaceName(virtualRouterID: UInt8) -> String {
        "vrrp.\(virtualRouterID)"
    }

    /// Macvlan names in use by routers of this process, and per base interface how many of them
    /// use it and the ARP sysctls it had before the first one.
    private struct Registry {
        var links: Set<String> = []
        var bases: [String: (users: Int, saved: [(String, String)])] = [:]
    }

    private static let registry = NIOLockedValueBox(Registry())

    static let macvlanSysctls: [(String, String)] = [
        ("ipv4", "arp_ignore"), ("ipv4", "accept_local"), ("ipv4", "rp_filter"), ("ipv4", "promote_secondaries"),
    ]
    static let macvlanValues = ["1", "1", "0", "1"]
    static let baseSysctls = ["arp_ignore", "arp_filter"]

    /// Creates (or re-creates, when a killed run left it behind) the macvlan, sets the sysctls and
    /// brings it up. `log(isError, message)`.
    static func create(
        on base: VRRPLinuxInterface, virtualRouterID: UInt8, netlink: inout VRRPNetlink,
        log: (_ isError: Bool, _ message: String) -> Void
    ) throws(VRRPRouterError) -> VRRPVirtualMAC {
        let name = interfaceName(virtualRouterID: virtualRouterID)
        let mac = hardwareAddress(virtualRouterID: virtualRouterID)
        let claimed = registry.withLockedValue { $0.links.insert(name).inserted }
        guard claimed else { throw .system(operation: "creating \(name) (another instance of this process uses it)", errno: EEXIST) }
        var created = false
        do throws(VRRPRouterError) {
            let stale = if_nametoindex(name)
            if stale != 0 {
                // keepalived reuses a matching leftover; re-creating it gives the same result
                // without checking its kind, parent, mode and MAC one by one.
                log(false, "removing \(name) left by an earlier run")
                try deleteLink(index: Int32(stale), name: name, netlink: &netlink)
            }
            let code = try netlink.request { buffer, seq in
                mac.withUnsafeBufferPointer {
                    cvrrp_netlink_macvlan_request(buffer.baseAddress, buffer.count, seq, name, base.index, $0.baseAddress)
                }
            }
            guard code == 0 else { throw .fromErrno("creating macvlan \(name) on \(base.name)", code) }
            created = true
            for ((family, key), value) in zip(macvlanSysctls, macvlanValues) {
                try writeSysctl(family, name, key, value)
            }
            // IPv6 may be disabled: then there is no link-local address to prevent either.
            try? writeSysctl("ipv6", name, "addr_gen_mode", "1")
            let link = try VRRPLinuxInterface.resolve(name)
            let up = try netlink.request { buffer, seq in
                cvrrp_netlink_link_up_request(buffer.baseAddress, buffer.count, seq, link.index, 1)
            }
            guard up == 0 else { throw .fromErrno("setting \(name) up", up) }
            try claimBase(base.name)
            if readSysctl("ipv4", "all", "rp_filter") == "1" {
                log(true, "net.ipv4.conf.all.rp_filter is 1: adverts arriving on \(name) may be dropped (keepalived clears it; set it to 0 or 2)")
            }
            return VRRPVirtualMAC(link: link, base: base)
        } catch {
            let index = if_nametoindex(name)
            if created, index != 0 {
                try? deleteLink(index: Int32(index), name: name, netlink: &netlink)
            }
            _ = registry.withLockedValue { $0.links.remove(name) }
            throw error
        }
    }

    /// Deletes the macvlan (its VIPs go with it) and gives the base its ARP sysctls back when this
    /// was the last instance on it. Errors are logged: the router is stopping either way.
    func remove(netlink: inout VRRPNetlink, log: (_ isError: Bool, _ message: String) -> Void) {
        do {
            try Self.deleteLink(index: link.index, name: link.name, netlink: &netlink)
        } catch {
            log(true, "removing \(link.name): \(error)")
        }
        let restore: [(String, String)] = Self.registry.withLockedValue { registry in
            registry.links.remove(link.name)
            guard var entry = registry.bases[base.name] else { return [] }
            entry.users -= 1
            if entry.users > 0 {
                registry.bases[base.name] = entry
                return []
            }
            registry.bases[base.name] = nil
            return entry.saved
        }
        for (key, value) in restore {
            do {
                try Self.writeSysctl("ipv4", base.name, key, value)
            } catch {
                log(true, "restoring net.ipv4.conf.\(base.name).\(key): \(error)")
            }
        }
    }

    private static func deleteLink(index: Int32, name: String, netlink: inout VRRPNetlink) throws(VRRPRouterError) {
        let code = try netlink.request { buffer, seq in
            cvrrp_netlink_link_delete_request(buffer.baseAddress, buffer.count, seq, index)
        }
        // ENODEV: gone already (deleted by hand, or with its parent).
        guard code == 0 || code == ENODEV else { throw .fromErrno("deleting \(name)", code) }
    }

    /// The first instance on a base saves its ARP sysctls and sets them; later ones only count.
    private static func claimBase(_ base: String) throws(VRRPRouterError) {
        let first: Bool = registry.withLockedValue { registry in
            if var entry = registry.bases[base] {
                entry.users += 1
                registry.bases[base] = entry
                return false
            }
            registry.bases[base] = (1, [])
            return true
        }
        guard first else { return }
        var saved: [(String, String)] = []
        for key in baseSysctls {
            if let old = readSysctl("ipv4", base, key) { saved.append((key, old)) }
        }
        registry.withLockedValue { $0.bases[base]?.saved = saved }
        do throws(VRRPRouterError) {
            for key in baseSysctls { try writeSysctl("ipv4", base, key, "1") }
        } catch {
            registry.withLockedValue { $0.bases[base] = nil }
            for (key, value) in saved { try? writeSysctl("ipv4", base, key, value) }
            throw error
        }
    }

    static func sysctlPath(_ family: String, _ interface: String, _ key: String) -> String {
        "/proc/sys/net/\(family)/conf/\(interface)/\(key)"
    }

    /// /proc/sys wants a plain write(2).
    static func writeSysctl(_ family: String, _ interface: String, _ key: String, _ value: String) throws(VRRPRouterError) {
        let path = sysctlPath(family, interface, key)
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .fromErrno("opening \(path)", errno) }
        defer { close(fd) }
        let written = value.withCString { write(fd, $0, strlen($0)) }
        guard written >= 0 else { throw .fromErrno("writing \(value) to \(path)", errno) }
    }

    /// The value without its newline, nil when the file cannot be read.
    static func readSysctl(_ family: String, _ interface: String, _ key: String) -> String? {
        let fd = open(sysctlPath(family, interface, key), O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        var bytes = buffer[0..<count]
        while let last = bytes.last, last == 0x0a || last == 0x20 { bytes = bytes.dropLast() }
        return String(decoding: bytes, as: UTF8.self)
    }
}
