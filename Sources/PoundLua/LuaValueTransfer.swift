import CLua
import CLuaBridge

/// Copies values between two states for `pound.gcall`: nil, booleans, numbers,
/// strings and tables of them, as Pound allows. A table nested deeper than
/// `maxDepth` (a cyclic one included) is refused rather than followed forever.
enum LuaValueTransfer {
    static let maxDepth = 64

    enum Failure: Error {
        case unsupported(String)
        case tooDeep
        case noStack
        var message: String {
            switch self {
            case .noStack: "gcall: too many values to pass between Lua states"
            case .unsupported(let type): "gcall: cannot pass a value of type \(type) between Lua states"
            case .tooDeep: "gcall: table nested too deeply (or cyclic)"
            }
        }
    }

    /// Pushes copies of `count` values of `source`, starting at stack index `first`,
    /// onto `destination`. On failure nothing stays pushed on `destination`.
    static func copy(_ count: Int32, from source: OpaquePointer, at first: Int32,
                     to destination: OpaquePointer) throws(Failure) {
        let base = lua_gettop(destination)
        let start = lua_absindex(source, first)
        do {
            for i in 0..<count { try copyValue(source, start + i, destination, depth: 0) }
        } catch {
            lua_settop(destination, base)
            throw error
        }
    }

    private static func copyValue(_ src: OpaquePointer, _ index: Int32, _ dst: OpaquePointer,
                                  depth: Int) throws(Failure) {
        // A C function may only use the stack slots it asked for: a nested table
        // takes two on the source (key and value) and one on the destination.
        guard lua_checkstack(src, 3) != 0, lua_checkstack(dst, 3) != 0 else { throw .noStack }
        switch lua_type(src, index) {
        case LUA_TNIL, LUA_TNONE:
            lua_pushnil(dst)
        case LUA_TBOOLEAN:
            lua_pushboolean(dst, lua_toboolean(src, index))
        case LUA_TNUMBER:
            // As in Pound, a number passed on its own arrives as a float; inside a
            // table it keeps its subtype.
            if depth > 0 && lua_isinteger(src, index) != 0 {
                lua_pushinteger(dst, pounce_lua_tointeger(src, index))
            } else {
                lua_pushnumber(dst, pounce_lua_tonumber(src, index))
            }
        case LUA_TSTRING:
            var length = 0
            let p = lua_tolstring(src, index, &length)
            lua_pushlstring(dst, p, length)
        case LUA_TTABLE:
            guard depth < maxDepth else { throw .tooDeep }
            let table = lua_absindex(src, index)
            pounce_lua_newtable(dst)
            lua_pushnil(src)
            while lua_next(src, table) != 0 {
                do {
                    try copyValue(src, -2, dst, depth: depth + 1)
                    try copyValue(src, -1, dst, depth: depth + 1)
                } catch {
                    pounce_lua_pop(src, 2)
                    throw error
                }
                lua_rawset(dst, -3)
                pounce_lua_pop(src, 1)
            }
        default:
            throw .unsupported(String(cString: lua_typename(src, lua_type(src, index))))
        }
    }
}
