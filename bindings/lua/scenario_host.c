/*
** scenario_host.c: the engine's script host.  The engine calls these
** hooks to evaluate a condition or a weight, run an effect, let a policy
** choose, compute a score, clone the host and charge the budgets; each
** runs its script function through the sandbox with the world 'w' and
** the call's 'm', event data or options.
*/
#include <lauxlib.h>
#include <lua.h>
#include <stdio.h>
#include <string.h>

#include "buffer.h"
#include "scenario.h"

/* the engine's script host ------------------------------------------------ */

int brink__sc_call(host *h, int nargs, int nresults) {
  return brink__sc_call_handled(h, nargs, nresults, 0);
}

int brink__sc_call_handled(host *h, int nargs, int nresults, int handled) {
  if (h->box.depth == 0) {
    brink__strfree(h->e, h->nested_in);
    h->nested_in = NULL;
  }
  int rc = brink__box_pcall_handled(&h->box, nargs, nresults, h->where,
                                    sizeof h->where, h->msg, sizeof h->msg,
                                    handled);
  if (rc != BRINK_OK) {
    /* Where the running function was declared, for errors raised
       outside it. */
    const char *decl = brink__call_where(h->e, brink__current(h->e));
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
  lua_Hook hook;            /* choose: the budget's hook, while ours runs */
  int returned;             /* choose: the line of its 'return', or 0 */
  char src[LUA_IDSIZE];     /* choose: its file */
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
    int move, actor, target;
    brink__option_info(e, q->options[i], &move, &actor, &target);
    if (t == LUA_TSTRING) {
      if (strcmp(lua_tostring(L, ret), brink_move_name(e, move)) == 0)
        return i;
      continue;
    }
    if (t != LUA_TTABLE) return -1;
    lua_rawgeti(L, opts, q->options[i] + 1);
    bool same = lua_rawequal(L, -1, ret);
    lua_pop(L, 1);
    if (same) return i;
    lua_getfield(L, ret, "move");
    lua_getfield(L, ret, "target");
    const char *name = lua_tostring(L, -2), *to = lua_tostring(L, -1);
    same = name && strcmp(name, brink_move_name(e, move)) == 0 &&
           (to ? target >= 0 && strcmp(to, brink_actor_id(e, target)) == 0
               : target < 0);
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

/*
** A policy's pick that is none of its options is reported at the line of
** its 'return': while choose() runs, a return hook notes the line of each
** return of that function, and passes the count events on to the
** budget's hook.  The request is found through a registry key that is
** the address of a static variable.
*/
static const char choosing_key = 'c';

static void choose_hook(lua_State *L, lua_Debug *ar) {
  request *q;
  lua_rawgetp(L, LUA_REGISTRYINDEX, &choosing_key);
  q = lua_touserdata(L, -1);
  lua_pop(L, 1);
  if (q == NULL || ar->event != LUA_HOOKRET) {
    if (q && q->hook) q->hook(L, ar);
    return;
  }
  if (!lua_getinfo(L, "fSl", ar)) return;
  lua_rawgeti(L, LUA_REGISTRYINDEX, q->fn);
  if (lua_rawequal(L, -1, -2) && ar->currentline > 0) {
    q->returned = ar->currentline;
    snprintf(q->src, sizeof q->src, "%s", ar->short_src);
  }
  lua_pop(L, 2);
}

/* Back to the budget's hook alone, whether choose() returned or not. */
static void choose_unhook(lua_State *L, request *q) {
  /* The hook goes whatever the stack holds: it must never outlive 'q'. */
  if (lua_gethook(L) == choose_hook)
    lua_sethook(L, q->hook, LUA_MASKCOUNT, lua_gethookcount(L));
  if (!lua_checkstack(L, 1)) return;   /* only the hook reads the key */
  lua_pushnil(L);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &choosing_key);
}

/* Adds option 'i' as the script writes it: 'pass', { move = 'x', target =
   'Y' }. */
static void add_option(luaL_Buffer *b, host *h, const request *q, int i) {
  int move, actor, target;
  brink__option_info(h->e, q->options[i], &move, &actor, &target);
  if (target < 0) {
    lua_pushfstring(b->L, "'%s'", brink_move_name(h->e, move));
  } else {
    lua_pushfstring(b->L, "{ move = '%s', target = '%s' }",
                    brink_move_name(h->e, move), brink_actor_id(h->e, target));
  }
  luaL_addvalue(b);
}

/*
** Raises "choose() returned 'tighen', not one of its options (did you
** mean 'tighten'?)" at the line of the 'return': the nearest option by
** move name (then by target), or the options when nothing is near.
*/
static int not_an_option(lua_State *L, host *h, request *q, int ret) {
  brink_engine *e = h->e;
  luaL_Buffer b;
  const char *name = NULL, *to = NULL;
  int best = -1;
  int t = lua_type(L, ret);
  if (t == LUA_TSTRING) {
    name = lua_tostring(L, ret);
  } else if (t == LUA_TTABLE) {
    lua_getfield(L, ret, "move");
    lua_getfield(L, ret, "target");
    name = lua_tostring(L, -2);
    to = lua_tostring(L, -1);
  }
  if (name) {
    brink__nearest near, targets;
    const char *m, *a;
    brink__nearest_init(&near, name);
    for (int i = 0; i < q->n; i++) {
      int move, actor, target;
      brink__option_info(e, q->options[i], &move, &actor, &target);
      brink__nearest_add(&near, brink_move_name(e, move));
    }
    /* An exact name is its own nearest (distance 0). */
    m = strcmp(name, "") ? brink__nearest_best(&near) : NULL;
    if (m) {
      brink__nearest_init(&targets, to ? to : "");
      for (int i = 0; i < q->n; i++) {
        int move, actor, target;
        brink__option_info(e, q->options[i], &move, &actor, &target);
        if (strcmp(brink_move_name(e, move), m) == 0 && target >= 0)
          brink__nearest_add(&targets, brink_actor_id(e, target));
      }
      a = to ? brink__nearest_best(&targets) : NULL;
      for (int i = 0; i < q->n && best < 0; i++) {
        int move, actor, target;
        brink__option_info(e, q->options[i], &move, &actor, &target);
        if (strcmp(brink_move_name(e, move), m) == 0 &&
            (target < 0 || a == NULL ||
             strcmp(brink_actor_id(e, target), a) == 0))
          best = i;
      }
    }
  }
  luaL_buffinit(L, &b);
  if (q->returned) {
    lua_pushfstring(L, "%s:%d: ", q->src, q->returned);
    luaL_addvalue(&b);
  }
  luaL_addstring(&b, "choose() returned ");
  if (t == LUA_TSTRING) {
    lua_pushfstring(L, "'%s'", name);
    luaL_addvalue(&b);
  } else if (t == LUA_TTABLE && name) {
    lua_pushfstring(L, "{ move = '%s'", name);
    luaL_addvalue(&b);
    if (to) {
      lua_pushfstring(L, ", target = '%s'", to);
      luaL_addvalue(&b);
    }
    luaL_addstring(&b, " }");
  } else {
    luaL_addstring(&b, t == LUA_TTABLE ? "a table without a move"
                                       : luaL_typename(L, ret));
  }
  luaL_addstring(&b, ", not one of its options");
  if (best >= 0) {
    luaL_addstring(&b, " (did you mean ");
    add_option(&b, h, q, best);
    luaL_addstring(&b, "?)");
  } else {
    luaL_addstring(&b, " (the options are ");
    for (int i = 0; i < q->n && i < 6; i++) {
      if (i) luaL_addstring(&b, ", ");
      add_option(&b, h, q, i);
    }
    if (q->n > 6) luaL_addstring(&b, ", ...");
    luaL_addstring(&b, ")");
  }
  luaL_pushresult(&b);
  return lua_error(L);
}

static int trampoline(lua_State *L) {
  request *q = lua_touserdata(L, 1);
  host *h = q->h;
  const brink__call *c = q->c;
  lua_settop(L, 0);
  /* Conditions and weights read through C, which notes their reads for
     the cache; the rest read the mirrors (scenario_world.c). */
  bool mirrored = h->mirror && q->kind != EVAL && q->kind != WEIGH;
  if (mirrored) brink__sc_mirror_sync(L, h);
  lua_rawgeti(L, LUA_REGISTRYINDEX, q->fn);
  lua_rawgeti(L, LUA_REGISTRYINDEX, mirrored ? h->fw : h->w);
  if (q->kind == CHOOSE) {
    lua_createtable(L, q->n, 0);
    lua_rawgeti(L, LUA_REGISTRYINDEX, h->opts);
    for (int i = 0; i < q->n; i++) {
      lua_rawgeti(L, -1, q->options[i] + 1);
      lua_rawseti(L, -3, i + 1);
    }
    lua_pop(L, 1);
    q->hook = lua_gethook(L);
    lua_pushlightuserdata(L, q);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &choosing_key);
    lua_sethook(L, choose_hook, LUA_MASKCOUNT | LUA_MASKRET,
                lua_gethookcount(L));
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
    choose_unhook(L, q);
    q->chosen = match_choice(L, h, q, 1);
    if (q->chosen < 0) return not_an_option(L, h, q, 1);
    break;
  default:
    break;
  }
  return 0;
}

