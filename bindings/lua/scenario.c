/*
** scenario.c: the scenario language.  Loads a scenario into a sandboxed
** Lua state, hands its declarations to the engine, and serves as the
** engine's script host: conditions, effects and policies run here.
**
** The world seen from Lua ('w') is a plain table of actor proxies, as the
** figures in PERFORMANCE.md advise.  Names are Lua's interned strings:
** every name a script can use is anchored once at load, so its address
** identifies it and a read is a pointer hash, not a string comparison.
*/
#include <lauxlib.h>
#include <lua.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brinkint.h"
#include "embedded.h"
#include "lint.h"
#include "sandbox.h"

/* What an interned name means in each place it can be used. */
typedef struct name_rec {
  const char *key;       /* the anchored Lua string */
  int world;             /* world variable slot, or -1 */
  int actor;             /* actor index, or -1 */
  int field;             /* per-actor field, or -1 */
  bool date;
} name_rec;

/* A name an actor proxy resolves: a variable or a relation. */
typedef struct field {
  int decl;
  bool relation;
  int rel;               /* relations: its number among relations */
  int *slot;             /* variables: [nactors] slot or -1 */
} field;

typedef struct host {
  brink__box box;
  brink_engine *e;
  char *path;            /* the scenario file, for messages and import */
  char *text;            /* its text, kept for clones */
  size_t len;
  int env, w, opts, anchors, decls_ref, date_ref, decode;
  int date_turn;
  name_rec *recs;
  int cap_recs, nrecs;
  brink__map long_recs;  /* names Lua does not intern -> index in recs */
  field *fields;
  int nfields;
  int score;             /* function handle or -1 */
  bool loading;
  char where[256];
  char msg[1024];
  char *reason;          /* the reason a false 'when' gave, whole */
  size_t reason_cap;
  char *nested_in;       /* 'in' of an error inside fire(), or NULL */
} host;

#define HOST(L) ((host *)lua_touserdata(L, lua_upvalueindex(1)))

/* A budget the engine found exceeded (brink__hold) is the kill, not a
   message a script could catch. */
/* An engine call failed: its message as a script error, unless it was a
   budget (sticky) or the host's memory (as if Lua had been refused). */
