/*
** scenario_expect.c: expectations, `expect "name" { ... }`: what a
** scenario says it must do, measured over many runs by brink check
** --runs N (session/expect.c plays them).  Here they are read and checked
** at load, kept as registry handles, and called on one finished run at a
** time, which they see as a read-only run object 'r' built from its
** records (expect.h).  Loading stores the functions and never calls them:
** a run, a play, a batch pay nothing for them.
*/
#include <lauxlib.h>
#include <lua.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expect_api.h"
#include "scenario.h"

typedef struct sc_side {
  int kind;              /* BRINK__EXPECT_* */
  int fn, given;         /* registry handles; given -1: every run */
  char *policies, *sets; /* the setup, as in brink__expect_info */
} sc_side;

typedef struct sc_expect {
  char *name, *where, *claim, *mechanism;
  bool at_least, ratio;
  double threshold;
  sc_side side[2];
} sc_expect;

static const char *const quantities[] = {"share", "mean", "rate"};

/* reading the declarations ------------------------------------------------ */

/* spec[key] as a function handle, or -1 (a problem when not a function). */
static int function_of(reader *r, int spec, const char *key) {
  lua_State *L = r->L;
  lua_getfield(L, spec, key);
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    return -1;
  }
  if (!lua_isfunction(L, -1)) {
    brink__sc_problem(r, "'%s' must be a function, not %s", key,
                      luaL_typename(L, -1));
    lua_pop(L, 1);
    return -1;
  }
  return luaL_ref(L, LUA_REGISTRYINDEX);
}

/* The policy 'name' of actor 'a', or a problem with the nearest. */
static void check_policy(reader *r, const char *actor, int a,
                         const char *name) {
  brink_engine *e = r->h->e;
  int n = brink_policy_count(e), k = 0;
  const char **names = lua_newuserdatauv(r->L, sizeof *names *
                                                   (size_t)(n ? n : 1), 0);
  for (int i = 0; i < n; i++) {
    int pa = brink_policy_actor(e, i);
    if (pa >= 0 && pa != a) continue;
    if (strcmp(brink_policy_name(e, i), name) == 0) {
      lua_pop(r->L, 1);
      return;
    }
    names[k++] = brink_policy_name(e, i);
  }
  if (k == 0)
    brink__sc_problem(r, "setup: %s has no policy '%s' (the scenario "
                      "declares no policy %s may play by)", actor, name,
                      actor);
  else
    brink__sc_problem(r, "setup: %s has no policy %s", actor,
                      brink__suggest(e, name, names, k));
  lua_pop(r->L, 1);
}

