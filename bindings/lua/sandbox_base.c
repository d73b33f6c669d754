/*
** sandbox_base.c: the base library as scripts see it (tostring without
** addresses, guarded metatables, load of text only, pcall and xpcall that
** cannot swallow a kill), pairs and next in a fixed order, and coroutines
** metered and stopped with the call that runs them.
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
/* base library                                                            */
/* ---------------------------------------------------------------------- */

/*
** [-0, +1, e] tostring without addresses: __tostring, else __name, else
** "table", "thread", "userdata", "function: builtin" for C functions and
** "function: file.lua:12" for Lua ones (where they are defined).
*/
const char *brink__box_tostring(lua_State *L, int idx, size_t *len) {
  lua_Debug ar;
  idx = lua_absindex(L, idx);
  if (luaL_callmeta(L, idx, "__tostring")) {
    if (!lua_isstring(L, -1))
      luaL_error(L, "'__tostring' must return a string");
    return lua_tolstring(L, -1, len);
  }
  switch (lua_type(L, idx)) {
  case LUA_TNUMBER:
  case LUA_TSTRING:
    lua_pushvalue(L, idx);
    break;
  case LUA_TBOOLEAN:
    lua_pushstring(L, lua_toboolean(L, idx) ? "true" : "false");
    break;
  case LUA_TNIL:
    lua_pushliteral(L, "nil");
    break;
  default: {
    int t = luaL_getmetafield(L, idx, "__name");
    if (t == LUA_TSTRING)
      break;
    if (t != LUA_TNIL)
      lua_pop(L, 1);   /* a __name that is not a string */
    if (lua_type(L, idx) != LUA_TFUNCTION) {
      lua_pushstring(L, luaL_typename(L, idx));
      break;
    }
    lua_pushvalue(L, idx);
    lua_getinfo(L, ">S", &ar);
    if (ar.what[0] == 'C')
      lua_pushliteral(L, "function: builtin");
    else if (ar.linedefined > 0)
      lua_pushfstring(L, "function: %s:%d", ar.short_src, ar.linedefined);
    else
      lua_pushfstring(L, "function: %s", ar.short_src);
    break;
  }
  }
  return lua_tolstring(L, -1, len);
}

int brink__sb_tostring(lua_State *L) {
  luaL_checkany(L, 1);
  brink__box_tostring(L, 1, NULL);
  return 1;
}

/*
** Finalizers would run at whatever moment the collector chooses, outside
** any budget; weak tables would make results depend on that moment.
*/
int brink__sb_setmetatable(lua_State *L) {
  int t = lua_type(L, 2);
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_argexpected(L, t == LUA_TNIL || t == LUA_TTABLE, 2, "nil or table");
  lua_settop(L, 2);
  switch (brink__box_open_table(L, 1, "setmetatable")) {
  case BRINK__FROZEN:
    return luaL_error(L, "setmetatable: tables made while the scenario "
                      "loaded are read-only during a run; keep state in a "
                      "var");
  case BRINK__GUARDED:
    return luaL_error(L, "setmetatable: this table is the metatable of "
                      "another; give it its own metatable before that");
  default:
    break;
  }
  if (t == LUA_TTABLE) {
    brink__box_metatable(L, 2);   /* what Lua will read raw */
    lua_replace(L, 2);
    lua_pushliteral(L, "__gc");
    lua_pushliteral(L, "__mode");
    for (int key = 3; key <= 4; key++) {
      lua_pushvalue(L, key);
      if (lua_rawget(L, 2) != LUA_TNIL)
        brink__box_refuse_metakey(L, key, "setmetatable");
      lua_pop(L, 1);
    }
  }
  if (luaL_getmetafield(L, 1, "__metatable") != LUA_TNIL)
    return luaL_error(L, "cannot change a protected metatable");
  lua_settop(L, 2);
  lua_setmetatable(L, 1);
  return 1;
}

int brink__box_open_table(lua_State *L, int idx, const char *fn) {
  switch (brink__box_sealed(L, idx)) {
  case BRINK__PROXY:
    return luaL_error(L, "%s: w, its actors and relations and a move's 'm' "
                      "are views of the world, not tables; use their "
                      "fields", fn);
  case BRINK__FROZEN:
    lua_replace(L, idx);
    return BRINK__FROZEN;
  case BRINK__GUARDED:
    lua_replace(L, idx);
    return BRINK__GUARDED;
  default:
    return BRINK__OPEN;
  }
}