/* What a request runs, as the author wrote it: named when it runs out of
   instructions. */
static const char *part_of(const request *q) {
  switch (q->kind) {
  case EVAL: return "when";
  case WEIGH: return "weight";
  case CHOOSE: return "choose";
  case SCORE: return "score";
  default: return q->c && q->c->in == BRINK__IN_HOOK ? "on" : "effect";
  }
}

static int invoke(host *h, request *q) {
  lua_State *L = h->box.L;
  int rc;
  if (h->reason) h->reason[0] = '\0';
  /* Conditions and weights run for every option every turn, and a
     sound one takes thousands of instructions: a smaller budget stops a
     runaway one quickly.  A nested call (fire() in an effect) runs on
     its caller's budget. */
  if (h->box.depth == 0)
    brink__box_next(&h->box, q->kind == EVAL || q->kind == WEIGH
                                 ? h->condition_budget : 0, part_of(q));
  lua_pushcfunction(L, trampoline);
  lua_pushlightuserdata(L, q);
  rc = brink__sc_call(h, 1, 0);
  if (q->kind == CHOOSE) choose_unhook(L, q);   /* choose() raised */
  return rc;
}

/*
** A condition or a weight called straight from C, without the trampoline:
** the function, 'w' and the option's 'm' pushed and called under the same
** protected call and budget.  Nothing here allocates in Lua.  Returns -1
** when it cannot say (no stack, a reason longer than the buffer kept, a
** weight that is not a number): the caller then runs the trampoline,
** whose messages are the ones the engine reports.  Conditions and weights
** draw no numbers and write nothing, so running one again gives the same
** result.
*/
static int eval_direct(host *h, request *q) {
  lua_State *L = h->box.L;
  const brink__call *c = q->c;
  if (!lua_checkstack(L, 6)) return -1;
  int top = lua_gettop(L);
  if (h->reason) h->reason[0] = '\0';
  if (h->box.depth == 0)
    brink__box_next(&h->box, h->condition_budget, part_of(q));
  brink__box_push_handler(L);
  lua_rawgeti(L, LUA_REGISTRYINDEX, q->fn);
  lua_rawgeti(L, LUA_REGISTRYINDEX, h->w);
  int nargs = 1;
  if (c->option >= 0) {
    lua_rawgeti(L, LUA_REGISTRYINDEX, h->opts);
    lua_rawgeti(L, -1, c->option + 1);
    lua_replace(L, -2);
    nargs = 2;
  }
  int rc = brink__sc_call_handled(h, nargs, 2, 1);
  if (rc != BRINK_OK) return rc;
  int ok = 1;
  if (q->kind == EVAL) {
    q->value = lua_toboolean(L, -2);
    if (!q->value && lua_type(L, -1) == LUA_TSTRING) {
      size_t len;
      const char *text = lua_tolstring(L, -1, &len);
      if (len < h->reason_cap) memcpy(h->reason, text, len + 1);
      else ok = 0;
    }
  } else if (lua_type(L, -2) == LUA_TNUMBER) {
    q->value = lua_tonumber(L, -2);
  } else {
    ok = 0;
  }
  lua_settop(L, top);
  return ok ? BRINK_OK : -1;
}

