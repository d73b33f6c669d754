/*
** scenario_lib.c: the functions a scenario calls (date, chance, random,
** normal, pick) and the primitives the prelude builds the language on
** (where, news, schedule, fire, end_scenario, read_import).
*/
#include <lauxlib.h>
#include <lua.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "embedded.h"
#include "scenario.h"

/* dates ------------------------------------------------------------------ */

typedef struct date_ud {
  int32_t days;
} date_ud;

static const char *const DATE = "brink.date";

void brink__sc_push_date(lua_State *L, int32_t days) {
  date_ud *d = lua_newuserdatauv(L, sizeof *d, 0);
  d->days = days;
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
  brink__sc_push_date(L, to_days(L, 1));
  return 1;
}

/* The turn whose period holds the date, or nil outside the calendar. */
static int date_turn(lua_State *L, host *h, int32_t days) {
  brink_engine *e = h->e;
  int lo = 1, hi = brink_turn_count(e);
  /* The current turn's own date (w.date.turn): no search. */
  int now = brink_turn(e);
  if (brink__fast(e) && now >= 1 && now <= hi && days == brink_date(e)) {
    lua_pushinteger(L, now);
    return 1;
  }
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

/* A date's use in a condition: all of it, unless only its year. */
static void date_used(lua_State *L) {
  host *h = lua_touserdata(L, lua_upvalueindex(1));
  if (h) brink__note_date_read(h->e);
}

static int date_index(lua_State *L) {
  host *h = HOST(L);
  int32_t days = to_days(L, 1);
  const char *k = luaL_checkstring(L, 2);
  if (strcmp(k, "year") == 0) brink__note_date_year(h->e);
  else brink__note_date_read(h->e);
  /* The last date asked about, converted once (w.date is one per turn). */
  if (!h->civil_ok || h->civil_days != days || !brink__fast(h->e)) {
    brink_date_civil(days, &h->civil[0], &h->civil[1], &h->civil[2]);
    h->civil_days = days;
    h->civil_ok = true;
  }
  int32_t y = h->civil[0], m = h->civil[1], d = h->civil[2];
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
  date_used(L);
  brink_date_format(to_days(L, 1), buf, sizeof buf);
  lua_pushstring(L, buf);
  return 1;
}

static int date_eq(lua_State *L) {
  date_used(L);
  lua_pushboolean(L, to_days(L, 1) == to_days(L, 2));
  return 1;
}

static int date_lt(lua_State *L) {
  date_used(L);
  lua_pushboolean(L, to_days(L, 1) < to_days(L, 2));
  return 1;
}

static int date_le(lua_State *L) {
  date_used(L);
  lua_pushboolean(L, to_days(L, 1) <= to_days(L, 2));
  return 1;
}

static int date_concat(lua_State *L) {
  date_used(L);
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
  lua_pushlightuserdata(L, h);
  luaL_setfuncs(L, ops, 1);
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
  if (brink__read_only(e) && brink__current(e)->in != BRINK__IN_POLICY)
    luaL_error(L, "conditions draw no random numbers: %s is not allowed "
               "here", what);
  if (h->loading || !brink__running(e))
    luaL_error(L, "%s can only be used while the scenario runs", what);
  return e;
}

/*
** A string after the numbers names the stream to draw from (chance(p,
** "weather"), random("intel"), random(1, 6, "dice")); NULL: the run's own
** stream.  *nargs is the count of the other arguments.  The name stays on
** the stack, alive, while the draw reads it.
*/
static const char *stream_arg(lua_State *L, int *nargs) {
  int top = lua_gettop(L);
  *nargs = top;
  if (top == 0 || lua_type(L, top) != LUA_TSTRING) return NULL;
  /* random(1, "6") would otherwise draw from a stream called "6". */
  if (lua_isnumber(L, top))
    luaL_error(L, "'%s' is a number written as a string, not a stream name: "
               "a stream is named by letters (random(1, 6, \"weather\"))",
               lua_tostring(L, top));
  *nargs = top - 1;
  return lua_tostring(L, top);
}

/* Draws through the engine: a bad stream name is the script's error. */
static void drawn(lua_State *L, brink_engine *e, int rc) {
  if (rc != BRINK_OK) luaL_error(L, "%s", brink_errmsg(e));
}

static int l_chance(lua_State *L) {
  brink_engine *e = drawing(L, "chance()");
  int n;
  const char *stream = stream_arg(L, &n);
  double p = luaL_checknumber(L, 1);
  /* A facilitator's /odds for this move's effect replaces the script's. */
  brink__odds_now(e, &p);
  int hit;
  drawn(L, e, brink_chance_in(e, stream, p, &hit));
  lua_pushboolean(L, hit);
  return 1;
}

static int l_random(lua_State *L) {
  brink_engine *e = drawing(L, "random()");
  int n;
  const char *stream = stream_arg(L, &n);
  lua_Integer lo, hi;
  double x;
  switch (n) {
  case 0:
    drawn(L, e, brink_random_in(e, stream, &x));
    lua_pushnumber(L, x);
    return 1;
  case 1:
    lo = 1;
    hi = luaL_checkinteger(L, 1);
    if (hi == 0) {   /* as in Lua 5.4: an integer, all 64 bits random */
      lo = LUA_MININTEGER;
      hi = LUA_MAXINTEGER;
    }
    break;
  case 2: lo = luaL_checkinteger(L, 1); hi = luaL_checkinteger(L, 2); break;
  default:
    return luaL_error(L, "random() takes 0, 1 or 2 numbers (and a stream)");
  }
  luaL_argcheck(L, lo <= hi, n, "interval is empty");
  int64_t out;
  drawn(L, e, brink_random_int_in(e, stream, lo, hi, &out));
  lua_pushinteger(L, out);
  return 1;
}

static int l_normal(lua_State *L) {
  brink_engine *e = drawing(L, "normal()");
  int n;
  const char *stream = stream_arg(L, &n);
  double mu = n >= 1 ? luaL_checknumber(L, 1) : 0;
  double sd = n >= 2 ? luaL_checknumber(L, 2) : 1, x;
  drawn(L, e, brink_normal_in(e, stream, mu, sd, &x));
  lua_pushnumber(L, x);
  return 1;
}

static int l_pick(lua_State *L) {
  brink_engine *e = drawing(L, "pick()");
  int nargs;
  const char *stream = stream_arg(L, &nargs);
  luaL_checktype(L, 1, LUA_TTABLE);
  brink__box_open_table(L, 1, "pick()");   /* a list made while loading */
  lua_Integer n = (lua_Integer)lua_rawlen(L, 1);
  if (n == 0) return luaL_error(L, "pick() of an empty list");
  int64_t i;
  drawn(L, e, brink_random_int_in(e, stream, 1, n, &i));
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
  brink__box_check(L, LUA_OK);   /* as in brink__sc_raise() */
  if (brink__out_of_memory(e)) brink__box_nomem(L);
  lua_pushnil(L);
  lua_pushstring(L, msg);
  return 2;
}

static int find_event(lua_State *L, host *h, const char *name) {
  brink_engine *e = h->e;
  int ev = brink__event_find(e, name);
  if (ev < 0)
    lua_pushfstring(L, "unknown event %s", brink__event_nearest(e, name));
  return ev;
}

static int running(lua_State *L, host *h, const char *what) {
  if (h->loading || !brink__running(h->e)) {
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
  int most = INT_MAX - brink_turn(h->e);
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
  brink__sc_mirror_sync(L, h);   /* what it did, or undid */
  if (rc == BRINK_OK) {
    lua_pushboolean(L, 1);
    return 1;
  }
  brink__box_check(L, LUA_OK);   /* as in brink__sc_raise() */
  lua_pushnil(L);
  const char *where = brink_errwhere(e);
  if (*where && !h->nested_in)
    h->nested_in = brink__strdup(e, brink_errin(e));
  if (*where)
    lua_pushfstring(L, "%s: %s", where, brink_errmsg(e));
  else
    lua_pushstring(L, brink_errmsg(e));
  lua_pushboolean(L, *where != '\0');
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

/* [-1, +2, e] Keeps the text on top as import 'name' and pushes it with
   its chunk name "@" .. chunk. */
static int keep_import(lua_State *L, host *h, const char *name,
                       const char *chunk) {
  size_t len;
  const char *text = lua_tolstring(L, -1, &len);
  if (brink__import_keep(h->e, name, chunk, text, len) != BRINK_OK)
    brink__box_nomem(L);
  lua_pushfstring(L, "@%s", chunk);
  return 2;
}

/*
** The text of import 'name' and its chunk name: the text the host supplied
** or this load already read, else NAME.lua beside the scenario, else the
** script library's.  What is read is kept, so a clone reads it again.
*/
static int p_read_import(lua_State *L) {
  host *h = HOST(L);
  const char *name = luaL_checkstring(L, 1);
  int kept = brink__import_find(h->e, name);
  if (kept >= 0) {
    size_t len;
    const char *text = brink_import_text(h->e, kept, &len);
    lua_pushlstring(L, text, len);
    lua_pushfstring(L, "@%s", brink__import_chunk(h->e, kept));
    return 2;
  }
  const char *slash = strrchr(h->path, '/');
  /* Built on the stack, not in a buffer: a cut path would open another
     file. */
  if (slash) lua_pushlstring(L, h->path, (size_t)(slash - h->path));
  else lua_pushliteral(L, ".");
  const char *path = lua_pushfstring(L, "%s/%s.lua", lua_tostring(L, -1),
                                     name);
  if (push_file(L, path)) return keep_import(L, h, name, path);
  for (const brink__embedded *f = brink__scriptlib; f->name; f++)
    if (strcmp(f->name, name) == 0) {
      const char *chunk = lua_pushfstring(L, "brink/%s.lua", name);
      lua_pushlstring(L, f->text, f->len);
      return keep_import(L, h, name, chunk);
    }
  return fail(L, lua_pushfstring(L, "import: no '%s.lua' supplied by the "
                                 "host, beside the scenario or in the "
                                 "script library", name));
}

static void add_function(lua_State *L, host *h, int t, const char *name,
                         lua_CFunction f) {
  lua_pushlightuserdata(L, h);
  lua_pushcclosure(L, f, 1);
  lua_setfield(L, t, name);
}

void brink__sc_library(lua_State *L, host *h, int env, int P) {
  date_metatable(L, h);
  add_function(L, h, env, "date", date_new);
  add_function(L, h, env, "chance", l_chance);
  add_function(L, h, env, "random", l_random);
  add_function(L, h, env, "normal", l_normal);
  add_function(L, h, env, "pick", l_pick);
  lua_getfield(L, env, "math");
  lua_getfield(L, env, "random");
  lua_setfield(L, -2, "random");
  lua_pop(L, 1);
  add_function(L, h, P, "where", p_where);
  add_function(L, h, P, "news", p_news);
  add_function(L, h, P, "schedule", p_schedule);
  add_function(L, h, P, "fire", p_fire);
  add_function(L, h, P, "end_scenario", p_end_scenario);
  add_function(L, h, P, "read_import", p_read_import);
  brink__sc_beliefs(L, h, P);
}