int brink__sb_getmetatable(lua_State *L) {
  luaL_checkany(L, 1);
  if (!brink__box_getmetatable(L, 1))
    lua_pushnil(L);
  return 1;
}

int brink__sb_rawget(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checkany(L, 2);
  lua_settop(L, 2);
  brink__box_open_table(L, 1, "rawget");
  lua_rawget(L, 1);
  return 1;
}

int brink__sb_rawlen(lua_State *L) {
  int t = lua_type(L, 1);
  luaL_argexpected(L, t == LUA_TTABLE || t == LUA_TSTRING, 1,
                   "table or string");
  if (t == LUA_TTABLE)
    brink__box_open_table(L, 1, "rawlen");
  lua_pushinteger(L, (lua_Integer)lua_rawlen(L, 1));
  return 1;
}

int brink__sb_rawset(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checkany(L, 2);
  luaL_checkany(L, 3);
  lua_settop(L, 3);
  lua_pushvalue(L, 1);   /* 4: the result, whatever 1 becomes */
  switch (brink__box_open_table(L, 1, "rawset")) {
  case BRINK__FROZEN:
    return luaL_error(L, "rawset: tables made while the scenario loaded are "
                      "read-only during a run; keep state in a var");
  case BRINK__GUARDED:
    brink__box_refuse_metakey(L, 2, "rawset");
    break;
  default:
    break;
  }
  lua_pushvalue(L, 2);
  lua_pushvalue(L, 3);
  lua_rawset(L, 1);
  return 1;
}

/*
** load(chunk [, chunkname [, mode [, env]]]): text only, whatever 'mode'
** says, and without 'env' the chunk sees the environment this 'load'
** belongs to (its upvalue), never the state's globals.  A reader function
** is not accepted: chunks are strings.
*/
int brink__sb_load(lua_State *L) {
  brink__box *box = brink__box_of(L);
  size_t len;
  const char *text = luaL_checklstring(L, 1, &len);
  const char *name = luaL_optstring(L, 2, text);
  int env = lua_isnone(L, 4) ? lua_upvalueindex(1) : 4;
  int status;
  if (len > 0 && text[0] == LUA_SIGNATURE[0]) {
    luaL_pushfail(L);
    lua_pushliteral(L, "cannot load a binary chunk (scripts load text only)");
    return 2;
  }
  brink__box_pay(L, box, (int64_t)(len / METER_BYTES));
  status = luaL_loadbufferx(L, text, len, name, "t");
  if (status != LUA_OK) {
    brink__box_note_status(L, box, status);
    if (box->killed)
      return brink__box_stop(L, box, box->killed);
    luaL_pushfail(L);
    lua_insert(L, -2);
    return 2;
  }
  lua_pushvalue(L, env);
  if (!lua_setupvalue(L, -2, 1))
    lua_pop(L, 1);
  return 1;
}

static int finish_pcall(lua_State *L, int status, lua_KContext extra) {
  brink__box *box = brink__box_of(L);
  if (status != LUA_OK && status != LUA_YIELD) {
    brink__box_note_status(L, box, status);
    if (box->killed)
      return brink__box_stop(L, box, box->killed);
    lua_pushboolean(L, 0);
    lua_pushvalue(L, -2);
    return 2;
  }
  if (box->killed)
    return brink__box_stop(L, box, box->killed);
  return lua_gettop(L) - (int)extra;
}

int brink__sb_pcall(lua_State *L) {
  brink__box *box = brink__box_of(L);
  int status;
  luaL_checkany(L, 1);
  if (box->killed)
    return brink__box_stop(L, box, box->killed);
  lua_pushboolean(L, 1);
  lua_insert(L, 1);
  status = lua_pcallk(L, lua_gettop(L) - 2, LUA_MULTRET, 0, 0, finish_pcall);
  return finish_pcall(L, status, 0);
}

/*
** xpcall's message handler goes through this guard.  An error raised by
** the hook leaves hooks off until the protected call unwinds, so running
** the script's handler then would run it unmetered: after a kill the
** guard passes the error on untouched.
*/
static int guard_handler(lua_State *L) {
  if (brink__box_of(L)->killed)
    return 1;
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, 1);
  return 1;
}

