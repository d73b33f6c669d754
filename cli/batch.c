/*
** batch.c: brink batch, many seeded runs of one scenario on every core.
**
** Worker threads each open their own engine (the library has no global
** state) and load the scenario once from the same bytes, then take run
** numbers from a shared counter: brink_start() resets the world by copying
** and brink_step() plays it out.  Each run's results go to its own row of
** the table, so the summary, computed afterwards in run order, does not
** depend on how many workers there were or which finished first.
**
** Then a sample of the runs is played again, each in an engine of its own
** loaded afresh, and its records compared with the batch's: a run that
** differs read state that outlived the run before it on the same worker.
*/
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "batch.h"

typedef struct batch batch;

/*
** A run of the sample, as the batch played it: a digest of its JSON Lines,
** and each record's own hash and kind, so that a re-play can name the
** first record that differs without the log being kept.
*/
typedef struct vrun {
  int64_t row;             /* in the table */
  uint64_t digest;         /* FNV-1a over every record and its newline */
  int64_t nrec;
  uint64_t *rec;           /* FNV-1a of each record */
  uint8_t *kind;           /* enum brink_record_kind of each */
  size_t cap;
  /* The re-play: the first record (from 0) that differs, -1 if none, and
     its text there (NULL: the re-play had no such record). */
  int64_t differs;
  char *got;
  bool failed;             /* the fresh engine did not load */
} vrun;

typedef struct worker {
  batch *b;
  int index;
  pthread_t thread;
  brink_engine *e;
  int64_t *moves;          /* nactors x nmoves: times chosen */
  char **trig;             /* triggers seen, with the runs they fired in */
  int64_t *trig_runs, *trig_last;
  int ntrig;
  char **outs;             /* outcome names seen */
  int nouts;
  int64_t run;             /* row being played */
  int out;                 /* its outcome, an index into 'outs' */
  int32_t end_turn;
  vrun *vr;                /* the row's digest, when it is in the sample */
  char *buf;               /* a record's JSON text */
  size_t cap;
} worker;

struct batch {
  const options *o;
  const bmeta *m;
  btable *t;
  const char *path, *text;       /* the scenario's bytes */
  size_t len;
  const char *const *sets;
  int nsets;
  int nmoves;                    /* the engine's move count */
  const int *repidx;             /* actor x move id -> index in its 'rep' */
  uint16_t *owner;               /* row -> the worker that played it */
  atomic_llong next, done;
  atomic_int stop;
  const char *label;             /* progress prefix, e.g. "sweep 2/6" */
  vrun *vruns;                   /* the sample, by row */
  int64_t nvruns;
  int64_t perturb;               /* test hook: the row to spoil, or -1 */
};

/* An index into a worker-local list of names, added when new. */
static int intern(char ***names, int *n, const char *name) {
  for (int i = 0; i < *n; i++)
    if (strcmp((*names)[i], name) == 0) return i;
  char **more = realloc(*names, sizeof *more * (size_t)(*n + 1));
  if (more == NULL) return -1;
  *names = more;
  (*names)[*n] = xstrdup(name);
  return (*n)++;
}

static void note_trigger(worker *w, const char *id) {
  int n = w->ntrig, k = intern(&w->trig, &w->ntrig, id);
  if (k < 0) return;
  if (k == n) {
    int64_t *runs = realloc(w->trig_runs, sizeof *runs * (size_t)(n + 1));
    int64_t *last = runs ? realloc(w->trig_last, sizeof *last * (size_t)(n + 1))
                         : NULL;
    if (runs) w->trig_runs = runs;
    if (last == NULL) {
      free(w->trig[--w->ntrig]);
      return;
    }
    w->trig_last = last;
    w->trig_runs[k] = 0;
    w->trig_last[k] = -1;
  }
  if (w->trig_last[k] != w->run) {   /* once per run, however often */
    w->trig_last[k] = w->run;
    w->trig_runs[k]++;
  }
}

/* Adds record 'r' of 'e' to the digest of 'v'; -1 when out of memory. */
static int digest_add(vrun *v, brink_engine *e, const brink_record *r,
                      char **buf, size_t *cap) {
  int n = record_line(e, r, buf, cap);
  if (n < 0) return -1;
  if ((size_t)v->nrec == v->cap) {
    size_t cap2 = v->cap ? 2 * v->cap : 256;
    uint64_t *rec = realloc(v->rec, sizeof *rec * cap2);
    if (rec) v->rec = rec;
    uint8_t *kind = rec ? realloc(v->kind, sizeof *kind * cap2) : NULL;
    if (kind == NULL) return -1;
    v->kind = kind;
    v->cap = cap2;
  }
  v->digest = fnv1a64("\n", 1, fnv1a64(*buf, (size_t)n, v->digest));
  v->rec[v->nrec] = fnv1a64(*buf, (size_t)n, FNV1A64_INIT);
  v->kind[v->nrec++] = (uint8_t)r->kind;
  return 0;
}

