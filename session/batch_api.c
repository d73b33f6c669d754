/*
** batch_api.c: brink_batch.h, the public face of the batch engine: the
** settings a host gives become a batch_config, one combination is played
** and its summary kept as JSON text.
*/
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "brink_batch.h"

struct brink_batch {
  char *path, *text;
  size_t len;
  brink_config cfg;
  int64_t runs, jobs, turns;   /* 0: the defaults */
  uint64_t seed;
  bool has_seed;
  strlist policies, sets, vars;
  char *summary;
  char err[1024];
};

static int say(brink_batch *b, int status, const char *msg) {
  snprintf(b->err, sizeof b->err, "%s", msg);
  return status;
}

BRINK_API int brink_batch_open(brink_batch **out, const char *path,
                               const brink_config *cfg) {
  brink_batch *b = calloc(1, sizeof *b);
  *out = NULL;
  if (b == NULL) return BRINK_ENOMEM;
  if (cfg) b->cfg = *cfg;
  else brink_config_init(&b->cfg);
  if ((b->path = strdup(path)) == NULL) {
    brink_batch_close(b);
    return BRINK_ENOMEM;
  }
  if ((b->text = read_file(path, &b->len)) == NULL) {
    int e = errno;
    if (e == ENOMEM) {
      brink_batch_close(b);
      return BRINK_ENOMEM;
    }
    snprintf(b->err, sizeof b->err, "cannot read %s: %s", path, strerror(e));
    *out = b;
    return BRINK_EIO;
  }
  *out = b;
  return BRINK_OK;
}

BRINK_API void brink_batch_close(brink_batch *b) {
  if (b == NULL) return;
  free(b->path);
  free(b->text);
  strlist_free(&b->policies);
  strlist_free(&b->sets);
  strlist_free(&b->vars);
  free(b->summary);
  free(b);
}

BRINK_API const char *brink_batch_errmsg(const brink_batch *b) {
  return b ? b->err : "out of memory";
}

/* 'x' within [lo, hi] into *to, else BRINK_ERANGE saying 'why'. */
static int set_in(brink_batch *b, int64_t *to, int64_t x, int64_t lo,
                  int64_t hi, const char *why) {
  if (x < lo || x > hi) return say(b, BRINK_ERANGE, why);
  *to = x;
  return say(b, BRINK_OK, "");
}

BRINK_API int brink_batch_set_runs(brink_batch *b, int64_t runs) {
  return set_in(b, &b->runs, runs, 1, 1000000000, "runs: from 1 to 10^9");
}

BRINK_API int brink_batch_set_seed(brink_batch *b, uint64_t seed) {
  b->seed = seed;
  b->has_seed = true;
  return say(b, BRINK_OK, "");
}

BRINK_API int brink_batch_set_jobs(brink_batch *b, int32_t jobs) {
  return set_in(b, &b->jobs, jobs, 1, 1024, "jobs: from 1 to 1024");
}

BRINK_API int brink_batch_set_turns(brink_batch *b, int32_t turns) {
  return set_in(b, &b->turns, turns, 0, INT32_MAX, "turns: 0 or more");
}

/* Copies "NAME=VALUE" (or a name, when 'pair' is false) into 'l'. */
static int add(brink_batch *b, strlist *l, const char *s, bool pair) {
  const char *eq = s ? strchr(s, '=') : NULL;
  if (s == NULL || *s == '\0' || (pair && (eq == NULL || eq == s)))
    return say(b, BRINK_EINVAL, pair ? "not NAME=VALUE" : "no name");
  if (l->n >= 64) return say(b, BRINK_ERANGE, "at most 64 of each");
  if (strlist_push(l, s) != 0) return say(b, BRINK_ENOMEM, "out of memory");
  return say(b, BRINK_OK, "");
}

BRINK_API int brink_batch_add_policy(brink_batch *b, const char *assign) {
  return add(b, &b->policies, assign, true);
}

BRINK_API int brink_batch_add_set(brink_batch *b, const char *assign) {
  return add(b, &b->sets, assign, true);
}

BRINK_API int brink_batch_add_var(brink_batch *b, const char *name) {
  return add(b, &b->vars, name, false);
}

static int in_batch_run(brink_batch *b) {
  batch_config c = {
      .path = b->path, .text = b->text, .len = b->len, .cfg = b->cfg,
      .seed = b->seed, .has_seed = b->has_seed, .runs = b->runs,
      .jobs = (int)b->jobs, .turns = (int)b->turns,
      .policies = (const char *const *)b->policies.v,
      .npolicies = (int)b->policies.n,
      .sets = (const char *const *)b->sets.v, .nsets = (int)b->sets.n,
      .vars = (const char *const *)b->vars.v, .nvars = (int)b->vars.n};
  if (b->text == NULL) return BRINK_EIO;   /* the message of open stays */
  free(b->summary);
  b->summary = NULL;
  b->err[0] = '\0';
  batch *run;
  int rc = batch_open(&run, &c, b->err, sizeof b->err);
  if (rc == BRINK_OK) rc = batch_run(run, 0, b->err, sizeof b->err);
  if (rc == BRINK_OK) {
    json_t *j = summary_json(&run->ms[0], &run->ts[0]);
    b->summary = j ? json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(15))
                   : NULL;
    json_decref(j);
    if (b->summary == NULL) rc = BRINK_ENOMEM;
  }
  batch_close(run);
  if (rc == BRINK_ENOMEM) say(b, rc, "out of memory");
  /* The statuses of brink_batch.h: what is not the host's fault or
     memory is the scenario's. */
  if (rc != BRINK_OK && rc != BRINK_ENOMEM && rc != BRINK_EINVAL)
    rc = BRINK_ESCRIPT;
  return rc;
}

static const char *in_batch_summary_json(const brink_batch *b) {
  return b->summary;
}

/* The public calls that format or parse numbers, or run commands, do it
   in the C locale whatever the host set (c_locale_enter). */

BRINK_API int brink_batch_run(brink_batch *b) {
  locale_t old = c_locale_enter();
  int rc = in_batch_run(b);
  c_locale_leave(old);
  return rc;
}

BRINK_API const char *brink_batch_summary_json(const brink_batch *b) {
  locale_t old = c_locale_enter();
  const char *rc = in_batch_summary_json(b);
  c_locale_leave(old);
  return rc;
}
