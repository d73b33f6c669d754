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

static int closest(const char *arg, const char *const *allowed) {
  int best = -1;
  size_t bestn = 0;
  for (int i = 0; allowed[i]; i++) {
    size_t n = 0;
    while (arg[n] && arg[n] == allowed[i][n]) n++;
    if (n > bestn) {
      bestn = n;
      best = i;
    }
  }
  return bestn >= 3 ? best : -1;
}

static int allowed_has(const char *const *allowed, const char *opt) {
  for (int i = 0; allowed[i]; i++)
    if (strcmp(allowed[i], opt) == 0) return 1;
  return 0;
}

int parse_options(const char *cmd, int argc, char **argv,
                  const char *const *allowed, options *o) {
  memset(o, 0, sizeof *o);
  brink_config_init(&o->cfg);
  bool many = allowed_has(allowed, "PART...");
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) return -1;
    if (a[0] != '-' || a[1] == '\0') {
      if (o->file && !many)
        return usage_error(cmd, "one scenario file only ('%s'?)", a);
      if (o->nfiles == MAX_FILES)
        return usage_error(cmd, "too many files (at most %d)", MAX_FILES);
      if (o->file == NULL) o->file = a;
      o->files[o->nfiles++] = a;
      continue;
    }
    /* --name=value or --name value */
    char name[64];
    const char *eq = strchr(a, '=');
    const char *value = NULL;
    size_t n = eq ? (size_t)(eq - a) : strlen(a);
    if (n >= sizeof name) n = sizeof name - 1;
    memcpy(name, a, n);
    name[n] = '\0';
    if (!allowed_has(allowed, name)) {
      int c = closest(name, allowed);
      if (c >= 0)
        return usage_error(cmd, "unknown option '%s' (did you mean '%s'?)",
                           name, allowed[c]);
      return usage_error(cmd, "unknown option '%s' (see brink %s --help)",
                         name, cmd);
    }
    bool flag = strcmp(name, "--json") == 0 || strcmp(name, "--quiet") == 0 ||
                strcmp(name, "--no-cache") == 0 ||
                strcmp(name, "--force") == 0;
    if (flag) {
      if (eq) return usage_error(cmd, "%s takes no value", name);
      if (name[2] == 'j') o->json = true;
      else if (name[2] == 'q') o->quiet = true;
      else if (name[2] == 'f') o->force = true;
      else o->no_cache = true;
      continue;
    }
    value = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
    if (value == NULL) return usage_error(cmd, "%s needs a value", name);
    uint64_t u;
    if (strcmp(name, "--seed") == 0) {
      if (!parse_u64(value, &u))
        return usage_error(cmd, "--seed takes a whole number, not '%s'",
                           value);
      o->seed = u;
      o->has_seed = true;
    } else if (strcmp(name, "--turns") == 0) {
      if (!parse_u64(value, &u) || u < 1 || u > 1000000)
        return usage_error(cmd, "--turns takes a number from 1, not '%s'",
                           value);
      o->turns = (int)u;
    } else if (strcmp(name, "--policy") == 0 || strcmp(name, "--set") == 0) {
      bool pol = name[2] == 'p';
      const char *eq2 = strchr(value, '=');
      if (eq2 == NULL || eq2 == value || eq2[1] == '\0')
        return usage_error(cmd, "%s takes %s, not '%s'", name,
                           pol ? "ACTOR=NAME" : "VAR=VALUE", value);
      if ((pol ? o->npolicies : o->nsets) == MAX_PAIRS)
        return usage_error(cmd, "too many %s options", name);
      if (pol) o->policies[o->npolicies++] = value;
      else o->sets[o->nsets++] = value;
    } else if (strcmp(name, "--log") == 0) {
      o->log = value;
    } else if (strcmp(name, "--seat") == 0) {
      if (o->nseats == MAX_PAIRS)
        return usage_error(cmd, "too many --seat options");
      o->seats[o->nseats++] = value;
    } else if (strcmp(name, "--save") == 0) {
      o->save = value;
    } else if (strcmp(name, "--resume") == 0) {
      o->resume = value;
    } else if (strcmp(name, "--csv") == 0) {
      o->csv = value;
    } else if (strcmp(name, "--out") == 0) {
      o->out = value;
    } else if (strcmp(name, "--plot") == 0) {
      o->plot = value;
    } else if (strcmp(name, "--runs") == 0) {
      if (!parse_u64(value, &u) || u < 1 || u > 1000000000)
        return usage_error(cmd, "--runs takes a number from 1 to 10^9, "
                           "not '%s'", value);
      o->runs = (int64_t)u;
    } else if (strcmp(name, "--jobs") == 0) {
      if (!parse_u64(value, &u) || u < 1 || u > 1024)
        return usage_error(cmd, "--jobs takes a number from 1 to 1024, "
                           "not '%s'", value);
      o->jobs = (int)u;
    } else if (strcmp(name, "--var") == 0) {
      if (o->nvars == MAX_PAIRS)
        return usage_error(cmd, "too many --var options");
      o->vars[o->nvars++] = value;
    } else if (strcmp(name, "--sweep") == 0) {
      const char *eq2 = strchr(value, '=');
      if (eq2 == NULL || eq2 == value || eq2[1] == '\0')
        return usage_error(cmd, "--sweep takes VAR=a,b,c, not '%s'", value);
      if (o->nsweeps == MAX_PAIRS)
        return usage_error(cmd, "too many --sweep options");
      o->sweeps[o->nsweeps++] = value;
    } else if (strcmp(name, "--shard") == 0) {
      /* "K/N": shard K (from 1) of N */
      const char *slash = strchr(value, '/');
      char k[32];
      uint64_t of;
      if (slash == NULL || (size_t)(slash - value) >= sizeof k)
        return usage_error(cmd, "--shard takes K/N, such as 2/8, not '%s'",
                           value);
      snprintf(k, sizeof k, "%.*s", (int)(slash - value), value);
      if (!parse_u64(k, &u) || !parse_u64(slash + 1, &of) || u < 1 ||
          of < 1 || u > of || of > 1000000)
        return usage_error(cmd, "--shard takes K/N with 1 <= K <= N, not "
                           "'%s'", value);
      o->shard_k = (int)u;
      o->shard_n = (int)of;
    } else if (strcmp(name, "--max-instructions") == 0) {
      if (!parse_u64(value, &u) || u == 0 || u > (uint64_t)INT64_MAX)
        return usage_error(cmd, "--max-instructions takes a positive "
                           "number, not '%s'", value);
      o->cfg.max_instructions = (int64_t)u;
    } else if (strcmp(name, "--max-memory") == 0) {
      if (!parse_size(value, &o->cfg.max_memory))
        return usage_error(cmd, "--max-memory takes a size such as 64M, "
                           "not '%s'", value);
    } else if (strcmp(name, "--max-seconds") == 0) {
      char *end;
      double s = strtod(value, &end);
      if (*end || end == value || !(s > 0) || s > 1e6)
        return usage_error(cmd, "--max-seconds takes a positive number, "
                           "not '%s'", value);
      o->cfg.max_seconds = s;
    }
  }
  if (o->file == NULL && o->resume == NULL)   /* a save names its scenario */
    return many ? usage_error(cmd, "which parts? (brink %s PART...)", cmd)
                : usage_error(cmd, "which scenario? (brink %s FILE)", cmd);
  if (o->no_cache) o->cfg.flags |= BRINK_FLAG_NO_CACHE;
  return 0;
}

int open_scenario(const options *o, brink_engine **out) {
  brink_engine *e;
  *out = NULL;
  int rc = brink_engine_open(&e, &o->cfg);
  if (rc != BRINK_OK) {
    term_printf(stderr, "brink: %s\n", brink_strerror(rc));
    return 1;
  }
  rc = brink_load_file(e, o->file);
  if (rc != BRINK_OK) {
    int n = brink_diag_count(e);
    if (n == 0) term_printf(stderr, "%s\n", brink_errmsg(e));
    for (int i = 0; i < n; i++)
      term_printf(stderr, "%s\n", brink_diag_get(e, i));
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
