/*
** run.c: brink run.
**
** The timeline reaches the command through the engine's record callback:
** as JSON Lines (--json, --log) and as text for people.
*/
#include <stdlib.h>
#include <string.h>

#include "cli.h"

typedef struct printer {
  brink_engine *e;
  FILE *json;          /* stdout with --json, or the --log file */
  bool text, quiet;
  char *buf;
  size_t cap;
  double *start;       /* values at the start, for the closing table */
  int io_error;
  strlist *keep;       /* --save: every line, for the save's log */
  FILE *also;          /* the --log file too when --json prints */
} printer;

/* One line of the JSON Lines log: printed, and kept for --save. */
static void write_line(printer *p, const char *line) {
  if (p->keep && strlist_push(p->keep, line)) p->io_error = 1;
  if (p->json && fprintf(p->json, "%s\n", line) < 0) p->io_error = 1;
  if (p->also && fprintf(p->also, "%s\n", line) < 0) p->io_error = 1;
}

static void write_json(printer *p, const brink_record *r) {
  if (record_line(p->e, r, &p->buf, &p->cap) < 0) p->io_error = 1;
  else write_line(p, p->buf);
}

static void write_text(printer *p, const brink_record *r) {
  brink_engine *e = p->e;
  char date[16];
  brink_date_format(r->date, date, sizeof date);
  switch (r->kind) {
  case BRINK_REC_START: {
    const char *title = brink_scenario_field(e, "title");
    term_printf(stdout, "%s%s%s%s, seed %llu\n", *title ? title : r->id,
                *title ? " (" : "", *title ? r->id : "", *title ? ")" : "",
                (unsigned long long)r->seed);
    break;
  }
  case BRINK_REC_TURN: {
    int32_t y, m, d;
    brink_date_civil(r->date, &y, &m, &d);
    const char *unit = brink_scenario_field(e, "turn");
    if (strcmp(unit, "month") == 0 || !*unit)
      term_printf(stdout, "\n== Turn %d: %s %d\n", r->turn, month_abbr(m),
                  y);
    else
      term_printf(stdout, "\n== Turn %d: %s\n", r->turn, date);
    break;
  }
  case BRINK_REC_MOVE:
    if (r->move == 0 || p->quiet) break;   /* passes only in the log */
    term_printf(stdout, "  %-6s %s%s%s\n", brink_actor_id(e, r->actor),
                brink_move_name(e, r->move), r->target >= 0 ? " -> " : "",
                r->target >= 0 ? brink_actor_id(e, r->target) : "");
    break;
  case BRINK_REC_TRIGGER:
    term_printf(stdout, "  ! %s\n", r->id);
    break;
  case BRINK_REC_EVENT:
    term_printf(stdout, "  * %s\n", r->id);
    break;
  case BRINK_REC_NEWS:
    term_printf(stdout, "    %s\n", r->text);
    break;
  case BRINK_REC_ERROR:
    term_printf(stdout, "  ERROR %s%s%s%s%s\n", r->where,
                *r->where ? ": " : "", r->in,
                *r->in ? ": " : "", r->text);
    break;
  case BRINK_REC_END: {
    term_printf(stdout, "\nOutcome: %s, turn %d (%s)\n", r->id, r->turn, date);
    if (p->quiet) break;
    int n = brink_var_count(e), shown = 0;
    for (int v = 0; v < n; v++) {
      double now;
      brink_var_get(e, v, &now);
      if (now == p->start[v]) continue;
      if (shown++ == 0)
        term_printf(stdout, "\n  %-32s %12s %12s\n", "changed", "start",
                               "end");
      char a[64], b[64];
      brink_value_show(e, v, p->start[v], a, sizeof a);
      brink_var_show(e, v, b, sizeof b);
      term_printf(stdout, "  %-32s %12s %12s\n", brink_var_name(e, v), a, b);
    }
    break;
  }
  default:
    break;
  }
}

static void on_record(void *ud, const brink_record *r) {
  printer *p = ud;
  if (p->json || p->keep) write_json(p, r);
  if (p->text) write_text(p, r);
}

