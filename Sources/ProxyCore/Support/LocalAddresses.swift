#if canImport(Glibc)
import Glibc
#endif

/// Whether an address is configured on one of this host's interfaces right now (getifaddrs).
enum LocalAddresses {
    static func isLocal(_ text: String) -> Bool {
        if text == "127.0.0.1" || text == "::1" { return true }
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0 else { return false }
        defer { freeifaddrs(list) }
        var node = list
        while let entry = node?.pointee {
            defer { node = entry.ifa_next }
            guard let address = entry.ifa_addr else { continue }
            var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            let length = socklen_t(address.pointee.sa_family == sa_family_t(AF_INET6)
                ? MemoryLayout<sockaddr_in6>.size : MemoryLayout<sockaddr_in>.size)
            guard address.pointee.sa_family == sa_family_t(AF_INET) || address.pointee.sa_family == sa_family_t(AF_INET6),
                  getnameinfo(address, length, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0
            else { continue }
            let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            // Link-local IPv6 comes back as "fe80::1%eth0".
            if name == text || name.split(separator: "%").first.map(String.init) == text { return true }
        }
        return false
    }
}
