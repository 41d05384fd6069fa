import HTTPWire
import NIOCore
import Routing

/// `RewriteDestination`: the WebDAV `Destination:` header of a request (the target of
/// MOVE/COPY) names the URL the client sees; the backend gets it pointed at itself,
/// `http|https://BACKEND-ADDRESS:PORT/path`, as Pound's `send_to_backend` does just
/// before a request goes to a regular backend.
enum DestinationRewriter {
    /// The rewritten value: the backend's scheme and address followed by everything
    /// after the URL's host (the path with its `/`, query included). Nil when `value`
    /// does not contain an absolute http(s) URL (Pound's LOCATION pattern, unanchored).
    static func rewrite(_ value: String, backendIsHTTPS: Bool, backendAuthority: String) -> String? {
        guard let pattern = LocationRewriter.location else { return nil }
        let bytes = Array(value.utf8)
        guard let match = pattern.firstMatch(in: bytes), match.groups.count > 3, let rest = match.groups[3] else {
            return nil
        }
        let tail = String(decoding: bytes[rest], as: UTF8.self)
        return "\(backendIsHTTPS ? "https" : "http")://\(backendAuthority)\(tail)"
    }

    /// The backend's address as Pound prints it there: `a.b.c.d:port`, `[v6]:port`
    /// (an IPv4-mapped address as plain IPv4), or a UNIX socket's path.
    static func authority(of address: SocketAddress) -> String {
        switch address {
        case .v4:
            return "\(address.ipAddress ?? ""):\(address.port ?? 0)"
        case .v6:
            let ip = address.ipAddress ?? ""
            let prefix = "::ffff:"
            if ip.lowercased().hasPrefix(prefix), ip.contains(".") {
                return "\(ip.dropFirst(prefix.count)):\(address.port ?? 0)"
            }
            return "[\(ip)]:\(address.port ?? 0)"
        case .unixDomainSocket:
            return address.pathname ?? ""
        }
    }

    /// Rewrites the first `Destination` header in place. Returns the value when it
    /// could not be parsed (left unchanged, for the caller to log), else nil.
    static func apply(to headers: inout HTTPHeaders, backendIsHTTPS: Bool, backendAddress: SocketAddress) -> String? {
        guard let i = headers.firstIndex("Destination") else { return nil }
        let value = headers.fields[i].value
        guard let rewritten = rewrite(value, backendIsHTTPS: backendIsHTTPS,
                                      backendAuthority: authority(of: backendAddress)) else {
            return value
        }
        headers.fields[i] = HTTPHeaderField(name: "Destination", value: rewritten)
        return nil
    }

    /// `apply` for the backend a request is about to be sent to.
    static func apply(to headers: inout HTTPHeaders, backend: BackendState, target: BackendTarget) -> String? {
        var https = false
        if case .regular(let server) = backend.backend.kind { https = server.tls != nil }
        return apply(to: &headers, backendIsHTTPS: https, backendAddress: target.address)
    }
}
