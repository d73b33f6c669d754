/*
** game.c: the engine as a game-playing program sees it (OpenSpiel's state
** API and the like): numbered actions, the legal ones now, an observation
** per actor as a vector of doubles, the scenario's structure, and the
** cross-thread interrupt.  Deciding one decision at a time is the turn
** loop's (turn.c: brink_stop_at_decisions, brink_decide).
**
** Actions are numbered from the declarations alone, once, when the world
** is sealed: pass is 0, then each move in declaration order with each of
** its targets in actor order.  So an action id means the same thing in a
** clone, after a state is loaded into another engine, and in every run of
** the scenario, and a learner may index arrays by it.
*/
#include <stdio.h>
#include <string.h>

#include "brinkint.h"

/* the action table ------------------------------------------------------- */

static size_t ints(int n) { return sizeof(int) * (size_t)(n > 0 ? n : 1); }

void brink__actions_free(brink_engine *e) {
  brink__actions *a = &e->actions;
  brink__free(e, a->move, ints(a->n));
  brink__free(e, a->target, ints(a->n));
  brink__free(e, a->first, ints(a->nmoves + 1));
  brink__free(e, a->of_option, ints(a->noptions));
  brink__free(e, a->order, ints(a->noptions));
  for (int i = 0; a->visible && i < a->nvars; i++)
    brink__strfree(e, a->visible[i]);
  brink__free(e, a->visible, sizeof(char *) * (size_t)(a->nvars + 1));
  memset(a, 0, sizeof *a);
}

/*
** The targets of move m's actions, in order, into 'out' (NULL: only
** counted): its distinct targets in actor order, or one action with
** target -1 for a move without targets.  Returns how many.  'seen' is
** scratch of nactors flags.
*/
static int move_targets(const brink_engine *e, int m, bool *seen,
                        int *out) {
  const brink__move *mv = &e->moves[m];
  if (mv->targets == NULL) {
    if (out) out[0] = -1;
    return 1;
  }
  memset(seen, 0, sizeof(bool) * (size_t)e->nactors);
  for (int t = 0; t < mv->ntargets; t++) seen[mv->targets[t]] = true;
  int n = 0;
  for (int t = 0; t < e->nactors; t++)
    if (seen[t]) {
      if (out) out[n] = t;
      n++;
    }
  return n;
}

static int find_action(const brink_engine *e, int move, int target) {
  const brink__actions *a = &e->actions;
  for (int i = a->first[move]; i < a->first[move + 1]; i++)
    if (a->target[i] == target) return i;
  return -1;
}

/*
** An actor's options [from, to) by ascending action, into 'order', so
** brink_legal_actions lists them sorted with no work per call.  Only pass
** (last among options, action 0) is out of place when targets are
** declared in actor order, so insertion is linear then.  An option whose
** action repeats the one before it (a target declared twice) is -1.
*/
static void sort_options(brink__actions *a, int from, int to) {
  for (int i = from; i < to; i++) {
    int opt = i, j = i;
    for (; j > from && a->of_option[a->order[j - 1]] > a->of_option[opt]; j--)
      a->order[j] = a->order[j - 1];
    a->order[j] = opt;
  }
  for (int i = to - 1; i > from; i--)
    if (a->of_option[a->order[i]] == a->of_option[a->order[i - 1]])
      a->order[i] = -1;
}

int brink__actions_build(brink_engine *e) {
  brink__actions *a = &e->actions;
  bool *seen = brink__alloc(e, sizeof(bool) * (size_t)(e->nactors + 1));
  if (seen == NULL) return BRINK_ENOMEM;
  a->nmoves = e->nmoves;
  a->first = brink__alloc(e, ints(e->nmoves + 1));
  int n = 0;
  for (int m = 0; a->first && m < e->nmoves; m++) {
    a->first[m] = n;
    n += m == 0 ? 1 : move_targets(e, m, seen, NULL);
  }
  if (a->first) a->first[e->nmoves] = n;
  a->n = n;
  a->move = brink__alloc(e, ints(n));
  a->target = brink__alloc(e, ints(n));
  a->noptions = e->noptions;
  a->of_option = brink__alloc(e, ints(e->noptions));
  a->order = brink__alloc(e, ints(e->noptions));
  a->nvars = e->nvars;
  a->visible = brink__alloc(e, sizeof(char *) * (size_t)(e->nvars + 1));
  if (a->visible)   /* freed name by name, whatever failed below */
    memset(a->visible, 0, sizeof(char *) * (size_t)(e->nvars + 1));
  if (!a->first || !a->move || !a->target || !a->of_option || !a->order ||
      !a->visible) {
    brink__free(e, seen, sizeof(bool) * (size_t)(e->nactors + 1));
    return BRINK_ENOMEM;
  }
  a->move[0] = 0;
  a->target[0] = -1;
  for (int m = 1; m < e->nmoves; m++) {
    int k = a->first[m];
    move_targets(e, m, seen, &a->target[k]);
    for (; k < a->first[m + 1]; k++) a->move[k] = m;
  }
  brink__free(e, seen, sizeof(bool) * (size_t)(e->nactors + 1));
  for (int o = 0; o < e->noptions; o++)
    a->of_option[o] = find_action(e, e->options[o].move, e->options[o].target);
  for (int actor = 0; actor < e->nactors; actor++)
    sort_options(a, e->actor_options[actor], e->actor_options[actor + 1]);
  for (int v = 0; v < e->nvars; v++) {
    size_t len = strlen(e->vars[v].name) + sizeof "visible:";
    if ((a->visible[v] = brink__alloc(e, len)) == NULL) return BRINK_ENOMEM;
    snprintf(a->visible[v], len, "visible:%s", e->vars[v].name);
  }
  return BRINK_OK;
}

