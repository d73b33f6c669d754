/*
** batch.h: the batch engine inside the library, what brink batch, brink
** merge and every other client share.  A batch is a table of what its
** runs came to (counts, histograms and sums, not the runs themselves:
** below) and the facts about the scenario that name its columns; the
** summary, the chart and the partial files are all computed from those
** two alone, so a merge of parts prints exactly what the unsharded batch
** prints.  The CSV is written run by run as the runs are played.
**
** Nothing here prints or exits: a call returns a status of brink.h
** (BRINK_ENOMEM when memory ran out, the rest with a message in 'err')
** and the client says what it means to its user.
*/
#ifndef BRINK_BATCH_H
#define BRINK_BATCH_H

#include <jansson.h>

#include "session.h"

/* The scenario, as far as a summary needs it, and the options it ran with. */
typedef struct bmeta {
  char *scenario;         /* the scenario's id */
  char *title;            /* "" when it has none */
  char *hash;             /* "sha256:<64 hex digits>" of the file's bytes */
  char *default_outcome;  /* "" when it has none */
  uint64_t seed;          /* run i uses seed + i (run_seed()) */
  int64_t runs;
  int nactors;
  char **actors;
  int nvars;
  char **vars;            /* full names, in id order */
  int *types;             /* enum brink_var_type */
  int *precision;         /* numbers: decimals shown (brink_number_show) */
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
  double *vmin, *vmax;    /* each variable's declared bounds (+-inf: none) */
  bool has_score;
  json_t *options;        /* what parts must agree on besides the above */
  json_t *sweep;          /* {VAR: value} of a sweep combination, or NULL */
  bool continued;         /* runs go on from a state: options has "from" */
} bmeta;

/*
** What a batch keeps of its runs does not grow with their number: counts,
** histograms, and the moments (count, mean, sum of squared deviations)
** that means and variances come from.  Moments are floating point, so
** their bytes depend on the order of the additions; that order is fixed
** by run number alone.  Runs fall into blocks of BLOCK_RUNS in run order
** (block j: runs j*BLOCK_RUNS ..), each block's moments are summed run by
** run from zero, and blocks combine pairwise along the aligned binary
** tree over block numbers (Chan et al.'s update), left to right at the
** top.  Whoever plays or merges the blocks, the same additions happen in
** the same order, so a merge of shards is the batch byte for byte.  A
** shard that holds part of a block keeps those runs' rows ('edge') for
** the merge to sum the block whole.
*/
#define BLOCK_RUNS 1024
#define KEEP_ERRORS 10    /* errors kept with their messages, first in
                             run order; the rest are counted */

typedef struct mom {
  double n, mean, m2;
} mom;

/* An aligned node of the tree: blocks start .. start + 2^level - 1. */
typedef struct bnode {
  int level;
  int64_t start;
  mom *m;                 /* nmom */
} bnode;

typedef struct berror {
  int64_t run;
  char *msg;              /* "file:line: in: message" */
  int32_t where, in;      /* lengths of its "file:line" and "in" parts */
} berror;

/* Runs that ended in one message (brink check): the first three. */
typedef struct bgroup {
  berror e;               /* the first run's */
  int64_t runs[3], n;
} bgroup;

/* Runs first .. first+count-1 of a batch. */
typedef struct btable {
  int64_t first, count;
  int noutcomes;
  char **outcomes;
  int64_t *out_count;     /* runs per outcome */
  int ntriggers;
  char **triggers;
  int64_t *trigger_runs;  /* runs in which each trigger fired */
  int64_t *moves;         /* nrep_all: times each move was chosen */
  int64_t verified;       /* runs re-played in a fresh engine, identical */
  /* Final values: per variable a histogram (hist_bins()) and the least
     and greatest value; per --var variable and point, a histogram. */
  int64_t **hist;
  double **bmin, **bmax;  /* where a bin holds many values (!hist_exact):
                             the least and the greatest in each bin */
  double *lo, *hi;
  int64_t **shist;        /* nseries x (nturns + 1) */
  int64_t nhist, nshist;  /* their lengths, for table_free() */
  /* Moments: per variable, per actor's score, and with 'outcap' per
     outcome index and variable (continuations: what outcomes turn on). */
  int nmom, outcap;
  mom *block;             /* of block 'block_at' so far */
  int64_t block_at;
  bnode *nodes;           /* the tree's stack, oldest first */
  int nnodes;
  /* Rows of runs whose block the table does not hold whole: outcome
     index, final values, scores (edge_len doubles each). */
  int edge_len;
  double *edge;
  int64_t *edge_run;
  int nedge;
  int64_t nerrors;        /* runs that ended in a script error */
  berror errs[KEEP_ERRORS];
  int nerrs;
  bgroup *groups;         /* only in a batch: by message, first seen first */
  int ngroups;
  /* Per run, only where runs are compared run by run (the combinations
     of a sweep, continuations): 4 bytes a run, 8 for continuations. */
  int32_t *outcome;       /* index into 'outcomes' */
  int32_t *first_action;  /* continuations: each run's first record as
                             an action (brink_action_find) when it is a
                             move, else -1 */
  /* Only in a batch: the coverage of brink.h summed over the runs, per
     move id the decisions it was legal at, per variable the writes
     scripts made. */
  int64_t *legal, *writes, *clamps;   /* clamps: of the writes, those
                                         clamped to the bounds */
} btable;

