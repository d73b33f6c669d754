/*
** saved.c: the whole restorable state of a run as portable bytes
** (brink_state_save / brink_state_load).  Unlike a snapshot, which is a
** copy of memory for the same process, a saved state is written field by
** field in little-endian order, so it reads back on any machine; it
** carries the setup the engine knows (seed, seats and policies, turn
** limit) and ends with a sha256 of everything before it, so damage is
** found before anything is read.  Loading checks every field by the same
** rules as the calls that set them, builds the new schedule aside, and
** only then changes the engine: a refused state leaves it as it was.
*/
#include <ctype.h>
#include <math.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brinkint.h"
#include "buffer.h"
#include "sha256.h"

static const unsigned char MAGIC[8] = {'B', 'R', 'N', 'K', 'S', 'T', 'A', 'T'};
/* 2: named streams; 3: beliefs; older ones are still read. */
#define STATE_VERSION 3
#define NO_DATA UINT32_MAX

/* buffers ---------------------------------------------------------------- */

/*
** A buffer handed to the host remembers the allocator that made it, so
** brink_buffer_free needs no engine and works after it is closed.
*/
typedef struct buffer_head {
  alignas(max_align_t) brink_alloc alloc;
  void *ud;
  size_t size;
} buffer_head;

static void *buffer_new(brink_engine *e, size_t size) {
  buffer_head *h = e->alloc(e->alloc_ud, NULL, 0, sizeof *h + size);
  if (h == NULL) {
    e->alloc_failures++;
    return NULL;
  }
  *h = (buffer_head){e->alloc, e->alloc_ud, size};
  return h + 1;
}

void *brink__buffer_dup(const brink_engine *e, const void *data, size_t len) {
  brink_alloc alloc = e ? e->alloc : brink__default_alloc;
  void *ud = e ? e->alloc_ud : NULL;
  buffer_head *h = alloc(ud, NULL, 0, sizeof *h + len + 1);
  if (h == NULL) return NULL;
  *h = (buffer_head){alloc, ud, len + 1};
  memcpy(h + 1, data, len);
  ((char *)(h + 1))[len] = '\0';
  return h + 1;
}

BRINK_API void brink_buffer_free(void *p) {
  if (p == NULL) return;
  buffer_head *h = (buffer_head *)p - 1;
  h->alloc(h->ud, h, sizeof *h + h->size, 0);
}

/* writing ---------------------------------------------------------------- */

/* Counts when 'p' is NULL, so the same code sizes and writes. */
typedef struct writer {
  unsigned char *p;
  size_t len;
} writer;

static void put(writer *w, const void *src, size_t n) {
  if (w->p && n) memcpy(w->p + w->len, src, n);
  w->len += n;
}

static void put_u64(writer *w, uint64_t v) {
  unsigned char b[8];
  for (int i = 0; i < 8; i++) b[i] = (unsigned char)(v >> (8 * i));
  put(w, b, 8);
}

static void put_u32(writer *w, uint32_t v) {
  unsigned char b[4];
  for (int i = 0; i < 4; i++) b[i] = (unsigned char)(v >> (8 * i));
  put(w, b, 4);
}

static void put_i32(writer *w, int32_t v) { put_u32(w, (uint32_t)v); }

static void put_f64(writer *w, double d) {
  uint64_t u;
  memcpy(&u, &d, sizeof u);
  put_u64(w, u);
}

