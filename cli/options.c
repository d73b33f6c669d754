/*
** options.c: command-line options shared by the commands, and opening a
** scenario with them.
*/
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int usage_error(const char *cmd, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  term_printf(stderr, "brink%s%s: ", *cmd ? " " : "", cmd);
  term_vprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  return 2;
}

static int parse_u64(const char *s, uint64_t *out) {
  char *end;
  errno = 0;
  if (*s == '-' || *s == '\0') return 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || *end) return 0;
  *out = v;
  return 1;
}

/* "64M", "1G", "100000": bytes. */
static int parse_size(const char *s, int64_t *out) {
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  double mult = 1;
  if (*end == 'K' || *end == 'k') mult = 1024, end++;
  else if (*end == 'M' || *end == 'm') mult = 1024 * 1024, end++;
  else if (*end == 'G' || *end == 'g') mult = 1024.0 * 1024 * 1024, end++;
  if (errno || *end || end == s || !(v > 0) || v * mult > 9e18) return 0;
  *out = (int64_t)(v * mult);
  return 1;
}

/* The row of 'c' spelled 'name' (long or short form), or NULL. */
static const optrow *find_row(const command *c, const char *name) {
  for (const optrow *r = c->rows; r->opt; r++)
    if (strcmp(optdefs[r->opt].name, name) == 0 ||
        (r->alias && strcmp(r->alias, name) == 0))
      return r;
  return NULL;
}

/* The option of 'c' that 'name' most likely misspells, or NULL. */
static const char *closest(const command *c, const char *name) {
  const char *best = NULL;
  size_t bestn = 0;
  for (const optrow *r = c->rows; r->opt; r++) {
    const char *o = optdefs[r->opt].name;
    size_t n = 0;
    while (name[n] && name[n] == o[n]) n++;
    if (n > bestn) {
      bestn = n;
      best = o;
    }
  }
  return bestn >= 3 ? best : NULL;
}

/* Where a repeatable option's values go, or NULL for the others. */
static const char **list_of(options *o, int opt, int **n) {
  switch (opt) {
  case OPT_POLICY: *n = &o->npolicies; return o->policies;
  case OPT_SET: *n = &o->nsets; return o->sets;
  case OPT_SEAT: *n = &o->nseats; return o->seats;
  case OPT_VAR: *n = &o->nvars; return o->vars;
  case OPT_SWEEP: *n = &o->nsweeps; return o->sweeps;
  case OPT_SCENARIO: *n = &o->nscenarios; return o->scenarios;
  default: return NULL;
  }
}

/* Keeps the value of a single-valued option, checked already. */
static void store(options *o, int opt, const char *value, uint64_t u,
                  uint64_t of, double x) {
  switch (opt) {
  case OPT_SEED: o->seed = u, o->has_seed = true; break;
  case OPT_TURNS: o->turns = (int)u; break;
  case OPT_JSON: o->json = true; break;
  case OPT_QUIET: o->quiet = true; break;
  case OPT_FORCE: o->force = true; break;
  case OPT_NO_CACHE: o->no_cache = true; break;
  case OPT_LOG: o->log = value; break;
  case OPT_SAVE: o->save = value; break;
  case OPT_RESUME: o->resume = value; break;
  case OPT_FROM: o->from = value; break;
  case OPT_CSV: o->csv = value; break;
  case OPT_OUT: o->out = value; break;
  case OPT_PLOT: o->plot = value; break;
  case OPT_PORT: o->port = (int)u; break;
  case OPT_LISTEN: o->listen = value; break;
  case OPT_HOST: o->host = value; break;
  case OPT_RUNS:
  case OPT_CHECK_RUNS: o->runs = (int64_t)u; break;
  case OPT_JOBS: o->jobs = (int)u; break;
  case OPT_SHARD: o->shard_k = (int)u, o->shard_n = (int)of; break;
  case OPT_MAX_INSTRUCTIONS: o->cfg.max_instructions = (int64_t)u; break;
  case OPT_MAX_MEMORY: o->cfg.max_memory = (int64_t)u; break;
  case OPT_MAX_SECONDS: o->cfg.max_seconds = x; break;
  default: break;
  }
}

