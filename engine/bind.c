/*
** bind.c: the calls of bind.h that read or set the engine's fields for a
** script binding, so that the binding never sees the layout of a struct,
** and brink_score(), which runs the host's score function as a condition.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "brinkint.h"
#include "data.h"
#include "migrate.h"

void brink__allocator(const brink_engine *e, brink_alloc *alloc, void **ud) {
  *alloc = e->alloc;
  *ud = e->alloc_ud;
}

const brink_config *brink__config(const brink_engine *e) { return &e->cfg; }

void brink__metering(brink_engine *e, bool on) { e->metering = on; }

void brink__script_mem_set(brink_engine *e, const size_t *script_mem) {
  e->script_mem = script_mem;
}

unsigned brink__alloc_failures(const brink_engine *e) {
  return e->alloc_failures;
}

bool brink__out_of_memory(const brink_engine *e) {
  return e->errstatus == BRINK_ENOMEM && !e->over_budget;
}

bool brink__over_budget(const brink_engine *e) { return e->over_budget; }

/* loading ---------------------------------------------------------------- */

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
** A sort, not insertion: a check may list a finding for each of 10^5
** declarations.  Without memory for the keys they stay as found.
*/
void brink__diag_sort(brink_engine *e) {
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

int brink__load_allowed(brink_engine *e) {
  if (e->sealed || e->host.ud || e->nactors)
    return brink__error(e, BRINK_ESTATE, "the engine already has a scenario");
  return BRINK_OK;
}

void brink__scenario_numbers(brink_engine *e, uint64_t seed,
                             int moves_per_turn, double pass_weight) {
  e->scenario_seed = seed;
  e->moves_per_turn = moves_per_turn;
  e->pass_weight = pass_weight;
}

int brink__default_outcome_set(brink_engine *e, const char *outcome) {
  char *copy = brink__strdup(e, outcome);
  if (copy == NULL) return BRINK_ENOMEM;
  brink__strfree(e, e->default_outcome);
  e->default_outcome = copy;
  return BRINK_OK;
}

/* the world -------------------------------------------------------------- */

int brink__decl_count(const brink_engine *e) { return e->ndecls; }

void brink__decl_get(const brink_engine *e, int decl, brink__decl_view *out) {
  const brink__decl *d = &e->decls[decl];
  out->field = d->field;
  out->kind = d->kind;
  out->first = d->first;
  out->count = d->count;
  out->owner = d->kind == BRINK__ACTOR_VAR && d->count
                   ? e->vars[d->first].owner : -1;
}

int brink__relation_slot(const brink_engine *e, int decl, int a, int b) {
  return e->decls[decl].pair_slot[BRINK__PAIR(e->nactors, a, b)];
}

int brink__enum_index(const brink_engine *e, int var, const char *value,
                      const char **best) {
  const brink__decl *d = &e->decls[e->vars[var].decl];
  for (int i = 0; i < d->nvalues; i++)
    if (strcmp(d->values[i], value) == 0) return i;
  brink__nearest near;
  brink__nearest_init(&near, value);
  for (int i = 0; i < d->nvalues; i++) brink__nearest_add(&near, d->values[i]);
  *best = brink__nearest_best(&near);
  return -1;
}

/* script calls ----------------------------------------------------------- */

void brink__host_set(brink_engine *e, const brink__host *host) {
  e->host = *host;
}

void *brink__host_ud(const brink_engine *e) { return e->host.ud; }

/* saved states of older versions (migrate.h) ----------------------------- */

int brink__scenario_version(const brink_engine *e) {
  const char *v;
  if (brink__field_get(e, "version", &v) != BRINK_OK) return 1;
  return atoi(v);   /* the binding wrote it, a whole number from 1 */
}

int brink__migrate(brink_engine *e, int step, const char *state, char **out,
                   size_t *len) {
  if (out) *out = NULL;
  if (e->host.migrate == NULL)
    return brink__error(e, BRINK_ENOTFOUND, "the scenario has no step [%d] "
                        "in its migrate { }", step);
  if (state && !brink__data_valid(state))
    return brink__error(e, BRINK_EINVAL, "the state is not data brink wrote");
  locale_t old = brink__locale_enter(e);
  int rc = e->host.migrate(e->host.ud, step, state, out, len);
  brink__locale_leave(old);
  if (rc == BRINK_ENOTFOUND)
    brink__error(e, rc, "the scenario has no step [%d] in its migrate { }",
                 step);
  return rc;
}

const brink__call *brink__current(const brink_engine *e) {
  return &e->current;
}

bool brink__read_only(const brink_engine *e) { return e->read_only; }

bool brink__running(const brink_engine *e) {
  return e->run.phase != BRINK__PH_IDLE;
}

const char *brink__call_where(const brink_engine *e, const brink__call *c) {
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

bool brink__odds_now(const brink_engine *e, double *p) {
  if (e->odds_move < 0 || e->current.in != BRINK__IN_MOVE ||
      e->current.index != e->odds_move)
    return false;
  *p = e->odds_p;
  return true;
}

int brink__option_count(const brink_engine *e) { return e->noptions; }

void brink__option_info(const brink_engine *e, int option, int *move,
                        int *actor, int *target) {
  const brink__option *o = &e->options[option];
  *move = o->move;
  *actor = o->actor;
  *target = o->target;
}

const char *brink__event_nearest(brink_engine *e, const char *name) {
  brink__nearest s;
  brink__nearest_init(&s, name);
  for (int i = 0; i < e->nevents; i++)
    brink__nearest_add(&s, e->events[i].name);
  return brink__nearest_text(e, &s);
}

BRINK_API int brink_score(brink_engine *e, int actor, double *out) {
  if (out) *out = 0;
  if (e->host.score == NULL)
    return brink__error(e, BRINK_ENOTFOUND, "the scenario defines no score");
  if (actor < 0 || actor >= e->nactors)
    return brink__error(e, BRINK_EINVAL, "no actor has id %d", actor);
  if (e->nmarks)
    return brink__error(e, BRINK_ESTATE, "a transaction is open");
  brink__call saved = e->current;
  e->current = (brink__call){BRINK__IN_NONE, 0, -1, actor, -1, NULL};
  e->read_only = true;
  double v = 0;
  locale_t old = brink__locale_enter(e);
  int rc = e->host.score(e->host.ud, &e->current, &v);
  brink__locale_leave(old);
  e->read_only = false;
  e->current = saved;
  if (rc != BRINK_OK) return rc;
  if (!isfinite(v))
    return brink__error(e, BRINK_ESCRIPT, "score(w, '%s') must return a "
                        "finite number", e->actors[actor].id);
  if (out) *out = v;
  return BRINK_OK;
}
