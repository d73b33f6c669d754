/* cli.h: what the subcommands of the brink command share. */
#ifndef BRINK_CLI_H
#define BRINK_CLI_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "batch.h"
#include "brink.h"
#include "brink_session.h"
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
  int64_t runs;                      /* 0: not given (check: none) */
  int jobs;                          /* 0: one per online CPU */
  const char *vars[MAX_PAIRS];       /* --var NAME */
  int nvars;
  const char *sweeps[MAX_PAIRS];     /* "VAR=a,b,c" */
  int nsweeps;
  const char *csv, *out, *plot;
  int shard_k, shard_n;              /* --shard K/N; 0 when not given */
  const char *from;                  /* --from SAVE: continuations */
  const char *files[MAX_FILES];      /* every positional argument */
  int nfiles;
  /* brink play, and saves for run and play */
  const char *seats[MAX_PAIRS];      /* --seat ACTOR */
  int nseats;
  const char *save, *resume;         /* --save FILE, --resume SAVE */
  bool force;                        /* --force: a save of another text */
  /* brink replay and brink report */
  const char *scenarios[MAX_PAIRS];  /* --scenario FILE */
  int nscenarios;
  /* brink serve */
  int port;                          /* -1: not given */
  const char *listen, *host;
} options;

/*
** exercise.c: a session opened from the command line for brink play and
** brink serve.  Set say_fn (and line_fn, to hear each log line after it is
** on disk) before exercise_open; it returns 0, 1 (reported) or 2 (a usage
** error, reported).  exercise_close frees everything, says whether the log
** was written whole, and returns 'rc' or 1 if it was not.
*/
typedef struct exercise {
  brink_session *s;
  FILE *log;
  bool log_failed;
  char *save_file;           /* the scenario a save names */
  brink_text_fn say_fn, line_fn;
  void *say_ud, *line_ud;
} exercise;

int exercise_open(exercise *x, const char *cmd, options *o);
int exercise_close(exercise *x, const char *cmd, int rc);
/* /report: the after-action report of the session's log so far. */
const char *exercise_report(void *ud, brink_session *s, const char *path);

/* Prints "brink CMD: message" to stderr and returns 2 (a usage error). */
int usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* commands.c: the table of commands and options ------------------------- */

enum option_id {
  OPT_END,   /* ends a command's rows */
  OPT_SEED, OPT_TURNS, OPT_POLICY, OPT_SET, OPT_JSON, OPT_LOG, OPT_QUIET,
  OPT_MAX_INSTRUCTIONS, OPT_MAX_MEMORY, OPT_MAX_SECONDS, OPT_NO_CACHE,
  OPT_SAVE, OPT_RESUME, OPT_FORCE, OPT_SEAT, OPT_RUNS, OPT_JOBS, OPT_VAR,
  OPT_CSV, OPT_SWEEP, OPT_SHARD, OPT_OUT, OPT_PLOT, OPT_SCENARIO,
  OPT_PORT, OPT_LISTEN, OPT_HOST, OPT_CHECK_RUNS, OPT_FROM,
  OPT_COUNT
};

/* What an option's value is, which says how the parser checks it. */
typedef enum arg_kind {
  ARG_FLAG,      /* no value */
  ARG_TEXT,      /* any text: a file, an actor, a variable */
  ARG_WHOLE,     /* a whole number from 'lo' to 'hi' */
  ARG_PAIR,      /* NAME=VALUE, neither empty */
  ARG_SIZE,      /* bytes: "64M", "1G", "100000" */
  ARG_SECONDS,   /* a positive number of seconds, at most 10^6 */
  ARG_SHARD      /* K/N with 1 <= K <= N <= 'hi' */
} arg_kind;

typedef struct optdef {
  const char *name;      /* "--seed" */
  arg_kind kind;
  uint64_t lo, hi;
  const char *takes;     /* "--seed takes <this>, not '...'" */
} optdef;

extern const optdef optdefs[OPT_COUNT];

/* An option as one command takes it and its help describes it. */
typedef struct optrow {
  int opt;               /* OPT_*; OPT_END ends the rows */
  const char *arg;       /* the value's name in the help, NULL for a flag */
  const char *help;      /* NULL: on one line with the next row's help */
  const char *alias;     /* a short form ("-o"), or NULL */
} optrow;

typedef struct command {
  const char *name;
  const char *synopsis;     /* after the name in brink --help */
  const char *summary;      /* one line for brink --help */
  const char *usage[3];     /* each after "usage: brink NAME " */
  const char *about;        /* paragraphs, each line ending in a newline */
  const optrow *rows;
  int width;                /* of the option column in the help */
  const char *notes;        /* after the options, or NULL */
  const char *exit_status;
  int max_files;            /* positional arguments: 1, or MAX_FILES */
  const char *which;        /* the usage error when none is given */
  const char *only_one;     /* ... and when one too many is */
  int (*run)(int argc, char **argv);
} command;

/* The command called 'name', or NULL. */
const command *command_find(const char *name);
/* The help of one command (brink CMD --help), and brink --help's. */
void command_help(const command *c, FILE *f);
void commands_help(FILE *f);

/*
** Parses argv for the command 'cmd' by its rows in the table: "--" ends
** the options, "--name=value" and "--name value" both work.  Returns 0, 2
** on a usage error (reported), or -1 when --help was asked and printed
** (the command then exits 0).
*/
int parse_options(const char *cmd, int argc, char **argv, options *o);
/* Prints why a scenario did not load: its diagnostics, one a line, or
   "brink CMD: message" when it has none (a file that cannot be read). */
void print_load_errors(const char *cmd, const brink_engine *e);
/* Opens an engine and loads o->file; prints the diagnostics on failure,
   as brink CMD. */
int open_scenario(const char *cmd, const options *o, brink_engine **out);
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
/* report_html.c and report_md.c: the facts (report.h) rendered. */
struct report_facts;
void report_html(FILE *f, const struct report_facts *r);
void report_md(FILE *f, const struct report_facts *r);
/* "back" or "forward": where a jump of the line of play (an /undo, a
   branch point, a /load) went from the turn it was made in. */
const char *rewind_way(const struct entry *e);
/* One variable's chart by turn, inline SVG (its classes styled by the
   page: grid, yl, xl, mark, line, dot). */
void report_chart(FILE *o, const struct report_facts *r,
                  const struct var_series *s);

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
int cmd_test(int argc, char **argv);
int cmd_batch(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_play(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_doc(int argc, char **argv);
int cmd_serve(int argc, char **argv);

#endif
