import HTTPWire

/// User name and password of a `Basic` Authorization header, decoded as Pound's
/// `get_basic_auth` does.
public struct BasicCredentials: Sendable, Equatable {
    public var user: [UInt8]
    public var password: [UInt8]

    /// What the Authorization header holds.
    public enum Parse: Equatable {
        /// No Authorization header, or not a Basic one (Pound's 1).
        case none
        /// Basic, but undecodable or without a colon (Pound's -1: its BasicAuth
        /// condition then fails the request with 500).
        case invalid
        case credentials(BasicCredentials)
    }

    /// Pound reads at most this many decoded bytes (its MAXBUF).
    static let maxDecoded = 4096

    /// Parses the value of an Authorization header.
    ///
    /// Pound's rules, quirks included: the scheme is the first five characters
    /// compared case-insensitively (`BasicXYZ` counts); blanks after it are skipped; a
    /// quoted token is never accepted (4.23 checks for the closing quote one byte
    /// past the trimmed value, so the check always fails); the user is everything up
    /// to the first colon, the password the rest up to a NUL.
    public static func parse(authorization value: String) -> Parse {
        var bytes = Array(value.utf8)
        guard ASCII.hasPrefixIgnoringCase(bytes, "Basic") else { return .none }
        var i = 5
        while i < bytes.count, ASCII.isBlank(bytes[i]) { i += 1 }
        if i < bytes.count, bytes[i] == UInt8(ascii: "\"") { return .none }
        guard var decoded = Base64.decode(bytes[i...]) else { return .invalid }
        bytes.removeAll()
        if decoded.count > maxDecoded { decoded.removeSubrange(maxDecoded...) }
        guard let colon = decoded.firstIndex(of: UInt8(ascii: ":")) else { return .invalid }
        let user = Array(decoded[..<colon].prefix { $0 != 0 })
        let password = Array(decoded[(colon + 1)...].prefix { $0 != 0 })
        return .credentials(BasicCredentials(user: user, password: password))
    }

    /// The first Authorization header of `headers` (Pound looks at no other).
    public static func parse(_ headers: HTTPHeaders) -> Parse {
        guard let value = headers.first("Authorization") else { return .none }
        return parse(authorization: value)
    }
}
