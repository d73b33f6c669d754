/*
** sandbox_allow.c: the allow-list, everything a script can reach, in one
** table, and the environments and the private standard libraries built
** from it.
*/
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "sandboxint.h"

/* ---------------------------------------------------------------------- */
/* the allow-list                                                          */
/* ---------------------------------------------------------------------- */

enum {
  STD,    /* the standard value as it is */
  OWN,    /* our function */
  WRAP,   /* our function, with the standard one as upvalue 1 */
  ENV,    /* our function, with the environment as upvalue 1 */
  SELF    /* the environment itself */
};

typedef struct allowed {
  const char *lib;    /* NULL: a global */
  const char *name;
  int how;
  lua_CFunction fn;
} allowed;

/*
** Everything a script can reach.  Not here, so not there: io, os, debug,
** package, require, dofile, loadfile, collectgarbage, print, warn,
** string.dump, math.random and math.randomseed (the bindings add random
** functions drawing from the engine's seeded generator).
*/
static const allowed allow_list[] = {
  {NULL, "_G", SELF, NULL},
  {NULL, "_VERSION", STD, NULL},
  {NULL, "assert", STD, NULL},
  {NULL, "error", STD, NULL},
  {NULL, "getmetatable", OWN, brink__sb_getmetatable},
  {NULL, "ipairs", STD, NULL},
  {NULL, "load", ENV, brink__sb_load},
  {NULL, "next", OWN, brink__sb_next},
  {NULL, "pairs", OWN, brink__sb_pairs},
  {NULL, "pcall", OWN, brink__sb_pcall},
  {NULL, "rawequal", STD, NULL},
  {NULL, "rawget", OWN, brink__sb_rawget},
  {NULL, "rawlen", OWN, brink__sb_rawlen},
  {NULL, "rawset", OWN, brink__sb_rawset},
  {NULL, "select", STD, NULL},
  {NULL, "setmetatable", OWN, brink__sb_setmetatable},
  {NULL, "tonumber", STD, NULL},
  {NULL, "tostring", OWN, brink__sb_tostring},
  {NULL, "type", STD, NULL},
  {NULL, "xpcall", OWN, brink__sb_xpcall},

  {"coroutine", "close", WRAP, brink__sb_coclose},
  {"coroutine", "create", STD, NULL},
  {"coroutine", "isyieldable", STD, NULL},
  {"coroutine", "resume", OWN, brink__sb_coresume},
  {"coroutine", "running", STD, NULL},
  {"coroutine", "status", STD, NULL},
  {"coroutine", "wrap", OWN, brink__sb_cowrap},
  {"coroutine", "yield", STD, NULL},

  {"math", "abs", STD, NULL},
  {"math", "acos", STD, NULL},
  {"math", "asin", STD, NULL},
  {"math", "atan", STD, NULL},
  {"math", "ceil", STD, NULL},
  {"math", "cos", STD, NULL},
  {"math", "deg", STD, NULL},
  {"math", "exp", STD, NULL},
  {"math", "floor", STD, NULL},
  {"math", "fmod", STD, NULL},
  {"math", "huge", STD, NULL},
  {"math", "log", STD, NULL},
  {"math", "max", STD, NULL},
  {"math", "maxinteger", STD, NULL},
  {"math", "min", STD, NULL},
  {"math", "mininteger", STD, NULL},
  {"math", "modf", STD, NULL},
  {"math", "pi", STD, NULL},
  {"math", "rad", STD, NULL},
  {"math", "sin", STD, NULL},
  {"math", "sqrt", STD, NULL},
  {"math", "tan", STD, NULL},
  {"math", "tointeger", STD, NULL},
  {"math", "type", STD, NULL},
  {"math", "ult", STD, NULL},

  {"string", "byte", WRAP, brink__sb_metered},
  {"string", "char", WRAP, brink__sb_metered},
  {"string", "find", OWN, brink__sb_find},
  {"string", "format", WRAP, brink__sb_format},
  {"string", "gmatch", OWN, brink__sb_gmatch},
  {"string", "gsub", OWN, brink__sb_gsub},
  {"string", "len", STD, NULL},
  {"string", "lower", WRAP, brink__sb_metered},
  {"string", "match", OWN, brink__sb_match},
  {"string", "pack", WRAP, brink__sb_metered},
  {"string", "packsize", STD, NULL},
  {"string", "rep", OWN, brink__sb_rep},
  {"string", "reverse", WRAP, brink__sb_metered},
  {"string", "sub", WRAP, brink__sb_metered},
  {"string", "unpack", WRAP, brink__sb_metered},
  {"string", "upper", WRAP, brink__sb_metered},

  {"table", "concat", OWN, brink__sb_concat},
  {"table", "insert", OWN, brink__sb_insert},
  {"table", "move", OWN, brink__sb_move},
  {"table", "pack", STD, NULL},
  {"table", "remove", OWN, brink__sb_remove},
  {"table", "sort", OWN, brink__sb_sort},
  {"table", "unpack", OWN, brink__sb_unpack},

  {"utf8", "char", WRAP, brink__sb_metered},
  {"utf8", "charpattern", STD, NULL},
  {"utf8", "codepoint", WRAP, brink__sb_metered},
  {"utf8", "codes", STD, NULL},
  {"utf8", "len", WRAP, brink__sb_metered},
  {"utf8", "offset", WRAP, brink__sb_metered},

  {NULL, NULL, 0, NULL}
};

