/*
** snapshot.c: the state of a run as one block of bytes.  Values, fired
** triggers and the fixed part of the run are copied as they lie; the
** schedule follows, each entry with its data.  Restoring checks the shape
** first and allocates before it changes anything, so a refused snapshot
** leaves the engine as it was.
*/
#include <string.h>

#include "brinkint.h"

#define SNAP_MAGIC 0x504e53424b4e5242ull   /* "BRNKSNBP" */
/* Bumped whenever the layout changes: an old snapshot is refused, not
   misread. */
#define SNAP_VERSION 4   /* 4: beliefs after the values */

typedef struct snap_header {
  uint64_t magic;
  uint64_t size;         /* of the whole snapshot */
  uint32_t version;
  int32_t nvars, ntriggers, nsched;
  unsigned char digest[32];   /* the scenario's, brink__digest */
  brink__run run;
  int32_t odds_move;     /* a pending brink_odds is part of the run */
  double odds_p;
} snap_header;

/* A snapshot keeps the allocator it was made with, not the engine, so it
   may outlive the engine that took it. */
struct brink_snapshot {
  brink_alloc alloc;
  void *alloc_ud;
  size_t size;
  unsigned char bytes[];
};

typedef struct sched_header {
  int32_t due, event;
  uint32_t seq, len;     /* len 0: no data, else strlen + 1 */
} sched_header;

/* The schedule's bytes: each entry, then its data. */
static size_t sched_size(const brink_engine *e) {
  size_t n = 0;
  for (int i = e->sched_head; i < e->nsched; i++)
    n += sizeof(sched_header) +
         (e->sched[i].data ? strlen(e->sched[i].data) + 1 : 0);
  return n;
}

/* The values, beliefs and fired triggers, as they lie; the schedule
   follows. */
static size_t body_fixed(const brink_engine *e) {
  return sizeof(double) * (size_t)e->nvars +
         sizeof(double) * 2 * (size_t)e->nbelief + (size_t)e->ntriggers;
}

static size_t body_size(const brink_engine *e) {
  return body_fixed(e) + sched_size(e);
}

static void body_write(const brink_engine *e, unsigned char *p) {
  memcpy(p, e->values, sizeof(double) * (size_t)e->nvars);
  p += sizeof(double) * (size_t)e->nvars;
  memcpy(p, e->belief, sizeof(double) * 2 * (size_t)e->nbelief);
  p += sizeof(double) * 2 * (size_t)e->nbelief;
  memcpy(p, e->fired, (size_t)e->ntriggers);
  p += e->ntriggers;
  for (int i = e->sched_head; i < e->nsched; i++) {
    const brink__sched *q = &e->sched[i];
    sched_header sh = {q->due, q->event, q->seq,
                       q->data ? (uint32_t)strlen(q->data) + 1 : 0};
    memcpy(p, &sh, sizeof sh);
    p += sizeof sh;
    if (sh.len) memcpy(p, q->data, sh.len);
    p += sh.len;
  }
}

static int refuse(brink_engine *e, const char *why) {
  return brink__error(e, BRINK_EFORMAT, "snapshot refused: %s", why);
}

/*
** Puts back a body of 'nsched' entries in [p, end), checking it first and
** reading the schedule into new memory, so that a refusal changes nothing.
*/
static int body_read(brink_engine *e, const unsigned char *p,
                     const unsigned char *end, int nsched) {
  size_t beliefs = sizeof(double) * 2 * (size_t)e->nbelief;
  size_t fixed = body_fixed(e);
  if (nsched < 0 || fixed > (size_t)(end - p)) return refuse(e, "damaged");
  const unsigned char *q = p;
  p += fixed;
  brink__sched *sched = NULL;
  int cap = 0, n = 0, rc = BRINK_OK;
  if (nsched &&
      brink__grow(e, (void **)&sched, &cap, nsched, sizeof *sched))
    return brink__error(e, BRINK_ENOMEM, "out of memory");
  for (; n < nsched; n++) {
    sched_header sh;
    if ((size_t)(end - p) < sizeof sh) { rc = refuse(e, "damaged"); break; }
    memcpy(&sh, p, sizeof sh);
    p += sizeof sh;
    if (sh.event < 0 || sh.event >= e->nevents || (size_t)(end - p) < sh.len ||
        (sh.len && p[sh.len - 1] != '\0')) {
      rc = refuse(e, "damaged schedule");
      break;
    }
    sched[n] = (brink__sched){sh.due, sh.event, sh.seq, NULL};
    if (sh.len && (sched[n].data = brink__strdup(e, (const char *)p)) == NULL) {
      rc = brink__error(e, BRINK_ENOMEM, "out of memory");
      break;
    }
    p += sh.len;
  }
  if (rc == BRINK_OK && p != end) rc = refuse(e, "damaged");
  if (rc != BRINK_OK) {
    for (int i = 0; i < n; i++) brink__strfree(e, sched[i].data);
    brink__free(e, sched, sizeof *sched * (size_t)cap);
    return rc;
  }
  brink__sched_replace(e, sched, n, cap);
  memcpy(e->values, q, sizeof(double) * (size_t)e->nvars);
  q += sizeof(double) * (size_t)e->nvars;
  memcpy(e->belief, q, beliefs);
  memcpy(e->fired, q + beliefs, (size_t)e->ntriggers);
  e->valid_from = ++e->clock;
  return BRINK_OK;
}

