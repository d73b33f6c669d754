/*
** batch.h: what brink batch and brink merge share.  A batch is a table of
** runs (one row per seed) and the facts about the scenario that name its
** columns; the summary, the CSV, the chart and the partial files are all
** computed from those two alone, so a merge of parts prints exactly what
** the unsharded batch prints.
*/
#ifndef BRINK_BATCH_H
#define BRINK_BATCH_H

#include <jansson.h>

#include "cli.h"

/* The scenario, as far as a summary needs it, and the options it ran with. */
typedef struct bmeta {
  char *scenario;         /* the scenario's id */
  char *title;            /* "" when it has none */
  char *hash;             /* "fnv1a64:<16 hex digits>" of the file's bytes */
  char *default_outcome;  /* "" when it has none */
  uint64_t seed;          /* run i uses seed + i */
  int64_t runs;
  int nactors;
  char **actors;
  int nvars;
  char **vars;            /* full names, in id order */
  int *types;             /* enum brink_var_type */
  int *nenum;             /* enums: value names */
  char ***enums;
  /* What each actor may choose: its move names, in the order brink_options
     lists them, a move with several targets once.  'rep_off' indexes the
     flat per-(actor, move) arrays: actor a's moves start at rep_off[a]. */
  int *nrep;
  char ***rep;
  int *rep_off;
  int nrep_all;
  int nseries;            /* --var variables, for the fan chart */
  int *series;            /* their ids */
  int nturns;             /* points per series: nturns + 1 */
  int32_t *dates;         /* start date, then the end of each turn */
  bool has_score;
  json_t *options;        /* what parts must agree on besides the above */
  json_t *sweep;          /* {VAR: value} of a sweep combination, or NULL */
} bmeta;

/* Runs first .. first+count-1 of a batch. */
typedef struct btable {
  int64_t first, count;
  int32_t *outcome;       /* index into 'outcomes' */
  int32_t *turn;          /* the end record's turn */
  char **error;           /* "file:line: in: message", or NULL */
  double *final;          /* count x nvars */
  const char **final_text;  /* count x nvars as the engine wrote them, in
                               the parts' JSON (merge); NULL in a batch */
  double *score;          /* count x nactors (NaN: failed); NULL: none */
  double *series;         /* count x nseries x (nturns + 1) */
  int64_t *moves;         /* nrep_all: times each move was chosen */
  int noutcomes;
  char **outcomes;
  int ntriggers;
  char **triggers;
  int64_t *trigger_runs;  /* runs in which each trigger fired */
  int64_t verified;       /* runs re-played in a fresh engine, identical */
} btable;

/* table.c */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
char *xstrdup(const char *s);
void meta_free(bmeta *m);
int table_alloc(const bmeta *m, btable *t, int64_t first, int64_t count);
void table_free(btable *t);
int table_outcome(btable *t, const char *name);
int table_trigger(btable *t, const char *name, int64_t runs);
/* FNV-1a, 64 bits. */
uint64_t fnv1a64(const void *data, size_t len, uint64_t h);
#define FNV1A64_INIT 0xcbf29ce484222325ull

/* summary.c */
void wilson95(int64_t k, int64_t n, double *lo, double *hi);
double nearest_rank(const double *sorted, int64_t n, int percent);
json_t *jseed(uint64_t seed);
json_t *summary_json(const bmeta *m, const btable *t);
void summary_text(FILE *f, const bmeta *m, const btable *t);
void sweep_table(FILE *f, const bmeta *ms, const btable *ts, int n);
/* One row per run; 'e' formats values (NULL: use t->final_text). */
int write_csv_rows(FILE *f, const bmeta *m, const btable *t,
                   const brink_engine *e, bool header);
/* Prints a JSON value on one line, keys in insertion order. */
int print_json(FILE *f, json_t *j);

/* plot.c: the fan charts and the outcome bars as one SVG file. */
int write_plot(const char *path, const bmeta *m, const btable *t);

/* part.c: partial results of a sharded batch. */
int write_part(const char *path, const bmeta *m, const btable *t,
               const brink_engine *e, int shard_k, int shard_n);
/* Writes 'len' bytes to 'path' through a temporary file, fsync, rename. */
int file_write_atomic(const char *path, const char *data, size_t len);

#endif
