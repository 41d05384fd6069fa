import CLua
import CLuaBridge
import RequestLog
#if canImport(Glibc)
import Glibc
#endif

/// Pound's Lua API, installed in every state: the `pound` module, `http` and
/// `stash`. The functions are Swift, called through CLuaBridge's trampoline: they
/// return their number of results, or `fail(...)` to raise a Lua error.
enum LuaAPI {
    static func install(in state: LuaState) throws(LuaStartError) {
        installPound(state)
        installStash(state)
        try installHTTP(state)
        state.restoreGlobals()
    }

    /// Pushes `message` and returns the trampoline's "raise" code.
    static func fail(_ state: LuaState, _ message: String) -> Int32 {
        state.push(message)
        return -1
    }

    /// `pound`'s own check: exactly `count` arguments.
    static func checkArguments(_ state: LuaState, _ name: String, _ count: Int32) -> Int32? {
        state.top == count ? nil : fail(state, "'\(name)' requires \(count) arguments")
    }

    static let readOnly: pounce_lua_swift_function = { L in
        guard let state = LuaState.of(L) else { return 0 }
        return fail(state, "attempt to modify read-only data")
    }

    // MARK: pound

    /// syslog priorities under Pound's names.
    static let priorities: [(String, LogPriority)] = [
        ("EMERG", .emergency), ("ALERT", .alert), ("CRIT", .critical), ("ERR", .error),
        ("WARNING", .warning), ("NOTICE", .notice), ("INFO", .info), ("DEBUG", .debug),
    ]

    private static func installPound(_ state: LuaState) {
        let L = state.L
        pounce_lua_newtable(L)
        for (name, priority) in priorities {
            lua_pushinteger(L, lua_Integer(priority.rawValue))
            lua_setfield(L, -2, name)
        }
        state.setFunction("log", log)
        state.setFunction("tid", tid)
        state.setFunction("gcall", gcall)
        // `pound.dump`: our own serializer, in Lua (it only walks Lua values).
        try? state.run(chunk: dumpChunk, name: "=pound.dump", results: 1)
        if lua_type(L, -1) == LUA_TFUNCTION { lua_setfield(L, -2, "dump") } else { state.pop() }
        pounce_lua_newtable(L)
        state.setFunction("__newindex", readOnly)
        lua_setmetatable(L, -2)
        lua_setglobal(L, "pound")
    }

    private static let log: pounce_lua_swift_function = { L in
        guard let state = LuaState.of(L) else { return 0 }
        if let failure = checkArguments(state, "log", 2) { return failure }
        guard lua_isinteger(L, 1) != 0 || lua_isnumber(L, 1) != 0 else {
            return fail(state, "bad argument #1 to 'log' (number expected)")
        }
        let code = pounce_lua_tointeger(L, 1)
        guard let message = state.string(at: 2) else {
            return fail(state, "bad argument #2 to 'log' (string expected)")
        }
        let priority = LogPriority(rawValue: Int32(clamping: code)) ?? .error
        state.engine.log(priority, message)
        return 0
    }

    private static let tid: pounce_lua_swift_function = { L in
        lua_pushinteger(L, lua_Integer(truncatingIfNeeded: Int(bitPattern: UInt(pthread_self()))))
        return 1
    }

    private static let gcall: pounce_lua_swift_function = { L in
        guard let state = LuaState.of(L) else { return 0 }
        guard state.top >= 1, let name = state.string(at: 1) else {
            return fail(state, "bad argument #1 to 'gcall' (string expected)")
        }
        return state.engine.callGlobal(name, from: state)
    }

    /// Serializes nil, booleans, numbers, strings and tables of them as Lua source;
    /// returns the text and nil, or nil and why not.
    static let dumpChunk = """
    local function dump(o, seen, depth)
        local t = type(o)
        if t == 'nil' or t == 'boolean' or t == 'number' then
            return tostring(o)
        elseif t == 'string' then
            return string.format('%q', o)
        elseif t == 'table' then
            if seen[o] then return nil, 'cannot serialize a table that contains itself' end
            if depth > 200 then return nil, 'cannot serialize: nested too deep' end
            seen[o] = true
            local parts = {}
            for k, v in next, o do
                local ks, err = dump(k, seen, depth + 1)
                if ks == nil then return nil, err end
                local vs
                vs, err = dump(v, seen, depth + 1)
                if vs == nil then return nil, err end
                parts[#parts + 1] = '[' .. ks .. '] = ' .. vs .. ','
            end
            seen[o] = nil
            return '{' .. table.concat(parts) .. '}'
        else
            return nil, 'cannot serialize ' .. t
        end
    end
    return function(o)
        local s, err = dump(o, {}, 0)
        if s == nil then return nil, err end
        return s, nil
    end
    """
}