static void on_record(void *ud, const brink_record *r) {
  worker *w = ud;
  int nm = w->b->nmoves;
  if (w->vr && digest_add(w->vr, w->e, r, &w->buf, &w->cap) != 0)
    w->vr->failed = true;
  switch (r->kind) {
  case BRINK_REC_MOVE:
    if (r->actor >= 0 && r->move >= 0 && r->move < nm)
      w->moves[(size_t)r->actor * (size_t)nm + (size_t)r->move]++;
    break;
  case BRINK_REC_TRIGGER:
    note_trigger(w, r->id);
    break;
  case BRINK_REC_END:
    w->out = intern(&w->outs, &w->nouts, r->id);
    w->end_turn = r->turn;
    break;
  default:
    break;
  }
}

/* The --var values now, as point k of the row's series. */
static void sample(worker *w, double *series, int k) {
  const bmeta *m = w->b->m;
  for (int s = 0; s < m->nseries; s++)
    brink_var_get(w->e, m->series[s],
                  &series[(size_t)s * (size_t)(m->nturns + 1) + (size_t)k]);
}

/*
** Plays row i on 'e' to its end as brink run plays it: brink_start with
** its seed, the sets, turn after turn, and on a script error its message
** into 'err' (else "") and brink_finish with "error".  With 'w', the --var
** series are sampled into 'series' after each turn.
*/
static void play_row(const batch *b, brink_engine *e, int64_t i, worker *w,
                     double *series, char *err, size_t cap) {
  const bmeta *m = b->m;
  int filled = 0, rc = brink_start(e, m->seed + (uint64_t)(b->t->first + i));
  /* Checked on the first engine already: cannot fail here. */
  if (rc == BRINK_OK && apply_sets("batch", b->sets, b->nsets, e) != 0)
    rc = BRINK_EINVAL;
  if (rc == BRINK_OK && series) sample(w, series, filled++);
  while (rc == BRINK_OK) {
    rc = brink_step(e);
    int k = brink_turn(e) - 1;   /* turn k is over */
    if (rc == BRINK_OK && series && k == filled && k <= m->nturns)
      sample(w, series, filled++);
  }
  *err = '\0';
  if (rc != BRINK_DONE) {
    snprintf(err, cap, "%s%s%s%s%s", brink_errwhere(e),
             *brink_errwhere(e) ? ": " : "", brink_errin(e),
             *brink_errin(e) ? ": " : "", brink_errmsg(e));
    brink_finish(e, "error");
  }
  /* After the end the world stands still: the last values carry on. */
  while (series && filled <= m->nturns) sample(w, series, filled++);
}

/* The sample's digest of row i, or NULL when i is not in the sample. */
static vrun *sampled(const batch *b, int64_t i) {
  int64_t lo = 0, hi = b->nvruns;
  while (lo < hi) {
    int64_t mid = lo + (hi - lo) / 2;
    if (b->vruns[mid].row < i) lo = mid + 1;
    else hi = mid;
  }
  return lo < b->nvruns && b->vruns[lo].row == i ? &b->vruns[lo] : NULL;
}

static void play_one(worker *w, int64_t i) {
  batch *b = w->b;
  const bmeta *m = b->m;
  btable *t = b->t;
  brink_engine *e = w->e;
  size_t points = (size_t)(m->nturns + 1);
  double *series = t->series ? t->series + (size_t)i * (size_t)m->nseries *
                                               points
                             : NULL;
  w->run = i;
  w->out = -1;
  w->end_turn = 0;
  w->vr = sampled(b, i);
  char msg[1024];
  play_row(b, e, i, w, series, msg, sizeof msg);
  if (*msg) {
    t->error[i] = xstrdup(msg);
    if (w->out < 0) w->out = intern(&w->outs, &w->nouts, "error");
  }
  if (w->vr && i == b->perturb && w->vr->nrec > 0) {
    /* As if the run had read a value left behind by the one before. */
    w->vr->rec[w->vr->nrec - 1] ^= 1;
    w->vr->digest ^= 1;
  }
  w->vr = NULL;
  t->turn[i] = w->end_turn;
  t->outcome[i] = w->out >= 0 ? w->out : intern(&w->outs, &w->nouts, "error");
  b->owner[i] = (uint16_t)w->index;
  for (int v = 0; v < m->nvars; v++)
    brink_var_get(e, v, &t->final[(size_t)i * (size_t)m->nvars + (size_t)v]);
  for (int a = 0; t->score && a < m->nactors; a++) {
    double x;
    if (brink_score(e, a, &x) != BRINK_OK) x = NAN;
    t->score[(size_t)i * (size_t)m->nactors + (size_t)a] = x;
  }
}

