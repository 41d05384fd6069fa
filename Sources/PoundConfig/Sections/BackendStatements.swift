#if canImport(Glibc)
import Glibc
#endif

/// What a `Backend ... End` block builds before it becomes a `Backend`: the server
/// settings plus the weight and state every backend has.
public struct BackendDraft: Sendable {
    public var server: Backend.Server
    public var priority = 5
    public var disabled = false

    init(server: Backend.Server) { self.server = server }
}

extension ServiceBackends {
    /// Backend, UseBackend, Emergency, Redirect, Error, Success, SendFile, Metrics,
    /// Control, Stats, LuaBackend inside a Service.
    public static func statements() -> [Statement<ServiceBackends>] {
        typealias S = Statement<ServiceBackends>
        var list: [S] = []
        list.append(S("Backend") { p, b in
            b.normal.append(try BackendStatements.parseServiceBackend(p))
            return .ok
        })
        list.append(S("UseBackend") { p, b in
            let tok = try p.string()
            var be = Backend(kind: .reference(name: tok.text, priority: 5, disabled: false), priority: 5, range: tok.range)
            be.namedFrom = tok.text
            b.normal.append(be)
            return .ok
        })
        list.append(S("Emergency") { p, b in
            // Pound gives emergency backends generous timeouts unless set explicitly.
            let server = Backend.Server(timeout: 120, webSocketTimeout: 120, connectTimeout: 120)
            let (draft, range) = try BackendStatements.parseBody(p, BackendStatements.table, server: server)
            b.emergency.append(draft.backend(range: range))
            return .ok
        })
        list.append(S("Redirect") { p, b in
            b.normal.append(try BackendStatements.parseRedirect(p))
            return .ok
        })
        list.append(S("Error") { p, b in
            let (be, outcome) = try BackendStatements.parseError(p)
            b.normal.append(be)
            return outcome
        })
        list.append(S("SendFile") { p, b in
            b.normal.append(try BackendStatements.parseSendFile(p))
            return .ok
        })
        list.append(S("Success") { p, b in
            b.normal.append(Backend(kind: .success, priority: 1, range: p.lastRange ?? .unset))
            return .ok
        })
        list.append(S("Metrics") { p, b in
            b.normal.append(Backend(kind: .metrics, priority: 1, range: p.lastRange ?? .unset))
            return .ok
        })
        list.append(S("Control") { p, b in
            b.normal.append(Backend(kind: .control, priority: 1, range: p.lastRange ?? .unset))
            return .ok
        })
        // Pounce extension: the live status page (no arguments, like `Control`).
        list.append(S("Stats") { p, b in
            b.normal.append(Backend(kind: .stats, priority: 1, range: p.lastRange ?? .unset))
            return .ok
        })
        list.append(S("LuaBackend") { p, b in
            let range = p.lastRange ?? .unset
            let call = try BackendStatements.parseLuaCall(p)
            b.normal.append(Backend(kind: .lua(call), priority: 1, range: range))
            return .okNoNewline
        })
        return list
    }
}

extension NamedBackendTable {
    /// Top-level `Backend "name" ... End`.
    public static func statement() -> Statement<NamedBackendTable> {
        Statement("Backend") { p, table in
            let begin = p.lastRange?.begin ?? .unset
            let name = try p.string()
            let server = BackendStatements.defaultServer(p)
            let (draft, _) = try BackendStatements.parseBody(p, BackendStatements.table, server: server)
            let range = LocusRange(begin: begin, end: p.lastRange?.end ?? .unset)
            let nb = NamedBackend(name: name.text, server: draft.server, priority: draft.priority,
                                  disabled: draft.disabled, range: range)
            if let old = table.insert(nb) {
                p.diagnostics.error("redefinition of named backend \(old.name)", at: range)
                p.diagnostics.error("original definition was here", at: old.range)
                throw ConfigFailure()
            }
            return .ok
        }
    }
}

