/*
** main.c: the brink command.  A client of brink.h and nothing else.
*/
#include <stdio.h>
#include <string.h>

#include "cli.h"

int main(int argc, char **argv) {
  if (argc < 2) {
    commands_help(stderr);
    return 2;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "help") == 0 && argc > 2) {
    const command *c = command_find(argv[2]);
    if (c == NULL)
      return usage_error("help", "unknown command '%s' (try brink --help)",
                         argv[2]);
    command_help(c, stdout);
    return 0;
  }
  if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
      strcmp(cmd, "help") == 0) {
    commands_help(stdout);
    return 0;
  }
  if (strcmp(cmd, "--version") == 0) {
    term_printf(stdout, "brink %s\n", brink_version());
    return 0;
  }
  const command *c = command_find(cmd);
  if (c) return c->run(argc - 1, argv + 1);
  return usage_error("", "unknown command '%s' (try brink --help)", cmd);
}
