/*
** scenario_decl.c: the declarations a scenario made while loading (the
** prelude lists them), read field by field into specs the engine copies.
** Every problem is a diagnostic naming the file and line of its
** declaration; reading goes on, so one load reports them all.
*/
#include <lauxlib.h>
#include <lua.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"

/* declarations ------------------------------------------------------------ */

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

/* As problem(), as long as the message is. */
void brink__sc_problem(reader *r, const char *fmt, ...) {
  va_list ap, again;
  va_start(ap, fmt);
  va_copy(again, ap);
  int len = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  size_t n = (size_t)(len > 0 ? len : 0) + 1;
  char *msg = malloc(n);
  if (msg) {
    vsnprintf(msg, n, fmt, again);
    problem(r, "%s", msg);
    free(msg);
  } else {
    r->nomem = true;
    r->errors++;
  }
  va_end(again);
}

/* An engine call refused a declaration: its message, unless it ran out
   of memory, which is no fault of the scenario's. */
static void engine_problem(reader *r) {
  brink_engine *e = r->h->e;
  if (brink__out_of_memory(e)) r->nomem = true;
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

void brink__sc_check_keys(reader *r, const char *const *known) {
  check_keys(r, known);
}

const char **brink__sc_sorted_keys(lua_State *L, int idx, int *n,
                                   int *others) {
  return sorted_keys(L, idx, n, others);
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

int brink__sc_begin_entry(reader *r, host *h, int list, int i,
                          const char *kind) {
  return begin_entry(r, h, list, i, kind);
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
      "default_outcome", "brief", "pass_weight", "version", NULL};
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
  struct { uint64_t seed; int moves_per_turn; double pass_weight; } numbers =
      {0, 1, 1};
  double seed = opt_number(r, "seed", 0);
  if (seed < 0 || seed != floor(seed) || seed > 9007199254740992.0)
    problem(r, "'seed' must be a whole number from 0 to 2^53");
  else
    numbers.seed = (uint64_t)seed;
  double mpt = opt_number(r, "moves_per_turn", 1);
  if (mpt < 1 || mpt != floor(mpt) || mpt > 1000)
    problem(r, "'moves_per_turn' must be a whole number from 1 to 1000");
  else
    numbers.moves_per_turn = (int)mpt;
  numbers.pass_weight = opt_number(r, "pass_weight", 1);
  if (!(numbers.pass_weight >= 0) || !isfinite(numbers.pass_weight)) {
    problem(r, "'pass_weight' must be a number of 0 or more");
    numbers.pass_weight = 1;
  }
  brink__scenario_numbers(e, numbers.seed, numbers.moves_per_turn,
                          numbers.pass_weight);
  double version = opt_number(r, "version", 1);
  h->version = 1;
  if (version < 1 || version != floor(version) || version > 1000000) {
    problem(r, "'version' must be a whole number from 1 to 1000000");
  } else if (version > 1) {
    char text[16];
    snprintf(text, sizeof text, "%d", (int)version);
    h->version = (int)version;
    if (brink__field_set(e, "version", text) != BRINK_OK) engine_problem(r);
  }
  const char *def = opt_string(r, "default_outcome", "end");
  r->def = def;
  /* Only a default the author named must be declared; "end" is brink's. */
  lua_getfield(r->L, -1, "default_outcome");
  r->def_where = lua_isnil(r->L, -1) ? NULL : r->where;
  lua_pop(r->L, 1);
  if (strcmp(def, "error") == 0 || !*def)
    problem(r, "'default_outcome' cannot be '%s'", def);
  else if (brink__default_outcome_set(e, def) != BRINK_OK)
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
  if (brink_actor_count(e) == 0) {
    r->where = h->path;
    r->kind = "scenario";
    r->name = NULL;
    problem(r, "declares no actors: add actor \"ID\" { name = ... }");
  }
}

/* A value for a variable of 'spec' from a Lua value at the stack top. */
/* The value at the top for 'what' ("init", "believed") into *out. */
static bool value_for(reader *r, const brink_var_spec *s, const char *what,
                      const char *who, double *out) {
  lua_State *L = r->L;
  int t = lua_type(L, -1);
  switch (s->type) {
  case BRINK_FLAG:
    if (t == LUA_TBOOLEAN) {
      *out = lua_toboolean(L, -1);
      return true;
    }
    problem(r, "%s%s%s must be true or false", what, who ? " for " : "",
            who ? who : "");
    return false;
  case BRINK_ENUM:
    if (t == LUA_TSTRING)
      for (int i = 0; i < s->nvalues; i++)
        if (strcmp(s->values[i], lua_tostring(L, -1)) == 0) {
          *out = i;
          return true;
        }
    {
      /* The values themselves, so the author need not look them up. */
      char list[512], got[96];
      size_t k = 0;
      list[0] = '\0';
      for (int i = 0; i < s->nvalues && k < sizeof list; i++)
        k += (size_t)snprintf(list + k, sizeof list - k, "%s'%s'",
                              i ? ", " : "", s->values[i]);
      if (t == LUA_TSTRING)
        snprintf(got, sizeof got, "'%s'", lua_tostring(L, -1));
      else
        snprintf(got, sizeof got, "%s", luaL_typename(L, -1));
      problem(r, "%s%s%s must be one of its values (%s), not %s", what,
              who ? " for " : "", who ? who : "", list, got);
    }
    return false;
  default:
    if (t == LUA_TNUMBER && s->type == BRINK_INTEGER &&
        !brink__sc_exact_integer(L, -1)) {
      problem(r, "%s%s%s: %s", what, who ? " for " : "", who ? who : "", INEXACT);
      return false;
    }
    if (t == LUA_TNUMBER) {
      *out = lua_tonumber(L, -1);
      return true;
    }
    problem(r, "%s%s%s must be a number", what, who ? " for " : "",
            who ? who : "");
    return false;
  }
}

static bool var_value(reader *r, const brink_var_spec *s, const char *who,
                      double *out) {
  return value_for(r, s, "init", who, out);
}

/* A belief at the top: a value (a point) or { lo, hi }. */
static bool belief_value(reader *r, const brink_var_spec *s, const char *who,
                         double *lo, double *hi) {
  lua_State *L = r->L;
  if (lua_type(L, -1) != LUA_TTABLE)
    return value_for(r, s, "believed", who, lo) && (*hi = *lo, true);
  lua_rawgeti(L, -1, 1);
  bool ok = value_for(r, s, "believed", who, lo);
  lua_pop(L, 1);
  lua_rawgeti(L, -1, 2);
  ok = ok && value_for(r, s, "believed", who, hi);
  lua_pop(L, 1);
  return ok;
}

/*
** 'believed': what the actors that cannot see the variable take it to be
** at the start.  A value or { lo, hi } for all of them, and/or
** { ACTOR = value or { lo, hi }, ... } one by one; both in one table work:
** { 20, 40, ROK = 30 }.
*/
static void read_believed(reader *r, const brink_var_spec *s, int decl) {
  lua_State *L = r->L;
  brink_engine *e = r->h->e;
  int t = field_of(r, "believed", LUA_TNONE, NULL);
  int at = lua_gettop(L);
  double lo, hi;
  if (t == LUA_TNIL) {
    /* none declared */
  } else if (t != LUA_TTABLE) {
    if (belief_value(r, s, NULL, &lo, &hi) &&
        brink_var_believed(e, decl, NULL, lo, hi) != BRINK_OK)
      engine_problem(r);
  } else {
    lua_rawgeti(L, at, 1);
    bool all = !lua_isnil(L, -1);
    lua_pop(L, 1);
    if (all && belief_value(r, s, NULL, &lo, &hi) &&
        brink_var_believed(e, decl, NULL, lo, hi) != BRINK_OK)
      engine_problem(r);
    int n, others;
    const char **who = sorted_keys(L, at, &n, &others);
    if (others > (all ? 2 : 0))
      problem(r, "believed: give { lo, hi } or actor ids as keys");
    for (int i = 0; i < n; i++) {
      lua_getfield(L, at, who[i]);
      if (belief_value(r, s, who[i], &lo, &hi) &&
          brink_var_believed(e, decl, who[i], lo, hi) != BRINK_OK)
        engine_problem(r);
      lua_pop(L, 1);
    }
  }
  lua_settop(L, at - 1);
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

/* How many keys the table at the top has, of any type. */
static int key_count(lua_State *L) {
  int n = 0;
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    lua_pop(L, 1);
    n++;
  }
  return n;
}

/* t[key] of the table at the top as a number; false when it is none. */
static bool number_at(lua_State *L, lua_Integer i, const char *key,
                      double *out) {
  if (key) lua_getfield(L, -1, key);
  else lua_rawgeti(L, -1, i);
  bool ok = lua_type(L, -1) == LUA_TNUMBER;
  if (ok) *out = lua_tonumber(L, -1);
  lua_pop(L, 1);
  return ok;
}

/*
** A table { NAME = number, ... } at the top into out[index(NAME)], where
** 'index' finds a name's place or reports it (-1); pops the table.  False
** after any problem, all of them reported.  Payoffs by actor and an
** enum's weights by value are both this.
*/
typedef int (*name_index)(reader *r, const void *ud, const char *name);

static bool numbers_by_name(reader *r, const char *what, const char *keys_are,
                            name_index index, const void *ud, double *out) {
  lua_State *L = r->L;
  int n, others;
  const char **names = sorted_keys(L, lua_gettop(L), &n, &others);
  bool ok = others == 0;
  if (others) problem(r, "%s keys must be %s", what, keys_are);
  for (int i = 0; i < n; i++) {
    int k = index(r, ud, names[i]);
    lua_getfield(L, -2, names[i]);
    if (k < 0) {
      ok = false;
    } else if (lua_type(L, -1) != LUA_TNUMBER ||
               !isfinite(lua_tonumber(L, -1))) {
      problem(r, "%s for '%s' must be a finite number", what, names[i]);
      ok = false;
    } else {
      out[k] = lua_tonumber(L, -1);
    }
    lua_pop(L, 1);
  }
  lua_pop(L, 2);
  return ok;
}

static int value_index(reader *r, const void *ud, const char *name) {
  const brink_var_spec *s = ud;
  for (int k = 0; k < s->nvalues; k++)
    if (strcmp(s->values[k], name) == 0) return k;
  problem(r, "prior: %s is not one of its values",
          brink__suggest(r->h->e, name, s->values, s->nvalues));
  return -1;
}

/*
** 'prior' by the variable's type: { lo, hi } for numbers and integers, a
** probability (or { p = ... }) for flags, weights by value for enums.
** The engine checks it against the variable's bounds.
*/
static void read_prior(reader *r, const brink_var_spec *s, int decl) {
  lua_State *L = r->L;
  int t = field_of(r, "prior", LUA_TNONE, NULL);
  brink__prior_spec p = {0, 0, 0, NULL, 0};
  bool ok = false;
  if (t == LUA_TNIL) {
    /* none declared */
  } else if (s->type == BRINK_FLAG) {
    if (t == LUA_TNUMBER) {
      p.p = lua_tonumber(L, -1);
      ok = true;
    } else if (t == LUA_TTABLE) {
      ok = key_count(L) == 1 && number_at(L, 0, "p", &p.p);
    }
    if (!ok) problem(r, "a flag's prior is the probability of true: "
                     "prior = 0.3 or { p = 0.3 }");
  } else if (s->type == BRINK_ENUM) {
    if (t == LUA_TTABLE) {
      /* Below the table, so it lives until read_var's settop. */
      size_t size = sizeof(double) * (size_t)(s->nvalues + 1);
      double *w = memset(lua_newuserdatauv(L, size, 0), 0, size);
      lua_insert(L, -2);
      lua_pushvalue(L, -1);   /* numbers_by_name pops it; the pop below too */
      ok = numbers_by_name(r, "prior", "value names", value_index, s, w);
      p.weights = w;
      p.nweights = s->nvalues;
    } else {
      problem(r, "an enum's prior weighs its values by name: "
              "prior = { %s = 3, ... }", s->nvalues ? s->values[0] : "value");
    }
  } else {
    ok = t == LUA_TTABLE && key_count(L) == 2 &&
         number_at(L, 1, NULL, &p.lo) && number_at(L, 2, NULL, &p.hi);
    if (!ok) problem(r, "a number's prior is a range: prior = { lo, hi }");
  }
  lua_pop(L, 1);
  if (ok && brink__prior_declare(r->h->e, decl, &p) != BRINK_OK)
    engine_problem(r);
}

/* 'precision': the decimals people are shown (brink_value_show); the
   engine checks the range, this only that it is a whole number. */
static void read_precision(reader *r, brink_var_spec *s) {
  lua_State *L = r->L;
  if (field_of(r, "precision", LUA_TNUMBER, "a whole number of decimals") ==
      LUA_TNUMBER) {
    int whole;
    lua_Integer n = lua_tointegerx(L, -1, &whole);
    if (!whole)
      problem(r, "'precision' must be a whole number of decimals, not %s",
              lua_tostring(L, -1));
    else if (s->type != BRINK_NUMBER)
      problem(r, "'precision' is for numbers: other types show whole values");
    else
      /* The engine checks the range; only keep huge values huge. */
      s->precision = n < INT32_MIN ? INT32_MIN
                     : n > INT32_MAX ? INT32_MAX : (int32_t)n;
  }
  lua_pop(L, 1);
}

static void read_var(reader *r, host *h, bool relation) {
  lua_State *L = r->L;
  brink_engine *e = h->e;
  static const char *const known_var[] = {"type", "min", "max", "init",
                                          "values", "visible", "hidden",
                                          "believed", "prior", "doc",
                                          "strict", "precision", NULL};
  static const char *const known_rel[] = {"type", "min", "max", "init",
                                          "symmetric", "visible", "hidden",
                                          "believed", "prior", "doc",
                                          "strict", "precision", NULL};
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
  if (field_of(r, "strict", LUA_TBOOLEAN, "a boolean") == LUA_TBOOLEAN)
    s.strict = lua_toboolean(L, -1);
  lua_pop(L, 1);
  read_precision(r, &s);
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
  if (field_of(r, "hidden", LUA_TBOOLEAN, "a boolean") == LUA_TBOOLEAN) {
    if (vt != LUA_TNIL)
      problem(r, "give 'hidden' or 'visible', not both");
    else if (lua_toboolean(L, -1))
      s.visibility = BRINK_VISIBLE_OWNER;
  }
  lua_pop(L, 1);
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
    lua_settop(L, top);
    return;
  }
  read_prior(r, &s, decl);
  read_believed(r, &s, decl);
  if (init_table) {
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
  int nactors = brink_actor_count(e);
  bool *set = lua_newuserdatauv(L, sizeof(bool) * 2 *
                                       (size_t)(nactors + 1), 0);
  int *targets = lua_newuserdatauv(L, sizeof(int) *
                                          (size_t)(nactors + 1), 0);
  lua_getfield(L, decls, "moves");
  int list = lua_gettop(L);
  for (int i = 1; begin_entry(r, h, list, i, "move"); i++) {
    check_keys(r, known);
    brink__move_spec m = {entry_name(L, r->spec), r->where,
                          opt_string(r, "doc", NULL), false, NULL, NULL, 0,
                          -1, -1, -1, false, 1};
    memset(set, 0, sizeof(bool) * (size_t)nactors);
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
      bool *chosen = set + nactors + 1;
      memset(chosen, 0, sizeof(bool) * (size_t)nactors);
      actor_set(r, h, "targets", chosen, &all);
      for (int a = 0; a < nactors; a++)
        if (all || chosen[a]) targets[m.ntargets++] = a;
      m.targets = targets;
    }
    m.when = opt_function(r, "when", false);
    m.effect = opt_function(r, "effect", false);
    /* weight = 2 is a constant weight, weight = function(w, m) one that
       depends on the world. */
    lua_getfield(L, r->spec, "weight");
    if (lua_type(L, -1) == LUA_TNUMBER) {
      m.value = lua_tonumber(L, -1);
      m.fixed = true;
      if (!isfinite(m.value) || m.value < 0) {
        problem(r, "'weight' must be a finite number of 0 or more, not %s",
                lua_tostring(L, -1));
        m.value = 1;
      }
      m.weight = -1;
    } else if (!lua_isnil(L, -1) && lua_type(L, -1) != LUA_TFUNCTION) {
      problem(r, "'weight' must be a number or a function, not %s",
              luaL_typename(L, -1));
      m.weight = -1;
    } else {
      m.weight = -2;
    }
    lua_pop(L, 1);
    if (m.weight == -2)
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

static int actor_index(reader *r, const void *ud, const char *name) {
  (void)ud;
  int a;
  if (brink__actor_lookup(r->h->e, name, &a) == BRINK_OK) return a;
  problem(r, "payoff: %s", brink_errmsg(r->h->e));
  return -1;
}

/*
** 'payoff = { ACTOR = number, ... }' into 'payoff' (one per actor, 0 for
** those left out); false when there is none or it has a problem.
*/
static bool read_payoff(reader *r, double *payoff) {
  brink_engine *e = r->h->e;
  if (field_of(r, "payoff", LUA_TTABLE, "a table { ACTOR = number, ... }") ==
      LUA_TNIL) {
    lua_pop(r->L, 1);
    return false;
  }
  memset(payoff, 0, sizeof(double) * (size_t)brink_actor_count(e));
  return numbers_by_name(r, "payoff", "actor ids", actor_index, NULL,
                         payoff);
}

static void read_simple(reader *r, host *h, int decls) {
  lua_State *L = r->L;
  brink_engine *e = h->e;
  static const char *const known_event[] = {"effect", "doc", NULL};
  static const char *const known_outcome[] = {"when", "doc", "payoff",
                                              NULL};
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
  /* Scratch owned by Lua, as in read_moves. */
  double *payoff = lua_newuserdatauv(L, sizeof(double) *
                                            (size_t)(brink_actor_count(e) + 1),
                                     0);
  lua_getfield(L, decls, "outcomes");
  list = lua_gettop(L);
  for (int i = 1; begin_entry(r, h, list, i, "outcome"); i++) {
    check_keys(r, known_outcome);
    brink__named_spec o = {entry_name(L, r->spec), r->where,
                           opt_string(r, "doc", NULL),
                           opt_function(r, "when", false), -1};
    bool has_payoff = read_payoff(r, payoff);
    if (brink__outcome_declare(e, &o) != BRINK_OK ||
        (has_payoff && brink__payoff_declare(e, o.name, payoff) != BRINK_OK))
      engine_problem(r);
    lua_pop(L, 2);
  }
  lua_pop(L, 2);
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

/*
** migrate { [1] = function(state) ... end, ... }: a step for each version
** before the scenario's, or for some of them (a save of a version whose
** step is missing is refused when it is loaded).
*/
/*
** A default outcome the author names must be declared as an outcome (with
** no 'when' if only the calendar reaches it): a misspelt one would
** otherwise be a new outcome nobody meant.  Refused where the scenario
** was declared, with the nearest declared outcome when one is close.
** Without 'default_outcome' the run ends in brink's own "end".
*/
static void check_default_outcome(reader *r, host *h) {
  brink_engine *e = h->e;
  int n = brink_outcome_count(e);
  brink__nearest near;
  if (r->def == NULL || r->def_where == NULL)
    return;
  for (int i = 0; i < n; i++)
    if (strcmp(brink_outcome_name(e, i), r->def) == 0)
      return;
  brink__nearest_init(&near, r->def);
  for (int i = 0; i < n; i++)
    if (strcmp(brink_outcome_name(e, i), "error") != 0)
      brink__nearest_add(&near, brink_outcome_name(e, i));
  const char *best = brink__nearest_best(&near);
  r->where = r->def_where;
  r->kind = "scenario";
  r->name = NULL;
  if (best)
    problem(r, "'default_outcome' '%s' is not a declared outcome (did you "
            "mean '%s'?)", r->def, best);
  else
    problem(r, "'default_outcome' '%s' is not a declared outcome: declare "
            "it, e.g. outcome \"%s\" { doc = \"...\" }", r->def, r->def);
}

static void read_migrate(reader *r, host *h, int decls) {
  lua_State *L = r->L;
  h->migrate = -1;
  lua_getfield(L, decls, "migrate");
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    return;
  }
  int box = lua_gettop(L);
  lua_getfield(L, box, "where");
  r->where = h->migrate_where = lua_tostring(L, -1);
  lua_pop(L, 1);
  r->kind = "migrate";
  r->name = NULL;
  lua_getfield(L, box, "spec");
  int steps = lua_gettop(L);
  int others = 0;
  lua_Integer past = 0;   /* the first step past the version, in order */
  lua_pushnil(L);
  while (lua_next(L, steps)) {
    lua_pop(L, 1);
    if (!lua_isinteger(L, -1)) others++;
    else if (lua_tointeger(L, -1) < 1 || lua_tointeger(L, -1) >= h->version)
      if (past == 0 || lua_tointeger(L, -1) < past)
        past = lua_tointeger(L, -1);
  }
  if (others)
    problem(r, "steps are numbered by the version they start from: "
            "[1] = function(state) ... end");
  if (past && h->version == 1)
    problem(r, "there is no step [%lld]: the scenario declares no "
            "'version' past 1", (long long)past);
  else if (past && h->version == 2)
    problem(r, "there is no step [%lld]: the scenario is version 2, so "
            "its one step is [1]", (long long)past);
  else if (past)
    problem(r, "there is no step [%lld]: the scenario is version %d, so "
            "its steps are [1] to [%d]", (long long)past, h->version,
            h->version - 1);
  /* The functions in a table of the host's own: the scenario's is
     frozen with the rest once loading is done. */
  lua_newtable(L);
  for (int k = 1; k < h->version; k++) {
    int t = lua_rawgeti(L, steps, k);
    if (t != LUA_TNIL && t != LUA_TFUNCTION)
      problem(r, "step [%d] must be a function, not %s", k,
              luaL_typename(L, -1));
    if (t == LUA_TFUNCTION) lua_rawseti(L, -2, k);
    else lua_pop(L, 1);
  }
  h->migrate = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_pop(L, 2);
}

/* Runs inside a protected call: the declarations, then the seal. */
int brink__sc_commit(lua_State *L) {
  host *h = lua_touserdata(L, 1);
  brink_engine *e = h->e;
  reader r = {h, L, 0, "", "scenario", NULL, 0, false, NULL, NULL};
  lua_rawgeti(L, LUA_REGISTRYINDEX, h->decls_ref);
  int decls = lua_gettop(L);
  read_scenario(&r, h, decls);
  read_migrate(&r, h, decls);
  read_actors(&r, h, decls);
  int nactors = brink_actor_count(e);
  if (nactors) {
    read_vars(&r, h, decls);
    read_moves(&r, h, decls);
    read_triggers(&r, h, decls);
    read_simple(&r, h, decls);
    check_default_outcome(&r, h);
  }
  lua_rawgeti(L, LUA_REGISTRYINDEX, h->env);
  lua_getfield(L, -1, "score");
  h->score = -1;
  if (lua_isfunction(L, -1)) h->score = luaL_ref(L, LUA_REGISTRYINDEX);
  else lua_pop(L, 1);
  lua_pop(L, 1);
  /* Sealing finds more problems (bounds, clashes) even after others. */
  int before = brink_diag_count(e);
  if (nactors && brink_world_seal(e) != BRINK_OK) {
    r.errors++;
    if (brink__out_of_memory(e)) r.nomem = true;
    /* Running out (of the budget, most likely) leaves no finding. */
    if (brink_diag_count(e) == before)
      brink__diag(e, h->path, brink_errmsg(e));
  }
  brink__sc_expects(&r, decls, nactors && r.errors == 0);
  if (r.nomem) brink__box_nomem(L);
  lua_pushinteger(L, r.errors);
  return 1;
}
