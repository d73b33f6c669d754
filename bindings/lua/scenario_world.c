/*
** scenario_world.c: the world as a script sees it.  'w' is a plain table
** of actor proxies, as the figures in docs/performance.md advise; world
** variables, actor variables and relations are read and written through
** C.  Names are Lua's interned strings: every name a script can use is
** anchored once at load, so its address identifies it and a read is a
** pointer hash, not a string comparison.  Also 'm', the read-only table
** that says which move is being made.
*/
#include <lauxlib.h>
#include <lua.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "scenario.h"

/* A budget the engine found exceeded (brink__hold) is the kill, not a
   message a script could catch. */
int brink__sc_raise(lua_State *L, brink_engine *e) {
  brink__box_check(L, LUA_OK);
  if (brink__out_of_memory(e)) brink__box_nomem(L);
  return luaL_error(L, "%s", brink_errmsg(e));
}

/* interned names --------------------------------------------------------- */

static uint32_t ptr_hash(const char *p) {
  uint64_t x = (uint64_t)(uintptr_t)p;
  return (uint32_t)((x >> 3) * 0x9E3779B97F4A7C15ull >> 32);
}

/* Lua interns strings of up to 40 bytes (LUAI_MAXSHORTLEN). */
#define LONG_NAME 40

static const name_rec *lookup(host *h, lua_State *L, int idx) {
  if (lua_type(L, idx) != LUA_TSTRING || h->cap_recs == 0) return NULL;
  size_t len;
  const char *k = lua_tolstring(L, idx, &len);
  uint32_t mask = (uint32_t)h->cap_recs - 1;
  for (uint32_t i = ptr_hash(k) & mask; h->recs[i].key; i = (i + 1) & mask)
    if (h->recs[i].key == k) return &h->recs[i];
  /* Only short strings are interned; a long one is found by its text,
     through a hash too, so that a read costs the same for every name. */
  if (len > LONG_NAME) {
    int i = brink__map_get(&h->long_recs, k);
    return i >= 0 ? &h->recs[i] : NULL;
  }
  return NULL;
}

const name_rec *brink__sc_name_at(host *h, lua_State *L, int idx) {
  return lookup(h, L, idx);
}

const name_rec *brink__sc_name(host *h, lua_State *L, const char *s) {
  lua_pushstring(L, s);
  const name_rec *r = lookup(h, L, -1);
  lua_pop(L, 1);
  return r;
}

/* Interns 'name' and returns its record, made on first use. */
static name_rec *intern(host *h, lua_State *L, const char *name) {
  lua_rawgeti(L, LUA_REGISTRYINDEX, h->anchors);
  lua_pushstring(L, name);
  const char *k = lua_tostring(L, -1);
  lua_pushboolean(L, 1);
  lua_rawset(L, -3);
  lua_pop(L, 1);
  uint32_t mask = (uint32_t)h->cap_recs - 1;
  uint32_t i = ptr_hash(k) & mask;
  for (; h->recs[i].key; i = (i + 1) & mask)
    if (h->recs[i].key == k) return &h->recs[i];
  if (strlen(k) > LONG_NAME &&
      brink__map_put(h->e, &h->long_recs, k, (int)i) != BRINK_OK)
    brink__box_nomem(L);
  h->recs[i] = (name_rec){k, -1, -1, -1, false};
  h->nrecs++;
  return &h->recs[i];
}

/* values ----------------------------------------------------------------- */

static void push_as(lua_State *L, host *h, int slot, double v);

static void push_value(lua_State *L, host *h, int slot) {
  double v;
  if (brink__read(h->e, slot, &v) != BRINK_OK) brink__sc_raise(L, h->e);
  push_as(L, h, slot, v);
}

bool brink__sc_exact_integer(lua_State *L, int idx) {
  if (!lua_isinteger(L, idx)) return true;
  lua_Integer i = lua_tointeger(L, idx);
  return i >= -((lua_Integer)1 << 53) && i <= (lua_Integer)1 << 53;
}

/* The Lua value at 'idx' as a value of 'slot' (raises for the wrong
   kind of value, naming the variable). */