static int raise_engine(lua_State *L, brink_engine *e) {
  brink__box_check(L, LUA_OK);
  if (e->errstatus == BRINK_ENOMEM && !e->over_budget) brink__box_nomem(L);
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

static int var_type(const brink_engine *e, int slot) {
  return e->decls[e->vars[slot].decl].type;
}

static void push_value(lua_State *L, host *h, int slot) {
  brink_engine *e = h->e;
  double v;
  if (brink__read(e, slot, &v) != BRINK_OK) raise_engine(L, e);
  switch (var_type(e, slot)) {
  case BRINK_FLAG: lua_pushboolean(L, v != 0); break;
  case BRINK_ENUM:
    lua_pushstring(L, e->decls[e->vars[slot].decl].values[(int)v]);
    break;
  default:
    /* Integral values read as Lua integers so "%d" and ".." print "9". */
    if (v == floor(v) && fabs(v) < 9e15)
      lua_pushinteger(L, (lua_Integer)v);
    else
      lua_pushnumber(L, v);
  }
}

/* Values are doubles: a Lua integer past 2^53 would be rounded. */
#define INEXACT "integers beyond 2^53 (9007199254740992) are not held exactly"
static bool exact_integer(lua_State *L, int idx) {
  if (!lua_isinteger(L, idx)) return true;
  lua_Integer i = lua_tointeger(L, idx);
  return i >= -((lua_Integer)1 << 53) && i <= (lua_Integer)1 << 53;
}

static void write_value(lua_State *L, host *h, int slot, int idx) {
  brink_engine *e = h->e;
  const brink__decl *d = &e->decls[e->vars[slot].decl];
  const char *name = e->vars[slot].name;
  double v = 0;
  int t = lua_type(L, idx);
  switch (d->type) {
  case BRINK_FLAG:
    if (t != LUA_TBOOLEAN)
      luaL_error(L, "%s is a flag: it takes true or false, not %s", name,
                 luaL_typename(L, idx));
    v = lua_toboolean(L, idx);
    break;
  case BRINK_ENUM: {
    if (t != LUA_TSTRING)
      luaL_error(L, "%s is an enum: it takes one of its values as a string, "
                 "not %s", name, luaL_typename(L, idx));
    const char *s = lua_tostring(L, idx);
    int i = 0;
    while (i < d->nvalues && strcmp(d->values[i], s) != 0) i++;
    if (i == d->nvalues) {
      brink__nearest near;
      brink__nearest_init(&near, s);
      for (int j = 0; j < d->nvalues; j++)
        brink__nearest_add(&near, d->values[j]);
      const char *best = brink__nearest_best(&near);
      if (best)
        luaL_error(L, "%s: '%s' (did you mean '%s'?) is not one of its "
                   "values", name, s, best);
      luaL_error(L, "%s: '%s' is not one of its values", name, s);
    }
    v = i;
    break;
  }
  default:
    if (t != LUA_TNUMBER)
      luaL_error(L, "%s is a%s: it takes a number, not %s", name,
                 d->type == BRINK_INTEGER ? "n integer" : " number",
                 luaL_typename(L, idx));
    if (d->type == BRINK_INTEGER && !exact_integer(L, idx))
      luaL_error(L, "%s is an integer variable: %s", name, INEXACT);
    v = lua_tonumber(L, idx);
  }
  if (brink__write(e, slot, v) != BRINK_OK) raise_engine(L, e);
}

/* the world proxies ------------------------------------------------------ */

static void push_date(lua_State *L, host *h, int32_t days);

/*
** An unknown name: the message names it in full ("DPRK.sanction") and
** suggests the nearest name that would have worked in the same place.
** 'owner' is the proxy's path ("" for w, "DPRK", "USA.tension"); 'actor'
** is the proxy's actor, -1 for w, or -2 for a relation (wants an actor).
*/
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
    brink__note_date_read(e);
    if (h->date_turn != e->run.turn) {
      push_date(L, h, brink_date(e));
      lua_rawseti(L, LUA_REGISTRYINDEX, h->date_ref);
      h->date_turn = e->run.turn;
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
  return unknown(L, h, h->e->actors[a].id, a);
}

static int actor_newindex(lua_State *L) {
  host *h = HOST(L);
  int a = (int)lua_tointeger(L, lua_upvalueindex(2));
  const name_rec *r = lookup(h, L, 2);
  if (r && r->field >= 0) {
    const field *f = &h->fields[r->field];
    if (f->relation)
      return luaL_error(L, "w.%s.%s is a relation: assign "
                        "w.%s.%s.OTHER_ACTOR", h->e->actors[a].id, r->key,
                        h->e->actors[a].id, r->key);
    if (f->slot[a] >= 0) {
      write_value(L, h, f->slot[a], 3);
      return 0;
    }
  }
  return unknown(L, h, h->e->actors[a].id, a);
}

/* Upvalues: host, actor, relation declaration. */
static int relation_slot(lua_State *L, host *h) {
  brink_engine *e = h->e;
  int a = (int)lua_tointeger(L, lua_upvalueindex(2));
  const brink__decl *d = &e->decls[lua_tointeger(L, lua_upvalueindex(3))];
  const name_rec *r = lookup(h, L, 2);
  if (r && r->actor >= 0) {
    int s = d->pair_slot[BRINK__PAIR(e->nactors, a, r->actor)];
    if (s >= 0) return s;
    luaL_error(L, "%s has no %s with itself", e->actors[a].id, d->field);
  }
  unknown(L, h, lua_pushfstring(L, "%s.%s", e->actors[a].id, d->field), -2);
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

static int build_names(host *h, lua_State *L) {
  brink_engine *e = h->e;
  int n = e->nactors;
  size_t need = 2 * ((size_t)e->nactors + (size_t)e->ndecls + 1) + 16;
  if (need > (size_t)INT_MAX / 2) return BRINK_ENOMEM;   /* cap_recs is int */
  h->cap_recs = 16;
  while ((size_t)h->cap_recs < need) h->cap_recs *= 2;
  h->recs = brink__alloc(e, sizeof(name_rec) * (size_t)h->cap_recs);
  h->fields = brink__alloc(e, sizeof(field) * (size_t)(e->ndecls + 1));
  if (!h->recs || !h->fields) return BRINK_ENOMEM;
  memset(h->recs, 0, sizeof(name_rec) * (size_t)h->cap_recs);
  memset(h->fields, 0, sizeof(field) * (size_t)(e->ndecls + 1));
  intern(h, L, "date")->date = true;
  for (int a = 0; a < n; a++) intern(h, L, e->actors[a].id)->actor = a;
  int nrel = 0;
  for (int i = 0; i < e->ndecls; i++) {
    const brink__decl *d = &e->decls[i];
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
      f->slot[e->vars[d->first].owner] = d->first;
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
    lua_setfield(L, -2, e->actors[a].id);
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
static void build_options(host *h, lua_State *L) {
  brink_engine *e = h->e;
  lua_createtable(L, e->noptions, 0);
  for (int i = 0; i < e->noptions; i++) {
    const brink__option *o = &e->options[i];
    lua_newtable(L);
    lua_createtable(L, 0, 4);
    lua_pushcfunction(L, m_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_pushliteral(L, "locked");
    lua_setfield(L, -2, "__metatable");
    brink__box_proxy(L, -1);
    lua_createtable(L, 0, 3);
    lua_pushstring(L, e->actors[o->actor].id);
    lua_setfield(L, -2, "by");
    lua_pushstring(L, e->moves[o->move].name);
    lua_setfield(L, -2, "move");
    if (o->target >= 0) {
      lua_pushstring(L, e->actors[o->target].id);
      lua_setfield(L, -2, "target");
    }
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, -2);
    lua_rawseti(L, -2, i + 1);
  }
  h->opts = luaL_ref(L, LUA_REGISTRYINDEX);
}

/* dates ------------------------------------------------------------------ */

typedef struct date_ud {
  int32_t days;
} date_ud;

static const char *const DATE = "brink.date";

static void push_date(lua_State *L, host *h, int32_t days) {
  date_ud *d = lua_newuserdatauv(L, sizeof *d, 0);
  d->days = days;
  (void)h;
  luaL_setmetatable(L, DATE);
}

static int32_t to_days(lua_State *L, int idx) {
  date_ud *d = luaL_testudata(L, idx, DATE);
  if (d) return d->days;
  if (lua_type(L, idx) == LUA_TSTRING) {
    int32_t days;
    if (brink_date_parse(lua_tostring(L, idx), &days) == BRINK_OK) return days;
    luaL_error(L, "'%s' is not a date (YYYY-MM-DD)", lua_tostring(L, idx));
  }
  luaL_error(L, "a date or a \"YYYY-MM-DD\" string expected, got %s",
             luaL_typename(L, idx));
  return 0;
}

static int date_new(lua_State *L) {
  host *h = HOST(L);
  push_date(L, h, to_days(L, 1));
  return 1;
}

/* The turn whose period holds the date, or nil outside the calendar. */
static int date_turn(lua_State *L, host *h, int32_t days) {
  brink_engine *e = h->e;
  int lo = 1, hi = brink_turn_count(e);
  if (days < brink_turn_date(e, 1) || days >= brink_turn_date(e, hi + 1)) {
    lua_pushnil(L);
    return 1;
  }
  while (lo < hi) {
    int mid = lo + (hi - lo + 1) / 2;
    if (brink_turn_date(e, mid) <= days) lo = mid;
    else hi = mid - 1;
  }
  lua_pushinteger(L, lo);
  return 1;
}

static int date_days_until(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)to_days(L, 2) - to_days(L, 1));
  return 1;
}

static int date_index(lua_State *L) {
  host *h = HOST(L);
  int32_t days = to_days(L, 1);
  const char *k = luaL_checkstring(L, 2);
  int32_t y, m, d;
  brink_date_civil(days, &y, &m, &d);
  if (strcmp(k, "year") == 0) lua_pushinteger(L, y);
  else if (strcmp(k, "month") == 0) lua_pushinteger(L, m);
  else if (strcmp(k, "day") == 0) lua_pushinteger(L, d);
  else if (strcmp(k, "turn") == 0) return date_turn(L, h, days);
  else if (strcmp(k, "days_until") == 0) lua_pushcfunction(L, date_days_until);
  else return luaL_error(L, "a date has year, month, day, turn and "
                         "days_until, not '%s'", k);
  return 1;
}

static int date_tostring(lua_State *L) {
  char buf[16];
  brink_date_format(to_days(L, 1), buf, sizeof buf);
  lua_pushstring(L, buf);
  return 1;
}

static int date_eq(lua_State *L) {
  lua_pushboolean(L, to_days(L, 1) == to_days(L, 2));
  return 1;
}

static int date_lt(lua_State *L) {
  lua_pushboolean(L, to_days(L, 1) < to_days(L, 2));
  return 1;
}

static int date_le(lua_State *L) {
  lua_pushboolean(L, to_days(L, 1) <= to_days(L, 2));
  return 1;
}

static int date_concat(lua_State *L) {
  for (int i = 1; i <= 2; i++)
    if (luaL_testudata(L, i, DATE)) {
      lua_pushcfunction(L, date_tostring);
      lua_pushvalue(L, i);
      lua_call(L, 1, 1);
      lua_replace(L, i);
    }
  lua_concat(L, 2);
  return 1;
}

static void date_metatable(lua_State *L, host *h) {
  luaL_newmetatable(L, DATE);
  lua_pushlightuserdata(L, h);
  lua_pushcclosure(L, date_index, 1);
  lua_setfield(L, -2, "__index");
  const luaL_Reg ops[] = {{"__tostring", date_tostring}, {"__eq", date_eq},
                          {"__lt", date_lt}, {"__le", date_le},
                          {"__concat", date_concat}, {NULL, NULL}};
  luaL_setfuncs(L, ops, 0);
  lua_pushliteral(L, "locked");
  lua_setfield(L, -2, "__metatable");
  lua_pop(L, 1);
}

/* helpers for scripts ---------------------------------------------------- */

/* Random draws belong to effects: a condition must not draw, and nothing
   draws while the scenario loads (the seed is not known yet). */
static brink_engine *drawing(lua_State *L, const char *what) {
  host *h = HOST(L);
  brink_engine *e = h->e;
  /* A policy may draw (a mixed strategy); it still writes nothing. */
  if (e->read_only && e->current.in != BRINK__IN_POLICY)
    luaL_error(L, "conditions draw no random numbers: %s is not allowed "
               "here", what);
  if (h->loading || e->run.phase == BRINK__PH_IDLE)
    luaL_error(L, "%s can only be used while the scenario runs", what);
  return e;
}

static int l_chance(lua_State *L) {
  brink_engine *e = drawing(L, "chance()");
  double p = luaL_checknumber(L, 1);
  /* A facilitator's /odds for this move's effect replaces the script's. */
  if (e->odds_move >= 0 && e->current.in == BRINK__IN_MOVE &&
      e->current.index == e->odds_move)
    p = e->odds_p;
  lua_pushboolean(L, brink_chance(e, p));
  return 1;
}

static int l_random(lua_State *L) {
  brink_engine *e = drawing(L, "random()");
  lua_Integer lo, hi;
  switch (lua_gettop(L)) {
  case 0: lua_pushnumber(L, brink_random(e)); return 1;
  case 1:
    lo = 1;
    hi = luaL_checkinteger(L, 1);
    if (hi == 0) {   /* as in Lua 5.4: an integer, all 64 bits random */
      lo = LUA_MININTEGER;
      hi = LUA_MAXINTEGER;
    }
    break;
  case 2: lo = luaL_checkinteger(L, 1); hi = luaL_checkinteger(L, 2); break;
  default: return luaL_error(L, "random() takes 0, 1 or 2 arguments");
  }
  luaL_argcheck(L, lo <= hi, lua_gettop(L), "interval is empty");
  int64_t out;
  brink_random_int(e, lo, hi, &out);
  lua_pushinteger(L, out);
  return 1;
}

static int l_normal(lua_State *L) {
  brink_engine *e = drawing(L, "normal()");
  double mu = luaL_optnumber(L, 1, 0), sd = luaL_optnumber(L, 2, 1);
  lua_pushnumber(L, brink_normal(e, mu, sd));
  return 1;
}

static int l_pick(lua_State *L) {
  brink_engine *e = drawing(L, "pick()");
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_Integer n = (lua_Integer)lua_rawlen(L, 1);
  if (n == 0) return luaL_error(L, "pick() of an empty list");
  int64_t i;
  brink_random_int(e, 1, n, &i);
  lua_rawgeti(L, 1, i);
  return 1;
}


/* primitives for the prelude ---------------------------------------------- */

/* where(level): "file:line" of a Lua function on the stack. */
static int p_where(lua_State *L) {
  lua_Debug ar;
  int level = (int)luaL_checkinteger(L, 1);
  if (lua_getstack(L, level, &ar) && lua_getinfo(L, "Sl", &ar) &&
      ar.currentline > 0)
    lua_pushfstring(L, "%s:%d", ar.short_src, ar.currentline);
  else
    lua_pushliteral(L, "?");
  return 1;
}

static int fail(lua_State *L, const char *msg) {
  brink_engine *e = HOST(L)->e;
  brink__box_check(L, LUA_OK);   /* as in raise_engine() */
  if (e->errstatus == BRINK_ENOMEM && !e->over_budget) brink__box_nomem(L);
  lua_pushnil(L);
  lua_pushstring(L, msg);
  return 2;
}

static int find_event(lua_State *L, host *h, const char *name) {
  brink_engine *e = h->e;
  int ev = brink__event_find(e, name);
  if (ev < 0) {
    brink__nearest s;
    brink__nearest_init(&s, name);
    for (int i = 0; i < e->nevents; i++)
      brink__nearest_add(&s, e->events[i].name);
    lua_pushfstring(L, "unknown event %s", brink__nearest_text(e, &s));
  }
  return ev;
}

static int running(lua_State *L, host *h, const char *what) {
  if (h->loading || h->e->run.phase == BRINK__PH_IDLE) {
    lua_pushnil(L);
    lua_pushfstring(L, "%s can only be used while the scenario runs", what);
    return 0;
  }
  return 1;
}

static int p_news(lua_State *L) {
  host *h = HOST(L);
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  if (!running(L, h, "news()")) return 2;
  if (brink__news(h->e, s, len) != BRINK_OK) return fail(L, brink_errmsg(h->e));
  lua_pushboolean(L, 1);
  return 1;
}

static int p_schedule(lua_State *L) {
  host *h = HOST(L);
  const char *name = luaL_checkstring(L, 1);
  if (!running(L, h, "schedule()")) return 2;
  if (!lua_isinteger(L, 2)) return fail(L, "schedule(): turns must be an "
                                        "integer");
  int ev = find_event(L, h, name);
  if (ev < 0) return fail(L, lua_tostring(L, -1));
  /* Checked as the script's integer: a cast to int first would wrap
     -4294967295 to 1. */
  lua_Integer turns = lua_tointeger(L, 2);
  int most = INT_MAX - h->e->run.turn;
  if (turns < 1 || turns > most)
    return fail(L, lua_pushfstring(L, "schedule('%s'): turns must be a whole "
                                   "number from 1 to %d, not %I", name, most,
                                   (LUAI_UACINT)turns));
  if (brink__schedule(h->e, ev, (int)turns, luaL_optstring(L, 3, NULL)) !=
      BRINK_OK)
    return fail(L, brink_errmsg(h->e));
  lua_pushboolean(L, 1);
  return 1;
}

static int p_fire(lua_State *L) {
  host *h = HOST(L);
  const char *name = luaL_checkstring(L, 1);
  if (!running(L, h, "fire()")) return 2;
  int ev = find_event(L, h, name);
  if (ev < 0) return fail(L, lua_tostring(L, -1));
  brink_engine *e = h->e;
  int rc = brink__fire(e, ev, luaL_optstring(L, 2, NULL));
  if (rc == BRINK_OK) {
    lua_pushboolean(L, 1);
    return 1;
  }
  brink__box_check(L, LUA_OK);   /* as in raise_engine() */
  lua_pushnil(L);
  if (*e->errwhere && !h->nested_in)
    h->nested_in = brink__strdup(e, brink_errin(e));
  if (*e->errwhere)
    lua_pushfstring(L, "%s: %s", e->errwhere, brink_errmsg(e));
  else
    lua_pushstring(L, brink_errmsg(e));
  lua_pushboolean(L, *e->errwhere != '\0');
  return 3;
}

static int p_end_scenario(lua_State *L) {
  host *h = HOST(L);
  if (!running(L, h, "end_scenario()")) return 2;
  if (lua_type(L, 1) != LUA_TSTRING)
    return fail(L, "end_scenario() needs an outcome name");
  if (brink__end_scenario(h->e, lua_tostring(L, 1)) != BRINK_OK)
    return fail(L, brink_errmsg(h->e));
  lua_pushboolean(L, 1);
  return 1;
}

/* Reads a whole text file into the Lua stack; nil, message on failure. */
static int push_file(lua_State *L, const char *path) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) return 0;
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  size_t n;
  do {
    char *p = luaL_prepbuffer(&b);
    n = fread(p, 1, LUAL_BUFFERSIZE, f);
    luaL_addsize(&b, n);
  } while (n == LUAL_BUFFERSIZE);
  int bad = ferror(f);
  fclose(f);
  luaL_pushresult(&b);
  if (bad) {
    lua_pop(L, 1);
    return 0;
  }
  return 1;
}