int brink__sb_xpcall(lua_State *L) {
  brink__box *box = brink__box_of(L);
  int n = lua_gettop(L), status;
  luaL_checktype(L, 2, LUA_TFUNCTION);
  if (box->killed)
    return brink__box_stop(L, box, box->killed);
  lua_pushvalue(L, 2);
  lua_pushcclosure(L, guard_handler, 1);
  lua_replace(L, 2);
  lua_pushboolean(L, 1);
  lua_pushvalue(L, 1);
  lua_rotate(L, 3, 2);   /* f, handler, true, f, args... */
  status = lua_pcallk(L, n - 2, LUA_MULTRET, 2, 2, finish_pcall);
  return finish_pcall(L, status, 2);
}

/* ---------------------------------------------------------------------- */
/* deterministic pairs and next                                            */
/* ---------------------------------------------------------------------- */

/* The fixed order (docs/scenario-language.md): integers, floats,
   strings, false, true. */
enum { K_INT, K_FLOAT, K_STRING, K_FALSE, K_TRUE };

typedef struct key {
  int kind;
  lua_Integer i;
  lua_Number n;
  const char *s;
  size_t len;
  lua_Integer slot;   /* where the key itself is kept */
} key;

static int key_kind(lua_State *L, int idx) {
  switch (lua_type(L, idx)) {
  case LUA_TNUMBER:
    return lua_isinteger(L, idx) ? K_INT : K_FLOAT;
  case LUA_TSTRING:
    return K_STRING;
  case LUA_TBOOLEAN:
    return lua_toboolean(L, idx) ? K_TRUE : K_FALSE;
  default:
    return luaL_error(L, "a table key of type %s has no fixed order (pairs "
                      "and next visit only number, string and boolean keys)",
                      luaL_typename(L, idx));
  }
}

static void key_read(lua_State *L, int idx, key *k) {
  k->kind = key_kind(L, idx);
  if (k->kind == K_INT)
    k->i = lua_tointeger(L, idx);
  else if (k->kind == K_FLOAT)
    k->n = lua_tonumber(L, idx);
  else if (k->kind == K_STRING)
    k->s = lua_tolstring(L, idx, &k->len);
}

int brink__box_bytes_cmp(const char *a, size_t la, const char *b, size_t lb) {
  int c = memcmp(a, b, la < lb ? la : lb);
  if (c)
    return c < 0 ? -1 : 1;
  return (la > lb) - (la < lb);
}

static int key_cmp(const void *va, const void *vb) {
  const key *a = va, *b = vb;
  if (a->kind != b->kind)
    return a->kind < b->kind ? -1 : 1;
  switch (a->kind) {
  case K_INT:
    return (a->i > b->i) - (a->i < b->i);
  case K_FLOAT:
    return (a->n > b->n) - (a->n < b->n);
  case K_STRING:
    return brink__box_bytes_cmp(a->s, a->len, b->s, b->len);
  default:
    return 0;
  }
}

/*
** next(t [, k]): the least key after 'k' in the fixed order.  Stateless,
** so each call scans the whole table; pairs is the fast way.  A 'k' that
** is no longer in the table is fine: its successor is still defined.
*/
int brink__sb_next(lua_State *L) {
  key prev, best, cur;
  int have_best = 0;
  lua_Integer n = 0;
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 2);
  brink__box_open_table(L, 1, "next");
  if (!lua_isnil(L, 2))
    key_read(L, 2, &prev);
  lua_pushnil(L);                /* 3: the best key so far */
  lua_pushnil(L);
  while (lua_next(L, 1)) {
    lua_pop(L, 1);
    n++;
    key_read(L, -1, &cur);
    if ((lua_isnil(L, 2) || key_cmp(&cur, &prev) > 0) &&
        (!have_best || key_cmp(&cur, &best) < 0)) {
      lua_pushvalue(L, -1);
      lua_replace(L, 3);
      key_read(L, 3, &best);     /* strings stay put: 't' anchors them */
      have_best = 1;
    }
  }
  brink__box_pay(L, brink__box_of(L), n);
  if (!have_best) {
    lua_pushnil(L);
    return 1;
  }
  lua_pushvalue(L, 3);
  lua_pushvalue(L, 3);
  lua_rawget(L, 1);
  return 2;
}

/* Tables up to this many keys are sorted without allocating. */
#define PAIRS_SMALL 32

