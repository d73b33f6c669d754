/*
** check.c: brink check, the static check of a scenario and, with --runs
** N, a smoke test: N runs on the library's batch engine (every core, the
** same findings whatever --jobs is) and what they did not do; then the
** scenario's expectations judged over the runs (session/expect.c).
** brink test is brink check with --runs 1000 unless told.
*/
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "expect.h"

/*
** Plays setup k of the expectations (with smoke findings for setup 0, the
** scenario as it is): o->runs runs with the expectations' hooks.  0, or
** 1 after saying why.
*/
static int play_setup(const options *o, const char *cmd, const char *text,
                      size_t len, expect_check *x, int k, int *error_runs) {
  batch_config c = {.path = o->file, .text = text, .len = len,
                    .cfg = o->cfg, .seed = o->seed, .has_seed = o->has_seed,
                    .runs = o->runs, .jobs = o->jobs, .coverage = true};
  if (x) expect_config(x, k, &c);
  static char err[65536];   /* every diagnostic of a scenario that fails */
  batch *b;
  int rc = batch_open(&b, &c, err, sizeof err);
  if (rc != 0) {
    if (rc == BRINK_ENOMEM) return out_of_memory(cmd);
    if (k > 0)
      term_printf(stderr, "brink %s: the setup of an expectation: %s\n", cmd,
                  err);
    else
      term_printf(stderr, "brink %s: %s\n", cmd, err);
    return 1;
  }
  smoke s;
  if ((x && (rc = expect_attach(x, k, b)) != 0) ||
      (rc = batch_run(b, 0, err, sizeof err)) != 0 ||
      (k == 0 && (rc = smoke_findings(b, &b->ts[0], &s)) != 0)) {
    batch_close(b);
    if (rc == BRINK_ENOMEM) return out_of_memory(cmd);
    term_printf(stderr, "brink %s: %s\n", cmd, err);
    return 1;
  }
  if (k > 0) {
    batch_close(b);
    return 0;
  }
  fflush(stdout);
  for (size_t i = 0; i < s.lines.n; i++)
    term_printf(stderr, "%s\n", s.lines.v[i]);
  const bmeta *m = &b->ms[0];
  char errors[96] = "no runtime errors";
  if (s.error_runs)
    snprintf(errors, sizeof errors, "%d error%s in %" PRId64 " run%s",
             s.errors, s.errors == 1 ? "" : "s", s.error_runs,
             s.error_runs == 1 ? "" : "s");
  term_printf(stdout, "%s: %" PRId64 " run%s (seeds %" PRIu64 " to %" PRIu64
              "): %s, %d warning%s\n", o->file, m->runs,
              m->runs == 1 ? "" : "s", m->seed,
              m->seed + (uint64_t)(m->runs - 1), errors, s.warnings,
              s.warnings == 1 ? "" : "s");
  *error_runs = s.error_runs ? 1 : 0;
  smoke_free(&s);
  batch_close(b);
  return 0;
}

/* Each expectation's line (or JSON object), in declaration order, after
   the errors its functions raised; 1 when one fails for sure. */
static int print_expectations(const options *o, const char *cmd,
                              expect_check *x) {
  const expect_result *res;
  int n;
  if (expect_results(x, &res, &n) != 0) return out_of_memory(cmd);
  int rc = 0;
  fflush(stdout);
  for (int i = 0; i < n; i++)
    if (res[i].error) term_printf(stderr, "%s\n", res[i].error);
  for (int i = 0; i < n; i++) {
    if (res[i].fails) rc = 1;
    if (o->json) {
      json_t *j = expect_json(&res[i]);
      char *line = j ? json_text(j, JSON_COMPACT | JSON_ENSURE_ASCII)
                     : NULL;
      json_decref(j);
      if (line == NULL) return out_of_memory(cmd);
      printf("%s\n", line);
      free(line);
    } else {
      char line[2048];
      expect_line(&res[i], line, sizeof line);
      term_printf(stdout, "%s\n", line);
    }
  }
  return rc;
}

/*
** Plays o->runs runs and prints their findings (stderr) and a line that
** sums them up (stdout), then, with expectations, plays each other setup
** and judges them; 0, or 1 when a run ended in an error, an expectation
** fails or the runs could not be played.
*/
static int smoke_test(const options *o, const char *cmd,
                      const brink_engine *e) {
  size_t len;
  char *text = read_file(o->file, &len);
  if (text == NULL) {
    term_printf(stderr, "brink %s: cannot read %s\n", cmd, o->file);
    return 1;
  }
  expect_check *x = NULL;
  if (expect_count(e) > 0 && expect_open(&x, e, o->runs) != 0) {
    expect_close(x);
    free(text);
    return out_of_memory(cmd);
  }
  int error_runs = 0, rc = 0;
  int nsetups = x ? expect_setups(x) : 1;
  for (int k = 0; rc == 0 && k < nsetups; k++)
    rc = play_setup(o, cmd, text, len, x, k, &error_runs);
  if (rc == 0 && x) rc = print_expectations(o, cmd, x);
  expect_close(x);
  free(text);
  return rc ? rc : error_runs;
}

/* brink check, and brink test: the same with --runs 1000 by default. */
static int check(const char *cmd, int argc, char **argv) {
  options o;
  int rc = parse_options(cmd, argc, argv, &o);
  if (rc) return rc < 0 ? 0 : rc;
  if (strcmp(cmd, "test") == 0 && o.runs == 0) o.runs = 1000;
  if (o.runs == 0 && (o.has_seed || o.jobs))
    return usage_error(cmd, "--seed and --jobs go with --runs N");
  brink_engine *e;
  if (open_scenario(cmd, &o, &e)) return 1;
  for (int i = 0; i < brink_diag_count(e); i++)   /* warnings only, now */
    term_printf(stderr, "%s\n", brink_diag_get(e, i));
  int nexp = expect_count(e);
  char expectations[64] = "";
  if (nexp)
    snprintf(expectations, sizeof expectations, ", %d expectation%s", nexp,
             nexp == 1 ? "" : "s");
  term_printf(stdout, "%s: ok (%d actors, %d variables, %d moves, %d "
              "turns%s)\n", o.file,
              brink_actor_count(e), brink_var_count(e), brink_move_count(e) - 1,
              brink_turn_count(e), expectations);
  rc = o.runs ? smoke_test(&o, cmd, e) : 0;
  brink_engine_close(e);
  return rc;
}

int cmd_check(int argc, char **argv) { return check("check", argc, argv); }

int cmd_test(int argc, char **argv) { return check("test", argc, argv); }