/*
** spec.setup: { ACTOR = "policy", VAR = value } into the two strings of
** the side, "K=V\n" each, in byte order of the keys.
*/
static void read_setup(reader *r, int spec, sc_side *s, bool sealed) {
  lua_State *L = r->L;
  brink_engine *e = r->h->e;
  lua_getfield(L, spec, "setup");
  int setup = lua_gettop(L);
  if (lua_isnil(L, setup)) {
    lua_pop(L, 1);
    return;
  }
  if (!lua_istable(L, setup)) {
    brink__sc_problem(r, "'setup' must be a table { ACTOR = \"policy\", "
                      "VAR = value }, not %s", luaL_typename(L, setup));
    lua_pop(L, 1);
    return;
  }
  int n, others;
  const char **keys = brink__sc_sorted_keys(L, setup, &n, &others);
  if (others)
    brink__sc_problem(r, "setup: keys are actor ids and variable names");
  luaL_Buffer pol, set;
  luaL_buffinit(L, &pol);
  for (int pass = 0; pass < 2; pass++) {
    for (int i = 0; i < n; i++) {
      lua_getfield(L, setup, keys[i]);
      int a = -1, v = -1;
      bool actor = sealed && brink__actor_lookup(e, keys[i], &a) == BRINK_OK;
      if (pass == 0 && actor) {
        if (lua_type(L, -1) != LUA_TSTRING) {
          brink__sc_problem(r, "setup: %s = a policy's name, not %s",
                            keys[i], luaL_typename(L, -1));
        } else {
          check_policy(r, keys[i], a, lua_tostring(L, -1));
          lua_pushfstring(L, "%s=%s\n", keys[i], lua_tostring(L, -1));
          lua_insert(L, -2);
          lua_pop(L, 1);
          luaL_addvalue(&pol);
          continue;
        }
      } else if (pass == 1 && !actor) {
        if (sealed && brink_var_find(e, keys[i], &v) != BRINK_OK) {
          bool upper = true;
          for (const char *c = keys[i]; *c; c++)
            if ((*c >= 'a' && *c <= 'z') || *c == '.') upper = false;
          if (upper && brink__actor_lookup(e, keys[i], &a) != BRINK_OK)
            brink__sc_problem(r, "setup: %s", brink_errmsg(e));
          else if (brink_var_find(e, keys[i], &v) != BRINK_OK)
            brink__sc_problem(r, "setup: %s", brink_errmsg(e));
        }
        int t = lua_type(L, -1);
        if (t == LUA_TNUMBER) {
          if (lua_isinteger(L, -1))
            lua_pushfstring(L, "%s=%I", keys[i],
                            (LUAI_UACINT)lua_tointeger(L, -1));
          else {
            char num[64];
            snprintf(num, sizeof num, "%.17g", lua_tonumber(L, -1));
            lua_pushfstring(L, "%s=%s", keys[i], num);
          }
        } else if (t == LUA_TBOOLEAN) {
          lua_pushfstring(L, "%s=%s", keys[i],
                          lua_toboolean(L, -1) ? "true" : "false");
        } else if (t == LUA_TSTRING) {
          lua_pushfstring(L, "%s=%s", keys[i], lua_tostring(L, -1));
        } else {
          brink__sc_problem(r, "setup: %s = a value (a number, true or "
                            "false, or an enum's value), not %s", keys[i],
                            luaL_typename(L, -1));
          lua_pop(L, 1);
          continue;
        }
        lua_pushliteral(L, "\n");
        lua_concat(L, 2);
        lua_insert(L, -2);
        lua_pop(L, 1);
        /* The sets go after the policies, into a buffer of their own:
           pushed onto the stack above 'pol'. */
        luaL_addvalue(&set);
        continue;
      }
      lua_pop(L, 1);
    }
    if (pass == 0) {
      luaL_pushresult(&pol);
      luaL_buffinit(L, &set);
    }
  }
  luaL_pushresult(&set);
  s->policies = brink__strdup(e, lua_tostring(L, -2));
  s->sets = brink__strdup(e, lua_tostring(L, -1));
  if (s->policies == NULL || s->sets == NULL) r->nomem = true;
  lua_pop(L, 4);   /* the strings, the keys, the setup */
}

/* One side: a quantity, 'setup' and 'given' (of A or B in a ratio). */
static void read_side(reader *r, int spec, sc_side *s, bool sealed,
                      bool in_ratio) {
  lua_State *L = r->L;
  int found = 0;
  s->fn = s->given = -1;
  for (int q = 0; q < 3; q++) {
    lua_getfield(L, spec, quantities[q]);
    bool has = !lua_isnil(L, -1);
    lua_pop(L, 1);
    if (!has) continue;
    if (found++) {
      brink__sc_problem(r, "has two quantities ('%s' and '%s'): give one",
                        quantities[s->kind], quantities[q]);
      continue;
    }
    s->kind = q;
    s->fn = function_of(r, spec, quantities[q]);
  }
  if (found == 0)
    brink__sc_problem(r, in_ratio ? "ratio: A and B each need a "
                                    "quantity: share, mean or rate = "
                                    "function(r) ... end"
                                  : "needs a quantity: share, mean or rate "
                                    "= function(r) ... end, or ratio = "
                                    "{ A, B }");
  s->given = function_of(r, spec, "given");
  read_setup(r, spec, s, sealed);
}