static void *work(void *arg) {
  worker *w = arg;
  batch *b = w->b;
  const bmeta *m = b->m;
  if (open_scenario_text(b->o, b->path, b->text, b->len, &w->e) != 0 ||
      apply_choices("batch", b->o, w->e) != 0) {
    atomic_store(&b->stop, 1);
    return NULL;
  }
  if (b->o->turns) brink_turn_limit(w->e, b->o->turns);
  w->moves = xcalloc((size_t)m->nactors * (size_t)b->nmoves, sizeof *w->moves);
  brink_on_record(w->e, on_record, w);
  while (!atomic_load(&b->stop)) {
    int64_t i = atomic_fetch_add(&b->next, 1);
    if (i >= b->t->count) break;
    play_one(w, i);
    atomic_fetch_add(&b->done, 1);
  }
  return NULL;
}

static double seconds_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* One line on the terminal: runs done, a bar, runs/s and the time left. */
static void draw_progress(const batch *b, int64_t done, double t0) {
  int64_t n = b->t->count;
  double dt = seconds_now() - t0, rate = dt > 0 ? (double)done / dt : 0;
  char bar[26];
  int fill = n ? (int)(25 * done / n) : 25;
  for (int i = 0; i < 25; i++) bar[i] = i < fill ? '#' : '.';
  bar[25] = '\0';
  char eta[32] = "--:--";
  if (rate > 0) {
    long s = (long)ceil((double)(n - done) / rate);
    snprintf(eta, sizeof eta, "%ld:%02ld", s / 60, s % 60);
  }
  fprintf(stderr, "\r%s%s%lld/%lld runs [%s] %.0f runs/s, ETA %s\033[K",
          b->label ? b->label : "", b->label ? ": " : "", (long long)done,
          (long long)n, bar, rate, eta);
  fflush(stderr);
}

/* Plays rows 0 .. t->count-1 with 'jobs' workers; 0 or 1 (reported). */
static int run_table(batch *b, int jobs) {
  const bmeta *m = b->m;
  btable *t = b->t;
  if (jobs > t->count) jobs = t->count > 0 ? (int)t->count : 1;
  worker *ws = xcalloc((size_t)jobs, sizeof *ws);
  b->owner = xcalloc((size_t)t->count, sizeof *b->owner);
  atomic_init(&b->next, 0);
  atomic_init(&b->done, 0);
  atomic_init(&b->stop, 0);
  int started = 0, rc = 0;
  for (; started < jobs; started++) {
    ws[started].b = b;
    ws[started].index = started;
    if (pthread_create(&ws[started].thread, NULL, work, &ws[started]) != 0) {
      term_printf(stderr, "brink batch: cannot start worker thread %d\n",
                  started + 1);
      atomic_store(&b->stop, 1);
      rc = 1;
      break;
    }
  }
  bool tty = isatty(STDERR_FILENO);
  double t0 = seconds_now();
  int64_t done;
  while ((done = atomic_load(&b->done)) < t->count && !atomic_load(&b->stop) &&
         started > 0) {
    if (tty) draw_progress(b, done, t0);
    nanosleep(&(struct timespec){0, 100000000}, NULL);
  }
  for (int i = 0; i < started; i++) pthread_join(ws[i].thread, NULL);
  if (tty) {
    draw_progress(b, atomic_load(&b->done), t0);
    fputs("\r\033[K", stderr);
  }
  if (atomic_load(&b->stop) && rc == 0) {
    term_printf(stderr, "brink batch: a worker could not load the scenario\n");
    rc = 1;
  }
  /* Workers named outcomes and triggers as they met them; rows now get the
     table's own indices, and counts are summed (integers: order-free). */
  for (int64_t i = 0; rc == 0 && i < t->count; i++) {
    worker *w = &ws[b->owner[i]];
    t->outcome[i] = table_outcome(t, w->outs[t->outcome[i]]);
  }
  for (int k = 0; k < started; k++) {
    worker *w = &ws[k];
    for (int i = 0; i < w->ntrig; i++) {
      table_trigger(t, w->trig[i], w->trig_runs[i]);
      free(w->trig[i]);
    }
    for (int a = 0; w->moves && a < m->nactors; a++)
      for (int mv = 0; mv < b->nmoves; mv++) {
        int r = b->repidx[a * b->nmoves + mv];
        if (r >= 0)
          t->moves[m->rep_off[a] + r] +=
              w->moves[(size_t)a * (size_t)b->nmoves + (size_t)mv];
      }
    for (int i = 0; i < w->nouts; i++) free(w->outs[i]);
    free(w->outs);
    free(w->trig);
    free(w->trig_runs);
    free(w->trig_last);
    free(w->moves);
    free(w->buf);
    brink_engine_close(w->e);
  }
  free(ws);
  free(b->owner);
  b->owner = NULL;
  return rc;
}

