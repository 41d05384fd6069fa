/// The `HealthCheck...` statements (a Pounce extension), shared by `Backend` blocks
/// and `Service` blocks. Each tuning statement needs a `HealthCheck` before it in the
/// same block, the way `Cert` needs `HTTPS`.
public enum HealthCheckStatements {
    public static func statements() -> [Statement<HTTPHealthCheck?>] {
        typealias S = Statement<HTTPHealthCheck?>
        return [
            S("HealthCheck") { p, check in
                let begin = p.lastRange?.begin ?? .unset
                let tok = try p.string()
                var parsed = try parseRequest(p, tok)
                parsed.range = LocusRange(begin: begin, end: tok.range.end)
                check = parsed
                return .ok
            },
            S("HealthCheckExpect") { p, check in
                try require(p, check)
                check?.expect = try parseExpect(p)
                return .ok
            },
            S("HealthCheckInterval") { p, check in
                try require(p, check)
                check?.interval = try p.int(in: 1, -1)
                return .ok
            },
            S("HealthCheckRise") { p, check in
                try require(p, check)
                check?.rise = try p.int(in: 1, -1)
                return .ok
            },
            S("HealthCheckFall") { p, check in
                try require(p, check)
                check?.fall = try p.int(in: 1, -1)
                return .ok
            },
            S("HealthCheckTimeout") { p, check in
                try require(p, check)
                check?.timeout = try p.int(in: 1, -1)
                return .ok
            },
        ]
    }

    private static func require(_ p: ConfigParser, _ check: HTTPHealthCheck?) throws {
        guard check != nil else { throw p.fail("HealthCheck must be used before this statement") }
    }

    /// `"PATH"` or `"METHOD PATH"`.
    static func parseRequest(_ p: ConfigParser, _ tok: Token) throws -> HTTPHealthCheck {
        let words = tok.text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        let method: String, path: String
        switch words.count {
        case 1: (method, path) = ("GET", words[0])
        case 2: (method, path) = (words[0], words[1])
        default: throw p.fail("invalid health check request: expected \"[METHOD] PATH\"", at: tok.range)
        }
        guard method.utf8.allSatisfy(isTokenByte) else {
            throw p.fail("invalid health check request method", at: tok.range)
        }
        guard path.hasPrefix("/"), path.utf8.allSatisfy({ $0 > 32 && $0 < 127 }) else {
            throw p.fail("invalid health check request path", at: tok.range)
        }
        return HTTPHealthCheck(method: method, path: path)
    }

    /// `HealthCheckExpect 200`, `2xx`, or `200-299`: the statuses counted as healthy.
    static func parseExpect(_ p: ConfigParser) throws -> ClosedRange<Int> {
        let tok = try p.expect([.identifier, .number, .string, .literal])
        guard let range = statusRange(tok.text) else {
            throw p.fail("invalid status code or range", at: tok.range)
        }
        return range
    }

    static func statusRange(_ text: String) -> ClosedRange<Int>? {
        let t = text.lowercased()
        if t.count == 3, t.hasSuffix("xx"), let d = Int(t.prefix(1)), (1...5).contains(d) {
            return d * 100...d * 100 + 99
        }
        let parts = t.split(separator: "-", omittingEmptySubsequences: false)
        let bounds = parts.compactMap { $0.count == 3 ? Int($0) : nil }
        guard bounds.count == parts.count, bounds.allSatisfy({ (100...599).contains($0) }) else { return nil }
        switch bounds.count {
        case 1: return bounds[0]...bounds[0]
        case 2 where bounds[0] <= bounds[1]: return bounds[0]...bounds[1]
        default: return nil
        }
    }

    /// RFC 9110 `tchar`.
    private static func isTokenByte(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return Array("!#$%&'*+-.^_`|~".utf8).contains(c)
        }
    }
}
