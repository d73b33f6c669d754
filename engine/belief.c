/*
** belief.c: what each actor takes the variables it cannot see to be.  A
** belief is a range [lo, hi] (a point when lo == hi), one for every
** (variable, actor) pair where the actor cannot see the variable.  It
** starts as declared (brink_var_believed) or, failing that, as the
** variable's whole range, which means "unknown"; it changes only through
** brink_belief_set, journaled like a write, so a failed effect's changes
** are undone, and recorded as a belief record.  Beliefs are part of the
** run: brink_start resets them, snapshots and saved states carry them.
*/
#include <math.h>
#include <string.h>

#include "brinkint.h"

/* declaring -------------------------------------------------------------- */

BRINK_API int brink_var_believed(brink_engine *e, int decl, const char *actor,
                                 double lo, double hi) {
  BRINK__WRITE(e);
  if (decl < 0 || decl >= e->ndecls)
    return brink__error(e, BRINK_EINVAL, "bad declaration id %d", decl);
  if (e->sealed)
    return brink__error(e, BRINK_ESTATE, "the world is already sealed");
  if (!(lo <= hi) || !isfinite(lo) || !isfinite(hi))
    return brink__error(e, BRINK_EINVAL, "a belief about '%s' needs finite "
                        "lo <= hi", e->decls[decl].name);
  brink__decl *d = &e->decls[decl];
  if (brink__grow(e, (void **)&d->believed, &d->cap_believed,
                  d->nbelieved + 1, sizeof *d->believed))
    return brink__error(e, BRINK_ENOMEM, "out of memory");
  char *copy = NULL;
  if (actor && (copy = brink__strdup(e, actor)) == NULL)
    return brink__error(e, BRINK_ENOMEM, "out of memory");
  d->believed[d->nbelieved].actor = copy;
  d->believed[d->nbelieved].lo = lo;
  d->believed[d->nbelieved].hi = hi;
  d->nbelieved++;
  return BRINK_OK;
}

void brink__believed_free(brink_engine *e, brink__decl *d) {
  for (int i = 0; d->believed && i < d->nbelieved; i++)
    brink__strfree(e, d->believed[i].actor);
  brink__free(e, d->believed, sizeof *d->believed * (size_t)d->cap_believed);
  d->believed = NULL;
  d->nbelieved = d->cap_believed = 0;
}

/* laying out ------------------------------------------------------------- */

/* The range that means "unknown": the declared bounds (an enum's indexes,
   a flag's 0 and 1). */
static void whole_range(const brink__decl *d, double *lo, double *hi) {
  switch (d->type) {
  case BRINK_FLAG: *lo = 0; *hi = 1; break;
  case BRINK_ENUM: *lo = 0; *hi = d->nvalues - 1; break;
  default: *lo = d->min; *hi = d->max;
  }
}

/* Checks a declared belief against the variable's type: both ends must be
   values it may take, as they are. */
static bool fits(brink_engine *e, int var, double lo, double hi) {
  double a = lo, b = hi;
  return brink__check_value(e, var, &a) == BRINK_OK && a == lo &&
         brink__check_value(e, var, &b) == BRINK_OK && b == hi;
}