static double value_of(lua_State *L, host *h, int slot, int idx) {
  brink_engine *e = h->e;
  int type = h->types[slot];
  int t = lua_type(L, idx);
  switch (type) {
  case BRINK_FLAG:
    if (t != LUA_TBOOLEAN)
      luaL_error(L, "%s is a flag: it takes true or false, not %s",
                 brink_var_name(e, slot), luaL_typename(L, idx));
    return lua_toboolean(L, idx);
  case BRINK_ENUM: {
    if (t != LUA_TSTRING)
      luaL_error(L, "%s is an enum: it takes one of its values as a string, "
                 "not %s", brink_var_name(e, slot), luaL_typename(L, idx));
    const char *s = lua_tostring(L, idx), *best;
    int i = brink__enum_index(e, slot, s, &best);
    if (i < 0) {
      if (best)
        luaL_error(L, "%s: '%s' (did you mean '%s'?) is not one of its "
                   "values", brink_var_name(e, slot), s, best);
      luaL_error(L, "%s: '%s' is not one of its values",
                 brink_var_name(e, slot), s);
    }
    return i;
  }
  default:
    if (t != LUA_TNUMBER)
      luaL_error(L, "%s is a%s: it takes a number, not %s",
                 brink_var_name(e, slot),
                 type == BRINK_INTEGER ? "n integer" : " number",
                 luaL_typename(L, idx));
    if (type == BRINK_INTEGER && !brink__sc_exact_integer(L, idx))
      luaL_error(L, "%s is an integer variable: %s", brink_var_name(e, slot),
                 INEXACT);
    return lua_tonumber(L, idx);
  }
}

static void mirror_set(lua_State *L, host *h, int locs, int slot, double v);

/* A write, and the mirrors kept equal to it: the one slot when they were
   equal before it, else all that changed. */
static void write_value(lua_State *L, host *h, int slot, int idx) {
  double v = value_of(L, h, slot, idx);
  uint64_t before = brink__clock(h->e);
  if (brink__write(h->e, slot, v) != BRINK_OK) brink__sc_raise(L, h->e);
  if (!h->mirror) return;
  uint64_t now = brink__clock(h->e);
  if (h->synced != before) {
    brink__sc_mirror_sync(L, h);
  } else if (now != before && h->nlocs[slot] == 1 &&
             lua_type(L, lua_upvalueindex(4)) == LUA_TTABLE) {
    /* Written through a fast proxy: its mirror is upvalue 4, the name
       argument 2. */
    double stored = brink__values(h->e)[slot];
    lua_pushvalue(L, lua_upvalueindex(4));
    lua_pushvalue(L, 2);
    push_as(L, h, slot, stored);
    lua_rawset(L, -3);
    lua_pop(L, 1);
    h->shadow[slot] = stored;
    h->synced = now;
  } else if (now != before) {
    lua_rawgeti(L, LUA_REGISTRYINDEX, h->mlocs);
    mirror_set(L, h, lua_gettop(L), slot, brink__values(h->e)[slot]);
    lua_pop(L, 1);
    h->synced = now;
  }
}

/* 'v' as a value of 'slot': a flag's boolean, an enum's name, a number
   (integral values as Lua integers, so "%d" and ".." print "9"). */
static void push_as(lua_State *L, host *h, int slot, double v) {
  switch (h->types[slot]) {
  case BRINK_FLAG: lua_pushboolean(L, v != 0); break;
  case BRINK_ENUM:
    lua_pushstring(L, brink_var_enum_value(h->e, slot, (int)v));
    break;
  default:
    /* Integral, by a round trip through the cast: cheaper than floor(). */
    if (fabs(v) < 9e15 && v == (double)(lua_Integer)v)
      lua_pushinteger(L, (lua_Integer)v);
    else lua_pushnumber(L, v);
  }
}

/* mirrors ----------------------------------------------------------------- */

/* Slot 's' is held at [4s + 1] (table), [4s + 2] (key) of the locations
   table at 'locs', and for a symmetric relation's pair also at [4s + 3],
   [4s + 4]. */
static void mirror_set(lua_State *L, host *h, int locs, int slot, double v) {
  h->shadow[slot] = v;
  for (int k = 0; k < h->nlocs[slot]; k++) {
    lua_rawgeti(L, locs, 4 * (lua_Integer)slot + 2 * k + 1);
    lua_rawgeti(L, locs, 4 * (lua_Integer)slot + 2 * k + 2);
    push_as(L, h, slot, v);
    lua_rawset(L, -3);
    lua_pop(L, 1);
  }
}