static int p_read_import(lua_State *L) {
  host *h = HOST(L);
  const char *name = luaL_checkstring(L, 1);
  const char *slash = strrchr(h->path, '/');
  /* Built on the stack, not in a buffer: a cut path would open another
     file. */
  if (slash) lua_pushlstring(L, h->path, (size_t)(slash - h->path));
  else lua_pushliteral(L, ".");
  const char *path = lua_pushfstring(L, "%s/%s.lua", lua_tostring(L, -1),
                                     name);
  if (push_file(L, path)) {
    lua_pushfstring(L, "@%s", path);
    return 2;
  }
  for (const brink__embedded *f = brink__scriptlib; f->name; f++)
    if (strcmp(f->name, name) == 0) {
      lua_pushlstring(L, f->text, f->len);
      lua_pushfstring(L, "@brink/%s.lua", name);
      return 2;
    }
  return fail(L, lua_pushfstring(L, "import: no '%s.lua' beside the "
                                 "scenario or in the script library", name));
}

static void add_function(lua_State *L, host *h, const char *name,
                         lua_CFunction f) {
  lua_pushlightuserdata(L, h);
  lua_pushcclosure(L, f, 1);
  lua_setfield(L, -2, name);
}

/* declarations ------------------------------------------------------------ */

typedef struct reader {
  host *h;
  lua_State *L;
  int spec;            /* stack index of the spec table */
  const char *where;
  const char *kind;    /* "move" */
  const char *name;    /* "x" (the entry holds it), or NULL */
  int errors;
  bool nomem;          /* memory ran out: the load fails for that alone */
} reader;

static void problem(reader *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* "move 'x': message", as long as the name and message are. */
static void problem(reader *r, const char *fmt, ...) {
  brink_engine *e = r->h->e;
  va_list ap, again;
  va_start(ap, fmt);
  va_copy(again, ap);
  int len = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  size_t n = strlen(r->kind) + (r->name ? strlen(r->name) + 3 : 0) + 3 +
             (size_t)(len > 0 ? len : 0);
  char *line = brink__alloc(e, n);
  if (line) {
    int k = r->name ? snprintf(line, n, "%s '%s': ", r->kind, r->name)
                    : snprintf(line, n, "%s: ", r->kind);
    vsnprintf(line + k, n - (size_t)k, fmt, again);
    if (brink__diag(e, r->where, line) != BRINK_OK) r->nomem = true;
    brink__free(e, line, n);
  } else {
    r->nomem = true;
  }
  va_end(again);
  r->errors++;
}

/* An engine call refused a declaration: its message, unless it ran out
   of memory, which is no fault of the scenario's. */
static void engine_problem(reader *r) {
  brink_engine *e = r->h->e;
  if (e->errstatus == BRINK_ENOMEM && !e->over_budget) r->nomem = true;
  else problem(r, "%s", brink_errmsg(e));
}

static int cmp_key(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
** The string keys of the table at 'idx' (absolute), all of them, in byte
** order: lua_next follows the hash order, which differs from one process
** to the next.  The array is a userdata left on the stack, so an error
** cannot leak it; the table keeps the strings alive.  Other keys are only
** counted, into *others.
*/
static const char **sorted_keys(lua_State *L, int idx, int *n, int *others) {
  int count = 0;
  *others = 0;
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pop(L, 1);
    if (lua_type(L, -1) == LUA_TSTRING) count++;
    else (*others)++;
  }
  const char **keys = lua_newuserdatauv(L, sizeof *keys *
                                               (size_t)(count ? count : 1), 0);
  *n = 0;
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pop(L, 1);
    if (lua_type(L, -1) == LUA_TSTRING) keys[(*n)++] = lua_tostring(L, -1);
  }
  qsort(keys, (size_t)*n, sizeof *keys, cmp_key);
  return keys;
}

/* Reports fields the form does not know, in a fixed order. */
static void check_keys(reader *r, const char *const *known) {
  lua_State *L = r->L;
  int n, others, nknown = 0;
  while (known[nknown]) nknown++;
  const char **keys = sorted_keys(L, r->spec, &n, &others);
  for (int i = 0; i < others; i++)
    problem(r, "unknown field '(a non-string key)'");
  for (int i = 0; i < n; i++) {
    int k = 0;
    while (k < nknown && strcmp(known[k], keys[i]) != 0) k++;
    if (k < nknown) continue;
    problem(r, "unknown field %s",
            brink__suggest(r->h->e, keys[i], known, nknown));
  }
  lua_pop(L, 1);
}

/* Pushes spec[key]; nil when absent or (after a problem) of the wrong type. */
static int field_of(reader *r, const char *key, int type, const char *expect) {
  lua_State *L = r->L;
  lua_getfield(L, r->spec, key);
  int t = lua_type(L, -1);
  if (t == LUA_TNIL || type == LUA_TNONE || t == type) return t;
  problem(r, "'%s' must be %s, not %s", key, expect, luaL_typename(L, -1));
  lua_pop(L, 1);
  lua_pushnil(L);
  return LUA_TNIL;
}

static const char *opt_string(reader *r, const char *key, const char *def) {
  const char *s = def;
  if (field_of(r, key, LUA_TSTRING, "a string") == LUA_TSTRING)
    s = lua_tostring(r->L, -1);
  lua_pop(r->L, 1);   /* strings stay alive: the spec table holds them */
  return s;
}

static double opt_number(reader *r, const char *key, double def) {
  double v = def;
  if (field_of(r, key, LUA_TNUMBER, "a number") == LUA_TNUMBER)
    v = lua_tonumber(r->L, -1);
  lua_pop(r->L, 1);
  return v;
}

/* A function field as an engine handle (a registry reference), or -1. */
static int opt_function(reader *r, const char *key, bool required) {
  lua_State *L = r->L;
  if (field_of(r, key, LUA_TFUNCTION, "a function") == LUA_TNIL) {
    lua_pop(L, 1);
    if (required) problem(r, "needs '%s = function(...) ... end'", key);
    return -1;
  }
  return luaL_ref(L, LUA_REGISTRYINDEX);
}

static int opt_date(reader *r, const char *key, int32_t *out) {
  const char *s = opt_string(r, key, NULL);
  if (s == NULL) return 0;
  if (brink_date_parse(s, out) != BRINK_OK) {
    problem(r, "'%s' is not a date: '%s' (write YYYY-MM-DD)", key, s);
    return 0;
  }
  return 1;
}

/* Pushes the i-th entry {name, where, spec} of decls[list]; 0 past the end. */
static int begin_entry(reader *r, host *h, int list, int i, const char *kind) {
  lua_State *L = r->L;
  lua_rawgeti(L, list, i);
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    return 0;
  }
  int entry = lua_gettop(L);
  lua_getfield(L, entry, "where");
  r->where = lua_tostring(L, -1);
  lua_pop(L, 1);
  lua_getfield(L, entry, "name");
  r->kind = kind;
  r->name = lua_tostring(L, -1);
  lua_pop(L, 1);
  lua_getfield(L, entry, "spec");
  r->spec = lua_gettop(L);
  r->h = h;
  if (!lua_istable(L, -1)) {
    problem(r, "has no body: write %s", kind);
    lua_pop(L, 1);
    lua_newtable(L);
  }
  return 1;
}

static const char *entry_name(lua_State *L, int spec) {
  lua_getfield(L, spec - 1, "name");
  const char *s = lua_tostring(L, -1);
  lua_pop(L, 1);
  return s;
}

static int turn_unit(const char *s) {
  static const char *const units[] = {"day", "week", "month", "quarter",
                                      "year", NULL};
  for (int i = 0; units[i]; i++)
    if (strcmp(s, units[i]) == 0) return i;
  return -1;
}

