/*
** freeze.c: what a scenario made while loading stays as it was loaded.
**
** A run's state lives in the world, where it is saved, undone, replayed
** and reset between runs.  Anything else a script could change during a
** run (a top-level table, a global, a library table, a field of 'm')
** would carry one run's doings into the next and make 'brink batch'
** disagree with 'brink run'.  Resetting such values before every call
** would cost time in proportion to all the loaded data; freezing them
** costs one extra table lookup per read and nothing per call, and turns
** every attempt into an error at the line that made it.
**
** Lua has no read-only tables, and an assignment to a field that exists
** never consults a metatable.  So freezing a table moves its contents to
** a hidden table (its "contents") and leaves it empty, with a metatable
** that reads through to the contents and refuses writes.  Lua reads
** metamethods raw from a metatable, so a frozen table handed to
** setmetatable() at run time is replaced by its contents, and
** getmetatable() maps them back: a class declared while loading keeps
** working for objects made during a run.
**
** Proxies (w, actors, relations, 'm') are sealed the same way, marked so
** that rawget, rawset, rawlen, next, pairs and setmetatable refuse them.
** Upvalues cannot be frozen at all: the bindings refuse, at load, every
** function that could assign one that outlives loading (lint.c).
*/
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "sandbox.h"

/* Keys: the addresses of these variables. */
static const char seal_key = 0;    /* in a sealed table's metatable */
static const char meta_key = 0;    /* there too: the metatable as loaded */
static const char owner_key = 0;   /* registry: contents -> frozen table */
static const char trusted_key = 0; /* registry: the sandbox's own functions */
static const char contents_key = 0; /* in a sealed metatable: the contents */
static const char running_key = 0; /* registry: set once loading is frozen */

int brink__box_sealed(lua_State *L, int idx) {
  int kind;
  if (lua_type(L, idx) != LUA_TTABLE || !lua_getmetatable(L, idx))
    return BRINK__OPEN;
  lua_rawgetp(L, -1, &seal_key);
  kind = (int)lua_tointeger(L, -1);
  lua_pop(L, 1);
  if (kind == BRINK__FROZEN || kind == BRINK__GUARDED)
    lua_rawgetp(L, -1, &contents_key);
  else
    lua_pushnil(L);
  lua_remove(L, -2);
  if (kind != BRINK__FROZEN && kind != BRINK__GUARDED)
    lua_pop(L, 1);
  return kind;
}

int brink__box_frozen_bare(lua_State *L, int idx) {
  int bare = 0;
  if (lua_type(L, idx) != LUA_TTABLE || !lua_getmetatable(L, idx)) return 0;
  lua_rawgetp(L, -1, &seal_key);
  if (lua_tointeger(L, -1) == BRINK__FROZEN) {
    bare = lua_rawgetp(L, -2, &meta_key) == LUA_TNIL;
    lua_pop(L, 1);
  }
  lua_pop(L, 2);
  return bare;
}

void brink__box_proxy(lua_State *L, int mt) {
  mt = lua_absindex(L, mt);
  lua_pushinteger(L, BRINK__PROXY);
  lua_rawsetp(L, mt, &seal_key);
}

int brink__box_getmetatable(lua_State *L, int idx) {
  if (!lua_getmetatable(L, idx))
    return 0;
  if (lua_getfield(L, -1, "__metatable") != LUA_TNIL) {
    lua_remove(L, -2);
    return 1;
  }
  lua_pop(L, 1);
  if (lua_rawgetp(L, -1, &seal_key) != LUA_TNIL) {
    lua_pop(L, 1);
    lua_rawgetp(L, -1, &meta_key);   /* nil when it had none */
    lua_remove(L, -2);
    return 1;
  }
  lua_pop(L, 1);
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &owner_key) == LUA_TTABLE) {
    lua_pushvalue(L, -2);
    if (lua_rawget(L, -2) != LUA_TNIL) {   /* a frozen class's contents */
      lua_replace(L, -3);
      lua_pop(L, 1);
      return 1;
    }
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  return 1;
}

/* ---------------------------------------------------------------------- */
/* the walk                                                                */
/* ---------------------------------------------------------------------- */