static void write_state(brink_engine *e, const unsigned char digest[32],
                        writer *w) {
  put(w, MAGIC, sizeof MAGIC);
  put_u32(w, STATE_VERSION);
  put(w, digest, 32);
  /* setup */
  put_i32(w, e->turn_limit);
  put_i32(w, e->nactors);
  for (int i = 0; i < e->nactors; i++) {
    put_i32(w, e->actors[i].control);
    put_i32(w, e->actors[i].policy);
  }
  /* position, with the seed and the generator */
  brink_position pos;
  pos.size = sizeof pos;
  brink_position_get(e, &pos);
  put_i32(w, pos.turn);
  put_i32(w, pos.phase);
  put_i32(w, pos.index);
  put_i32(w, pos.moves_made);
  put_i32(w, pos.awaiting);
  put_i32(w, pos.outcome);
  put_i32(w, pos.pending_outcome);
  put_u32(w, pos.sched_seq);
  put_u64(w, pos.seed);
  for (int i = 0; i < 4; i++) put_u64(w, pos.rng[i]);
  put_i32(w, e->nvars);
  for (int i = 0; i < e->nvars; i++) put_f64(w, e->values[i]);
  put_i32(w, e->ntriggers);
  put(w, e->fired, (size_t)e->ntriggers);
  put_i32(w, e->nsched - e->sched_head);
  for (int i = e->sched_head; i < e->nsched; i++) {
    const brink__sched *s = &e->sched[i];
    put_i32(w, s->due);
    put_i32(w, s->event);
    put_u32(w, s->seq);
    size_t n = s->data ? strlen(s->data) : 0;
    put_u32(w, s->data ? (uint32_t)n : NO_DATA);
    put(w, s->data, n);
  }
  put_i32(w, e->odds_move);
  put_f64(w, e->odds_move >= 0 ? e->odds_p : -1);
  put_i32(w, e->run.nstreams);
  for (int i = 0; i < e->run.nstreams; i++) {
    const brink__stream *st = &e->run.streams[i];
    put_u32(w, (uint32_t)strlen(st->name));
    put(w, st->name, strlen(st->name));
    for (int k = 0; k < 4; k++) put_u64(w, st->rng.s[k]);
  }
  put_i32(w, e->nbelief);
  for (int i = 0; i < 2 * e->nbelief; i++) put_f64(w, e->belief[i]);
}

BRINK_API int brink_state_save(brink_engine *e, void **out, size_t *len) {
  if (out) *out = NULL;
  if (len) *len = 0;
  BRINK__WHOLE(e);
  if (out == NULL || len == NULL)
    return brink__error(e, BRINK_EINVAL, "brink_state_save: out and len "
                        "are needed");
  if (!e->sealed) return brink__error(e, BRINK_ESTATE, "no scenario loaded");
  if (e->nmarks)
    return brink__error(e, BRINK_ESTATE, "a transaction is open: its "
                        "changes are not part of the state yet");
  for (int i = e->sched_head; i < e->nsched; i++)
    if (e->sched[i].data && strlen(e->sched[i].data) >= NO_DATA)
      return brink__error(e, BRINK_ERANGE, "event data over 4 GiB");
  unsigned char digest[32];
  int rc = brink__digest(e, digest);
  if (rc != BRINK_OK) return rc;
  writer w = {NULL, 0};
  write_state(e, digest, &w);
  unsigned char *p = buffer_new(e, w.len + 32);
  if (p == NULL) return brink__error(e, BRINK_ENOMEM, "out of memory");
  w = (writer){p, 0};
  write_state(e, digest, &w);
  brink__sha256(p, w.len, p + w.len);
  *out = p;
  *len = w.len + 32;
  return BRINK_OK;
}

/* reading ---------------------------------------------------------------- */

typedef struct reader {
  const unsigned char *p, *end;
  bool short_;
} reader;

static const unsigned char *take(reader *r, size_t n) {
  if ((size_t)(r->end - r->p) < n) {
    r->short_ = true;
    r->p = r->end;
    return NULL;
  }
  const unsigned char *q = r->p;
  r->p += n;
  return q;
}

static uint64_t get_u64(reader *r) {
  const unsigned char *b = take(r, 8);
  uint64_t v = 0;
  for (int i = 0; b && i < 8; i++) v |= (uint64_t)b[i] << (8 * i);
  return v;
}

static uint32_t get_u32(reader *r) {
  const unsigned char *b = take(r, 4);
  uint32_t v = 0;
  for (int i = 0; b && i < 4; i++) v |= (uint32_t)b[i] << (8 * i);
  return v;
}

static int32_t get_i32(reader *r) {
  uint32_t u = get_u32(r);
  int32_t v;
  memcpy(&v, &u, sizeof v);
  return v;
}

static double get_f64(reader *r) {
  uint64_t u = get_u64(r);
  double d;
  memcpy(&d, &u, sizeof d);
  return d;
}