static void read_scenario(reader *r, host *h, int decls) {
  lua_State *L = r->L;
  brink_engine *e = h->e;
  lua_getfield(L, decls, "scenario");
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    r->where = h->path;
    r->kind = "scenario";
    r->name = NULL;
    problem(r, "missing: declare scenario { id = ..., start = ..., "
            "finish = ... }");
    return;
  }
  int box = lua_gettop(L);
  lua_getfield(L, box, "where");
  r->where = lua_tostring(L, -1);
  lua_pop(L, 1);
  lua_getfield(L, box, "spec");
  r->spec = lua_gettop(L);
  r->kind = "scenario";
  r->name = NULL;
  static const char *const known[] = {
      "id", "title", "start", "finish", "turn", "seed", "moves_per_turn",
      "default_outcome", "brief", "pass_weight", NULL};
  check_keys(r, known);
  const char *id = opt_string(r, "id", NULL);
  if (id == NULL) problem(r, "needs an 'id'");
  for (const char *const *k = known; *k; k++) {
    const char *v = NULL;
    if (lua_getfield(L, r->spec, *k) == LUA_TSTRING) v = lua_tostring(L, -1);
    if (v && brink__field_set(e, *k, v) != BRINK_OK) engine_problem(r);
    lua_pop(L, 1);
  }
  int32_t start = 0, finish = 0;
  int has_start = opt_date(r, "start", &start);
  int has_finish = opt_date(r, "finish", &finish);
  if (!has_start) problem(r, "needs 'start = \"YYYY-MM-DD\"'");
  if (!has_finish) finish = start;
  const char *unit = opt_string(r, "turn", "month");
  int u = turn_unit(unit);
  if (u < 0) {
    static const char *const units[] = {"day", "week", "month", "quarter",
                                        "year"};
    problem(r, "'turn' must be day, week, month, quarter or year, not %s",
            brink__suggest(e, unit, units, 5));
    u = BRINK_MONTH;
  }
  if (has_start && finish < start)
    problem(r, "'finish' comes before 'start'");
  else if (has_start && brink_calendar_set(e, start, finish, u) != BRINK_OK)
    engine_problem(r);
  double seed = opt_number(r, "seed", 0);
  if (seed < 0 || seed != floor(seed) || seed > 9007199254740992.0)
    problem(r, "'seed' must be a whole number from 0 to 2^53");
  else
    e->scenario_seed = (uint64_t)seed;
  double mpt = opt_number(r, "moves_per_turn", 1);
  if (mpt < 1 || mpt != floor(mpt) || mpt > 1000)
    problem(r, "'moves_per_turn' must be a whole number from 1 to 1000");
  else
    e->moves_per_turn = (int)mpt;
  e->pass_weight = opt_number(r, "pass_weight", 1);
  if (!(e->pass_weight >= 0) || !isfinite(e->pass_weight)) {
    problem(r, "'pass_weight' must be a number of 0 or more");
    e->pass_weight = 1;
  }
  const char *def = opt_string(r, "default_outcome", "end");
  if (strcmp(def, "error") == 0 || !*def)
    problem(r, "'default_outcome' cannot be '%s'", def);
  else if ((e->default_outcome = brink__strdup(e, def)) == NULL)
    r->nomem = true;
  lua_pop(L, 2);
}

static void read_actors(reader *r, host *h, int decls) {
  lua_State *L = r->L;
  brink_engine *e = h->e;
  lua_getfield(L, decls, "actors");
  int list = lua_gettop(L);
  static const char *const known[] = {"name", "brief", NULL};
  for (int i = 1; begin_entry(r, h, list, i, "actor"); i++) {
    check_keys(r, known);
    const char *id = entry_name(L, r->spec);
    if (brink__actor_declare(e, id, opt_string(r, "name", id),
                             opt_string(r, "brief", NULL), NULL) != BRINK_OK)
      engine_problem(r);
    lua_pop(L, 2);
  }
  lua_pop(L, 1);
  if (e->nactors == 0) {
    r->where = h->path;
    r->kind = "scenario";
    r->name = NULL;
    problem(r, "declares no actors: add actor \"ID\" { name = ... }");
  }
}

/* A value for a variable of 'spec' from a Lua value at the stack top. */
static bool var_value(reader *r, const brink_var_spec *s, const char *who,
                      double *out) {
  lua_State *L = r->L;
  int t = lua_type(L, -1);
  switch (s->type) {
  case BRINK_FLAG:
    if (t == LUA_TBOOLEAN) {
      *out = lua_toboolean(L, -1);
      return true;
    }
    problem(r, "init%s%s must be true or false", who ? " for " : "",
            who ? who : "");
    return false;
  case BRINK_ENUM:
    if (t == LUA_TSTRING)
      for (int i = 0; i < s->nvalues; i++)
        if (strcmp(s->values[i], lua_tostring(L, -1)) == 0) {
          *out = i;
          return true;
        }
    problem(r, "init%s%s must be one of its values", who ? " for " : "",
            who ? who : "");
    return false;
  default:
    if (t == LUA_TNUMBER && s->type == BRINK_INTEGER &&
        !exact_integer(L, -1)) {
      problem(r, "init%s%s: %s", who ? " for " : "", who ? who : "", INEXACT);
      return false;
    }
    if (t == LUA_TNUMBER) {
      *out = lua_tonumber(L, -1);
      return true;
    }
    problem(r, "init%s%s must be a number", who ? " for " : "",
            who ? who : "");
    return false;
  }
}

/*
** The entries of the list at the top as strings (NULL for another type),
** in a userdata pushed above it: as many as the list holds, since a cut
** would drop values without a word.
*/
static const char **string_list(reader *r, const char *key, int *n) {
  lua_State *L = r->L;
  size_t len = lua_rawlen(L, -1);
  if (len > INT_MAX) {
    problem(r, "'%s' lists %zu entries; the limit is %d", key, len, INT_MAX);
    len = 0;
  }
  const char **out = lua_newuserdatauv(L, sizeof *out * (len ? len : 1), 0);
  for (size_t i = 0; i < len; i++) {
    lua_rawgeti(L, -2, (lua_Integer)i + 1);
    out[i] = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
    lua_pop(L, 1);
  }
  *n = (int)len;
  return out;
}

static int var_type_of(reader *r, const char *t) {
  static const char *const types[] = {"number", "integer", "flag", "enum"};
  for (int i = 0; i < 4; i++)
    if (strcmp(t, types[i]) == 0) return i;
  problem(r, "unknown type %s", brink__suggest(r->h->e, t, types, 4));
  return BRINK_NUMBER;
}

static void read_var(reader *r, host *h, bool relation) {
  lua_State *L = r->L;
  brink_engine *e = h->e;
  static const char *const known_var[] = {"type", "min", "max", "init",
                                          "values", "visible", "doc", NULL};
  static const char *const known_rel[] = {"type", "min", "max", "init",
                                          "symmetric", "visible", "doc",
                                          NULL};
  int top = lua_gettop(L);
  check_keys(r, relation ? known_rel : known_var);
  brink_var_spec s;
  brink_var_spec_init(&s);
  s.name = entry_name(L, r->spec);
  s.where = r->where;
  s.relation = relation;
  s.type = var_type_of(r, opt_string(r, "type", "number"));
  s.min = opt_number(r, "min", -HUGE_VAL);
  s.max = opt_number(r, "max", HUGE_VAL);
  s.doc = opt_string(r, "doc", NULL);
  if (relation) {
    if (field_of(r, "symmetric", LUA_TBOOLEAN, "a boolean") == LUA_TBOOLEAN)
      s.symmetric = lua_toboolean(L, -1);
    lua_pop(L, 1);
  }
  /* Lists are as long as the script makes them: the arrays live in
     userdata on the stack (freed with it, even by an error). */
  if (s.type == BRINK_ENUM) {
    if (field_of(r, "values", LUA_TTABLE, "a list of strings") == LUA_TTABLE) {
      int n;
      const char **values = string_list(r, "values", &n);
      for (int i = 0; i < n; i++)
        if (values[i]) values[s.nvalues++] = values[i];
        else problem(r, "'values' must list strings");
      s.values = values;
    } else {
      problem(r, "an enum needs values = { \"a\", \"b\", ... }");
    }
  }
  int vt = field_of(r, "visible", LUA_TNONE, NULL);
  if (vt == LUA_TSTRING && strcmp(lua_tostring(L, -1), "owner") == 0) {
    s.visibility = BRINK_VISIBLE_OWNER;
  } else if (vt == LUA_TSTRING && strcmp(lua_tostring(L, -1), "public") == 0) {
    s.visibility = BRINK_VISIBLE_PUBLIC;
  } else if (vt == LUA_TTABLE) {
    s.visibility = BRINK_VISIBLE_LIST;
    int n;
    const char **visible_to = string_list(r, "visible", &n);
    for (int i = 0; i < n; i++)
      if (visible_to[i]) visible_to[s.nvisible++] = visible_to[i];
      else problem(r, "'visible' must list actor ids");
    s.visible_to = visible_to;
  } else if (vt != LUA_TNIL) {
    problem(r, "'visible' must be \"public\", \"owner\" or a list of actors");
  }
  /* init: a value, or a table { default = v, ACTOR = v, ... } */
  double def = s.type == BRINK_NUMBER || s.type == BRINK_INTEGER
                   ? (0 < s.min ? s.min : 0 > s.max ? s.max : 0) : 0;
  s.init = def;
  int it = field_of(r, "init", LUA_TNONE, NULL);
  int init_table = 0;
  if (it == LUA_TTABLE) {
    init_table = lua_gettop(L);
    lua_getfield(L, init_table, "default");
    if (!lua_isnil(L, -1)) var_value(r, &s, NULL, &s.init);
    lua_pop(L, 1);
  } else if (it != LUA_TNIL) {
    var_value(r, &s, NULL, &s.init);
  }
  int decl;
  if (brink_var_declare(e, &s, &decl) != BRINK_OK) {
    engine_problem(r);
  } else if (init_table) {
    /* Per-actor values, in a fixed order so messages are too. */
    int n, others;
    const char **who = sorted_keys(L, init_table, &n, &others);
    for (int i = 0; i < others; i++)
      problem(r, "init keys must be actor ids or 'default'");
    for (int i = 0; i < n; i++) {
      if (strcmp(who[i], "default") == 0) continue;
      lua_getfield(L, init_table, who[i]);
      double v;
      if (var_value(r, &s, who[i], &v) &&
          brink_var_init_for(e, decl, who[i], v) != BRINK_OK)
        engine_problem(r);
      lua_pop(L, 1);
    }
  }
  lua_settop(L, top);
}

