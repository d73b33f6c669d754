/*
** exercise.c: what brink play and brink serve share before and after the
** table: the session opened from the command line (scenario, seats,
** policies, sets, or a save to resume), its --log written as it goes, and
** /report.
*/
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* --log: each line on disk as it is made, so a crash loses nothing; then
   whoever else listens. */
static void on_line(void *ud, const char *line) {
  exercise *x = ud;
  if (x->log && (fprintf(x->log, "%s\n", line) < 0 || fflush(x->log) != 0))
    x->log_failed = true;
  if (x->line_fn) x->line_fn(x->line_ud, line);
}

const char *exercise_report(void *ud, brink_session *s, const char *path) {
  static char err[600];
  (void)ud;
  model m;
  model_init(&m);
  for (size_t i = 0; i < brink_session_log_count(s); i++) {
    const char *line = brink_session_log_line(s, i);
    model_feed(&m, line, strlen(line));
  }
  model_finish(&m);
  int rc = report_write(path, &m, brink_session_engine(s), err, sizeof err);
  model_free(&m);
  return rc ? err : NULL;
}

/* Seats, policies, sets and the turn limit of the command line. */
static int set_up(const char *cmd, brink_session *s, const options *o) {
  for (int i = 0; i < o->nseats; i++) {
    int rc = brink_session_seat(s, o->seats[i]);
    if (rc == BRINK_EEXIST)   /* seats come before policies */
      return usage_error(cmd, "--seat %s: given twice", o->seats[i]);
    if (rc != BRINK_OK)
      return usage_error(cmd, "--seat %s: %s", o->seats[i],
                         brink_session_errmsg(s));
  }
  for (int i = 0; i < o->npolicies; i++) {
    const char *p = o->policies[i], *eq = strchr(p, '=');
    char actor[256];
    snprintf(actor, sizeof actor, "%.*s", (int)(eq - p), p);
    if (brink_session_policy(s, actor, eq + 1) != BRINK_OK)
      return usage_error(cmd, "--policy %s: %s", p, brink_session_errmsg(s));
  }
  for (int i = 0; i < o->nsets; i++) {
    const char *p = o->sets[i], *eq = strchr(p, '=');
    char var[256];
    snprintf(var, sizeof var, "%.*s", (int)(eq - p), p);
    if (brink_session_preset(s, var, eq + 1) != BRINK_OK)
      return usage_error(cmd, "--set %s: %s", p, brink_session_errmsg(s));
  }
  brink_session_turn_limit(s, o->turns);
  return 0;
}

int exercise_open(exercise *x, const char *cmd, options *o) {
  char err[600];
  if (o->resume) {
    if (o->has_seed || o->npolicies || o->nsets || o->nseats || o->turns)
      return usage_error(cmd, "--resume takes the seats, seed, policies, "
                         "sets and turns from the save");
    if (o->file == NULL) {
      x->save_file = save_scenario_file(o->resume, err, sizeof err);
      if (x->save_file == NULL) {
        term_printf(stderr, "brink %s: %s: %s (nothing was loaded)\n", cmd,
                    o->resume, err);
        return 1;
      }
      o->file = x->save_file;
    }
  } else if (o->force) {
    return usage_error(cmd, "--force goes with --resume");
  }
  if (brink_session_open(&x->s, &o->cfg) != BRINK_OK) {
    term_printf(stderr, "brink %s: out of memory\n", cmd);
    return 1;
  }
  brink_session_jobs(x->s, o->jobs);   /* checked by the parser */
  if (brink_session_load_file(x->s, o->file) != BRINK_OK) {
    print_load_errors(cmd, brink_session_engine(x->s));
    return 1;
  }
  int rc;
  if (!o->resume && (rc = set_up(cmd, x->s, o)) != 0) return rc;
  if (o->log && (x->log = growing_open(o->log, err, sizeof err)) == NULL) {
    term_printf(stderr, "brink %s: cannot write %s: %s\n", cmd, o->log, err);
    return 1;
  }
  brink_session_on_line(x->s, on_line, x);
  if (x->say_fn) brink_session_on_say(x->s, x->say_fn, x->say_ud);
  brink_session_on_report(x->s, exercise_report, NULL);
  if (o->resume) {
    if (brink_session_resume_file(x->s, o->resume, o->force) != BRINK_OK) {
      term_printf(stderr, "brink %s: %s: %s (nothing was loaded)\n", cmd,
                  o->resume, brink_session_errmsg(x->s));
      return 1;
    }
    return 0;
  }
  uint64_t seed = o->has_seed ? o->seed
                              : brink_scenario_seed(brink_session_engine(x->s));
  rc = brink_session_start(x->s, seed);
  if (rc == BRINK_EINVAL)
    return usage_error(cmd, "%s", brink_session_errmsg(x->s));
  if (rc != BRINK_OK) {
    term_printf(stdout, "%s\n", brink_session_errmsg(x->s));
    return 1;
  }
  return 0;
}

int exercise_close(exercise *x, const char *cmd, int rc) {
  fflush(stdout);
  if (x->log && fclose(x->log) != 0) x->log_failed = true;
  if (x->log_failed) {
    term_printf(stderr, "brink %s: could not write the log\n", cmd);
    if (rc == 0) rc = 1;
  }
  brink_session_close(x->s);
  free(x->save_file);
  memset(x, 0, sizeof *x);
  return rc;
}
