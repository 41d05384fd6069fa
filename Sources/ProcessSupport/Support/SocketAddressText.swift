#if canImport(Glibc)
import Glibc
#endif

/// Socket addresses printed as Pound's `addr2str` prints them: `IP:PORT` for IPv4 and
/// IPv4-mapped IPv6, `[IPv6]:PORT`, the path of a UNIX socket; without the port
/// (`withPort: false`) IPv6 loses its brackets too.
public enum SocketAddressText {
    /// The local address of `fd` (getsockname).
    public static func local(of fd: Int32, withPort: Bool = true) -> String? {
        localAddress(of: fd).map { describe($0.storage, length: $0.length, withPort: withPort) }
    }

    /// The local port of `fd` (for a listener: what `%p` and X-Forwarded-Port say).
    public static func localPort(of fd: Int32) -> Int? {
        localAddress(of: fd).flatMap { port(of: $0.storage) }
    }

    private static func localAddress(of fd: Int32) -> (storage: sockaddr_storage, length: socklen_t)? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return rc == 0 ? (storage, length) : nil
    }

    /// The text of an address.
    public static func describe(_ storage: sockaddr_storage, length: socklen_t, withPort: Bool = true) -> String {
        switch Int32(storage.ss_family) {
        case AF_INET:
            let sin = withUnsafeBytes(of: storage) { $0.load(as: sockaddr_in.self) }
            let host = ntop(AF_INET, sin.sin_addr)
            return withPort ? "\(host):\(UInt16(bigEndian: sin.sin_port))" : host
        case AF_INET6:
            let sin6 = withUnsafeBytes(of: storage) { $0.load(as: sockaddr_in6.self) }
            let port = UInt16(bigEndian: sin6.sin6_port)
            let raw = withUnsafeBytes(of: sin6.sin6_addr) { Array($0) }
            if raw[0..<10].allSatisfy({ $0 == 0 }) && raw[10] == 0xff && raw[11] == 0xff {
                var v4 = in_addr()
                withUnsafeMutableBytes(of: &v4) { $0.copyBytes(from: raw[12..<16]) }
                let host = ntop(AF_INET, v4)
                return withPort ? "\(host):\(port)" : host
            }
            let host = ntop(AF_INET6, sin6.sin6_addr)
            return withPort ? "[\(host)]:\(port)" : host
        case AF_UNIX:
            let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \sockaddr_un.sun_path) ?? 2
            let count = max(0, min(Int(length) - pathOffset, MemoryLayout<sockaddr_un>.size - pathOffset))
            let bytes = withUnsafeBytes(of: storage) { Array($0[pathOffset..<(pathOffset + count)]) }
            return String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        default:
            return "(UNKNOWN)"
        }
    }

    /// The port of an IPv4/IPv6 address.
    public static func port(of storage: sockaddr_storage) -> Int? {
        switch Int32(storage.ss_family) {
        case AF_INET: Int(UInt16(bigEndian: withUnsafeBytes(of: storage) { $0.load(as: sockaddr_in.self) }.sin_port))
        case AF_INET6: Int(UInt16(bigEndian: withUnsafeBytes(of: storage) { $0.load(as: sockaddr_in6.self) }.sin6_port))
        default: nil
        }
    }

    private static func ntop<T>(_ family: Int32, _ address: T) -> String {
        withUnsafeBytes(of: address) { raw in
            var buf = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
            guard inet_ntop(family, raw.baseAddress, &buf, socklen_t(buf.count)) != nil else { return "(UNKNOWN)" }
            return String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }
}