/*
** [-0, +1, e] The value an entry stands for, made from the standard
** libraries in the table at 'std', or for SELF and ENV entries, for the
** environment at 'env'.
*/
static void make_allowed(lua_State *L, const allowed *a, int env, int std) {
  switch (a->how) {
  case SELF:
    lua_pushvalue(L, env);
    return;
  case OWN:
    lua_pushcfunction(L, a->fn);
    return;
  case ENV:
    lua_pushvalue(L, env);
    lua_pushcclosure(L, a->fn, 1);
    return;
  default:
    lua_getfield(L, std, a->lib ? a->lib : LUA_GNAME);
    lua_getfield(L, -1, a->name);
    lua_remove(L, -2);
    if (a->how == WRAP)
      lua_pushcclosure(L, a->fn, 1);
    return;
  }
}

/* [-0, +1, e] The table of library 'lib' (LUA_GNAME: the globals) in the
   table at 'libs', made if missing. */
static void library(lua_State *L, int libs, const char *lib) {
  if (lua_getfield(L, libs, lib) != LUA_TNIL)
    return;
  lua_pop(L, 1);
  lua_newtable(L);
  lua_pushvalue(L, -1);
  lua_setfield(L, libs, lib);
}

/*
** [-0, +1, e] The value of entry 'a' for the environment at 'env'.  All
** environments share one of each function, kept by library in the
** registry's table of loaded modules: that is where Lua looks for the
** name of a function called from C ("bad argument #1 to 'string.rep'").
** A function made for this environment is put there too, so that the
** last environment's names are found.
*/
static void push_allowed(lua_State *L, const allowed *a, int env) {
  const char *lib = a->lib ? a->lib : LUA_GNAME;
  lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
  library(L, lua_gettop(L), lib);
  if (a->how == SELF || a->how == ENV) {
    make_allowed(L, a, env, 0);
    if (a->how == ENV) {
      lua_pushvalue(L, -1);
      lua_setfield(L, -3, a->name);
    }
  } else {
    lua_getfield(L, -1, a->name);
  }
  lua_replace(L, -3);
  lua_pop(L, 1);
}

/*
** Protected: [-0, +1] a new environment.  Its 'string' table becomes the
** methods of strings, so what a script adds to it is a method too, as in
** Lua; a state holds one scenario's environment, and the last one made
** wins.  The metatable itself stays locked.
*/
int brink__box_build_env(lua_State *L) {
  const allowed *a;
  int env;
  lua_createtable(L, 0, 32);
  env = lua_gettop(L);
  for (a = allow_list; a->name; a++) {
    if (a->lib)
      library(L, env, a->lib);
    else
      lua_pushvalue(L, env);
    push_allowed(L, a, env);
    lua_setfield(L, -2, a->name);
    lua_pop(L, 1);
  }
  lua_pushliteral(L, "");
  lua_getmetatable(L, -1);
  lua_getfield(L, env, LUA_STRLIBNAME);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 2);
  return 1;
}

/*
** Protected: loads the libraries into a private table, makes the values
** of the allow-list from them, empties the state's globals (so a chunk
** loaded any other way sees nothing), and locks the string metatable
** onto the sandbox's string functions (until an environment is made).
*/
int brink__box_init_state(lua_State *L) {
  static const luaL_Reg libs[] = {
    {LUA_GNAME, luaopen_base},
    {LUA_COLIBNAME, luaopen_coroutine},
    {LUA_TABLIBNAME, luaopen_table},
    {LUA_STRLIBNAME, luaopen_string},
    {LUA_MATHLIBNAME, luaopen_math},
    {LUA_UTF8LIBNAME, luaopen_utf8},
    {NULL, NULL}
  };
  const luaL_Reg *lib;
  const allowed *a;
  int std, shared;
  lua_newtable(L);
  std = lua_gettop(L);
  for (lib = libs; lib->func; lib++) {
    luaL_requiref(L, lib->name, lib->func, 0);
    lua_setfield(L, std, lib->name);
  }
  lua_pushvalue(L, std);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &brink__std_key);

  lua_newtable(L);
  shared = lua_gettop(L);
  for (a = allow_list; a->name; a++) {
    if (a->how == SELF || a->how == ENV)
      continue;
    library(L, shared, a->lib ? a->lib : LUA_GNAME);
    make_allowed(L, a, 0, std);
    lua_setfield(L, -2, a->name);
    lua_pop(L, 1);
  }
  lua_pushvalue(L, shared);
  lua_setfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);

  lua_newtable(L);              /* dead coroutines; only our code reads it */
  lua_createtable(L, 0, 1);
  lua_pushliteral(L, "k");
  lua_setfield(L, -2, "__mode");
  lua_setmetatable(L, -2);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &brink__poison_key);

  lua_newtable(L);
  lua_rawseti(L, LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS);

  lua_pushliteral(L, "");
  lua_getmetatable(L, -1);
  lua_getfield(L, shared, LUA_STRLIBNAME);
  lua_setfield(L, -2, "__index");
  lua_pushliteral(L, "locked");
  lua_setfield(L, -2, "__metatable");
  lua_settop(L, 0);
  return 0;
}