/* An optional string field of the declaration, "" when absent. */
static char *text_field(reader *r, const char *key) {
  lua_State *L = r->L;
  lua_getfield(L, r->spec, key);
  if (!lua_isnil(L, -1) && lua_type(L, -1) != LUA_TSTRING)
    brink__sc_problem(r, "'%s' must be a string, not %s", key,
                      luaL_typename(L, -1));
  char *s = brink__strdup(r->h->e, lua_type(L, -1) == LUA_TSTRING
                                       ? lua_tostring(L, -1) : "");
  lua_pop(L, 1);
  return s;
}

static void read_expect(reader *r, sc_expect *x, bool sealed) {
  static const char *const known[] = {"claim", "mechanism", "setup",
                                      "given", "share", "mean", "rate",
                                      "ratio", "at_least", "at_most", NULL};
  static const char *const known_side[] = {"setup", "given", "share",
                                           "mean", "rate", NULL};
  lua_State *L = r->L;
  int spec = r->spec;
  brink__sc_check_keys(r, known);
  x->side[0].fn = x->side[0].given = x->side[1].fn = x->side[1].given = -1;
  x->claim = text_field(r, "claim");
  x->mechanism = text_field(r, "mechanism");
  int thresholds = 0;
  for (int k = 0; k < 2; k++) {
    const char *key = k ? "at_most" : "at_least";
    lua_getfield(L, spec, key);
    if (lua_type(L, -1) == LUA_TNUMBER) {
      double t = lua_tonumber(L, -1);
      if (isfinite(t)) {
        if (thresholds++ == 0) {
          x->threshold = t;
          x->at_least = k == 0;
        }
      } else {
        brink__sc_problem(r, "'%s' must be a finite number", key);
        thresholds = -100;
      }
    } else if (!lua_isnil(L, -1)) {
      brink__sc_problem(r, "'%s' must be a number, not %s", key,
                        luaL_typename(L, -1));
      thresholds = -100;
    }
    lua_pop(L, 1);
  }
  if (thresholds == 0)
    brink__sc_problem(r, "needs a threshold: at_least = T or at_most = T");
  else if (thresholds == 2)
    brink__sc_problem(r, "give 'at_least' or 'at_most', not both");
  lua_getfield(L, spec, "ratio");
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    read_side(r, spec, &x->side[0], sealed, false);
    return;
  }
  int ratio = lua_gettop(L);
  x->ratio = true;
  for (int q = 0; q < 3; q++) {
    lua_getfield(L, spec, quantities[q]);
    if (!lua_isnil(L, -1))
      brink__sc_problem(r, "has two quantities ('%s' and 'ratio'): give "
                        "one", quantities[q]);
    lua_pop(L, 1);
  }
  static const char *const outer[] = {"setup", "given"};
  for (int k = 0; k < 2; k++) {
    lua_getfield(L, spec, outer[k]);
    if (!lua_isnil(L, -1))
      brink__sc_problem(r, "with 'ratio', give '%s' inside A and B "
                        "(ratio = { { %s = ..., share = ... }, { ... } })",
                        outer[k], outer[k]);
    lua_pop(L, 1);
  }
  if (!lua_istable(L, ratio) || lua_rawlen(L, ratio) != 2) {
    brink__sc_problem(r, "'ratio' must be { A, B }: two tables, each with "
                      "one quantity (share, mean or rate)");
    lua_pop(L, 1);
    return;
  }
  for (int k = 0; k < 2; k++) {
    lua_rawgeti(L, ratio, k + 1);
    if (!lua_istable(L, -1)) {
      brink__sc_problem(r, "ratio[%d] must be a table with a quantity "
                        "(share, mean or rate), not %s", k + 1,
                        luaL_typename(L, -1));
      lua_pop(L, 1);
      continue;
    }
    r->spec = lua_gettop(L);
    brink__sc_check_keys(r, known_side);
    read_side(r, r->spec, &x->side[k], sealed, true);
    r->spec = spec;
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
}

