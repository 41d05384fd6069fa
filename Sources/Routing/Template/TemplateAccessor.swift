/// A request accessor `%[name arg]` of Pound's string expansion.
enum TemplateAccessor: Sendable, Equatable {
    case url
    case path
    case query
    case param(String)
    case header(String)
    case host
    case port
    /// `%[remoteip ARG]`. Pound 4.23 means "forwarded" unless ARG is exactly "0", but
    /// it tests the byte after "0" in the template text, which is always `]`: so
    /// `%[remoteip 0]` resolves through X-Forwarded-For too (checked against 4.23).
    case remoteIP
    case user
    case constant(String, ConstantEncoding)
    /// `%[const NAME ENC]` with an unknown encoding: Pound warns and expands nothing.
    case badConstantEncoding(String)

    var isMalformed: Bool {
        if case .badConstantEncoding = self { return true }
        return false
    }

    enum ConstantEncoding: Sendable, Equatable {
        case none, url, base64
    }

    /// Pound's `find_accessor` on the text between `%[` and `]`: the name is the
    /// first blank-delimited word (case-sensitive); accessors with an argument need
    /// a blank and a non-empty argument, the others nothing but blanks after the
    /// name. nil means "not an accessor" (Pound copies the text as it is).
    static func parse(_ text: ArraySlice<UInt8>) -> TemplateAccessor? {
        var s = text
        while let f = s.first, ASCII.isBlank(f) { s.removeFirst() }
        guard !s.isEmpty else { return nil }
        let nameEnd = s.firstIndex(where: ASCII.isBlank) ?? s.endIndex
        let name = String(decoding: s[s.startIndex..<nameEnd], as: UTF8.self)
        var rest = s[nameEnd...]
        let takesArgument = ["param", "header", "remoteip", "const"].contains(name)
        guard takesArgument || ["url", "path", "query", "host", "port", "user"].contains(name) else {
            return nil
        }
        if takesArgument {
            guard let f = rest.first, ASCII.isBlank(f) else { return nil }
            while let f = rest.first, ASCII.isBlank(f) { rest.removeFirst() }
            while let l = rest.last, ASCII.isBlank(l) { rest.removeLast() }
            guard !rest.isEmpty else { return nil }
        } else {
            guard rest.allSatisfy(ASCII.isBlank) else { return nil }
        }
        let arg = String(decoding: rest, as: UTF8.self)
        switch name {
        case "url": return .url
        case "path": return .path
        case "query": return .query
        case "host": return .host
        case "port": return .port
        case "user": return .user
        case "param": return .param(arg)
        case "header": return .header(arg)
        case "remoteip": return .remoteIP
        default:
            // const NAME [none|url|base64]
            let nameEnd = rest.firstIndex(where: ASCII.isBlank) ?? rest.endIndex
            let constName = String(decoding: rest[rest.startIndex..<nameEnd], as: UTF8.self)
            var enc = rest[nameEnd...]
            while let f = enc.first, ASCII.isSpace(f) { enc.removeFirst() }
            while let l = enc.last, ASCII.isSpace(l) { enc.removeLast() }
            if nameEnd == rest.endIndex { return .constant(constName, .none) }
            switch String(decoding: enc, as: UTF8.self).lowercased() {
            case "none": return .constant(constName, .none)
            case "url": return .constant(constName, .url)
            case "base64": return .constant(constName, .base64)
            default: return .badConstantEncoding(String(decoding: enc, as: UTF8.self))
            }
        }
    }

    /// Appends the accessor's value for `request`; nothing when the request has no
    /// such part (Pound's RETRIEVE_NOT_FOUND, which is not an error).
    func append(_ request: RoutingRequest, to out: inout [UInt8], warnings: inout [String]) {
        let head = request.head
        switch self {
        case .url:
            out.append(contentsOf: head.uri.utf8)
        case .path:
            out.append(contentsOf: RequestURI.path(head.uri).utf8)
        case .query:
            if let q = RequestURI.query(head.uri) { out.append(contentsOf: q.utf8) }
        case .param(let name):
            if case .value(let v) = RequestURI.parameter(name, inURI: head.uri) { out.append(contentsOf: v.utf8) }
        case .header(let name):
            if let v = head.headers.first(name) { out.append(contentsOf: v.utf8) }
        case .host:
            if let v = head.headers.first("Host") {
                out.append(contentsOf: v.utf8.prefix { $0 != UInt8(ascii: ":") })
            }
        case .port:
            if let v = head.headers.first("Host"), let c = v.utf8.firstIndex(of: UInt8(ascii: ":")) {
                out.append(contentsOf: v.utf8[c...])
            }
        case .remoteIP:
            out.append(contentsOf: Self.remoteIP(request).utf8)
        case .user:
            if case .credentials(let c) = BasicCredentials.parse(head.headers) { out.append(contentsOf: c.user) }
        case .constant(let name, let encoding):
            guard let constant = request.scope.constant(name) else { return }
            let value = (constant.value ?? "").utf8
            switch encoding {
            case .none: out.append(contentsOf: value)
            case .url: RequestURI.percentEncode(value, into: &out)
            case .base64: Base64.encode(value, into: &out)
            }
        case .badConstantEncoding(let enc):
            // Pound's message, spelling included.
            warnings.append("unreconginzed encoding: \(enc)")
        }
    }

    /// `anon_addr2str` of the (forwarded) client address: "socket" for a UNIX peer;
    /// with `Anonymise`, everything after the last "." (else ":") becomes "0".
    static func remoteIP(_ request: RoutingRequest) -> String {
        guard !request.client.bytes.isEmpty else { return "socket" }
        let text = ForwardedAddress.resolve(request, forwarded: true).text
        guard request.scope.anonymise else { return text }
        var bytes = Array(text.utf8)
        if let dot = bytes.lastIndex(of: UInt8(ascii: ".")) ?? bytes.lastIndex(of: UInt8(ascii: ":")) {
            bytes.removeSubrange((dot + 1)...)
            bytes.append(UInt8(ascii: "0"))
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