/* actions ---------------------------------------------------------------- */

BRINK_API int brink_action_count(const brink_engine *e) {
  return e->actions.n > 0 ? e->actions.n : 1;
}

BRINK_API int brink_action_info(const brink_engine *e, int action, int *move,
                                int *target) {
  if (move) *move = -1;
  if (target) *target = -1;
  if (action == 0 && e->actions.n == 0) {   /* pass, before the seal */
    if (move) *move = 0;
    return BRINK_OK;
  }
  if (action < 0 || action >= e->actions.n)
    return brink__bad_id(e, "action", action);
  if (move) *move = e->actions.move[action];
  if (target) *target = e->actions.target[action];
  return BRINK_OK;
}

BRINK_API int brink_action_find(const brink_engine *e, int move, int target,
                                int *action) {
  if (action) *action = -1;
  if (move < 0 || move >= e->actions.nmoves)
    return brink__bad_id(e, "move", move);
  int i = find_action(e, move, target);
  if (i < 0) {
    const char *name = e->moves[move].name;
    if (target < 0)
      return brink__error(e, BRINK_ENOTFOUND, "move '%s' takes a target",
                          name);
    if (target < e->nactors)
      return brink__error(e, BRINK_ENOTFOUND, "move '%s' has no target %s",
                          name, e->actors[target].id);
    return brink__error(e, BRINK_ENOTFOUND, "move '%s' has no target %d "
                        "(no actor has that id)", name, target);
  }
  if (action) *action = i;
  return BRINK_OK;
}

/* An output array of 'cap' ints and its count, as the list calls take. */
static int check_list(const brink_engine *e, const int *out, int cap,
                      const int *n) {
  if (n == NULL) return brink__error(e, BRINK_EINVAL, "n is NULL");
  if (cap < 0 || (out == NULL && cap > 0))
    return brink__error(e, BRINK_EINVAL, "out is NULL or cap (%d) is "
                        "negative", cap);
  return BRINK_OK;
}

BRINK_API int brink_legal_actions(brink_engine *e, int actor, int *out,
                                  int cap, int *n) {
  if (n) *n = 0;
  BRINK__WRITE(e);
  BRINK__GUARD(check_list(e, out, cap, n));
  if (!e->sealed) return brink__error(e, BRINK_ESTATE, "no scenario loaded");
  if (actor < 0 || actor >= e->nactors)
    return brink__bad_id(e, "actor", actor);
  const brink__actions *a = &e->actions;
  int k = 0;
  for (int i = e->actor_options[actor]; i < e->actor_options[actor + 1];
       i++) {
    int opt = a->order[i];
    bool legal;
    if (opt < 0) continue;
    int rc = brink__option_legal(e, opt, &legal);
    if (rc != BRINK_OK) return rc;
    if (!legal) continue;
    if (k < cap) out[k] = a->of_option[opt];
    k++;
  }
  *n = k;
  return BRINK_OK;
}

BRINK_API int brink_choose_action(brink_engine *e, int action) {
  BRINK__WRITE(e);
  int move, target;
  BRINK__GUARD(brink_action_info(e, action, &move, &target));
  return brink_choose(e, move, target);
}

/* observations ----------------------------------------------------------- */

/*
** The value an actor who cannot see 'var' is shown: the middle of its
** belief when it knows something (a declared or changed belief narrower
** than the whole range), else what it may believe before it learns
** anything, the prior's mean, else 0.  Never the value.
*/
static double unseen(const brink_engine *e, int var, int actor) {
  double mean;
  int s = brink__belief_slot(e, var, actor);
  if (s >= 0 && !brink__belief_unknown(e, var, s)) {
    double lo = e->belief[2 * s], hi = e->belief[2 * s + 1];
    return lo + (hi - lo) / 2;
  }
  return brink__prior_mean(e, var, &mean) ? mean : 0;
}

BRINK_API int brink_observation_size(const brink_engine *e) {
  return 2 + 2 * e->nvars;
}

