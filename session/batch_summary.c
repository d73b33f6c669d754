/*
** batch_summary.c: what a batch table says, for people (text), for programs
** (the JSON object of docs/batch.md) and for spreadsheets (CSV).
**
** Everything here is a function of the table, whose sums are made in an
** order fixed by run numbers alone (batch.h), never of the order in which
** workers finished, so the bytes are the same for any --jobs and for a
** merge of shards.  Means and spreads are exact sums (as exact as
** floating point goes); percentiles come from histograms, exact for
** flags, enums and integers of at most 4096 values, else the middle of a
** bin (batch_stats.c).  Numbers are rounded before they are
** printed (shares and interval bounds to 3 significant digits, means and
** standard deviations to 6) so that the last bits of a floating point sum
** never show.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"

/* z for a two-sided 95% interval: the 0.975 quantile of N(0, 1). */

/*
** The Wilson score interval for k successes in n trials: unlike the
** normal approximation it stays inside [0, 1] and is honest at 0 and n.
** k and n are counts, or sums of hits and trials (an expectation's rate).
*/
void wilson95(double k, double n, double *lo, double *hi) {
  if (n <= 0) {
    *lo = 0;
    *hi = 1;
    return;
  }
  double p = k / n, z2 = Z95 * Z95, nn = n;
  double denom = 1 + z2 / nn;
  double centre = (p + z2 / (2 * nn)) / denom;
  double half = Z95 / denom * sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn));
  *lo = k <= 0 ? 0 : fmax(0, centre - half);
  *hi = k >= n ? 1 : fmin(1, centre + half);
}

/*
** The nearest-rank percentile: the smallest value with at least p% of the
** values at or below it, x[ceil(p n / 100)] counting from 1.  Always a
** value some run ended with, so integers stay integers.  In integers, as
** 0.05 * 1000 is not quite 50 in binary.
*/
double nearest_rank(const double *sorted, int64_t n, int percent) {
  int64_t r = (percent * n + 99) / 100;
  if (r < 1) r = 1;
  if (r > n) r = n;
  return sorted[r - 1];
}

static double round_sig(double x, int digits) {
  char buf[64];
  snprintf(buf, sizeof buf, "%.*g", digits, x);
  double r = strtod(buf, NULL);
  return r == 0 ? 0 : r;
}

/* Integral values print as integers ("9", not "9.0"). */
static json_t *jnum(double x) {
  if (x == floor(x) && fabs(x) < 9e15) return json_integer((json_int_t)x);
  return json_real(x);
}

/* Shares and interval bounds keep 3 significant digits: a trigger that
   fired once in 10000 runs shows as 0.0001, not as 0. */
static json_t *jshare(int64_t k, int64_t n) {
  return jnum(n ? round_sig((double)k / (double)n, 3) : 0);
}

/* Seeds are unsigned 64-bit; JSON integers here are signed. */
static json_t *jseed(uint64_t seed) {
  if (seed <= INT64_MAX) return json_integer((json_int_t)seed);
  char buf[32];
  snprintf(buf, sizeof buf, "%llu", (unsigned long long)seed);
  return json_string(buf);
}

/* Outcome indices sorted by name; the default outcome is always there. */
typedef struct tally {
  int n;
  const char **names;
  int64_t *counts;
} tally;

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* 0, or -1 when out of memory (then 'y' needs no freeing). */
static int count_outcomes(const bmeta *m, const btable *t, tally *out) {
  tally y;
  y.names = batch_calloc((size_t)t->noutcomes + 1, sizeof *y.names);
  y.counts = batch_calloc((size_t)t->noutcomes + 1, sizeof *y.counts);
  y.n = 0;
  if (y.names == NULL || y.counts == NULL) {
    free(y.names);
    free(y.counts);
    return -1;
  }
  for (int i = 0; i < t->noutcomes; i++) y.names[y.n++] = t->outcomes[i];
  bool has_default = !*m->default_outcome;
  for (int i = 0; i < y.n; i++)
    has_default |= strcmp(y.names[i], m->default_outcome) == 0;
  if (!has_default) y.names[y.n++] = m->default_outcome;
  qsort(y.names, (size_t)y.n, sizeof *y.names, cmp_str);
  for (int k = 0; k < t->noutcomes; k++)
    for (int i = 0; i < y.n; i++)
      if (strcmp(y.names[i], t->outcomes[k]) == 0) y.counts[i] = t->out_count[k];
  *out = y;
  return 0;
}

static void tally_free(tally *y) {
  free(y->names);
  free(y->counts);
}

/* The variables to describe: --var ones, else those that vary. */
static bool described(const bmeta *m, const btable *t, int v) {
  if (m->nseries) {
    for (int s = 0; s < m->nseries; s++)
      if (m->series[s] == v) return true;
    return false;
  }
  return t->count > 1 && t->lo[v] != t->hi[v];
}

typedef struct stats {
  double mean, sd, p5, p50, p95;
} stats;