static int refuse(brink_engine *e, const char *why) {
  return brink__error(e, BRINK_EFORMAT, "saved state refused: %s", why);
}

/* Everything read, checked, before the engine changes. */
typedef struct loaded {
  int32_t turn_limit;
  int32_t *control;      /* [nactors * 2]: control, policy */
  brink_position pos;
  const unsigned char *values, *fired;
  brink__sched *sched;
  int nsched, cap_sched;
  int32_t odds_move;
  double odds_p;
  int nstreams;
  brink__stream streams[BRINK__MAX_STREAMS];
  const unsigned char *beliefs;   /* NULL: as they start (before 3) */
} loaded;

static void loaded_free(brink_engine *e, loaded *l) {
  for (int i = 0; i < l->nsched; i++) brink__strfree(e, l->sched[i].data);
  brink__free(e, l->sched, sizeof *l->sched * (size_t)l->cap_sched);
  brink__free(e, l->control, sizeof(int32_t) * 2 * (size_t)e->nactors);
}

static int read_setup(brink_engine *e, reader *r, loaded *l) {
  l->turn_limit = get_i32(r);
  if (l->turn_limit < 0) return refuse(e, "a negative turn limit");
  if (get_i32(r) != e->nactors) return refuse(e, "another number of actors");
  if (e->nactors &&
      (l->control = brink__alloc(e, sizeof(int32_t) * 2 *
                                        (size_t)e->nactors)) == NULL)
    return brink__error(e, BRINK_ENOMEM, "out of memory");
  for (int i = 0; i < e->nactors; i++) {
    int32_t control = get_i32(r), policy = get_i32(r);
    bool ok = control == BRINK__AI || control == BRINK__SEAT ||
              control == BRINK__POLICY;
    if (policy < -1 || policy >= e->npolicies ||
        (control == BRINK__POLICY &&
         (policy < 0 || (e->policies[policy].actor >= 0 &&
                         e->policies[policy].actor != i))))
      ok = false;
    if (!ok && !r->short_) return refuse(e, "an actor's control is invalid");
    l->control[2 * i] = control;
    l->control[2 * i + 1] = policy;
  }
  return BRINK_OK;
}

static int read_position(brink_engine *e, reader *r, loaded *l) {
  brink_position *p = &l->pos;
  p->size = sizeof *p;
  p->turn = get_i32(r);
  p->phase = get_i32(r);
  p->index = get_i32(r);
  p->moves_made = get_i32(r);
  p->awaiting = get_i32(r);
  p->outcome = get_i32(r);
  p->pending_outcome = get_i32(r);
  p->sched_seq = get_u32(r);
  p->seed = get_u64(r);
  for (int i = 0; i < 4; i++) p->rng[i] = get_u64(r);
  if (r->short_) return refuse(e, "truncated");
  if (brink__position_check(e, p) != BRINK_OK) {
    char why[300];
    snprintf(why, sizeof why, "%s", brink_errmsg(e));
    return refuse(e, why);
  }
  return BRINK_OK;
}

static int read_values(brink_engine *e, reader *r, loaded *l) {
  if (get_i32(r) != e->nvars) return refuse(e, "another number of variables");
  l->values = take(r, sizeof(double) * (size_t)e->nvars);
  if (l->values == NULL) return refuse(e, "truncated");
  reader v = {l->values, r->p, false};
  for (int i = 0; i < e->nvars; i++) {
    double x = get_f64(&v), y = x;
    /* Only a value the type rules leave as it is was ever stored. */
    if (brink__check_value(e, i, &y) != BRINK_OK || !(x == y) ||
        signbit(x) != signbit(y)) {
      char why[300];
      snprintf(why, sizeof why, "the value of %s breaks its type's rules",
               e->vars[i].name);
      return refuse(e, why);
    }
  }
  if (get_i32(r) != e->ntriggers) return refuse(e, "another number of "
                                                "triggers");
  l->fired = take(r, (size_t)e->ntriggers);
  if (l->fired == NULL) return refuse(e, "truncated");
  for (int i = 0; i < e->ntriggers; i++)
    if (l->fired[i] > 1) return refuse(e, "a trigger's fired flag is not 0 "
                                       "or 1");
  return BRINK_OK;
}

