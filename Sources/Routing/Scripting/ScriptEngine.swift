import PoundConfig

/// An extension language the configuration calls into (Pound's Lua): `LuaMatch`,
/// `LuaModify` and `LuaBackend` name its functions. Routing knows only this
/// protocol; the Lua runtime implements it in its own module.
public protocol ScriptEngine: Sendable {
    /// Finds where `name` (`fn` or `module.fn`) is defined, as Pound does once at
    /// start-up: the per-loop states first, then the global one. Throws
    /// `ScriptFunctionUndefined` when neither defines it.
    func resolve(_ name: String, at range: LocusRange) throws -> ScriptFunction

    /// The engine's side of one request served on event loop `loop`.
    func runner(loop: Int) -> any ScriptRunner
}

/// A function named by the configuration, resolved at start-up.
public struct ScriptFunction: Sendable, Hashable {
    public let name: String
    /// Defined by `LoadGlobal` (one shared state, serialized) rather than `Load`.
    public let isGlobal: Bool
    public let range: LocusRange

    public init(name: String, isGlobal: Bool, range: LocusRange) {
        self.name = name
        self.isGlobal = isGlobal
        self.range = range
    }
}

/// What a call is for: it decides which parts of `http` the function may use.
public enum ScriptCallKind: Sendable {
    /// `LuaMatch`: the result is a condition.
    case match
    /// `LuaModify` on a request.
    case modifyRequest
    /// `LuaModify` in `Rewrite response`: `http.resp`, `http.resend`,
    /// `http.balancer` and `http.service` are available.
    case modifyResponse
    /// `LuaBackend`: the function builds `http.resp`.
    case backend
}

/// Runs functions for the requests of one event loop.
public protocol ScriptRunner: AnyObject {
    /// Calls `function` with `arguments`. `request` is what the function reads and
    /// changes (`http.req`; `http.resp.headers` live in `request.responseHeaders`);
    /// `scripts` carries the rest of the request's script state. Returns the
    /// function's boolean result for `.match`, true otherwise; nil when the call
    /// failed (the error is in `request.warnings`, in Pound's words).
    func call(_ function: ScriptFunction, kind: ScriptCallKind, arguments: [String],
              request: inout RoutingRequest, scripts: RequestScripts) -> Bool?

    /// The request is over: whatever the engine kept for it (the stash) goes.
    func release(_ scripts: RequestScripts)
}

/// `Lua function NAME not defined`, at the statement that names it.
public struct ScriptFunctionUndefined: Error, CustomStringConvertible, Equatable {
    public let name: String
    public let range: LocusRange

    public init(name: String, range: LocusRange) {
        self.name = name
        self.range = range
    }

    public var description: String { "\(range): Lua function \(name) not defined" }
}
