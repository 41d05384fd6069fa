import CLua
import CLuaBridge
import Routing

/// The calls of one event loop: its own state for `Load` functions, the global
/// state (under its lock) for `LoadGlobal` ones.
final class LuaLoopRunner: ScriptRunner, @unchecked Sendable {
    private let shared: LuaShared
    let state: LuaState?
    /// Pound's `(tid)` in messages: the loop's thread, as the proxy names it.
    private let threadTag: String

    init(shared: LuaShared, loop: Int, state: LuaState?) {
        self.shared = shared
        self.state = state
        self.threadTag = ThreadTag.forLoop(loop)
    }

    func call(_ function: ScriptFunction, kind: ScriptCallKind, arguments: [String],
              request: inout RoutingRequest, scripts: RequestScripts) -> Bool? {
        if function.isGlobal {
            var result: Bool?
            _ = shared.withGlobal { global in
                result = run(function, kind, arguments, &request, scripts, in: global)
                return 0
            }
            return result
        }
        guard let state else {
            shared.log(.error, "\(function.range): (\(threadTag)) error calling Lua function \(function.name): no Lua state for this thread")
            return nil
        }
        return run(function, kind, arguments, &request, scripts, in: state)
    }

    private func run(_ function: ScriptFunction, _ kind: ScriptCallKind, _ arguments: [String],
                     _ request: inout RoutingRequest, _ scripts: RequestScripts, in state: LuaState) -> Bool? {
        let L = state.L
        state.threadTag = threadTag
        return state.with(&request, scripts, kind) {
            let base = state.top
            state.restoreGlobals()
            state.push(function.name)
            for argument in arguments { state.push(argument) }
            pounce_lua_set_budget(L, shared.budget)
            let status = pounce_lua_pcall_named(L, Int32(arguments.count), kind == .match ? 1 : 0)
            pounce_lua_set_budget(L, 0)
            defer { lua_settop(L, base) }
            guard status == LUA_OK else {
                let message = state.string(at: -1) ?? "unknown error"
                shared.log(.error, "\(function.range): (\(threadTag)) error calling Lua function \(function.name): \(message)")
                return nil
            }
            return kind == .match ? lua_toboolean(L, -1) != 0 : true
        }
    }

    func release(_ scripts: RequestScripts) {
        if scripts.localStash != 0, let state {
            state.releaseRef(scripts.localStash)
            scripts.localStash = 0
        }
        if scripts.globalStash != 0 {
            let ref = scripts.globalStash
            scripts.globalStash = 0
            _ = shared.withGlobal { global in
                global.releaseRef(ref)
                return 0
            }
        }
    }
}
