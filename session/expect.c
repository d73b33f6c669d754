/*
** expect.c: a scenario's expectations judged over many runs (expect.h).
** Each worker collects the records of the run it plays (moves, trigger
** firings, events, the end, and the values at the end of every turn);
** when the run ends, the expectations of the batch's setup are called on
** it (bindings/lua/expect_api.h) and their values stored by run.  The
** statistics are computed afterwards, in run order.
*/
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "expect.h"
#include "expect_api.h"


/* What one side of one expectation measured in each run. */
typedef struct series {
  uint8_t *sel;          /* the run counts */
  double *a, *b;         /* share or mean value, or hits; trials */
} series;

typedef struct setup_k {
  char *policies_text, *sets_text;   /* the key: expect.h's two strings */
  strlist policies, sets;
} setup_k;

/* A worker's run, being collected. */
typedef struct collector {
  brink__expect_move *moves;
  int64_t nmoves, capm;
  brink__expect_mark *fired, *events;
  int64_t nfired, capf, nevents, cape;
  double *values;
  int filled;            /* rows of 'values' written */
  char *outcome;
  int32_t turn, date;
  bool oom;
} collector;

struct expect_check {
  int n;
  brink__expect_info *info;
  int64_t runs;
  int nturns, nvars;
  setup_k *setups;
  int nsetups;
  int *setup_of;         /* n x 2: each side's setup, -1: none */
  series *s;             /* n x 2 */
  int64_t *err_key;      /* n: run * 2 + side of the error kept, or -1 */
  char **err;
  pthread_mutex_t lock;
  int k;                 /* the setup being played */
  collector *cs;
  int ncs;
  bool oom;
  expect_result *res;
};

int expect_count(const brink_engine *e) { return brink__expect_count(e); }

static int find_setup(expect_check *x, const char *pol, const char *set) {
  for (int k = 0; k < x->nsetups; k++)
    if (strcmp(x->setups[k].policies_text, pol) == 0 &&
        strcmp(x->setups[k].sets_text, set) == 0)
      return k;
  setup_k *more = realloc(x->setups, sizeof *more * (size_t)(x->nsetups + 1));
  if (more == NULL) return -1;
  x->setups = more;
  setup_k *s = &x->setups[x->nsetups];
  memset(s, 0, sizeof *s);
  s->policies_text = strdup(pol);
  s->sets_text = strdup(set);
  if (s->policies_text == NULL || s->sets_text == NULL ||
      strlist_split(&s->policies, pol, strlen(pol)) != 0 ||
      strlist_split(&s->sets, set, strlen(set)) != 0) {
    free(s->policies_text);
    free(s->sets_text);
    strlist_free(&s->policies);
    strlist_free(&s->sets);
    return -1;
  }
  return x->nsetups++;
}

int expect_open(expect_check **out, const brink_engine *e, int64_t runs) {
  expect_check *x = calloc(1, sizeof *x);
  *out = x;
  if (x == NULL) return BRINK_ENOMEM;
  pthread_mutex_init(&x->lock, NULL);
  x->n = brink__expect_count(e);
  x->runs = runs;
  x->nturns = brink_turn_count(e);
  x->nvars = brink_var_count(e);
  x->info = batch_calloc((size_t)x->n, sizeof *x->info);
  x->setup_of = batch_calloc((size_t)x->n * 2, sizeof *x->setup_of);
  x->s = batch_calloc((size_t)x->n * 2, sizeof *x->s);
  x->err_key = batch_calloc((size_t)x->n, sizeof *x->err_key);
  x->err = batch_calloc((size_t)x->n, sizeof *x->err);
  x->res = batch_calloc((size_t)x->n, sizeof *x->res);
  if (!x->info || !x->setup_of || !x->s || !x->err_key || !x->err ||
      !x->res || find_setup(x, "", "") != 0)
    return BRINK_ENOMEM;
  for (int i = 0; i < x->n; i++) {
    brink__expect_get(e, i, &x->info[i]);
    x->err_key[i] = -1;
    for (int side = 0; side < 2; side++) {
      int *k = &x->setup_of[2 * i + side];
      *k = -1;
      if (side == 1 && !x->info[i].ratio) continue;
      if ((*k = find_setup(x, x->info[i].policies[side],
                           x->info[i].sets[side])) < 0)
        return BRINK_ENOMEM;
      series *s = &x->s[2 * i + side];
      s->sel = batch_calloc((size_t)runs, 1);
      s->a = batch_calloc((size_t)runs, sizeof *s->a);
      s->b = batch_calloc((size_t)runs, sizeof *s->b);
      if (!s->sel || !s->a || !s->b) return BRINK_ENOMEM;
    }
  }
  return 0;
}