static void read_vars(reader *r, host *h, int decls) {
  lua_State *L = r->L;
  lua_getfield(L, decls, "vars");
  int list = lua_gettop(L);
  for (int i = 1;; i++) {
    lua_rawgeti(L, list, i);
    if (lua_isnil(L, -1)) {
      lua_pop(L, 1);
      break;
    }
    lua_getfield(L, -1, "kind");
    bool relation = strcmp(lua_tostring(L, -1), "relation") == 0;
    lua_pop(L, 2);
    begin_entry(r, h, list, i, relation ? "relation" : "var");
    read_var(r, h, relation);
    lua_pop(L, 2);
  }
  lua_pop(L, 1);
}

/* An actor id, or "*" (every actor), or a list of ids, into 'set'. */
static bool actor_set(reader *r, host *h, const char *key, bool *set,
                      bool *all) {
  lua_State *L = r->L;
  brink_engine *e = h->e;
  int t = field_of(r, key, LUA_TNONE, NULL);
  bool ok = true;
  *all = false;
  if (t == LUA_TSTRING && strcmp(lua_tostring(L, -1), "*") == 0) {
    *all = true;
  } else if (t == LUA_TSTRING || t == LUA_TTABLE) {
    int n = t == LUA_TSTRING ? 1 : (int)lua_rawlen(L, -1);
    for (int i = 1; i <= n; i++) {
      if (t == LUA_TTABLE) lua_rawgeti(L, -1, i);
      else lua_pushvalue(L, -1);
      int a;
      if (lua_type(L, -1) != LUA_TSTRING) {
        problem(r, "'%s' must list actor ids", key);
        ok = false;
      } else if (brink__actor_lookup(e, lua_tostring(L, -1), &a)) {
        problem(r, "in '%s': %s", key, brink_errmsg(e));
        ok = false;
      } else {
        set[a] = true;
      }
      lua_pop(L, 1);
    }
  } else {
    ok = false;
    if (t != LUA_TNIL)
      problem(r, "'%s' must be an actor id, a list of ids, or \"*\"", key);
  }
  lua_pop(L, 1);
  return ok;
}

static void read_moves(reader *r, host *h, int decls) {
  lua_State *L = r->L;
  brink_engine *e = h->e;
  static const char *const known[] = {"by", "targets", "doc", "when",
                                      "effect", "weight", NULL};
  /* Scratch owned by Lua: an error may unwind through this loop.  'set'
     holds who may make a move, then (past nactors + 1) its targets. */
  bool *set = lua_newuserdatauv(L, sizeof(bool) * 2 *
                                       (size_t)(e->nactors + 1), 0);
  int *targets = lua_newuserdatauv(L, sizeof(int) *
                                          (size_t)(e->nactors + 1), 0);
  lua_getfield(L, decls, "moves");
  int list = lua_gettop(L);
  for (int i = 1; begin_entry(r, h, list, i, "move"); i++) {
    check_keys(r, known);
    brink__move_spec m = {entry_name(L, r->spec), r->where,
                          opt_string(r, "doc", NULL), false, NULL, NULL, 0,
                          -1, -1, -1};
    memset(set, 0, sizeof(bool) * (size_t)e->nactors);
    lua_getfield(L, r->spec, "by");
    bool has_by = !lua_isnil(L, -1);
    lua_pop(L, 1);
    if (!has_by) problem(r, "needs 'by': an actor, a list of actors, or \"*\"");
    else if (actor_set(r, h, "by", set, &m.by_all) && !m.by_all)
      m.by = set;
    lua_getfield(L, r->spec, "targets");
    bool has_targets = !lua_isnil(L, -1);
    lua_pop(L, 1);
    if (has_targets) {
      bool all;
      bool *chosen = set + e->nactors + 1;
      memset(chosen, 0, sizeof(bool) * (size_t)e->nactors);
      actor_set(r, h, "targets", chosen, &all);
      for (int a = 0; a < e->nactors; a++)
        if (all || chosen[a]) targets[m.ntargets++] = a;
      m.targets = targets;
    }
    m.when = opt_function(r, "when", false);
    m.effect = opt_function(r, "effect", false);
    m.weight = opt_function(r, "weight", false);
    if (brink__move_declare(e, &m) != BRINK_OK)
      engine_problem(r);
    lua_pop(L, 2);
  }
  lua_pop(L, 3);
}

static void read_triggers(reader *r, host *h, int decls) {
  lua_State *L = r->L;
  brink_engine *e = h->e;
  static const char *const known[] = {"at", "every", "when", "effect", "once",
                                      "doc", NULL};
  lua_getfield(L, decls, "triggers");
  int list = lua_gettop(L);
  int32_t first = brink_turn_date(e, 1);
  int32_t last = brink_turn_date(e, brink_turn_count(e) + 1);
  for (int i = 1; begin_entry(r, h, list, i, "trigger"); i++) {
    check_keys(r, known);
    brink__trigger_spec spec = {entry_name(L, r->spec), r->where, INT32_MIN,
                                0, true, -1, -1};
    brink__trigger_spec *t = &spec;
    int32_t at;
    if (opt_date(r, "at", &at)) {
      t->at = at;
      if (at < first || at >= last) {
        char a[16], b[16], c[16];
        brink_date_format(at, a, sizeof a);
        brink_date_format(first, b, sizeof b);
        brink_date_format(last - 1, c, sizeof c);
        problem(r, "'at' %s is outside the calendar (%s to %s)", a, b, c);
      }
    }
    int et = field_of(r, "every", LUA_TNONE, NULL);
    if (et == LUA_TNUMBER) {
      double n = lua_tonumber(L, -1);
      if (!(n >= 1 && n <= INT_MAX) || n != floor(n))
        problem(r, "'every' must be a whole number of turns from 1 to %d",
                INT_MAX);
      else
        t->every = (int)n;
    } else if (et == LUA_TSTRING) {
      static const char *const ends[] = {"month_end", "quarter_end",
                                         "year_end"};
      const char *s = lua_tostring(L, -1);
      for (int k = 0; k < 3; k++)
        if (strcmp(s, ends[k]) == 0) t->every = -1 - k;
      if (t->every == 0) {
        problem(r, "'every' must be a number of turns, \"month_end\", "
                "\"quarter_end\" or \"year_end\", not %s",
                brink__suggest(e, s, ends, 3));
      }
    } else if (et != LUA_TNIL) {
      problem(r, "'every' must be a number or a period end");
    }
    lua_pop(L, 1);
    if (t->at != INT32_MIN && t->every != 0)
      problem(r, "give 'at' or 'every', not both");
    t->once = t->every == 0;
    if (field_of(r, "once", LUA_TBOOLEAN, "a boolean") == LUA_TBOOLEAN)
      t->once = lua_toboolean(L, -1);
    lua_pop(L, 1);
    t->when = opt_function(r, "when", false);
    t->effect = opt_function(r, "effect", false);
    if (brink__trigger_declare(e, t) != BRINK_OK)
      engine_problem(r);
    lua_pop(L, 2);
  }
  lua_pop(L, 1);
}

static void read_simple(reader *r, host *h, int decls) {
  lua_State *L = r->L;
  brink_engine *e = h->e;
  static const char *const known_event[] = {"effect", "doc", NULL};
  static const char *const known_outcome[] = {"when", "doc", NULL};
  static const char *const known_policy[] = {"actor", "choose", "doc", NULL};
  lua_getfield(L, decls, "events");
  int list = lua_gettop(L);
  for (int i = 1; begin_entry(r, h, list, i, "event"); i++) {
    check_keys(r, known_event);
    brink__named_spec v = {entry_name(L, r->spec), r->where, NULL,
                           opt_function(r, "effect", true), -1};
    if (brink__event_declare(e, &v) != BRINK_OK)
      engine_problem(r);
    lua_pop(L, 2);
  }
  lua_pop(L, 1);
  lua_getfield(L, decls, "outcomes");
  list = lua_gettop(L);
  for (int i = 1; begin_entry(r, h, list, i, "outcome"); i++) {
    check_keys(r, known_outcome);
    brink__named_spec o = {entry_name(L, r->spec), r->where,
                           opt_string(r, "doc", NULL),
                           opt_function(r, "when", false), -1};
    if (brink__outcome_declare(e, &o) != BRINK_OK)
      engine_problem(r);
    lua_pop(L, 2);
  }
  lua_pop(L, 1);
  lua_getfield(L, decls, "policies");
  list = lua_gettop(L);
  for (int i = 1; begin_entry(r, h, list, i, "policy"); i++) {
    check_keys(r, known_policy);
    brink__named_spec p = {entry_name(L, r->spec), r->where, NULL, -1, -1};
    const char *actor = opt_string(r, "actor", NULL);
    if (actor && brink__actor_lookup(e, actor, &p.actor) != BRINK_OK)
      engine_problem(r);
    p.fn = opt_function(r, "choose", true);
    if (brink__policy_declare(e, &p) != BRINK_OK)
      engine_problem(r);
    lua_pop(L, 2);
  }
  lua_pop(L, 1);
  lua_getfield(L, decls, "hooks");
  list = lua_gettop(L);
  for (int i = 1;; i++) {
    if (lua_rawgeti(L, list, i) == LUA_TNIL) {
      lua_pop(L, 1);
      break;
    }
    lua_getfield(L, -1, "hook");
    int when = strcmp(lua_tostring(L, -1), "turn_start") == 0
                   ? BRINK__TURN_START : BRINK__TURN_END;
    lua_getfield(L, -2, "where");
    lua_getfield(L, -3, "fn");
    int fn = luaL_ref(L, LUA_REGISTRYINDEX);
    if (brink__hook_add(e, when, fn, lua_tostring(L, -1)) != BRINK_OK)
      engine_problem(r);
    lua_pop(L, 3);
  }
  lua_pop(L, 1);
}

