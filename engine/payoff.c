/*
** payoff.c: what game-AI hosts ask of a run beyond playing it: each
** actor's return (its outcome's payoff table, or the scenario's score),
** and priors on the values an actor cannot see, so that a search can
** sample worlds consistent with what that actor knows.
**
** Both are declarations, made once while loading, so clones and engines
** loading a saved state get them from the scenario like everything else
** it declares; nothing here is part of a run's state.
*/
#include <math.h>
#include <string.h>

#include "brinkint.h"

/* Integers are drawn by brink__rng_range, in int64_t; beyond 2^53 a
   double no longer holds every whole number anyway. */
#define WHOLE_LIMIT 9007199254740992.0

static const double *payoff_of(const brink_engine *e, int outcome) {
  for (int i = 0; i < e->npayoffs; i++)
    if (e->payoffs[i].outcome == outcome) return e->payoffs[i].values;
  return NULL;
}

static const brink__prior *prior_of(const brink_engine *e, int decl) {
  for (int i = 0; i < e->npriors; i++)
    if (e->priors[i].decl == decl) return &e->priors[i];
  return NULL;
}

void brink__payoff_free(brink_engine *e) {
  size_t row = sizeof(double) * (size_t)e->nactors;
  for (int i = 0; i < e->npayoffs; i++)
    brink__free(e, e->payoffs[i].values, row ? row : sizeof(double));
  brink__free(e, e->payoffs, sizeof *e->payoffs * (size_t)e->cap_payoffs);
  for (int i = 0; i < e->npriors; i++)
    brink__free(e, e->priors[i].weights,
                sizeof(double) * (size_t)e->priors[i].nweights);
  brink__free(e, e->priors, sizeof *e->priors * (size_t)e->cap_priors);
  e->payoffs = NULL;
  e->priors = NULL;
  e->npayoffs = e->cap_payoffs = e->npriors = e->cap_priors = 0;
}

/* declarations ----------------------------------------------------------- */

int brink__payoff_declare(brink_engine *e, const char *outcome,
                          const double *payoff) {
  if (e->sealed)
    return brink__error(e, BRINK_ESTATE, "payoff declared after the world "
                        "was sealed");
  int o = outcome ? brink__outcome_find(e, outcome) : -1;
  if (o < 0)
    return brink__error(e, BRINK_ENOTFOUND, "payoff of an unknown outcome");
  if (payoff_of(e, o))
    return brink__error(e, BRINK_EEXIST, "outcome '%s' has a payoff already",
                        outcome);
  for (int a = 0; a < e->nactors; a++)
    if (!isfinite(payoff[a]))
      return brink__error(e, BRINK_ERANGE, "payoff for '%s' is not a "
                          "finite number", e->actors[a].id);
  size_t row = sizeof(double) * (size_t)(e->nactors ? e->nactors : 1);
  double *values = brink__alloc(e, row);
  if (values == NULL ||
      brink__grow(e, (void **)&e->payoffs, &e->cap_payoffs, e->npayoffs + 1,
                  sizeof *e->payoffs)) {
    brink__free(e, values, row);
    return brink__error(e, BRINK_ENOMEM, "out of memory");
  }
  memcpy(values, payoff, sizeof(double) * (size_t)e->nactors);
  e->payoffs[e->npayoffs++] = (brink__payoff){o, values};
  return BRINK_OK;
}

/* The range of a number's or an integer's prior, against its type. */
static int check_range(brink_engine *e, const brink__decl *d,
                       const brink__prior_spec *s) {
  if (!isfinite(s->lo) || !isfinite(s->hi) || s->lo > s->hi)
    return brink__error(e, BRINK_ERANGE, "prior of '%s' must be { lo, hi } "
                        "with finite lo <= hi", d->name);
  if (d->type == BRINK_INTEGER &&
      (s->lo != floor(s->lo) || s->hi != floor(s->hi) ||
       fabs(s->lo) > WHOLE_LIMIT || fabs(s->hi) > WHOLE_LIMIT))
    return brink__error(e, BRINK_ETYPE, "prior of integer '%s' needs whole "
                        "numbers for lo and hi", d->name);
  if (s->lo < d->min || s->hi > d->max) {
    char lo[32], hi[32], min[32], max[32];
    brink__fmt_number(e, s->lo, lo, sizeof lo);
    brink__fmt_number(e, s->hi, hi, sizeof hi);
    brink__fmt_number(e, d->min, min, sizeof min);
    brink__fmt_number(e, d->max, max, sizeof max);
    return brink__error(e, BRINK_ERANGE, "prior { %s, %s } of '%s' is "
                        "outside its bounds [%s, %s]", lo, hi, d->name, min,
                        max);
  }
  return BRINK_OK;
}

