import CLua
import CLuaBridge
import RequestLog
import Synchronization

/// What every state of an engine shares: the log, the instruction budget, and the
/// global state with its lock.
final class LuaShared: @unchecked Sendable {
    let budget: Int32
    private let logTarget: Mutex<@Sendable (LogPriority, String) -> Void>
    private let lock = Mutex<Void>(())
    /// Set once at start-up, before any call.
    private(set) var global: LuaState?

    init(budget: Int32, log: @escaping @Sendable (LogPriority, String) -> Void) {
        self.budget = budget
        self.logTarget = Mutex(log)
    }

    func setGlobal(_ state: LuaState) {
        global = state
    }

    func log(_ priority: LogPriority, _ message: String) {
        let target = logTarget.withLock { $0 }
        target(priority, message)
    }

    func setLog(_ log: @escaping @Sendable (LogPriority, String) -> Void) {
        logTarget.withLock { $0 = log }
    }

    /// Runs `body` on the global state, holding its lock.
    func withGlobal(_ body: (LuaState) -> Int32) -> Int32 {
        guard let global else { return 0 }
        return lock.withLock { _ in body(global) }
    }

    /// `pound.gcall(name, ...)` from `caller`, whose stack holds the name and the
    /// arguments: the results are copied back onto it. Returns their count, or -1
    /// with the error message pushed.
    func callGlobal(_ name: String, from caller: LuaState) -> Int32 {
        let L = caller.L
        let nargs = caller.top - 1
        if caller.isGlobal {
            // Already in the global state (and holding its lock): a plain call.
            let base = caller.top
            guard lua_checkstack(L, base + 1) != 0 else { return LuaAPI.fail(caller, "gcall: too many arguments") }
            for i in 1...base { lua_pushvalue(L, i) }
            guard pounce_lua_pcall_named(L, nargs, LUA_MULTRET) == LUA_OK else { return -1 }
            return caller.top - base
        }
        return withGlobal { global in
            let G = global.L
            let base = global.top
            guard lua_checkstack(G, 2) != 0 else { return LuaAPI.fail(caller, "gcall: out of stack") }
            global.push(name)
            do throws(LuaValueTransfer.Failure) {
                try LuaValueTransfer.copy(nargs, from: L, at: 2, to: G)
            } catch {
                lua_settop(G, base)
                caller.push(error.message)
                return -1
            }
            pounce_lua_set_budget(G, budget)
            let status = pounce_lua_pcall_named(G, nargs, LUA_MULTRET)
            pounce_lua_set_budget(G, 0)
            guard status == LUA_OK else {
                caller.push(global.string(at: -1) ?? "error in global Lua state")
                lua_settop(G, base)
                return -1
            }
            let results = global.top - base
            do throws(LuaValueTransfer.Failure) {
                try LuaValueTransfer.copy(results, from: G, at: base + 1, to: L)
            } catch {
                lua_settop(G, base)
                caller.push(error.message)
                return -1
            }
            lua_settop(G, base)
            return results
        }
    }
}