int expect_setups(const expect_check *x) { return x->nsetups; }

/* the workers' hooks ------------------------------------------------------ */

static void fill(collector *c, brink_engine *e, int upto, int nvars) {
  for (; c->filled <= upto; c->filled++)
    for (int v = 0; v < nvars; v++)
      brink_var_get(e, v, &c->values[(size_t)c->filled * (size_t)nvars +
                                     (size_t)v]);
}

static bool grow(void **p, int64_t *cap, int64_t n, size_t size) {
  if (n < *cap) return true;
  int64_t cap2 = *cap ? 2 * *cap : 64;
  void *more = realloc(*p, size * (size_t)cap2);
  if (more == NULL) return false;
  *p = more;
  *cap = cap2;
  return true;
}

static void on_record(void *ud, int worker, brink_engine *e, int64_t run,
                      const brink_record *r) {
  expect_check *x = ud;
  collector *c = &x->cs[worker];
  (void)run;
  int idx;
  switch (r->kind) {
  case BRINK_REC_START:
    c->nmoves = c->nfired = c->nevents = 0;
    c->filled = 0;
    c->turn = 0;
    c->date = r->date;
    free(c->outcome);
    c->outcome = NULL;
    break;
  case BRINK_REC_TURN:
    if (r->turn - 1 <= x->nturns) fill(c, e, r->turn - 1, x->nvars);
    break;
  case BRINK_REC_MOVE:
    if (!grow((void **)&c->moves, &c->capm, c->nmoves, sizeof *c->moves)) {
      c->oom = true;
      break;
    }
    c->moves[c->nmoves++] = (brink__expect_move){r->turn, r->date, r->actor,
                                                 r->move, r->target};
    break;
  case BRINK_REC_TRIGGER:
    if (brink_trigger_find(e, r->id, &idx) != BRINK_OK) break;
    if (!grow((void **)&c->fired, &c->capf, c->nfired, sizeof *c->fired)) {
      c->oom = true;
      break;
    }
    c->fired[c->nfired++] = (brink__expect_mark){r->turn, r->date, idx};
    break;
  case BRINK_REC_EVENT:
    if (brink_event_find(e, r->id, &idx) != BRINK_OK) break;
    if (!grow((void **)&c->events, &c->cape, c->nevents, sizeof *c->events)) {
      c->oom = true;
      break;
    }
    c->events[c->nevents++] = (brink__expect_mark){r->turn, r->date, idx};
    break;
  case BRINK_REC_END:
    free(c->outcome);
    if ((c->outcome = strdup(r->id ? r->id : "")) == NULL) c->oom = true;
    c->turn = r->turn;
    c->date = r->date;
    break;
  default:
    break;
  }
}

static void note_error(expect_check *x, int i, int64_t key, const char *msg) {
  pthread_mutex_lock(&x->lock);
  if (x->err_key[i] < 0 || key < x->err_key[i]) {
    char *copy = strdup(msg);
    if (copy == NULL) {
      x->oom = true;
    } else {
      free(x->err[i]);
      x->err[i] = copy;
      x->err_key[i] = key;
    }
  }
  pthread_mutex_unlock(&x->lock);
}

