#if canImport(Glibc)
import Glibc
#endif
import PoundRegex

/// A listener while its section is read: the listener plus the raw address settings
/// and TLS/tunnel parts that are only combined once `End` is reached.
struct ListenerDraft {
    var listener: Listener
    var addressText: String?
    var portText: String?
    var socketFrom: String?
    var tls = TLSSettings()
    var tunnel: Backend?
    /// The first ACME statement other than `AutoCert` (which needs an `AutoCert`).
    var acmeStatement: (name: String, range: LocusRange)?
}

extension Listener {
    /// Top-level `ListenHTTP`, `ListenHTTPS`, `Tunnel`.
    public static func statements() -> [Statement<[Listener]>] {
        [
            Statement("ListenHTTP") { p, list in try parse(p, &list, table: httpTable, kind: .http); return .ok },
            Statement("ListenHTTPS") { p, list in try parse(p, &list, table: httpsTable, kind: .https); return .ok },
            Statement("Tunnel") { p, list in try parse(p, &list, table: tunnelTable, kind: .tunnel); return .ok },
        ]
    }

    enum Flavor { case http, https, tunnel }

    /// Pound's parse_listen_http / parse_listen_https / parse_tunnel.
    static func parse(_ p: ConfigParser, _ list: inout [Listener], table: StatementTable<ListenerDraft>,
                      kind: Flavor) throws {
        var l = Listener()
        l.clientTimeout = p.defaults.clientTimeout
        l.headerOptions = p.defaults.headerOptions
        l.lineBufferSize = p.defaults.lineBufferSize
        if let name = try p.optionalString() {
            if list.contains(where: { $0.name == name.text }) {
                throw p.fail("listener name is not unique")
            }
            l.name = name.text
        }
        var draft = ListenerDraft(listener: l)
        let range = try p.parseSection(table, into: &draft)
        draft.listener.range = range
        draft.listener.address = try resolveAddress(p, draft, defaultPort: kind == .http ? "80" : "443")
        if let max = draft.listener.maxURILength, max > draft.listener.lineBufferSize {
            draft.listener.maxURILength = draft.listener.lineBufferSize
        }
        switch kind {
        case .http:
            draft.listener.kind = .http
        case .https:
            if !draft.tls.hasCertificates {
                throw p.fail("Cert statement is missing", at: range)
            }
            try checkAutoCert(p, draft)
            draft.listener.kind = .https(draft.tls)
        case .tunnel:
            guard let backend = draft.tunnel else {
                throw p.fail("no backend defined", at: range)
            }
            draft.listener.kind = .tunnel(backend)
        }
        list.append(draft.listener)
    }

    /// Pound's resolve_listener_address: numeric host only (no DNS even with `-W dns`),
    /// a port number or service name, the wildcard address by default.
    static func resolveAddress(_ p: ConfigParser, _ d: ListenerDraft, defaultPort: String) throws -> ListenerAddress {
        if let path = d.socketFrom { return .socketFrom(path) }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var res: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(d.addressText, d.portText ?? defaultPort, &hints, &res)
        guard rc == 0, let first = res else {
            throw p.fail("bad listener address: \(String(cString: gai_strerror(rc)))", at: d.listener.range)
        }
        defer { freeaddrinfo(res) }
        var chosen = first
        // Prefer the IPv6 wildcard over the IPv4 one, as Pound does.
        if let next = first.pointee.ai_next, first.pointee.ai_family == AF_INET,
           next.pointee.ai_family == AF_INET6,
           let a4 = first.pointee.ai_addr, let a6 = next.pointee.ai_addr {
            let any4 = a4.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr.s_addr == 0 }
            let any6 = a6.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { sin6 in
                withUnsafeBytes(of: sin6.pointee.sin6_addr) { $0.allSatisfy { $0 == 0 } }
            }
            if any4 && any6 { chosen = next }
        }
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        var serv = [CChar](repeating: 0, count: Int(NI_MAXSERV))
        let ai = chosen.pointee
        _ = getnameinfo(ai.ai_addr, ai.ai_addrlen, &host, socklen_t(host.count), &serv, socklen_t(serv.count),
                        NI_NUMERICHOST | NI_NUMERICSERV)
        let hostText = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let servText = String(decoding: serv.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return .inet(NumericAddress(host: hostText, port: Int(servText) ?? 0,
                                    family: ai.ai_family == AF_INET6 ? .ipv6 : .ipv4))
    }