extension BalancerAlgorithm {
    /// `Balancer random|iwrr` (global or per service). Pounce also accepts its built-in
    /// extension balancers `roundrobin`, `leastconn` and `chash`, and a quoted name of a
    /// loadable balancer module; both become `.module(name)`.
    public static func statement() -> Statement<BalancerAlgorithm> {
        Statement("Balancer") { p, algo in
            if let tok = try p.optionalString() {
                guard !tok.text.isEmpty else { throw p.fail("empty balancer module name") }
                algo = .module(tok.text)
                return .ok
            }
            let tok = try p.expect(.unquoted)
            switch tok.text.lowercased() {
            case "random": algo = .random
            case "iwrr": algo = .iwrr
            case let name where extensionBalancers.contains(name): algo = .module(name)
            default: throw p.fail("unsupported balancing strategy: \(tok.text)")
            }
            return .ok
        }
    }

    /// Balancers built into Pounce beyond Pound's two.
    public static let extensionBalancers: Set<String> = ["roundrobin", "leastconn", "chash"]
}

extension Backend {
    /// `Backend ... End` inside a `Tunnel` listener (Address, Port, TimeOut, ConnTO,
    /// Disabled). The backend's weight is 1, as in Pound.
    public static func parseTunnelBackend(_ p: ConfigParser) throws -> Backend {
        let (draft, range) = try BackendStatements.parseBody(p, BackendStatements.tunnelTable,
                                                            server: BackendStatements.defaultServer(p))
        var be = draft.backend(range: range)
        be.priority = 1
        return be
    }
}

extension BackendDraft {
    func backend(range: LocusRange) -> Backend {
        Backend(kind: .regular(server), priority: priority, disabled: disabled, range: range)
    }
}

/// The statements of server backends and the parsers of special backends.
public enum BackendStatements {
    typealias S = Statement<BackendDraft>

    static func defaultServer(_ p: ConfigParser) -> Backend.Server {
        Backend.Server(timeout: p.defaults.backendTimeout, webSocketTimeout: p.defaults.webSocketTimeout,
                       connectTimeout: p.defaults.connectTimeout)
    }

    /// Runs a backend block; the range starts at the keyword that opened it.
    static func parseBody(_ p: ConfigParser, _ table: StatementTable<BackendDraft>,
                          server: Backend.Server) throws -> (BackendDraft, LocusRange) {
        var draft = BackendDraft(server: server)
        let range = try p.parseSection(table, into: &draft)
        return (draft, range)
    }

    /// `Backend ... End` or `Backend "name" [Priority/Disabled] End` in a service.
    static func parseServiceBackend(_ p: ConfigParser) throws -> Backend {
        let begin = p.lastRange?.begin ?? .unset
        var be: Backend
        if let name = try p.optionalString() {
            var ref = (priority: Int?.none, disabled: Bool?.none)
            var range = try p.parseSection(referenceTable, into: &ref)
            range.begin = begin
            be = Backend(kind: .reference(name: name.text, priority: ref.priority, disabled: ref.disabled),
                         priority: ref.priority ?? 5, disabled: ref.disabled ?? false, range: range)
            be.namedFrom = name.text
        } else {
            var (draft, range) = try parseBody(p, table, server: defaultServer(p))
            range.begin = begin
            be = draft.backend(range: range)
        }
        return be
    }

    nonisolated(unsafe) static let referenceTable = StatementTable<(priority: Int?, disabled: Bool?)>([
        .end,
        Statement("Priority") { p, r in r.priority = try p.int(in: 1, -1); return .ok },
        Statement("Disabled") { p, r in r.disabled = try p.bool(); return .ok },
    ])

    nonisolated(unsafe) static let table = StatementTable<BackendDraft>(makeStatements())

    nonisolated(unsafe) static let tunnelTable = StatementTable<BackendDraft>([
        .end,
        S("Address") { p, d in d.server.host = try parseAddress(p); return .ok },
        S("Port") { p, d in d.server.port = try parsePort(p); return .ok },
        S("TimeOut") { p, d in d.server.timeout = try p.timeout(); return .ok },
        S("ConnTO") { p, d in d.server.connectTimeout = try p.timeout(); return .ok },
        S("Disabled") { p, d in d.disabled = try p.bool(); return .ok },
    ])