int brink__beliefs_build(brink_engine *e, int *first) {
  int n = e->nactors, count = 0;
  e->belief_first = brink__alloc(e, sizeof(int) *
                                        (size_t)(e->nvars ? e->nvars : 1));
  if (e->belief_first == NULL) return BRINK_ENOMEM;
  for (int v = 0; v < e->nvars; v++) {
    const brink__decl *d = &e->decls[e->vars[v].decl];
    bool hidden = d->visibility != BRINK_VISIBLE_PUBLIC;
    e->belief_first[v] = hidden && n ? count : -1;
    if (hidden && n) count++;
  }
  e->nbelief = count * n;
  size_t bytes = sizeof(double) * 2 * (size_t)(e->nbelief ? e->nbelief : 1);
  e->belief = brink__alloc(e, bytes);
  e->belief_start = brink__alloc(e, bytes);
  if (!e->belief || !e->belief_start) return BRINK_ENOMEM;
  for (int v = 0; v < e->nvars; v++) {
    int s0 = e->belief_first[v];
    if (s0 < 0) continue;
    e->belief_first[v] = s0 * n;
    const brink__decl *d = &e->decls[e->vars[v].decl];
    for (int a = 0; a < n; a++) {
      double *b = &e->belief_start[2 * (s0 * n + a)];
      whole_range(d, &b[0], &b[1]);
      for (int k = 0; k < d->nbelieved; k++) {
        const char *who = d->believed[k].actor;
        if (who && strcmp(who, e->actors[a].id) != 0) continue;
        b[0] = d->believed[k].lo;
        b[1] = d->believed[k].hi;
      }
    }
  }
  /* Each declared belief once, for its findings. */
  for (int i = 0; i < e->ndecls; i++) {
    brink__decl *d = &e->decls[i];
    for (int k = 0; k < d->nbelieved && d->count; k++) {
      const char *who = d->believed[k].actor;
      int a;
      if (d->visibility == BRINK_VISIBLE_PUBLIC) {
        brink__error(e, BRINK_EINVAL, "'%s' is seen by every actor: a "
                     "belief about it means nothing (declare it hidden)",
                     d->name);
        brink__seal_problem(e, d, BRINK_EINVAL, first);
        break;
      }
      if (who && brink__actor_lookup(e, who, &a) != BRINK_OK) {
        brink__error(e, BRINK_ENOTFOUND, "in 'believed' of '%s': no actor "
                     "'%s'", d->name, who);
        brink__seal_problem(e, d, BRINK_ENOTFOUND, first);
        continue;
      }
      for (int v = d->first; v < d->first + d->count; v++)
        if (!fits(e, v, d->believed[k].lo, d->believed[k].hi)) {
          char lo[32], hi[32];
          brink__fmt_number(e, d->believed[k].lo, lo, sizeof lo);
          brink__fmt_number(e, d->believed[k].hi, hi, sizeof hi);
          brink__error(e, BRINK_ERANGE, "in 'believed' of '%s': %s..%s is "
                       "not a range of values it may take", d->name, lo, hi);
          brink__seal_problem(e, d, BRINK_ERANGE, first);
          break;
        }
    }
  }
  memcpy(e->belief, e->belief_start, bytes);
  return BRINK_OK;
}

void brink__beliefs_free(brink_engine *e) {
  size_t bytes = sizeof(double) * 2 * (size_t)(e->nbelief ? e->nbelief : 1);
  brink__free(e, e->belief_first,
              sizeof(int) * (size_t)(e->nvars ? e->nvars : 1));
  brink__free(e, e->belief, bytes);
  brink__free(e, e->belief_start, bytes);
  e->belief_first = NULL;
  e->belief = e->belief_start = NULL;
  e->nbelief = 0;
}

int brink__belief_slot(const brink_engine *e, int var, int actor) {
  if (e->belief_first == NULL || e->belief_first[var] < 0 ||
      brink_var_visible(e, var, actor) == 1)
    return -1;
  return e->belief_first[var] + actor;
}

bool brink__belief_unknown(const brink_engine *e, int var, int s) {
  double lo, hi;
  whole_range(&e->decls[e->vars[var].decl], &lo, &hi);
  return e->belief[2 * s] == lo && e->belief[2 * s + 1] == hi;
}

/* reading and writing ---------------------------------------------------- */

static int check_ids(brink_engine *e, int actor, int var) {
  if (!e->sealed || var < 0 || var >= e->nvars)
    return brink__bad_id(e, "variable", var);
  if (actor < 0 || actor >= e->nactors)
    return brink__bad_id(e, "actor", actor);
  return BRINK_OK;
}