/* verification ----------------------------------------------------------- */

/* One re-played run per this many runs of a batch (see verify_sample). */
#define VERIFY_EVERY 2000

static uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

/*
** The runs of a batch of 'runs' runs from 'seed' that are re-played: run
** 0, and when k = floor(runs / VERIFY_EVERY) >= 2, one run drawn from each
** of k - 1 equal slices of runs 1 .. runs-1, by a hash of the seed, the
** run count and the slice.  So the choice depends on nothing but the seed
** and the count (not on --jobs, nor on the shard).  A re-play loads the
** scenario afresh: 9 runs' worth of work for the flagship, 20 to 35 for
** scenarios of a few turns (make bench), so one in 2000 keeps the cost
** under 2% of the batch.  Into 'out' go those in [first, first + count),
** as rows of the table; their number.
*/
static int64_t verify_sample(uint64_t seed, int64_t runs, int64_t first,
                             int64_t count, vrun **out) {
  int64_t k = runs < 1 ? 0 : runs / VERIFY_EVERY > 1 ? runs / VERIFY_EVERY
                                                      : 1;
  vrun *v = xcalloc((size_t)(k ? k : 1), sizeof *v);
  int64_t n = 0, slices = k - 1, width = slices ? (runs - 1) / slices : 0;
  for (int64_t j = -1; j < slices; j++) {
    int64_t run = 0;
    if (j >= 0) {
      int64_t lo = 1 + j * width, hi = j == slices - 1 ? runs : lo + width;
      uint64_t h = splitmix64(seed ^ splitmix64((uint64_t)runs ^
                                                splitmix64((uint64_t)j)));
      run = lo + (int64_t)(h % (uint64_t)(hi - lo));
    }
    if (run >= first && run < first + count)
      v[n++] = (vrun){.row = run - first, .digest = FNV1A64_INIT,
                      .differs = -1};
  }
  *out = v;
  return n;
}

static void vruns_free(vrun *v, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    free(v[i].rec);
    free(v[i].kind);
    free(v[i].got);
  }
  free(v);
}

/* A re-play under way: its digest, checked against the batch's. */
typedef struct check {
  vrun *v;
  brink_engine *e;
  char *buf;
  size_t cap;
  int64_t nrec;
  uint64_t digest;
} check;

static void on_replay(void *ud, const brink_record *r) {
  check *c = ud;
  vrun *v = c->v;
  int n = record_line(c->e, r, &c->buf, &c->cap);
  if (n < 0) {
    v->failed = true;
    return;
  }
  c->digest = fnv1a64("\n", 1, fnv1a64(c->buf, (size_t)n, c->digest));
  if (v->differs < 0 &&
      (c->nrec >= v->nrec ||
       fnv1a64(c->buf, (size_t)n, FNV1A64_INIT) != v->rec[c->nrec])) {
    v->differs = c->nrec;
    v->got = xstrdup(c->buf);
  }
  c->nrec++;
}

/* Plays the row of 'v' again in an engine loaded afresh. */
static void replay_one(const batch *b, vrun *v) {
  brink_engine *e = NULL;
  if (open_scenario_text(b->o, b->path, b->text, b->len, &e) != 0 ||
      apply_choices("batch", b->o, e) != 0) {
    v->failed = true;
    brink_engine_close(e);
    return;
  }
  if (b->o->turns) brink_turn_limit(e, b->o->turns);
  check c = {.v = v, .e = e, .digest = FNV1A64_INIT};
  brink_on_record(e, on_replay, &c);
  char msg[1024];
  play_row(b, e, v->row, NULL, NULL, msg, sizeof msg);
  brink_engine_close(e);
  free(c.buf);
  /* A re-play that stopped short differs where it stopped. */
  if (v->differs < 0 && (c.nrec != v->nrec || c.digest != v->digest))
    v->differs = c.nrec;
}

