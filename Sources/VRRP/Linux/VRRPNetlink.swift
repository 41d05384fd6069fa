import CVRRPLinux

#if canImport(Glibc)
import Glibc
#endif

/// RTM_NEWADDR / RTM_DELADDR over NETLINK_ROUTE: what `ip addr add/del` does, without the process
/// (and the link requests of `VRRPVirtualMAC`).
/// Blocking with a 1 s receive timeout; the kernel answers at once.
struct VRRPNetlink: Sendable {
    let fd: Int32
    private var sequence: UInt32 = 0

    init() throws(VRRPRouterError) {
        let fd = socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), NETLINK_ROUTE)
        guard fd >= 0 else { throw .fromErrno("socket(AF_NETLINK)", errno) }
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        self.fd = fd
    }

    func close() {
        _ = Glibc.close(fd)
    }

    /// Adds the address; false when it was there already (EEXIST).
    @discardableResult
    mutating func add(_ address: VRRPVirtualAddress, interfaceIndex: Int32) throws(VRRPRouterError) -> Bool {
        let code = try request(add: true, address, interfaceIndex)
        if code == EEXIST { return false }
        guard code == 0 else { throw .fromErrno("adding \(address)", code) }
        return true
    }

    /// Removes the address; false when it was not there (EADDRNOTAVAIL / ENOENT / ESRCH).
    @discardableResult
    mutating func remove(_ address: VRRPVirtualAddress, interfaceIndex: Int32) throws(VRRPRouterError) -> Bool {
        let code = try request(add: false, address, interfaceIndex)
        if code == EADDRNOTAVAIL || code == ENOENT || code == ESRCH { return false }
        guard code == 0 else { throw .fromErrno("removing \(address)", code) }
        return true
    }

    /// Sends one address request and returns the kernel's errno for it (0 = done).
    private mutating func request(add: Bool, _ address: VRRPVirtualAddress, _ index: Int32) throws(VRRPRouterError) -> Int32 {
        try request { buffer, seq in
            cvrrp_netlink_address_request(
                buffer.baseAddress, buffer.count, add ? 1 : 0, seq, index, address.address.value.bigEndian,
                address.prefixLength)
        }
    }

    /// Builds one request with `build` (into a zeroed buffer, with the sequence number to use; it
    /// returns the length or -errno), sends it and returns the kernel's errno for it (0 = done).
    mutating func request(
        _ build: (UnsafeMutableRawBufferPointer, UInt32) -> Int32
    ) throws(VRRPRouterError) -> Int32 {
        sequence &+= 1
        let seq = sequence
        var buffer = [UInt8](repeating: 0, count: 256)
        let length = buffer.withUnsafeMutableBytes { build($0, seq) }
        guard length > 0 else { throw .system(operation: "netlink request", errno: -length) }
        var kernel = sockaddr_nl()
        kernel.nl_family = sa_family_t(AF_NETLINK)
        let sent = buffer.withUnsafeBytes { bytes in
            withUnsafePointer(to: &kernel) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, bytes.baseAddress, Int(length), 0, $0, socklen_t(MemoryLayout<sockaddr_nl>.size))
                }
            }
        }
        guard sent == Int(length) else { throw .fromErrno("netlink send", errno) }
        var answer = [UInt8](repeating: 0, count: 8192)
        while true {
            let received = answer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard received > 0 else {
                if received < 0, errno == EINTR { continue }
                throw .fromErrno("netlink receive", received < 0 ? errno : EIO)
            }
            let code = answer.withUnsafeBytes { cvrrp_netlink_ack($0.baseAddress, received, seq) }
            if code >= 0 { return code }
        }
    }
}
