/* cli.h: what the subcommands of the brink command share. */
#ifndef BRINK_CLI_H
#define BRINK_CLI_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "brink.h"

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
/* The same from the file's bytes, read once by the caller ('path' names
   the chunk in messages and finds imports, as brink_load_file does). */
int open_scenario_text(const options *o, const char *path, const char *text,
                       size_t len, brink_engine **out);
/* Applies --policy and --set; prints the problem and returns 1 or 2. */
int apply_choices(const char *cmd, const options *o, brink_engine *e);
/*
** Writes each "VAR=VALUE" of 'sets' as --set does, after brink_start and
** with the cause "--set".  Prints the problem and returns 2 on a bad one.
*/
int apply_sets(const char *cmd, const char *const *sets, int nsets,
               brink_engine *e);

/* The JSON text of a timeline record into *buf (grown as needed); its
   length, or -1 when out of memory. */
int record_line(brink_engine *e, const brink_record *r, char **buf,
                size_t *cap);

/*
** Writes 'len' bytes to 'path' so that it holds the old contents or the
** new, never half: a temporary file in the same folder, fsync, rename,
** then the folder synced.  On failure 'err' says why and nothing is left.
*/
int write_atomic(const char *path, const char *text, size_t len, char *err,
                 size_t cap);

/* A growable string; 'bad' once out of memory, when it stops growing. */
typedef struct sbuf {
  char *s;
  size_t n, cap;
  bool bad;
} sbuf;

void sb_put(sbuf *b, const char *s, size_t n);
void sb_puts(sbuf *b, const char *s);

/*
** text.c: text from scenarios, saves and logs into each kind of output,
** one function per kind.  The *_text forms return a malloc'd copy (NULL
** when out of memory), the *_put forms write it.
**
** term: control bytes, C1 and bidirectional controls and bytes that are
** not UTF-8 shown as \xNN or \uNNNN, so nothing reaches a terminal that
** it would obey.  term_printf() is printf with each string argument so
** escaped: the format's own newlines stay, an argument's are shown.
*/
char *term_text(const char *s);
int term_put(FILE *f, const char *s);
int term_printf(FILE *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int term_vprintf(FILE *f, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Markdown text: no link, image, emphasis, HTML or block can start. */
char *md_text(const char *s);
int md_put(FILE *f, const char *s);
/* Paragraphs at the blank lines of 's', each escaped. */
int md_paragraphs(FILE *f, const char *s);
int html_paragraphs(FILE *f, const char *s);
/* A Markdown code span holding 's' exactly (less control bytes). */
char *md_code(const char *s);
int md_code_put(FILE *f, const char *s);
/* HTML and SVG text and attribute values. */
char *html_text(const char *s);
int html_put(FILE *f, const char *s);
/* UTF-8 checks: jansson takes nothing else, and logs are read back. */
bool utf8_valid(const char *s, size_t len);

/*
** Every file the command writes goes through write_atomic(): --save,
** reports, parts, plots, --csv and run's --log.  Those written as they
** go are formatted into memory by an outfile and written atomically when
** it is closed, so a symlink or a reader never sees half a file.
*/
typedef struct outfile {
  const char *path;
  FILE *f;               /* where to write; NULL when out of memory */
  char *buf;
  size_t len;
} outfile;

FILE *outfile_open(outfile *o, const char *path);
/* write_atomic() of what was written; -1 with 'err' when it failed. */
int outfile_close(outfile *o, char *err, size_t cap);
/*
** brink play's --log, which must be on disk as the session goes and so
** cannot be renamed into place: opened with O_NOFOLLOW, refused unless a
** regular file with no other hard link, then truncated.  NULL with 'err'.
*/
FILE *growing_open(const char *path, char *err, size_t cap);

int cmd_run(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_batch(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_play(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_doc(int argc, char **argv);

#endif
