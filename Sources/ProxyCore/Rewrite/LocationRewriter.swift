import NIOCore
import PoundConfig
import PoundRegex
import Routing

/// `RewriteLocation`: a `Location`/`Content-Location` that points at the backend is
/// turned into one that points at the client's own virtual host (Pound's
/// `need_rewrite`). The new value is `PROTO://HOST/PATH` with the listener's protocol
/// and the request's Host header.
enum LocationRewriter {
    /// Pound's LOCATION pattern, unanchored as in Pound.
    static let location: Pattern? = try? Pattern("(http|https)://([^/]+)(.*)", kind: .posix, options: [.caseInsensitive])

    /// What the location is compared with: the backend that answered.
    struct BackendIdentity {
        var address: SocketAddress
        /// `ServerName`, which also counts as the backend's name for its own scheme.
        var serverName: String?
        var isHTTPS: Bool
    }

    /// The parts of an absolute location.
    struct Parsed: Equatable {
        var proto: String
        var host: String
        /// The port written in the location; nil when it was left out.
        var explicitPort: Int?
        /// The path without its leading `/`, as Pound glues it after `HOST/`.
        var path: String

        var port: Int { explicitPort ?? (proto == "https" ? 443 : 80) }
    }

    /// The rewritten value, or nil to leave `value` as it is.
    static func rewrite(_ value: String, mode: RewriteLocationMode, requestHost: String?, listenerIsHTTPS: Bool,
                        backend: BackendState, target: BackendTarget?, localAddress: @autoclosure () -> SocketAddress?) -> String? {
        guard mode != .disabled, let target, target.isInet else { return nil }
        var identity = BackendIdentity(address: target.address, serverName: nil, isHTTPS: false)
        if case .regular(let server) = backend.backend.kind {
            identity.serverName = server.serverName
            identity.isHTTPS = server.tls != nil
        }
        return rewrite(value, mode: mode, requestHost: requestHost, listenerIsHTTPS: listenerIsHTTPS,
                       backend: identity, localAddress: mode == .safe ? localAddress() : nil)
    }

    /// The decision itself, free of runtime objects. `localAddress` is where the
    /// client's connection arrived (the listener's address, specific even when the
    /// listener is bound to a wildcard); only `safe` mode looks at it.
    static func rewrite(_ value: String, mode: RewriteLocationMode, requestHost: String?, listenerIsHTTPS: Bool,
                        backend: BackendIdentity, localAddress: SocketAddress?) -> String? {
        guard mode != .disabled, let vhost = requestHost, !vhost.isEmpty, let location = parse(value) else { return nil }
        let rewritten = "\(listenerIsHTTPS ? "https" : "http")://\(vhost)/\(location.path)"
        if pointsAtBackend(location, backend: backend) { return rewritten }
        switch mode {
        case .enabled:
            // Mode 1 in Pound 4.23 also compares the location with the listener, but
            // its listener-port check reads the address of a pointer instead of the
            // port, so the comparison never holds and every absolute location is
            // rewritten (the behaviour behind Pound issues #34 and #42). Kept for
            // compatibility; `safe` is the fix.
            return rewritten
        case .safe:
            return pointsAtListener(location, localAddress: localAddress) ? rewritten : nil
        case .disabled, .backendOnly:
            return nil
        }
    }

    /// Splits an absolute location (Pound's LOCATION pattern); nil if it is not one.
    static func parse(_ value: String) -> Parsed? {
        guard let pattern = location else { return nil }
        let bytes = Array(value.utf8)
        guard let match = pattern.firstMatch(in: bytes), match.groups.count > 3,
              let protoRange = match.groups[1], let hostRange = match.groups[2], let pathRange = match.groups[3] else {
            return nil
        }
        let proto = String(decoding: bytes[protoRange], as: UTF8.self).lowercased()
        var pathStart = pathRange.lowerBound
        if pathStart < pathRange.upperBound && bytes[pathStart] == UInt8(ascii: "/") { pathStart += 1 }
        let path = String(decoding: bytes[pathStart..<pathRange.upperBound], as: UTF8.self)
        let (host, port) = splitHostPort(bytes[hostRange])
        return Parsed(proto: proto, host: host, explicitPort: port, path: path)
    }

    /// `host[:port]`, with `[v6]` literals unbracketed. A port that is not a number
    /// counts as 0, as Pound's `atoi` makes it.
    static func splitHostPort(_ bytes: ArraySlice<UInt8>) -> (String, Int?) {
        var hostBytes = bytes
        var portBytes: ArraySlice<UInt8>?
        if bytes.first == UInt8(ascii: "["), let close = bytes.firstIndex(of: UInt8(ascii: "]")) {
            hostBytes = bytes[(bytes.startIndex + 1)..<close]
            let rest = bytes[(close + 1)...]
            if rest.first == UInt8(ascii: ":") { portBytes = rest.dropFirst() }
        } else if let colon = bytes.firstIndex(of: UInt8(ascii: ":")) {
            hostBytes = bytes[..<colon]
            portBytes = bytes[(colon + 1)...]
        }
        let host = String(decoding: hostBytes, as: UTF8.self)
        guard let portBytes else { return (host, nil) }
        var port = 0
        for b in portBytes {
            guard b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"), port < 65536 else { break }
            port = port * 10 + Int(b - UInt8(ascii: "0"))
        }
        return (host, port)
    }

    /// Whether the location names the backend's own address (or its `ServerName`).
    static func pointsAtBackend(_ location: Parsed, backend: BackendIdentity) -> Bool {
        // Port 0 here: NIO traps on ports above 65535, and a location may carry one.
        if let numeric = try? SocketAddress(ipAddress: location.host, port: 0),
           sameIP(numeric, backend.address), location.port == backend.address.port {
            return true
        }
        if let name = backend.serverName, name.lowercased() == location.host.lowercased() {
            return location.proto == (backend.isHTTPS ? "https" : "http")
        }
        return false
    }

    /// `safe` mode: the location names the address the client connected to, with the
    /// listener's port or none at all (a redirect to `http://LISTENER-IP/x` from a
    /// backend that does not know the public port). Host names are not resolved.
    static func pointsAtListener(_ location: Parsed, localAddress: SocketAddress?) -> Bool {
        guard let localAddress, let numeric = try? SocketAddress(ipAddress: location.host, port: 0),
              sameIP(numeric, localAddress) else { return false }
        return location.explicitPort == nil || location.explicitPort == localAddress.port
    }

    /// IP equality that sees `::ffff:a.b.c.d` (an IPv4 client on a dual-stack
    /// listener) as `a.b.c.d`.
    static func sameIP(_ a: SocketAddress, _ b: SocketAddress) -> Bool {
        guard let x = a.ipAddress, let y = b.ipAddress else { return false }
        return unmapped(x) == unmapped(y)
    }

    private static func unmapped(_ ip: String) -> String {
        let prefix = "::ffff:"
        if ip.count > prefix.count, ip.lowercased().hasPrefix(prefix), ip.contains(".") {
            return String(ip.dropFirst(prefix.count))
        }
        return ip
    }
}