static void on_end(void *ud, int worker, brink_engine *e, int64_t run) {
  expect_check *x = ud;
  collector *c = &x->cs[worker];
  if (c->oom || run < 0 || run >= x->runs) return;
  fill(c, e, x->nturns, x->nvars);
  brink__expect_run r = {c->outcome ? c->outcome : "error", c->turn, c->date,
                         c->moves, c->nmoves, c->fired, c->events,
                         c->nfired, c->nevents, c->values, x->nturns,
                         x->nvars};
  for (int i = 0; i < x->n; i++)
    for (int side = 0; side < 2; side++) {
      if (x->setup_of[2 * i + side] != x->k) continue;
      /* Past a run that raised, a runaway function would cost every run
         its whole budget: only earlier runs can change which error is
         shown. */
      pthread_mutex_lock(&x->lock);
      bool skip = x->err_key[i] >= 0 && run * 2 + side > x->err_key[i];
      pthread_mutex_unlock(&x->lock);
      if (skip) continue;
      double out[3];
      char err[1200];
      if (brink__expect_eval(e, i, side, &r, out, err, sizeof err) != 0) {
        note_error(x, i, run * 2 + side, err);
        continue;
      }
      series *s = &x->s[2 * i + side];
      s->sel[run] = out[0] != 0;
      s->a[run] = out[1];
      s->b[run] = out[2];
    }
}

void expect_config(expect_check *x, int k, batch_config *c) {
  setup_k *s = &x->setups[k];
  c->policies = (const char *const *)s->policies.v;
  c->npolicies = (int)s->policies.n;
  c->sets = (const char *const *)s->sets.v;
  c->nsets = (int)s->sets.n;
  c->run_record = on_record;
  c->run_end = on_end;
  c->run_ud = x;
}

static void collectors_free(expect_check *x) {
  for (int w = 0; w < x->ncs; w++) {
    collector *c = &x->cs[w];
    if (c->oom) x->oom = true;
    free(c->moves);
    free(c->fired);
    free(c->events);
    free(c->values);
    free(c->outcome);
  }
  free(x->cs);
  x->cs = NULL;
  x->ncs = 0;
}

int expect_attach(expect_check *x, int k, const batch *b) {
  collectors_free(x);
  x->k = k;
  x->cs = batch_calloc((size_t)b->jobs, sizeof *x->cs);
  if (x->cs == NULL) return BRINK_ENOMEM;
  x->ncs = b->jobs;
  for (int w = 0; w < b->jobs; w++) {
    x->cs[w].values = batch_calloc((size_t)(x->nturns + 1) *
                                       (size_t)(x->nvars ? x->nvars : 1),
                                   sizeof(double));
    if (x->cs[w].values == NULL) return BRINK_ENOMEM;
  }
  return 0;
}

/* statistics ---------------------------------------------------------------- */

/* One side measured: x with its interval, and the variance of log x. */
typedef struct measure {
  int64_t n;
  double x, lo, hi, logvar;
  const char *why;       /* nothing to measure */
} measure;

