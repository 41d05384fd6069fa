extension HTTPRequestHead {
    /// Whether the client wants the connection kept after this exchange: HTTP/1.1 unless
    /// `Connection` lists `close`; HTTP/1.0 only when it lists `keep-alive` (and not
    /// `close`). Tokens are compared case-insensitively across every `Connection` header.
    /// (Pound 4.23 itself closes every HTTP/1.0 client connection after one response.)
    public var keepAlive: Bool {
        if headers.containsToken(lowercase: "close", inHeadersNamed: "connection") { return false }
        guard version.major == 1 else { return false }
        if version.minor >= 1 { return true }
        return headers.containsToken(lowercase: "keep-alive", inHeadersNamed: "connection")
    }

    /// `Expect: 100-continue` is present. Pound removes that header and never sends
    /// `100 Continue` itself; the engine decides what to do.
    public var expectsContinue: Bool {
        headers.containsToken(lowercase: "100-continue", inHeadersNamed: "expect")
    }

    /// `Connection` lists `upgrade` and an `Upgrade` header is present.
    public var isUpgrade: Bool {
        headers.containsToken(lowercase: "upgrade", inHeadersNamed: "connection") && headers.contains(lowercase: "upgrade")
    }

    /// `isUpgrade` to WebSocket: what Pound requires (with GET and a 101 answer) before
    /// it relays the connection both ways.
    public var isWebSocketUpgrade: Bool {
        isUpgrade && headers.containsToken(lowercase: "websocket", inHeadersNamed: "upgrade")
    }

    /// The `xHTTP` group of the method (0-3), nil for a method Pound does not know.
    public var methodGroup: Int? { PoundMethods.group(of: method) }

    /// `HEAD`, in any case (Pound matches methods case-insensitively).
    public var isHead: Bool { ASCII.equalsIgnoringCase(method, "head") }
}