/* batch_stats.c */
/* Histogram bins of variable v, the bin of value x, a bin's value. */
int hist_bins(const bmeta *m, int v);
int hist_bin(const bmeta *m, int v, double x);
/* The nearest-rank 'percent' point of a histogram of n values, within
   the least and greatest ('bmin' and 'bmax': each bin's; NULL: none). */
double hist_quantile(const bmeta *m, int v, const int64_t *h,
                     const double *bmin, const double *bmax, int64_t n,
                     int percent, double lo, double hi);
/* Value x of variable v into the table's histogram and range. */
void hist_add(const bmeta *m, btable *t, int v, double x);
/* Whether the histogram of v holds every value exactly (one bin each). */
bool hist_exact(const bmeta *m, int v);
void mom_add(mom *a, double x);
void mom_merge(mom *a, const mom *b);
/* The table's moments over all its blocks, into 'out' (nmom). */
void fold_total(const btable *t, mom *out);
/*
** Run 'run''s row (edge_len doubles, as in 'edge') into the table: into
** its block when the table holds the block whole (closing the block at
** its last run), else kept as an edge row.  Rows come in run order.
** 0, or -1 when out of memory.
*/
int fold_row(const bmeta *m, btable *t, int64_t run, const double *row);
/* A node of the tree, in start order; 0, or -1 when out of memory. */
int fold_node(btable *t, int level, int64_t start, const mom *ms);
/* Keeps error 'e' of run e->run if among the first; copies the message.
   0, or -1 when out of memory. */
int keep_error(btable *t, const berror *e);

/* batch_table.c */
/* calloc() that gives memory for 0 items too: NULL is out of memory. */
void *batch_calloc(size_t n, size_t size);
void meta_free(bmeta *m);
/* 0, or BRINK_ENOMEM with 't' empty (table_free() is still safe). */
int table_alloc(const bmeta *m, btable *t, int64_t first, int64_t count,
                int outcap);
/* The per-run columns 'outcome' (and for continuations 'first_action'). */
int table_keep_runs(const bmeta *m, btable *t);
void table_free(btable *t);
/* The index of outcome or trigger 'name', added when new; -1 when out of
   memory. */
int table_outcome(btable *t, const char *name);
int table_trigger(btable *t, const char *name, int64_t runs);
/* "sha256:" and the hex digest of 'len' bytes, into 'out'. */
void batch_digest(const void *data, size_t len, char out[72]);
/*
** The seed of continuation i (from 0) of a batch seeded with 's': output
** i of a SplitMix64 generator whose state starts at 's', that is
** mix(s + (i + 1) * 0x9e3779b97f4a7c15) with SplitMix64's mix.  Unlike
** s + i it shares nothing with the seed the line of play began with.
*/
uint64_t continuation_seed(uint64_t s, int64_t i);
/* SplitMix64's step: mix(x + 0x9e3779b97f4a7c15). */
uint64_t splitmix64(uint64_t x);
/* The seed of run i of 'm': seed + i, or continuation_seed() of it. */
uint64_t run_seed(const bmeta *m, int64_t i);

/* batch_summary.c: what a table says, for people, programs and sheets. */
/* The normal distribution's two-sided 95% point, for every interval. */
#define Z95 1.959963984540054
void wilson95(double k, double n, double *lo, double *hi);
double nearest_rank(const double *sorted, int64_t n, int percent);
/* The summary object (docs/batch.md); NULL when out of memory. */
json_t *summary_json(const bmeta *m, const btable *t);
/*
** The summary as people read it, and the outcome shares of the
** combinations of a sweep side by side; text from the scenario goes
** through term_printf().  0, -1 when a write failed, BRINK_ENOMEM.
*/
int summary_text(FILE *f, const bmeta *m, const btable *t);
int sweep_table(FILE *f, const bmeta *ms, const btable *ts, int n);
/*
** Each combination of a sweep against the first, outcome by outcome: the
** difference in share with its 95% interval, paired over the runs that
** had the same seed (common random numbers), and the unpaired half-width
** beside it.  As text, and as one {"t":"paired"} object (NULL: memory).
*/
int sweep_paired_text(FILE *f, const bmeta *ms, const btable *ts, int n);
json_t *sweep_paired_json(const bmeta *ms, const btable *ts, int n);
/* A continuation's summary in brief, for /forecast: the outcomes and what
   they turn on (docs/batch.md). */