/* The moments over all runs (nmom); NULL when out of memory. */
static mom *totals(const btable *t) {
  mom *ms = batch_calloc((size_t)t->nmom, sizeof *ms);
  if (ms) fold_total(t, ms);
  return ms;
}

/* false when out of memory */
static bool describe_var(const bmeta *m, const btable *t, int v, stats *out) {
  stats s = {0, 0, 0, 0, 0};
  int64_t n = t->count;
  *out = s;
  if (n == 0) return true;
  mom *ms = totals(t);
  if (ms == NULL) return false;
  s.mean = ms[v].mean;
  s.sd = ms[v].n > 1 ? sqrt(ms[v].m2 / (ms[v].n - 1)) : 0;
  free(ms);
  s.p5 = hist_quantile(m, v, t->hist[v], t->bmin[v], t->bmax[v], n, 5,
                        t->lo[v], t->hi[v]);
  s.p50 = hist_quantile(m, v, t->hist[v], t->bmin[v], t->bmax[v], n, 50,
                        t->lo[v], t->hi[v]);
  s.p95 = hist_quantile(m, v, t->hist[v], t->bmin[v], t->bmax[v], n, 95,
                        t->lo[v], t->hi[v]);
  *out = s;
  return true;
}

/* A percentile as the variable's type shows it. */
static json_t *jvalue(const bmeta *m, int v, double x) {
  switch (m->types[v]) {
  case BRINK_FLAG: return json_boolean(x != 0);
  case BRINK_INTEGER: return jnum(x);
  default: return jnum(round_sig(x, 6));
  }
}

static int64_t enum_count(const bmeta *m, const btable *t, int v, int k) {
  return k < hist_bins(m, v) ? t->hist[v][k] : 0;
}

/* Mean score of actor a over the runs where it could be computed; -1
   when out of memory. */
static int mean_score(const bmeta *m, const btable *t, int a, double *out) {
  mom *ms = totals(t);
  if (ms == NULL) return -1;
  mom x = ms[m->nvars + a];
  free(ms);
  *out = x.n ? x.mean : 0;
  return x.n > 0;
}

static int64_t actor_choices(const bmeta *m, const btable *t, int a) {
  int64_t n = 0;
  for (int k = 0; k < m->nrep[a]; k++) n += t->moves[m->rep_off[a] + k];
  return n;
}

/* Trigger indices in byte order of their names. */
static int *trigger_order(const btable *t) {
  int *ix = batch_calloc((size_t)t->ntriggers, sizeof *ix);
  if (ix == NULL) return NULL;
  for (int i = 0; i < t->ntriggers; i++) ix[i] = i;
  for (int i = 1; i < t->ntriggers; i++)   /* few: insertion sort */
    for (int k = i; k > 0 && strcmp(t->triggers[ix[k - 1]],
                                     t->triggers[ix[k]]) > 0; k--) {
      int x = ix[k];
      ix[k] = ix[k - 1];
      ix[k - 1] = x;
    }
  return ix;
}

/*
** What the outcomes turn on.  For each variable that is a number, a flag
** or an integer (enums aside), the share of the spread of its final
** values that the outcome accounts for, eta squared: the sum over
** outcomes of n_o (mean_o - mean)^2 over the sum over runs of
** (x - mean)^2.  1 when the outcome alone fixes the value, 0 when the
** value is spread alike whatever the outcome.  Kept: the TURN_ON largest
** of at least 0.01, largest first (ties in variable order).  Sums are
** taken in run order, so the choice is the same for any --jobs.
*/
#define TURN_ON 5

typedef struct turn_on {
  int n;
  int var[TURN_ON];
  double eta2[TURN_ON];
  double *mean;           /* noutcomes x TURN_ON: mean by outcome index */
  int64_t *count;         /* runs per outcome index */
} turn_on;

static void turn_on_free(turn_on *u) {
  free(u->mean);
  free(u->count);
}

/* 0, or -1 when out of memory (then 'u' needs no freeing). */
static int find_turn_on(const bmeta *m, const btable *t, turn_on *u) {
  int no = t->noutcomes, nv = m->nvars;
  u->n = 0;
  u->mean = batch_calloc((size_t)no * TURN_ON, sizeof *u->mean);
  u->count = batch_calloc((size_t)no, sizeof *u->count);
  mom *ms = totals(t);
  if (u->mean == NULL || u->count == NULL || ms == NULL) {
    turn_on_free(u);
    free(ms);
    return -1;
  }
  for (int k = 0; k < no; k++) u->count[k] = t->out_count[k];
  for (int v = 0; v < m->nvars && t->count > 1 && t->outcap; v++) {
    if (m->types[v] == BRINK_ENUM) continue;
    double all = ms[v].mean, total = ms[v].m2, between = 0;
    for (int k = 0; k < no && k < t->outcap; k++) {
      const mom *x = &ms[nv + m->nactors + k * nv + v];
      if (x->n == 0) continue;
      double d = x->mean - all;
      between += x->n * d * d;
    }
    double eta2 = total > 0 ? between / total : 0;
    if (!(eta2 >= 0.01)) continue;
    int at = u->n < TURN_ON ? u->n : TURN_ON;
    while (at > 0 && eta2 > u->eta2[at - 1]) at--;
    if (at >= TURN_ON) continue;
    int last = u->n < TURN_ON ? u->n : TURN_ON - 1;
    for (int i = last; i > at; i--) {
      u->var[i] = u->var[i - 1];
      u->eta2[i] = u->eta2[i - 1];
      for (int k = 0; k < no; k++)
        u->mean[(size_t)k * TURN_ON + (size_t)i] =
            u->mean[(size_t)k * TURN_ON + (size_t)i - 1];
    }
    u->var[at] = v;
    u->eta2[at] = eta2 > 1 ? 1 : eta2;
    for (int k = 0; k < no; k++)
      u->mean[(size_t)k * TURN_ON + (size_t)at] =
          k < t->outcap ? ms[nv + m->nactors + k * nv + v].mean : 0;
    if (u->n < TURN_ON) u->n++;
  }
  free(ms);
  return 0;
}

