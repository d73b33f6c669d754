/* cli.h: what the subcommands of the brink command share. */
#ifndef BRINK_CLI_H
#define BRINK_CLI_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "batch.h"
#include "brink.h"
#include "session.h"

#define MAX_PAIRS 64
#define MAX_FILES 4096   /* brink merge: one part per shard */

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
  /* brink batch and brink merge */
  int64_t runs;                      /* 0: not given */
  int jobs;                          /* 0: one per online CPU */
  const char *vars[MAX_PAIRS];       /* --var NAME */
  int nvars;
  const char *sweeps[MAX_PAIRS];     /* "VAR=a,b,c" */
  int nsweeps;
  const char *csv, *out, *plot;
  int shard_k, shard_n;              /* --shard K/N; 0 when not given */
  const char *files[MAX_FILES];      /* every positional argument */
  int nfiles;
  /* brink play, and saves for run and play */
  const char *seats[MAX_PAIRS];      /* --seat ACTOR */
  int nseats;
  const char *save, *resume;         /* --save FILE, --resume SAVE */
  bool force;                        /* --force: a save of another text */
} options;

/* Prints "brink CMD: message" to stderr and returns 2 (a usage error). */
int usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/*
** Parses argv for 'cmd'.  'allowed' lists the long options the command
** takes ("--seed", ...); the pseudo-option "PART..." lets it take several
** files (o->files), else it takes exactly one (o->file).  Returns 0, 2 on a
** usage error (reported), or -1 when --help was asked (the caller prints
** its help).
*/
int parse_options(const char *cmd, int argc, char **argv,
                  const char *const *allowed, options *o);
/* Opens an engine and loads o->file; prints the diagnostics on failure. */
int open_scenario(const options *o, brink_engine **out);
/* Applies --policy and --set; prints the problem and returns 1 or 2. */
int apply_choices(const char *cmd, const options *o, brink_engine *e);
/*
** Writes each "VAR=VALUE" of 'sets' as --set does, after brink_start and
** with the cause "--set".  Prints the problem and returns 2 on a bad one.
*/
int apply_sets(const char *cmd, const char *const *sets, int nsets,
               brink_engine *e);

/* report.c: the after-action report from a model, by the path's
   extension (.md, else HTML). */
int report_write(const char *path, model *m, brink_engine *e, char *err,
                 size_t cap);

/* batch.c: "brink CMD: out of memory" on stderr, and 1. */
int out_of_memory(const char *cmd);
/* The summary as one line of JSON; 0, -1 when the write failed, or
   BRINK_ENOMEM. */
int print_summary_json(FILE *f, const bmeta *m, const btable *t);
/* plot.c: the fan charts and the outcome bars as one SVG file; 0, 1 when
   it could not be written (said), or BRINK_ENOMEM. */
int write_plot(const char *path, const bmeta *m, const btable *t);

int cmd_run(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_batch(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_play(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_doc(int argc, char **argv);

#endif
