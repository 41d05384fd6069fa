#if canImport(Glibc)
import Glibc
#endif
import HTTPWire
import PoundConfig

/// The client address `%a` shows when `TrustedIP` is configured: Pound's
/// `get_remote_ip` walks the forwarded-for header from the right, skipping addresses in
/// the trusted list, and takes the first untrusted one.
///
/// Pound does not check that the connection's peer is trusted; it only needs a trusted
/// list and the header. Anything that is not a numeric address (or a header made only of
/// trusted addresses) makes it fall back to the peer address.
public enum ForwardedClient {
    /// The address to log instead of the peer's, or nil to log the peer's.
    ///
    /// - Parameters:
    ///   - headers: the request headers as they are when logging (after Pound appended
    ///     its own X-Forwarded-For, if it does).
    ///   - headerName: `ForwardedHeader` of the service, else of the listener, else global,
    ///     else `X-Forwarded-For`.
    ///   - combinable: the header is listed in `CombineHeaders`. Pound then reads only the
    ///     first such header (already merged); otherwise it joins all of them with ", ".
    ///   - trusted: `TrustedIP` of the service, else of the listener, else global.
    public static func address(in headers: HTTPHeaders, headerName: String = "X-Forwarded-For",
                               combinable: Bool, trusted: ACL?) -> String? {
        guard let trusted else { return nil }
        let needle = ASCII.lowercased(headerName)
        var value: String?
        for field in headers.fields where field.withNameBytes({ ASCII.equalsIgnoringCase($0, needle) }) {
            guard let joined = value else {
                value = field.value
                if combinable { break }
                continue
            }
            // Pound adds the separator after a value only when that value is non-empty.
            value = joined.isEmpty ? joined + field.value : joined + ", " + field.value
        }
        guard let value else { return nil }
        return address(in: value, trusted: trusted)
    }

    /// The first untrusted address of a comma-separated list, scanning from the right.
    public static func address(in list: String, trusted: ACL) -> String? {
        let b = Array(list.utf8)
        var end = b.count
        while end > 0 {
            var p = end - 1
            while p > 0 && b[p] != UInt8(ascii: ",") { p -= 1 }
            var j = p
            if b[j] == UInt8(ascii: ",") { j += 1 }
            while j < end && isSpace(b[j]) { j += 1 }
            var k = j
            while k < end && !isSpace(b[k]) { k += 1 }
            guard let ip = NumericAddress(String(decoding: b[j..<k], as: UTF8.self)) else { return nil }
            if !trusted.contains(ip.bytes) { return ip.text }
            end = p
        }
        return nil
    }

    private static func isSpace(_ c: UInt8) -> Bool {
        c == 0x20 || (c >= 0x09 && c <= 0x0d)
    }

    /// A numeric IPv4/IPv6 address parsed as getaddrinfo(AI_NUMERICHOST) accepts it and
    /// printed back as Pound's addr2str does (IPv4-mapped IPv6 as plain IPv4).
    struct NumericAddress {
        var bytes: [UInt8]
        var text: String

        init?(_ s: String) {
            guard !s.isEmpty else { return nil }
            var v4 = in_addr()
            if inet_aton(s, &v4) != 0 {
                self.init(v4: v4)
                return
            }
            var v6 = in6_addr()
            guard inet_pton(AF_INET6, s, &v6) == 1 else { return nil }
            let raw = withUnsafeBytes(of: v6) { Array($0) }
            if raw[0..<10].allSatisfy({ $0 == 0 }) && raw[10] == 0xff && raw[11] == 0xff {
                var mapped = in_addr()
                withUnsafeMutableBytes(of: &mapped) { $0.copyBytes(from: raw[12..<16]) }
                self.init(v4: mapped)
                return
            }
            self.init(bytes: raw, text: Self.ntop(AF_INET6, raw) ?? s)
        }

        private init(bytes: [UInt8], text: String) {
            self.bytes = bytes
            self.text = text
        }

        private init(v4: in_addr) {
            let raw = withUnsafeBytes(of: v4) { Array($0) }
            self.init(bytes: raw, text: Self.ntop(AF_INET, raw) ?? "")
        }

        private static func ntop(_ family: Int32, _ raw: [UInt8]) -> String? {
            var buf = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
            let ok = raw.withUnsafeBytes { inet_ntop(family, $0.baseAddress, &buf, socklen_t(buf.count)) != nil }
            guard ok else { return nil }
            return String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }
}
