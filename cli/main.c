/*
** main.c: the brink command.  A client of brink.h and nothing else.
*/
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char *const help =
    "brink " BRINK_VERSION ": turn-based crisis and diplomacy scenarios\n"
    "\n"
    "usage: brink COMMAND [options]\n"
    "\n"
    "commands:\n"
    "  run FILE     play a scenario to its end; a dated timeline, or JSON "
    "Lines\n"
    "  check FILE   load and validate a scenario without running it\n"
    "  batch FILE   many seeded runs: outcome frequencies, distributions\n"
    "  merge PART.. combine the parts of a sharded batch into its summary\n"
    "  play FILE    a tabletop exercise: seats, AI, a facilitator's console\n"
    "  replay LOG   re-run a JSON Lines log and check it is reproduced\n"
    "  report LOG   the after-action report of a log or save (HTML, .md)\n"
    "  doc FILE     a player's briefing (Markdown) from the scenario\n"
    "\n"
    "  brink COMMAND --help describes each command's options.\n"
    "  brink --version prints the version.\n"
    "\n"
    "exit status: 0 success, 1 scenario error, 2 usage error\n";

int main(int argc, char **argv) {
  if (argc < 2) {
    fputs(help, stderr);
    return 2;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
      strcmp(cmd, "help") == 0) {
    fputs(help, stdout);
    return 0;
  }
  if (strcmp(cmd, "--version") == 0) {
    term_printf(stdout, "brink %s\n", brink_version());
    return 0;
  }
  if (strcmp(cmd, "run") == 0) return cmd_run(argc - 1, argv + 1);
  if (strcmp(cmd, "check") == 0) return cmd_check(argc - 1, argv + 1);
  if (strcmp(cmd, "batch") == 0) return cmd_batch(argc - 1, argv + 1);
  if (strcmp(cmd, "merge") == 0) return cmd_merge(argc - 1, argv + 1);
  if (strcmp(cmd, "play") == 0) return cmd_play(argc - 1, argv + 1);
  if (strcmp(cmd, "replay") == 0) return cmd_replay(argc - 1, argv + 1);
  if (strcmp(cmd, "report") == 0) return cmd_report(argc - 1, argv + 1);
  if (strcmp(cmd, "doc") == 0) return cmd_doc(argc - 1, argv + 1);
  return usage_error("", "unknown command '%s' (try brink --help)", cmd);
}