/* Runs inside a protected call: the declarations, then the seal. */
static int commit(lua_State *L) {
  host *h = lua_touserdata(L, 1);
  brink_engine *e = h->e;
  reader r = {h, L, 0, "", "scenario", NULL, 0, false};
  lua_rawgeti(L, LUA_REGISTRYINDEX, h->decls_ref);
  int decls = lua_gettop(L);
  read_scenario(&r, h, decls);
  read_actors(&r, h, decls);
  if (e->nactors) {
    read_vars(&r, h, decls);
    read_moves(&r, h, decls);
    read_triggers(&r, h, decls);
    read_simple(&r, h, decls);
  }
  lua_rawgeti(L, LUA_REGISTRYINDEX, h->env);
  lua_getfield(L, -1, "score");
  h->score = -1;
  if (lua_isfunction(L, -1)) h->score = luaL_ref(L, LUA_REGISTRYINDEX);
  else lua_pop(L, 1);
  lua_pop(L, 1);
  /* Sealing finds more problems (bounds, clashes) even after others. */
  int before = e->ndiags;
  if (e->nactors && brink_world_seal(e) != BRINK_OK) {
    r.errors++;
    if (e->errstatus == BRINK_ENOMEM && !e->over_budget) r.nomem = true;
    /* Running out (of the budget, most likely) leaves no finding. */
    if (e->ndiags == before) brink__diag(e, h->path, brink_errmsg(e));
  }
  if (r.nomem) brink__box_nomem(L);
  lua_pushinteger(L, r.errors);
  return 1;
}

/* the engine's script host ------------------------------------------------ */

/* Where the running function was declared, for errors raised outside it. */
static const char *declared_at(const brink_engine *e, const brink__call *c) {
  switch (c->in) {
  case BRINK__IN_MOVE: case BRINK__IN_WEIGHT: return e->moves[c->index].where;
  case BRINK__IN_TRIGGER: return e->triggers[c->index].where;
  case BRINK__IN_EVENT: return e->events[c->index].where;
  case BRINK__IN_HOOK: return e->hooks[c->index].where;
  case BRINK__IN_OUTCOME: return e->outcomes[c->index].where;
  case BRINK__IN_POLICY: return e->policies[c->index].where;
  default: return NULL;
  }
}

static int call(host *h, int nargs, int nresults) {
  if (h->box.depth == 0) {
    brink__strfree(h->e, h->nested_in);
    h->nested_in = NULL;
  }
  int rc = brink__box_pcall(&h->box, nargs, nresults, h->where,
                            sizeof h->where, h->msg, sizeof h->msg);
  if (rc != BRINK_OK) {
    const char *decl = declared_at(h->e, &h->e->current);
    if (h->where[0] == '\0' && decl)
      snprintf(h->where, sizeof h->where, "%s", decl);
    brink__script_error(h->e, rc, h->where, h->msg);
    /* An event that failed inside fire() is where the error is. */
    if (h->nested_in) brink__errin_set(h->e, h->nested_in);
  }
  return rc;
}

/*
** One call into a script, described for the trampoline below.  Everything
** that may allocate (the arguments, an options list, decoded event data,
** the reading of results) happens inside the protected call, so running
** out of memory is an ordinary error, never a panic.
*/
typedef struct request {
  host *h;
  int fn;                   /* registry reference of the function */
  const brink__call *c;
  const int *options;       /* policies: the legal options */
  int n;
  const char *actor;        /* score: the actor's id */
  double value;             /* out: a condition's or weight's value */
  int chosen;               /* out: the policy's pick, or -1 */
  int kind;                 /* what to read from the results */
} request;

enum { RUN, EVAL, WEIGH, CHOOSE, SCORE };

/* The index of the option a policy returned: one of its tables, a table
   with the same move and target, or a move's name. */
static int match_choice(lua_State *L, host *h, const request *q, int ret) {
  brink_engine *e = h->e;
  int t = lua_type(L, ret);
  lua_rawgeti(L, LUA_REGISTRYINDEX, h->opts);
  int opts = lua_gettop(L);
  for (int i = 0; i < q->n; i++) {
    const brink__option *o = &e->options[q->options[i]];
    if (t == LUA_TSTRING) {
      if (strcmp(lua_tostring(L, ret), e->moves[o->move].name) == 0) return i;
      continue;
    }
    if (t != LUA_TTABLE) return -1;
    lua_rawgeti(L, opts, q->options[i] + 1);
    bool same = lua_rawequal(L, -1, ret);
    lua_pop(L, 1);
    if (same) return i;
    lua_getfield(L, ret, "move");
    lua_getfield(L, ret, "target");
    const char *move = lua_tostring(L, -2), *target = lua_tostring(L, -1);
    same = move && strcmp(move, e->moves[o->move].name) == 0 &&
           (target ? o->target >= 0 &&
                         strcmp(target, e->actors[o->target].id) == 0
                   : o->target < 0);
    lua_pop(L, 2);
    if (same) return i;
  }
  return -1;
}

/* The reason at index 2, as long as the script made it: it is what a
   seated player is shown. */
static void keep_reason(lua_State *L, host *h) {
  size_t len;
  const char *text = lua_tolstring(L, 2, &len);
  if (len >= h->reason_cap) {
    char *bigger = brink__realloc(h->e, h->reason, h->reason_cap, len + 1);
    if (bigger == NULL) brink__box_nomem(L);
    h->reason = bigger;
    h->reason_cap = len + 1;
  }
  memcpy(h->reason, text, len + 1);
}

static int trampoline(lua_State *L) {
  request *q = lua_touserdata(L, 1);
  host *h = q->h;
  const brink__call *c = q->c;
  lua_settop(L, 0);
  lua_rawgeti(L, LUA_REGISTRYINDEX, q->fn);
  lua_rawgeti(L, LUA_REGISTRYINDEX, h->w);
  if (q->kind == CHOOSE) {
    lua_createtable(L, q->n, 0);
    lua_rawgeti(L, LUA_REGISTRYINDEX, h->opts);
    for (int i = 0; i < q->n; i++) {
      lua_rawgeti(L, -1, q->options[i] + 1);
      lua_rawseti(L, -3, i + 1);
    }
    lua_pop(L, 1);
  } else if (q->kind == SCORE) {
    lua_pushstring(L, q->actor);
  } else if (c->option >= 0) {
    lua_rawgeti(L, LUA_REGISTRYINDEX, h->opts);
    lua_rawgeti(L, -1, c->option + 1);
    lua_remove(L, -2);
  } else if (c->in == BRINK__IN_EVENT) {
    if (c->data) {
      lua_rawgeti(L, LUA_REGISTRYINDEX, h->decode);
      lua_pushstring(L, c->data);
      lua_call(L, 1, 1);
    } else {
      lua_pushnil(L);
    }
  }
  lua_call(L, lua_gettop(L) - 1, 2);
  switch (q->kind) {
  case EVAL:
    q->value = lua_toboolean(L, 1);
    if (!q->value && lua_type(L, 2) == LUA_TSTRING)
      keep_reason(L, h);
    break;
  case WEIGH:
  case SCORE:
    if (lua_type(L, 1) != LUA_TNUMBER)
      return luaL_error(L, "%s must return a number, not %s",
                        q->kind == WEIGH ? "weight" : "score",
                        luaL_typename(L, 1));
    q->value = lua_tonumber(L, 1);
    break;
  case CHOOSE:
    q->chosen = match_choice(L, h, q, 1);
    break;
  default:
    break;
  }
  return 0;
}

static int invoke(host *h, request *q) {
  lua_State *L = h->box.L;
  if (h->reason) h->reason[0] = '\0';
  lua_pushcfunction(L, trampoline);
  lua_pushlightuserdata(L, q);
  return call(h, 1, 0);
}

static int host_eval(void *ud, int fn, const brink__call *c, double *value,
                     const char **reason) {
  host *h = ud;
  request q = {h, fn, c, NULL, 0, NULL, 0, -1,
               c->in == BRINK__IN_WEIGHT ? WEIGH : EVAL};
  int rc = invoke(h, &q);
  *value = q.value;
  *reason = h->reason && h->reason[0] ? h->reason : NULL;
  return rc;
}

static int host_run(void *ud, int fn, const brink__call *c) {
  request q = {ud, fn, c, NULL, 0, NULL, 0, -1, RUN};
  return invoke(ud, &q);
}

static int host_choose(void *ud, int fn, const brink__call *c,
                       const int *options, int n, int *chosen) {
  request q = {ud, fn, c, options, n, NULL, 0, -1, CHOOSE};
  int rc = invoke(ud, &q);
  *chosen = q.chosen;
  return rc;
}