int forecast_text(FILE *f, const bmeta *m, const btable *t);
/* The CSV's first line, and one row per run (values as 'e' formats
   them) appended to 'b'. */
int write_csv_header(FILE *f, const bmeta *m);
void csv_row(sbuf *b, const bmeta *m, uint64_t seed, const char *outcome,
             int turn, const double *final, const brink_engine *e);

/* ---------------------------------------------------------------------- */
/* batch.c: many seeded runs of one scenario on threads.                  */

/*
** Called about ten times a second while runs are played, and once more at
** the end with 'last' set: 'label' names the sweep combination (NULL
** without --sweep), 'seconds' is the time since the combination began.
*/
typedef void (*batch_progress_fn)(void *ud, const char *label, int64_t done,
                                  int64_t total, double seconds, bool last);

/* What to run.  Strings and arrays are the caller's, kept until close. */
typedef struct batch_config {
  const char *path;          /* names the chunk, finds its imports */
  const char *text;          /* the scenario's bytes, read once */
  size_t len;
  brink_config cfg;          /* each worker's engine; all 0: defaults */
  uint64_t seed;             /* run 0's; the scenario's when !has_seed */
  bool has_seed;
  int64_t runs;              /* 0: 1000 */
  int jobs;                  /* worker threads; 0: one per online CPU */
  int turns;                 /* turn limit, 0 for the calendar's */
  const char *const *policies;   /* "ACTOR=NAME" */
  int npolicies;
  const char *const *sets;   /* "VAR=VALUE" */
  int nsets;
  const char *const *vars;   /* variables to summarize and chart */
  int nvars;
  const char *const *sweeps; /* "VAR=a,b,c": a batch per combination */
  int nsweeps;
  int shard_k, shard_n;      /* only the K-th of N slices; 0: all runs */
  FILE *csv;                 /* a row per run appended in run order, as
                                each is played; NULL: none */
  bool coverage;             /* count legal moves, writes and clamps for
                                brink check's smoke findings; not for
                                continuations, whose counts carry on */
  /*
  ** Continuations: brink_state_save's bytes of the state every run goes
  ** on from (NULL: each run starts the scenario).  Its policies and turn
  ** limit hold, unless 'policies' or 'turns' say otherwise; seated actors
  ** are played by the built-in AI.  Run i is seeded with
  ** continuation_seed(seed, i); 'sets' are written into the state.
  */
  const void *from;
  size_t from_len;
  /* With 'from' standing at a decision: the move every run makes there
     first (with its target, -1 for none), instead of the actor's own
     controller's choice. */
  bool has_first;
  int first_move, first_target;
  /* Texts to use for the scenario's imports (brink_import_add), so that
     every worker loads what the engine that saved 'from' loaded. */
  const char *const *import_names;
  const char *const *import_texts;
  const size_t *import_lens;
  int nimports;
  batch_progress_fn progress;
  void *progress_ud;
  /* Per-run hooks (brink check's expectations, session/expect.c), NULL:
     none.  Called in the worker's thread with its engine: each record of
     row 'run' as the engine emits it, then once more when the row has
     ended.  'worker' is from 0 to the batch's 'jobs' - 1. */
  void (*run_record)(void *ud, int worker, brink_engine *e, int64_t run,
                     const brink_record *r);
  void (*run_end)(void *ud, int worker, brink_engine *e, int64_t run);
  void *run_ud;
  /* Tests: 1 + the run whose digest to spoil, as a run that read state
     left behind by the one before would; 0: none. */
  int64_t perturb_run;
} batch_config;

/*
** forecast.c: where continuations go on from, for batch_config's 'from'
** and 'import_*': the state of an engine, and the import texts its load
** read, which the workers must load too.  The texts are the engine's:
** keep it open while the batch runs.
*/
typedef struct origin {
  void *state;           /* brink_state_save's bytes */
  size_t len;
  const char **names, **texts;
  size_t *lens;
  int n;
} origin;