typedef struct walk {
  lua_State *L;
  int seen;      /* value -> the Lua function it was reached through */
  int queue;     /* values still to look at */
  int tables;    /* tables to freeze, in the order found */
  lua_Integer head, tail, ntables;
  int trusting;  /* recording the sandbox's own functions, not freezing */
  brink__box_visit visit;
  void *ud;
} walk;

/* [-0, +0] Queues the value at 'idx', reached through 'via' (a stack
   index of a Lua function, or 0). */
static void reach(walk *w, int idx, int via) {
  lua_State *L = w->L;
  int t = lua_type(L, idx);
  idx = lua_absindex(L, idx);
  if (t != LUA_TTABLE && t != LUA_TFUNCTION && t != LUA_TTHREAD)
    return;   /* plain values, and userdata (dates), cannot change */
  lua_pushvalue(L, idx);
  if (lua_rawget(L, w->seen) != LUA_TNIL) {
    lua_pop(L, 1);
    return;
  }
  lua_pop(L, 1);
  lua_pushvalue(L, idx);
  if (via)
    lua_pushvalue(L, via);
  else
    lua_pushboolean(L, 0);
  lua_rawset(L, w->seen);
  lua_pushvalue(L, idx);
  lua_rawseti(L, w->queue, ++w->tail);
}

static int trusted(lua_State *L, int idx) {
  int yes;
  lua_rawgetp(L, LUA_REGISTRYINDEX, &trusted_key);
  lua_pushvalue(L, idx);
  yes = lua_rawget(L, -2) != LUA_TNIL;
  lua_pop(L, 2);
  return yes;
}

static void look_at_table(walk *w, int t) {
  lua_State *L = w->L;
  int via;
  if (brink__box_sealed(L, t) != BRINK__OPEN) {
    lua_settop(L, t);
    return;   /* a proxy, or frozen already */
  }
  lua_pushvalue(L, t);
  lua_rawget(L, w->seen);
  via = lua_isfunction(L, -1) ? lua_gettop(L) : 0;
  lua_pushnil(L);
  while (lua_next(L, t)) {
    brink__box_charge(L, 1);
    reach(w, -2, via);
    reach(w, -1, via);
    lua_pop(L, 1);
  }
  if (lua_getmetatable(L, t)) {
    reach(w, -1, via);
    lua_pop(L, 1);
  }
  if (!w->trusting) {
    lua_pushvalue(L, t);
    lua_rawseti(L, w->tables, ++w->ntables);
  }
}

static void look_at_function(walk *w, int f) {
  lua_State *L = w->L;
  int i, c = lua_iscfunction(L, f);
  if (w->trusting) {
    lua_rawgetp(L, LUA_REGISTRYINDEX, &trusted_key);
    lua_pushvalue(L, f);
    lua_pushboolean(L, 1);
    lua_rawset(L, -3);
    lua_pop(L, 1);
  } else if (trusted(L, f)) {
    return;
  } else if (c) {
    /* A closure the script made through a library: coroutine.wrap or
       an iterator, whose state no one can see or reset. */
    if (lua_getupvalue(L, f, 1)) {
      lua_pop(L, 1);
      lua_pushvalue(L, f);
      lua_rawget(L, w->seen);
      w->visit(w->ud, L, f, lua_isfunction(L, -1) ? lua_gettop(L) : 0,
               "an iterator or coroutine.wrap() made while loading keeps "
               "state of its own that no run can reset; make it inside the "
               "function that uses it");
    }
    return;
  } else {
    w->visit(w->ud, L, f, 0, NULL);
  }
  for (i = 1; lua_getupvalue(L, f, i); i++) {
    brink__box_charge(L, 1);
    reach(w, -1, c ? 0 : f);
    lua_pop(L, 1);
  }
}

static void look_at_thread(walk *w, int co) {
  lua_State *L = w->L;
  if (w->trusting)
    return;
  lua_pushvalue(L, co);
  lua_rawget(L, w->seen);
  w->visit(w->ud, L, co, lua_isfunction(L, -1) ? lua_gettop(L) : 0,
           "a coroutine made while loading keeps state of its own that no "
           "run can reset; create it inside the function that uses it");
}