static int read_schedule(brink_engine *e, reader *r, loaded *l) {
  int32_t n = get_i32(r);
  if (r->short_) return refuse(e, "truncated");
  /* Each entry takes at least 16 bytes: a count past that is damage. */
  if (n < 0 || (size_t)n > (size_t)(r->end - r->p) / 16)
    return refuse(e, "a damaged schedule");
  if (n && brink__grow(e, (void **)&l->sched, &l->cap_sched, n,
                       sizeof *l->sched))
    return brink__error(e, BRINK_ENOMEM, "out of memory");
  for (int i = 0; i < n; i++) {
    /* One by one: an initializer's order of evaluation is unspecified. */
    brink__sched s = {0, 0, 0, NULL};
    s.due = get_i32(r);
    s.event = get_i32(r);
    s.seq = get_u32(r);
    uint32_t len = get_u32(r);
    if (r->short_) return refuse(e, "truncated");
    if (s.due < 1 || s.event < 0 || s.event >= e->nevents)
      return refuse(e, "a damaged schedule entry");
    if (len != NO_DATA) {
      const unsigned char *text = take(r, len);
      if (text == NULL) return refuse(e, "truncated");
      if (memchr(text, '\0', len)) return refuse(e, "damaged event data");
      if ((s.data = brink__alloc(e, (size_t)len + 1)) == NULL)
        return brink__error(e, BRINK_ENOMEM, "out of memory");
      memcpy(s.data, text, len);
      s.data[len] = '\0';
      l->sched[l->nsched++] = s;
      if (!brink__data_valid(s.data))
        return refuse(e, "event data that is not a literal brink writes");
    } else {
      l->sched[l->nsched++] = s;
    }
  }
  return BRINK_OK;
}

static int read_odds(brink_engine *e, reader *r, loaded *l) {
  l->odds_move = get_i32(r);
  l->odds_p = get_f64(r);
  if (r->short_) return refuse(e, "truncated");
  if (l->odds_move == -1 ? l->odds_p != -1
                         : l->odds_move < 1 || l->odds_move >= e->nmoves ||
                               !(l->odds_p >= 0 && l->odds_p <= 1))
    return refuse(e, "the pending odds are invalid");
  return BRINK_OK;
}

/* The named streams, each checked as brink_stream_set checks one. */
static int read_streams(brink_engine *e, reader *r, loaded *l) {
  int32_t n = get_i32(r);
  if (r->short_ || n < 0 || n > BRINK__MAX_STREAMS)
    return refuse(e, "the number of random streams is invalid");
  for (int i = 0; i < n; i++) {
    brink__stream *st = &l->streams[i];
    uint32_t len = get_u32(r);
    const unsigned char *name = len < BRINK__STREAM_NAME ? take(r, len) : NULL;
    if (name == NULL || len == 0) return refuse(e, "a stream's name is invalid");
    memset(st, 0, sizeof *st);
    memcpy(st->name, name, len);
    for (int k = 0; k < 4; k++) st->rng.s[k] = get_u64(r);
    if (r->short_) return refuse(e, "truncated");
    bool ok = strlen(st->name) == len &&
              (st->rng.s[0] | st->rng.s[1] | st->rng.s[2] | st->rng.s[3]);
    for (const char *c = st->name; ok && *c; c++)
      ok = isalnum((unsigned char)*c) || strchr("_-.", *c);
    for (int k = 0; ok && k < i; k++)
      ok = strcmp(l->streams[k].name, st->name) != 0;
    if (!ok) return refuse(e, "a random stream is invalid");
  }
  l->nstreams = n;
  return BRINK_OK;
}

