#include "CLuaBridge.h"
#include <lauxlib.h>
#include <string.h>

static int trampoline(lua_State *L) {
    pounce_lua_swift_function f = (pounce_lua_swift_function)lua_touserdata(L, lua_upvalueindex(1));
    int n = f(L);
    if (n < 0) {
        // As luaL_error does: the message gets the calling chunk's position.
        luaL_where(L, 1);
        lua_insert(L, -2);
        lua_concat(L, 2);
        return lua_error(L);
    }
    return n;
}

void pounce_lua_push_swift(lua_State *L, pounce_lua_swift_function f) {
    lua_pushlightuserdata(L, (void *)f);
    lua_pushcclosure(L, trampoline, 1);
}

void pounce_lua_push_swift_closure(lua_State *L, pounce_lua_swift_function f, int n) {
    lua_pushlightuserdata(L, (void *)f);
    lua_insert(L, -(n + 1));
    lua_pushcclosure(L, trampoline, n + 1);
}

void pounce_lua_rawset_global(lua_State *L, const char *name) {
    lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS);
    lua_pushstring(L, name);
    lua_rotate(L, -3, -1);
    lua_rawset(L, -3);
    lua_pop(L, 1);
}

// Pushes the value `name` designates: a global, then a field of it per dot.
static void push_named(lua_State *L, const char *name) {
    const char *dot = strchr(name, '.');
    if (dot == NULL) {
        lua_getglobal(L, name);
        return;
    }
    lua_pushglobaltable(L);
    while (dot != NULL) {
        if (!lua_istable(L, -1)) {
            lua_pop(L, 1);
            lua_pushnil(L);
            return;
        }
        lua_pushlstring(L, name, (size_t)(dot - name));
        lua_gettable(L, -2);
        lua_remove(L, -2);
        name = dot + 1;
        dot = strchr(name, '.');
    }
    if (!lua_istable(L, -1)) {
        lua_pop(L, 1);
        lua_pushnil(L);
        return;
    }
    lua_getfield(L, -1, name);
    lua_remove(L, -2);
}

static int invoke(lua_State *L) {
    const char *name = luaL_checkstring(L, 1);
    push_named(L, name);
    lua_replace(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

int pounce_lua_pcall_named(lua_State *L, int nargs, int nresults) {
    lua_pushcfunction(L, invoke);
    lua_insert(L, -(nargs + 2));
    return lua_pcall(L, nargs + 1, nresults, 0);
}

static int is_defined(lua_State *L) {
    push_named(L, luaL_checkstring(L, 1));
    lua_pushboolean(L, lua_isfunction(L, -1));
    return 1;
}

int pounce_lua_function_defined(lua_State *L, const char *name) {
    int defined = 0;
    lua_pushcfunction(L, is_defined);
    lua_pushstring(L, name);
    if (lua_pcall(L, 1, 1, 0) == LUA_OK)
        defined = lua_toboolean(L, -1);
    lua_pop(L, 1);
    return defined;
}

static void budget_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    // Disarmed first, so error handlers and __close code can run.
    lua_sethook(L, NULL, 0, 0);
    luaL_error(L, "instruction budget exceeded");
}

void pounce_lua_set_budget(lua_State *L, int budget) {
    if (budget > 0)
        lua_sethook(L, budget_hook, LUA_MASKCOUNT, budget);
    else
        lua_sethook(L, NULL, 0, 0);
}