BRINK_API int brink_belief_get(brink_engine *e, int actor, int var,
                               double *lo, double *hi) {
  BRINK__GUARD(check_ids(e, actor, var));
  if (lo == NULL || hi == NULL)
    return brink__error(e, BRINK_EINVAL, "lo and hi are needed");
  int s = brink__belief_slot(e, var, actor);
  if (e->tracking) e->tracking->reads_belief = true;
  if (s < 0) {
    /* It sees the variable: it believes what is so. */
    double v;
    int rc = brink__read(e, var, &v);
    *lo = *hi = v;
    return rc;
  }
  *lo = e->belief[2 * s];
  *hi = e->belief[2 * s + 1];
  return BRINK_OK;
}

BRINK_API int brink_belief_start(brink_engine *e, int actor, int var,
                                 double *lo, double *hi) {
  BRINK__GUARD(check_ids(e, actor, var));
  if (lo == NULL || hi == NULL)
    return brink__error(e, BRINK_EINVAL, "lo and hi are needed");
  int s = brink__belief_slot(e, var, actor);
  if (s < 0) return brink_belief_get(e, actor, var, lo, hi);
  *lo = e->belief_start[2 * s];
  *hi = e->belief_start[2 * s + 1];
  return BRINK_OK;
}

BRINK_API int brink_belief_known(brink_engine *e, int actor, int var) {
  if (check_ids(e, actor, var) != BRINK_OK) return -1;
  int s = brink__belief_slot(e, var, actor);
  if (e->tracking) e->tracking->reads_belief = true;
  return s < 0 || !brink__belief_unknown(e, var, s);
}

/* Changes slot 's' to [lo, hi], journaled and recorded. */
static int change(brink_engine *e, int var, int actor, int s, double lo,
                  double hi, const char *cause) {
  double *b = &e->belief[2 * s];
  if (b[0] == lo && b[1] == hi) return BRINK_OK;
  brink__entry en = {.kind = BRINK__J_BELIEF, .var = var, .actor = actor,
                     .old_value = b[0], .new_value = lo, .old_hi = b[1],
                     .new_hi = hi, .cause = cause};
  int rc = brink__journal_add(e, &en);
  if (rc) return rc;
  b[0] = lo;
  b[1] = hi;
  /* Conditions may read beliefs (a view): those that did are stale. */
  e->belief_from = ++e->clock;
  return BRINK_OK;
}

static int belief_set(brink_engine *e, int actor, int var, double lo,
                      double hi, const char *cause) {
  BRINK__GUARD(check_ids(e, actor, var));
  if (e->read_only)
    return brink__error(e, BRINK_ESTATE, "conditions are read-only: cannot "
                        "change what %s believes of %s",
                        e->actors[actor].id, e->vars[var].name);
  int s = brink__belief_slot(e, var, actor);
  if (s < 0)
    return brink__error(e, BRINK_EINVAL, "%s sees %s: it has no belief "
                        "about it to change", e->actors[actor].id,
                        e->vars[var].name);
  int rc = brink__check_value(e, var, &lo);
  if (rc == BRINK_OK) rc = brink__check_value(e, var, &hi);
  if (rc) return rc;
  if (lo > hi) {
    char a[32], z[32];
    brink__fmt_number(e, lo, a, sizeof a);
    brink__fmt_number(e, hi, z, sizeof z);
    return brink__error(e, BRINK_EINVAL, "a belief about %s from %s to %s: "
                        "the low end is above the high", e->vars[var].name,
                        a, z);
  }
  return change(e, var, actor, s, lo, hi, cause);
}

BRINK_API int brink_belief_set(brink_engine *e, int actor, int var,
                               double lo, double hi) {
  BRINK__WRITE(e);
  return belief_set(e, actor, var, lo, hi, NULL);
}

BRINK_API int brink_belief_set_by(brink_engine *e, int actor, int var,
                                  double lo, double hi, const char *cause) {
  BRINK__WRITE(e);
  if (cause == NULL) return brink__error(e, BRINK_EINVAL, "cause is NULL");
  const char *kept = brink__cause_intern(e, cause);
  if (kept == NULL) return brink__error(e, BRINK_ENOMEM, "out of memory");
  return belief_set(e, actor, var, lo, hi, kept);
}