static int check_prior(brink_engine *e, const brink__decl *d,
                       const brink__prior_spec *s) {
  switch (d->type) {
  case BRINK_FLAG:
    if (!(s->p >= 0 && s->p <= 1))
      return brink__error(e, BRINK_ERANGE, "prior of flag '%s' must be a "
                          "probability from 0 to 1", d->name);
    return BRINK_OK;
  case BRINK_ENUM: {
    if (s->weights == NULL || s->nweights != d->nvalues)
      return brink__error(e, BRINK_EINVAL, "prior of enum '%s' needs a "
                          "weight for each of its %d values", d->name,
                          d->nvalues);
    double total = 0;
    for (int i = 0; i < s->nweights; i++) {
      if (!(s->weights[i] >= 0) || !isfinite(s->weights[i]))
        return brink__error(e, BRINK_ERANGE, "prior of enum '%s': the "
                            "weight of '%s' must be a finite number of 0 "
                            "or more", d->name, d->values[i]);
      total += s->weights[i];
    }
    if (!(total > 0) || !isfinite(total))
      return brink__error(e, BRINK_ERANGE, "prior of enum '%s' needs a "
                          "positive weight for some value", d->name);
    return BRINK_OK;
  }
  default:
    return check_range(e, d, s);
  }
}

int brink__prior_declare(brink_engine *e, int decl,
                         const brink__prior_spec *s) {
  if (e->sealed)
    return brink__error(e, BRINK_ESTATE, "prior declared after the world "
                        "was sealed");
  if (decl < 0 || decl >= e->ndecls)
    return brink__error(e, BRINK_EINVAL, "no declaration has id %d", decl);
  const brink__decl *d = &e->decls[decl];
  if (prior_of(e, decl))
    return brink__error(e, BRINK_EEXIST, "'%s' has a prior already",
                        d->name);
  int rc = check_prior(e, d, s);
  if (rc != BRINK_OK) return rc;
  brink__prior p = {decl, s->lo, s->hi, s->p, NULL, 0};
  size_t wsize = sizeof(double) * (size_t)s->nweights;
  if (d->type == BRINK_ENUM) {
    if ((p.weights = brink__alloc(e, wsize)) == NULL)
      return brink__error(e, BRINK_ENOMEM, "out of memory");
    memcpy(p.weights, s->weights, wsize);
    p.nweights = s->nweights;
  }
  if (brink__grow(e, (void **)&e->priors, &e->cap_priors, e->npriors + 1,
                  sizeof *e->priors)) {
    brink__free(e, p.weights, wsize);
    return brink__error(e, BRINK_ENOMEM, "out of memory");
  }
  e->priors[e->npriors++] = p;
  return BRINK_OK;
}

/* draws ------------------------------------------------------------------ */

static double draw(const brink__decl *d, const brink__prior *p,
                   brink__rng *g) {
  switch (d->type) {
  case BRINK_FLAG:
    return brink__rng_double(g) < p->p;
  case BRINK_ENUM: {
    double total = 0;
    for (int i = 0; i < p->nweights; i++) total += p->weights[i];
    double x = brink__rng_double(g) * total;
    int last = 0;
    for (int i = 0; i < p->nweights; i++) {
      if (p->weights[i] <= 0) continue;
      last = i;
      if (x < p->weights[i]) return i;
      x -= p->weights[i];
    }
    return last;   /* rounding left a sliver past the last weight */
  }
  case BRINK_INTEGER:
    return (double)brink__rng_range(g, (int64_t)p->lo, (int64_t)p->hi);
  default: {
    double v = p->lo + (p->hi - p->lo) * brink__rng_double(g);
    return v > p->hi ? p->hi : v;
  }
  }
}

