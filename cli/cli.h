/* cli.h: what the subcommands of the brink command share. */
#ifndef BRINK_CLI_H
#define BRINK_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "brink.h"

#define MAX_PAIRS 64

/* Options common to the commands that load and run a scenario. */
typedef struct options {
  const char *file;
  uint64_t seed;
  bool has_seed;
  int turns;
  const char *policies[MAX_PAIRS];   /* "ACTOR=NAME" */
  int npolicies;
  const char *sets[MAX_PAIRS];       /* "VAR=VALUE" */
  int nsets;
  bool json, quiet, no_cache;
  const char *log;
  brink_config cfg;
} options;

/* Prints "brink CMD: message" to stderr and returns 2 (a usage error). */
int usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/*
** Parses argv for 'cmd'.  'allowed' lists the long options the command
** takes ("--seed", ...).  Returns 0, 2 on a usage error (reported), or -1
** when --help was asked (the caller prints its help).
*/
int parse_options(const char *cmd, int argc, char **argv,
                  const char *const *allowed, options *o);
/* Opens an engine and loads o->file; prints the diagnostics on failure. */
int open_scenario(const options *o, brink_engine **out);
/* Applies --policy and --set; prints the problem and returns 1 or 2. */
int apply_choices(const char *cmd, const options *o, brink_engine *e);

int cmd_run(int argc, char **argv);
int cmd_check(int argc, char **argv);

#endif