/* After a start, a restore or a load the versions say nothing: every
   slot is compared with what its mirror holds, and only those that
   differ are written (a run starts where the last one started). */
void brink__sc_mirror_sync(lua_State *L, host *h) {
  brink_engine *e = h->e;
  uint64_t clock = brink__clock(e);
  if (!h->mirror || h->synced == clock) return;
  luaL_checkstack(L, 6, NULL);
  lua_rawgeti(L, LUA_REGISTRYINDEX, h->mlocs);
  int locs = lua_gettop(L);
  const double *values = brink__values(e);
  const uint64_t *version = brink__versions(e);
  if (brink__valid_from(e) > h->synced) {
    for (int s = 0; s < h->ntypes; s++)
      if (memcmp(&values[s], &h->shadow[s], sizeof(double)) != 0)
        mirror_set(L, h, locs, s, values[s]);
  } else {
    for (int s = 0; s < h->ntypes; s++)
      if (version[s] > h->synced) mirror_set(L, h, locs, s, values[s]);
  }
  lua_pop(L, 1);
  h->synced = clock;
}

/* Records that the table at 'tbl' holds slot 'slot' under 'key'. */
static void mirror_at(lua_State *L, host *h, int locs, int tbl, int slot,
                      const char *key) {
  lua_Integer at = 4 * (lua_Integer)slot + 1 + 2 * h->nlocs[slot]++;
  h->shadow[slot] = brink__values(h->e)[slot];
  lua_pushvalue(L, tbl);
  lua_rawseti(L, locs, at);
  lua_pushstring(L, key);
  lua_rawseti(L, locs, at + 1);
  lua_pushstring(L, key);
  push_as(L, h, slot, brink__values(h->e)[slot]);
  lua_rawset(L, tbl);
}

/* [-1, +1] A closure of 'fn' with upvalues host, then 'a' and 'b' when
   not negative, then the value on top (which it pops). */
static void push_fn(lua_State *L, host *h, lua_CFunction fn, int a, int b) {
  int extra = lua_gettop(L);
  lua_pushlightuserdata(L, h);
  int n = 1;
  if (a >= 0) {
    lua_pushinteger(L, a);
    n++;
  }
  if (b >= 0) {
    lua_pushinteger(L, b);
    n++;
  }
  lua_pushvalue(L, extra);
  lua_pushcclosure(L, fn, n + 1);
  lua_remove(L, extra);
}

/* [-0, +1] The writer of a fast proxy: 'fn' with upvalues host, 'a' and
   'b' (nil when negative) and the mirror at 'mirror', which it keeps
   equal to what it writes. */
static void push_writer(lua_State *L, host *h, lua_CFunction fn, int a,
                        int b, int mirror) {
  mirror = lua_absindex(L, mirror);
  lua_pushlightuserdata(L, h);
  if (a >= 0) lua_pushinteger(L, a);
  else lua_pushnil(L);
  if (b >= 0) lua_pushinteger(L, b);
  else lua_pushnil(L);
  lua_pushvalue(L, mirror);
  lua_pushcclosure(L, fn, 4);
}

/* [-1, +1] An empty proxy reading from the mirror on top and writing
   through the closure below it: [-2, +1]. */
static void mirror_proxy(lua_State *L) {
  int mirror = lua_gettop(L), write = mirror - 1;
  lua_newtable(L);                       /* the proxy */
  lua_createtable(L, 0, 4);
  lua_pushvalue(L, mirror);
  lua_setfield(L, -2, "__index");
  lua_pushvalue(L, write);
  lua_setfield(L, -2, "__newindex");
  lua_pushliteral(L, "locked");
  lua_setfield(L, -2, "__metatable");
  brink__box_proxy(L, -1);
  lua_setmetatable(L, -2);
  lua_replace(L, write);
  lua_settop(L, write);
}

static int world_index(lua_State *L);
static int world_newindex(lua_State *L);
static int actor_index(lua_State *L);
static int actor_newindex(lua_State *L);
static int relation_index(lua_State *L);
static int relation_newindex(lua_State *L);