static double mean_of(const brink__decl *d, const brink__prior *p) {
  switch (d->type) {
  case BRINK_FLAG:
    return p->p;
  case BRINK_ENUM: {
    int best = 0;
    for (int i = 1; i < p->nweights; i++)
      if (p->weights[i] > p->weights[best]) best = i;
    return best;
  }
  default:
    return p->lo / 2 + p->hi / 2;   /* no overflow near DBL_MAX */
  }
}

/* public ----------------------------------------------------------------- */

BRINK_API int brink_has_payoffs(const brink_engine *e) {
  return e->host.score != NULL || e->npayoffs > 0;
}

BRINK_API int brink_returns(brink_engine *e, double *out, int cap) {
  BRINK__WRITE(e);
  if (cap < 0 || (out == NULL && cap > 0))
    return brink__error(e, BRINK_EINVAL, "returns: 'out' must hold 'cap' "
                        "numbers");
  int n = cap < e->nactors ? cap : e->nactors;
  if (e->host.score) {
    for (int a = 0; a < n; a++) {
      int rc = brink_score(e, a, &out[a]);
      if (rc != BRINK_OK) return rc;
    }
    return BRINK_OK;
  }
  const double *p = e->run.outcome >= 0 ? payoff_of(e, e->run.outcome)
                                        : NULL;
  for (int a = 0; a < n; a++) out[a] = p ? p[a] : 0;
  return BRINK_OK;
}

BRINK_API int brink_outcome_payoff(const brink_engine *e, int outcome,
                                   int actor, double *out) {
  if (out) *out = 0;
  if (out == NULL) return brink__error(e, BRINK_EINVAL, "'out' is NULL");
  if (outcome < 0 || outcome >= e->noutcomes)
    return brink__bad_id(e, "outcome", outcome);
  if (actor < 0 || actor >= e->nactors)
    return brink__bad_id(e, "actor", actor);
  const double *p = payoff_of(e, outcome);
  *out = p ? p[actor] : 0;
  return BRINK_OK;
}

bool brink__prior_mean(const brink_engine *e, int var, double *mean) {
  const brink__prior *p = prior_of(e, e->vars[var].decl);
  if (p) *mean = mean_of(&e->decls[e->vars[var].decl], p);
  return p != NULL;
}

BRINK_API int brink_var_prior(const brink_engine *e, int var, double *mean) {
  if (mean) *mean = 0;
  if (mean == NULL) return brink__error(e, BRINK_EINVAL, "'mean' is NULL");
  if (!e->sealed || var < 0 || var >= e->nvars)
    return brink__bad_id(e, "variable", var);
  if (!brink__prior_mean(e, var, mean))
    return brink__error(e, BRINK_ENOTFOUND, "'%s' declares no prior",
                        e->vars[var].name);
  return BRINK_OK;
}

BRINK_API int brink_resample_hidden(brink_engine *e, int actor,
                                    uint64_t seed) {
  BRINK__WRITE(e);
  if (!e->sealed)
    return brink__error(e, BRINK_ESTATE, "no world to resample: load a "
                        "scenario first");
  if (actor < 0 || actor >= e->nactors) return brink__bad_id(e, "actor", actor);
  brink__rng g;
  brink__rng_seed(&g, seed);
  /* One transaction, so that a refusal half way leaves nothing drawn. */
  int rc = brink_txn_begin(e);
  if (rc != BRINK_OK) return rc;
  const char *cause = e->cause;
  e->cause = "resample";
  for (int v = 0; v < e->nvars && rc == BRINK_OK; v++) {
    const brink__decl *d = &e->decls[e->vars[v].decl];
    const brink__prior *p = prior_of(e, e->vars[v].decl);
    if (p && brink_var_visible(e, v, actor) == 0)
      rc = brink__write(e, v, draw(d, p, &g));
  }
  e->cause = cause;
  if (rc != BRINK_OK) {
    brink_txn_rollback(e);
    return rc;
  }
  return brink_txn_commit(e);
}