/* The index in t->outcomes of 'name', or -1. */
static int outcome_index(const btable *t, const char *name) {
  for (int k = 0; k < t->noutcomes; k++)
    if (strcmp(t->outcomes[k], name) == 0) return k;
  return -1;
}

/* "turn_on": [{"var", "eta2", "mean": {OUTCOME: mean}}]; NULL: memory. */
static json_t *turn_on_json(const bmeta *m, const btable *t, const tally *y) {
  turn_on u;
  json_t *a = json_array();
  bool bad = a == NULL;
  if (bad || find_turn_on(m, t, &u) != 0) {
    json_decref(a);
    return NULL;
  }
  for (int i = 0; i < u.n; i++) {
    json_t *d = json_object(), *means = json_object();
    jput(d, "var", json_string(m->vars[u.var[i]]), &bad);
    jput(d, "eta2", jnum(round_sig(u.eta2[i], 3)), &bad);
    for (int o = 0; o < y->n; o++) {
      int k = outcome_index(t, y->names[o]);
      if (k < 0 || u.count[k] == 0) continue;
      jput(means, y->names[o],
           jnum(round_sig(u.mean[(size_t)k * TURN_ON + (size_t)i], 6)), &bad);
    }
    jput(d, "mean", means, &bad);
    jappend(a, d, &bad);
  }
  turn_on_free(&u);
  if (bad) {
    json_decref(a);
    return NULL;
  }
  return a;
}