/*
** The fast world: the same names as 'w', read from plain tables (a
** mirror per actor, per actor and relation, and one for the world's
** variables and the actors), written through the same C as 'w'.  A name
** a mirror lacks goes on to the C of 'w', which finds the date or
** reports the name as 'w' does.
*/
static int build_mirrors(host *h, lua_State *L) {
  brink_engine *e = h->e;
  int n = h->nactors, ndecls = brink__decl_count(e);
  size_t nslots = (size_t)(h->ntypes ? h->ntypes : 1);
  h->shadow = brink__alloc(e, sizeof(double) * nslots);
  h->nlocs = brink__alloc(e, nslots);
  if (h->shadow == NULL || h->nlocs == NULL) return BRINK_ENOMEM;
  memset(h->nlocs, 0, nslots);
  lua_createtable(L, 4 * (h->ntypes ? h->ntypes : 1), 0);
  int locs = lua_gettop(L);
  lua_newtable(L);
  int world = lua_gettop(L);
  for (int i = 0; i < ndecls; i++) {
    brink__decl_view d;
    brink__decl_get(e, i, &d);
    if (d.kind == BRINK__WORLD_VAR && d.count)
      mirror_at(L, h, locs, world, d.first, d.field);
  }
  for (int a = 0; a < n; a++) {
    lua_newtable(L);
    int mine = lua_gettop(L);
    for (int k = 0; k < h->nfields; k++) {
      const field *f = &h->fields[k];
      brink__decl_view d;
      brink__decl_get(e, f->decl, &d);
      if (!f->relation) {
        if (f->slot[a] >= 0) mirror_at(L, h, locs, mine, f->slot[a], d.field);
        continue;
      }
      lua_pushstring(L, d.field);
      lua_newtable(L);
      int rel = lua_gettop(L);
      for (int b = 0; b < n; b++) {
        int s = a == b ? -1 : brink__relation_slot(e, f->decl, a, b);
        if (s >= 0) mirror_at(L, h, locs, rel, s, brink_actor_id(e, b));
      }
      lua_createtable(L, 0, 1);
      lua_pushnil(L);
      push_fn(L, h, relation_index, a, f->decl);
      lua_setfield(L, -2, "__index");
      lua_setmetatable(L, rel);
      push_writer(L, h, relation_newindex, a, f->decl, rel);
      lua_insert(L, rel);
      mirror_proxy(L);
      lua_rawset(L, mine);
    }
    lua_createtable(L, 0, 1);
    lua_newtable(L);   /* actor_index's relations: never reached */
    push_fn(L, h, actor_index, a, -1);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, mine);
    push_writer(L, h, actor_newindex, a, -1, mine);
    lua_insert(L, mine);
    mirror_proxy(L);
    lua_setfield(L, world, brink_actor_id(e, a));
  }
  lua_createtable(L, 0, 1);
  lua_pushnil(L);
  push_fn(L, h, world_index, -1, -1);
  lua_setfield(L, -2, "__index");
  lua_setmetatable(L, world);
  push_writer(L, h, world_newindex, -1, -1, world);
  lua_insert(L, world);
  mirror_proxy(L);
  h->fw = luaL_ref(L, LUA_REGISTRYINDEX);
  h->mlocs = luaL_ref(L, LUA_REGISTRYINDEX);
  h->synced = brink__clock(e);
  return BRINK_OK;
}

/* beliefs ---------------------------------------------------------------- */

/*
** The prelude's primitives for believe(), reveal(), belief() and view():
** the first two arguments are an actor id and a variable's full name,
** found here; a wrong one raises, and the prelude's wrapper re-raises at
** the script's line.
*/
static void actor_and_var(lua_State *L, host *h, int *actor, int *var) {
  brink_engine *e = h->e;
  const char *a = luaL_checkstring(L, 1), *v = luaL_checkstring(L, 2);
  if (h->loading)
    luaL_error(L, "beliefs can only be read or changed while the scenario "
               "runs");
  if (brink_actor_find(e, a, actor) != BRINK_OK ||
      brink_var_find(e, v, var) != BRINK_OK)
    luaL_error(L, "%s", brink_errmsg(e));
}

/* nil and the engine's message; a budget or memory exceeded is the kill
   (as in brink__sc_raise). */
static int refused(lua_State *L, host *h) {
  brink__box_check(L, LUA_OK);
  if (brink__out_of_memory(h->e)) brink__box_nomem(L);
  lua_pushnil(L);
  lua_pushstring(L, brink_errmsg(h->e));
  return 2;
}