    /// Checks Pound makes once the whole file is read (its service/backend finalization,
    /// which covers a tunnel's backend).
    public static func finalize(_ listener: inout Listener, parser p: ConfigParser) throws {
        guard case .tunnel(var be) = listener.kind else { return }
        // The same address checks as every service backend (Pound shares them too).
        guard ServiceFinalizer.finalize(&be, parser: p) else { throw ConfigFailure() }
        listener.kind = .tunnel(be)
    }

    // MARK: - Tables

    private typealias S = Statement<ListenerDraft>

    /// listener_address_common: Address, Port, SocketFrom.
    private static func addressStatements() -> [S] {
        [
            S("Address") { p, d in
                d.addressText = try p.expect([.identifier, .string, .literal]).text
                return .ok
            },
            S("Port") { p, d in
                d.portText = try p.expect([.identifier, .string, .literal, .number]).text
                return .ok
            },
            S("SocketFrom") { p, d in
                if d.addressText != nil || d.portText != nil {
                    throw p.fail("Duplicate Address or SocketFrom statement")
                }
                let tok = try p.string()
                guard tok.text.utf8.count <= 108 else { throw p.fail("UNIX path name too long") }
                d.socketFrom = tok.text
                return .ok
            },
        ]
    }

    /// The HTTP status codes Pound has error pages for.

    /// http_common: everything ListenHTTP and ListenHTTPS share.
    private static func httpCommonStatements() -> [S] {
        var list = addressStatements()
        list.append(S("xHTTP") { p, d in
            let n = try p.int()
            if n == 4 {
                // Pound 2.x's level 4 (MS RPC methods); Pound 4 rejects it, Pounce keeps it.
                let message = "deprecated value, xHTTP 4 is treated as xHTTP 3 with RPC_IN_DATA and RPC_OUT_DATA"
                switch p.deprecationMode {
                case .allow: break
                case .warn: p.warn(message)
                case .reject: throw p.fail(message)
                }
            } else if n < 0 || n > 3 {
                throw p.fail("value out of allowed range (0..3)")
            }
            d.listener.allowedMethods = .level(n)
            return .ok
        })
        list.append(S("Client") { p, d in d.listener.clientTimeout = try p.timeout(); return .ok })
        list.append(S("CheckURL") { p, d in
            if d.listener.checkURL != nil { throw p.fail("CheckURL multiple pattern") }
            d.listener.checkURL = try parseCheckURL(p)
            return .ok
        })
        list.append(S("ErrorFile") { p, d in
            let status = try ErrorPage.parseStatus(p)
            d.listener.errorFiles[status] = try ErrorPage.parse(p, status: status)
            return .ok
        })
        list.append(S("MaxRequest") { p, d in
            let tok = try p.expect(.number)
            guard let n = UInt64(tok.text) else { throw p.fail("bad long number") }
            d.listener.maxRequestSize = n
            return .ok
        })
        list.append(S("MaxURI") { p, d in d.listener.maxURILength = try p.unsigned(); return .ok })
        list += RewriteRules.statements(listener: true).map { $0.lifted(\ListenerDraft.listener.rewrite) }
        list.append(S("RewriteErrors") { p, d in d.listener.rewriteErrors = try p.bool(); return .ok })
        list.append(S("HeaderOption") { p, d in
            d.listener.headerOptions = try HeaderOptions.parse(p, current: d.listener.headerOptions)
            return .ok
        })
        list.append(S("RewriteLocation") { p, d in
            d.listener.rewriteLocation = try Self.parseRewriteLocation(p)
            return .ok
        })
        list.append(S("RewriteDestination") { p, d in d.listener.rewriteDestination = try p.bool(); return .ok })
        list.append(S("LogLevel") { p, d in d.listener.logLevel = try LogLevel.parse(p); return .ok })
        list.append(S("ForwardedHeader") { p, d in d.listener.forwardedHeader = try p.stringValue(); return .ok })
        list.append(ACL.trustedIPStatement().lifted(\ListenerDraft.listener.trustedIPs))
        list.append(ServiceStatements.statement().lifted(\ListenerDraft.listener.services))
        list.append(S("LineBufferSize") { p, d in
            d.listener.lineBufferSize = try GlobalStatements.parseLineBufferSize(p)
            return .ok
        })
        list.append(StringConstant.statement().lifted(\ListenerDraft.listener.constants))
        list += http2Statements()
        // http_deprecated: Pound 2.x error page statements.
        for status in [400, 401, 403, 404, 413, 414, 500, 501, 503] {
            list.append(S("Err\(status)", deprecated: "use \"ErrorFile \(status)\" instead") { p, d in
                d.listener.errorFiles[status] = try ErrorPage.parse(p, status: status)
                return .ok
            })
        }
        return list
    }