json_t *summary_json(const bmeta *m, const btable *t) {
  json_t *j = json_object();
  int64_t n = t->count;
  bool bad = j == NULL;
  tally y;
  if (bad || count_outcomes(m, t, &y) != 0) {
    json_decref(j);
    return NULL;
  }
  jput(j, "t", json_string("batch"), &bad);
  jput(j, "scenario", json_string(m->scenario), &bad);
  if (m->sweep) jput(j, "sweep", json_incref(m->sweep), &bad);
  jput(j, "runs", json_integer(n), &bad);
  jput(j, "seed", jseed(m->seed), &bad);
  if (m->continued)
    jput(j, "from", json_incref(json_object_get(m->options, "from")), &bad);
  jput(j, "verified", json_integer(t->verified), &bad);
  json_t *outs = json_object(), *ci = json_object();
  for (int i = 0; i < y.n; i++) {
    double lo, hi;
    wilson95(y.counts[i], n, &lo, &hi);
    jput(outs, y.names[i], json_integer(y.counts[i]), &bad);
    jput(ci, y.names[i], json_pack("[oo]", jnum(round_sig(lo, 3)),
                                   jnum(round_sig(hi, 3))), &bad);
  }
  jput(j, "outcomes", outs, &bad);
  jput(j, "outcome_ci95", ci, &bad);
  if (m->continued) jput(j, "turn_on", turn_on_json(m, t, &y), &bad);
  json_t *fin = json_object();
  for (int v = 0; v < m->nvars; v++) {
    if (!described(m, t, v)) continue;
    json_t *d = json_object();
    stats s;
    if (m->types[v] == BRINK_ENUM) {
      json_t *share = json_object();
      for (int k = 0; k < m->nenum[v]; k++)
        jput(share, m->enums[v][k], jshare(enum_count(m, t, v, k), n), &bad);
      jput(d, "share", share, &bad);
    } else if (describe_var(m, t, v, &s)) {
      jput(d, "mean", jnum(round_sig(s.mean, 6)), &bad);
      jput(d, "sd", jnum(round_sig(s.sd, 6)), &bad);
      jput(d, "p5", jvalue(m, v, s.p5), &bad);
      jput(d, "p50", jvalue(m, v, s.p50), &bad);
      jput(d, "p95", jvalue(m, v, s.p95), &bad);
    } else {
      bad = true;
    }
    jput(fin, m->vars[v], d, &bad);
  }
  jput(j, "final", fin, &bad);
  if (m->has_score) {
    json_t *sc = json_object();
    for (int a = 0; a < m->nactors; a++) {
      double x;
      int has = mean_score(m, t, a, &x);
      bad |= has < 0;
      jput(sc, m->actors[a], has > 0 ? jnum(round_sig(x, 6)) : json_null(),
           &bad);
    }
    jput(j, "scores", sc, &bad);
  }
  json_t *trig = json_object();
  int *ix = trigger_order(t);
  bad |= ix == NULL;
  for (int i = 0; ix && i < t->ntriggers; i++)
    jput(trig, t->triggers[ix[i]], jshare(t->trigger_runs[ix[i]], n), &bad);
  free(ix);
  jput(j, "triggers", trig, &bad);
  json_t *moves = json_object(), *never = json_object();
  for (int a = 0; a < m->nactors; a++) {
    json_t *mv = json_object(), *unused = json_array();
    int64_t total = actor_choices(m, t, a);
    for (int k = 0; k < m->nrep[a]; k++) {
      int64_t c = t->moves[m->rep_off[a] + k];
      jput(mv, m->rep[a][k], jshare(c, total), &bad);
      if (c == 0) jappend(unused, json_string(m->rep[a][k]), &bad);
    }
    jput(moves, m->actors[a], mv, &bad);
    if (json_array_size(unused)) jput(never, m->actors[a], unused, &bad);
    else json_decref(unused);
  }
  jput(j, "moves", moves, &bad);
  json_t *cov = json_object(), *unreached = json_array();
  for (int i = 0; i < y.n; i++)
    if (y.counts[i] == 0) jappend(unreached, json_string(y.names[i]), &bad);
  jput(cov, "outcomes_never_reached", unreached, &bad);
  json_t *unfired = json_array();
  for (int i = 0; i < t->ntriggers; i++)
    if (t->trigger_runs[i] == 0)
      jappend(unfired, json_string(t->triggers[i]), &bad);
  jput(cov, "triggers_never_fired", unfired, &bad);
  jput(cov, "moves_never_chosen", never, &bad);
  jput(j, "coverage", cov, &bad);
  json_t *errs = json_array();
  for (int i = 0; i < t->nerrs; i++)
    jappend(errs, json_pack("{soss}", "seed", jseed(run_seed(m, t->errs[i].run)),
                            "message", t->errs[i].msg), &bad);
  if (json_array_size(errs)) jput(j, "errors", errs, &bad);
  else json_decref(errs);
  tally_free(&y);
  if (bad) {
    json_decref(j);
    return NULL;
  }
  return j;
}

/* A value as people read it: 9, 8.5, true, liberal. */
static void text_value(const bmeta *m, int v, double x, char *buf,
                       size_t cap) {
  switch (m->types[v]) {
  case BRINK_FLAG: snprintf(buf, cap, "%s", x != 0 ? "true" : "false"); break;
  case BRINK_INTEGER: snprintf(buf, cap, "%.0f", x); break;
  default: brink_number_show(x, m->precision[v], buf, cap); break;
  }
}

static int name_width(const char *const *names, int n, int least) {
  int w = least;
  for (int i = 0; i < n; i++)
    if ((int)strlen(names[i]) > w) w = (int)strlen(names[i]);
  return w > 40 ? 40 : w;
}

/* The turn a continuation goes on from. */
static long long from_turn(const bmeta *m) {
  return (long long)json_integer_value(
      json_object_get(json_object_get(m->options, "from"), "turn"));
}

/* The first line: the scenario, the runs and their seeds. */
static void head_text(FILE *f, const bmeta *m, int64_t n) {
  term_printf(f, "%s%s%s%s: ", *m->title ? m->title : m->scenario,
              *m->title ? " (" : "", *m->title ? m->scenario : "",
              *m->title ? ")" : "");
  if (m->continued)
    fprintf(f, "%lld continuations from turn %lld, seed %llu\n",
            (long long)n, from_turn(m), (unsigned long long)m->seed);
  else
    fprintf(f, "%lld runs, seeds %llu..%llu\n", (long long)n,
            (unsigned long long)m->seed,
            (unsigned long long)(m->seed + (uint64_t)(n ? n - 1 : 0)));
}

/* A mean in a narrow column: fewer decimals as it grows. */
static void mean_text(double x, char *buf, size_t cap) {
  double a = fabs(x);
  snprintf(buf, cap, a >= 1000 ? "%.0f" : a >= 10 ? "%.1f" : "%.2f",
           round_sig(x, 6));
}

