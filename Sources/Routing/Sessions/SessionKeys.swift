import HTTPWire

/// Extraction of session keys from requests and responses, as Pound 4.23 does it
/// (svc.c: `get_backend`, `upd_session`, `key_cookie`, `key_authbasic`). Pure
/// functions, so a session module can reuse them.
///
/// Every key is cut to Pound's KEY_SIZE (127 bytes).
public enum SessionKeys {
    public static let maxKeyBytes = 127

    static func truncated<C: Collection<UInt8>>(_ bytes: C) -> String {
        String(decoding: bytes.prefix(maxKeyBytes), as: UTF8.self)
    }

    // MARK: Extractors on header values

    /// `key_cookie`: the value of cookie `id` in a `Cookie:` (or `Set-Cookie:`)
    /// value. The value is split at `;`; leading blanks of each part are skipped; the
    /// name is compared case-insensitively and must be followed directly by `=`; the
    /// value runs to the next `;` (trailing blanks kept, possibly empty).
    public static func cookie(_ value: String, id: String) -> String? {
        var value = value
        var id = id
        return value.withUTF8 { v in
            id.withUTF8 { name in
                var i = 0
                while i < v.count {
                    while i < v.count, v[i] == 0x20 || v[i] == 0x09 { i += 1 }
                    if i == v.count { break }
                    var end = i
                    while end < v.count, v[end] != UInt8(ascii: ";") { end += 1 }
                    if end - i > name.count, v[i + name.count] == UInt8(ascii: "="),
                       ASCII.equalsIgnoringCase(v[i..<i + name.count], name) {
                        return truncated(v[(i + name.count + 1)..<end])
                    }
                    i = end
                    if i == v.count { break }
                    i += 1
                }
                return nil
            }
        }
    }

    /// `key_authbasic`: the text after `Basic` and white space, not decoded. The
    /// scheme must be followed by a white-space character.
    public static func basic(_ authorization: String) -> String? {
        var authorization = authorization
        return authorization.withUTF8 { v in
            guard v.count > 5, ASCII.hasPrefixIgnoringCase(v, "Basic"), ASCII.isSpace(v[5]) else { return nil }
            var i = 6
            while i < v.count, ASCII.isSpace(v[i]) { i += 1 }
            return truncated(v[i...])
        }
    }

    /// HEADER: the whole value of the header.
    public static func header(_ value: String) -> String {
        truncated(value.utf8)
    }

    // MARK: Extractors on requests

    /// IP: the client address without port (IPv4-mapped shown as IPv4).
    public static func ip(_ client: ClientAddress) -> String {
        truncated(client.normalizedText.utf8)
    }

    /// URL: the value of query parameter `id` (first occurrence, exact name, not
    /// decoded); none when it is absent or has no `=`.
    public static func url(_ uri: String, id: String) -> String? {
        guard case .value(let v) = RequestURI.parameter(id, inURI: uri) else { return nil }
        return truncated(v.utf8)
    }

    /// PARM: what follows the **last** `;` of the path (the URL up to its last `?`);
    /// may be empty.
    public static func parm(_ uri: String) -> String? {
        let path = RequestURI.path(uri).utf8
        guard let semi = path.lastIndex(of: UInt8(ascii: ";")) else { return nil }
        return truncated(path[path.index(after: semi)...])
    }

    /// The key a request carries for a service's session type (nil: none, the
    /// balancer decides and no session is created).
    public static func requestKey(type: SessionKind, id: String?, head: HTTPRequestHead,
                                  client: ClientAddress) -> String? {
        switch type {
        case .ip:
            return ip(client)
        case .basic:
            return head.headers.firstValue(named: "Authorization").flatMap(basic)
        case .url:
            return id.flatMap { url(head.uri, id: $0) }
        case .parm:
            return parm(head.uri)
        case .cookie:
            guard let id, let v = head.headers.firstValue(named: "Cookie") else { return nil }
            return cookie(v, id: id)
        case .header:
            guard let id, let v = head.headers.firstValue(named: id) else { return nil }
            return header(v)
        }
    }

    /// The key a backend's response establishes (`upd_session`): the first
    /// `Set-Cookie` (COOKIE; only the first one is looked at), the `ID` header
    /// (HEADER) or an `Authorization` header (BASIC). Other types learn nothing.
    public static func responseKey(type: SessionKind, id: String?, headers: HTTPHeaders) -> String? {
        switch type {
        case .cookie:
            guard let id, let v = headers.firstValue(named: "Set-Cookie") else { return nil }
            return cookie(v, id: id)
        case .header:
            guard let id, let v = headers.firstValue(named: id) else { return nil }
            return header(v)
        case .basic:
            return headers.firstValue(named: "Authorization").flatMap(basic)
        case .ip, .url, .parm:
            return nil
        }
    }
}
