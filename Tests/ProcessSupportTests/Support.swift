#if canImport(Glibc)
import Glibc
#endif
@testable import ProcessSupport

/// A stand-in for Pound's test harness: a listening TCP socket handed over a UNIX socket
/// with SCM_RIGHTS (IO::FDPass::send), one byte of data plus the descriptor.
final class DescriptorSender: @unchecked Sendable {
    enum Behaviour: Sendable { case sendListener, closeWithoutSending, sendByteOnly }

    let path: String
    let unixListener: Int32
    let tcpListener: Int32
    let port: Int
    private var thread: pthread_t?
    let behaviour: Behaviour

    init(behaviour: Behaviour = .sendListener, family: Int32 = AF_INET) throws {
        self.behaviour = behaviour
        path = temporaryPath("lst.sock")
        let tcp = socket(family, Int32(SOCK_STREAM.rawValue), 0)
        tcpListener = tcp
        if family == AF_INET6 {
            var addr = sockaddr_in6()
            addr.sin6_family = sa_family_t(AF_INET6)
            addr.sin6_addr = in6addr_loopback
            try check(withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(tcp, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            })
        } else {
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            try check(withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(tcp, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            })
        }
        try check(listen(tcp, 128))
        var storage = sockaddr_storage()
        var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(tcp, $0, &len) }
        }
        port = SocketAddressText.port(of: storage) ?? 0

        let unix = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        unixListener = unix
        var sun = sockaddr_un()
        sun.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &sun.sun_path) { $0.copyBytes(from: bytes) }
        try check(withUnsafePointer(to: &sun) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(unix, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        })
        try check(listen(unix, 1))
    }

    /// Serves one connection on a thread of its own.
    func start() {
        let box = Unmanaged.passRetained(self).toOpaque()
        var t = pthread_t()
        pthread_create(&t, nil, { arg in
            guard let arg else { return nil }
            let sender = Unmanaged<DescriptorSender>.fromOpaque(arg).takeRetainedValue()
            sender.serveOne()
            return nil
        }, box)
        thread = t
    }

    func join() {
        if let thread { pthread_join(thread, nil) }
        thread = nil
    }

    private func serveOne() {
        let conn = accept(unixListener, nil, nil)
        guard conn >= 0 else { return }
        defer { close(conn) }
        switch behaviour {
        case .closeWithoutSending:
            return
        case .sendByteOnly:
            var byte: UInt8 = 0
            _ = Glibc.write(conn, &byte, 1)
        case .sendListener:
            var byte: UInt8 = 0
            var control = [UInt8](repeating: 0, count: SocketFrom.cmsgSpace(4))
            control.withUnsafeMutableBytes { c in
                var header = cmsghdr()
                header.cmsg_len = SocketFrom.cmsgLen(4)
                header.cmsg_level = SOL_SOCKET
                header.cmsg_type = Int32(SCM_RIGHTS)
                c.storeBytes(of: header, as: cmsghdr.self)
                c.storeBytes(of: tcpListener, toByteOffset: SocketFrom.cmsgAlign(MemoryLayout<cmsghdr>.size), as: Int32.self)
                withUnsafeMutablePointer(to: &byte) { b in
                    var iov = iovec(iov_base: UnsafeMutableRawPointer(b), iov_len: 1)
                    withUnsafeMutablePointer(to: &iov) { iovp in
                        var msg = msghdr()
                        msg.msg_iov = iovp
                        msg.msg_iovlen = 1
                        msg.msg_control = c.baseAddress
                        msg.msg_controllen = c.count
                        _ = sendmsg(conn, &msg, 0)
                    }
                }
            }
        }
    }

    deinit {
        close(unixListener)
        close(tcpListener)
        unlink(path)
    }
}

struct SystemCallFailed: Error {
    let code: Int32
}

func check(_ rc: Int32) throws {
    if rc != 0 { throw SystemCallFailed(code: errno) }
}

func temporaryPath(_ name: String) -> String {
    var template = Array("/tmp/pounce-ps-XXXXXX".utf8CString)
    let dir = template.withUnsafeMutableBufferPointer { b in
        mkdtemp(b.baseAddress!).map { String(cString: $0) }
    }
    return (dir ?? "/tmp") + "/" + name
}

func readFile(_ path: String) -> String? {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var buf = [UInt8](repeating: 0, count: 4096)
    let n = read(fd, &buf, buf.count)
    return n < 0 ? nil : String(decoding: buf[..<n], as: UTF8.self)
}