/* The table of find_turn_on(): 0, or BRINK_ENOMEM. */
static int turn_on_text(FILE *f, const bmeta *m, const btable *t,
                        const tally *y) {
  turn_on u;
  if (find_turn_on(m, t, &u) != 0) return BRINK_ENOMEM;
  if (u.n == 0) {
    fputs("\nwhat the outcomes turn on: no final value differs much "
          "between them\n", f);
    turn_on_free(&u);
    return 0;
  }
  fputs("\nwhat the outcomes turn on (the mean at the end in each outcome; "
        "eta2:\nthe share of the spread of final values the outcome "
        "accounts for)\n", f);
  int w = 20;
  for (int i = 0; i < u.n; i++)
    if ((int)strlen(m->vars[u.var[i]]) > w)
      w = (int)strlen(m->vars[u.var[i]]);
  if (w > 40) w = 40;
  term_printf(f, "  %-*s %6s", w, "", "eta2");
  for (int o = 0; o < y->n; o++) {
    int k = outcome_index(t, y->names[o]);
    if (k >= 0 && u.count[k])
      term_printf(f, " %*s", (int)strlen(y->names[o]) > 8
                             ? (int)strlen(y->names[o]) : 8, y->names[o]);
  }
  fputc('\n', f);
  for (int i = 0; i < u.n; i++) {
    term_printf(f, "  %-*s %6.2f", w, m->vars[u.var[i]], u.eta2[i]);
    for (int o = 0; o < y->n; o++) {
      int k = outcome_index(t, y->names[o]);
      if (k < 0 || u.count[k] == 0) continue;
      char buf[48];
      mean_text(u.mean[(size_t)k * TURN_ON + (size_t)i], buf, sizeof buf);
      fprintf(f, " %*s", (int)strlen(y->names[o]) > 8
                         ? (int)strlen(y->names[o]) : 8, buf);
    }
    fputc('\n', f);
  }
  turn_on_free(&u);
  return 0;
}

/* The outcome table: runs, share and its 95% Wilson interval. */
static void outcomes_text(FILE *f, const tally *y, int64_t n) {
  int w = name_width(y->names, y->n, 20);
  term_printf(f, "\n%-*s %8s %7s  %s\n", w + 2, "outcomes", "runs", "share",
              "95% interval");
  for (int i = 0; i < y->n; i++) {
    double lo, hi;
    wilson95(y->counts[i], n, &lo, &hi);
    term_printf(f, "  %-*s %8lld %6.1f%%  [%.1f%%, %.1f%%]\n", w, y->names[i],
                (long long)y->counts[i],
                n ? 100.0 * (double)y->counts[i] / (double)n : 0.0, 100 * lo,
                100 * hi);
  }
}

