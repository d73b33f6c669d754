/*
** batch.c: many seeded runs of one scenario on every core (brink batch).
**
** Worker threads each open their own engine (the library has no global
** state) and load the scenario once from the same bytes, then take run
** numbers from a shared counter: brink_start() resets the world by copying
** and brink_step() plays it out.  Each run's results go to a slot of a
** window of a few hundred runs, and leave it in run order, into the
** table's counts and sums and the CSV: so what the batch keeps does not
** grow with the runs, and does not depend on how many workers there were
** or which finished first.
**
** A sample of the runs is played again as soon as each is played, in an
** engine of its own loaded afresh, and its records compared with the
** batch's: a run that differs read state that outlived the run before it
** on the same worker.  Only the verdict is kept.
*/
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "batch.h"

typedef struct pass pass;

/* A run played, waiting in the window for the runs before it. */
typedef struct slot {
  int64_t run;             /* row of the table */
  bool done;
  const char *outcome;     /* the worker's copy of its name */
  int32_t turn;            /* the end record's */
  int first_action;
  double *row;             /* as fold_row() takes it */
  double *series;          /* nseries x (nturns + 1) */
  char err[1024];          /* "file:line: in: message", or "" */
  int32_t split[2];        /* the lengths of "file:line" and "in" */
  sbuf csv;                /* the run's CSV row */
} slot;

/*
** A run of the sample, as the batch played it: each record's own digest
** and kind, so that a re-play can name the first record that differs
** without the log being kept.
*/
typedef struct vrun {
  int64_t row;             /* in the table */
  int64_t nrec;
  uint64_t *rec;           /* the first 64 bits of each record's SHA-256 */
  uint8_t *kind;           /* enum brink_record_kind of each */
  size_t cap;
  /* The re-play: the first record (from 0) that differs, -1 if none, and
     its text there (NULL: the re-play had no such record). */
  int64_t differs;
  char *got;
  int was;                 /* the kind of the batch's record there, -1 */
  bool failed;             /* the fresh engine did not load */
} vrun;

typedef struct worker {
  pass *b;
  int index;
  pthread_t thread;
  brink_engine *e;
  brink_snapshot *from;    /* continuations: the state each run goes on from */
  int64_t *moves;          /* nactors x nmoves: times chosen */
  int64_t *cover, *run_cover;  /* brink_coverage: the runs' sum, one run's
                                  (nmoves legal, then nvars writes, then
                                  nvars clamps) */
  char **trig;             /* triggers seen, with the runs they fired in */
  int64_t *trig_runs, *trig_last;
  int ntrig;
  char **outs;             /* outcome names seen */
  int nouts;
  int64_t run;             /* row being played */
  int out;                 /* its outcome, an index into 'outs' */
  int32_t end_turn;
  int first_action;        /* the row's first record's move: -2 before
                              the first record, -1 when it was not a move */
  vrun *vr;                /* the row's digest, when it is in the sample */
  char *buf;               /* a record's JSON text */
  size_t cap;
  bool oom;                /* an allocation failed: the batch fails */
  int status;              /* why the engine did not load */
  char err[512];
} worker;

/* One combination of a batch being played. */
struct pass {
  const batch *batch;
  const bmeta *m;
  btable *t;
  const char *const *sets;
  int nsets;
  int nmoves;                    /* the engine's move count */
  const int *repidx;             /* actor x move id -> index in its 'rep' */
  slot *win;                     /* run i waits in win[i % nwin] */
  int64_t nwin, retired;         /* runs before 'retired' have left it */
  pthread_mutex_t lock;          /* the window and the table */
  pthread_cond_t moved;          /* 'retired' grew, or 'stop' was set */
  pthread_cond_t ended;          /* every run retired, or 'stop' was set */
  bool oom;                      /* the table ran out of memory */
  atomic_llong next, done;
  atomic_int stop;
  const char *label;             /* progress prefix, e.g. "sweep 2/6" */
  vrun *vruns;                   /* the sample, by row */
  int64_t nvruns;
  int64_t perturb;               /* test hook: the row to spoil, or -1 */
};

static void replay_one(const pass *b, vrun *v);

/* An index into a worker-local list of names, added when new; -1 when out
   of memory. */