/* Walks everything reachable from the 'n' values at 'first'. */
static void walk_from(walk *w, int first, int n) {
  lua_State *L = w->L;
  int i, top;
  lua_newtable(L);
  w->seen = lua_gettop(L);
  lua_newtable(L);
  w->queue = lua_gettop(L);
  lua_newtable(L);
  w->tables = lua_gettop(L);
  w->head = w->tail = w->ntables = 0;
  for (i = 0; i < n; i++)
    reach(w, first + i, 0);
  while (w->head < w->tail) {
    lua_rawgeti(L, w->queue, ++w->head);
    top = lua_gettop(L);
    brink__box_charge(L, 1);
    switch (lua_type(L, top)) {
    case LUA_TTABLE: look_at_table(w, top); break;
    case LUA_TFUNCTION: look_at_function(w, top); break;
    default: look_at_thread(w, top); break;
    }
    lua_settop(L, top - 1);
  }
}

/* [-0, +1, e] The registry's table at 'key', made on first use; returns
   whether it was made now. */
static int registry_table(lua_State *L, const char *key) {
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, key) == LUA_TTABLE)
    return 0;
  lua_pop(L, 1);
  lua_newtable(L);
  lua_pushvalue(L, -1);
  lua_rawsetp(L, LUA_REGISTRYINDEX, key);
  return 1;
}

/*
** [-0, +1, e] The map from contents to the table they belong to, which
** getmetatable() reads.  Its keys are weak, so a metatable guarded during
** a call goes with it; it is only read for a key that is alive.
*/
static void owner_table(lua_State *L) {
  if (registry_table(L, &owner_key)) {
    lua_createtable(L, 0, 1);
    lua_pushliteral(L, "k");
    lua_setfield(L, -2, "__mode");
    lua_setmetatable(L, -2);
  }
}

/* [-1, +1, e] The table whose contents the value on top is, or itself. */
static void as_owner(lua_State *L) {
  owner_table(L);
  lua_pushvalue(L, -2);
  if (lua_rawget(L, -2) != LUA_TNIL)
    lua_replace(L, -3);
  else
    lua_pop(L, 1);
  lua_pop(L, 1);
}

static int trust(lua_State *L) {
  walk w = {L, 0, 0, 0, 0, 0, 0, 1, NULL, NULL};
  registry_table(L, &trusted_key);
  lua_pop(L, 1);
  walk_from(&w, 1, 1);
  return 0;
}

int brink__box_trust(lua_State *L, int idx) {
  lua_pushcfunction(L, trust);
  lua_pushvalue(L, idx < 0 && idx > LUA_REGISTRYINDEX ? idx - 1 : idx);
  return lua_pcall(L, 1, 0, 0);
}

/* ---------------------------------------------------------------------- */
/* freezing                                                                */
/* ---------------------------------------------------------------------- */

static void push_key_name(lua_State *L, int k) {
  if (lua_type(L, k) == LUA_TSTRING)
    lua_pushfstring(L, "'%s'", lua_tostring(L, k));
  else if (lua_type(L, k) == LUA_TNUMBER)
    lua_pushfstring(L, "[%s]", lua_tostring(L, k));
  else
    lua_pushfstring(L, "a %s key", luaL_typename(L, k));
}

/* __newindex of a frozen table; upvalue 1 is the environment. */
static int frozen_newindex(lua_State *L) {
  push_key_name(L, 2);
  if (lua_rawequal(L, 1, lua_upvalueindex(1)))
    return luaL_error(L, "cannot assign the global %s during a run: "
                      "globals are fixed once the scenario has loaded; "
                      "keep state in a var", lua_tostring(L, -1));
  return luaL_error(L, "cannot assign %s: tables made while the scenario "
                    "loaded are read-only during a run; keep state in a var",
                    lua_tostring(L, -1));
}

/* __len of a frozen table; upvalue 1 is its contents. */
static int frozen_len(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)lua_rawlen(L, lua_upvalueindex(1)));
  return 1;
}