int summary_text(FILE *f, const bmeta *m, const btable *t) {
  int64_t n = t->count;
  tally y;
  if (count_outcomes(m, t, &y) != 0) return BRINK_ENOMEM;
  head_text(f, m, n);
  term_printf(f, "verified: %lld run%s played again in a fresh engine, record "
              "for record the same\n", (long long)t->verified,
              t->verified == 1 ? "" : "s");
  const char *const keys[] = {"policies", "sets"};
  for (int k = 0; k < 2; k++) {
    json_t *list = json_object_get(m->options, keys[k]);
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
      term_printf(f, "%s%s", i ? ", " : (k ? "--set "
                                                   : "--policy "),
                                           json_string_value(v));
    if (json_array_size(list)) fputc('\n', f);
  }
  if (m->sweep) {
    const char *key;
    json_t *v;
    fputs("sweep:", f);
    json_object_foreach(m->sweep, key, v)
      term_printf(f, " %s=%s", key, json_string_value(v));
    fputc('\n', f);
  }

  outcomes_text(f, &y, n);
  if (m->continued && turn_on_text(f, m, t, &y) != 0) {
    tally_free(&y);
    return BRINK_ENOMEM;
  }

  bool header = false;
  int w = name_width((const char *const *)m->vars, m->nvars, 20);
  for (int v = 0; v < m->nvars; v++) {
    if (!described(m, t, v)) continue;
    if (!header) {
      term_printf(f, "\n%-*s %10s %10s %10s %10s %10s\n", w + 2, "final values",
                  "mean", "sd", "p5", "p50", "p95");
      header = true;
    }
    if (m->types[v] == BRINK_ENUM) {
      term_printf(f, "  %-*s", w, m->vars[v]);
      for (int k = 0; k < m->nenum[v]; k++)
        term_printf(f, " %s %.1f%%", m->enums[v][k],
                    n ? 100.0 * (double)enum_count(m, t, v, k) / (double)n
                      : 0.0);
      fputc('\n', f);
      continue;
    }
    stats s;
    if (!describe_var(m, t, v, &s)) {
      tally_free(&y);
      return BRINK_ENOMEM;
    }
    char a[5][48];
    /* A number's mean and spread read like its values; an integer's
       need decimals it does not have. */
    if (m->types[v] == BRINK_NUMBER) {
      brink_number_show(s.mean, m->precision[v], a[0], sizeof a[0]);
      brink_number_show(s.sd, m->precision[v], a[1], sizeof a[1]);
    } else {
      snprintf(a[0], sizeof a[0], "%.6g", round_sig(s.mean, 6));
      snprintf(a[1], sizeof a[1], "%.6g", round_sig(s.sd, 6));
    }
    text_value(m, v, s.p5, a[2], sizeof a[2]);
    text_value(m, v, s.p50, a[3], sizeof a[3]);
    text_value(m, v, s.p95, a[4], sizeof a[4]);
    term_printf(f, "  %-*s %10s %10s %10s %10s %10s\n", w, m->vars[v], a[0],
                a[1],
                a[2], a[3], a[4]);
  }
  if (!header) fputs("\nfinal values: the same in every run\n", f);

  if (m->has_score) {
    fputs("\nmean score\n", f);
    for (int a = 0; a < m->nactors; a++) {
      double x;
      int has = mean_score(m, t, a, &x);
      if (has < 0) {
        tally_free(&y);
        return BRINK_ENOMEM;
      }
      if (has)
        term_printf(f, "  %-8s %10.6g\n", m->actors[a], round_sig(x, 6));
      else
        term_printf(f, "  %-8s %10s\n", m->actors[a], "-");
    }
  }

  if (t->ntriggers) {
    int *ix = trigger_order(t);
    if (ix == NULL) {
      tally_free(&y);
      return BRINK_ENOMEM;
    }
    w = name_width((const char *const *)t->triggers, t->ntriggers, 20);
    fputs("\ntriggers (share of runs in which each fired)\n", f);
    for (int i = 0; i < t->ntriggers; i++)
      term_printf(f, "  %-*s %6.1f%%\n", w, t->triggers[ix[i]],
                  n ? 100.0 * (double)t->trigger_runs[ix[i]] / (double)n : 0.0);
    free(ix);
  } else {
    fputs("\ntriggers: none fired\n", f);
  }

  fputs("\nmoves (share of each actor's choices)\n", f);
  for (int a = 0; a < m->nactors; a++) {
    int64_t total = actor_choices(m, t, a);
    term_printf(f, "  %s\n", m->actors[a]);
    for (int k = 0; k < m->nrep[a]; k++) {
      int64_t c = t->moves[m->rep_off[a] + k];
      term_printf(f, "    %-28s %6.1f%%\n", m->rep[a][k],
                  total ? 100.0 * (double)c / (double)total : 0.0);
    }
  }

  fputs("\ncoverage\n  outcomes never reached:", f);
  int none = 1;
  for (int i = 0; i < y.n; i++)
    if (y.counts[i] == 0) term_printf(f, " %s", y.names[i]), none = 0;
  fputs(none ? " none\n" : "\n", f);
  fputs("  triggers never fired:", f);
  none = 1;
  for (int i = 0; i < t->ntriggers; i++)
    if (t->trigger_runs[i] == 0)
      term_printf(f, " %s", t->triggers[i]), none = 0;
  fputs(none ? " none\n" : "\n", f);
  fputs("  moves never chosen:", f);
  none = 1;
  for (int a = 0; a < m->nactors; a++)
    for (int k = 0; k < m->nrep[a]; k++)
      if (t->moves[m->rep_off[a] + k] == 0)
        term_printf(f, " %s:%s", m->actors[a], m->rep[a][k]), none = 0;
  fputs(none ? " none\n" : "\n", f);

  if (t->nerrors && t->nerrs)
    term_printf(f, "\n%lld run%s ended in a script error; the first, seed %llu:"
                "\n  %s\n", (long long)t->nerrors, t->nerrors == 1 ? "" : "s",
                (unsigned long long)run_seed(m, t->errs[0].run),
                t->errs[0].msg);
  tally_free(&y);
  return ferror(f) ? -1 : 0;
}

int forecast_text(FILE *f, const bmeta *m, const btable *t) {
  tally y;
  if (count_outcomes(m, t, &y) != 0) return BRINK_ENOMEM;
  head_text(f, m, t->count);
  outcomes_text(f, &y, t->count);
  int rc = turn_on_text(f, m, t, &y);
  if (rc == 0 && t->nerrors && t->nerrs)
    term_printf(f, "\n%lld run%s ended in a script error; the first, seed "
                "%llu:\n  %s\n", (long long)t->nerrors,
                t->nerrors == 1 ? "" : "s",
                (unsigned long long)run_seed(m, t->errs[0].run),
                t->errs[0].msg);
  tally_free(&y);
  return rc ? rc : ferror(f) ? -1 : 0;
}