    private static func makeStatements() -> [S] {
        var list: [S] = [.end]
        list.append(S("Address") { p, d in d.server.host = try parseAddress(p); return .ok })
        list.append(S("Port") { p, d in d.server.port = try parsePort(p); return .ok })
        list.append(S("Family") { p, d in
            let tok = try p.expect(.identifier)
            d.server.family = try p.keyword(tok, in: [("any", .any), ("unix", .unix), ("inet", .inet), ("inet6", .inet6)],
                                            what: "address family name")
            return .ok
        })
        list.append(S("Resolve") { p, d in
            let begin = p.lastRange?.begin ?? .unset
            let tok = try p.expect(.identifier)
            d.server.resolveMode = try p.keyword(tok, in: [("immediate", .immediate), ("first", .first),
                                                          ("all", .all), ("srv", .srv)],
                                                 what: "backend resolve mode")
            d.server.resolveRange = LocusRange(begin: begin, end: tok.range.end)
            return .ok
        })
        list.append(S("IgnoreSRVWeight") { p, d in d.server.ignoreSRVWeight = try p.bool(); return .ok })
        list.append(S("OverrideTTL") { p, d in d.server.overrideTTL = try p.timeout(); return .ok })
        list.append(S("RetryInterval") { p, d in d.server.retryInterval = try p.timeout(); return .ok })
        list.append(S("Priority") { p, d in d.priority = try p.int(in: 1, -1); return .ok })
        list.append(S("TimeOut") { p, d in d.server.timeout = try p.timeout(); return .ok })
        list.append(S("WSTimeOut") { p, d in d.server.webSocketTimeout = try p.timeout(); return .ok })
        list.append(S("ConnTO") { p, d in d.server.connectTimeout = try p.timeout(); return .ok })
        list.append(S("HTTPS") { p, d in
            let keyword = p.lastRange
            d.server.tls = Backend.TLSSettings()
            // Pound 2.6 wrote the client certificate right after HTTPS.
            if let file = try p.optionalString() {
                try deprecated(p, "HTTPS with a certificate file is a Pound 2.x form; use \"HTTPS\" and \"Cert\" instead",
                               at: keyword)
                d.server.tls?.certificateFile = try checkCertificate(p, file)
                d.server.tls?.certificateRange = file.range
            }
            return .ok
        })
        list.append(S("Cert") { p, d in
            guard d.server.tls != nil else { throw p.fail("HTTPS must be used before this statement") }
            let file = try p.string()
            d.server.tls?.certificateFile = try checkCertificate(p, file)
            d.server.tls?.certificateRange = file.range
            return .ok
        })
        list.append(S("Ciphers") { p, d in
            guard d.server.tls != nil else { throw p.fail("HTTPS must be used before this statement") }
            let ciphers = try CipherStrings.parse(p)
            if let l = ciphers.cipherList { d.server.tls?.cipherList = l }
            if let s = ciphers.cipherSuites { d.server.tls?.cipherSuites = s }
            return .okNoNewline
        })
        list.append(S("Disable") { p, d in
            guard d.server.tls != nil else { throw p.fail("HTTPS must be used before this statement") }
            let tok = try p.expect(.identifier)
            let proto: Backend.TLSProtocol = try p.keyword(tok, in: [
                ("SSLv2", .sslv2), ("SSLv3", .sslv3), ("TLSv1", .tlsv1), ("TLSv1_1", .tlsv1_1), ("TLSv1_2", .tlsv1_2),
            ], what: "protocol name")
            let current = d.server.tls?.disabledUpTo ?? proto
            d.server.tls?.disabledUpTo = max(current, proto)
            return .ok
        })
        list.append(S("Disabled") { p, d in d.disabled = try p.bool(); return .ok })
        list.append(S("ServerName") { p, d in d.server.serverName = try p.stringValue(); return .ok })
        list.append(S("CookieValue") { p, d in
            let tok = try p.string()
            guard SessionCookieSettings.isTag(tok.text) else {
                throw p.fail("CookieValue: expected 1 to 64 letters, digits, '-' or '_'", at: tok.range)
            }
            d.server.cookieValue = tok.text
            return .ok
        })
        list.append(S("HAport") { p, d in
            try deprecated(p, "HAport is a Pound 2.x statement; its address is used for health checks only",
                           at: p.lastRange)
            d.server.healthCheck = try parseHAport(p)
            return .ok
        })
        list += HealthCheckStatements.statements().map { $0.lifted(\BackendDraft.server.httpCheck) }
        return list
    }

