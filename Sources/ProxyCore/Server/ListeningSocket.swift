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
        let family = address.family == .ipv4 ? AF_INET : AF_INET6
        let fd = socket(family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(errnoText())") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let display = address.family == .ipv6 ? "[\(address.host)]:\(address.port)" : "\(address.host):\(address.port)"
        let bound: Int32
        if address.family == .ipv4 {
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = in_port_t(UInt16(truncatingIfNeeded: address.port)).bigEndian
            guard inet_pton(AF_INET, address.host, &sin.sin_addr) == 1 else {
                close(fd)
                throw Failure(description: "invalid address \(address.host)")
            }
            bound = withUnsafePointer(to: &sin) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        } else {
            var sin6 = sockaddr_in6()
            sin6.sin6_family = sa_family_t(AF_INET6)
            sin6.sin6_port = in_port_t(UInt16(truncatingIfNeeded: address.port)).bigEndian
            guard inet_pton(AF_INET6, address.host, &sin6.sin6_addr) == 1 else {
                close(fd)
                throw Failure(description: "invalid address \(address.host)")
            }
            setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &one, socklen_t(MemoryLayout<Int32>.size))
            bound = withUnsafePointer(to: &sin6) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        }
        guard bound == 0 else {
            let text = errnoText()
            close(fd)
            throw Failure(description: "can't bind to \(display): \(text)")
        }
        guard listen(fd, backlog) == 0 else {
            let text = errnoText()
            close(fd)
            throw Failure(description: "can't listen on \(display): \(text)")
        }
        return fd
    }

    /// The local port of a listening socket (for `X-Forwarded-Port` and `%p`).
    public static func localPort(_ fd: Int32) -> Int {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard rc == 0 else { return 0 }
        return withUnsafePointer(to: &storage) { p -> Int in
            switch Int32(p.pointee.ss_family) {
            case AF_INET:
                return p.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
            case AF_INET6:
                return p.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) }
            default:
                return 0
            }
        }
    }

    private static func errnoText() -> String {
        guard let s = strerror(errno) else { return "error \(errno)" }
        return String(cString: s)
    }
}
