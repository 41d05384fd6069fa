import CLua
import CLuaBridge
import PoundConfig
import Routing

/// One Lua interpreter: a per-loop state (`Load`) or the global one (`LoadGlobal`),
/// with Pound's `pound`, `http` and `stash` globals. Used by one thread at a time:
/// its event loop, or whoever holds the global state's lock.
final class LuaState {
    /// The C state. Lua's API takes it as `lua_State *`.
    let L: OpaquePointer
    /// `pound.loadctx` while sources load: 0 for the global state, 1... per loop.
    let ordinal: Int
    var isGlobal: Bool { ordinal == 0 }
    /// Where `pound.log` and call errors go, and what `pound.gcall` reaches.
    unowned(unsafe) let engine: LuaShared

    // The call in progress, which the API functions read and change.
    var request: UnsafeMutablePointer<RoutingRequest>?
    var scripts: RequestScripts?
    var kind: ScriptCallKind = .match
    /// What Pound prints as `(tid)` for the thread running this call.
    var threadTag = "0"

    /// Registry references to the objects made once per state.
    var requestHeadersRef: Int32 = 0
    var responseHeadersRef: Int32 = 0
    var queryRef: Int32 = 0
    var versionMakerRef: Int32 = 0
    /// `http` and `stash`, put back into the globals before each call: as in Pound,
    /// where they are made per call, a script that assigns to either global spoils
    /// only its own call.
    var httpRef: Int32 = 0
    var stashRef: Int32 = 0

    init(ordinal: Int, engine: LuaShared) throws(LuaStartError) {
        guard let L = luaL_newstate() else { throw LuaStartError(message: "can't create Lua state: out of memory") }
        self.L = L
        self.ordinal = ordinal
        self.engine = engine
        pounce_lua_getextraspace(L).storeBytes(of: Unmanaged.passUnretained(self).toOpaque(), as: UnsafeMutableRawPointer.self)
        luaL_openlibs(L)
        try LuaAPI.install(in: self)
    }

    deinit {
        lua_close(L)
    }

    /// The state object of a C state, from the pointer kept in its extra space
    /// (threads made by `coroutine.create` copy it).
    static func of(_ L: OpaquePointer?) -> LuaState? {
        guard let L else { return nil }
        let raw = pounce_lua_getextraspace(L).load(as: UnsafeMutableRawPointer?.self)
        return raw.map { Unmanaged<LuaState>.fromOpaque($0).takeUnretainedValue() }
    }

    // MARK: stack helpers

    var top: Int32 { lua_gettop(L) }

    func pop(_ n: Int32 = 1) { pounce_lua_pop(L, n) }

    func push(_ s: String) {
        var s = s
        s.withUTF8 { buf in _ = lua_pushlstring(L, buf.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }, buf.count) }
    }

    func push(bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { buf in
            _ = lua_pushlstring(L, buf.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }, buf.count)
        }
    }

    func push(_ f: pounce_lua_swift_function) { pounce_lua_push_swift(L, f) }

    /// The string at `index` (numbers convert, as `lua_tolstring` does); nil for
    /// other types.
    func string(at index: Int32) -> String? {
        var length = 0
        guard let p = lua_tolstring(L, index, &length) else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: p, count: length), as: UTF8.self)
    }

    func bytes(at index: Int32) -> [UInt8]? {
        var length = 0
        guard let p = lua_tolstring(L, index, &length) else { return nil }
        return Array(UnsafeRawBufferPointer(start: p, count: length))
    }

    func type(at index: Int32) -> Int32 { lua_type(L, index) }

    /// Pushes the value a registry reference holds.
    func pushRef(_ ref: Int32) {
        lua_rawgeti(L, pounce_lua_registryindex(), lua_Integer(ref))
    }

    /// Pops the top value into a new registry reference.
    func makeRef() -> Int32 {
        luaL_ref(L, pounce_lua_registryindex())
    }

    func releaseRef(_ ref: Int32) {
        luaL_unref(L, pounce_lua_registryindex(), ref)
    }

    /// Sets `t[name] = f` for the table on top of the stack.
    func setFunction(_ name: String, _ f: pounce_lua_swift_function) {
        push(f)
        lua_setfield(L, -2, name)
    }

    /// Runs a chunk of our own Lua code (compiled in, so it cannot fail to parse),
    /// leaving its `nresults` results on the stack.
    func run(chunk: String, name: String, results nresults: Int32) throws(LuaStartError) {
        var status: Int32 = 0
        var text = chunk
        text.withUTF8 { buf in
            status = buf.withMemoryRebound(to: CChar.self) { pounce_luaL_loadbuffer(L, $0.baseAddress, $0.count, name) }
        }
        if status == LUA_OK { status = pounce_lua_pcall(L, 0, nresults) }
        guard status == LUA_OK else {
            let message = string(at: -1) ?? "error \(status)"
            pop()
            throw LuaStartError(message: "\(name): \(message)")
        }
    }

    // MARK: the call in progress

    /// Makes `http` and `stash` the globals of Pound's API (at start-up, and again
    /// before each call).
    func restoreGlobals() {
        pushRef(httpRef)
        pounce_lua_rawset_global(L, "http")
        pushRef(stashRef)
        pounce_lua_rawset_global(L, "stash")
    }

    /// Makes the request current for the API functions while `body` runs.
    func with<T>(_ request: inout RoutingRequest, _ scripts: RequestScripts?, _ kind: ScriptCallKind,
                 _ body: () -> T) -> T {
        withUnsafeMutablePointer(to: &request) { pointer in
            self.request = pointer
            self.scripts = scripts
            self.kind = kind
            defer {
                self.request = nil
                self.scripts = nil
            }
            return body()
        }
    }
}

/// A failure while making or loading the Lua states at start-up, with Pound's text
/// and the statement it is about.
public struct LuaStartError: Error, CustomStringConvertible {
    public let message: String
    public let range: LocusRange?

    init(message: String, range: LocusRange? = nil) {
        self.message = message
        self.range = range
    }

    public var description: String { range.map { "\($0): \(message)" } ?? message }
}
