#if canImport(Glibc)
import Glibc
#endif

/// `SocketFrom "path"`: take a listening socket from another process instead of binding
/// one. The sender listens on the UNIX stream socket `path`; Pound connects to it and
/// receives one data byte carrying one descriptor in an SCM_RIGHTS message (what Pound's
/// test harness sends with IO::FDPass). The harness serves its sockets one after the
/// other in configuration order, so listeners must be fetched in that order.
public enum SocketFrom {
    /// Connects to `path`, receives the descriptor and returns it with its local address
    /// as Pound prints it (`127.0.0.1:PORT`). Pound then logs, at debug level,
    /// `LOCATION: obtained address ADDRESS` (see `obtainedAddressMessage`).
    ///
    /// Errors carry Pound's wording: `socket: ERR`, `connect PATH: ERR`,
    /// `can't get socket: ERR`, `can't get socket address: ERR`; Pound prints them at the
    /// listener's location and exits.
    public static func receiveListeningSocket(path: String) throws(ProcessSupportError) -> (fd: Int32, address: String) {
        let sock = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard sock >= 0 else { throw .system("socket") }
        defer { close(sock) }

        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard pathBytes.count < capacity else {
            throw ProcessSupportError("connect \(path): \(ProcessSupportError.errorText(ENAMETOOLONG))", code: ENAMETOOLONG)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: pathBytes) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(sock, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else { throw .system("connect \(path)") }

        let fd = try receiveDescriptor(from: sock)
        guard let text = SocketAddressText.local(of: fd) else {
            let code = errno
            close(fd)
            throw .system("can't get socket address", code)
        }
        return (fd, text)
    }

    /// `FILE:LINE.COL-LINE.COL: obtained address 127.0.0.1:PORT`, logged at debug level.
    public static func obtainedAddressMessage(location: String, address: String) -> String {
        "\(location): obtained address \(address)"
    }

    /// recvmsg one byte and one SCM_RIGHTS descriptor (closing any extra descriptors a
    /// confused sender adds). The descriptor is close-on-exec.
    static func receiveDescriptor(from sock: Int32) throws(ProcessSupportError) -> Int32 {
        var byte: UInt8 = 0
        let controlSize = cmsgSpace(MemoryLayout<Int32>.size * 4)
        var control = [UInt8](repeating: 0, count: controlSize)
        var received: Int
        var flags: Int32 = 0
        var descriptors: [Int32] = []
        repeat {
            received = withUnsafeMutablePointer(to: &byte) { bytePtr in
                control.withUnsafeMutableBytes { controlPtr in
                    var iov = iovec(iov_base: UnsafeMutableRawPointer(bytePtr), iov_len: 1)
                    return withUnsafeMutablePointer(to: &iov) { iovPtr in
                        var msg = msghdr()
                        msg.msg_iov = iovPtr
                        msg.msg_iovlen = 1
                        msg.msg_control = controlPtr.baseAddress
                        msg.msg_controllen = controlPtr.count
                        let n = recvmsg(sock, &msg, Int32(MSG_CMSG_CLOEXEC))
                        flags = msg.msg_flags
                        if n > 0 { descriptors = Self.descriptors(in: controlPtr, length: msg.msg_controllen) }
                        return n
                    }
                }
            }
        } while received < 0 && errno == EINTR
        if received < 0 { throw .system("can't get socket") }
        guard received > 0 else {
            throw ProcessSupportError("can't get socket: connection closed before a descriptor was sent")
        }
        guard let fd = descriptors.first else {
            throw ProcessSupportError(flags & Int32(MSG_CTRUNC) != 0
                ? "can't get socket: control message truncated"
                : "can't get socket: no descriptor in the message")
        }
        for extra in descriptors.dropFirst() { close(extra) }
        return fd
    }

    /// The SCM_RIGHTS descriptors of a control buffer (CMSG_FIRSTHDR/CMSG_NXTHDR by hand:
    /// the C macros are not imported).
    static func descriptors(in control: UnsafeMutableRawBufferPointer, length: Int) -> [Int32] {
        var result: [Int32] = []
        let header = MemoryLayout<cmsghdr>.size
        var offset = 0
        let end = min(length, control.count)
        while offset + header <= end, let base = control.baseAddress {
            let cmsg = base.advanced(by: offset).loadUnaligned(as: cmsghdr.self)
            let cmsgLength = Int(cmsg.cmsg_len)
            guard cmsgLength >= header, offset + cmsgLength <= end else { break }
            if cmsg.cmsg_level == SOL_SOCKET && cmsg.cmsg_type == Int32(SCM_RIGHTS) {
                let dataStart = offset + cmsgAlign(header)
                var p = dataStart
                while p + MemoryLayout<Int32>.size <= offset + cmsgLength {
                    result.append(base.advanced(by: p).loadUnaligned(as: Int32.self))
                    p += MemoryLayout<Int32>.size
                }
            }
            offset += cmsgAlign(cmsgLength)
        }
        return result
    }

    static func cmsgAlign(_ n: Int) -> Int {
        let a = MemoryLayout<Int>.size
        return (n + a - 1) & ~(a - 1)
    }

    static func cmsgSpace(_ n: Int) -> Int {
        cmsgAlign(MemoryLayout<cmsghdr>.size) + cmsgAlign(n)
    }

    static func cmsgLen(_ n: Int) -> Int {
        cmsgAlign(MemoryLayout<cmsghdr>.size) + n
    }
}
