import ProcessSupport
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
            let family = Int32(address.pointee.sa_family)
            let length = family == AF_INET6 ? MemoryLayout<sockaddr_in6>.size
                : family == AF_INET ? MemoryLayout<sockaddr_in>.size : 0
            guard length > 0 else { continue }
            var storage = sockaddr_storage()
            withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: UnsafeRawBufferPointer(start: address, count: length)) }
            if SocketAddressText.describe(storage, length: socklen_t(length), withPort: false) == text { return true }
        }
        return false
    }
}
