import PounceModuleAPI

/// Session type `BASIC`: the credentials of `Authorization: Basic`, as sent (not
/// decoded). Pound also learns a session from an `Authorization` header in the
/// backend's response (`upd_session`, SESS_BASIC).
public final class BasicSessionModule: SessionModule {
    public init(settings: SessionSettings) {}

    public func key(for request: some ModuleRequest) -> String? {
        request.header("Authorization").flatMap(Self.credentials)
    }

    public func key(learnedFrom response: some ModuleResponse, request: some ModuleRequest) -> String? {
        // Pound looks at the first header of the name only.
        response.headers("Authorization").first.flatMap(Self.credentials)
    }

    /// `key_authbasic`: the text after `Basic` and white space. The scheme must be
    /// followed directly by a white-space character (`BasicXYZ` carries no key).
    static func credentials(_ authorization: String) -> String? {
        var authorization = authorization
        return authorization.withUTF8 { v in
            guard v.count > 5, ASCII.hasPrefixIgnoringCase(v, "Basic"), ASCII.isSpace(v[5]) else { return nil }
            var i = 6
            while i < v.count, ASCII.isSpace(v[i]) { i += 1 }
            return String(decoding: v[i...], as: UTF8.self)
        }
    }
}