    /// Pounce extension: `HTTP2 BOOL` and the HTTP/2 limits, in ListenHTTP and
    /// ListenHTTPS. The limits are accepted whatever `HTTP2` says (they apply only
    /// while it is on).
    private static func http2Statements() -> [S] {
        var list = [S("HTTP2") { p, d in d.listener.http2Enabled = try p.bool(); return .ok }]
        let limits: [(String, WritableKeyPath<HTTP2Limits, Int>, ClosedRange<Int>)] = [
            ("HTTP2MaxStreams", \.maxConcurrentStreams, 1...maxHTTP2Value),
            ("HTTP2MaxHeaderList", \.maxHeaderListSize, 1024...maxHTTP2Value),
            ("HTTP2MaxResets", \.maxResets, 1...maxHTTP2Value),
            ("HTTP2MaxContinuations", \.maxContinuations, 1...maxHTTP2Value),
            ("HTTP2MaxControlFrames", \.maxControlFrames, 1...maxHTTP2Value),
            ("HTTP2MaxEmptyFrames", \.maxEmptyDataFrames, 1...maxHTTP2Value),
            ("HTTP2WindowSize", \.initialWindowSize, 65535...maxHTTP2Value),
        ]
        for (name, path, range) in limits {
            list.append(S(name) { p, d in
                d.listener.http2[keyPath: path] = try parseHTTP2Limit(p, name: name, in: range)
                return .ok
            })
        }
        return list
    }

    /// The largest value an HTTP/2 limit takes: 2^31-1, the protocol's largest window
    /// and a bound every 32-bit SETTINGS field can carry.
    static let maxHTTP2Value = Int(Int32.max)

