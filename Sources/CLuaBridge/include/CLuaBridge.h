#ifndef POUNCE_CLUA_BRIDGE_H
#define POUNCE_CLUA_BRIDGE_H

#include <lua.h>

// Lua reports errors with longjmp, which must never cross a Swift frame. Functions
// written in Swift are therefore called through a C trampoline: the Swift function
// returns the number of its results, or -1 after pushing an error message, and the
// trampoline raises the error from C. Everything that may raise (a call, a lookup
// through metamethods) runs under lua_pcall from the helpers below.
typedef int (*pounce_lua_swift_function)(lua_State *L);

/// Pushes a Lua function that calls `f` (a @convention(c) Swift function).
void pounce_lua_push_swift(lua_State *L, pounce_lua_swift_function f);

/// Like `pounce_lua_push_swift`, with the `n` values on top of the stack (popped)
/// as the closure's upvalues 2...n+1.
void pounce_lua_push_swift_closure(lua_State *L, pounce_lua_swift_function f, int n);

/// Pops the value on top of the stack into the global `name`, bypassing any
/// metatable a script gave the globals table (so it cannot raise).
void pounce_lua_rawset_global(lua_State *L, const char *name);

/// Calls the function named by the string below the `nargs` arguments on top of
/// the stack (`name` or `module.name`, looked up from the globals), in protected
/// mode. Leaves `nresults` results (LUA_MULTRET: all), or the error message, and
/// returns lua_pcall's status.
int pounce_lua_pcall_named(lua_State *L, int nargs, int nresults);

/// Whether `name` (`fn` or `module.fn`) names a function in `L`'s globals.
int pounce_lua_function_defined(lua_State *L, const char *name);

/// Arms the instruction budget for the next call on `L`: after `budget`
/// virtual-machine instructions the running code fails with
/// "instruction budget exceeded". 0 disarms it.
void pounce_lua_set_budget(lua_State *L, int budget);

#endif