/* Each belief as it started or one brink_belief_set could have made. */
static int read_beliefs(brink_engine *e, reader *r, loaded *l) {
  if (get_i32(r) != e->nbelief) return refuse(e, "another number of beliefs");
  l->beliefs = take(r, sizeof(double) * 2 * (size_t)e->nbelief);
  if (l->beliefs == NULL) return refuse(e, "truncated");
  reader b = {l->beliefs, r->p, false};
  for (int v = 0; v < e->nvars; v++) {
    if (e->belief_first[v] < 0) continue;
    for (int a = 0; a < e->nactors; a++) {
      int s = e->belief_first[v] + a;
      b.p = l->beliefs + sizeof(double) * 2 * (size_t)s;
      double lo = get_f64(&b), hi = get_f64(&b), x = lo, y = hi;
      if (lo == e->belief_start[2 * s] && hi == e->belief_start[2 * s + 1])
        continue;
      if (brink__check_value(e, v, &x) != BRINK_OK || x != lo ||
          brink__check_value(e, v, &y) != BRINK_OK || y != hi || lo > hi) {
        char why[300];
        snprintf(why, sizeof why, "what %s believes of %s is not a range "
                 "of its values", e->actors[a].id, e->vars[v].name);
        return refuse(e, why);
      }
    }
  }
  return BRINK_OK;
}

static int read_state(brink_engine *e, const unsigned char *data, size_t len,
                      loaded *l) {
  if (len < sizeof MAGIC + 4 + 32 + 32 ||
      memcmp(data, MAGIC, sizeof MAGIC) != 0)
    return refuse(e, "not a saved state of brink");
  unsigned char sum[32];
  brink__sha256(data, len - 32, sum);
  if (memcmp(sum, data + len - 32, 32) != 0)
    return refuse(e, "damaged (its checksum does not match)");
  reader r = {data + sizeof MAGIC, data + len - 32, false};
  uint32_t version = get_u32(&r);
  if (version < 1 || version > STATE_VERSION)
    return refuse(e, "written by another version of brink");
  unsigned char digest[32];
  int rc = brink__digest(e, digest);
  if (rc != BRINK_OK) return rc;
  if (memcmp(take(&r, 32), digest, 32) != 0)
    return refuse(e, "saved from another scenario (its digest differs)");
  if ((rc = read_setup(e, &r, l)) || (rc = read_position(e, &r, l)) ||
      (rc = read_values(e, &r, l)) || (rc = read_schedule(e, &r, l)) ||
      (rc = read_odds(e, &r, l)) ||
      (version >= 2 && (rc = read_streams(e, &r, l))) ||
      (version >= 3 && (rc = read_beliefs(e, &r, l))))
    return rc;
  if (r.p != r.end) return refuse(e, "bytes after the end");
  return BRINK_OK;
}

BRINK_API int brink_state_load(brink_engine *e, const void *data,
                               size_t len) {
  BRINK__WRITE(e);
  if (data == NULL) return brink__error(e, BRINK_EINVAL, "data is NULL");
  if (!e->sealed) return brink__error(e, BRINK_ESTATE, "no scenario loaded");
  if (e->nmarks)
    return brink__error(e, BRINK_ESTATE, "a transaction is open");
  loaded l;
  memset(&l, 0, sizeof l);
  int rc = read_state(e, data, len, &l);
  if (rc != BRINK_OK) {
    loaded_free(e, &l);
    return rc;
  }
  /* Nothing below fails. */
  e->turn_limit = l.turn_limit;
  for (int i = 0; i < e->nactors; i++) {
    e->actors[i].control = l.control[2 * i];
    e->actors[i].policy = l.control[2 * i + 1];
  }
  brink__position_apply(e, &l.pos);
  reader v = {l.values, l.values + sizeof(double) * (size_t)e->nvars, false};
  for (int i = 0; i < e->nvars; i++) e->values[i] = get_f64(&v);
  memcpy(e->fired, l.fired, (size_t)e->ntriggers);
  brink__sched_replace(e, l.sched, l.nsched, l.cap_sched);
  l.sched = NULL;
  l.nsched = l.cap_sched = 0;
  e->odds_move = l.odds_move;
  e->odds_p = l.odds_p;
  e->run.nstreams = l.nstreams;
  memcpy(e->run.streams, l.streams, sizeof l.streams);
  reader b = {l.beliefs,
              l.beliefs + sizeof(double) * 2 * (size_t)e->nbelief, false};
  for (int i = 0; i < 2 * e->nbelief; i++)
    e->belief[i] = l.beliefs ? get_f64(&b) : e->belief_start[i];
  e->valid_from = ++e->clock;
  loaded_free(e, &l);
  return BRINK_OK;
}