    /// A decimal number within `range`; anything out of it (overflow included) is
    /// reported as "NAME must be between MIN and MAX" at the number.
    static func parseHTTP2Limit(_ p: ConfigParser, name: String, in range: ClosedRange<Int>) throws -> Int {
        let tok = try p.expect(.number)
        guard let n = Int(tok.text), range.contains(n) else {
            throw p.fail("\(name) must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return n
    }

    nonisolated(unsafe) static let httpTable: StatementTable<ListenerDraft> = {
        var list: [S] = [.end]
        list += httpCommonStatements()
        list.append(S("ACME") { p, d in
            d.listener.acmeChallenges.append(try parseACME(p, position: d.listener.services.count))
            return .ok
        })
        return StatementTable(list)
    }()

    nonisolated(unsafe) static let httpsTable: StatementTable<ListenerDraft> = {
        var list: [S] = [.end]
        list += httpCommonStatements()
        list += tlsStatements()
        list += autoCertStatements()
        return StatementTable(list)
    }()

    nonisolated(unsafe) static let tunnelTable: StatementTable<ListenerDraft> = {
        var list: [S] = [.end]
        list += addressStatements()
        list.append(S("Backend") { p, d in
            if d.tunnel != nil { throw p.fail("only one backend is allowed in Tunnel") }
            let be = try Backend.parseTunnelBackend(p)
            d.tunnel = be
            return .ok
        })
        return StatementTable(list)
    }()

    // MARK: - Values

    /// `CheckURL [-re|-exact|-beg|-end|-contain|-icase|-case|-posix|-pcre] "pattern"`.
    static func parseCheckURL(_ p: ConfigParser) throws -> Pattern {
        var kind = p.defaults.regexType
        var options: PatternOptions = p.defaults.ignoreCase ? [.caseInsensitive] : []
        let optab: [(name: String, takesArgument: Bool)] = [
            ("file", true), ("filewatch", true), ("re", false), ("exact", false), ("beg", false),
            ("end", false), ("contain", false), ("icase", false), ("case", false), ("posix", false),
            ("pcre", false), ("perl", false), ("tag", true), ("decode", false),
        ]
        while let opt = try p.option(optab) {
            switch opt.name {
            case "re": kind = p.defaults.regexType
            case "exact": kind = .exact
            case "beg": kind = .prefix
            case "end": kind = .suffix
            case "contain": kind = .contain
            case "icase": options.insert(.caseInsensitive)
            case "case": options.remove(.caseInsensitive)
            case "posix": kind = .posix
            case "pcre", "perl": kind = .pcre
            default: throw p.fail("unsupported option: -\(opt.name)")
            }
        }
        let tok = try p.string()
        do {
            return try Pattern(tok.text, kind: kind, options: options)
        } catch {
            throw p.fail(error.description)
        }
    }

    /// `RewriteLocation 0|1|2 [safe|pound]` or `RewriteLocation safe`. The second word
    /// is a Pounce extension choosing how mode 1 treats locations that do not point
    /// at the backend: `pound` (the default) rewrites them all, as Pound 4.23 does;
    /// `safe` only those naming the listener. Modes 0 and 2 never rewrite foreign
    /// locations, so the word changes nothing there.
    static func parseRewriteLocation(_ p: ConfigParser) throws -> RewriteLocationMode {
        let first = try p.anyToken()
        if first.kind == .identifier && first.text.lowercased() == "safe" { return .safe }
        p.putBack(first)
        let n = try p.int(in: 0, 2)
        let mode = RewriteLocationMode(level: n) ?? .enabled
        let second = try p.anyToken()
        // Anything else on the line is left for the end-of-statement check, which
        // reports it as Pound does ("unexpected number").
        guard second.kind == .identifier else {
            p.putBack(second)
            return mode
        }
        switch second.text.lowercased() {
        case "safe": return mode == .enabled ? .safe : mode
        case "pound": return mode
        default: throw p.fail("unrecognized RewriteLocation handling, expected safe or pound")
        }
    }

    /// Checks an error page file can be read (Pound reads it here; the page is parsed
    /// into headers and body by the error page reader).
    /// `ACME "dir"`: the directory must exist and be a directory.
    static func parseACME(_ p: ConfigParser, position: Int) throws -> ACMEChallenge {
        let begin = p.lastRange?.begin ?? .unset
        let tok = try p.string()
        switch FileSystem.fileInfo(tok.text) {
        case .failure(let e):
            throw p.fail("can't stat \(tok.text): \(e)")
        case .success(let info) where !info.isDirectory:
            // Pound prints whatever errno was left over here, in practice EBADF.
            throw p.fail("\(tok.text) is not a directory: \(SystemError(errno: EBADF))")
        case .success:
            let fd = open(tok.text, O_RDONLY | O_NONBLOCK | O_DIRECTORY)
            if fd < 0 {
                throw p.fail("can't open directory \(tok.text): \(SystemError(errno: errno))")
            }
            close(fd)
        }
        return ACMEChallenge(directory: tok.text, range: LocusRange(begin: begin, end: tok.range.end),
                             servicePosition: position)
    }
}
