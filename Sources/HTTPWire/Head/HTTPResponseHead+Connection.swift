extension HTTPResponseHead {
    /// Whether the backend keeps the connection: HTTP/1.1 unless `Connection` lists
    /// `close`; HTTP/1.0 only with `keep-alive`. An until-close body ends it regardless.
    public var keepAlive: Bool {
        if headers.containsToken(lowercase: "close", inHeadersNamed: "connection") { return false }
        guard version.major == 1 else { return false }
        if version.minor >= 1 { return true }
        return headers.containsToken(lowercase: "keep-alive", inHeadersNamed: "connection")
    }

    /// 1xx other than 101: an interim answer, followed by the real one on the same
    /// connection. (Pound drops `100` and treats any other 1xx as final.)
    public var isInformational: Bool {
        status >= 100 && status < 200 && status != 101
    }
}
