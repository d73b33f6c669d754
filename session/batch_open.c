/*
** batch_open.c: a batch made ready to run: the scenario loaded once and
** started, the options checked on it, and the facts a summary needs
** read from it; and the batch freed.
*/
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch.h"

/* strdup() that notes a refusal in *bad. */
static char *copy(const char *s, bool *bad) {
  char *d = strdup(s);
  if (d == NULL) *bad = true;
  return d;
}

static void *zalloc(size_t n, size_t size, bool *bad) {
  void *p = batch_calloc(n, size);
  if (p == NULL) *bad = true;
  return p;
}

/*
** The options that change results, for merge to compare.  Continuations
** add "from": the digest of the state they go on from and its turn.
*/
static json_t *options_json(const batch_config *c, brink_engine *e,
                            bool *bad) {
  json_t *opt = json_object(), *pol = json_array(), *sets = json_array(),
         *vars = json_array();
  for (int i = 0; i < c->npolicies; i++)
    jappend(pol, json_string(c->policies[i]), bad);
  for (int i = 0; i < c->nsets; i++)
    jappend(sets, json_string(c->sets[i]), bad);
  for (int i = 0; i < c->nvars; i++)
    jappend(vars, json_string(c->vars[i]), bad);
  jput(opt, "policies", pol, bad);
  jput(opt, "sets", sets, bad);
  jput(opt, "vars", vars, bad);
  jput(opt, "turns", json_integer(c->turns), bad);
  jput(opt, "max_instructions", json_integer(c->cfg.max_instructions), bad);
  jput(opt, "max_memory", json_integer(c->cfg.max_memory), bad);
  jput(opt, "max_seconds", json_real(c->cfg.max_seconds), bad);
  if (c->from) {
    char hash[72];
    batch_digest(c->from, c->from_len, hash);
    jput(opt, "from", json_pack("{sssi}", "state", hash, "turn",
                                brink_turn(e)), bad);
  }
  if (*bad) {
    json_decref(opt);
    return NULL;
  }
  return opt;
}

/* Each actor's moves as brink_options lists them, into m and b->repidx. */
static bool describe_moves(batch *b, brink_engine *e, bmeta *m) {
  bool bad = false;
  int nm = brink_move_count(e);
  b->repidx = zalloc((size_t)(m->nactors * nm + 1), sizeof *b->repidx, &bad);
  m->nrep = zalloc((size_t)m->nactors, sizeof *m->nrep, &bad);
  m->rep = zalloc((size_t)m->nactors, sizeof *m->rep, &bad);
  m->rep_off = zalloc((size_t)m->nactors + 1, sizeof *m->rep_off, &bad);
  for (int a = 0; !bad && a < m->nactors; a++) {
    int *idx = b->repidx + a * nm, count = 0;
    for (int mv = 0; mv < nm; mv++) idx[mv] = -1;
    if ((m->rep[a] = zalloc((size_t)nm, sizeof **m->rep, &bad)) == NULL)
      break;
    /* Should a condition fail this early, every move stands in. */
    bool listed = brink_options(e, a, &count) == BRINK_OK;
    for (int i = 0; i < (listed ? count : nm); i++) {
      int mv = listed ? 0 : (i + 1) % nm;   /* 'pass' (id 0) last */
      if (listed) brink_option_get(e, i, &mv, NULL, NULL, NULL);
      if (mv < 0 || mv >= nm || idx[mv] >= 0) continue;
      idx[mv] = m->nrep[a];
      m->rep[a][m->nrep[a]++] = copy(brink_move_name(e, mv), &bad);
    }
    m->rep_off[a + 1] = m->rep_off[a] + m->nrep[a];
  }
  if (!bad) m->nrep_all = m->rep_off[m->nactors];
  return !bad;
}