void brink__sc_expects(reader *r, int decls, bool sealed) {
  host *h = r->h;
  lua_State *L = r->L;
  brink_engine *e = h->e;
  lua_getfield(L, decls, "expects");
  int list = lua_gettop(L);
  int n = (int)lua_rawlen(L, list);
  if (n > 0) {
    h->expects = brink__alloc(e, sizeof *h->expects * (size_t)n);
    if (h->expects == NULL) {
      r->nomem = true;
      lua_pop(L, 1);
      return;
    }
    memset(h->expects, 0, sizeof *h->expects * (size_t)n);
  }
  for (int i = 1; i <= n && brink__sc_begin_entry(r, h, list, i, "expect");
       i++) {
    sc_expect *x = &h->expects[h->nexpects++];
    x->name = brink__strdup(e, r->name);
    x->where = brink__strdup(e, r->where);
    read_expect(r, x, sealed);
    for (int k = 0; k < 2; k++) {
      if (x->side[k].policies == NULL)
        x->side[k].policies = brink__strdup(e, "");
      if (x->side[k].sets == NULL) x->side[k].sets = brink__strdup(e, "");
      if (!x->side[k].policies || !x->side[k].sets) r->nomem = true;
    }
    if (!x->name || !x->where || !x->claim || !x->mechanism)
      r->nomem = true;
    for (int k = 0; k < i - 1; k++)
      if (x->name && h->expects[k].name &&
          strcmp(h->expects[k].name, x->name) == 0)
        brink__sc_problem(r, "is declared twice (first at %s)",
                          h->expects[k].where);
    lua_pop(L, 2);
  }
  lua_pop(L, 1);
}

void brink__sc_expects_free(host *h) {
  brink_engine *e = h->e;
  for (int i = 0; i < h->nexpects; i++) {
    sc_expect *x = &h->expects[i];
    brink__strfree(e, x->name);
    brink__strfree(e, x->where);
    brink__strfree(e, x->claim);
    brink__strfree(e, x->mechanism);
    for (int k = 0; k < 2; k++) {
      brink__strfree(e, x->side[k].policies);
      brink__strfree(e, x->side[k].sets);
    }
  }
  if (h->expects)
    brink__free(e, h->expects, sizeof *h->expects * (size_t)h->nexpects);
  h->expects = NULL;
  h->nexpects = 0;
}

/* what the session asks ---------------------------------------------------- */

static host *host_of(const brink_engine *e) {
  return brink__host_ud(e);
}

int brink__expect_count(const brink_engine *e) {
  host *h = host_of(e);
  return h ? h->nexpects : 0;
}

int brink__expect_get(const brink_engine *e, int i, brink__expect_info *out) {
  host *h = host_of(e);
  if (h == NULL || i < 0 || i >= h->nexpects) return BRINK_EINVAL;
  const sc_expect *x = &h->expects[i];
  *out = (brink__expect_info){x->name, x->where, x->claim, x->mechanism,
                              x->at_least, x->threshold, x->ratio,
                              {x->side[0].kind, x->side[1].kind},
                              {x->side[0].policies, x->side[1].policies},
                              {x->side[0].sets, x->side[1].sets}};
  return BRINK_OK;
}

/* the run object ------------------------------------------------------------ */

static const brink__expect_run *the_run(lua_State *L) {
  host *h = HOST(L);
  if (h->run == NULL) luaL_error(L, "the run is no longer there to read");
  return h->run;
}

static void push_date(lua_State *L, int32_t days) {
  char buf[16];
  if (brink_date_format(days, buf, sizeof buf) != BRINK_OK) buf[0] = '\0';
  lua_pushstring(L, buf);
}

/* A bound of a window: a turn number, or a date "YYYY", "YYYY-MM" or
   "YYYY-MM-DD" that a record's date is compared with as far as it goes. */
typedef struct bound {
  bool open, turn;
  lua_Integer t;
  const char *date;
  size_t len;
} bound;