int sweep_table(FILE *f, const bmeta *ms, const btable *ts, int n) {
  /* Every outcome any combination reached, in byte order. */
  const char **names = NULL;
  int nn = 0;
  bool bad = false;
  tally y;
  for (int c = 0; c < n && !bad; c++) {
    if (count_outcomes(&ms[c], &ts[c], &y) != 0) {
      bad = true;
      break;
    }
    for (int i = 0; i < y.n; i++) {
      int seen = 0;
      for (int k = 0; k < nn; k++) seen |= strcmp(names[k], y.names[i]) == 0;
      if (seen) continue;
      const char **more = realloc(names, sizeof *more * (size_t)(nn + 1));
      if (more == NULL) {
        bad = true;
        break;
      }
      names = more;
      names[nn++] = y.names[i];
    }
    tally_free(&y);
  }
  char (*labels)[256] = bad ? NULL : batch_calloc((size_t)n, sizeof *labels);
  if (labels == NULL) {
    free(names);
    return BRINK_ENOMEM;
  }
  qsort(names, (size_t)nn, sizeof *names, cmp_str);
  int w = 10;
  for (int c = 0; c < n; c++) {
    const char *key;
    json_t *v;
    size_t len = 0;
    json_object_foreach(ms[c].sweep, key, v)
      len += (size_t)snprintf(labels[c] + len, len < 256 ? 256 - len : 0,
                              "%s%s=%s", len ? " " : "", key,
                              json_string_value(v));
    if ((int)strlen(labels[c]) > w) w = (int)strlen(labels[c]);
  }
  term_printf(f, "comparison (share of runs; 95%% interval half-width at most "
              "%.1f points)\n  %-*s", 100 * 1.0 / sqrt((double)(ts[0].count ?
                                                         ts[0].count : 1)),
              w, "sweep");
  for (int k = 0; k < nn; k++)
    term_printf(f, " %*s",
                (int)strlen(names[k]) > 7 ? (int)strlen(names[k]) : 7,
                names[k]);
  fputc('\n', f);
  for (int c = 0; c < n; c++) {
    term_printf(f, "  %-*s", w, labels[c]);
    if (count_outcomes(&ms[c], &ts[c], &y) != 0) {
      bad = true;
      break;
    }
    for (int k = 0; k < nn; k++) {
      int64_t cnt = 0;
      for (int i = 0; i < y.n; i++)
        if (strcmp(y.names[i], names[k]) == 0) cnt = y.counts[i];
      int w2 = (int)strlen(names[k]) > 7 ? (int)strlen(names[k]) : 7;
      term_printf(f, " %*.1f%%", w2 - 1, ts[c].count ? 100.0 * (double)cnt /
                                                  (double)ts[c].count : 0.0);
    }
    fputc('\n', f);
    tally_free(&y);
  }
  free(labels);
  free(names);
  return bad ? BRINK_ENOMEM : ferror(f) ? -1 : 0;
}

/* paired differences ----------------------------------------------------- */

/*
** Combination c against the first, outcome by outcome, run by run: run r
** of every combination had the seed S+r, so d_r = [c's run r ended in o]
** - [the first's run r did] pairs the same dice.  The paired 95% interval
** is mean(d) +- z sd(d)/sqrt(n); the unpaired one, for comparison, treats
** the two shares as independent samples.
*/
typedef struct paired {
  double diff, half, unpaired;
} paired;

static bool ended_in(const btable *t, int64_t r, const char *o) {
  return strcmp(t->outcomes[t->outcome[r]], o) == 0;
}

static paired pair_up(const btable *first, const btable *t, const char *o) {
  int64_t n = t->count < first->count ? t->count : first->count;
  double sum = 0, sum2 = 0, k0 = 0, k1 = 0;
  for (int64_t r = 0; r < n; r++) {
    int a = ended_in(t, r, o), b = ended_in(first, r, o);
    sum += a - b;
    sum2 += (double)((a - b) * (a - b));
    k1 += a;
    k0 += b;
  }
  paired p = {0, 0, 0};
  if (n == 0) return p;
  const double z = Z95;
  double mean = sum / (double)n;
  double var = n > 1 ? (sum2 - (double)n * mean * mean) / (double)(n - 1) : 0;
  double p0 = k0 / (double)n, p1 = k1 / (double)n;
  p.diff = mean;
  p.half = z * sqrt(var > 0 ? var : 0) / sqrt((double)n);
  p.unpaired = z * sqrt((p0 * (1 - p0) + p1 * (1 - p1)) / (double)n);
  return p;
}

/* Every outcome any combination reached, in byte order (a malloc'd list
   of borrowed names), or NULL when out of memory. */
static const char **all_outcomes(const btable *ts, int n, int *count) {
  const char **names = batch_calloc(1, sizeof *names);
  int nn = 0;
  for (int c = 0; names && c < n; c++)
    for (int i = 0; names && i < ts[c].noutcomes; i++) {
      int seen = 0;
      for (int k = 0; k < nn; k++)
        seen |= strcmp(names[k], ts[c].outcomes[i]) == 0;
      if (seen) continue;
      const char **more = realloc(names, sizeof *more * (size_t)(nn + 1));
      if (more == NULL) free(names);
      names = more;
      if (names) names[nn++] = ts[c].outcomes[i];
    }
  if (names) qsort(names, (size_t)nn, sizeof *names, cmp_str);
  *count = nn;
  return names;
}

static void sweep_label(const bmeta *m, char *buf, size_t cap) {
  const char *key;
  json_t *v;
  size_t len = 0;
  buf[0] = '\0';
  json_object_foreach(m->sweep, key, v)
    len += (size_t)snprintf(buf + len, len < cap ? cap - len : 0, "%s%s=%s",
                            len ? " " : "", key, json_string_value(v));
}