    /// Reports a Pound 2.x form we accept, per `-W [no-]warn-deprecated`.
    static func deprecated(_ p: ConfigParser, _ message: String, at range: LocusRange?) throws {
        switch p.deprecationMode {
        case .allow: break
        case .warn: p.warn("deprecated statement, " + message, at: range)
        case .reject: throw p.fail("deprecated statement, " + message, at: range)
        }
    }

    /// `Address`: IP address, host name or socket path, quoted or not.
    static func parseAddress(_ p: ConfigParser) throws -> String {
        try p.expect([.identifier, .string, .literal]).text
    }

    /// `Port`: a number or a service name, looked up as Pound does (getaddrinfo).
    static func parsePort(_ p: ConfigParser) throws -> Int {
        try portValue(p, try p.anyToken())
    }

    static func portValue(_ p: ConfigParser, _ tok: Token) throws -> Int {
        guard tok.kind == .identifier || tok.kind == .number else {
            throw p.fail("expected port number or service name, but found \(tok.kind.description)", at: tok.range)
        }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var res: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(nil, tok.text, &hints, &res)
        guard rc == 0, let info = res else {
            throw p.fail("bad port number: \(String(cString: gai_strerror(rc)))", at: tok.range)
        }
        defer { freeaddrinfo(info) }
        guard let sa = info.pointee.ai_addr else {
            throw p.fail("Port is supported only for INET/INET6 back-ends", at: tok.range)
        }
        switch Int32(info.pointee.ai_family) {
        case AF_INET:
            return sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
        case AF_INET6:
            return sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) }
        default:
            throw p.fail("Port is supported only for INET/INET6 back-ends", at: tok.range)
        }
    }

    /// Pound 2.x `HAport [address] port`.
    static func parseHAport(_ p: ConfigParser) throws -> Backend.HealthCheck {
        let first = try p.expect([.identifier, .number, .string, .literal])
        let second = try p.anyToken()
        if second.kind == .newline || second.kind == .endOfFile {
            p.putBack(second)
            return Backend.HealthCheck(host: nil, port: try portValue(p, first))
        }
        return Backend.HealthCheck(host: first.text, port: try portValue(p, second))
    }

    /// `Cert "file"`: the file must exist and hold PEM data. Pound hands it to OpenSSL;
    /// the messages below are the ones Pound 4.23 (OpenSSL 3) prints for those failures.
    static func checkCertificate(_ p: ConfigParser, _ tok: Token) throws -> String {
        let wd = try p.scanner.includeWorkDirectory(at: tok.range)
        let shown = wd.displayName(tok.text)
        switch FileSystem.readFile(wd.resolve(tok.text)) {
        case .failure(let e) where e.errno == ENOENT:
            p.diagnostics.error("\(shown): SSL_CTX_use_certificate_chain_file: error:80000002:system library::No such file or directory", at: tok.range)
            p.diagnostics.error("error:10080002:BIO routines::system lib", at: tok.range)
            p.diagnostics.error("error:0A080002:SSL routines::system lib", at: tok.range)
            throw ConfigFailure()
        case .failure(let e):
            throw p.fail("\(shown): SSL_CTX_use_certificate_chain_file: \(e)", at: tok.range)
        case .success(let bytes):
            let text = String(decoding: bytes, as: UTF8.self)
            if !text.contains("-----BEGIN ") {
                p.diagnostics.error("\(shown): SSL_CTX_use_certificate_chain_file: error:0480006C:PEM routines::no start line", at: tok.range)
                p.diagnostics.error("error:0A080009:SSL routines::PEM lib", at: tok.range)
                throw ConfigFailure()
            }
        }
        return wd.resolve(tok.text)
    }

    /// `Redirect [CODE] "url"`.
    static func parseRedirect(_ p: ConfigParser) throws -> Backend {
        let begin = p.lastRange?.begin ?? .unset
        var status = 302
        var tok = try p.anyToken()
        if tok.kind == .number {
            guard let n = Int(tok.text.prefix(18)), [301, 302, 303, 307, 308].contains(n) else {
                throw p.fail("invalid status code")
            }
            status = n
            tok = try p.anyToken()
        }
        let range = LocusRange(begin: begin, end: p.lastRange?.end ?? .unset)
        guard tok.kind == .string else {
            throw p.fail("expected quoted string, but found \(tok.kind.description)")
        }
        guard let parts = locationParts(tok.text) else { throw p.fail("Redirect bad URL") }
        var url = tok.text
        if parts.path == "/" {
            url = String(decoding: Array(url.utf8)[..<parts.pathStart], as: UTF8.self)
        }
        let redirect = Backend.Redirect(status: status, url: url, hasPath: !parts.path.isEmpty,
                                        hasExpansions: hasExpansions(tok.text))
        return Backend(kind: .redirect(redirect), priority: 1, range: range)
    }

    /// Pound's LOCATION pattern `(http|https)://([^/]+)(.*)` (case-insensitive, not
    /// anchored, stopping at a newline): the byte offset and text of the path part.
    static func locationParts(_ url: String) -> (pathStart: Int, path: String)? {
        let b = Array(url.utf8)
        func lower(_ c: UInt8) -> UInt8 { c >= 65 && c <= 90 ? c + 32 : c }
        func has(_ s: String, at i: Int) -> Bool {
            let pat = Array(s.utf8)
            guard i + pat.count <= b.count else { return false }
            for k in 0..<pat.count where lower(b[i + k]) != pat[k] { return false }
            return true
        }
        for i in 0..<b.count {
            for scheme in ["https://", "http://"] where has(scheme, at: i) {
                var j = i + scheme.utf8.count
                let hostStart = j
                while j < b.count && b[j] != 47 && b[j] != 10 { j += 1 }
                guard j > hostStart else { continue }
                var e = j
                while e < b.count && b[e] != 10 { e += 1 }
                return (j, String(decoding: b[j..<e], as: UTF8.self))
            }
        }
        return nil
    }

    /// Whether a redirect target uses `$N`, `${N}` or `%[...]` expansions.
    static func hasExpansions(_ s: String) -> Bool {
        let b = Array(s.utf8)
        var i = 0
        while i < b.count {
            let c = b[i]
            if c == 36, i + 1 < b.count {          // $
                let n = b[i + 1]
                if n == 36 || n == 37 { i += 2; continue }
                if n == 123 || (n >= 48 && n <= 57) { return true }
            } else if c == 37, i + 1 < b.count, b[i + 1] == 91, b[(i + 2)...].contains(93) {
                return true
            }
            i += 1
        }
        return false
    }

    /// `Error STATUS ["file"]`.
    static func parseError(_ p: ConfigParser) throws -> (Backend, StatementOutcome) {
        let begin = p.lastRange?.begin ?? .unset
        let status = try ErrorPage.parseStatus(p)
        let tok = try p.anyToken()
        var page: ErrorPage?
        var outcome = StatementOutcome.ok
        switch tok.kind {
        case .string:
            p.putBack(tok)
            page = try ErrorPage.parse(p, status: status)
        case .newline:
            outcome = .okNoNewline
        default:
            throw p.fail("string or newline expected")
        }
        let range = LocusRange(begin: begin, end: p.lastRange?.end ?? .unset)
        return (Backend(kind: .error(status: status, page: page), priority: 1, range: range), outcome)
    }

    /// `SendFile "directory"`, resolved against the include directory.
    static func parseSendFile(_ p: ConfigParser) throws -> Backend {
        let begin = p.lastRange?.begin ?? .unset
        let tok = try p.string()
        let range = LocusRange(begin: begin, end: tok.range.end)
        let wd = try p.scanner.includeWorkDirectory(at: tok.range)
        let path = wd.resolve(tok.text)
        switch FileSystem.fileInfo(path) {
        case .failure(let e):
            throw p.fail("can't open \(tok.text): \(e)")
        case .success(let info) where !info.isDirectory:
            throw p.fail("can't open \(tok.text): \(SystemError(errno: ENOTDIR))")
        case .success:
            break
        }
        return Backend(kind: .sendFile(directory: path), priority: 1, range: range)
    }

    /// `"function" ["arg"...]` up to the end of line (Pound's Lua closure).
    static func parseLuaCall(_ p: ConfigParser) throws -> Backend.LuaCall {
        let fn = try p.string()
        var call = Backend.LuaCall(function: fn.text, arguments: [], range: fn.range)
        while true {
            let tok = try p.anyToken()
            switch tok.kind {
            case .string: call.arguments.append(tok.text)
            case .newline: return call
            default: throw p.fail("expected string or newline, but found \(tok.kind.description)")
            }
        }
    }
}