/* believe(actor, var, lo [, hi]); nil, message when the engine refuses. */
static int p_believe(lua_State *L) {
  host *h = HOST(L);
  int actor, var;
  actor_and_var(L, h, &actor, &var);
  double lo = value_of(L, h, var, 3);
  double hi = lua_isnoneornil(L, 4) ? lo : value_of(L, h, var, 4);
  if (brink_belief_set(h->e, actor, var, lo, hi) != BRINK_OK)
    return refused(L, h);
  lua_pushboolean(L, 1);
  return 1;
}

/* reveal's step: the actor believes the value; false if it sees it. */
static int p_reveal(lua_State *L) {
  host *h = HOST(L);
  int actor, var;
  actor_and_var(L, h, &actor, &var);
  if (brink_var_visible(h->e, var, actor) == 1) {
    lua_pushboolean(L, 0);
    return 1;
  }
  double v;
  if (brink__read(h->e, var, &v) != BRINK_OK ||
      brink_belief_set(h->e, actor, var, v, v) != BRINK_OK)
    return refused(L, h);
  lua_pushboolean(L, 1);
  return 1;
}

/* actor_and_var, then what the actor believes of the variable. */
static void belief_of(lua_State *L, host *h, int *actor, int *var,
                      double *lo, double *hi) {
  actor_and_var(L, h, actor, var);
  if (brink_belief_get(h->e, *actor, *var, lo, hi) != BRINK_OK)
    brink__sc_raise(L, h->e);
}

/* lo, hi as values of the variable (both the value when the actor sees
   it), then whether the actor knows anything. */
static int p_belief(lua_State *L) {
  host *h = HOST(L);
  int actor, var;
  double lo, hi;
  belief_of(L, h, &actor, &var, &lo, &hi);
  push_as(L, h, var, lo);
  push_as(L, h, var, hi);
  lua_pushboolean(L, brink_belief_known(h->e, actor, var) == 1);
  return 3;
}

/*
** What the actor takes the variable to be, as one value: the value when
** it sees it; else a number's midpoint, or a flag's or an enum's value
** when the belief is a point, nil when it is a range.
*/
static int p_seen(lua_State *L) {
  host *h = HOST(L);
  int actor, var;
  double lo, hi;
  belief_of(L, h, &actor, &var, &lo, &hi);
  int type = h->types[var];
  if (lo == hi) push_as(L, h, var, lo);
  else if (type == BRINK_FLAG || type == BRINK_ENUM) lua_pushnil(L);
  else if (!isfinite(lo) || !isfinite(hi)) lua_pushnil(L);
  else push_as(L, h, var, lo + (hi - lo) / 2);
  return 1;
}

/* The world proxy 'w', for view(). */
static int p_w(lua_State *L) {
  lua_rawgeti(L, LUA_REGISTRYINDEX, HOST(L)->w);
  return 1;
}

/* A new list of the actors' ids, for reveal(var, "*"). */
static int p_actor_ids(lua_State *L) {
  host *h = HOST(L);
  lua_createtable(L, h->nactors, 0);
  for (int a = 0; a < h->nactors; a++) {
    lua_pushstring(L, brink_actor_id(h->e, a));
    lua_rawseti(L, -2, a + 1);
  }
  return 1;
}

void brink__sc_beliefs(lua_State *L, host *h, int P) {
  static const luaL_Reg fns[] = {{"believe", p_believe},
                                 {"w", p_w},
                                 {"actor_ids", p_actor_ids},
                                 {"reveal", p_reveal},
                                 {"belief", p_belief},
                                 {"seen", p_seen},
                                 {NULL, NULL}};
  for (const luaL_Reg *f = fns; f->name; f++) {
    lua_pushlightuserdata(L, h);
    lua_pushcclosure(L, f->func, 1);
    lua_setfield(L, P, f->name);
  }
}

/* the world proxies ------------------------------------------------------ */

/*
** An unknown name: the message names it in full ("DPRK.sanction") and
** suggests the nearest name that would have worked in the same place.
** 'owner' is the proxy's path ("" for w, "DPRK", "USA.tension"); 'actor'
** is the proxy's actor, -1 for w, or -2 for a relation (wants an actor).
*/
/*
** Is the unknown name 'k' on w more likely an actor than a world variable?
** When its nearest name is an actor, or when nothing is near and it is
** written as actors are ('ROC': no lower-case letters).
*/
static bool looks_like_actor(host *h, const char *k, const char *best) {
  brink_engine *e = h->e;
  int a;
  if (brink_actor_count(e) == 0)
    return false;
  if (best)
    return brink_actor_find(e, best, &a) == BRINK_OK;
  for (const char *c = k; *c; c++)
    if (*c >= 'a' && *c <= 'z')
      return false;
  return true;
}