static void host_free(host *h) {
  brink_engine *e = h->e;
  e->script_mem = NULL;
  brink__box_close(&h->box);
  for (int i = 0; i < h->nfields; i++)
    if (h->fields[i].slot)
      brink__free(e, h->fields[i].slot,
                  sizeof(int) * (size_t)(e->nactors ? e->nactors : 1));
  if (h->fields)
    brink__free(e, h->fields, sizeof(field) * (size_t)(e->ndecls + 1));
  brink__free(e, h->recs, sizeof(name_rec) * (size_t)h->cap_recs);
  brink__map_free(e, &h->long_recs);
  brink__strfree(e, h->nested_in);
  brink__free(e, h->reason, h->reason_cap);
  brink__strfree(e, h->path);
  brink__free(e, h->text, h->len + 1);
  brink__free(e, h, sizeof *h);
}

static void host_close(void *ud) { host_free(ud); }

static int host_charge(void *ud, int64_t bytes, int64_t work) {
  host *h = ud;
  return brink__box_hold(&h->box, bytes, work);
}

static int host_clone(void *ud, brink_engine *from, brink_engine *to) {
  host *h = ud;
  (void)from;
  return brink_load_string(to, h->path, h->text, h->len);
}

/* loading ----------------------------------------------------------------- */

static int load_embedded(host *h, const brink__embedded *f, int env,
                         const char *chunkname) {
  return brink__box_load(&h->box, f->text, f->len, chunkname, env);
}

typedef struct dump_buf {
  brink_engine *e;
  char *p;
  size_t len, cap;
  bool failed;
} dump_buf;

static int dump_writer(lua_State *L, const void *p, size_t n, void *ud) {
  dump_buf *b = ud;
  (void)L;
  if (b->len + n > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + n) cap *= 2;
    char *bigger = brink__realloc(b->e, b->p, b->cap, cap);
    if (bigger == NULL) {
      b->failed = true;
      return 1;
    }
    b->p = bigger;
    b->cap = cap;
  }
  memcpy(b->p + b->len, p, n);
  b->len += n;
  return 0;
}

typedef struct lint_ctx {
  host *h;
  int found;
  bool nomem;
  char src[LUA_IDSIZE];   /* the function being read */
  brink__map seen;        /* diagnostics so far, by text */
  int nseen;              /* how many of them are in 'seen' */
} lint_ctx;

/* A finding, once: closures of one function report the same lines.  The
   diagnostics are looked up by text, not scanned, per finding. */
static void add_finding(lint_ctx *c, const char *where, const char *message) {
  brink_engine *e = c->h->e;
  for (; c->nseen < e->ndiags; c->nseen++)
    if (brink__map_put(e, &c->seen, e->diags[c->nseen], 0) != BRINK_OK) {
      c->nomem = true;
      return;
    }
  size_t n = strlen(where) + strlen(message) + 3;
  char *line = brink__alloc(e, n);
  if (line == NULL) {
    c->nomem = true;
    return;
  }
  snprintf(line, n, "%s: %s", where, message);
  bool known = brink__map_get(&c->seen, line) >= 0;
  brink__free(e, line, n);
  if (known) return;
  if (brink__diag(e, where, message) == BRINK_OK) c->found++;
  else c->nomem = true;
}

static void add_lint(void *ud, int line, const char *fmt, int alen,
                     const char *a, int blen, const char *b) {
  lint_ctx *c = ud;
  brink_engine *e = c->h->e;
  int n = snprintf(NULL, 0, fmt, alen, a, blen, b);
  char *message = n >= 0 ? brink__alloc(e, (size_t)n + 1) : NULL;
  if (message == NULL) {
    c->nomem = true;
    return;
  }
  snprintf(message, (size_t)n + 1, fmt, alen, a, blen, b);
  char where[LUA_IDSIZE + 16];
  snprintf(where, sizeof where, "%s:%d", c->src, line);
  add_finding(c, where, message);
  brink__free(e, message, (size_t)n + 1);
}

/* "file:line" for a value refused by the freeze: the function holding it,
   else where its coroutine stands or starts. */
static void refused_where(lua_State *L, host *h, int obj, int via,
                          char *buf, size_t cap) {
  lua_Debug ar;
  lua_State *co = NULL;
  if (via) {
    lua_pushvalue(L, via);
    lua_getinfo(L, ">S", &ar);
    snprintf(buf, cap, "%s:%d", ar.short_src, ar.linedefined);
    return;
  }
  if (lua_type(L, obj) == LUA_TTHREAD) {
    co = lua_tothread(L, obj);
  } else if (lua_getupvalue(L, obj, 1)) {
    co = lua_tothread(L, -1);
    lua_pop(L, 1);
  }
  if (co && lua_getstack(co, 0, &ar) && lua_getinfo(co, "Sl", &ar)) {
    snprintf(buf, cap, "%s:%d", ar.short_src, ar.currentline);
    return;
  }
  if (co && lua_status(co) == LUA_OK && lua_gettop(co) > 0 &&
      lua_isfunction(co, 1) && lua_checkstack(co, 1)) {
    lua_pushvalue(co, 1);
    lua_getinfo(co, ">S", &ar);
    snprintf(buf, cap, "%s:%d", ar.short_src, ar.linedefined);
    return;
  }
  snprintf(buf, cap, "%s:1", h->path);
}

static void visit(void *ud, lua_State *L, int fn, int via,
                  const char *problem) {
  lint_ctx *c = ud;
  if (problem) {
    char where[1100];
    refused_where(L, c->h, fn, via, where, sizeof where);
    add_finding(c, where, problem);
    return;
  }
  lua_Debug ar;
  lua_pushvalue(L, fn);
  lua_getinfo(L, ">S", &ar);
  snprintf(c->src, sizeof c->src, "%s", ar.short_src);
  dump_buf b = {c->h->e, NULL, 0, 0, false};
  lua_pushvalue(L, fn);
  if (lua_dump(L, dump_writer, &b, 0) != 0 || b.failed)
    c->nomem = true;
  else if (brink__lint(b.p, b.len, add_lint, c) != 0)
    add_lint(c, ar.linedefined, "cannot read this function's compiled code "
             "to check what it assigns", 0, "", 0, "");
  lua_pop(L, 1);
  brink__free(c->h->e, b.p, b.cap);
}

/*
** Freezes what loading made, the environment, the declarations and the
** imports (args: host, the prelude's private table), and reads each
** function it finds for assignments a run could not make: [-2, +1] the
** number of findings.
*/
static int seal(lua_State *L) {
  host *h = lua_touserdata(L, 1);
  lint_ctx c = {h, 0, false, "", {0}, 0};
  lua_rawgeti(L, LUA_REGISTRYINDEX, h->env);
  lua_rawgeti(L, LUA_REGISTRYINDEX, h->decls_ref);
  lua_getfield(L, 2, "imports");
  int status = brink__box_freeze(L, 3, visit, &c);
  brink__map_free(h->e, &c.seen);
  if (status != LUA_OK) {
    brink__box_check(L, status);
    return lua_error(L);
  }
  if (c.nomem) brink__box_nomem(L);
  lua_pushinteger(L, c.found);
  return 1;
}

static long diag_line(const char *d) {
  const char *colon = strchr(d, ':');
  return colon ? strtol(colon + 1, NULL, 10) : 0;
}

typedef struct ranked {
  long line;
  int order;
  char *text;
} ranked;

static int cmp_ranked(const void *a, const void *b) {
  const ranked *x = a, *y = b;
  if (x->line != y->line) return x->line < y->line ? -1 : 1;
  return (x->order > y->order) - (x->order < y->order);
}

/*
** Findings in the order of the file, whatever order they were found in;
** those of one line keep theirs.  A sort, not insertion: a check may list
** a finding for each of 10^5 declarations.  Without memory for the keys
** they stay as found.
*/
static void sort_diags(brink_engine *e) {
  size_t n = (size_t)e->ndiags;
  ranked *r = brink__alloc(e, sizeof *r * (n ? n : 1));
  if (r) {
    for (size_t i = 0; i < n; i++)
      r[i] = (ranked){diag_line(e->diags[i]), (int)i, e->diags[i]};
    qsort(r, n, sizeof *r, cmp_ranked);
    for (size_t i = 0; i < n; i++) e->diags[i] = r[i].text;
    brink__free(e, r, sizeof *r * (n ? n : 1));
  }
  for (int i = 0; i < e->ndiags; i++)
    if (!strstr(e->diags[i], ": warning: ")) {
      brink__error(e, BRINK_ESCRIPT, "%s", e->diags[i]);
      break;
    }
}

/* Builds the environment, runs the prelude and the scenario, then commits
   the declarations.  Every problem becomes a diagnostic. */
/*
** Builds the scenario's environment and the prelude's private table P,
** inside a protected call: [-1, +2] host -> env, P.
*/
static int setup(lua_State *L) {
  host *h = lua_touserdata(L, 1);
  lua_settop(L, 0);
  date_metatable(L, h);
  lua_newtable(L);
  h->anchors = luaL_ref(L, LUA_REGISTRYINDEX);
  if (brink__box_env(&h->box) != BRINK_OK) return lua_error(L);
  int env = lua_gettop(L);
  lua_pushvalue(L, env);
  h->env = luaL_ref(L, LUA_REGISTRYINDEX);
  add_function(L, h, "date", date_new);
  add_function(L, h, "chance", l_chance);
  add_function(L, h, "random", l_random);
  add_function(L, h, "normal", l_normal);
  add_function(L, h, "pick", l_pick);
  lua_getfield(L, env, "math");
  lua_getfield(L, env, "random");
  lua_setfield(L, -2, "random");
  lua_pop(L, 1);
  lua_newtable(L);
  int P = lua_gettop(L);
  add_function(L, h, "where", p_where);
  add_function(L, h, "news", p_news);
  add_function(L, h, "schedule", p_schedule);
  add_function(L, h, "fire", p_fire);
  add_function(L, h, "end_scenario", p_end_scenario);
  add_function(L, h, "read_import", p_read_import);
  lua_pushboolean(L, 1);
  lua_setfield(L, P, "loading");
  lua_newtable(L);
  static const char *const lists[] = {"actors", "vars", "moves", "triggers",
                                      "events", "outcomes", "policies",
                                      "hooks", NULL};
  for (int i = 0; lists[i]; i++) {
    lua_newtable(L);
    lua_setfield(L, -2, lists[i]);
  }
  lua_pushvalue(L, -1);
  h->decls_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_setfield(L, P, "decls");
  return 2;
}