int sweep_paired_text(FILE *f, const bmeta *ms, const btable *ts, int n) {
  int nn;
  const char **names = all_outcomes(ts, n, &nn);
  if (names == NULL) return BRINK_ENOMEM;
  char first[256], label[256];
  sweep_label(&ms[0], first, sizeof first);
  term_printf(f, "against %s, on the same seeds (difference in points, "
              "paired 95%% interval; unpaired half-width for comparison)\n",
              first);
  for (int c = 1; c < n; c++) {
    sweep_label(&ms[c], label, sizeof label);
    term_printf(f, "  %s\n", label);
    for (int k = 0; k < nn; k++) {
      paired p = pair_up(&ts[0], &ts[c], names[k]);
      term_printf(f, "    %-20s %+6.1f  [%+.1f, %+.1f]  (unpaired +-%.1f)\n",
                  names[k], 100 * p.diff, 100 * (p.diff - p.half),
                  100 * (p.diff + p.half), 100 * p.unpaired);
    }
  }
  free(names);
  return ferror(f) ? -1 : 0;
}

json_t *sweep_paired_json(const bmeta *ms, const btable *ts, int n) {
  int nn;
  const char **names = all_outcomes(ts, n, &nn);
  if (names == NULL) return NULL;
  bool bad = false;
  json_t *j = json_object(), *points = json_array();
  jput(j, "t", json_string("paired"), &bad);
  jput(j, "against", json_incref(ms[0].sweep), &bad);
  for (int c = 1; c < n && points; c++) {
    json_t *pt = json_object(), *outs = json_object();
    jput(pt, "sweep", json_incref(ms[c].sweep), &bad);
    for (int k = 0; k < nn && outs; k++) {
      paired p = pair_up(&ts[0], &ts[c], names[k]);
      json_t *o = json_object(), *ci = json_array();
      jappend(ci, jnum(round_sig(p.diff - p.half, 3)), &bad);
      jappend(ci, jnum(round_sig(p.diff + p.half, 3)), &bad);
      jput(o, "diff", jnum(round_sig(p.diff, 3)), &bad);
      jput(o, "ci95", ci, &bad);
      jput(o, "unpaired_half", jnum(round_sig(p.unpaired, 3)), &bad);
      jput(outs, names[k], o, &bad);
    }
    jput(pt, "outcomes", outs, &bad);
    jappend(points, pt, &bad);
  }
  jput(j, "points", points, &bad);
  free(names);
  if (bad) {
    json_decref(j);
    return NULL;
  }
  return j;
}

/* A CSV field, quoted when it holds a comma, a quote or a line break. */
static void csv_field(FILE *f, const char *s) {
  if (strpbrk(s, ",\"\r\n") == NULL) {
    fputs(s, f);
    return;
  }
  fputc('"', f);
  for (; *s; s++) {
    if (*s == '"') fputc('"', f);
    fputc(*s, f);
  }
  fputc('"', f);
}

/* csv_field() into a growing buffer. */
static void sb_field(sbuf *b, const char *s) {
  if (strpbrk(s, ",\"\r\n") == NULL) {
    sb_puts(b, s);
    return;
  }
  sb_put(b, "\"", 1);
  for (const char *q; (q = strchr(s, '"')) != NULL; s = q + 1) {
    sb_put(b, s, (size_t)(q - s) + 1);
    sb_put(b, "\"", 1);
  }
  sb_puts(b, s);
  sb_put(b, "\"", 1);
}

int write_csv_header(FILE *f, const bmeta *m) {
  const char *key;
  json_t *v;
  fputs("seed,outcome,turn", f);
  /* A swept variable's start, apart from its final value's column. */
  json_object_foreach(m->sweep, key, v) {
    char name[600];
    snprintf(name, sizeof name, "set:%s", key);
    fputc(',', f);
    csv_field(f, name);
  }
  for (int i = 0; i < m->nvars; i++) {
    fputc(',', f);
    csv_field(f, m->vars[i]);
  }
  fputc('\n', f);
  return ferror(f) ? -1 : 0;
}

void csv_row(sbuf *b, const bmeta *m, uint64_t seed, const char *outcome,
             int turn, const double *final, const brink_engine *e) {
  const char *key;
  json_t *v;
  char buf[128];
  snprintf(buf, sizeof buf, "%llu,", (unsigned long long)seed);
  sb_puts(b, buf);
  sb_field(b, outcome);
  snprintf(buf, sizeof buf, ",%d", turn);
  sb_puts(b, buf);
  json_object_foreach(m->sweep, key, v) {
    sb_put(b, ",", 1);
    sb_field(b, json_string_value(v));
  }
  for (int i = 0; i < m->nvars; i++) {
    sb_put(b, ",", 1);
    /* Numbers as people read them (brink_number_show). */
    if (m->types[i] == BRINK_NUMBER)
      brink_number_show(final[i], m->precision[i], buf, sizeof buf);
    else
      brink_value_format(e, i, final[i], buf, sizeof buf);
    sb_field(b, buf);
  }
  sb_put(b, "\n", 1);
}