static int host_eval(void *ud, int fn, const brink__call *c, double *value,
                     const char **reason) {
  host *h = ud;
  bool weigh = c->in == BRINK__IN_WEIGHT;
  bool fast = c->in != BRINK__IN_EVENT && brink__fast(h->e);
  if (fast) {   /* most run in C: the request is made only for Lua */
    if (h->reason) h->reason[0] = '\0';
    if (brink__sc_cexpr(h, fn, c, weigh ? BRINK__CX_WEIGHT : BRINK__CX_WHEN,
                        value) == BRINK_OK) {
      *reason = h->reason && h->reason[0] ? h->reason : NULL;
      return BRINK_OK;
    }
  }
  request q = {h, fn, c, NULL, 0, NULL, 0, -1, weigh ? WEIGH : EVAL, NULL, 0,
               {0}};
  int rc = fast ? eval_direct(h, &q) : -1;
  if (rc < 0) rc = invoke(h, &q);
  *value = q.value;
  *reason = h->reason && h->reason[0] ? h->reason : NULL;
  return rc;
}

static int host_run(void *ud, int fn, const brink__call *c) {
  host *h = ud;
  double none;
  /* An event's data is decoded in Lua: only one without runs in C. */
  if ((c->in != BRINK__IN_EVENT || c->data == NULL) && brink__fast(h->e) &&
      brink__sc_cexpr(h, fn, c, BRINK__CX_EFFECT, &none) == BRINK_OK)
    return BRINK_OK;
  request q = {ud, fn, c, NULL, 0, NULL, 0, -1, RUN, NULL, 0, {0}};
  return invoke(ud, &q);
}