/* The proxies and option tables, once the world is sealed: [-1, +0]. */
static int build(lua_State *L) {
  host *h = lua_touserdata(L, 1);
  if (build_names(h, L) != BRINK_OK) {
    if (!h->e->over_budget) return luaL_error(L, "not enough memory");
    brink__error(h->e, BRINK_ENOMEM, "out of memory");   /* the budget's */
    return luaL_error(L, "%s", brink_errmsg(h->e));
  }
  build_options(h, L);
  return 0;
}

static int load(host *h, const char *text, size_t len) {
  brink_engine *e = h->e;
  lua_State *L = h->box.L;
  lua_pushcfunction(L, setup);
  lua_pushlightuserdata(L, h);
  if (call(h, 1, 2) != BRINK_OK) {
    brink__diag(e, h->where, h->msg);
    return BRINK_ENOMEM;
  }
  int env = lua_gettop(L) - 1, P = lua_gettop(L);
  h->loading = true;
  int rc = load_embedded(h, &brink__prelude[0], env, "=prelude");
  if (rc == BRINK_OK) {
    lua_pushvalue(L, env);
    lua_pushvalue(L, P);
    rc = call(h, 2, 0);
  }
  if (rc == BRINK_OK && brink__box_trust(L, env) != LUA_OK) {
    rc = BRINK_ENOMEM;
    brink__diag(e, "", "not enough memory");
    lua_pop(L, 1);
  }
  if (rc == BRINK_OK) {
    lua_getfield(L, P, "decode");
    h->decode = luaL_ref(L, LUA_REGISTRYINDEX);
    /* Lua shows a path's end: a cut chunk name would name another file. */
    size_t n = strlen(h->path) + 2;
    char *chunkname = brink__alloc(e, n);
    if (chunkname) {
      snprintf(chunkname, n, "@%s", h->path);
      rc = brink__box_load(&h->box, text, len, chunkname, env);
      brink__free(e, chunkname, n);
    }
    if (chunkname == NULL) {
      rc = BRINK_ENOMEM;
      brink__diag(e, "", "not enough memory");
    } else if (rc != BRINK_OK) {
      /* A syntax error: "file:line: message" on the stack. */
      brink__diag(e, "", lua_tostring(L, -1));
      brink__error(e, BRINK_ESCRIPT, "%s", lua_tostring(L, -1));
      lua_pop(L, 1);
    } else if ((rc = call(h, 0, 0)) != BRINK_OK) {
      brink__diag(e, h->where, h->msg);
    }
  }
  lua_pushboolean(L, 0);
  lua_setfield(L, P, "loading");
  h->loading = false;
  if (rc == BRINK_OK) {
    lua_pushcfunction(L, commit);
    lua_pushlightuserdata(L, h);
    /* The world the declarations make shares the script's budget. */
    e->metering = true;
    rc = call(h, 1, 1);
    e->metering = false;
    if (rc == BRINK_OK) {
      int errors = (int)lua_tointeger(L, -1);
      lua_pop(L, 1);
      lua_pushcfunction(L, seal);
      lua_pushlightuserdata(L, h);
      lua_pushvalue(L, P);
      rc = call(h, 2, 1);
      if (rc == BRINK_OK) {
        errors += (int)lua_tointeger(L, -1);
        lua_pop(L, 1);
      } else {
        brink__diag(e, h->where, h->msg);
      }
      if (errors && rc == BRINK_OK) {
        rc = BRINK_ESCRIPT;
        brink__error(e, rc, "%s", e->ndiags ? e->diags[0] : "invalid scenario");
      }
    } else {
      brink__diag(e, h->where, h->msg);
    }
  }
  sort_diags(e);
  if (rc == BRINK_OK) {
    lua_pushcfunction(L, build);
    lua_pushlightuserdata(L, h);
    e->metering = true;
    rc = call(h, 1, 0);
    e->metering = false;
    if (rc != BRINK_OK) brink__diag(e, h->path, h->msg);
  }
  lua_settop(L, 0);
  return rc;
}

static int load_text(brink_engine *e, const char *path, const char *text,
                     size_t len) {
  if (e->sealed || e->host.ud || e->nactors)
    return brink__error(e, BRINK_ESTATE, "the engine already has a scenario");
  brink__diag_clear(e);
  host *h = brink__alloc(e, sizeof *h);
  if (h == NULL) return brink__error(e, BRINK_ENOMEM, "out of memory");
  memset(h, 0, sizeof *h);
  h->e = e;
  h->path = brink__strdup(e, path);
  h->text = brink__alloc(e, len + 1);
  if (!h->path || !h->text) {
    brink__strfree(e, h->path);
    brink__free(e, h->text, len + 1);
    brink__free(e, h, sizeof *h);
    return brink__error(e, BRINK_ENOMEM, "out of memory");
  }
  memcpy(h->text, text, len);
  h->text[len] = '\0';
  h->len = len;
  int rc = brink__box_open(&h->box, e->alloc, e->alloc_ud,
                           e->cfg.max_instructions, e->cfg.max_memory,
                           e->cfg.max_seconds);
  if (rc != BRINK_OK) {
    brink__strfree(e, h->path);
    brink__free(e, h->text, len + 1);
    brink__free(e, h, sizeof *h);
    return brink__error(e, rc, "cannot open a Lua state: out of memory");
  }
  e->script_mem = &h->box.mem_used;
  unsigned failures = e->alloc_failures;
  locale_t old = brink__locale_enter(e);
  rc = load(h, text, len);
  brink__locale_leave(old);
  /* Some paths report a refused allocation as a problem with the
     scenario, or not at all; a load that saw one is a memory failure. */
  if (e->alloc_failures != failures && rc != BRINK_ENOMEM) {
    brink__diag_clear(e);
    rc = brink__error(e, BRINK_ENOMEM, "out of memory while loading %s",
                      path);
  }
  if (rc != BRINK_OK) {
    /* The engine is empty again; the diagnostics and message stay. */
    host_free(h);
    brink__engine_reset(e);
    return rc;
  }
  e->host = (brink__host){h, host_eval, host_run, host_choose, host_clone,
                          host_close, host_charge};
  return BRINK_OK;
}

BRINK_API int brink_load_string(brink_engine *e, const char *name,
                                const char *text, size_t len) {
  if (name == NULL || text == NULL)
    return brink__error(e, BRINK_EINVAL, "name and text are needed");
  return load_text(e, name, text, len);
}

BRINK_API int brink_load_file(brink_engine *e, const char *path) {
  if (path == NULL) return brink__error(e, BRINK_EINVAL, "path is NULL");
  FILE *f = fopen(path, "rb");
  if (f == NULL)
    return brink__error(e, BRINK_EIO, "cannot open %s: %s", path,
                        strerror(errno));
  size_t cap = 4096, len = 0;
  char *buf = brink__alloc(e, cap);
  for (size_t n; buf && (n = fread(buf + len, 1, cap - len, f)) > 0;) {
    len += n;
    if (len == cap) {
      char *bigger = cap < ((size_t)64 << 20)
                         ? brink__realloc(e, buf, cap, cap * 2) : NULL;
      if (bigger == NULL) {
        brink__free(e, buf, cap);
        buf = NULL;
        break;
      }
      buf = bigger;
      cap *= 2;
    }
  }
  int bad = ferror(f);
  fclose(f);
  if (buf == NULL)
    return brink__error(e, BRINK_ENOMEM, "%s is too large to load", path);
  if (bad) {
    brink__free(e, buf, cap);
    return brink__error(e, BRINK_EIO, "cannot read %s", path);
  }
  int rc = load_text(e, path, buf, len);
  brink__free(e, buf, cap);
  return rc;
}

BRINK_API int brink_score(brink_engine *e, int actor, double *out) {
  host *h = e->host.ud;
  if (out) *out = 0;
  if (h == NULL || h->score < 0)
    return brink__error(e, BRINK_ENOTFOUND, "the scenario defines no score");
  if (actor < 0 || actor >= e->nactors)
    return brink__error(e, BRINK_EINVAL, "no actor has id %d", actor);
  if (e->nmarks)
    return brink__error(e, BRINK_ESTATE, "a transaction is open");
  brink__call saved = e->current;
  e->current = (brink__call){BRINK__IN_NONE, 0, -1, actor, -1, NULL};
  e->read_only = true;
  request q = {h, h->score, &e->current, NULL, 0, e->actors[actor].id, 0, -1,
               SCORE};
  locale_t old = brink__locale_enter(e);
  int rc = invoke(h, &q);
  brink__locale_leave(old);
  e->read_only = false;
  e->current = saved;
  if (rc != BRINK_OK) return rc;
  double v = q.value;
  if (!isfinite(v))
    return brink__error(e, BRINK_ESCRIPT, "score(w, '%s') must return a "
                        "finite number", e->actors[actor].id);
  if (out) *out = v;
  return BRINK_OK;
}

BRINK_API const char *brink_scenario_path(const brink_engine *e) {
  const host *h = e->host.ud;
  return h ? h->path : "";
}

BRINK_API const char *brink_scenario_text(const brink_engine *e,
                                          size_t *len) {
  const host *h = e->host.ud;
  if (len) *len = h ? h->len : 0;
  return h ? h->text : "";
}