/*
** Upvalues: the table; a list whose slots 1..n hold the keys sorted, n+1
** nothing (the end) and n+2..2n+1 the same keys as found (which anchors
** the strings the sort reads); the next position.
*/
static int pairs_step(lua_State *L) {
  lua_Integer pos = lua_tointeger(L, lua_upvalueindex(3));
  for (;; pos++) {
    if (lua_rawgeti(L, lua_upvalueindex(2), pos) == LUA_TNIL)
      return 1;   /* the end: nil */
    lua_pushvalue(L, -1);
    if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL)   /* still set */
      break;
    lua_pop(L, 2);
  }
  lua_pushinteger(L, pos + 1);
  lua_replace(L, lua_upvalueindex(3));
  return 2;
}

/* Small tables sort faster without qsort's machinery. */
static void sort_keys(key *keys, lua_Integer n) {
  lua_Integer i, j;
  key k;
  if (n > PAIRS_SMALL) {
    qsort(keys, (size_t)n, sizeof *keys, key_cmp);
    return;
  }
  for (i = 1; i < n; i++) {
    k = keys[i];
    for (j = i; j > 0 && key_cmp(&keys[j - 1], &k) > 0; j--)
      keys[j] = keys[j - 1];
    keys[j] = k;
  }
}

static int pairs_meta(lua_State *L, int status, lua_KContext extra) {
  (void)L;
  (void)status;
  (void)extra;
  return 3;
}

/*
** pairs(t): honours __pairs; otherwise sorts the keys once and returns a
** closure that walks them.  Keys removed during the walk are skipped, keys
** added are not visited.
*/
int brink__sb_pairs(lua_State *L) {
  key small[PAIRS_SMALL], *keys = small;
  lua_Integer n = 0, i, logn = 1;
  int sorted = 1;
  luaL_checkany(L, 1);
  if (luaL_getmetafield(L, 1, "__pairs") != LUA_TNIL) {
    lua_pushvalue(L, 1);
    lua_callk(L, 1, 3, 0, pairs_meta);
    return 3;
  }
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  lua_pushvalue(L, 1);   /* 2: what is walked; 1 is what pairs returns */
  brink__box_open_table(L, 2, "pairs");
  lua_pushnil(L);
  while (lua_next(L, 2)) {
    lua_pop(L, 1);
    n++;
  }
  while (((lua_Integer)1 << logn) < n && logn < 62)
    logn++;
  brink__box_pay(L, brink__box_of(L), n * (ELEMENT_COST + logn));
  if (n > PAIRS_SMALL)   /* GC-owned, so an error cannot leak it */
    keys = lua_newuserdatauv(L, (size_t)n * sizeof *keys, 0);
  lua_pushvalue(L, 2);                /* upvalue 1: the table */
  lua_createtable(L, (int)(2 * n + 1), 0);   /* upvalue 2: the keys */
  i = 0;
  lua_pushnil(L);
  while (lua_next(L, 2)) {
    lua_pop(L, 1);
    lua_pushvalue(L, -1);
    lua_rawseti(L, -3, n + 1 + ++i);
    key_read(L, -1, &keys[i - 1]);
    keys[i - 1].slot = n + 1 + i;
    if (i > 1 && sorted && key_cmp(&keys[i - 2], &keys[i - 1]) > 0)
      sorted = 0;
  }
  /* Keys are distinct, so even an unstable sort gives one order. */
  if (!sorted)
    sort_keys(keys, n);
  for (i = 0; i < n; i++) {
    lua_rawgeti(L, -1, keys[i].slot);
    lua_rawseti(L, -2, i + 1);
  }
  lua_pushinteger(L, 1);
  lua_pushcclosure(L, pairs_step, 3);
  lua_pushvalue(L, 1);
  lua_pushnil(L);
  return 3;
}

/* ---------------------------------------------------------------------- */
/* coroutines                                                              */
/* ---------------------------------------------------------------------- */

/*
** A coroutine that died of a kill may still hold to-be-closed variables,
** and its hooks stay off (the error came out of the hook).  Closing it
** later would run their __close handlers unmetered, so it is marked and
** never closed.
*/
static void poison(lua_State *L, int idx) {
  idx = lua_absindex(L, idx);
  lua_rawgetp(L, LUA_REGISTRYINDEX, &brink__poison_key);
  lua_pushvalue(L, idx);
  lua_pushboolean(L, 1);
  lua_rawset(L, -3);
  lua_pop(L, 1);
}