/*
** The facts of the scenario a summary needs, read from the first engine
** after brink_start (so brink_options lists each actor's moves).  False
** when out of memory.
*/
static bool describe(batch *b, brink_engine *e, uint64_t seed) {
  const batch_config *c = &b->c;
  bmeta *m = &b->m;
  bool bad = false;
  char hash[72];
  batch_digest(c->text, c->len, hash);
  m->scenario = copy(brink_scenario_field(e, "id"), &bad);
  m->title = copy(brink_scenario_field(e, "title"), &bad);
  m->hash = copy(hash, &bad);
  m->default_outcome = copy(brink_scenario_field(e, "default_outcome"), &bad);
  m->seed = seed;
  m->continued = c->from != NULL;
  int n = brink_actor_count(e);
  if ((m->actors = zalloc((size_t)n, sizeof *m->actors, &bad)) == NULL)
    return false;
  m->nactors = n;
  for (int a = 0; a < m->nactors; a++)
    m->actors[a] = copy(brink_actor_id(e, a), &bad);
  n = brink_var_count(e);
  m->vars = zalloc((size_t)n, sizeof *m->vars, &bad);
  m->types = zalloc((size_t)n, sizeof *m->types, &bad);
  m->precision = zalloc((size_t)n, sizeof *m->precision, &bad);
  m->nenum = zalloc((size_t)n, sizeof *m->nenum, &bad);
  m->enums = zalloc((size_t)n, sizeof *m->enums, &bad);
  m->vmin = zalloc((size_t)n, sizeof *m->vmin, &bad);
  m->vmax = zalloc((size_t)n, sizeof *m->vmax, &bad);
  if (bad) return false;
  m->nvars = n;
  for (int v = 0; v < m->nvars; v++) {
    m->vars[v] = copy(brink_var_name(e, v), &bad);
    brink_var_bounds(e, v, &m->vmin[v], &m->vmax[v]);
    m->types[v] = brink_var_type(e, v);
    m->precision[v] = brink_var_precision(e, v);
    if (m->types[v] != BRINK_ENUM) continue;
    int k = 0;
    while (*brink_var_enum_value(e, v, k)) k++;
    if ((m->enums[v] = zalloc((size_t)k, sizeof **m->enums, &bad)) == NULL)
      return false;
    m->nenum[v] = k;
    for (int i = 0; i < k; i++)
      m->enums[v][i] = copy(brink_var_enum_value(e, v, i), &bad);
  }
  if (bad || !describe_moves(b, e, m)) return false;
  int last = brink_turn_count(e);
  m->nturns = c->turns && c->turns < last ? c->turns : last;
  if (m->continued) m->nturns = last;   /* the state's own limit counts */
  if ((m->dates = zalloc((size_t)m->nturns + 1, sizeof *m->dates, &bad)))
    for (int k = 0; k <= m->nturns; k++)
      m->dates[k] = brink_turn_date(e, k + 1);
  double x;
  m->has_score = m->nactors > 0 && brink_score(e, 0, &x) != BRINK_ENOTFOUND;
  m->options = options_json(c, e, &bad);
  return !bad;
}

static int refuse(char *err, size_t cap, int status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int refuse(char *err, size_t cap, int status, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, cap, fmt, ap);
  va_end(ap);
  return status;
}

/* Splits and checks every --sweep on the started engine. */
static int parse_sweeps(batch *b, char *err, size_t cap) {
  const batch_config *c = &b->c;
  batch_sweep *s = batch_calloc((size_t)c->nsweeps, sizeof *s);
  if ((b->sw = s) == NULL) return BRINK_ENOMEM;
  b->combos = 1;
  for (int i = 0; i < c->nsweeps; i++) {
    const char *arg = c->sweeps[i], *eq = strchr(arg, '=');
    if (eq == NULL || eq == arg || eq[1] == '\0')
      return refuse(err, cap, BRINK_EINVAL, "--sweep takes VAR=a,b,c, not "
                    "'%s'", arg);
    snprintf(s[i].name, sizeof s[i].name, "%.*s", (int)(eq - arg), arg);
    for (int k = 0; k < i; k++)
      if (strcmp(s[k].name, s[i].name) == 0)
        return refuse(err, cap, BRINK_EINVAL, "--sweep %s: %s is swept "
                      "twice", arg, s[i].name);
    for (const char *p = eq + 1;; p++) {
      const char *comma = strchr(p, ',');
      size_t n = comma ? (size_t)(comma - p) : strlen(p);
      if (n == 0)
        return refuse(err, cap, BRINK_EINVAL, "--sweep %s: an empty value",
                      arg);
      char assign[512];
      snprintf(assign, sizeof assign, "%s=%.*s", s[i].name, (int)n, p);
      const char *one = assign;
      if (presets_apply(b->e, &one, 1, err, cap) != 0) return BRINK_EINVAL;
      char **more = realloc(s[i].values, sizeof *more *
                                             (size_t)(s[i].nvalues + 1));
      if (more == NULL) return BRINK_ENOMEM;
      s[i].values = more;
      if ((s[i].values[s[i].nvalues] = strdup(strchr(assign, '=') + 1)) ==
          NULL)
        return BRINK_ENOMEM;
      s[i].nvalues++;
      if (comma == NULL) break;
      p = comma;
    }
    b->combos *= s[i].nvalues;
    if (b->combos > 100000)
      return refuse(err, cap, BRINK_EINVAL, "--sweep: more than 100000 "
                    "combinations");
  }
  return 0;
}

