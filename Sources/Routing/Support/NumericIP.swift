#if canImport(Glibc)
import Glibc
#endif

/// Numeric IP parsing and formatting through libc (inet_pton/inet_ntop), used off the
/// per-request path except for X-Forwarded-For scanning.
enum NumericIP {
    /// `sockaddr_bytes`: IPv4-mapped IPv6 reduced to IPv4; nil for anything else
    /// than 4 or 16 bytes.
    static func aclBytes(_ bytes: [UInt8]) -> ArraySlice<UInt8>? {
        switch bytes.count {
        case 4: return bytes[...]
        case 16: return isV4Mapped(bytes) ? bytes[12...] : bytes[...]
        default: return nil
        }
    }

    static func isV4Mapped(_ b: [UInt8]) -> Bool {
        b.count == 16 && b[0..<10].allSatisfy { $0 == 0 } && b[10] == 0xFF && b[11] == 0xFF
    }

    /// 4 or 16 bytes for a numeric IPv4/IPv6 address. IPv4 accepts only the dotted
    /// quad, as inet_pton does.
    static func parse(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }

    /// Numeric host text of 4 or 16 address bytes; IPv4-mapped IPv6 is shown as IPv4.
    static func format(_ bytes: [UInt8]) -> String {
        if isV4Mapped(bytes) { return format(Array(bytes[12...])) }
        var buf = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        guard bytes.count == 4 || bytes.count == 16 else { return "" }
        let ok = bytes.withUnsafeBytes { src in
            buf.withUnsafeMutableBufferPointer { dst in
                inet_ntop(family, src.baseAddress, dst.baseAddress, socklen_t(dst.count)) != nil
            }
        }
        guard ok else { return "" }
        return String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// What `getaddrinfo(AI_NUMERICHOST)` accepts, as Pound parses X-Forwarded-For
    /// entries: also IPv4 shorthand ("10.1") and scoped IPv6. Returns the address
    /// bytes of the first result.
    static func parseNumericHost(_ text: String) -> [UInt8]? {
        firstAddress(text, flags: AI_NUMERICHOST)
    }

    /// The first address a host name resolves to (configuration time only).
    static func resolve(_ host: String) -> [UInt8]? {
        firstAddress(host, flags: 0)
    }

    private static func firstAddress(_ host: String, flags: Int32) -> [UInt8]? {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_flags = flags
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var res: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &res) == 0, let first = res else { return nil }
        defer { freeaddrinfo(res) }
        guard let sa = first.pointee.ai_addr else { return nil }
        switch Int32(sa.pointee.sa_family) {
        case AF_INET:
            return sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { p in
                var a = p.pointee.sin_addr
                return withUnsafeBytes(of: &a) { Array($0) }
            }
        case AF_INET6:
            return sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { p in
                var a = p.pointee.sin6_addr
                return withUnsafeBytes(of: &a) { Array($0) }
            }
        default:
            return nil
        }
    }
}