static void *replay_work(void *arg) {
  batch *b = arg;
  for (int64_t k; (k = atomic_fetch_add(&b->next, 1)) < b->nvruns;)
    if (!b->vruns[k].failed) replay_one(b, &b->vruns[k]);
  return NULL;
}

static const char *const kind_names[] = {"start", "turn", "move", "set",
                                         "trigger", "event", "news",
                                         "error", "end"};

/*
** Re-plays the sample, 'jobs' at a time, and counts it into the table's
** 'verified'; 0, or 1 when a run differs or could not be re-played (the
** first such run reported).
*/
static int verify(batch *b, int jobs) {
  const bmeta *m = b->m;
  btable *t = b->t;
  if (b->nvruns == 0) return 0;
  if (jobs > b->nvruns) jobs = (int)b->nvruns;
  pthread_t *th = xcalloc((size_t)jobs, sizeof *th);
  atomic_store(&b->next, 0);
  int started = 0;
  while (started < jobs &&
         pthread_create(&th[started], NULL, replay_work, b) == 0)
    started++;
  if (started == 0) replay_work(b);
  for (int i = 0; i < started; i++) pthread_join(th[i], NULL);
  free(th);
  for (int64_t k = 0; k < b->nvruns; k++) {
    const vrun *v = &b->vruns[k];
    int64_t run = t->first + v->row;
    unsigned long long seed = m->seed + (uint64_t)run;
    if (v->failed) {
      term_printf(stderr, "brink batch: run %lld (seed %llu) could not be "
                  "re-played to verify it (out of memory, or the scenario did "
                  "not load again)\n", (long long)run, seed);
      return 1;
    }
    if (v->differs < 0) continue;
    char was[64] = "nothing";
    if (v->differs < v->nrec) {
      const char *kind = v->kind[v->differs] < 9
                             ? kind_names[v->kind[v->differs]] : "?";
      snprintf(was, sizeof was, "%s \"%s\" record",
               strchr("aeiou", *kind) ? "an" : "a", kind);
    }
    term_printf(stderr, "brink batch: run %lld is not reproducible: "
                "record %lld of brink run --seed %llu --json differs: the "
                "batch wrote %s, a fresh engine writes %s; is state kept "
                "outside the world, in a script's local or global "
                "variable?\n", (long long)run, (long long)v->differs + 1,
                seed, was, v->got ? v->got : "nothing");
    return 1;
  }
  t->verified = b->nvruns;
  return 0;
}

static char *read_scenario(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) return NULL;
  size_t cap = 1 << 16, n = 0, got;
  char *buf = xmalloc(cap);
  while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
    n += got;
    if (n == cap) {
      char *more = realloc(buf, cap *= 2);
      if (more == NULL) {
        free(buf);
        fclose(f);
        return NULL;
      }
      buf = more;
    }
  }
  int bad = ferror(f);
  fclose(f);
  if (bad) {
    free(buf);
    return NULL;
  }
  *len = n;
  return buf;
}

