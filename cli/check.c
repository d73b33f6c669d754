/*
** check.c: brink check, the static check of a scenario and, with --runs
** N, a smoke test: N runs on the library's batch engine (every core, the
** same findings whatever --jobs is) and what they did not do.
*/
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* The batch engine's failure, as brink check says it; 1. */
static int failed(int rc, const char *err) {
  if (rc == BRINK_ENOMEM) return out_of_memory("check");
  term_printf(stderr, "brink check: %s\n", err);
  return 1;
}

/*
** Plays o->runs runs and prints their findings (stderr) and a line
** that sums them up (stdout); 0, or 1 when a run ended in an error or
** the runs could not be played.
*/
static int smoke_test(const options *o) {
  size_t len;
  char *text = read_file(o->file, &len);
  if (text == NULL) {
    term_printf(stderr, "brink check: cannot read %s\n", o->file);
    return 1;
  }
  batch_config c = {.path = o->file, .text = text, .len = len,
                    .cfg = o->cfg, .seed = o->seed, .has_seed = o->has_seed,
                    .runs = o->runs, .jobs = o->jobs};
  static char err[65536];   /* every diagnostic of a scenario that fails */
  batch *b;
  int rc = batch_open(&b, &c, err, sizeof err);
  if (rc != 0) {
    free(text);
    return failed(rc, err);
  }
  smoke s;
  if ((rc = batch_run(b, 0, err, sizeof err)) != 0 ||
      (rc = smoke_findings(b, &b->ts[0], &s)) != 0) {
    batch_close(b);
    free(text);
    return failed(rc, err);
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
  rc = s.error_runs ? 1 : 0;
  smoke_free(&s);
  batch_close(b);
  free(text);
  return rc;
}

int cmd_check(int argc, char **argv) {
  options o;
  int rc = parse_options("check", argc, argv, &o);
  if (rc) return rc < 0 ? 0 : rc;
  if (o.runs == 0 && (o.has_seed || o.jobs))
    return usage_error("check", "--seed and --jobs go with --runs N");
  brink_engine *e;
  if (open_scenario("check", &o, &e)) return 1;
  for (int i = 0; i < brink_diag_count(e); i++)   /* warnings only, now */
    term_printf(stderr, "%s\n", brink_diag_get(e, i));
  term_printf(stdout, "%s: ok (%d actors, %d variables, %d moves, %d "
              "turns)\n", o.file,
              brink_actor_count(e), brink_var_count(e), brink_move_count(e) - 1,
              brink_turn_count(e));
  brink_engine_close(e);
  return o.runs ? smoke_test(&o) : 0;
}
