import HTTPWire

/// One request on its way through routing. Owned by one event loop; the condition
/// evaluation records its matches and named-condition results here.
public struct RoutingRequest: Sendable {
    public var head: HTTPRequestHead
    public var client: ClientAddress
    public var listener: ListenerInfo
    /// The certificate the client presented on this TLS connection, for the
    /// `ClientCert "file"` condition.
    public var clientCertificate: CertificateIdentity?

    /// The matches of the pattern conditions evaluated so far, for `$N` in templates
    /// (StringMatch now; rewriting and redirects later). After `selectService` it
    /// holds Pound's submatch queue as it was when the service was chosen.
    public internal(set) var captures = CaptureQueue()

    /// Warnings Pound would log while evaluating conditions and expanding templates
    /// (e.g. `string_match "$2" refers to non-existing group $2`), oldest first.
    public internal(set) var warnings: [String] = []

    /// Results of `Eval`ed named conditions, by condition index (Pound's
    /// `eval_result`): 0 not evaluated yet, then `EvalState` raw values.
    var evalResults: [UInt8] = []

    var scope = ScopeChain()

    /// While response rules run: the response's headers, which their conditions
    /// test instead of the request's (and a `LuaBackend`'s reply headers while it
    /// builds them).
    public var responseHeaders: HTTPHeaders?

    /// The request's state in the extension language (Lua); nil when the
    /// configuration uses none.
    public var scripts: RequestScripts?

    public init(head: HTTPRequestHead, client: ClientAddress, listener: ListenerInfo) {
        self.head = head
        self.client = client
        self.listener = listener
    }

    /// The user of Basic authorization (for `%u` and `%[user]`), nil if none or
    /// undecodable.
    public var user: String? {
        guard case .credentials(let c) = BasicCredentials.parse(head.headers) else { return nil }
        return String(decoding: c.user, as: UTF8.self)
    }

    public mutating func warn(_ message: String) {
        warnings.append(message)
    }

    /// The warnings recorded so far, for the log; the list starts empty again.
    public mutating func takeWarnings() -> [String] {
        defer { warnings = [] }
        return warnings
    }
}