/*
** The facts of the scenario a summary needs, read from the first engine
** after brink_start (so brink_options lists each actor's moves).  Also the
** map from (actor, move id) to the actor's own list, into *repidx.
*/
static void describe(brink_engine *e, const options *o, const char *text,
                     size_t len, uint64_t seed, bmeta *m, int **repidx) {
  char buf[64];
  m->scenario = xstrdup(brink_scenario_field(e, "id"));
  m->title = xstrdup(brink_scenario_field(e, "title"));
  snprintf(buf, sizeof buf, "fnv1a64:%016llx",
           (unsigned long long)fnv1a64(text, len, FNV1A64_INIT));
  m->hash = xstrdup(buf);
  m->default_outcome = xstrdup(brink_scenario_field(e, "default_outcome"));
  m->seed = seed;
  m->nactors = brink_actor_count(e);
  m->actors = xcalloc((size_t)m->nactors, sizeof *m->actors);
  for (int a = 0; a < m->nactors; a++)
    m->actors[a] = xstrdup(brink_actor_id(e, a));
  m->nvars = brink_var_count(e);
  m->vars = xcalloc((size_t)m->nvars, sizeof *m->vars);
  m->types = xcalloc((size_t)m->nvars, sizeof *m->types);
  m->nenum = xcalloc((size_t)m->nvars, sizeof *m->nenum);
  m->enums = xcalloc((size_t)m->nvars, sizeof *m->enums);
  for (int v = 0; v < m->nvars; v++) {
    m->vars[v] = xstrdup(brink_var_name(e, v));
    m->types[v] = brink_var_type(e, v);
    if (m->types[v] != BRINK_ENUM) continue;
    int n = 0;
    while (*brink_var_enum_value(e, v, n)) n++;
    m->nenum[v] = n;
    m->enums[v] = xcalloc((size_t)n, sizeof **m->enums);
    for (int k = 0; k < n; k++)
      m->enums[v][k] = xstrdup(brink_var_enum_value(e, v, k));
  }
  int nm = brink_move_count(e);
  *repidx = xmalloc(sizeof **repidx * (size_t)(m->nactors * nm + 1));
  m->nrep = xcalloc((size_t)m->nactors, sizeof *m->nrep);
  m->rep = xcalloc((size_t)m->nactors, sizeof *m->rep);
  m->rep_off = xcalloc((size_t)m->nactors + 1, sizeof *m->rep_off);
  for (int a = 0; a < m->nactors; a++) {
    int *idx = *repidx + a * nm, count = 0;
    for (int mv = 0; mv < nm; mv++) idx[mv] = -1;
    m->rep[a] = xcalloc((size_t)nm, sizeof **m->rep);
    /* Should a condition fail this early, every move stands in. */
    bool listed = brink_options(e, a, &count) == BRINK_OK;
    for (int i = 0; i < (listed ? count : nm); i++) {
      int mv = listed ? 0 : (i + 1) % nm;   /* 'pass' (id 0) last */
      if (listed) brink_option_get(e, i, &mv, NULL, NULL, NULL);
      if (mv < 0 || mv >= nm || idx[mv] >= 0) continue;
      idx[mv] = m->nrep[a];
      m->rep[a][m->nrep[a]++] = xstrdup(brink_move_name(e, mv));
    }
    m->rep_off[a + 1] = m->rep_off[a] + m->nrep[a];
  }
  m->nrep_all = m->rep_off[m->nactors];
  int last = brink_turn_count(e);
  m->nturns = o->turns && o->turns < last ? o->turns : last;
  m->dates = xcalloc((size_t)m->nturns + 1, sizeof *m->dates);
  for (int k = 0; k <= m->nturns; k++)
    m->dates[k] = brink_turn_date(e, k + 1);
  double x;
  m->has_score = m->nactors > 0 && brink_score(e, 0, &x) != BRINK_ENOTFOUND;
  /* The options that change results, for merge to compare. */
  json_t *opt = json_object(), *pol = json_array(), *sets = json_array(),
         *vars = json_array();
  for (int i = 0; i < o->npolicies; i++)
    json_array_append_new(pol, json_string(o->policies[i]));
  for (int i = 0; i < o->nsets; i++)
    json_array_append_new(sets, json_string(o->sets[i]));
  for (int i = 0; i < o->nvars; i++)
    json_array_append_new(vars, json_string(o->vars[i]));
  json_object_set_new(opt, "policies", pol);
  json_object_set_new(opt, "sets", sets);
  json_object_set_new(opt, "vars", vars);
  json_object_set_new(opt, "turns", json_integer(o->turns));
  json_object_set_new(opt, "max_instructions",
                      json_integer(o->cfg.max_instructions));
  json_object_set_new(opt, "max_memory", json_integer(o->cfg.max_memory));
  json_object_set_new(opt, "max_seconds", json_real(o->cfg.max_seconds));
  m->options = opt;
}

/* A sweep: each --sweep VAR=a,b,c split into its variable and values. */
typedef struct sweep {
  char name[256];
  char **values;
  int nvalues;
} sweep;

static void sweeps_free(sweep *s, int n) {
  for (int i = 0; i < n; i++) {
    for (int k = 0; k < s[i].nvalues; k++) free(s[i].values[k]);
    free(s[i].values);
  }
  free(s);
}