/* Of 'e' as it stands; 0, or a status with 'err'. */
int origin_take(brink_engine *e, origin *o, char *err, size_t cap);
/*
** Of the save file at 'path' (brink play's, brink run's), loaded into
** 'e', a fresh load of its scenario, with its seats, policies and turn
** limit, and its seed into *seed: the state the session's /forecast
** went on from.  0, or a status with 'err' ("PATH: why").
*/
int origin_from_save(brink_engine *e, const char *path, origin *o,
                     uint64_t *seed, char *err, size_t cap);
void origin_config(batch_config *c, const origin *o);
void origin_free(origin *o);

/* A --sweep VAR=a,b,c split into its variable and values. */
typedef struct batch_sweep {
  char name[256];
  char **values;
  int nvalues;
} batch_sweep;

/* A batch: the scenario described, then one table per combination. */
typedef struct batch {
  batch_config c;
  brink_engine *e;           /* the first engine: formats values */
  bmeta m;                   /* the facts every combination shares */
  int *repidx;               /* actor x move id -> index in its 'rep' */
  batch_sweep *sw;
  int64_t combos;            /* 1 without sweeps */
  int jobs;                  /* worker threads */
  int64_t first, count;      /* the runs of the shard */
  bmeta *ms;                 /* per combination, sharing m's arrays */
  btable *ts;
} batch;

/*
** Loads the scenario, starts it with the seed, applies the policies and
** sets and checks every --var and --sweep.  0 with *out; else *out is
** NULL and the status says what went wrong: BRINK_ESCRIPT the scenario
** did not load ('err' holds its diagnostics, a line each), BRINK_EINVAL
** an option is wrong, BRINK_ENOMEM, or another status with 'err'.
*/
int batch_open(batch **out, const batch_config *c, char *err, size_t cap);
/*
** Plays combination k (from 0) into b->ms[k] and b->ts[k], then plays its
** sample of runs again in fresh engines.  0; BRINK_ENOMEM; or another
** status with 'err' (a worker failed, a run is not reproducible).
*/
int batch_run(batch *b, int64_t k, char *err, size_t cap);
void batch_close(batch *b);
/* An engine of the batch's own: the scenario loaded, the policies and the
   turn limit applied.  The statuses of batch_open(). */
int batch_load(const batch *b, brink_engine **out, char *err, size_t cap);

/* ---------------------------------------------------------------------- */
/* batch_smoke.c: the findings of a smoke check (brink check --runs).     */

typedef struct smoke {
  strlist lines;          /* "file:line: error: ..." and "...: warning:
                             ...", in file order */
  int64_t error_runs;     /* runs that ended in a script error */
  int errors, warnings;   /* the lines of each kind */
} smoke;

/*
** What the runs of table 't' (of batch 'b', played by batch_run) say:
** each runtime error, grouped by place and message, with the seeds of
** its runs (the first three and how many more), then what no run did:
** triggers never fired, moves never legal, outcomes never reached,
** variables (declarations) never written by a script.  0 with 'out' to
** free with smoke_free(), or BRINK_ENOMEM with 'out' empty.
*/
int smoke_findings(const batch *b, btable *t, smoke *out);
void smoke_free(smoke *s);

/* ---------------------------------------------------------------------- */
/* batch_part.c: partial results of a sharded batch, and their merge.     */

/* Writes the part of table 't' atomically; 0, BRINK_ENOMEM, or BRINK_EIO
   with 'err'. */
int part_write(const char *path, const bmeta *m, const btable *t,
               int shard_k, int shard_n, char *err, size_t cap);

/* A part read and checked, before it is merged. */
typedef struct bpart {
  const char *path;      /* names the part in messages */
  json_t *root;          /* the whole file */
  json_t *header, *results;
  int64_t first, count;
  int shard_k, shard_n;
} bpart;

/*
** Reads a part from its bytes ('path' names it in messages); 0, or
** BRINK_EFORMAT with 'err' ("PATH: why"), or BRINK_ENOMEM.  part_read()
** reads the file first (BRINK_EIO when it cannot).
*/
int part_read_text(const char *path, const char *text, size_t len,
                   bpart *p, char *err, size_t cap);
int part_read(const char *path, bpart *p, char *err, size_t cap);
void part_free(bpart *p);
/*
** Puts parts of one batch back together, in any order, into 'm' and 't'
** (freed by the caller with meta_free() and table_free() either way).  0,
** or BRINK_EFORMAT with 'err' (parts that differ, overlap, leave a gap or
** are damaged), or BRINK_ENOMEM.
*/
int parts_merge(bpart *parts, int n, bmeta *m, btable *t, char *err,
                size_t cap);

#endif
