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

    /// The rewritten value, or nil to leave `value` as it is.
    static func rewrite(_ value: String, mode: RewriteLocationMode, requestHost: String?, listenerIsHTTPS: Bool,
                        backend: BackendState, target: BackendTarget?) -> String? {
        guard mode != .disabled, let vhost = requestHost, !vhost.isEmpty,
              let target, target.isInet, let pattern = location else { return nil }
        let bytes = Array(value.utf8)
        guard let match = pattern.firstMatch(in: bytes), match.groups.count > 3,
              let protoRange = match.groups[1], let hostRange = match.groups[2], let pathRange = match.groups[3] else {
            return nil
        }
        let proto = String(decoding: bytes[protoRange], as: UTF8.self).lowercased()
        var pathStart = pathRange.lowerBound
        if pathStart < pathRange.upperBound && bytes[pathStart] == UInt8(ascii: "/") { pathStart += 1 }
        let path = String(decoding: bytes[pathStart..<pathRange.upperBound], as: UTF8.self)
        let hostPort = String(decoding: bytes[hostRange], as: UTF8.self)
        let host: String
        let port: Int
        if let colon = hostPort.firstIndex(of: ":") {
            host = String(hostPort[..<colon])
            port = Int(hostPort[hostPort.index(after: colon)...].prefix { $0.isNumber }) ?? 0
        } else {
            host = hostPort
            port = proto == "https" ? 443 : 80
        }
        let rewritten = "\(listenerIsHTTPS ? "https" : "http")://\(vhost)/\(path)"
        if pointsAtBackend(host: host, port: port, proto: proto, backend: backend, target: target) {
            return rewritten
        }
        // Mode 1 in Pound 4.23 also compares the location with the listener, but its
        // listener-port check reads the address of a pointer instead of the port,
        // so the comparison never holds and every absolute location is rewritten
        // (the behaviour behind Pound issues #34 and #42). Kept for compatibility.
        return mode == .enabled ? rewritten : nil
    }

    /// Whether `host:port` is the backend's own address (or its `ServerName`).
    static func pointsAtBackend(host: String, port: Int, proto: String, backend: BackendState,
                                target: BackendTarget) -> Bool {
        if let numeric = try? SocketAddress(ipAddress: host, port: port),
           numeric.ipAddress == target.address.ipAddress, numeric.port == target.address.port {
            return true
        }
        if case .regular(let server) = backend.backend.kind, let name = server.serverName,
           name.lowercased() == host.lowercased() {
            return proto == (server.tls == nil ? "http" : "https")
        }
        return false
    }
}
