import PounceModuleAPI

/// Session type `COOKIE`: the value of cookie `ID` in the request's `Cookie`
/// header; a response's **first** `Set-Cookie` setting that cookie starts a
/// session (Pound's `upd_session` looks at no other `Set-Cookie`).
public final class CookieSessionModule: SessionModule {
    public let name: String

    public init(settings: SessionSettings) throws {
        guard let id = settings.id else { throw BuiltinModuleError.sessionIDRequired(type: settings.type) }
        name = id
    }

    public func key(for request: some ModuleRequest) -> String? {
        request.header("Cookie").flatMap { Self.value(of: name, in: $0) }
    }

    public func key(learnedFrom response: some ModuleResponse, request: some ModuleRequest) -> String? {
        response.headers("Set-Cookie").first.flatMap { Self.value(of: name, in: $0) }
    }

    /// `key_cookie`: the header value is split at `;`; each part's leading blanks
    /// are skipped; the name is compared case-insensitively and must be followed
    /// directly by `=` (`SESS =1` is not cookie SESS); the value runs to the next `;`
    /// with its trailing blanks, and may be empty. Attributes of a `Set-Cookie`
    /// (`Path=/`) are parts like any other, so a cookie named `Path` would match one.
    static func value(of name: String, in header: String) -> String? {
        var header = header
        var name = name
        return header.withUTF8 { v in
            name.withUTF8 { n in
                var i = 0
                while i < v.count {
                    while i < v.count, ASCII.isBlank(v[i]) { i += 1 }
                    if i == v.count { break }
                    var end = i
                    while end < v.count, v[end] != UInt8(ascii: ";") { end += 1 }
                    if end - i > n.count, v[i + n.count] == UInt8(ascii: "="),
                       ASCII.equalsIgnoringCase(v[i..<(i + n.count)], n) {
                        return String(decoding: v[(i + n.count + 1)..<end], as: UTF8.self)
                    }
                    i = end + 1
                }
                return nil
            }
        }
    }
}