static int host_choose(void *ud, int fn, const brink__call *c,
                       const int *options, int n, int *chosen) {
  request q = {ud, fn, c, options, n, NULL, 0, -1, CHOOSE, NULL, 0, {0}};
  int rc = invoke(ud, &q);
  *chosen = q.chosen;
  return rc;
}

void brink__sc_free(host *h) {
  brink_engine *e = h->e;
  brink__script_mem_set(e, NULL);
  brink__box_close(&h->box);
  for (int i = 0; i < h->nfields; i++)
    if (h->fields[i].slot)
      brink__free(e, h->fields[i].slot,
                  sizeof(int) * (size_t)(h->nactors ? h->nactors : 1));
  if (h->fields)
    brink__free(e, h->fields, sizeof(field) * (size_t)h->cap_fields);
  if (h->types)
    brink__free(e, h->types, (size_t)(h->ntypes ? h->ntypes : 1));
  if (h->shadow)
    brink__free(e, h->shadow, sizeof(double) * (size_t)(h->ntypes ? h->ntypes
                                                                  : 1));
  if (h->nlocs) brink__free(e, h->nlocs, (size_t)(h->ntypes ? h->ntypes : 1));
  brink__free(e, h->recs, sizeof(name_rec) * (size_t)h->cap_recs);
  brink__map_free(e, &h->long_recs);
  brink__strfree(e, h->nested_in);
  brink__sc_cexpr_free(h);
  brink__sc_expects_free(h);
  brink__free(e, h->reason, h->reason_cap);
  brink__free(e, h, sizeof *h);
}

static void host_close(void *ud) { brink__sc_free(ud); }

