import HTTPWire
import PoundConfig
import PoundRegex
import Routing

/// The unconditional modification operations of a listener or service (Pound's
/// `rewrite_apply`): `SetHeader` (2.x `AddHeader`), `DeleteHeader` (2.x
/// `HeadRemove`), `SetURL`, `SetPath`, `SetQuery`, `DeleteQuery`, `SetQueryParam`
/// on requests, and the header operations of `Rewrite response` on responses.
///
/// Conditional `Rewrite` blocks belong to the request-language issue; until then
/// `unsupported` names them so start-up says they are not applied.
struct MessageRewriter: Sendable {
    enum Operation: Sendable {
        case setHeader(name: String, value: Template)
        case deleteHeader(Pattern)
        case setURL(Template)
        case setPath(Template, encode: Bool)
        case setQuery(Template)
        case deleteQuery
        case setQueryParam(name: String, value: Template?, encode: Bool)
    }

    let operations: [Operation]
    let unsupported: [String]

    init(_ rules: [RewriteRule], response: Bool = false) {
        var operations: [Operation] = []
        var unsupported: [String] = []
        func template(_ s: String) -> Template? { try? Template(s, unknownAccessors: .literal) }
        for rule in rules {
            if !rule.condition.isEmpty || rule.otherwise != nil {
                unsupported.append("conditional Rewrite block")
                continue
            }
            for op in rule.operations {
                switch op {
                case .setHeader(let line):
                    if let colon = line.firstIndex(of: ":"),
                       let value = template(String(line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" })) {
                        operations.append(.setHeader(name: String(line[..<colon]), value: value))
                    } else {
                        unsupported.append("SetHeader \"\(line)\"")
                    }
                case .deleteHeader(let pattern):
                    operations.append(.deleteHeader(pattern))
                case .setURL(let s) where !response:
                    if let t = template(s) { operations.append(.setURL(t)) }
                case .setPath(let s, let encode) where !response:
                    if let t = template(s) { operations.append(.setPath(t, encode: encode)) }
                case .setQuery(let s) where !response:
                    if let t = template(s) { operations.append(.setQuery(t)) }
                case .deleteQuery where !response:
                    operations.append(.deleteQuery)
                case .setQueryParam(let name, let value, let encode) where !response:
                    operations.append(.setQueryParam(name: name, value: value.flatMap(template), encode: encode))
                case .lua:
                    unsupported.append("LuaModify")
                case .rule:
                    unsupported.append("conditional Rewrite block")
                default:
                    unsupported.append("request operation in a response rule")
                }
            }
        }
        self.operations = operations
        self.unsupported = unsupported
    }

    var isEmpty: Bool { operations.isEmpty }

    private static func expand(_ t: Template, _ request: RoutingRequest) -> String {
        t.isLiteral ? t.source : t.expand(request)
    }

    private static func apply(_ op: Operation, to headers: inout HTTPHeaders, request: RoutingRequest) {
        switch op {
        case .setHeader(let name, let value):
            headers.replaceOrAppend(name, expand(value, request))
        case .deleteHeader(let pattern):
            headers.fields.removeAll { pattern.matches($0.line) }
        default:
            break
        }
    }

    /// Applies the header operations to `headers` (of a response, or an error reply).
    func applyHeaders(_ headers: inout HTTPHeaders, request: RoutingRequest) {
        for op in operations { Self.apply(op, to: &headers, request: request) }
    }

    func applyRequest(_ request: inout RoutingRequest) {
        for op in operations {
            switch op {
            case .setHeader, .deleteHeader:
                var headers = request.head.headers
                Self.apply(op, to: &headers, request: request)
                request.head.headers = headers
            case .setURL(let t):
                request.head.uri = Self.expand(t, request)
            case .setPath(let t, let encode):
                let path = Self.expand(t, request)
                let query = request.head.query.map { "?" + $0 } ?? ""
                request.head.uri = (encode ? PercentEncoding.encode(path, keeping: "/") : path) + query
            case .setQuery(let t):
                request.head.uri = String(request.head.path) + "?" + Self.expand(t, request)
            case .deleteQuery:
                request.head.uri = String(request.head.path)
            case .setQueryParam(let name, let value, let encode):
                let v = value.map { t -> String in
                    let text = Self.expand(t, request)
                    return encode ? PercentEncoding.encode(text, keeping: "") : text
                }
                request.head.uri = QueryParameters.set(name, to: v, in: request.head.uri)
            }
        }
    }
}

/// Percent-encoding of expansion results (`-encode`), with Routing's encoder.
enum PercentEncoding {
    static func encode(_ text: String, keeping extra: StaticString) -> String {
        var out: [UInt8] = []
        RequestURI.percentEncode(text.utf8, into: &out, keeping: extra)
        return String(decoding: out, as: UTF8.self)
    }
}

/// `SetQueryParam`: replace the first parameter so named, append it, or remove it.
enum QueryParameters {
    static func set(_ name: String, to value: String?, in uri: String) -> String {
        let q = uri.firstIndex(of: "?")
        let path = q.map { String(uri[..<$0]) } ?? uri
        var params = q.map { uri[uri.index(after: $0)...].split(separator: "&", omittingEmptySubsequences: false).map(String.init) } ?? []
        let index = params.firstIndex { ($0.split(separator: "=", maxSplits: 1).first.map(String.init) ?? $0) == name }
        switch (index, value) {
        case (let i?, let v?): params[i] = "\(name)=\(v)"
        case (let i?, nil): params.remove(at: i)
        case (nil, let v?): params.append("\(name)=\(v)")
        case (nil, nil): break
        }
        return params.isEmpty ? path : path + "?" + params.joined(separator: "&")
    }
}