/* The --var variables, each once, as the series of the fan charts. */
static int find_series(batch *b, char *err, size_t cap) {
  bmeta *m = &b->m;
  if ((m->series = batch_calloc((size_t)b->c.nvars, sizeof *m->series)) ==
      NULL)
    return BRINK_ENOMEM;
  for (int i = 0; i < b->c.nvars; i++) {
    int v, seen = 0;
    if (brink_var_find(b->e, b->c.vars[i], &v) != BRINK_OK)
      return refuse(err, cap, BRINK_EINVAL, "--var %s: %s", b->c.vars[i],
                    brink_errmsg(b->e));
    for (int k = 0; k < m->nseries; k++) seen |= m->series[k] == v;
    if (!seen) m->series[m->nseries++] = v;
  }
  return 0;
}

static int prepare(batch *b, char *err, size_t cap) {
  const batch_config *c = &b->c;
  int rc = batch_load(b, &b->e, err, cap);
  if (rc) return rc;
  uint64_t seed = c->has_seed ? c->seed : brink_scenario_seed(b->e);
  if (c->from && brink_outcome(b->e))
    return refuse(err, cap, BRINK_EINVAL, "the run has ended (%s): there is "
                  "nothing to go on from", brink_outcome(b->e));
  if (!c->from && (rc = brink_start(b->e, seed)) != BRINK_OK)
    return refuse(err, cap, rc == BRINK_ENOMEM ? rc : BRINK_ESTATE, "%s",
                  brink_errmsg(b->e));
  if (presets_apply(b->e, c->sets, c->nsets, err, cap) != 0)
    return BRINK_EINVAL;
  if ((rc = parse_sweeps(b, err, cap)) != 0) return rc;
  if (!describe(b, b->e, seed)) return BRINK_ENOMEM;
  b->m.runs = c->runs ? c->runs : 1000;
  if ((rc = find_series(b, err, cap)) != 0) return rc;
  b->jobs = c->jobs;
  if (b->jobs == 0) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    b->jobs = n < 1 ? 1 : n > 1024 ? 1024 : (int)n;
  }
  /* Shard K of N holds the contiguous runs [(K-1)R/N, KR/N). */
  b->first = 0;
  b->count = b->m.runs;
  if (c->shard_n) {
    b->first = (c->shard_k - 1) * b->m.runs / c->shard_n;
    b->count = c->shard_k * b->m.runs / c->shard_n - b->first;
  }
  b->ms = batch_calloc((size_t)b->combos, sizeof *b->ms);
  b->ts = batch_calloc((size_t)b->combos, sizeof *b->ts);
  return b->ms && b->ts ? 0 : BRINK_ENOMEM;
}

int batch_open(batch **out, const batch_config *c, char *err, size_t cap) {
  batch *b = calloc(1, sizeof *b);
  *out = NULL;
  if (b == NULL) return BRINK_ENOMEM;
  b->c = *c;
  if (b->c.cfg.size == 0) brink_config_init(&b->c.cfg);
  int rc = prepare(b, err, cap);
  if (rc) {
    batch_close(b);
    return rc;
  }
  *out = b;
  return 0;
}

void batch_close(batch *b) {
  if (b == NULL) return;
  for (int64_t k = 0; b->ms && k < b->combos; k++) json_decref(b->ms[k].sweep);
  for (int64_t k = 0; b->ts && k < b->combos; k++) table_free(&b->ts[k]);
  free(b->ms);
  free(b->ts);
  for (int i = 0; b->sw && i < b->c.nsweeps; i++) {
    for (int k = 0; k < b->sw[i].nvalues; k++) free(b->sw[i].values[k]);
    free(b->sw[i].values);
  }
  free(b->sw);
  free(b->repidx);
  meta_free(&b->m);
  brink_engine_close(b->e);
  free(b);
}
