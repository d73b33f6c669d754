/*
** run.c: brink run, and brink check.
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
} printer;

static void write_json(printer *p, const brink_record *r) {
  int n = brink_record_json(p->e, r, p->buf, p->cap);
  if (n >= 0 && (size_t)n >= p->cap) {
    size_t cap = (size_t)n + 1;
    char *bigger = realloc(p->buf, cap);
    if (bigger == NULL) {
      p->io_error = 1;
      return;
    }
    p->buf = bigger;
    p->cap = cap;
    n = brink_record_json(p->e, r, p->buf, p->cap);
  }
  if (n < 0 || fprintf(p->json, "%s\n", p->buf) < 0) p->io_error = 1;
}

static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May",
                                     "Jun", "Jul", "Aug", "Sep", "Oct",
                                     "Nov", "Dec"};

static void write_text(printer *p, const brink_record *r) {
  brink_engine *e = p->e;
  char date[16];
  brink_date_format(r->date, date, sizeof date);
  switch (r->kind) {
  case BRINK_REC_START: {
    const char *title = brink_scenario_field(e, "title");
    printf("%s%s%s%s, seed %llu\n", *title ? title : r->id,
           *title ? " (" : "", *title ? r->id : "", *title ? ")" : "",
           (unsigned long long)r->seed);
    break;
  }
  case BRINK_REC_TURN: {
    int32_t y, m, d;
    brink_date_civil(r->date, &y, &m, &d);
    const char *unit = brink_scenario_field(e, "turn");
    if (strcmp(unit, "month") == 0 || !*unit)
      printf("\n== Turn %d: %s %d\n", r->turn, months[m - 1], y);
    else
      printf("\n== Turn %d: %s\n", r->turn, date);
    break;
  }
  case BRINK_REC_MOVE:
    if (r->move == 0 || p->quiet) break;   /* passes only in the log */
    printf("  %-6s %s%s%s\n", brink_actor_id(e, r->actor),
           brink_move_name(e, r->move), r->target >= 0 ? " -> " : "",
           r->target >= 0 ? brink_actor_id(e, r->target) : "");
    break;
  case BRINK_REC_TRIGGER:
    printf("  ! %s\n", r->id);
    break;
  case BRINK_REC_EVENT:
    printf("  * %s\n", r->id);
    break;
  case BRINK_REC_NEWS:
    printf("    %s\n", r->text);
    break;
  case BRINK_REC_ERROR:
    printf("  ERROR %s%s%s%s%s\n", r->where, *r->where ? ": " : "", r->in,
           *r->in ? ": " : "", r->text);
    break;
  case BRINK_REC_END: {
    printf("\nOutcome: %s, turn %d (%s)\n", r->id, r->turn, date);
    if (p->quiet) break;
    int n = brink_var_count(e), shown = 0;
    for (int v = 0; v < n; v++) {
      double now;
      brink_var_get(e, v, &now);
      if (now == p->start[v]) continue;
      if (shown++ == 0) printf("\n  %-32s %12s %12s\n", "changed", "start",
                               "end");
      char a[64], b[64];
      brink_value_format(e, v, p->start[v], a, sizeof a);
      brink_var_format(e, v, b, sizeof b);
      printf("  %-32s %12s %12s\n", brink_var_name(e, v), a, b);
    }
    break;
  }
  default:
    break;
  }
}

static void on_record(void *ud, const brink_record *r) {
  printer *p = ud;
  if (p->json) write_json(p, r);
  if (p->text) write_text(p, r);
}

static const char *const run_options[] = {
    "--seed", "--turns", "--policy", "--set", "--json", "--log", "--quiet",
    "--max-instructions", "--max-memory", "--max-seconds", "--no-cache",
    NULL};