static measure measure_side(const expect_check *x, int kind, const series *s) {
  measure m = {0, 0, 0, 0, 0, NULL};
  double sum = 0, trials = 0;
  for (int64_t r = 0; r < x->runs; r++)
    if (s->sel[r]) {
      m.n++;
      sum += s->a[r];
      trials += s->b[r];
    }
  if (m.n == 0) {
    m.why = "no run was selected by 'given'";
    return m;
  }
  double n = (double)m.n;
  switch (kind) {
  case BRINK__EXPECT_SHARE:
    m.x = sum / n;
    wilson95(sum, n, &m.lo, &m.hi);
    m.logvar = m.x > 0 ? (1 - m.x) / (n * m.x) : INFINITY;
    break;
  case BRINK__EXPECT_RATE:
    if (trials <= 0) {
      m.why = "no trials in the selected runs";
      return m;
    }
    m.x = sum / trials;
    wilson95(sum, trials, &m.lo, &m.hi);
    m.logvar = m.x > 0 ? (1 - m.x) / (trials * m.x) : INFINITY;
    break;
  default: {
    m.x = sum / n;
    double ss = 0;
    for (int64_t r = 0; r < x->runs; r++)
      if (s->sel[r]) ss += (s->a[r] - m.x) * (s->a[r] - m.x);
    if (m.n < 2) {
      m.lo = -INFINITY;
      m.hi = INFINITY;
      m.logvar = INFINITY;
      break;
    }
    double var = ss / (n - 1), half = Z95 * sqrt(var / n);
    m.lo = m.x - half;
    m.hi = m.x + half;
    m.logvar = m.x != 0 ? var / (n * m.x * m.x) : INFINITY;
  }
  }
  return m;
}

/* A / B by the delta method on log(A/B), the two sides independent. */
static measure ratio_of(const measure *a, const measure *b) {
  measure m = {a->n, 0, 0, 0, 0, NULL};
  if (a->why || b->why) {
    m.why = a->why ? a->why : b->why;
    return m;
  }
  if (b->x == 0) {
    if (a->x == 0) {
      m.why = "0/0: A and B both measured 0";
      return m;
    }
    m.x = INFINITY;
    m.lo = b->hi > 0 ? a->lo / b->hi : INFINITY;
    m.hi = INFINITY;
    return m;
  }
  m.x = a->x / b->x;
  if (a->x == 0) {
    m.lo = 0;
    m.hi = b->lo > 0 ? a->hi / b->lo : INFINITY;
    return m;
  }
  double se = sqrt(a->logvar + b->logvar);
  if (m.x > 0) {
    m.lo = m.x * exp(-Z95 * se);
    m.hi = m.x * exp(Z95 * se);
  } else {
    m.lo = m.x + Z95 * m.x * se;
    m.hi = m.x - Z95 * m.x * se;
  }
  if (isnan(m.lo)) m.lo = -INFINITY;
  if (isnan(m.hi)) m.hi = INFINITY;
  return m;
}

int expect_results(expect_check *x, const expect_result **out, int *n) {
  collectors_free(x);
  *out = x->res;
  *n = x->n;
  if (x->oom) return BRINK_ENOMEM;
  for (int i = 0; i < x->n; i++) {
    const brink__expect_info *f = &x->info[i];
    measure m = measure_side(x, f->kind[0], &x->s[2 * i]);
    if (f->ratio) {
      measure b = measure_side(x, f->kind[1], &x->s[2 * i + 1]);
      m = ratio_of(&m, &b);
    }
    expect_result *r = &x->res[i];
    *r = (expect_result){f->name, f->where, f->claim, f->mechanism,
                         f->at_least, f->threshold, x->runs, m.n,
                         m.why != NULL, m.why,
                         m.x, m.lo, m.hi, false, false, x->err[i]};
    if (!r->na) {
      r->holds = f->at_least ? m.x >= f->threshold : m.x <= f->threshold;
      r->fails = f->at_least ? m.hi < f->threshold : m.lo > f->threshold;
    } else {
      r->fails = true;
    }
    if (r->error) r->fails = true;
  }
  return 0;
}

void expect_close(expect_check *x) {
  if (x == NULL) return;
  collectors_free(x);
  for (int i = 0; i < 2 * x->n && x->s; i++) {
    free(x->s[i].sel);
    free(x->s[i].a);
    free(x->s[i].b);
  }
  for (int i = 0; i < x->n && x->err; i++) free(x->err[i]);
  for (int k = 0; k < x->nsetups; k++) {
    free(x->setups[k].policies_text);
    free(x->setups[k].sets_text);
    strlist_free(&x->setups[k].policies);
    strlist_free(&x->setups[k].sets);
  }
  free(x->setups);
  free(x->info);
  free(x->setup_of);
  free(x->s);
  free(x->err_key);
  free(x->err);
  free(x->res);
  pthread_mutex_destroy(&x->lock);
  free(x);
}