/* "unknown actor 'ROC' (did you mean 'ROK'?)", or with the actors listed
   when none is near. */
static int unknown_actor(lua_State *L, host *h, const char *k,
                         const char *best) {
  brink_engine *e = h->e;
  luaL_Buffer b;
  int n = brink_actor_count(e);
  if (best)
    return luaL_error(L, "unknown actor '%s' (did you mean '%s'?)", k, best);
  luaL_buffinit(L, &b);
  luaL_where(L, 1);
  luaL_addvalue(&b);
  lua_pushfstring(L, "unknown actor '%s' (the actors are ", k);
  luaL_addvalue(&b);
  for (int i = 0; i < n && i < 20; i++) {
    if (i) luaL_addstring(&b, i == n - 1 ? " and " : ", ");
    luaL_addstring(&b, brink_actor_id(e, i));
  }
  if (n > 20) luaL_addstring(&b, ", ...");
  luaL_addchar(&b, ')');
  luaL_pushresult(&b);
  return lua_error(L);
}

static int unknown(lua_State *L, host *h, const char *owner, int actor) {
  if (lua_type(L, 2) != LUA_TSTRING)
    return luaL_error(L, "w%s%s is indexed by names, not by %s",
                      *owner ? "." : "", owner, luaL_typename(L, 2));
  const char *k = lua_tostring(L, 2);
  /* Every name, however many: the records are in pointer order, so a
     cut would keep a different subset in each process. */
  brink__nearest near;
  brink__nearest_init(&near, k);
  for (int i = 0; i < h->cap_recs; i++) {
    const name_rec *r = &h->recs[i];
    if (!r->key) continue;
    bool fits = actor == -2 ? r->actor >= 0
                : actor >= 0 ? (r->field >= 0 &&
                                (h->fields[r->field].relation ||
                                 h->fields[r->field].slot[actor] >= 0))
                             : (r->world >= 0 || r->actor >= 0 || r->date);
    if (fits) brink__nearest_add(&near, r->key);
  }
  /* Formatted by Lua, whatever the length of the names. */
  const char *what = actor == -2 ? "actor in" : "variable";
  const char *dot = *owner ? "." : "", *best = brink__nearest_best(&near);
  if (actor == -1 && looks_like_actor(h, k, best))
    return unknown_actor(L, h, k, best);
  if (best)
    return luaL_error(L, "unknown %s '%s%s%s' (did you mean '%s%s%s'?)", what,
                      owner, dot, k, owner, dot, best);
  return luaL_error(L, "unknown %s '%s%s%s'", what, owner, dot, k);
}

static int world_index(lua_State *L) {
  host *h = HOST(L);
  const name_rec *r = lookup(h, L, 2);
  if (r && r->world >= 0) {
    push_value(L, h, r->world);
    return 1;
  }
  if (r && r->date) {
    brink_engine *e = h->e;
    if (brink__fast(e)) brink__note_date_touch(e);
    else brink__note_date_read(e);
    if (h->date_turn != brink_turn(e)) {
      brink__sc_push_date(L, brink_date(e));
      lua_rawseti(L, LUA_REGISTRYINDEX, h->date_ref);
      h->date_turn = brink_turn(e);
    }
    lua_rawgeti(L, LUA_REGISTRYINDEX, h->date_ref);
    return 1;
  }
  return unknown(L, h, "", -1);
}

static int world_newindex(lua_State *L) {
  host *h = HOST(L);
  const name_rec *r = lookup(h, L, 2);
  if (r && r->world >= 0) {
    write_value(L, h, r->world, 3);
    return 0;
  }
  if (r && (r->actor >= 0 || r->date))
    return luaL_error(L, "w.%s cannot be assigned", r->key);
  return unknown(L, h, "", -1);
}

static int actor_index(lua_State *L) {
  host *h = HOST(L);
  int a = (int)lua_tointeger(L, lua_upvalueindex(2));
  const name_rec *r = lookup(h, L, 2);
  if (r && r->field >= 0) {
    const field *f = &h->fields[r->field];
    if (f->relation) {
      lua_rawgeti(L, lua_upvalueindex(3), f->rel + 1);
      return 1;
    }
    if (f->slot[a] >= 0) {
      push_value(L, h, f->slot[a]);
      return 1;
    }
  }
  return unknown(L, h, brink_actor_id(h->e, a), a);
}