/*
** --resume: the save's policies, its log (printed, so the JSON Lines are
** the whole run's and brink replay can check them) and its state.
*/
static int resume(const options *o, brink_engine *e, printer *p, setup *su) {
  char err[600];
  loaded l;
  if (save_load(o->resume, e, o->force, &l, err, sizeof err)) {
    term_printf(stderr, "brink run: %s: %s (nothing was loaded)\n", o->resume,
                err);
    return 1;
  }
  int rc = 0;
  if (l.setup.seats.n) {
    term_printf(stderr, "brink run: %s was saved by brink play with seats; go "
                "on with brink play --resume %s\n", o->resume, o->resume);
    rc = 1;
  }
  for (size_t i = 0; rc == 0 && i < l.setup.policies.n; i++) {
    const char *s = l.setup.policies.v[i], *eq = strchr(s, '=');
    char actor[256];
    snprintf(actor, sizeof actor, "%.*s", eq ? (int)(eq - s) : 0, s);
    int a;
    if (eq == NULL || brink_actor_find(e, actor, &a) != BRINK_OK ||
        brink_policy_assign(e, a, eq + 1) != BRINK_OK) {
      term_printf(stderr, "brink run: %s: policy %s: %s\n", o->resume, s,
                  brink_errmsg(e));
      rc = 1;
    }
  }
  brink_turn_limit(e, l.setup.turns);
  /* The start values, for the closing table: a quiet start. */
  if (rc == 0 && brink_start(e, l.setup.seed) == BRINK_OK &&
      apply_sets("run", (const char *const *)l.setup.sets.v,
                 (int)l.setup.sets.n, e) != 0)
    rc = 1;
  for (int v = 0; rc == 0 && p->start && v < brink_var_count(e); v++)
    brink_var_get(e, v, &p->start[v]);
  strlist notes = {0};
  if (rc == 0 &&
      loaded_restore(e, &l, l.foreign, &notes, err, sizeof err) != 0) {
    term_printf(stderr, "brink run: %s: %s (nothing was loaded)\n", o->resume,
                err);
    rc = 1;
  }
  for (size_t i = 0; rc == 0 && i < notes.n; i++)
    term_printf(stderr, "brink run: %s: %s\n", o->resume, notes.v[i]);
  for (size_t i = 0; rc == 0 && i < l.log.n; i++) write_line(p, l.log.v[i]);
  if (rc == 0 && l.migrated_to) {
    /* Another text from here on: the log says which, and the world. */
    char *lines = resumed_lines(e, o->resume, &l);
    if (lines == NULL) {
      term_printf(stderr, "brink run: out of memory\n");
      rc = 1;
    }
    for (char *q = lines, *nl; q && *q; q = nl + 1) {
      nl = strchr(q, '\n');
      *nl = '\0';
      write_line(p, q);
    }
    free(lines);
    term_printf(stderr, "brink run: %s: migrated from version %d of the "
                "scenario to version %d\n", o->resume, l.version,
                l.migrated_to);
  }
  if (rc == 0 && p->text)
    term_printf(stdout, "Resumed from %s at turn %d\n", o->resume,
                brink_turn(e));
  strlist_free(&notes);
  if (rc == 0) {
    *su = l.setup;
    memset(&l.setup, 0, sizeof l.setup);
    free(su->file);
    su->file = strdup(o->file);
  }
  loaded_free(&l);
  return rc;
}