static bound bound_at(lua_State *L, int idx) {
  bound b = {.open = true};
  if (lua_isnoneornil(L, idx)) return b;
  b.open = false;
  if (lua_type(L, idx) == LUA_TNUMBER) {
    b.turn = true;
    b.t = (lua_Integer)floor(lua_tonumber(L, idx));
    return b;
  }
  const char *s = lua_type(L, idx) == LUA_TSTRING ? lua_tostring(L, idx)
                                                  : NULL;
  size_t len = s ? strlen(s) : 0;
  bool ok = s && (len == 4 || len == 7 || len == 10);
  for (size_t i = 0; ok && i < len; i++)
    ok = (i == 4 || i == 7) ? s[i] == '-' : s[i] >= '0' && s[i] <= '9';
  if (ok) {
    char full[11] = "0000-01-01";
    memcpy(full, s, len);
    int32_t d;
    ok = brink_date_parse(full, &d) == BRINK_OK;
  }
  if (!ok)
    luaL_error(L, "bad argument #%d: a turn number or a date (\"YYYY-MM-DD\", "
               "\"YYYY-MM\" or \"YYYY\"), not %s", idx - 1,
               s ? s : luaL_typename(L, idx));
  b.date = s;
  b.len = len;
  return b;
}

static bool within(const bound *from, const bound *to, int32_t turn,
                   int32_t date) {
  char d[16];
  if ((!from->open && !from->turn) || (!to->open && !to->turn))
    if (brink_date_format(date, d, sizeof d) != BRINK_OK) return false;
  if (!from->open && (from->turn ? turn < from->t
                                 : strncmp(d, from->date, from->len) < 0))
    return false;
  if (!to->open && (to->turn ? turn > to->t
                             : strncmp(d, to->date, to->len) > 0))
    return false;
  return true;
}

static int actor_arg(lua_State *L, int idx) {
  if (lua_isnoneornil(L, idx)) return -1;
  brink_engine *e = HOST(L)->e;
  int a;
  if (brink_actor_find(e, luaL_checkstring(L, idx), &a) != BRINK_OK)
    luaL_error(L, "%s", brink_errmsg(e));
  return a;
}

static int move_id(lua_State *L, const char *name) {
  brink_engine *e = HOST(L)->e;
  int m;
  if (brink_move_find(e, name, &m) != BRINK_OK)
    luaL_error(L, "%s", brink_errmsg(e));
  return m;
}

/* The moves an argument names: NULL for any, else a mask by move id
   that takes the argument's place on the stack. */
static const bool *moves_of(lua_State *L, int idx) {
  if (lua_isnoneornil(L, idx)) return NULL;
  int n = brink_move_count(HOST(L)->e);
  bool *mask = lua_newuserdatauv(L, (size_t)(n ? n : 1), 0);
  memset(mask, 0, (size_t)(n ? n : 1));
  if (lua_type(L, idx) == LUA_TSTRING) {
    mask[move_id(L, lua_tostring(L, idx))] = true;
  } else if (lua_istable(L, idx)) {
    brink__box_open_table(L, idx, "a list or set of moves");
    if (lua_rawlen(L, idx) > 0) {
      for (lua_Integer i = 1; i <= (lua_Integer)lua_rawlen(L, idx); i++) {
        lua_rawgeti(L, idx, i);
        if (lua_type(L, -1) != LUA_TSTRING)
          luaL_error(L, "a list of moves holds their names, not %s",
                     luaL_typename(L, -1));
        mask[move_id(L, lua_tostring(L, -1))] = true;
        lua_pop(L, 1);
      }
    } else {
      lua_pushnil(L);
      while (lua_next(L, idx)) {
        if (lua_type(L, -2) != LUA_TSTRING)
          luaL_error(L, "a set of moves is keyed by their names");
        if (lua_toboolean(L, -1)) mask[move_id(L, lua_tostring(L, -2))] = true;
        lua_pop(L, 1);
      }
    }
  } else {
    luaL_error(L, "a move is named by a string, a list or a set of names, "
               "not %s", luaL_typename(L, idx));
  }
  lua_replace(L, idx);   /* the mask lives in the argument's place */
  return lua_touserdata(L, idx);
}