static int actor_newindex(lua_State *L) {
  host *h = HOST(L);
  int a = (int)lua_tointeger(L, lua_upvalueindex(2));
  const name_rec *r = lookup(h, L, 2);
  if (r && r->field >= 0) {
    const field *f = &h->fields[r->field];
    if (f->relation)
      return luaL_error(L, "w.%s.%s is a relation: assign "
                        "w.%s.%s.OTHER_ACTOR", brink_actor_id(h->e, a), r->key,
                        brink_actor_id(h->e, a), r->key);
    if (f->slot[a] >= 0) {
      write_value(L, h, f->slot[a], 3);
      return 0;
    }
  }
  return unknown(L, h, brink_actor_id(h->e, a), a);
}

/* Upvalues: host, actor, relation declaration. */
static int relation_slot(lua_State *L, host *h) {
  brink_engine *e = h->e;
  int a = (int)lua_tointeger(L, lua_upvalueindex(2));
  int decl = (int)lua_tointeger(L, lua_upvalueindex(3));
  const name_rec *r = lookup(h, L, 2);
  if (r && r->actor >= 0) {
    int s = brink__relation_slot(e, decl, a, r->actor);
    if (s >= 0) return s;
  }
  brink__decl_view d;
  brink__decl_get(e, decl, &d);
  if (r && r->actor >= 0)
    luaL_error(L, "%s has no %s with itself", brink_actor_id(e, a), d.field);
  unknown(L, h, lua_pushfstring(L, "%s.%s", brink_actor_id(e, a), d.field),
          -2);
  return -1;
}

static int relation_index(lua_State *L) {
  host *h = HOST(L);
  push_value(L, h, relation_slot(L, h));
  return 1;
}

static int relation_newindex(lua_State *L) {
  host *h = HOST(L);
  write_value(L, h, relation_slot(L, h), 3);
  return 0;
}

/* A proxy: an empty table whose metatable is locked. */
static void push_proxy(lua_State *L, host *h, lua_CFunction index,
                       lua_CFunction newindex, int nup) {
  int base = lua_gettop(L) - nup;
  lua_newtable(L);                       /* the proxy */
  lua_createtable(L, 0, 3);              /* its metatable */
  for (int k = 0; k < 2; k++) {
    lua_pushlightuserdata(L, h);
    for (int i = 1; i <= nup; i++) lua_pushvalue(L, base + i);
    lua_pushcclosure(L, k ? newindex : index, nup + 1);
    lua_setfield(L, -2, k ? "__newindex" : "__index");
  }
  lua_pushliteral(L, "locked");
  lua_setfield(L, -2, "__metatable");
  brink__box_proxy(L, -1);
  lua_setmetatable(L, -2);
  lua_replace(L, base + 1);
  lua_settop(L, base + 1);
}