int cmd_run(int argc, char **argv) {
  options o;
  int rc = parse_options("run", argc, argv, &o);
  if (rc) return rc < 0 ? 0 : rc;
  if (o.resume && (o.has_seed || o.npolicies || o.nsets))
    return usage_error("run", "--resume takes the seed, policies and sets "
                       "from the save");
  if (o.resume && o.turns && !o.save)
    return usage_error("run", "with --resume, --turns N needs --save (stop "
                       "after turn N and save again)");
  if (o.force && !o.resume)
    return usage_error("run", "--force goes with --resume");
  char *save_file = NULL, err[600];
  if (o.resume && o.file == NULL) {
    if ((save_file = save_scenario_file(o.resume, err, sizeof err)) == NULL) {
      term_printf(stderr, "brink run: %s: %s (nothing was loaded)\n", o.resume,
                  err);
      return 1;
    }
    o.file = save_file;
  }
  brink_engine *e;
  if (open_scenario("run", &o, &e)) {
    free(save_file);
    return 1;
  }
  strlist keep = {0};
  setup su;
  memset(&su, 0, sizeof su);
  printer p = {e, NULL, !o.json, o.quiet, NULL, 0, NULL, 0,
               o.save ? &keep : NULL, NULL};
  /* --log is written whole at the end, atomically, like every output. */
  outfile logf;
  FILE *log = NULL;
  char why[512];
  if (o.log && (log = outfile_open(&logf, o.log, why, sizeof why)) == NULL) {
    term_printf(stderr, "brink run: cannot write %s: %s\n", o.log, why);
    brink_engine_close(e);
    free(save_file);
    return 1;
  }
  p.json = o.json ? stdout : log;
  if (o.json) p.also = log;
  int n = brink_var_count(e);
  p.start = calloc((size_t)(n ? n : 1), sizeof(double));
  /* --save with --turns N stops after turn N, unfinished: no turn limit. */
  int stop_after = o.save ? o.turns : 0;
  if (o.resume) {
    if ((rc = resume(&o, e, &p, &su)) != 0) goto done;
    brink_on_record(e, on_record, &p);
  } else {
    if ((rc = apply_choices("run", &o, e)) != 0) goto done;
    brink_turn_limit(e, stop_after ? 0 : o.turns);
    uint64_t seed = o.has_seed ? o.seed : brink_scenario_seed(e);
    if (setup_init(&su, e, o.file, seed) != 0) {
      rc = 1;
      goto done;
    }
    for (int i = 0; i < o.npolicies; i++)
      strlist_push(&su.policies, o.policies[i]);
    for (int i = 0; i < o.nsets; i++) strlist_push(&su.sets, o.sets[i]);
    su.turns = stop_after ? 0 : o.turns;
    brink_on_record(e, on_record, &p);
    rc = brink_start(e, seed);
    for (int v = 0; v < n && p.start; v++) brink_var_get(e, v, &p.start[v]);
    /* After the engine's start record, how the run was set up. */
    char *line = setup_line(&su);
    if (line == NULL) p.io_error = 1;
    else if (p.json || p.keep) write_line(&p, line);
    free(line);
    if (rc == BRINK_OK &&
        (rc = apply_sets("run", o.sets, o.nsets, e)) != 0)
      goto done;
  }
  if (stop_after) {
    while ((rc = brink_step(e)) == BRINK_OK && brink_turn(e) <= stop_after)
      continue;
  } else {
    rc = brink_run(e);
  }
  if (rc == BRINK_DONE || (stop_after && rc == BRINK_OK)) {
    rc = 0;
  } else {
    term_printf(stderr, "%s%s%s%s%s\n", brink_errwhere(e),
                *brink_errwhere(e) ? ": " : "", brink_errin(e),
                *brink_errin(e) ? ": " : "", brink_errmsg(e));
    brink_finish(e, "error");
    rc = 1;
  }
  if (o.save && save_write(o.save, e, &su, NULL, 0, &keep, err,
                           sizeof err) != 0) {
    term_printf(stderr, "brink run: cannot save to %s: %s\n", o.save, err);
    rc = 1;
  } else if (o.save && p.text) {
    term_printf(stdout, "\nSaved to %s at turn %d%s\n", o.save, brink_turn(e),
                brink_outcome(e) ? "" : " (brink run --resume goes on)");
  }
done:
  fflush(stdout);
  if (log && outfile_close(&logf, err, sizeof err) != 0) {
    term_printf(stderr, "brink run: cannot write %s: %s\n", o.log, err);
    if (rc == 0) rc = 1;
  }
  if (p.io_error) {
    term_printf(stderr, "brink run: could not write the log\n");
    if (rc == 0) rc = 1;
  }
  free(p.buf);
  free(p.start);
  brink_engine_close(e);
  strlist_free(&keep);
  setup_free(&su);
  free(save_file);
  return rc;
}