/* output ---------------------------------------------------------------------- */

void expect_number(double v, char *buf, size_t cap) {
  if (isnan(v)) {
    snprintf(buf, cap, "nan");
    return;
  }
  if (isinf(v)) {
    snprintf(buf, cap, "%s", v > 0 ? "inf" : "-inf");
    return;
  }
  if (v == 0) {
    snprintf(buf, cap, "0");
    return;
  }
  /* Three significant digits, as people read them (brink_number_show:
     no trailing zeros, no -0, a '.' whatever the locale). */
  int dec = 2 - (int)floor(log10(fabs(v)));
  if (dec > 9) {
    snprintf(buf, cap, "%.3g", v);   /* below 1e-7: no 9 decimals show it */
    return;
  }
  double scale = pow(10, dec > 0 ? 0 : -dec);
  brink_number_show(dec > 0 ? v : round(v / scale) * scale, dec > 0 ? dec : 0,
                    buf, cap);
}

void expect_line(const expect_result *r, char *buf, size_t cap) {
  char x[32], lo[32], hi[32];
  const char *op = r->at_least ? ">=" : "<=";
  if (r->error) {
    snprintf(buf, cap, "expect: %s: fails: an error in its functions "
             "(above), wanted %s %.15g", r->name, op, r->threshold);
    return;
  }
  if (r->na) {
    snprintf(buf, cap, "expect: %s: fails: measured n/a (%s), wanted %s "
             "%.15g", r->name, r->why, op, r->threshold);
    return;
  }
  expect_number(r->x, x, sizeof x);
  expect_number(r->lo, lo, sizeof lo);
  expect_number(r->hi, hi, sizeof hi);
  snprintf(buf, cap, "expect: %s: %s: measured %s [%s, %s], wanted %s %.15g",
           r->name, r->holds ? "holds" : "fails", x, lo, hi, op,
           r->threshold);
}

static json_t *jreal(double v) {
  return isfinite(v) ? json_real(v) : json_string(v > 0 ? "inf" : "-inf");
}

json_t *expect_json(const expect_result *r) {
  json_t *o = json_object();
  bool bad = o == NULL;
  jput(o, "t", json_string("expect"), &bad);
  jput(o, "name", jstr(r->name), &bad);
  jput(o, "where", jstr(r->where), &bad);
  jput(o, "claim", jstr(r->claim), &bad);
  if (*r->mechanism) jput(o, "mechanism", jstr(r->mechanism), &bad);
  jput(o, "verdict",
       json_string(r->error || r->na ? "fails"
                   : r->holds ? "holds" : "fails"), &bad);
  jput(o, "decisive", json_boolean(r->fails || (!r->na && r->holds &&
                                   (r->at_least ? r->lo >= r->threshold
                                                : r->hi <= r->threshold))),
       &bad);
  bool measured = !r->na && !r->error;
  jput(o, "measured", measured ? jreal(r->x) : json_null(), &bad);
  jput(o, "lo", measured ? jreal(r->lo) : json_null(), &bad);
  jput(o, "hi", measured ? jreal(r->hi) : json_null(), &bad);
  jput(o, "op", json_string(r->at_least ? ">=" : "<="), &bad);
  jput(o, "threshold", json_real(r->threshold), &bad);
  jput(o, "runs", json_integer(r->runs), &bad);
  jput(o, "selected", json_integer(r->n), &bad);
  if (r->na) jput(o, "why", json_string(r->why), &bad);
  if (r->error) jput(o, "error", jstr(r->error), &bad);
  if (bad) {
    json_decref(o);
    return NULL;
  }
  return o;
}