/* Splits and checks every --sweep on 'e' (started); 0 or 2 (reported). */
static int parse_sweeps(const options *o, brink_engine *e, sweep **out,
                        int64_t *combos) {
  sweep *s = xcalloc((size_t)o->nsweeps, sizeof *s);
  *out = s;
  *combos = 1;
  for (int i = 0; i < o->nsweeps; i++) {
    const char *arg = o->sweeps[i], *eq = strchr(arg, '=');
    snprintf(s[i].name, sizeof s[i].name, "%.*s", (int)(eq - arg), arg);
    for (int k = 0; k < i; k++)
      if (strcmp(s[k].name, s[i].name) == 0)
        return usage_error("batch", "--sweep %s: %s is swept twice", arg,
                           s[i].name);
    for (const char *p = eq + 1;; p++) {
      const char *comma = strchr(p, ',');
      size_t n = comma ? (size_t)(comma - p) : strlen(p);
      if (n == 0)
        return usage_error("batch", "--sweep %s: an empty value", arg);
      char assign[512];
      snprintf(assign, sizeof assign, "%s=%.*s", s[i].name, (int)n, p);
      const char *one = assign;
      if (apply_sets("batch", &one, 1, e) != 0) return 2;
      char **more = realloc(s[i].values, sizeof *more *
                                             (size_t)(s[i].nvalues + 1));
      if (more == NULL) return usage_error("batch", "out of memory");
      s[i].values = more;
      s[i].values[s[i].nvalues++] = xstrdup(strchr(assign, '=') + 1);
      if (comma == NULL) break;
      p = comma;
    }
    *combos *= s[i].nvalues;
    if (*combos > 100000)
      return usage_error("batch", "--sweep: more than 100000 combinations");
  }
  return 0;
}

/* Checks the options that only make sense together; 0 or 2 (reported). */
static int check_combinations(const options *o) {
  if (o->shard_n && o->out == NULL)
    return usage_error("batch", "--shard needs --out FILE for the part");
  if (o->out && o->shard_n == 0)
    return usage_error("batch", "--out writes a part: give --shard K/N "
                       "(1/1 for all runs)");
  if (o->shard_n && (o->json || o->plot))
    return usage_error("batch", "--shard writes a part; brink merge prints "
                       "the summary (--json, --plot)");
  if (o->shard_n && o->nsweeps)
    return usage_error("batch", "--shard and --sweep do not mix: shard each "
                       "combination with --set");
  if (o->plot && o->nsweeps)
    return usage_error("batch", "--plot and --sweep do not mix: plot one "
                       "combination with --set");
  return 0;
}

