/*
** replay.c: brink replay LOG, which re-runs a log and checks that every line
** of it comes out again, byte for byte (the library's replay_verify).
**
** The setup record says how the run began; the log's own move records of
** seated actors and its intervention records are fed back at the points
** they occurred, through the same session code brink play runs, and each
** line the replay makes is compared with the log's line at that place.  A
** log is untrusted: its lines are parsed with jansson, only known fields
** are read, a command is one of the facilitator's commands or nothing, and
** the first line that differs (or cannot be read) is named.
*/
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char *const replay_help =
    "usage: brink replay LOG [--scenario FILE]... [options]\n"
    "\n"
    "Re-runs a JSON Lines log written by brink run or brink play (--json,\n"
    "--log) from its setup record, feeding the seats' choices and the\n"
    "facilitator's interventions back where they occurred, and compares\n"
    "every line it makes with the log.  The scenario is the file the setup\n"
    "record names, and it must have the same text (SHA-256) as then.\n"
    "\n"
    "  --scenario FILE       the scenario's text, if it moved or changed\n"
    "                        since (repeatable: a session that used /reload\n"
    "                        needs each text it loaded)\n"
    "  --max-instructions N, --max-memory SIZE, --max-seconds S\n"
    "                        the budgets the log was made with, if not the\n"
    "                        defaults\n"
    "\n"
    "exit status: 0 every line reproduced; 1 a line differs (named, with\n"
    "both versions), the log is damaged, or the scenario is not the same;\n"
    "2 usage error\n";

static const char *const replay_options[] = {
    "--scenario", "--max-instructions", "--max-memory", "--max-seconds",
    NULL};

int cmd_replay(int argc, char **argv) {
  if (argc < 2) return usage_error("replay", "which log? (brink replay LOG)");
  options o;
  int rc = parse_options("replay", argc, argv, replay_options, &o);
  if (rc < 0) {
    fputs(replay_help, stdout);
    return 0;
  }
  if (rc) return rc;
  /* parse_options keeps one positional argument; --scenario repeats. */
  const char *scenarios[MAX_PAIRS + 1];
  int nscen = 0;
  for (int i = 1; i < argc; i++) {
    const char *v = NULL;
    if (strcmp(argv[i], "--scenario") == 0 && i + 1 < argc) v = argv[++i];
    else if (strncmp(argv[i], "--scenario=", 11) == 0) v = argv[i] + 11;
    if (v && nscen < MAX_PAIRS) scenarios[nscen++] = v;
    else if (v) return usage_error("replay", "too many --scenario options");
  }
  size_t len;
  char *text = read_file(o.file, &len);
  if (text == NULL) {
    term_printf(stderr, "brink replay: %s: cannot read it: %s\n", o.file,
                strerror(errno));
    return 1;
  }
  replay_report r;
  rc = replay_verify(text, len, scenarios, nscen, &o.cfg, &r);
  free(text);
  if (rc && r.message == NULL) {
    term_printf(stderr, "brink replay: out of memory\n");
    replay_report_free(&r);
    return 1;
  }
  if (rc == 0) {
    term_printf(stdout, "%s: all %zu lines reproduced\n", o.file, r.nlines);
  } else if (r.line == 0) {
    term_printf(stderr, "brink replay: %s: %s\n", o.file, r.message);
  } else {
    term_printf(stderr, "brink replay: %s:%zu: %s\n", o.file, r.line,
                r.message);
    if (strcmp(r.message, "differs") == 0) {
      term_printf(stderr, "  log:    %s\n",
                  r.log_line ? r.log_line : "(the log has ended)");
      if (r.got) term_printf(stderr, "  replay: %s\n", r.got);
      if (r.why) term_printf(stderr, "  (%s)\n", r.why);
    }
  }
  replay_report_free(&r);
  return rc;
}
