import CLua
import CLuaBridge

/// `stash`: a table per request and state, empty when a request starts and gone
/// when it ends. Requests on one event loop interleave, so the global `stash` is a
/// proxy to the current request's table, made on first write.
extension LuaAPI {
    static func installStash(_ state: LuaState) {
        let L = state.L
        pounce_lua_newtable(L)
        pounce_lua_newtable(L)
        state.setFunction("__index", stashIndex)
        state.setFunction("__newindex", stashNewIndex)
        lua_setmetatable(L, -2)
        state.stashRef = state.makeRef()
    }

    private static func stashRef(_ state: LuaState) -> Int32 {
        guard let scripts = state.scripts else { return 0 }
        return state.isGlobal ? scripts.globalStash : scripts.localStash
    }

    private static let stashIndex: pounce_lua_swift_function = { L in
        guard let state = LuaState.of(L) else { return 0 }
        let ref = stashRef(state)
        guard ref != 0 else {
            lua_pushnil(L)
            return 1
        }
        state.pushRef(ref)
        lua_pushvalue(L, 2)
        lua_rawget(L, -2)
        pounce_lua_remove(L, -2)
        return 1
    }

    private static let stashNewIndex: pounce_lua_swift_function = { L in
        guard let state = LuaState.of(L) else { return 0 }
        guard let scripts = state.scripts else {
            return fail(state, "stash is available only while a request is processed")
        }
        if let problem = invalidKey(state, at: 2) { return fail(state, problem) }
        var ref = stashRef(state)
        if ref == 0 {
            pounce_lua_newtable(L)
            ref = state.makeRef()
            if state.isGlobal { scripts.globalStash = ref } else { scripts.localStash = ref }
        }
        state.pushRef(ref)
        lua_pushvalue(L, 2)
        lua_pushvalue(L, 3)
        lua_rawset(L, -3)
        state.pop()
        return 0
    }

    /// Why the value at `index` cannot be a table key (lua_rawset would raise).
    static func invalidKey(_ state: LuaState, at index: Int32) -> String? {
        switch state.type(at: index) {
        case LUA_TNIL:
            return "index is nil"
        case LUA_TNUMBER:
            let n = pounce_lua_tonumber(state.L, index)
            return n.isNaN ? "index is NaN" : nil
        default:
            return nil
        }
    }
}