static bool move_matches(const brink__expect_move *m, int actor,
                         const bool *moves) {
  return (actor < 0 || m->actor == actor) && (!moves || moves[m->move]);
}

/* r:moved(actor, move, from, to): how many moves match. */
static int r_moved(lua_State *L) {
  const brink__expect_run *run = the_run(L);
  int actor = actor_arg(L, 2);
  const bool *moves = moves_of(L, 3);
  bound from = bound_at(L, 4), to = bound_at(L, 5);
  lua_Integer n = 0;
  for (int64_t i = 0; i < run->nmoves; i++) {
    const brink__expect_move *m = &run->moves[i];
    if (move_matches(m, actor, moves) && within(&from, &to, m->turn, m->date))
      n++;
  }
  lua_pushinteger(L, n);
  return 1;
}

/* r:first_move(actor, move): the turn and date of the first, or nil. */
static int r_first_move(lua_State *L) {
  const brink__expect_run *run = the_run(L);
  int actor = actor_arg(L, 2);
  const bool *moves = moves_of(L, 3);
  for (int64_t i = 0; i < run->nmoves; i++) {
    const brink__expect_move *m = &run->moves[i];
    if (move_matches(m, actor, moves)) {
      lua_pushinteger(L, m->turn);
      push_date(L, m->date);
      return 2;
    }
  }
  lua_pushnil(L);
  return 1;
}

static int trigger_arg(lua_State *L, int idx) {
  brink_engine *e = HOST(L)->e;
  int t;
  if (brink_trigger_find(e, luaL_checkstring(L, idx), &t) != BRINK_OK)
    luaL_error(L, "%s", brink_errmsg(e));
  return t;
}

static lua_Integer count_fired(lua_State *L) {
  const brink__expect_run *run = the_run(L);
  int t = trigger_arg(L, 2);
  bound from = bound_at(L, 3), to = bound_at(L, 4);
  lua_Integer n = 0;
  for (int64_t i = 0; i < run->nfired; i++)
    if (run->fired[i].index == t &&
        within(&from, &to, run->fired[i].turn, run->fired[i].date))
      n++;
  return n;
}

/* r:fired(name, from, to): did the trigger fire in the window? */
static int r_fired(lua_State *L) {
  lua_pushboolean(L, count_fired(L) > 0);
  return 1;
}

/* r:count_fired(name, from, to): how often. */
static int r_count_fired(lua_State *L) {
  lua_pushinteger(L, count_fired(L));
  return 1;
}

/* r:first_fired(name): the turn and date it first fired, or nil. */
static int r_first_fired(lua_State *L) {
  const brink__expect_run *run = the_run(L);
  int t = trigger_arg(L, 2);
  for (int64_t i = 0; i < run->nfired; i++)
    if (run->fired[i].index == t) {
      lua_pushinteger(L, run->fired[i].turn);
      push_date(L, run->fired[i].date);
      return 2;
    }
  lua_pushnil(L);
  return 1;
}

/* r:value(var, at): the value at the end of turn 'at' (a turn number, or
   the last turn a date, month or year holds), at the end when nil. */
static int r_value(lua_State *L) {
  const brink__expect_run *run = the_run(L);
  brink_engine *e = HOST(L)->e;
  int v;
  if (brink_var_find(e, luaL_checkstring(L, 2), &v) != BRINK_OK)
    luaL_error(L, "%s", brink_errmsg(e));
  bound at = bound_at(L, 3);
  lua_Integer row = run->nturns;
  if (!at.open && at.turn) {
    row = at.t < 0 ? 0 : at.t > run->nturns ? run->nturns : at.t;
  } else if (!at.open) {
    row = 0;
    for (int k = 1; k <= run->nturns; k++) {
      char d[16];
      if (brink_date_format(brink_turn_date(e, k), d, sizeof d) != BRINK_OK ||
          strncmp(d, at.date, at.len) > 0)
        break;
      row = k;
    }
  }
  double x = run->values[(size_t)row * (size_t)run->nvars + (size_t)v];
  switch (brink_var_type(e, v)) {
  case BRINK_FLAG: lua_pushboolean(L, x != 0); break;
  case BRINK_ENUM: lua_pushstring(L, brink_var_enum_value(e, v, (int)x));
    break;
  default:
    if (x == floor(x) && fabs(x) <= 9007199254740992.0)
      lua_pushinteger(L, (lua_Integer)x);
    else
      lua_pushnumber(L, x);
  }
  return 1;
}

