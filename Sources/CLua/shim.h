#ifndef POUNCE_CLUA_SHIM_H
#define POUNCE_CLUA_SHIM_H

// Lua 5.4 for Swift. Much of Lua's C API is function-like macros, which Swift
// cannot call; the ones Pounce needs are exposed as `static inline` functions.

#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>

static inline int pounce_lua_registryindex(void) { return LUA_REGISTRYINDEX; }
static inline int pounce_lua_upvalueindex(int i) { return lua_upvalueindex(i); }
static inline void pounce_lua_pop(lua_State *L, int n) { lua_pop(L, n); }
static inline void pounce_lua_newtable(lua_State *L) { lua_newtable(L); }
static inline const char *pounce_lua_tostring(lua_State *L, int i) { return lua_tostring(L, i); }
static inline int pounce_lua_isnil(lua_State *L, int i) { return lua_isnil(L, i); }
static inline int pounce_lua_istable(lua_State *L, int i) { return lua_istable(L, i); }
static inline int pounce_lua_isfunction(lua_State *L, int i) { return lua_isfunction(L, i); }
static inline void pounce_lua_remove(lua_State *L, int i) { lua_remove(L, i); }
static inline void pounce_lua_insert(lua_State *L, int i) { lua_insert(L, i); }
static inline void *pounce_lua_getextraspace(lua_State *L) { return lua_getextraspace(L); }
static inline int pounce_lua_pcall(lua_State *L, int nargs, int nresults) { return lua_pcall(L, nargs, nresults, 0); }
static inline lua_Integer pounce_lua_tointeger(lua_State *L, int i) { return lua_tointeger(L, i); }
static inline lua_Number pounce_lua_tonumber(lua_State *L, int i) { return lua_tonumber(L, i); }
static inline int pounce_luaL_loadbuffer(lua_State *L, const char *s, size_t n, const char *name) {
    return luaL_loadbuffer(L, s, n, name);
}

#endif