/* Checks 'value' as option 'opt' takes it and keeps it in 'o'. */
static int take(const char *cmd, int opt, const char *value, options *o) {
  const optdef *d = &optdefs[opt];
  uint64_t u = 0, of = 0;
  double x = 0;
  int64_t size = 0;
  bool ok = true;
  switch (d->kind) {
  case ARG_FLAG:
  case ARG_TEXT:
    break;
  case ARG_WHOLE:
    ok = parse_u64(value, &u) && u >= d->lo && u <= d->hi;
    break;
  case ARG_PAIR: {
    const char *eq = strchr(value, '=');
    ok = eq && eq != value && eq[1];
    break;
  }
  case ARG_SIZE:
    ok = parse_size(value, &size);
    u = (uint64_t)size;
    break;
  case ARG_SECONDS: {
    char *end;
    x = strtod(value, &end);
    ok = !*end && end != value && x > 0 && x <= 1e6;
    break;
  }
  case ARG_SHARD: {
    /* "K/N": shard K (from 1) of N */
    const char *slash = strchr(value, '/');
    char k[32];
    if (slash == NULL || (size_t)(slash - value) >= sizeof k)
      return usage_error(cmd, "%s takes %s, not '%s'", d->name, d->takes,
                         value);
    snprintf(k, sizeof k, "%.*s", (int)(slash - value), value);
    if (!parse_u64(k, &u) || !parse_u64(slash + 1, &of) || u < 1 ||
        of < 1 || u > of || of > d->hi)
      return usage_error(cmd, "%s takes K/N with 1 <= K <= N, not '%s'",
                         d->name, value);
    break;
  }
  }
  if (!ok)
    return usage_error(cmd, "%s takes %s, not '%s'", d->name, d->takes,
                       value);
  int *n;
  const char **list = list_of(o, opt, &n);
  if (list == NULL) {
    store(o, opt, value, u, of, x);
  } else if (*n == MAX_PAIRS) {
    return usage_error(cmd, "too many %s options", d->name);
  } else {
    list[(*n)++] = value;
  }
  return 0;
}

int parse_options(const char *cmd, int argc, char **argv, options *o) {
  memset(o, 0, sizeof *o);
  brink_config_init(&o->cfg);
  o->port = -1;
  const command *c = command_find(cmd);
  bool options_end = false;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!options_end && strcmp(a, "--") == 0) {
      options_end = true;
      continue;
    }
    if (!options_end && (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)) {
      command_help(c, stdout);
      return -1;
    }
    if (options_end || a[0] != '-' || a[1] == '\0') {
      if (o->file && c->max_files == 1)
        return usage_error(cmd, "%s ('%s'?)", c->only_one, a);
      if (o->nfiles == MAX_FILES)
        return usage_error(cmd, "too many files (at most %d)", MAX_FILES);
      if (o->file == NULL) o->file = a;
      o->files[o->nfiles++] = a;
      continue;
    }
    /* --name=value or --name value */
    char name[64];
    const char *eq = strchr(a, '=');
    size_t n = eq ? (size_t)(eq - a) : strlen(a);
    if (n >= sizeof name) n = sizeof name - 1;
    memcpy(name, a, n);
    name[n] = '\0';
    const optrow *r = find_row(c, name);
    if (r == NULL) {
      const char *near = closest(c, name);
      if (near)
        return usage_error(cmd, "unknown option '%s' (did you mean '%s'?)",
                           name, near);
      return usage_error(cmd, "unknown option '%s' (see brink %s --help)",
                         name, cmd);
    }
    const optdef *d = &optdefs[r->opt];
    const char *value = NULL;
    if (d->kind == ARG_FLAG) {
      if (eq) return usage_error(cmd, "%s takes no value", d->name);
    } else {
      value = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
      if (value == NULL) return usage_error(cmd, "%s needs a value", name);
    }
    int rc = take(cmd, r->opt, value, o);
    if (rc) return rc;
  }
  /* A save names its scenario. */
  if (o->file == NULL && o->resume == NULL && o->from == NULL)
    return usage_error(cmd, "%s", c->which);
  if (o->no_cache) o->cfg.flags |= BRINK_FLAG_NO_CACHE;
  return 0;
}

void print_load_errors(const char *cmd, const brink_engine *e) {
  int n = brink_diag_count(e);
  /* A file that could not be read is the command's error; findings
     carry the scenario's file:line, as a compiler's do. */
  if (n == 0) term_printf(stderr, "brink %s: %s\n", cmd, brink_errmsg(e));
  for (int i = 0; i < n; i++) term_printf(stderr, "%s\n", brink_diag_get(e, i));
}

int open_scenario(const char *cmd, const options *o, brink_engine **out) {
  brink_engine *e;
  *out = NULL;
  int rc = brink_engine_open(&e, &o->cfg);
  if (rc != BRINK_OK) {
    term_printf(stderr, "brink %s: %s\n", cmd, brink_strerror(rc));
    return 1;
  }
  rc = brink_load_file(e, o->file);
  if (rc != BRINK_OK) {
    print_load_errors(cmd, e);
    brink_engine_close(e);
    return 1;
  }
  *out = e;
  return 0;
}

int apply_choices(const char *cmd, const options *o, brink_engine *e) {
  char buf[256];
  for (int i = 0; i < o->npolicies; i++) {
    const char *p = o->policies[i], *eq = strchr(p, '=');
    snprintf(buf, sizeof buf, "%.*s", (int)(eq - p), p);
    int actor;
    if (brink_actor_find(e, buf, &actor) != BRINK_OK ||
        brink_policy_assign(e, actor, eq + 1) != BRINK_OK)
      return usage_error(cmd, "--policy %s: %s", p, brink_errmsg(e));
  }
  return 0;
}

int apply_sets(const char *cmd, const char *const *sets, int nsets,
               brink_engine *e) {
  char err[600];
  if (presets_apply(e, sets, nsets, err, sizeof err))
    return usage_error(cmd, "%s", err);
  return 0;
}
