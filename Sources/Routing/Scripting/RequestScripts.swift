import HTTPWire

/// One request's state in the extension language, from its head to its last
/// response byte: what `http.resp`, `http.resend`, `http.balancer` and
/// `http.service` read and set, and the engine's per-request data (the stash).
/// Owned by the request's event loop.
public final class RequestScripts: @unchecked Sendable {
    public let runner: any ScriptRunner

    /// The response being rewritten (`Rewrite response`) or built (`LuaBackend`).
    /// Its headers are `RoutingRequest.responseHeaders` meanwhile.
    public var response: ScriptResponse?

    /// What a response rule asked for (`http.resend`, `http.balancer`,
    /// `http.service.name`); `.none` once the proxy has acted on it.
    public var resend: ResendOrder = .none
    /// How often the request was sent again (`http.resendcount`).
    public var resendCount = 0
    /// Pound's limit on resends of one request.
    public static let maxResends = 4

    /// The service that is serving the request (`http.service`): its name as Pound
    /// gives it (`/name` for a global one, "" without a name) and its location.
    public var service: (name: String, locus: String)?
    /// The weight of the balancer group of the backend that answered (0 normal,
    /// 65535 Emergency): `http.balancer`.
    public var balancerWeight = 0
    /// The request body, when the service's `ContentCapture` held all of it.
    public var capturedBody: [UInt8]?

    /// The services a resend may name: the listener's own by name, the global
    /// ones by `/name`.
    public var serviceNames: (listener: Set<String>, global: Set<String>) = ([], [])

    /// The engine's handles on this request's stash in the per-loop and the global
    /// state (0 = none yet).
    public var localStash: Int32 = 0
    public var globalStash: Int32 = 0

    public init(runner: any ScriptRunner) {
        self.runner = runner
    }

    /// The request is over.
    public func finish() {
        runner.release(self)
    }
}

/// The status line of the response a script sees or builds.
public struct ScriptResponse: Sendable {
    /// 0 until a `LuaBackend` sets it.
    public var code: Int
    public var reason: String?
    /// `http.resp.body`: set by a `LuaBackend`.
    public var body: [UInt8]?
    /// Whether `body` may be set (only a `LuaBackend` builds its body).
    public var bodyWritable: Bool

    public init(code: Int, reason: String?, body: [UInt8]? = nil, bodyWritable: Bool) {
        self.code = code
        self.reason = reason
        self.body = body
        self.bodyWritable = bodyWritable
    }
}

/// Where a response rule sends the request again (Pound's resend modes).
public enum ResendOrder: Sendable, Equatable {
    case none
    /// `http.resend = true`: the same service, its backend if still usable.
    case sameService
    /// `http.balancer = N`: the same service, from the first balancer group of
    /// weight N or more.
    case balancer(minimumWeight: Int)
    /// `http.service.name = "name"` (`/name` for a global service), or nil: select
    /// the service again.
    case service(name: String?, minimumWeight: Int?)
}