BRINK_API int brink_snapshot_take(brink_engine *e, brink_snapshot **out) {
  if (out == NULL) return brink__error(e, BRINK_EINVAL, "out is NULL");
  *out = NULL;
  BRINK__WHOLE(e);
  if (!e->sealed) return brink__error(e, BRINK_ESTATE, "no world to copy");
  if (e->nmarks)
    return brink__error(e, BRINK_ESTATE, "a transaction is open");
  snap_header h;
  memset(&h, 0, sizeof h);
  int rc = brink__digest(e, h.digest);
  if (rc != BRINK_OK) return rc;
  size_t size = sizeof h + body_size(e);
  brink_snapshot *s = e->alloc(e->alloc_ud, NULL, 0, sizeof *s + size);
  if (s == NULL) {
    e->alloc_failures++;
    return brink__error(e, BRINK_ENOMEM, "out of memory");
  }
  s->alloc = e->alloc;
  s->alloc_ud = e->alloc_ud;
  s->size = size;
  h.magic = SNAP_MAGIC;
  h.version = SNAP_VERSION;
  h.size = size;
  h.nvars = e->nvars;
  h.ntriggers = e->ntriggers;
  h.nsched = e->nsched - e->sched_head;
  h.run = e->run;
  h.odds_move = e->odds_move;
  h.odds_p = e->odds_p;
  memcpy(s->bytes, &h, sizeof h);
  body_write(e, s->bytes + sizeof h);
  *out = s;
  return BRINK_OK;
}

BRINK_API size_t brink_snapshot_size(const brink_snapshot *s) {
  return s ? s->size : 0;
}

BRINK_API const void *brink_snapshot_data(const brink_snapshot *s) {
  return s ? s->bytes : NULL;
}

BRINK_API void brink_snapshot_free(brink_snapshot *s) {
  if (s) s->alloc(s->alloc_ud, s, sizeof *s + s->size, 0);
}

BRINK_API int brink_snapshot_restore(brink_engine *e,
                                     const brink_snapshot *s) {
  BRINK__WRITE(e);
  if (s == NULL) return brink__error(e, BRINK_EINVAL, "snapshot is NULL");
  if (!e->sealed) return brink__error(e, BRINK_ESTATE, "no world to restore");
  if (e->nmarks)
    return brink__error(e, BRINK_ESTATE, "a transaction is open");
  snap_header h;
  if (s->size < sizeof h) return refuse(e, "too short");
  memcpy(&h, s->bytes, sizeof h);
  if (h.magic != SNAP_MAGIC || h.size != s->size)
    return refuse(e, "not a snapshot");
  if (h.version != SNAP_VERSION)
    return refuse(e, "made by another version of brink");
  unsigned char digest[32];
  int rc = brink__digest(e, digest);
  if (rc != BRINK_OK) return rc;
  if (memcmp(digest, h.digest, sizeof digest) != 0 ||
      h.nvars != e->nvars || h.ntriggers != e->ntriggers)
    return refuse(e, "taken from a different scenario");
  if (h.nsched < 0 || sizeof h + body_fixed(e) > s->size)
    return refuse(e, "damaged");
  if (h.odds_move != -1 &&
      (h.odds_move < 1 || h.odds_move >= e->nmoves ||
       !(h.odds_p >= 0 && h.odds_p <= 1)))
    return refuse(e, "damaged odds");
  rc = body_read(e, s->bytes + sizeof h, s->bytes + s->size, h.nsched);
  if (rc != BRINK_OK) return rc;
  e->run = h.run;
  e->odds_move = h.odds_move;
  e->odds_p = h.odds_p;
  return BRINK_OK;
}

/*
** brink_step's copy of the state, in a block kept from step to step, so
** that being undoable costs a step no allocation and no digest: the run,
** the odds, the number of entries in the schedule, then a snapshot's
** body.  The block is the engine's own, outside the memory it counts, as
** a snapshot is.
*/
typedef struct keep_header {
  brink__run run;
  int odds_move, nsched;
  double odds_p;
} keep_header;