int cmd_batch(int argc, char **argv) {
  options o;
  int rc = parse_options("batch", argc, argv, &o);
  if (rc < 0) return 0;
  if (rc || (rc = check_combinations(&o)) != 0) return rc;
  size_t len;
  char *text = read_scenario(o.file, &len);
  if (text == NULL) {
    term_printf(stderr, "brink batch: cannot read %s\n", o.file);
    return 1;
  }
  brink_engine *e = NULL;
  bmeta m = {0};
  sweep *sw = NULL;
  int *repidx = NULL;
  int64_t combos = 1;
  if (open_scenario_text(&o, o.file, text, len, &e) != 0) {
    free(text);
    return 1;
  }
  if ((rc = apply_choices("batch", &o, e)) != 0) goto done;
  if (o.turns) brink_turn_limit(e, o.turns);
  uint64_t seed = o.has_seed ? o.seed : brink_scenario_seed(e);
  if (brink_start(e, seed) != BRINK_OK) {
    term_printf(stderr, "brink batch: %s\n", brink_errmsg(e));
    rc = 1;
    goto done;
  }
  if ((rc = apply_sets("batch", o.sets, o.nsets, e)) != 0 ||
      (rc = parse_sweeps(&o, e, &sw, &combos)) != 0)
    goto done;
  describe(e, &o, text, len, seed, &m, &repidx);
  m.runs = o.runs ? o.runs : 1000;
  m.series = xcalloc((size_t)o.nvars, sizeof *m.series);
  for (int i = 0; i < o.nvars; i++) {
    int v, seen = 0;
    if (brink_var_find(e, o.vars[i], &v) != BRINK_OK) {
      rc = usage_error("batch", "--var %s: %s", o.vars[i], brink_errmsg(e));
      goto done;
    }
    for (int k = 0; k < m.nseries; k++) seen |= m.series[k] == v;
    if (!seen) m.series[m.nseries++] = v;
  }
  int jobs = o.jobs;
  if (jobs == 0) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    jobs = n < 1 ? 1 : n > 1024 ? 1024 : (int)n;
  }
  /* Shard K of N holds the contiguous runs [(K-1)R/N, KR/N). */
  int64_t first = 0, count = m.runs;
  if (o.shard_n) {
    first = (o.shard_k - 1) * m.runs / o.shard_n;
    count = o.shard_k * m.runs / o.shard_n - first;
  }
  outfile csvf;
  FILE *csv = NULL;
  if (o.csv && (csv = outfile_open(&csvf, o.csv)) == NULL) {
    term_printf(stderr, "brink batch: cannot write %s: out of memory\n",
                o.csv);
    rc = 1;
    goto done;
  }
  bmeta *ms = xcalloc((size_t)combos, sizeof *ms);
  btable *ts = xcalloc((size_t)combos, sizeof *ts);
  bool any_error = false, io_error = false;
  const char *sets[2 * MAX_PAIRS];
  char assign[MAX_PAIRS][512];
  for (int64_t c = 0; c < combos && rc == 0; c++) {
    /* Combination c, the first sweep varying slowest. */
    int nsets = 0;
    for (int i = 0; i < o.nsets; i++) sets[nsets++] = o.sets[i];
    json_t *at = o.nsweeps ? json_object() : NULL;
    int64_t rest = c;
    for (int i = o.nsweeps - 1; i >= 0; i--) {
      const char *val = sw[i].values[rest % sw[i].nvalues];
      rest /= sw[i].nvalues;
      snprintf(assign[i], sizeof assign[i], "%s=%s", sw[i].name, val);
    }
    for (int i = 0; i < o.nsweeps; i++) {
      sets[nsets++] = assign[i];
      const char *eq = strchr(assign[i], '=');
      json_object_set_new(at, sw[i].name, json_string(eq + 1));
    }
    ms[c] = m;   /* shares m's arrays; only 'sweep' is its own */
    ms[c].sweep = at;
    table_alloc(&m, &ts[c], first, count);
    /* Every trigger and outcome, so those that never happen show as 0. */
    for (int i = 0; i < brink_outcome_count(e); i++)
      table_outcome(&ts[c], brink_outcome_name(e, i));
    for (int i = 0; i < brink_trigger_count(e); i++)
      table_trigger(&ts[c], brink_trigger_name(e, i), 0);
    char label[64];
    snprintf(label, sizeof label, "sweep %lld/%lld", (long long)c + 1,
             (long long)combos);
    batch b = {.o = &o, .m = &ms[c], .t = &ts[c], .path = o.file,
               .text = text, .len = len, .sets = sets, .nsets = nsets,
               .nmoves = brink_move_count(e), .repidx = repidx,
               .label = o.nsweeps ? label : NULL, .perturb = -1};
    b.nvruns = verify_sample(seed, m.runs, first, count, &b.vruns);
    /* A hook for the tests alone: spoils the batch's digest of run K, as
       a run that read state left behind by the one before would. */
    const char *hook = getenv("BRINK_TEST_PERTURB_RUN");
    if (hook) b.perturb = strtoll(hook, NULL, 10) - first;
    rc = run_table(&b, jobs);
    if (rc == 0) rc = verify(&b, jobs);
    vruns_free(b.vruns, b.nvruns);
    if (rc) break;
    for (int64_t i = 0; i < count; i++)
      if (ts[c].error[i]) any_error = true;
    if (csv && write_csv_rows(csv, &ms[c], &ts[c], e, c == 0) != 0)
      io_error = true;
    if (o.shard_n) {
      if (write_part(o.out, &ms[c], &ts[c], e, o.shard_k, o.shard_n) != 0)
        rc = 1;
    } else if (o.json) {
      json_t *j = summary_json(&ms[c], &ts[c]);
      if (print_json(stdout, j) != 0) io_error = true;
      json_decref(j);
    } else {
      if (c) putchar('\n');
      summary_text(stdout, &ms[c], &ts[c]);
    }
  }
  if (rc == 0 && o.nsweeps && !o.json) {
    putchar('\n');
    sweep_table(stdout, ms, ts, (int)combos);
  }
  if (rc == 0 && o.plot && write_plot(o.plot, &ms[0], &ts[0]) != 0) rc = 1;
  char err[600];
  if (csv && rc == 0 && outfile_close(&csvf, err, sizeof err) != 0) {
    term_printf(stderr, "brink batch: cannot write %s: %s\n", o.csv, err);
    rc = 1;
  } else if (csv && rc) {
    fclose(csv);   /* a failed batch leaves the old file as it was */
    free(csvf.buf);
  }
  if (fflush(stdout) != 0) io_error = true;
  if (io_error && rc == 0) {
    term_printf(stderr, "brink batch: could not write the results\n");
    rc = 1;
  }
  if (rc == 0 && any_error) rc = 1;
  for (int64_t c = 0; c < combos; c++) {
    json_decref(ms[c].sweep);
    table_free(&ts[c]);
  }
  free(ms);
  free(ts);
done:
  sweeps_free(sw, o.nsweeps);
  free(repidx);
  meta_free(&m);
  brink_engine_close(e);
  free(text);
  return rc;
}