static int intern(char ***names, int *n, const char *name) {
  for (int i = 0; i < *n; i++)
    if (strcmp((*names)[i], name) == 0) return i;
  char **more = realloc(*names, sizeof *more * (size_t)(*n + 1));
  if (more == NULL) return -1;
  *names = more;
  if (((*names)[*n] = strdup(name)) == NULL) return -1;
  return (*n)++;
}

static void note_trigger(worker *w, const char *id) {
  int n = w->ntrig, k = intern(&w->trig, &w->ntrig, id);
  if (k < 0) {
    w->oom = true;
    return;
  }
  if (k == n) {
    int64_t *runs = realloc(w->trig_runs, sizeof *runs * (size_t)(n + 1));
    int64_t *last = runs ? realloc(w->trig_last, sizeof *last * (size_t)(n + 1))
                         : NULL;
    if (runs) w->trig_runs = runs;
    if (last == NULL) {
      free(w->trig[--w->ntrig]);
      w->oom = true;
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

/* Of a record's text: collisions only hide a difference, and 64 bits make
   that one chance in 2^64 for each record. */
static uint64_t record_digest(const char *text, size_t len) {
  char hex[65];
  brink__sha256_hex(text, len, hex);
  hex[16] = '\0';
  return strtoull(hex, NULL, 16);
}

/* Adds record 'r' of 'e' to the digests of 'v'; -1 when out of memory. */
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
  v->rec[v->nrec] = record_digest(*buf, (size_t)n);
  v->kind[v->nrec++] = (uint8_t)r->kind;
  return 0;
}

static void on_record(void *ud, const brink_record *r) {
  worker *w = ud;
  int nm = w->b->nmoves;
  if (w->first_action == -2 && r->kind != BRINK_REC_MOVE)
    w->first_action = -1;
  if (w->vr && digest_add(w->vr, w->e, r, &w->buf, &w->cap) != 0)
    w->vr->failed = true;
  const batch_config *c = &w->b->batch->c;
  if (c->run_record) c->run_record(c->run_ud, w->index, w->e, w->run, r);
  switch (r->kind) {
  case BRINK_REC_MOVE:
    if (r->actor >= 0 && r->move >= 0 && r->move < nm)
      w->moves[(size_t)r->actor * (size_t)nm + (size_t)r->move]++;
    if (w->first_action == -2 &&
        brink_action_find(w->e, r->move, r->target, &w->first_action) != 0)
      w->first_action = -1;
    break;
  case BRINK_REC_TRIGGER:
    note_trigger(w, r->id);
    break;
  case BRINK_REC_END:
    if ((w->out = intern(&w->outs, &w->nouts, r->id)) < 0) w->oom = true;
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
** into 'err' (else "") and brink_finish with "error".  A continuation
** instead restores 'from' (NULL: 'e' stands there already), is reseeded
** and goes on from there, a decision awaited when it was saved made by
** the actor's own controller.  With 'w', the --var series are sampled
** into 'series' after each turn; the turns before the state's get its
** values.  'split' gets the lengths of the message's "file:line" and
** "trigger:name" parts.
*/
static void play_row(const pass *b, brink_engine *e, const brink_snapshot *from,
                     int64_t i, worker *w, double *series, char *err,
                     size_t cap, int32_t split[2]) {
  const bmeta *m = b->m;
  uint64_t seed = run_seed(m, b->t->first + i);
  int filled = 0, rc;
  if (m->continued) {
    rc = from ? brink_snapshot_restore(e, from) : BRINK_OK;
    if (rc == BRINK_OK) rc = brink_seed(e, seed);
  } else {
    rc = brink_start(e, seed);
  }
  /* Checked on the first engine already: only memory can fail here. */
  if (rc == BRINK_OK && presets_apply(e, b->sets, b->nsets, err, cap) != 0)
    rc = BRINK_EINVAL;
  while (rc == BRINK_OK && series && filled < brink_turn(e) &&
         filled <= m->nturns)
    sample(w, series, filled++);
  /*
  ** A decision awaited in the state is made first, by 'first_move' or the
  ** actor's controller, and the run is then reseeded with the next
  ** SplitMix64 output: two continuations that differ in that decision
  ** alone draw the same numbers again from there (common random numbers
  ** for /preview), whatever each decision drew.
  */
  const batch_config *c = &b->batch->c;
  if (rc == BRINK_OK && m->continued && brink_awaiting(e) >= 0) {
    rc = c->has_first ? brink_choose(e, c->first_move, c->first_target)
                      : brink_decide(e);
    if (rc == BRINK_OK) rc = brink_seed(e, splitmix64(seed));
  }
  while (rc == BRINK_OK || rc == BRINK_AWAIT) {
    rc = rc == BRINK_AWAIT ? brink_decide(e) : brink_step(e);
    int k = brink_turn(e) - 1;   /* turn k is over */
    if (rc == BRINK_OK && series && k == filled && k <= m->nturns)
      sample(w, series, filled++);
  }
  *err = '\0';
  split[0] = split[1] = 0;
  if (rc != BRINK_DONE) {
    split[0] = (int32_t)strlen(brink_errwhere(e));
    split[1] = (int32_t)strlen(brink_errin(e));
    snprintf(err, cap, "%s%s%s%s%s", brink_errwhere(e),
             *brink_errwhere(e) ? ": " : "", brink_errin(e),
             *brink_errin(e) ? ": " : "", brink_errmsg(e));
    /* A message cut short by 'cap' may end inside its parts: a part
       named by 'split' always lies wholly inside the text. */
    size_t len = strlen(err), at = split[0] ? (size_t)split[0] + 2 : 0;
    if (at > len) split[0] = split[1] = 0;
    else if (split[1] && at + (size_t)split[1] + 2 > len) split[1] = 0;
    brink_finish(e, "error");
  }
  /* After the end the world stands still: the last values carry on. */
  while (series && filled <= m->nturns) sample(w, series, filled++);
}

/* The sample's digest of row i, or NULL when i is not in the sample. */
static vrun *sampled(const pass *b, int64_t i) {
  int64_t lo = 0, hi = b->nvruns;
  while (lo < hi) {
    int64_t mid = lo + (hi - lo) / 2;
    if (b->vruns[mid].row < i) lo = mid + 1;
    else hi = mid;
  }
  return lo < b->nvruns && b->vruns[lo].row == i ? &b->vruns[lo] : NULL;
}

/* The coverage of the run just played, added to the worker's sum. */
static void add_coverage(worker *w) {
  int nm = w->b->nmoves, nv = w->b->m->nvars, n;
  if (w->cover == NULL ||
      brink_coverage(w->e, BRINK_COVER_LEGAL, w->run_cover, nm, &n) != 0 ||
      brink_coverage(w->e, BRINK_COVER_WRITES, w->run_cover + nm, nv, &n) !=
          0 ||
      brink_coverage(w->e, BRINK_COVER_CLAMPS, w->run_cover + nm + nv, nv,
                     &n) != 0)
    return;   /* not a scenario loaded: cannot be, it ran */
  for (int k = 0; k < nm + 2 * nv; k++) w->cover[k] += w->run_cover[k];
}

/* Stops the batch: workers waiting for the window wake to see it. */
static void halt(pass *b) {
  pthread_mutex_lock(&b->lock);
  atomic_store(&b->stop, 1);
  pthread_cond_broadcast(&b->moved);
  pthread_cond_broadcast(&b->ended);
  pthread_mutex_unlock(&b->lock);
}

/* Run i's slot, once the run that had it has left; NULL when stopped. */
static slot *claim(pass *b, int64_t i) {
  pthread_mutex_lock(&b->lock);
  while (i >= b->retired + b->nwin && !atomic_load(&b->stop))
    pthread_cond_wait(&b->moved, &b->lock);
  pthread_mutex_unlock(&b->lock);
  return atomic_load(&b->stop) ? NULL : &b->win[i % b->nwin];
}

/* Errors by message, for brink check: so many kinds at most. */
#define MAX_GROUPS 256

static int group_error(btable *t, const berror *e) {
  for (int g = 0; g < t->ngroups; g++) {
    bgroup *x = &t->groups[g];
    if (strcmp(x->e.msg, e->msg) != 0) continue;
    if (x->n < 3) x->runs[x->n] = e->run;
    x->n++;
    return 0;
  }
  if (t->ngroups == MAX_GROUPS) return 0;
  bgroup *more = realloc(t->groups, sizeof *more * (size_t)(t->ngroups + 1));
  if (more == NULL) return -1;
  t->groups = more;
  bgroup *x = &t->groups[t->ngroups];
  *x = (bgroup){.e = *e, .runs = {e->run}, .n = 1};
  if ((x->e.msg = strdup(e->msg)) == NULL) return -1;
  t->ngroups++;
  return 0;
}

/* Slot 's' leaves the window, in run order: into the table and the CSV. */
static void retire(pass *b, slot *s) {
  const bmeta *m = b->m;
  btable *t = b->t;
  int64_t i = s->run;
  int k = table_outcome(t, s->outcome);
  if (k < 0) {
    b->oom = true;
    return;
  }
  t->out_count[k]++;
  if (t->outcome) t->outcome[i] = k;
  if (t->first_action) t->first_action[i] = s->first_action;
  s->row[0] = k;
  for (int v = 0; v < m->nvars; v++) hist_add(m, t, v, s->row[1 + v]);
  size_t points = (size_t)m->nturns + 1;
  for (size_t p = 0; p < (size_t)m->nseries * points; p++)
    t->shist[p][hist_bin(m, m->series[p / points], s->series[p])]++;
  if (fold_row(m, t, t->first + i, s->row) != 0) b->oom = true;
  if (*s->err) {
    berror e = {t->first + i, s->err, s->split[0], s->split[1]};
    t->nerrors++;
    if (keep_error(t, &e) != 0 || group_error(t, &e) != 0) b->oom = true;
  }
  FILE *csv = b->batch->c.csv;
  if (csv && s->csv.n) fwrite(s->csv.s, 1, s->csv.n, csv);
}

/* Slot 's' is played: it and those after it that are leave in order. */
static void finish(pass *b, slot *s) {
  pthread_mutex_lock(&b->lock);
  s->done = true;
  slot *x;
  while (b->retired < b->t->count &&
         (x = &b->win[b->retired % b->nwin])->done) {
    retire(b, x);
    x->done = false;
    b->retired++;
  }
  if (b->oom) atomic_store(&b->stop, 1);
  pthread_cond_broadcast(&b->moved);
  if (b->retired == b->t->count || atomic_load(&b->stop))
    pthread_cond_broadcast(&b->ended);
  pthread_mutex_unlock(&b->lock);
}

static void play_one(worker *w, int64_t i, slot *s) {
  pass *b = w->b;
  const bmeta *m = b->m;
  brink_engine *e = w->e;
  w->run = i;
  w->out = -1;
  w->end_turn = 0;
  w->first_action = -2;
  w->vr = sampled(b, i);
  s->run = i;
  play_row(b, e, w->from, i, w, m->nseries ? s->series : NULL, s->err,
           sizeof s->err, s->split);
  if (*s->err && w->out < 0) w->out = intern(&w->outs, &w->nouts, "error");
  add_coverage(w);
  if (b->batch->c.run_end)
    b->batch->c.run_end(b->batch->c.run_ud, w->index, e, i);
  if (w->vr && i == b->perturb && w->vr->nrec > 0)
    /* As if the run had read a value left behind by the one before. */
    w->vr->rec[w->vr->nrec - 1] ^= 1;
  if (w->vr) {   /* the verdict now, and the digests' room back */
    vrun *v = w->vr;
    if (!v->failed) replay_one(b, v);
    v->was = v->differs >= 0 && v->differs < v->nrec ? v->kind[v->differs]
                                                     : -1;
    free(v->rec);
    free(v->kind);
    v->rec = NULL;
    v->kind = NULL;
  }
  w->vr = NULL;
  if (w->out < 0) w->out = intern(&w->outs, &w->nouts, "error");
  if (w->out < 0) {
    w->oom = true;
    return;
  }
  s->outcome = w->outs[w->out];
  s->turn = w->end_turn;
  s->first_action = w->first_action < 0 ? -1 : w->first_action;
  double *fin = s->row + 1;
  for (int v = 0; v < m->nvars; v++) brink_var_get(e, v, &fin[v]);
  for (int a = 0; m->has_score && a < m->nactors; a++)
    if (brink_score(e, a, &fin[m->nvars + a]) != BRINK_OK)
      fin[m->nvars + a] = NAN;
  if (b->batch->c.csv) {
    s->csv.n = 0;
    csv_row(&s->csv, m, run_seed(m, b->t->first + i), s->outcome, s->turn,
            fin, e);
    if (s->csv.bad) w->oom = true;
  }
}

int batch_load(const batch *b, brink_engine **out, char *err, size_t cap) {
  const batch_config *c = &b->c;
  brink_engine *e;
  *out = NULL;
  int rc = brink_engine_open(&e, &c->cfg);
  if (rc != BRINK_OK) {
    snprintf(err, cap, "%s", brink_strerror(rc));
    return rc;
  }
  for (int i = 0; rc == BRINK_OK && i < c->nimports; i++)
    rc = brink_import_add(e, c->import_names[i], c->import_texts[i],
                          c->import_lens[i]);
  if (rc == BRINK_OK) rc = brink_load_string(e, c->path, c->text, c->len);
  if (rc == BRINK_ENOMEM) {
    brink_engine_close(e);
    return rc;
  }
  if (rc != BRINK_OK) {
    /* Every diagnostic, a line each, as brink check shows them. */
    int n = brink_diag_count(e);
    size_t len = 0;
    snprintf(err, cap, "%s", n ? "" : brink_errmsg(e));
    for (int i = 0; i < n && len < cap; i++)
      len += (size_t)snprintf(err + len, cap - len, "%s%s", i ? "\n" : "",
                              brink_diag_get(e, i));
    brink_engine_close(e);
    return BRINK_ESCRIPT;
  }
  if (c->from && (rc = brink_state_load(e, c->from, c->from_len)) != 0) {
    snprintf(err, cap, "the state to go on from: %s", brink_errmsg(e));
    brink_engine_close(e);
    return rc == BRINK_ENOMEM ? rc : BRINK_EFORMAT;
  }
  /* Nobody sits at a table in a continuation: the AI plays the seats. */
  for (int a = 0; c->from && a < brink_actor_count(e); a++)
    if (brink_seated(e, a) == 1) brink_seat(e, a, 0);
  for (int i = 0; i < c->npolicies; i++) {
    if ((rc = policy_apply(e, c->policies[i])) != BRINK_OK) {
      rc = rc == BRINK_ENOMEM ? BRINK_ENOMEM : BRINK_EINVAL;
      snprintf(err, cap, "--policy %s: %s", c->policies[i], brink_errmsg(e));
      brink_engine_close(e);
      return rc;
    }
  }
  if (c->turns) brink_turn_limit(e, c->turns);
  *out = e;
  return 0;
}

static void *work(void *arg) {
  worker *w = arg;
  pass *b = w->b;
  const bmeta *m = b->m;
  if ((w->status = batch_load(b->batch, &w->e, w->err, sizeof w->err)) != 0 ||
      (m->continued && (w->status = brink_snapshot_take(w->e, &w->from)))) {
    halt(b);
    return NULL;
  }
  w->moves = batch_calloc((size_t)m->nactors * (size_t)b->nmoves,
                          sizeof *w->moves);
  if (b->batch->c.coverage && !m->continued) {
    size_t ncover = (size_t)b->nmoves + 2 * (size_t)m->nvars;
    w->cover = batch_calloc(ncover, sizeof *w->cover);
    w->run_cover = batch_calloc(ncover, sizeof *w->run_cover);
    if (w->cover == NULL || w->run_cover == NULL) w->oom = true;
  }
  if (w->moves == NULL) w->oom = true;
  brink_on_record(w->e, on_record, w);
  while (!w->oom && !atomic_load(&b->stop)) {
    int64_t i = atomic_fetch_add(&b->next, 1);
    slot *s = i < b->t->count ? claim(b, i) : NULL;
    if (s == NULL) break;
    play_one(w, i, s);
    if (w->oom) break;
    finish(b, s);
    atomic_fetch_add(&b->done, 1);
  }
  if (w->oom) halt(b);
  return NULL;
}

static double seconds_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void progress(const pass *b, double t0, bool last) {
  const batch_config *c = &b->batch->c;
  if (c->progress)
    c->progress(c->progress_ud, b->label, atomic_load(&b->done), b->t->count,
                seconds_now() - t0, last);
}

/*
** The workers' counts summed into the table (integers: order-free).
** Frees what the workers hold; false when out of memory.
*/
static bool gather(pass *b, worker *ws, int started) {
  const bmeta *m = b->m;
  btable *t = b->t;
  bool ok = true;
  for (int k = 0; k < started; k++) {
    worker *w = &ws[k];
    for (int i = 0; i < w->ntrig; i++) {
      if (ok && table_trigger(t, w->trig[i], w->trig_runs[i]) < 0) ok = false;
      free(w->trig[i]);
    }
    for (int a = 0; w->moves && a < m->nactors; a++)
      for (int mv = 0; mv < b->nmoves; mv++) {
        int r = b->repidx[a * b->nmoves + mv];
        if (r >= 0)
          t->moves[m->rep_off[a] + r] +=
              w->moves[(size_t)a * (size_t)b->nmoves + (size_t)mv];
      }
    for (int mv = 0; w->cover && mv < b->nmoves; mv++)
      t->legal[mv] += w->cover[mv];
    for (int v = 0; w->cover && v < m->nvars; v++) {
      t->writes[v] += w->cover[b->nmoves + v];
      t->clamps[v] += w->cover[b->nmoves + m->nvars + v];
    }
    for (int i = 0; i < w->nouts; i++) free(w->outs[i]);
    free(w->outs);
    free(w->cover);
    free(w->run_cover);
    free(w->trig);
    free(w->trig_runs);
    free(w->trig_last);
    free(w->moves);
    free(w->buf);
    brink_snapshot_free(w->from);
    brink_engine_close(w->e);
  }
  return ok;
}

static void window_free(pass *b) {
  for (int64_t k = 0; b->win && k < b->nwin; k++) {
    free(b->win[k].row);
    free(b->win[k].series);
    free(b->win[k].csv.s);
  }
  free(b->win);
  b->win = NULL;
}

/* The window: room for a few hundred runs ahead of the oldest not done. */
static int window_alloc(pass *b, int jobs) {
  const bmeta *m = b->m;
  b->nwin = jobs < 64 ? 256 : 4 * (int64_t)jobs;
  b->retired = 0;
  b->oom = false;
  b->win = batch_calloc((size_t)b->nwin, sizeof *b->win);
  size_t nseries = (size_t)m->nseries * ((size_t)m->nturns + 1);
  for (int64_t k = 0; b->win && k < b->nwin; k++) {
    b->win[k].row = batch_calloc((size_t)b->t->edge_len, sizeof(double));
    b->win[k].series = batch_calloc(nseries, sizeof(double));
    if (!b->win[k].row || !b->win[k].series) {
      window_free(b);
      return BRINK_ENOMEM;
    }
  }
  return b->win ? 0 : BRINK_ENOMEM;
}

/* Plays rows 0 .. t->count-1 with 'jobs' workers. */
static int run_table(pass *b, int jobs, char *err, size_t cap) {
  btable *t = b->t;
  if (jobs > t->count) jobs = t->count > 0 ? (int)t->count : 1;
  worker *ws = batch_calloc((size_t)jobs, sizeof *ws);
  if (ws == NULL || window_alloc(b, jobs) != 0) {
    free(ws);
    return BRINK_ENOMEM;
  }
  pthread_mutex_init(&b->lock, NULL);
  pthread_cond_init(&b->moved, NULL);
  pthread_cond_init(&b->ended, NULL);
  atomic_init(&b->next, 0);
  atomic_init(&b->done, 0);
  atomic_init(&b->stop, 0);
  int started = 0, rc = 0;
  for (; started < jobs; started++) {
    ws[started].b = b;
    ws[started].index = started;
    if (pthread_create(&ws[started].thread, NULL, work, &ws[started]) != 0) {
      snprintf(err, cap, "cannot start worker thread %d", started + 1);
      halt(b);
      rc = BRINK_ESTATE;
      break;
    }
  }
  /* Progress every tenth of a second, and the end as soon as it comes:
     a batch of a second would otherwise lose a sleep's rest. */
  double t0 = seconds_now();
  pthread_mutex_lock(&b->lock);
  while (b->retired < t->count && !atomic_load(&b->stop) && started > 0) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += 100000000;
    if (until.tv_nsec >= 1000000000) {
      until.tv_sec++;
      until.tv_nsec -= 1000000000;
    }
    pthread_cond_timedwait(&b->ended, &b->lock, &until);
    pthread_mutex_unlock(&b->lock);
    progress(b, t0, false);
    pthread_mutex_lock(&b->lock);
  }
  pthread_mutex_unlock(&b->lock);
  for (int i = 0; i < started; i++) pthread_join(ws[i].thread, NULL);
  progress(b, t0, true);
  if (rc == 0 && b->oom) rc = BRINK_ENOMEM;
  for (int i = 0; rc == 0 && i < started; i++) {
    if (ws[i].oom || ws[i].status == BRINK_ENOMEM) {
      rc = BRINK_ENOMEM;
    } else if (ws[i].status) {
      snprintf(err, cap, "a worker could not load the scenario%s%s",
               *ws[i].err ? ": " : "", ws[i].err);
      rc = BRINK_ESTATE;
    }
  }
  if (!gather(b, ws, started) && rc == 0) rc = BRINK_ENOMEM;
  free(ws);
  window_free(b);
  pthread_cond_destroy(&b->moved);
  pthread_cond_destroy(&b->ended);
  pthread_mutex_destroy(&b->lock);
  return rc;
}
/* verification ----------------------------------------------------------- */

/* One re-played run per this many runs of a batch (see verify_sample). */
#define VERIFY_EVERY 2000

/*
** The runs of a batch of 'runs' runs from 'seed' that are re-played: run
** 0, and when k = floor(runs / VERIFY_EVERY) >= 2, one run drawn from each
** of k - 1 equal slices of runs 1 .. runs-1, by a hash of the seed, the
** run count and the slice.  So the choice depends on nothing but the seed
** and the count (not on --jobs, nor on the shard).  A re-play loads the
** scenario afresh: 9 runs' worth of work for the flagship, 20 to 35 for
** scenarios of a few turns (make bench), so one in 2000 keeps the cost
** under 2% of the batch.  Into 'out' go those in [first, first + count),
** as rows of the table; their number, or -1 when out of memory.
*/
static int64_t verify_sample(uint64_t seed, int64_t runs, int64_t first,
                             int64_t count, vrun **out) {
  int64_t k = runs < 1 ? 0 : runs / VERIFY_EVERY > 1 ? runs / VERIFY_EVERY
                                                      : 1;
  vrun *v = batch_calloc((size_t)k, sizeof *v);
  *out = v;
  if (v == NULL) return -1;
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
      v[n++] = (vrun){.row = run - first, .differs = -1};
  }
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

/* A re-play under way, checked record by record against the batch's. */
typedef struct check {
  vrun *v;
  brink_engine *e;
  char *buf;
  size_t cap;
  int64_t nrec;
} check;

static void on_replay(void *ud, const brink_record *r) {
  check *c = ud;
  vrun *v = c->v;
  int n = record_line(c->e, r, &c->buf, &c->cap);
  if (n < 0) {
    v->failed = true;
    return;
  }
  if (v->differs < 0 &&
      (c->nrec >= v->nrec ||
       record_digest(c->buf, (size_t)n) != v->rec[c->nrec])) {
    v->differs = c->nrec;
    if ((v->got = strdup(c->buf)) == NULL) v->failed = true;
  }
  c->nrec++;
}

/* Plays the row of 'v' again in an engine loaded afresh. */
static void replay_one(const pass *b, vrun *v) {
  brink_engine *e = NULL;
  char msg[1024];
  if (batch_load(b->batch, &e, msg, sizeof msg) != 0) {
    v->failed = true;
    return;
  }
  check c = {.v = v, .e = e};
  int32_t split[2];
  brink_on_record(e, on_replay, &c);
  play_row(b, e, NULL, v->row, NULL, NULL, msg, sizeof msg, split);
  brink_engine_close(e);
  free(c.buf);
  /* A re-play that stopped short differs where it stopped. */
  if (v->differs < 0 && c.nrec != v->nrec) v->differs = c.nrec;
}

static const char *const kind_names[] = {"start", "turn", "move", "set",
                                         "trigger", "event", "news",
                                         "error", "end", "belief"};

/*
** The verdicts on the sample, counted into the table's 'verified'; 0,
** or BRINK_ESCRIPT when a run differs or could not be re-played (the
** first such run in 'err').
*/
static int verify(pass *b, char *err, size_t cap) {
  const bmeta *m = b->m;
  btable *t = b->t;
  for (int64_t k = 0; k < b->nvruns; k++) {
    const vrun *v = &b->vruns[k];
    int64_t run = t->first + v->row;
    unsigned long long seed = run_seed(m, run);
    if (v->failed) {
      snprintf(err, cap, "run %lld (seed %llu) could not be re-played to "
               "verify it (out of memory, or the scenario did not load "
               "again)", (long long)run, seed);
      return BRINK_ESCRIPT;
    }
    if (v->differs < 0) continue;
    char was[64] = "nothing";
    if (v->was >= 0) {
      const char *kind = v->was < 9 ? kind_names[v->was] : "?";
      snprintf(was, sizeof was, "%s \"%s\" record",
               strchr("aeiou", *kind) ? "an" : "a", kind);
    }
    char which[96];
    if (m->continued)
      snprintf(which, sizeof which, "record %lld of continuation %lld "
               "(seed %llu)", (long long)v->differs + 1, (long long)run, seed);
    else
      snprintf(which, sizeof which, "record %lld of brink run --seed %llu "
               "--json", (long long)v->differs + 1, seed);
    snprintf(err, cap, "run %lld is not reproducible: %s differs: the batch "
             "wrote %s, a fresh engine writes %s; is state kept outside the "
             "world, in a script's local or global variable?", (long long)run,
             which, was, v->got ? v->got : "nothing");
    return BRINK_ESCRIPT;
  }
  t->verified = b->nvruns;
  return 0;
}

int batch_run(batch *b, int64_t k, char *err, size_t cap) {
  const batch_config *c = &b->c;
  bmeta *m = &b->ms[k];
  btable *t = &b->ts[k];
  int rc = 0;
  /* Combination k, the first sweep varying slowest. */
  const char **sets = batch_calloc((size_t)(c->nsets + c->nsweeps),
                                   sizeof *sets);
  char (*assign)[512] = batch_calloc((size_t)c->nsweeps, sizeof *assign);
  json_t *at = c->nsweeps ? json_object() : NULL;
  bool bad = sets == NULL || assign == NULL || (c->nsweeps && at == NULL);
  int nsets = 0;
  for (int i = 0; !bad && i < c->nsets; i++) sets[nsets++] = c->sets[i];
  int64_t rest = k;
  for (int i = c->nsweeps - 1; !bad && i >= 0; i--) {
    const batch_sweep *sw = &b->sw[i];
    const char *val = sw->values[rest % sw->nvalues];
    rest /= sw->nvalues;
    snprintf(assign[i], sizeof assign[i], "%s=%s", sw->name, val);
  }
  for (int i = 0; !bad && i < c->nsweeps; i++) {
    sets[nsets++] = assign[i];
    const char *eq = strchr(assign[i], '=');
    jput(at, b->sw[i].name, json_string(eq + 1), &bad);
  }
  *m = b->m;   /* shares m's arrays; only 'sweep' is its own */
  m->sweep = at;
  if (k == 0 && c->csv && write_csv_header(c->csv, m) != 0) bad = true;
  /* Room for the moments of every outcome a run can end in: the
     scenario's, brink's own "end" and "error". */
  if (bad || table_alloc(&b->m, t, b->first, b->count,
                         brink_outcome_count(b->e) + 2) != 0 ||
      ((b->combos > 1 || m->continued) && table_keep_runs(m, t) != 0)) {
    rc = BRINK_ENOMEM;
    goto done;
  }
  t->legal = batch_calloc((size_t)brink_move_count(b->e), sizeof *t->legal);
  t->writes = batch_calloc((size_t)m->nvars, sizeof *t->writes);
  t->clamps = batch_calloc((size_t)m->nvars, sizeof *t->clamps);
  if (!t->legal || !t->writes || !t->clamps) {
    rc = BRINK_ENOMEM;
    goto done;
  }
  /* Every trigger and outcome, so those that never happen show as 0. */
  for (int i = 0; i < brink_outcome_count(b->e); i++)
    if (table_outcome(t, brink_outcome_name(b->e, i)) < 0) bad = true;
  for (int i = 0; i < brink_trigger_count(b->e); i++)
    if (table_trigger(t, brink_trigger_name(b->e, i), 0) < 0) bad = true;
  char label[64];
  snprintf(label, sizeof label, "sweep %lld/%lld", (long long)k + 1,
           (long long)b->combos);
  pass p = {.batch = b, .m = m, .t = t, .sets = sets, .nsets = nsets,
            .nmoves = brink_move_count(b->e), .repidx = b->repidx,
            .label = c->nsweeps ? label : NULL,
            .perturb = c->perturb_run ? c->perturb_run - 1 - b->first : -1};
  p.nvruns = verify_sample(m->seed, m->runs, b->first, b->count, &p.vruns);
  if (bad || p.nvruns < 0) rc = BRINK_ENOMEM;
  if (rc == 0) rc = run_table(&p, b->jobs, err, cap);
  if (rc == 0) rc = verify(&p, err, cap);
  vruns_free(p.vruns, p.nvruns < 0 ? 0 : p.nvruns);
done:
  free(sets);
  free(assign);
  return rc;
}
