#if canImport(Glibc)
import Glibc
#endif

/// Checks done once the whole file is read (Pound's `service_finalize`/`backend_finalize`):
/// named backend references, mandatory Address, Port vs UNIX sockets, address resolution,
/// mixing backend types.
///
/// As in Pound, every backend of a balancer group is checked (so several errors may be
/// shown) before the service is rejected; the first rejected service stops everything.
public enum ServiceFinalizer {
    /// Pound's PRI_MAX.
    public static let maxPriority = 65535
    /// Pound's UNIX_PATH_MAX.
    static let maxUnixPath = 108

    public static func finalize(_ service: inout Service, parser p: ConfigParser) throws {
        var total = 0
        for group in [\ServiceBackends.normal, \ServiceBackends.emergency] {
            var backends = service.backends[keyPath: group]
            var failed = false
            var classes = Set<BackendClass>()
            var count = 0
            for i in backends.indices {
                if !finalize(&backends[i], parser: p) {
                    backends[i].disabled = true
                    failed = true
                    continue
                }
                count += 1
                classes.insert(BackendClass(backends[i]))
                if backends[i].priority > maxPriority {
                    p.diagnostics.note("backend priority out of allowed range; reset to max. \(maxPriority)",
                                       at: backends[i].range)
                    backends[i].priority = maxPriority
                }
            }
            service.backends[keyPath: group] = backends
            if failed { throw ConfigFailure() }

            if count > 1 {
                let others = classes.subtracting([.regular, .dynamic, .redirect])
                if !others.isEmpty {
                    throw p.fail(classes.count == 1 ? "multiple backends of this type are not allowed"
                                                    : "service mixes backends of different types",
                                 at: service.range)
                }
                if classes.contains(.redirect) {
                    let mixed = classes.contains(.regular) || classes.contains(.dynamic)
                    p.warn(mixed ? "service mixes regular and redirect backends"
                                 : "service uses multiple redirect backends", at: service.range)
                    p.diagnostics.note("see section \"DEPRECATED FEATURES\" in pound(8)", at: service.range)
                }
            }
            total += count
        }
        if total == 0 {
            p.warn("no backends defined", at: service.range)
        }
        try checkCookieValues(service, parser: p)
    }

    /// `CookieValue` tags a backend for a client-affinity session type: it needs one in
    /// its service, and two backends cannot share a tag.
    private static func checkCookieValues(_ service: Service, parser p: ConfigParser) throws {
        var seen: [String: LocusRange] = [:]
        for backend in service.backends.all {
            guard case .regular(let server) = backend.kind, let value = server.cookieValue else { continue }
            guard let session = service.session, session.type.isModule else {
                throw p.fail("CookieValue needs a client-affinity Session in its service (Type \"CookieInsert\" or "
                             + "\"CookiePrefix\")", at: backend.range)
            }
            if seen[value] != nil {
                throw p.fail("CookieValue \"\(value)\" is used by another backend of this service", at: backend.range)
            }
            seen[value] = backend.range
        }
    }

    /// The kinds that may or may not share a balancer group (Pound's backend types).
    enum BackendClass: Hashable {
        case regular, dynamic, redirect, error, success, sendFile, metrics, control, stats, lua, reference

        init(_ be: Backend) {
            switch be.kind {
            case .regular(let s):
                if case .dynamic = s.address { self = .dynamic } else { self = .regular }
            case .redirect: self = .redirect
            case .error: self = .error
            case .success: self = .success
            case .sendFile: self = .sendFile
            case .metrics: self = .metrics
            case .control: self = .control
            case .stats: self = .stats
            case .lua: self = .lua
            case .reference: self = .reference
            }
        }
    }

    /// Resolves a named reference and decides a server's address. Reports and returns
    /// false on error.
    static func finalize(_ be: inout Backend, parser p: ConfigParser) -> Bool {
        if case .reference(let name, let priority, let disabled) = be.kind {
            guard let nb = p.symbols.namedBackends[name] else {
                p.diagnostics.error("named backend \(name) is not declared", at: be.range)
                return false
            }
            be.kind = .regular(nb.server)
            be.priority = priority ?? nb.priority
            be.disabled = disabled ?? nb.disabled
            be.namedFrom = name
        }
        guard case .regular(var server) = be.kind else { return true }
        // Pound crashes on a named backend without Address; report it at the use instead.
        guard let host = server.host else {
            p.diagnostics.error("Backend missing Address declaration", at: be.range)
            return false
        }
        let isPath = host.hasPrefix("/")
        if isPath || looksLikeIP(host) {
            server.resolveMode = .immediate
        }
        if server.port != 0 && isPath {
            p.diagnostics.error("Port is not applicable to this address family", at: be.range)
            return false
        }
        let port = server.effectivePort
        if server.resolveMode == .immediate {
            if resolves(host, family: server.family, dns: p.features.dns) {
                server.address = .inet(host: host, port: port)
            } else {
                // Like Pound: what does not resolve is taken for a UNIX socket.
                guard host.utf8.count <= maxUnixPath else {
                    p.diagnostics.error("UNIX path name too long", at: be.range)
                    return false
                }
                server.address = .unix(path: host)
            }
        } else {
            guard p.features.dns else {
                p.diagnostics.error("Dynamic backend creation is not available: disabled by -Wno-dns", at: be.range)
                return false
            }
            // Resolved at run time, again and again: the backend is a matrix for those
            // DNS gives (one address, every address, or SRV records).
            server.address = .dynamic(host: host, port: port, mode: server.resolveMode)
        }
        be.kind = .regular(server)
        return true
    }

    /// Whether `host` resolves: only numeric addresses when DNS is off (`-Wno-dns`).
    static func resolves(_ host: String, family: Backend.AddressFamily, dns: Bool) -> Bool {
        var hints = addrinfo()
        switch family {
        case .any: hints.ai_family = AF_UNSPEC
        case .unix: hints.ai_family = AF_UNIX
        case .inet: hints.ai_family = AF_INET
        case .inet6: hints.ai_family = AF_INET6
        }
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = dns ? 0 : AI_NUMERICHOST
        var res: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &res) == 0 else { return false }
        freeaddrinfo(res)
        return true
    }

    /// Pound's `str_is_ip`, quirks included: it recognizes IPv6 addresses that begin
    /// with a hex digit, but no IPv4 address (a leading digit is taken for a hex digit).
    /// It only decides whether `Resolve` is overridden to `immediate`.
    static func looksLikeIP(_ s: String) -> Bool {
        guard let c = s.utf8.first, c < 128 else { return false }
        guard isHex(c) else { return false }
        return isIPv6(Array(s.utf8))
    }

    private static func isHex(_ c: UInt8) -> Bool {
        (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102)
    }

    /// Pound's `str_is_ipv6`: hex groups of at most 4 digits, 7 colons or one "::".
    private static func isIPv6(_ b: [UInt8]) -> Bool {
        var colons = 0, doubleColon = 0, digits = 0
        for c in b {
            if c >= 128 { return false }
            if isHex(c) {
                digits += 1
                if digits > 4 { return false }
            } else if c == 58 {
                if colons > 0 && digits == 0 {
                    doubleColon += 1
                    if doubleColon > 1 { return false }
                }
                colons += 1
                if colons > 7 { return false }
                digits = 0
            } else {
                return false
            }
        }
        return colons == 7 || doubleColon > 0
    }
}
