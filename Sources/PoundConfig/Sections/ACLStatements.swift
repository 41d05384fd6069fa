#if canImport(Glibc)
import Glibc
#endif

extension ACL {
    /// Top-level `ACL "name" ... End` (or `-file`/`-filewatch`).
    public static func namedStatement() -> Statement<SymbolTables> {
        Statement("ACL") { p, symbols in
            let name = try p.string()
            if symbols.acls[name.text] != nil {
                throw p.fail("ACL with that name already defined")
            }
            var acl = ACL(name: name.text)
            acl.range = name.range
            // Pound registers the name before reading the body.
            symbols.acls[name.text] = acl
            let options = try FileOptions.parse(p)
            if let file = options.file {
                // Pound's watcher messages cite the file name's token, as for any other file option.
                try readFile(p, file, watch: options.watch, into: &acl, watchRange: p.lastRange)
                symbols.acls[name.text] = acl
                return .ok
            }
            try parseBody(p, into: &acl)
            symbols.acls[name.text] = acl
            return .ok
        }
    }

    /// `TrustedIP` (an ACL reference, inline ACL or file) at any level.
    public static func trustedIPStatement() -> Statement<ACL?> {
        Statement("TrustedIP") { p, acl in
            acl = try parseReference(p, allowForwarded: false).acl
            return .ok
        }
    }

    /// Pound's `parse_acl_ref`: `"name"`, `-file "f"`, `-filewatch "f"`, or a newline
    /// followed by an inline list up to `End`.
    static func parseReference(_ p: ConfigParser, allowForwarded: Bool) throws -> (acl: ACL, forwarded: Bool) {
        let options = try FileOptions.parse(p, allowForwarded: allowForwarded)
        if let file = options.file {
            var acl = ACL()
            try readFile(p, file, watch: options.watch, into: &acl, watchRange: p.lastRange)
            return (acl, options.forwarded)
        }
        let tok = try p.anyToken()
        switch tok.kind {
        case .newline:
            p.putBack(tok)
            var acl = ACL()
            acl.range = tok.range
            try parseBody(p, into: &acl)
            return (acl, options.forwarded)
        case .string:
            guard let acl = p.symbols.acls[tok.text] else {
                throw p.fail("no such ACL: \(tok.text)")
            }
            return (acl, options.forwarded)
        default:
            throw p.fail("expected ACL name or definition, but found \(tok.kind.description)")
        }
    }

    /// The list body: a newline, then quoted CIDRs (or `Include`) up to `End`.
    static func parseBody(_ p: ConfigParser, into acl: inout ACL) throws {
        let first = try p.anyToken()
        guard first.kind == .newline else {
            throw p.fail("expected newline, but found \(first.kind.description)")
        }
        while true {
            let tok = try p.anyToken()
            if tok.kind == .newline { continue }
            if tok.kind == .identifier {
                if tok.text.lowercased() == "end" { break }
                if tok.text.lowercased() == "include" {
                    let name = try p.string()
                    try p.scanner.include(name.text, at: name.range)
                    continue
                }
                throw p.fail("expected CIDR, \"Include\", or \"End\", but found \(tok.kind.description)")
            }
            p.putBack(tok)
            let cidr = try p.string()
            guard let entry = parseCIDR(p, cidr.text, at: cidr.range) else { throw ConfigFailure() }
            acl.entries.append(entry)
        }
    }

    /// Reads an ACL file: one CIDR per line, blank lines and `#` comments skipped, an
    /// optional pair of surrounding quotes removed.
    static func readFile(_ p: ConfigParser, _ name: String, watch: Bool, into acl: inout ACL,
                         watchRange: LocusRange?) throws {
        let source = try ConfigFileSource(p, name: name, watch: watch)
        let file = source.watchedFile(range: watchRange)
        acl.file = file
        var errors = 0
        switch file.readACL(report: { errors += 1; p.diagnostics.report($0) }) {
        case .success(let entries):
            acl.entries += entries
        case .failure(let e):
            if watch {
                if e.errno == ENOENT {
                    source.noteMissing(p, at: watchRange)
                    return
                }
                throw source.watchOpenFailure(p, e, at: watchRange)
            }
            throw ConfigFileSource.openFailure(p, name, e)
        }
        // A watched file's errors are only logged; the entries that parsed are used.
        if errors > 0 && !watch {
            throw p.fail("errors reading \(name)")
        }
    }

    /// Pound's `parse_cidr_str`: `ADDR[/MASKLEN]`, the address numeric (IPv4 or IPv6, as
    /// getaddrinfo with AI_NUMERICHOST accepts it). Reports and returns nil on error.
    static func parseCIDR(_ p: ConfigParser, _ text: String, at range: LocusRange) -> CIDR? {
        parseCIDR(text, at: range, report: p.diagnostics.report)
    }

    /// `parseCIDR` reporting through `report` (the runtime re-reads watched files too).
    static func parseCIDR(_ text: String, at range: LocusRange, report: (Diagnostic) -> Void) -> CIDR? {
        func error(_ message: String) { report(Diagnostic(severity: .error, range: range, message: message)) }
        var host = Substring(text)
        var maskLength: Int?
        if let slash = text.firstIndex(of: "/") {
            host = text[..<slash]
            let digits = text[text.index(after: slash)...]
            guard let n = cStrtoul(digits) else {
                error("invalid netmask")
                return nil
            }
            maskLength = n
        }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_flags = AI_NUMERICHOST
        var res: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(String(host), nil, &hints, &res)
        guard rc == 0, let info = res else {
            error("invalid IP address: \(String(cString: gai_strerror(rc)))")
            return nil
        }
        defer { freeaddrinfo(info) }
        let family: CIDR.Family
        var bytes: [UInt8]
        switch info.pointee.ai_family {
        case AF_INET:
            family = .inet
            bytes = info.pointee.ai_addr.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                withUnsafeBytes(of: $0.pointee.sin_addr) { Array($0) }
            }
        case AF_INET6:
            family = .inet6
            bytes = info.pointee.ai_addr.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                withUnsafeBytes(of: $0.pointee.sin6_addr) { Array($0) }
            }
        default:
            error("unsupported address family")
            return nil
        }
        let bits = bytes.count * 8
        return CIDR(family: family, address: bytes, prefixLength: min(maskLength ?? bits, bits))
    }

    /// `strtoul(s, &end, 10)` that must consume everything: leading blanks and a sign are
    /// accepted as C does (an empty string is 0); nil on overflow or trailing junk.
    static func cStrtoul(_ s: Substring) -> Int? {
        var rest = s.drop { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\u{0B}" || $0 == "\u{0C}" }
        var negative = false
        if let f = rest.first, f == "+" || f == "-" {
            negative = f == "-"
            rest = rest.dropFirst()
        }
        guard let first = rest.first, first.isASCII, first.isNumber else {
            // No digits: strtoul consumes nothing, so only an empty string is "all used".
            return s.isEmpty ? 0 : nil
        }
        guard rest.allSatisfy({ $0.isASCII && $0.isNumber }), let v = UInt64(rest) else { return nil }
        // A negative value wraps around to a huge unsigned one, i.e. "whole address".
        return negative && v != 0 ? Int.max : Int(clamping: v)
    }
}