static int poisoned(lua_State *L, int idx) {
  int p;
  idx = lua_absindex(L, idx);
  lua_rawgetp(L, LUA_REGISTRYINDEX, &brink__poison_key);
  lua_pushvalue(L, idx);
  p = lua_rawget(L, -2) != LUA_TNIL;
  lua_pop(L, 2);
  return p;
}

/*
** Resumes 'co' (at 'coidx' in L) with the 'narg' values on top of L.
** Returns how many results it moved to L, or -1 with the error on top.
** A kill inside the coroutine is raised again here.
*/
static int resume(lua_State *L, lua_State *co, int coidx, int narg) {
  brink__box *box = brink__box_of(L);
  int status, nres;
  if (box->killed)
    brink__box_stop(L, box, box->killed);
  if (!lua_checkstack(co, narg)) {
    lua_pushliteral(L, "too many arguments to resume");
    return -1;
  }
  brink__box_pay(L, box, CO_STEP);
  /* Not the main thread (it cannot be resumed, and a reset would drop
     up to HOOK_STEP of its count, more than was just charged). */
  if (co != box->L)
    lua_sethook(co, brink__box_hook, LUA_MASKCOUNT, CO_STEP);
  lua_xmove(L, co, narg);
  status = lua_resume(co, L, narg, &nres);
  if (status == LUA_OK || status == LUA_YIELD) {
    if (box->killed) {
      lua_pop(co, nres);
      brink__box_stop(L, box, box->killed);
    }
    if (!lua_checkstack(L, nres + 1)) {
      lua_pop(co, nres);
      lua_pushliteral(L, "too many results to resume");
      return -1;
    }
    lua_xmove(co, L, nres);
    return nres;
  }
  lua_xmove(co, L, 1);
  brink__box_note_status(L, box, status);
  if (box->killed) {
    poison(L, coidx);
    brink__box_stop(L, box, box->killed);
  }
  return -1;
}

int brink__sb_coresume(lua_State *L) {
  lua_State *co = lua_tothread(L, 1);
  int r;
  luaL_argexpected(L, co, 1, "thread");
  r = resume(L, co, 1, lua_gettop(L) - 1);
  if (r < 0) {
    lua_pushboolean(L, 0);
    lua_insert(L, -2);
    return 2;
  }
  lua_pushboolean(L, 1);
  lua_insert(L, -(r + 1));
  return r + 1;
}

static int wrap_step(lua_State *L) {
  brink__box *box = brink__box_of(L);
  lua_State *co = lua_tothread(L, lua_upvalueindex(1));
  int r = resume(L, co, lua_upvalueindex(1), lua_gettop(L));
  int status;
  if (r >= 0)
    return r;
  status = lua_status(co);
  if (status != LUA_OK && status != LUA_YIELD) {
    /* Died of an ordinary error: close its variables, as Lua's wrap does
       (the hook is on in it, a kill was raised above).  What closing
       leaves is the error to raise: the same one, or one raised while
       closing. */
    status = lua_resetthread(co);
    brink__box_note_status(L, box, status);
    if (box->killed) {
      poison(L, lua_upvalueindex(1));
      brink__box_stop(L, box, box->killed);
    }
    lua_xmove(co, L, 1);
  }
  if (status != LUA_ERRMEM && lua_type(L, -1) == LUA_TSTRING) {
    luaL_where(L, 1);
    lua_insert(L, -2);
    lua_concat(L, 2);
  }
  return lua_error(L);
}

int brink__sb_cowrap(lua_State *L) {
  lua_State *co;
  luaL_checktype(L, 1, LUA_TFUNCTION);
  co = lua_newthread(L);
  lua_pushvalue(L, 1);
  lua_xmove(L, co, 1);
  lua_pushcclosure(L, wrap_step, 1);
  return 1;
}

/* Upvalue 1: the standard coroutine.close. */
int brink__sb_coclose(lua_State *L) {
  brink__box *box = brink__box_of(L);
  int n;
  luaL_argexpected(L, lua_tothread(L, 1), 1, "thread");
  if (box->killed)
    return brink__box_stop(L, box, box->killed);
  lua_settop(L, 1);
  if (poisoned(L, 1)) {
    lua_pushboolean(L, 0);
    lua_pushliteral(L, "cannot close a coroutine stopped by a script budget");
    return 2;
  }
  n = brink__box_run_standard(L);
  if (box->killed) {
    poison(L, 1);
    return brink__box_stop(L, box, box->killed);
  }
  return n;
}