BRINK_API int brink_observation(brink_engine *e, int actor, double *out,
                                int cap) {
  if (actor < -1 || actor >= e->nactors)
    return brink__bad_id(e, "actor", actor);
  if (cap < 0 || (out == NULL && cap > 0))
    return brink__error(e, BRINK_EINVAL, "out is NULL or cap (%d) is "
                        "negative", cap);
  int n = e->nvars, size = 2 + 2 * n;
  if (cap > size) cap = size;
  if (cap > 0) out[0] = e->run.turn;
  if (cap > 1) out[1] = e->run.phase == BRINK__PH_DONE;
  for (int v = 0; v < n && 2 + v < cap; v++) {
    bool seen = actor < 0 || brink_var_visible(e, v, actor) == 1;
    out[2 + v] = seen ? e->values[v] : unseen(e, v, actor);
    if (2 + n + v < cap) out[2 + n + v] = seen;
  }
  return BRINK_OK;
}

BRINK_API const char *brink_observation_name(const brink_engine *e, int i) {
  int n = e->nvars;
  if (i == 0) return "turn";
  if (i == 1) return "ended";
  if (i >= 2 && i < 2 + n) return e->vars[i - 2].name;
  if (i >= 2 + n && i < 2 + 2 * n) return e->actions.visible[i - 2 - n];
  return brink__bad_name(e, "observation entry", i);
}

/* the scenario's structure ----------------------------------------------- */

BRINK_API int brink_policy_count(const brink_engine *e) {
  return e->npolicies;
}

BRINK_API const char *brink_policy_name(const brink_engine *e, int i) {
  return i >= 0 && i < e->npolicies ? e->policies[i].name
                                    : brink__bad_name(e, "policy", i);
}

BRINK_API int brink_policy_actor(const brink_engine *e, int i) {
  if (i < 0 || i >= e->npolicies) {
    brink__bad_id(e, "policy", i);
    return -1;
  }
  return e->policies[i].actor;
}

BRINK_API int brink_move_by(const brink_engine *e, int move, int actor) {
  if (move < 0 || move >= e->nmoves) {
    brink__bad_id(e, "move", move);
    return -1;
  }
  if (actor < 0 || actor >= e->nactors) {
    brink__bad_id(e, "actor", actor);
    return -1;
  }
  const brink__move *m = &e->moves[move];
  return move == 0 || m->by_all || (m->by && m->by[actor]);
}

BRINK_API int brink_move_targets(const brink_engine *e, int move, int *out,
                                 int cap, int *n) {
  if (n) *n = 0;
  BRINK__GUARD(check_list(e, out, cap, n));
  if (move < 0 || move >= e->actions.nmoves)
    return brink__bad_id(e, "move", move);
  const brink__actions *a = &e->actions;
  int k = 0;
  for (int i = a->first[move]; i < a->first[move + 1]; i++)
    if (a->target[i] >= 0) {
      if (k < cap) out[k] = a->target[i];
      k++;
    }
  *n = k;
  return BRINK_OK;
}

static const brink__decl *decl_of(const brink_engine *e, int var) {
  if (brink__var_check(e, var) != BRINK_OK) return NULL;
  return &e->decls[e->vars[var].decl];
}

BRINK_API int brink_var_enum_count(const brink_engine *e, int var) {
  const brink__decl *d = decl_of(e, var);
  if (d == NULL) return -1;
  return d->type == BRINK_ENUM ? d->nvalues : 0;
}

BRINK_API int brink_var_visibility(const brink_engine *e, int var) {
  const brink__decl *d = decl_of(e, var);
  return d ? d->visibility : -1;
}

BRINK_API int brink_var_start(const brink_engine *e, int var, double *out) {
  BRINK__GUARD(brink__var_check(e, var));
  if (out == NULL) return brink__error(e, BRINK_EINVAL, "out is NULL");
  *out = e->initial[var];
  return BRINK_OK;
}

BRINK_API const char *brink_var_relation(const brink_engine *e, int var) {
  const brink__decl *d = decl_of(e, var);
  if (d == NULL) return NULL;
  return d->kind == BRINK__RELATION ? d->field : "";
}

BRINK_API int brink_var_symmetric(const brink_engine *e, int var) {
  const brink__decl *d = decl_of(e, var);
  if (d == NULL) return -1;
  return d->kind == BRINK__RELATION && d->symmetric;
}

/* the interrupt ---------------------------------------------------------- */

BRINK_API void brink_interrupt(brink_engine *e) {
  if (e == NULL) return;
  int busy = BRINK__BUSY;
  atomic_compare_exchange_strong(&e->interrupt, &busy, BRINK__STOPPED);
}

atomic_int *brink__interrupt_flag(brink_engine *e) { return &e->interrupt; }

void brink__interrupt_enter(atomic_int *flag) {
  if (flag) atomic_store(flag, BRINK__BUSY);
}

void brink__interrupt_leave(atomic_int *flag) {
  if (flag) atomic_store(flag, BRINK__IDLE);
}

bool brink__interrupted(atomic_int *flag) {
  return flag && atomic_load_explicit(flag, memory_order_relaxed) ==
                     BRINK__STOPPED;
}
