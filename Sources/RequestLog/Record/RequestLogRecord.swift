#if canImport(Glibc)
import Glibc
#endif
import HTTPWire

/// Everything one request-log line can refer to, filled in by the proxy engine when a
/// request is finished (Pound builds its line from `POUND_HTTP` at the same moment, in
/// `http_log`, after the response went out).
///
/// Per-object facts that never change (listener address, service and backend names and
/// configuration locations) live in shared `RequestLogListener`/`RequestLogObject`
/// instances the engine creates once, so filling a record copies a few references.
public struct RequestLogRecord: Sendable {
    /// `%a`: the client address after the `X-Forwarded-For`/`TrustedIP` rules
    /// (see `ForwardedClient`), before anonymisation (the formatter applies `Anonymise`).
    /// Pound prints `socket` for a client on a UNIX-domain listener.
    public var clientAddress: String
    /// `%h`: the connection's peer address (never anonymised, as in Pound).
    public var peerAddress: String
    /// The listener that accepted the connection (`%A`, `%p`, `%{listener}N`, `%{listener}L`,
    /// and `%v` when the request has no Host header).
    public var listener: RequestLogListener
    /// `%H`: Pound prints the scheme, `http` or `https`, not the protocol version.
    public var isTLS: Bool
    /// The request as it stands when logged (after request rewriting): `%m`, `%q`, `%U`,
    /// `%{NAME}i`, `%{NAME}I`, `%u`, `%v`.
    public var request: HTTPRequestHead
    /// `%r`: the request line as the client sent it, before any rewriting. nil: the line
    /// rebuilt from `request`.
    public var originalRequestLine: String?
    /// `%s`: the status sent to the client.
    public var statusCode: Int
    /// `%>s`: the status line as the backend (or Pound's own error reply) sent it, without
    /// CRLF. nil when there was none (special backends such as Redirect): Pound then prints
    /// `CODE REASON` with its own reason phrase, or `CODE -` for a code it has no phrase for.
    public var responseStatusLine: String?
    /// `%B`/`%b`: response body bytes sent to the client.
    public var responseBytes: UInt64
    /// `%u`: the Basic-authorization user when the engine has already decoded it. When nil
    /// the formatter decodes the request's `Authorization: Basic` header itself, as Pound
    /// does at log time.
    public var userName: String?
    /// `%{service}N`, `%{service}L`; nil prints `-` (no service was selected).
    public var service: RequestLogObject?
    /// `%{backend}N`, `%{backend}L`; nil prints `-` (no backend was selected).
    public var backend: RequestLogObject?
    /// When reading the request began (CLOCK_REALTIME): `%t`, `%{begin:...}t`, and the start
    /// of `%T`/`%D`.
    public var startTime: timespec
    /// When the request was done (CLOCK_REALTIME): `%{end:...}t` and the end of `%T`/`%D`.
    public var endTime: timespec
    /// `%P`: nil prints the calling thread's `pthread_self()` in hex (what Pound prints:
    /// its worker thread's id; here the event-loop thread that formats the line).
    public var threadID: UInt?

    public init(clientAddress: String, peerAddress: String, listener: RequestLogListener,
                isTLS: Bool = false, request: HTTPRequestHead, originalRequestLine: String? = nil,
                statusCode: Int, responseStatusLine: String? = nil, responseBytes: UInt64 = 0,
                userName: String? = nil, service: RequestLogObject? = nil, backend: RequestLogObject? = nil,
                startTime: timespec, endTime: timespec, threadID: UInt? = nil) {
        self.clientAddress = clientAddress
        self.peerAddress = peerAddress
        self.listener = listener
        self.isTLS = isTLS
        self.request = request
        self.originalRequestLine = originalRequestLine
        self.statusCode = statusCode
        self.responseStatusLine = responseStatusLine
        self.responseBytes = responseBytes
        self.userName = userName
        self.service = service
        self.backend = backend
        self.startTime = startTime
        self.endTime = endTime
        self.threadID = threadID
    }

    /// The current CLOCK_REALTIME time, as Pound stamps `start_req`/`end_req`.
    public static func now() -> timespec {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return ts
    }
}
