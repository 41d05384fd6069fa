import CVRRPLinux

#if canImport(Glibc)
import Glibc
#endif

/// The sockets a router opens: raw IPv4 receivers (protocol 112, and 51 for AH), one IP_HDRINCL
/// sender, and an AF_PACKET sender for GARP. All are tied to the instance's interface.
enum VRRPLinuxSockets {
    /// A raw receiver for one IP protocol, joined to 224.0.0.18 on the interface. NIO makes it
    /// non-blocking when it adopts it.
    static func openReceiver(protocol proto: UInt8, interface: VRRPLinuxInterface) throws(VRRPRouterError) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), Int32(proto))
        guard fd >= 0 else { throw .fromErrno("socket(AF_INET, SOCK_RAW, \(proto))", errno) }
        do throws(VRRPRouterError) {
            try check(cvrrp_bind_to_device(fd, interface.name), "SO_BINDTODEVICE \(interface.name)")
            try check(cvrrp_join_multicast(fd, interface.index, IPv4Address.vrrpMulticast.value.bigEndian),
                      "IP_ADD_MEMBERSHIP 224.0.0.18 on \(interface.name)")
        } catch {
            close(fd)
            throw error
        }
        return fd
    }

    /// IPPROTO_RAW implies IP_HDRINCL: we write the whole header (TOS 0xc0, TTL 255, our IP ids).
    /// Multicast loop is off so we do not hear ourselves (the receive path drops our source anyway).
    static func openSender(interface: VRRPLinuxInterface) throws(VRRPRouterError) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), Int32(IPPROTO_RAW))
        guard fd >= 0 else { throw .fromErrno("socket(AF_INET, SOCK_RAW, IPPROTO_RAW)", errno) }
        do throws(VRRPRouterError) {
            try check(cvrrp_set_int_option(fd, Int32(IPPROTO_IP), IP_HDRINCL, 1), "IP_HDRINCL")
            try check(cvrrp_bind_to_device(fd, interface.name), "SO_BINDTODEVICE \(interface.name)")
            try check(cvrrp_set_multicast_interface(fd, interface.index), "IP_MULTICAST_IF \(interface.name)")
            try check(cvrrp_set_int_option(fd, Int32(IPPROTO_IP), IP_MULTICAST_LOOP, 0), "IP_MULTICAST_LOOP")
        } catch {
            close(fd)
            throw error
        }
        return fd
    }

    /// Protocol 0: a send-only packet socket (it receives nothing).
    static func openPacketSender() throws(VRRPRouterError) -> Int32 {
        let fd = socket(AF_PACKET, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .fromErrno("socket(AF_PACKET)", errno) }
        return fd
    }

    static func sendIPv4(_ fd: Int32, _ packet: [UInt8], to destination: IPv4Address) -> Int32 {
        let sent = packet.withUnsafeBytes { cvrrp_send_ipv4(fd, $0.baseAddress, $0.count, destination.value.bigEndian) }
        return sent < 0 ? Int32(-sent) : 0
    }

    static func sendFrame(_ fd: Int32, _ frame: [UInt8], interfaceIndex: Int32, destination: [UInt8]) -> Int32 {
        let sent = frame.withUnsafeBytes { bytes in
            destination.withUnsafeBufferPointer {
                cvrrp_packet_send(fd, interfaceIndex, $0.baseAddress, bytes.baseAddress, bytes.count)
            }
        }
        return sent < 0 ? Int32(-sent) : 0
    }

    private static func check(_ result: Int32, _ operation: String) throws(VRRPRouterError) {
        guard result == 0 else { throw .fromErrno(operation, -result) }
    }
}

func closeDescriptor(_ fd: Int32) {
    _ = close(fd)
}