/*
** __index of a frozen table whose loaded metatable had an __index of its
** own: upvalues are the contents and that __index, which then sees the
** frozen table itself, as it would have.
*/
static int frozen_index(lua_State *L) {
  lua_settop(L, 2);
  lua_pushvalue(L, 2);
  if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL)
    return 1;
  lua_pop(L, 1);
  if (lua_isfunction(L, lua_upvalueindex(2))) {
    lua_pushvalue(L, lua_upvalueindex(2));
    lua_insert(L, 1);
    lua_call(L, 2, 1);
    return 1;
  }
  lua_gettable(L, lua_upvalueindex(2));
  return 1;
}

/* [-0, +0, e] Copies every field of the table at 'from' into 'to', raw. */
static void copy_fields(lua_State *L, int from, int to) {
  lua_pushnil(L);
  while (lua_next(L, from)) {
    brink__box_charge(L, 1);
    lua_pushvalue(L, -2);
    lua_insert(L, -2);
    lua_rawset(L, to);
  }
}

/* [-0, +1, e] Moves the contents of the table at 't' into a new table,
   pushed; 't' is left empty. */
static void move_contents(lua_State *L, int t) {
  int s;
  lua_newtable(L);
  s = lua_gettop(L);
  copy_fields(L, t, s);
  lua_pushnil(L);
  while (lua_next(L, s)) {
    lua_pop(L, 1);
    lua_pushvalue(L, -1);
    lua_pushnil(L);
    lua_rawset(L, t);
  }
}

/*
** [-1, +0, e] Gives the emptied table at 't', whose contents are at 's',
** a metatable that reads through to them, behaves as its metatable as
** loaded did ('m', whose contents are at 'sm'; 0 for none) and assigns
** with the function on top of the stack.  'kind' is what it becomes.
*/
static void seal_one(lua_State *L, int t, int s, int m, int sm, int kind) {
  int mt, has_index = 0, has_len = 0;
  lua_createtable(L, 0, 5);
  lua_insert(L, -2);
  mt = lua_gettop(L) - 1;
  lua_setfield(L, mt, "__newindex");
  if (m) {
    copy_fields(L, sm, mt);
    lua_pushvalue(L, m);
    as_owner(L);   /* the contents of a class shows as the class */
    lua_rawsetp(L, mt, &meta_key);
    has_index = lua_getfield(L, sm, "__index") != LUA_TNIL;
    lua_pop(L, 1);
    has_len = lua_getfield(L, sm, "__len") != LUA_TNIL;
    lua_pop(L, 1);
  }
  lua_pushvalue(L, s);
  if (has_index) {
    lua_getfield(L, sm, "__index");
    lua_pushcclosure(L, frozen_index, 2);
  }
  lua_setfield(L, mt, "__index");
  if (!has_len) {
    lua_pushvalue(L, s);
    lua_pushcclosure(L, frozen_len, 1);
    lua_setfield(L, mt, "__len");
  }
  lua_pushinteger(L, kind);
  lua_rawsetp(L, mt, &seal_key);
  lua_pushvalue(L, s);
  lua_rawsetp(L, mt, &contents_key);
  lua_setmetatable(L, t);
}

/* Moves each table's contents into a table of their own: 'contents'
   maps table -> contents; the registry's owner map the other way. */
static void empty_tables(walk *w, int contents, int owners) {
  lua_State *L = w->L;
  lua_Integer i;
  for (i = 1; i <= w->ntables; i++) {
    int t;
    lua_rawgeti(L, w->tables, i);
    t = lua_gettop(L);
    move_contents(L, t);
    lua_pushvalue(L, t);
    lua_pushvalue(L, t + 1);
    lua_rawset(L, contents);
    lua_pushvalue(L, t + 1);
    lua_pushvalue(L, t);
    lua_rawset(L, owners);
    lua_settop(L, t - 1);
  }
}

/* Gives each emptied table its reading, refusing metatable. */
static void seal_tables(walk *w, int contents, int env) {
  lua_State *L = w->L;
  lua_Integer i;
  for (i = 1; i <= w->ntables; i++) {
    int t, m = 0, sm = 0;
    lua_rawgeti(L, w->tables, i);
    t = lua_gettop(L);
    lua_pushvalue(L, t);
    lua_rawget(L, contents);
    if (lua_getmetatable(L, t)) {
      m = lua_gettop(L);
      lua_pushvalue(L, m);
      if (lua_rawget(L, contents) == LUA_TNIL) {   /* not frozen: itself */
        lua_pop(L, 1);
        lua_pushvalue(L, m);
      }
      sm = lua_gettop(L);
    }
    lua_pushvalue(L, env);
    lua_pushcclosure(L, frozen_newindex, 1);
    seal_one(L, t, t + 1, m, sm, BRINK__FROZEN);
    lua_settop(L, t - 1);
  }
}

