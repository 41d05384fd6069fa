import NIOCore
import PoundConfig
#if canImport(Glibc)
import Glibc
#endif

/// Where a server backend's `Address` leads, resolved once at start-up as Pound does
/// while reading its configuration: the first address `getaddrinfo` gives, restricted
/// to the backend's `Family` (`inet`, `inet6`) when it names one.
enum BackendAddressResolution {
    static func socketAddress(host: String, port: Int, family: Backend.AddressFamily) throws -> SocketAddress {
        let wanted: Int32
        switch family {
        case .inet: wanted = AF_INET
        case .inet6: wanted = AF_INET6
        // `unix` never reaches here: such an address was taken for a socket path.
        case .any, .unix: return try SocketAddress.makeAddressResolvingHost(host, port: port)
        }
        var hints = addrinfo()
        hints.ai_family = wanted
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var info: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &info)
        guard rc == 0, let first = info, let sa = first.pointee.ai_addr else {
            throw SocketAddressError.unknown(host: host, port: port)
        }
        defer { freeaddrinfo(info) }
        if wanted == AF_INET {
            return sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { SocketAddress($0.pointee, host: host) }
        }
        return sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { SocketAddress($0.pointee, host: host) }
    }
}