/* An array of {turn=, date=, name=} of marks named by 'name_of'. */
static void push_marks(lua_State *L, const brink__expect_mark *marks,
                       int64_t n, bool triggers) {
  brink_engine *e = HOST(L)->e;
  lua_createtable(L, n > 1000000 ? 1000000 : (int)n, 0);
  for (int64_t i = 0; i < n; i++) {
    lua_createtable(L, 0, 3);
    lua_pushinteger(L, marks[i].turn);
    lua_setfield(L, -2, "turn");
    push_date(L, marks[i].date);
    lua_setfield(L, -2, "date");
    lua_pushstring(L, triggers ? brink_trigger_name(e, marks[i].index)
                               : brink_event_name(e, marks[i].index));
    lua_setfield(L, -2, "name");
    lua_rawseti(L, -2, i + 1);
  }
}

static int r_index(lua_State *L) {
  const brink__expect_run *run = the_run(L);
  brink_engine *e = HOST(L)->e;
  const char *k = lua_tostring(L, 2);
  if (k == NULL) return 0;
  if (strcmp(k, "outcome") == 0) {
    lua_pushstring(L, run->outcome);
  } else if (strcmp(k, "turn") == 0) {
    lua_pushinteger(L, run->turn);
  } else if (strcmp(k, "date") == 0) {
    push_date(L, run->date);
  } else if (strcmp(k, "moves") == 0) {
    lua_createtable(L, run->nmoves > 1000000 ? 1000000 : (int)run->nmoves, 0);
    for (int64_t i = 0; i < run->nmoves; i++) {
      const brink__expect_move *m = &run->moves[i];
      lua_createtable(L, 0, 5);
      lua_pushinteger(L, m->turn);
      lua_setfield(L, -2, "turn");
      push_date(L, m->date);
      lua_setfield(L, -2, "date");
      lua_pushstring(L, brink_actor_id(e, m->actor));
      lua_setfield(L, -2, "actor");
      lua_pushstring(L, brink_move_name(e, m->move));
      lua_setfield(L, -2, "move");
      if (m->target >= 0) {
        lua_pushstring(L, brink_actor_id(e, m->target));
        lua_setfield(L, -2, "target");
      }
      lua_rawseti(L, -2, i + 1);
    }
  } else if (strcmp(k, "fired_list") == 0) {
    push_marks(L, run->fired, run->nfired, true);
  } else if (strcmp(k, "events") == 0) {
    push_marks(L, run->events, run->nevents, false);
  } else {
    lua_pushvalue(L, 2);
    lua_rawget(L, lua_upvalueindex(2));   /* the methods */
  }
  return 1;
}

static int r_newindex(lua_State *L) {
  return luaL_error(L, "the run is read-only: it cannot be assigned");
}

/* [-0, +1] The run object: an empty table reading through r_index. */
static void push_run(lua_State *L, host *h) {
  if (h->run_mt == 0) {
    static const luaL_Reg methods[] = {
        {"moved", r_moved},          {"first_move", r_first_move},
        {"fired", r_fired},          {"count_fired", r_count_fired},
        {"first_fired", r_first_fired}, {"value", r_value},
        {NULL, NULL}};
    lua_createtable(L, 0, 3);
    lua_createtable(L, 0, 6);
    lua_pushlightuserdata(L, h);
    luaL_setfuncs(L, methods, 1);
    lua_pushlightuserdata(L, h);
    lua_insert(L, -2);
    lua_pushcclosure(L, r_index, 2);
    lua_setfield(L, -2, "__index");
    lua_pushlightuserdata(L, h);
    lua_pushcclosure(L, r_newindex, 1);
    lua_setfield(L, -2, "__newindex");
    lua_pushliteral(L, "run");
    lua_setfield(L, -2, "__metatable");
    h->run_mt = luaL_ref(L, LUA_REGISTRYINDEX);
  }
  lua_newtable(L);
  lua_rawgeti(L, LUA_REGISTRYINDEX, h->run_mt);
  lua_setmetatable(L, -2);
}