/* ---------------------------------------------------------------------- */
/* metatables in use during a run                                         */
/* ---------------------------------------------------------------------- */

void brink__box_refuse_metakey(lua_State *L, int key, const char *fn) {
  const char *k = lua_type(L, key) == LUA_TSTRING ? lua_tostring(L, key)
                                                   : "";
  if (strcmp(k, "__gc") == 0)
    luaL_error(L, "%s: '__gc' is not allowed (finalizers would run outside "
               "the script budgets)", fn);
  if (strcmp(k, "__mode") == 0)
    luaL_error(L, "%s: '__mode' is not allowed (weak tables make results "
               "depend on garbage collection)", fn);
}

/* __newindex of a metatable in use; upvalue 1 is its contents. */
static int guarded_newindex(lua_State *L) {
  lua_settop(L, 3);
  brink__box_refuse_metakey(L, 2, "metatable");
  lua_rawset(L, lua_upvalueindex(1));
  return 0;
}

/*
** Lua reads '__mode' from a metatable whenever it collects, so a field
** added to a metatable after setmetatable() would make a weak table, and
** results would depend on when the collector runs.  During a run, a
** table that becomes a metatable is guarded as a frozen table is, but
** its assignments go through to its contents unless they add '__gc' or
** '__mode'; the contents serve as the metatable.  While loading, what
** would be guarded is frozen at the end instead.
*/
int brink__box_metatable(lua_State *L, int idx) {
  int kind, s, m = 0, sm = 0, running;
  idx = lua_absindex(L, idx);
  kind = brink__box_sealed(L, idx);
  if (kind == BRINK__FROZEN || kind == BRINK__GUARDED)
    return kind;   /* its contents are pushed */
  running = lua_rawgetp(L, LUA_REGISTRYINDEX, &running_key) != LUA_TNIL;
  lua_pop(L, 1);
  if (kind == BRINK__PROXY || !running) {
    lua_pushvalue(L, idx);
    return kind;
  }
  move_contents(L, idx);
  s = lua_gettop(L);
  owner_table(L);
  lua_pushvalue(L, s);
  lua_pushvalue(L, idx);
  lua_rawset(L, -3);
  lua_pop(L, 1);
  if (lua_getmetatable(L, idx)) {
    m = lua_gettop(L);
    if (brink__box_sealed(L, m) == BRINK__OPEN)
      lua_pushvalue(L, m);
    sm = lua_gettop(L);
  }
  lua_pushvalue(L, s);
  lua_pushcclosure(L, guarded_newindex, 1);
  seal_one(L, idx, s, m, sm, BRINK__GUARDED);
  lua_settop(L, s);
  return BRINK__GUARDED;
}

typedef struct freeze_args {
  int n;
  brink__box_visit visit;
  void *ud;
} freeze_args;

static int freeze(lua_State *L) {
  freeze_args *a = lua_touserdata(L, 1);
  walk w = {L, 0, 0, 0, 0, 0, 0, 0, a->visit, a->ud};
  int contents;
  registry_table(L, &trusted_key);
  lua_pop(L, 1);
  owner_table(L);   /* n + 2 */
  walk_from(&w, 2, a->n);
  lua_newtable(L);
  contents = lua_gettop(L);
  empty_tables(&w, contents, a->n + 2);
  seal_tables(&w, contents, 2);
  lua_pushboolean(L, 1);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &running_key);
  return 0;
}

int brink__box_freeze(lua_State *L, int n, brink__box_visit visit, void *ud) {
  freeze_args a = {n, visit, ud};
  int base = lua_gettop(L) - n;
  lua_pushcfunction(L, freeze);
  lua_insert(L, base + 1);
  lua_pushlightuserdata(L, &a);
  lua_insert(L, base + 2);
  return lua_pcall(L, n + 1, 0, 0);
}