static int host_score(void *ud, const brink__call *c, double *value) {
  host *h = ud;
  request q = {h, h->score, c, NULL, 0, brink_actor_id(h->e, c->actor), 0, -1,
               SCORE, NULL, 0, {0}};
  int rc = invoke(h, &q);
  *value = q.value;
  return rc;
}

/* A migration step, described for migrating() below. */
typedef struct step_request {
  host *h;
  int step;
  const char *state;        /* event data text */
  char *out;                /* out: JSON text, a buffer */
  size_t len;
} step_request;

/*
** The state decoded into a table, the step called with it, and what it
** returned (or the table, edited in place) written as JSON: all inside
** the protected call, under the sandbox's budgets.
*/
static int migrating(lua_State *L) {
  step_request *q = lua_touserdata(L, 1);
  host *h = q->h;
  lua_settop(L, 0);
  lua_rawgeti(L, LUA_REGISTRYINDEX, h->migrate);
  lua_rawgeti(L, LUA_REGISTRYINDEX, h->decode);
  lua_pushstring(L, q->state);
  lua_call(L, 1, 1);
  lua_rawgeti(L, 1, q->step);
  lua_pushvalue(L, 2);
  lua_call(L, 1, 1);
  int t = lua_type(L, 3);
  if (t != LUA_TNIL && t != LUA_TTABLE)
    return luaL_error(L, "it must return the state (a table) or nothing, "
                      "not %s", lua_typename(L, t));
  lua_rawgeti(L, LUA_REGISTRYINDEX, h->json);
  lua_pushvalue(L, t == LUA_TNIL ? 2 : 3);
  lua_call(L, 1, 1);
  size_t len;
  const char *text = lua_tolstring(L, -1, &len);
  q->out = brink__buffer_dup(h->e, text, len);
  if (q->out == NULL) brink__box_nomem(L);
  q->len = len;
  return 0;
}

static int host_migrate(void *ud, int step, const char *state, char **out,
                        size_t *len) {
  host *h = ud;
  lua_State *L = h->box.L;
  if (h->migrate < 0 || step < 1 || step >= h->version)
    return BRINK_ENOTFOUND;
  int t = lua_rawgeti(L, LUA_REGISTRYINDEX, h->migrate);
  if (t == LUA_TTABLE) t = lua_rawgeti(L, -1, step);
  lua_pop(L, t == LUA_TFUNCTION ? 2 : 1);
  if (t != LUA_TFUNCTION) return BRINK_ENOTFOUND;
  if (state == NULL) return BRINK_OK;
  step_request q = {h, step, state, NULL, 0};
  lua_pushcfunction(L, migrating);
  lua_pushlightuserdata(L, &q);
  int rc = brink__sc_call(h, 1, 0);
  /* An error outside the step's own code (what it returned): where the
     steps are declared. */
  if (rc != BRINK_OK && h->where[0] == '\0' && h->migrate_where)
    brink__script_error(h->e, rc, h->migrate_where, h->msg);
  if (rc != BRINK_OK) {
    brink_buffer_free(q.out);
    return rc;
  }
  *out = q.out;
  *len = q.len;
  return BRINK_OK;
}

static int host_charge(void *ud, int64_t bytes, int64_t work) {
  host *h = ud;
  return brink__box_hold(&h->box, bytes, work);
}

static int host_clone(void *ud, brink_engine *from, brink_engine *to) {
  size_t len;
  const char *text = brink_scenario_text(from, &len);
  (void)ud;
  /* The texts the original loaded, not the files as they are now. */
  if (brink__imports_copy(from, to) != BRINK_OK) return BRINK_ENOMEM;
  return brink_load_string(to, brink_scenario_path(from), text, len);
}

void brink__sc_attach(host *h) {
  brink__host hooks = {h, host_eval, host_run, host_choose, host_clone,
                       host_close, host_charge,
                       h->score >= 0 ? host_score : NULL,
                       h->migrate >= 0 ? host_migrate : NULL};
  brink__host_set(h->e, &hooks);
}