int brink__sc_build_names(host *h, lua_State *L) {
  brink_engine *e = h->e;
  int n = brink_actor_count(e), ndecls = brink__decl_count(e);
  size_t need = 2 * ((size_t)n + (size_t)ndecls + 1) + 16;
  if (need > (size_t)INT_MAX / 2) return BRINK_ENOMEM;   /* cap_recs is int */
  h->cap_recs = 16;
  while ((size_t)h->cap_recs < need) h->cap_recs *= 2;
  h->recs = brink__alloc(e, sizeof(name_rec) * (size_t)h->cap_recs);
  h->cap_fields = ndecls + 1;
  h->fields = brink__alloc(e, sizeof(field) * (size_t)h->cap_fields);
  h->nactors = n;
  /* Each slot's type, so that a read needs no call to learn it. */
  h->ntypes = brink_var_count(e);
  h->types = brink__alloc(e, (size_t)(h->ntypes ? h->ntypes : 1));
  if (!h->recs || !h->fields || !h->types) return BRINK_ENOMEM;
  memset(h->recs, 0, sizeof(name_rec) * (size_t)h->cap_recs);
  memset(h->fields, 0, sizeof(field) * (size_t)h->cap_fields);
  for (int s = 0; s < h->ntypes; s++)
    h->types[s] = (unsigned char)brink_var_type(e, s);
  intern(h, L, "date")->date = true;
  for (int a = 0; a < n; a++) intern(h, L, brink_actor_id(e, a))->actor = a;
  int nrel = 0;
  for (int i = 0; i < ndecls; i++) {
    brink__decl_view dv, *d = &dv;
    brink__decl_get(e, i, d);
    name_rec *r = intern(h, L, d->field);
    if (d->kind == BRINK__WORLD_VAR) {
      r->world = d->first;
      continue;
    }
    if (r->field < 0) {
      r->field = h->nfields++;
      field *f = &h->fields[r->field];
      f->decl = i;
      f->relation = d->kind == BRINK__RELATION;
      if (f->relation) {
        f->rel = nrel++;
      } else {
        f->slot = brink__alloc(e, sizeof(int) * (size_t)(n ? n : 1));
        if (!f->slot) return BRINK_ENOMEM;
        for (int a = 0; a < n; a++) f->slot[a] = -1;
      }
    }
    field *f = &h->fields[r->field];
    if (d->kind == BRINK__EACH_VAR)
      for (int a = 0; a < n; a++) f->slot[a] = d->first + a;
    else if (d->kind == BRINK__ACTOR_VAR && d->count)
      f->slot[d->owner] = d->first;
  }
  /*
  ** w: an empty proxy that reads actors from a plain table (one lookup
  ** more than a field of w, and nothing can be stored in w), and world
  ** variables and the date through C.
  */
  lua_newtable(L);
  lua_createtable(L, 0, n);
  for (int a = 0; a < n; a++) {
    lua_pushinteger(L, a);
    lua_createtable(L, nrel, 0);          /* this actor's relation proxies */
    for (int k = 0; k < h->nfields; k++) {
      const field *f = &h->fields[k];
      if (!f->relation) continue;
      lua_pushinteger(L, a);
      lua_pushinteger(L, f->decl);
      push_proxy(L, h, relation_index, relation_newindex, 2);
      lua_rawseti(L, -2, f->rel + 1);
    }
    push_proxy(L, h, actor_index, actor_newindex, 2);
    lua_setfield(L, -2, brink_actor_id(e, a));
  }
  lua_createtable(L, 0, 1);
  lua_pushlightuserdata(L, h);
  lua_pushcclosure(L, world_index, 1);
  lua_setfield(L, -2, "__index");
  lua_setmetatable(L, -2);
  lua_createtable(L, 0, 4);
  lua_insert(L, -2);
  lua_setfield(L, -2, "__index");
  lua_pushlightuserdata(L, h);
  lua_pushcclosure(L, world_newindex, 1);
  lua_setfield(L, -2, "__newindex");
  lua_pushliteral(L, "locked");
  lua_setfield(L, -2, "__metatable");
  brink__box_proxy(L, -1);
  lua_setmetatable(L, -2);
  h->w = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_pushboolean(L, 0);
  h->date_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  h->date_turn = -1;
  h->mirror = brink__fast(e);
  if (h->mirror) return build_mirrors(h, L);
  return BRINK_OK;
}

static int m_newindex(lua_State *L) {
  return luaL_error(L, "m is read-only: it says which move is being made "
                    "(m.by, m.move, m.target); keep state in a var");
}

/*
** Each option's 'm' {by =, move =, target =}, made once: a read-only
** proxy, since the same one serves every call in every run.
*/
void brink__sc_build_options(host *h, lua_State *L) {
  brink_engine *e = h->e;
  int n = brink__option_count(e);
  lua_createtable(L, n, 0);
  for (int i = 0; i < n; i++) {
    int move, actor, target;
    brink__option_info(e, i, &move, &actor, &target);
    lua_newtable(L);
    lua_createtable(L, 0, 4);
    lua_pushcfunction(L, m_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_pushliteral(L, "locked");
    lua_setfield(L, -2, "__metatable");
    brink__box_proxy(L, -1);
    lua_createtable(L, 0, 3);
    lua_pushstring(L, brink_actor_id(e, actor));
    lua_setfield(L, -2, "by");
    lua_pushstring(L, brink_move_name(e, move));
    lua_setfield(L, -2, "move");
    if (target >= 0) {
      lua_pushstring(L, brink_actor_id(e, target));
      lua_setfield(L, -2, "target");
    }
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, -2);
    lua_rawseti(L, -2, i + 1);
  }
  h->opts = luaL_ref(L, LUA_REGISTRYINDEX);
}
