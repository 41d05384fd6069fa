import PounceModuleAPI

/// Session type `IP`: the client's address, without port. Learns nothing from
/// responses (Pound's `upd_session` ignores SESS_IP).
public final class IPSessionModule: SessionModule {
    public init(settings: SessionSettings) {}

    public func key(for request: some ModuleRequest) -> String? {
        Self.normalized(request.clientAddress)
    }

    /// Pound keys on `addr2str(..., no_port)`, which shows an IPv4-mapped IPv6 peer
    /// (`::ffff:192.0.2.1`, a v4 client on a dual-stack listener) as plain IPv4, so
    /// the client keeps its session whichever socket family it arrived on.
    static func normalized(_ address: String) -> String {
        var address = address
        let mapped = address.withUTF8 { a in
            guard a.count > 7, ASCII.hasPrefixIgnoringCase(a, "::ffff:") else { return false }
            for c in a[7...] where !(c == UInt8(ascii: ".") || (c >= 0x30 && c <= 0x39)) { return false }
            return true
        }
        return mapped ? String(address.utf8.dropFirst(7)) ?? address : address
    }
}
