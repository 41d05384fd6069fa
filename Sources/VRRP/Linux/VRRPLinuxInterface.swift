import CVRRPLinux

#if canImport(Glibc)
import Glibc
#endif

/// The interface a VRRP instance speaks on: its index for the sockets and netlink, its MAC for GARP.
struct VRRPLinuxInterface: Sendable, Hashable {
    let name: String
    let index: Int32
    let hardwareAddress: [UInt8]

    static func resolve(_ name: String) throws(VRRPRouterError) -> VRRPLinuxInterface {
        let index = if_nametoindex(name)
        guard index != 0 else { throw .noSuchInterface(name) }
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .fromErrno("socket(AF_INET)", errno) }
        defer { close(fd) }
        var mac = [UInt8](repeating: 0, count: 6)
        let result = cvrrp_interface_hwaddr(fd, name, &mac)
        guard result == 0 else { throw .fromErrno("SIOCGIFHWADDR \(name)", -result) }
        return VRRPLinuxInterface(name: name, index: Int32(index), hardwareAddress: mac)
    }

    /// The interface's primary IPv4 address (the first getifaddrs reports), nil if it has none.
    static func firstIPv4Address(of name: String) -> IPv4Address? {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return nil }
        defer { freeifaddrs(list) }
        var cursor: UnsafeMutablePointer<ifaddrs>? = first
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            guard let address = entry.pointee.ifa_addr, address.pointee.sa_family == sa_family_t(AF_INET),
                  String(cString: entry.pointee.ifa_name) == name
            else { continue }
            let value = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr.s_addr }
            return IPv4Address(UInt32(bigEndian: value))
        }
        return nil
    }
}
