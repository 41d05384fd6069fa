import PoundConfig
#if canImport(Glibc)
import Glibc
#endif

/// Binds a listener's address before the event loops exist, so the process can
/// drop privileges or detach after binding (Pound binds, then forks and setuid).
public enum ListeningSocket {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public static func open(_ address: NumericAddress, backlog: Int32 = 1024) throws(Failure) -> Int32 {
        // The model's address is numeric already; getaddrinfo just builds the
        // sockaddr of the right family for it.
        var hints = addrinfo()
        hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(address.host, String(address.port), &hints, &list) == 0, let ai = list?.pointee else {
            throw Failure(description: "invalid address \(address.host)")
        }
        defer { freeaddrinfo(list) }
        // Close-on-exec: scripts Pounce runs (VRRP checks, notify hooks) must not keep the port bound.
        let fd = socket(ai.ai_family, ai.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), ai.ai_protocol)
        guard fd >= 0 else { throw Failure(description: "socket: \(SystemErrorText.text(errno))") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        if ai.ai_family == AF_INET6 {
            setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        let display = address.family == .ipv6 ? "[\(address.host)]:\(address.port)" : "\(address.host):\(address.port)"
        let bound = bind(fd, ai.ai_addr, ai.ai_addrlen)
        guard bound == 0 else {
            let text = SystemErrorText.text(errno)
            close(fd)
            throw Failure(description: "can't bind to \(display): \(text)")
        }
        guard listen(fd, backlog) == 0 else {
            let text = SystemErrorText.text(errno)
            close(fd)
            throw Failure(description: "can't listen on \(display): \(text)")
        }
        return fd
    }
}
