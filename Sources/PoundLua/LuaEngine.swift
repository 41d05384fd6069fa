import CLua
import CLuaBridge
import PoundConfig
import RequestLog
import Routing

/// Pound's Lua on Lua 5.4: one state per event loop for `Load` sources (no lock on
/// the request path) and one global state for `LoadGlobal` sources, used under a
/// lock. Sources are read once, at start-up, into every state of their kind.
public final class LuaEngine: ScriptEngine, @unchecked Sendable {
    /// Instructions one call may run before it is stopped, so that a runaway script
    /// cannot freeze its event loop (about a second of plain Lua on this hardware).
    public static let defaultBudget: Int32 = 100_000_000

    private let shared: LuaShared
    private let global: LuaState
    private let runners: [LuaLoopRunner]

    /// Makes the states and loads the sources: `loops` per-loop states when there
    /// is any `Load`. Each call may run `settings.maxInstructions` instructions. `log` receives `pound.log` and call errors; `setLog` changes
    /// it once the final log is open.
    public init(settings: LuaSettings?, loops: Int,
                log: @escaping @Sendable (LogPriority, String) -> Void) throws(LuaStartError) {
        let settings = settings ?? LuaSettings()
        let budget = settings.maxInstructions.map { Int32(clamping: $0) } ?? Self.defaultBudget
        shared = LuaShared(budget: budget, log: log)
        global = try LuaState(ordinal: 0, engine: shared)
        shared.setGlobal(global)
        var states: [LuaState] = []
        if !settings.load.isEmpty {
            for i in 0..<max(loops, 1) { states.append(try LuaState(ordinal: i + 1, engine: shared)) }
        }
        for state in [global] + states { Self.prependPaths(state, settings) }
        try Self.load(settings.loadGlobal, into: global)
        for state in states { try Self.load(settings.load, into: state) }
        let shared = self.shared
        runners = (0..<max(loops, 1)).map { LuaLoopRunner(shared: shared, loop: $0, state: $0 < states.count ? states[$0] : nil) }
    }

    public func setLog(_ log: @escaping @Sendable (LogPriority, String) -> Void) {
        shared.setLog(log)
    }

    // MARK: ScriptEngine

    public func resolve(_ name: String, at range: LocusRange) throws -> ScriptFunction {
        if let local = runners.first?.state, pounce_lua_function_defined(local.L, name) != 0 {
            return ScriptFunction(name: name, isGlobal: false, range: range)
        }
        let defined = shared.withGlobal { pounce_lua_function_defined($0.L, name) }
        guard defined != 0 else { throw ScriptFunctionUndefined(name: name, range: range) }
        return ScriptFunction(name: name, isGlobal: true, range: range)
    }

    public func runner(loop: Int) -> any ScriptRunner {
        runners[loop >= 0 && loop < runners.count ? loop : 0]
    }

    // MARK: loading

    /// `Path`/`CPath`: in front of `package.path`/`package.cpath`, in order.
    private static func prependPaths(_ state: LuaState, _ settings: LuaSettings) {
        let L = state.L
        for (key, parts) in [("path", settings.path), ("cpath", settings.cpath)] where !parts.isEmpty {
            lua_getglobal(L, "package")
            lua_getfield(L, -1, key)
            let current = state.string(at: -1) ?? ""
            state.pop()
            state.push(parts.map { $0 + ";" }.joined() + current)
            lua_setfield(L, -2, key)
            state.pop()
        }
    }

    /// Loads each source as `require` would, with `pound.loadctx` set to the
    /// state's ordinal meanwhile; a table the file returns becomes the global named
    /// after it.
    private static func load(_ sources: [LuaSource], into state: LuaState) throws(LuaStartError) {
        let L = state.L
        setLoadContext(state, ordinal: true)
        defer { setLoadContext(state, ordinal: false) }
        for source in sources {
            let variable = source.effectiveVariable
            luaL_getsubtable(L, pounce_lua_registryindex(), LUA_LOADED_TABLE)
            lua_getfield(L, -1, variable)
            if lua_toboolean(L, -1) == 0 {
                state.pop()
                if luaL_loadfilex(L, source.file, nil) != LUA_OK {
                    let message = state.string(at: -1) ?? "?"
                    lua_settop(L, 0)
                    throw LuaStartError(message: "error loading Lua file \(source.file): \(message)", range: source.range)
                }
                let status = pounce_lua_pcall(L, 0, 1)
                guard status == LUA_OK else {
                    let message = state.string(at: -1) ?? "?"
                    lua_settop(L, 0)
                    switch status {
                    case LUA_ERRMEM:
                        throw LuaStartError(message: "out of memory running Lua code in \(source.file)", range: source.range)
                    default:
                        throw LuaStartError(message: "Lua runtime error: \(message)", range: source.range)
                    }
                }
                guard lua_type(L, -1) == LUA_TTABLE else {
                    lua_settop(L, 0)
                    continue
                }
                lua_pushvalue(L, -1)
                lua_setfield(L, -3, variable)
            }
            pounce_lua_remove(L, -2)
            lua_setglobal(L, variable)
        }
    }

    private static func setLoadContext(_ state: LuaState, ordinal: Bool) {
        let L = state.L
        lua_getglobal(L, "pound")
        state.push("loadctx")
        if ordinal { lua_pushinteger(L, lua_Integer(state.ordinal)) } else { lua_pushnil(L) }
        lua_rawset(L, -3)
        state.pop()
    }
}