static const char *const run_help =
    "usage: brink run FILE [options]\n"
    "\n"
    "Plays the scenario to its end: seated actors are not asked, every actor\n"
    "plays by the built-in AI or a named policy.  Prints a dated timeline.\n"
    "\n"
    "  --seed N              seed of the generator (default: the scenario's)\n"
    "  --turns N             stop after N turns (the default outcome)\n"
    "  --policy ACTOR=NAME   ACTOR plays by the scenario's policy NAME\n"
    "  --set VAR=VALUE       start with VAR at VALUE (checked like a write)\n"
    "  --json                print JSON Lines instead of the timeline\n"
    "  --log FILE            also write the JSON Lines to FILE\n"
    "  --quiet               the timeline without moves and the final table\n"
    "  --max-instructions N  per call into the script (default 100000000)\n"
    "  --max-memory SIZE     for the script state, e.g. 64M (default 256M)\n"
    "  --max-seconds S       wall-clock limit per call (default 10)\n"
    "  --no-cache            re-evaluate every condition (checks the cache)\n"
    "\n"
    "exit status: 0 the scenario ended, 1 scenario error, 2 usage error\n";

static int apply_sets(const options *o, brink_engine *e) {
  brink_cause_set(e, "--set");
  for (int i = 0; i < o->nsets; i++) {
    const char *s = o->sets[i], *eq = strchr(s, '=');
    char name[256];
    snprintf(name, sizeof name, "%.*s", (int)(eq - s), s);
    int var;
    if (brink_var_find(e, name, &var) != BRINK_OK ||
        brink_var_set_text(e, var, eq + 1) != BRINK_OK)
      return usage_error("run", "--set %s: %s", s, brink_errmsg(e));
  }
  brink_cause_set(e, "host");
  return 0;
}

int cmd_run(int argc, char **argv) {
  options o;
  int rc = parse_options("run", argc, argv, run_options, &o);
  if (rc < 0) {
    fputs(run_help, stdout);
    return 0;
  }
  if (rc) return rc;
  brink_engine *e;
  if (open_scenario(&o, &e)) return 1;
  printer p = {e, NULL, !o.json, o.quiet, NULL, 0, NULL, 0};
  FILE *log = NULL;
  if (o.log && (log = fopen(o.log, "w")) == NULL) {
    fprintf(stderr, "brink run: cannot write %s\n", o.log);
    brink_engine_close(e);
    return 1;
  }
  p.json = o.json ? stdout : log;
  if ((rc = apply_choices("run", &o, e)) != 0) goto done;
  brink_turn_limit(e, o.turns);
  int n = brink_var_count(e);
  p.start = calloc((size_t)(n ? n : 1), sizeof(double));
  brink_on_record(e, on_record, &p);
  rc = brink_start(e, o.has_seed ? o.seed : brink_scenario_seed(e));
  for (int v = 0; v < n && p.start; v++) brink_var_get(e, v, &p.start[v]);
  if (rc == BRINK_OK && (rc = apply_sets(&o, e)) != 0) goto done;
  rc = brink_run(e);
  if (rc == BRINK_DONE) {
    rc = 0;
  } else {
    fprintf(stderr, "%s%s%s%s%s\n", brink_errwhere(e),
            *brink_errwhere(e) ? ": " : "", brink_errin(e),
            *brink_errin(e) ? ": " : "", brink_errmsg(e));
    brink_finish(e, "error");
    rc = 1;
  }
done:
  fflush(stdout);
  if (log && fclose(log) != 0) p.io_error = 1;
  if (p.io_error) {
    fprintf(stderr, "brink run: could not write the log\n");
    if (rc == 0) rc = 1;
  }
  free(p.buf);
  free(p.start);
  brink_engine_close(e);
  return rc;
}

static const char *const check_options[] = {
    "--max-instructions", "--max-memory", "--max-seconds", NULL};

int cmd_check(int argc, char **argv) {
  options o;
  int rc = parse_options("check", argc, argv, check_options, &o);
  if (rc < 0) {
    fputs("usage: brink check FILE\n\n"
          "Loads and validates a scenario without running it: syntax, names,\n"
          "actors, bounds, enum values, dates, outcomes and policies.  Prints\n"
          "each finding as file:line: message.\n\n"
          "exit status: 0 valid, 1 findings, 2 usage error\n", stdout);
    return 0;
  }
  if (rc) return rc;
  brink_engine *e;
  if (open_scenario(&o, &e)) return 1;
  printf("%s: ok (%d actors, %d variables, %d moves, %d turns)\n", o.file,
         brink_actor_count(e), brink_var_count(e), brink_move_count(e) - 1,
         brink_turn_count(e));
  brink_engine_close(e);
  return 0;
}