int brink__keep(brink_engine *e) {
  size_t size = sizeof(keep_header) + body_size(e);
  if (size > e->kept_cap) {
    unsigned char *p = e->alloc(e->alloc_ud, e->kept, e->kept_cap, size);
    if (p == NULL) {
      e->alloc_failures++;
      return brink__error(e, BRINK_ENOMEM, "out of memory");
    }
    e->kept = p;
    e->kept_cap = size;
  }
  keep_header *h = (keep_header *)e->kept;
  memcpy(&h->run, &e->run, sizeof h->run);
  h->odds_move = e->odds_move;
  h->nsched = e->nsched - e->sched_head;
  h->odds_p = e->odds_p;
  body_write(e, e->kept + sizeof *h);
  e->kept_size = size;
  return BRINK_OK;
}

int brink__keep_restore(brink_engine *e) {
  const keep_header *h = (const keep_header *)e->kept;
  int rc = body_read(e, e->kept + sizeof *h, e->kept + e->kept_size,
                     h->nsched);
  if (rc != BRINK_OK) return rc;
  memcpy(&e->run, &h->run, sizeof e->run);
  e->odds_move = h->odds_move;
  e->odds_p = h->odds_p;
  return BRINK_OK;
}

void brink__keep_free(brink_engine *e) {
  if (e->kept) e->alloc(e->alloc_ud, e->kept, e->kept_cap, 0);
  e->kept = NULL;
  e->kept_cap = e->kept_size = 0;
}

/* Re-declares a world made through the C API (no script host). */
static int copy_declarations(brink_engine *e, brink_engine *c) {
  int rc = BRINK_OK;
  for (int i = 0; i < e->nactors && rc == BRINK_OK; i++)
    rc = brink_actor_add(c, e->actors[i].id, e->actors[i].name, NULL);
  for (int i = 0; i < e->ndecls && rc == BRINK_OK; i++) {
    const brink__decl *d = &e->decls[i];
    brink_var_spec s;
    brink_var_spec_init(&s);
    s.name = d->name;
    s.type = d->type;
    s.relation = d->kind == BRINK__RELATION;
    s.symmetric = d->symmetric;
    s.min = d->min;
    s.max = d->max;
    s.init = d->init;
    s.values = (const char *const *)d->values;
    s.nvalues = d->nvalues;
    s.visibility = d->visibility;
    s.visible_to = (const char *const *)d->visible_to;
    s.nvisible = d->nvisible;
    s.doc = d->doc;
    s.where = d->where;
    s.precision = d->precision;
    s.strict = d->strict;
    int decl;
    rc = brink_var_declare(c, &s, &decl);
    for (int k = 0; k < d->ninits && rc == BRINK_OK; k++)
      rc = brink_var_init_for(c, decl, d->inits[k].actor, d->inits[k].init);
    for (int k = 0; k < d->nbelieved && rc == BRINK_OK; k++)
      rc = brink_var_believed(c, decl, d->believed[k].actor,
                              d->believed[k].lo, d->believed[k].hi);
  }
  if (rc == BRINK_OK) rc = brink_calendar_set(c, e->start, e->finish, e->unit);
  if (rc == BRINK_OK) rc = brink_world_seal(c);
  return rc;
}

BRINK_API int brink_engine_clone(brink_engine *e, brink_engine **out) {
  if (out == NULL) return brink__error(e, BRINK_EINVAL, "out is NULL");
  *out = NULL;
  BRINK__WHOLE(e);
  if (!e->sealed) return brink__error(e, BRINK_ESTATE, "nothing to clone");
  brink_snapshot *snap;
  int rc = brink_snapshot_take(e, &snap);
  if (rc) return rc;
  brink_engine *c;
  rc = brink_engine_open(&c, &e->cfg);
  if (rc) {
    brink_snapshot_free(snap);
    return brink__error(e, rc, "out of memory");
  }
  rc = e->host.clone ? brink__host_clone(e, c) : copy_declarations(e, c);
  c->turn_limit = e->turn_limit;
  c->stop_decisions = e->stop_decisions;
  c->hold = e->hold;
  for (int i = 0; rc == BRINK_OK && i < e->nactors && i < c->nactors; i++) {
    c->actors[i].control = e->actors[i].control;
    c->actors[i].policy = e->actors[i].policy;
  }
  if (rc == BRINK_OK) rc = brink_snapshot_restore(c, snap);
  brink_snapshot_free(snap);
  if (rc != BRINK_OK) {
    brink__error(e, rc, "clone failed: %s", brink_errmsg(c));
    brink_engine_close(c);
    return rc;
  }
  *out = c;
  return BRINK_OK;
}