/* judging a run -------------------------------------------------------------- */

typedef struct judge {
  host *h;
  const sc_side *s;
  double out[3];
} judge;

static double count_of(lua_State *L, int idx, const char *what) {
  if (lua_type(L, idx) == LUA_TBOOLEAN) return lua_toboolean(L, idx);
  if (lua_type(L, idx) != LUA_TNUMBER)
    luaL_error(L, "rate must return hits and trials (numbers), not %s as "
               "its %s", luaL_typename(L, idx), what);
  double x = lua_tonumber(L, idx);
  if (!isfinite(x) || x < 0)
    luaL_error(L, "rate must return counts (0 or more), not %f as its %s",
               x, what);
  return x;
}

static int judging(lua_State *L) {
  judge *j = lua_touserdata(L, 1);
  host *h = j->h;
  lua_settop(L, 0);
  push_run(L, h);   /* 1 */
  j->out[0] = 1;
  if (j->s->given >= 0) {
    lua_rawgeti(L, LUA_REGISTRYINDEX, j->s->given);
    lua_pushvalue(L, 1);
    lua_call(L, 1, 1);
    j->out[0] = lua_toboolean(L, -1);
    lua_settop(L, 1);
    if (!j->out[0]) return 0;
  }
  lua_rawgeti(L, LUA_REGISTRYINDEX, j->s->fn);
  lua_pushvalue(L, 1);
  lua_call(L, 1, 2);
  switch (j->s->kind) {
  case BRINK__EXPECT_SHARE:
    j->out[1] = lua_toboolean(L, 2);
    break;
  case BRINK__EXPECT_MEAN:
    if (lua_type(L, 2) != LUA_TNUMBER)
      return luaL_error(L, "mean must return a number, not %s",
                        luaL_typename(L, 2));
    j->out[1] = lua_tonumber(L, 2);
    if (!isfinite(j->out[1]))
      return luaL_error(L, "mean must return a finite number");
    break;
  default:
    j->out[1] = count_of(L, 2, "hits");
    j->out[2] = count_of(L, 3, "trials");
    if (j->out[1] > j->out[2])
      return luaL_error(L, "rate returned more hits (%f) than trials (%f)",
                        j->out[1], j->out[2]);
  }
  return 0;
}

int brink__expect_eval(brink_engine *e, int i, int side,
                       const brink__expect_run *run, double out[3],
                       char *err, size_t cap) {
  host *h = host_of(e);
  if (h == NULL || i < 0 || i >= h->nexpects || side < 0 || side > 1 ||
      h->expects[i].side[side].fn < 0) {
    snprintf(err, cap, "no such expectation");
    return BRINK_EINVAL;
  }
  const sc_expect *x = &h->expects[i];
  judge j = {h, &x->side[side], {0, 0, 0}};
  lua_State *L = h->box.L;
  locale_t old = brink__locale_enter(e);
  h->run = run;
  /* Nothing may draw, write or schedule: the run is over. */
  h->loading = true;
  brink__box_next(&h->box, 0, "expect");
  lua_pushcfunction(L, judging);
  lua_pushlightuserdata(L, &j);
  int rc = brink__box_pcall(&h->box, 1, 0, h->where, sizeof h->where,
                            h->msg, sizeof h->msg);
  h->loading = false;
  h->run = NULL;
  brink__locale_leave(old);
  lua_settop(L, 0);
  if (rc != BRINK_OK) {
    snprintf(err, cap, "%s: in expect '%s': %s",
             h->where[0] ? h->where : x->where, x->name, h->msg);
    return rc;
  }
  memcpy(out, j.out, sizeof j.out);
  return BRINK_OK;
}
