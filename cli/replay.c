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


int cmd_replay(int argc, char **argv) {
  options o;
  int rc = parse_options("replay", argc, argv, &o);
  if (rc) return rc < 0 ? 0 : rc;
  /* The files --scenario names; the library adds the setup record's. */
  const char *const *scenarios = o.scenarios;
  int nscen = o.nscenarios;
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
