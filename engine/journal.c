/*
** journal.c: transactions.  Every change made inside a transaction is
** journaled in order; a rollback undoes them newest first, and the
** outermost commit hands them to the timeline.  Outside any transaction a
** change is handed over at once.
*/
#include <string.h>

#include "brinkint.h"

static const char *current_cause(const brink_engine *e) {
  const brink__call *c = &e->current;
  switch (c->in) {
  case BRINK__IN_MOVE: return e->moves[c->index].cause;
  case BRINK__IN_TRIGGER: return e->triggers[c->index].cause;
  case BRINK__IN_EVENT: return e->events[c->index].cause;
  case BRINK__IN_HOOK:
    return e->hooks[c->index].when == BRINK__TURN_START ? "hook:turn_start"
                                                        : "hook:turn_end";
  default: return e->cause;
  }
}

void brink__record(const brink_engine *e, brink_record *r, int kind) {
  if (e->on_record) brink__record_blank(e, r, kind);
}

void brink__record_blank(const brink_engine *e, brink_record *r, int kind) {
  memset(r, 0, sizeof *r);
  r->size = sizeof *r;
  r->kind = kind;
  r->turn = e->run.turn;
  r->date = brink_date(e);
  r->actor = r->move = r->target = r->var = -1;
  r->id = r->text = r->cause = r->where = r->in = "";
}

static void tell(brink_engine *e, brink_record *r) {
  e->in_record++;
  e->on_record(e->on_record_ud, r);
  e->in_record--;
}

int brink__emit(brink_engine *e, brink_record *r) {
  if (e->on_record) {
    locale_t host = brink__host_locale(e);
    tell(e, r);
    brink__step_locale(e, host);
  }
  return BRINK_OK;
}

/* The bytes of 'entries' journal entries and 'text' bytes of news. */
static int64_t held(int entries, size_t text) {
  return (int64_t)(sizeof(brink__entry) * (size_t)entries + text);
}

static void flush(brink_engine *e) {
  locale_t host = e->on_record && e->nentries ? brink__host_locale(e) : 0;
  for (int i = 0; e->on_record && i < e->nentries; i++) {
    const brink__entry *en = &e->journal[i];
    brink_record r;
    switch (en->kind) {
    case BRINK__J_SET:
      brink__record(e, &r, BRINK_REC_SET);
      r.var = en->var;
      r.old_value = en->old_value;
      r.new_value = en->new_value;
      r.cause = en->cause;
      break;
    case BRINK__J_BELIEF:
      brink__record(e, &r, BRINK_REC_BELIEF);
      r.actor = en->actor;
      r.var = en->var;
      r.lo = en->new_value;
      r.hi = en->new_hi;
      r.cause = en->cause;
      break;
    case BRINK__J_NEWS:
      brink__record(e, &r, BRINK_REC_NEWS);
      r.text = e->text + en->text;
      break;
    default:
      brink__record(e, &r, BRINK_REC_EVENT);
      r.id = e->events[en->text].name;
      break;
    }
    tell(e, &r);
  }
  brink__step_locale(e, host);
  brink__hold(e, -held(e->nentries, e->ntext), 0);
  e->nentries = 0;
  e->ntext = 0;
}

int brink__journal_add(brink_engine *e, const brink__entry *en) {
  if (e->nmarks == 0 && e->on_record == NULL) return BRINK_OK;
  int rc = brink__hold(e, held(1, 0), BRINK__COST_ENTRY);
  if (rc) return rc;
  if (brink__grow(e, (void **)&e->journal, &e->cap_entries, e->nentries + 1,
                  sizeof *en)) {
    brink__hold(e, -held(1, 0), 0);
    return brink__error(e, BRINK_ENOMEM, "out of memory");
  }
  brink__entry *slot = &e->journal[e->nentries++];
  *slot = *en;
  if ((slot->kind == BRINK__J_SET || slot->kind == BRINK__J_BELIEF) &&
      slot->cause == NULL)
    slot->cause = current_cause(e);
  if (e->nmarks == 0) flush(e);
  return BRINK_OK;
}

int brink__news(brink_engine *e, const char *text, size_t len) {
  if (e->read_only)
    return brink__error(e, BRINK_ESTATE,
                        "conditions are read-only: news() is not allowed here");
  if (e->nmarks == 0 && e->on_record == NULL) return BRINK_OK;
  int rc = brink__hold(e, held(0, len + 1),
                       (int64_t)(len / BRINK__COST_BYTES));
  if (rc) return rc;
  if (e->ntext + len + 1 > e->cap_text) {
    size_t ncap = e->cap_text ? e->cap_text : 256;
    while (ncap < e->ntext + len + 1) ncap *= 2;
    char *bigger = brink__realloc(e, e->text, e->cap_text, ncap);
    if (bigger == NULL) {
      brink__hold(e, -held(0, len + 1), 0);
      return brink__error(e, BRINK_ENOMEM, "out of memory");
    }
    e->text = bigger;
    e->cap_text = ncap;
  }
  size_t at = e->ntext;
  memcpy(e->text + at, text, len);
  e->text[at + len] = '\0';
  e->ntext += len + 1;
  brink__entry en = {.kind = BRINK__J_NEWS, .var = -1, .text = at};
  rc = brink__journal_add(e, &en);
  if (rc) {
    brink__hold(e, -held(0, len + 1), 0);
    e->ntext = at;
  }
  return rc;
}

BRINK_API int brink_txn_begin(brink_engine *e) {
  BRINK__WRITE(e);
  if (brink__grow(e, (void **)&e->marks, &e->cap_marks, e->nmarks + 1,
                  sizeof(brink__mark)))
    return brink__error(e, BRINK_ENOMEM, "out of memory");
  brink__mark *m = &e->marks[e->nmarks++];
  m->entries = e->nentries;
  m->text = e->ntext;
  m->schedule = e->nsched;
  m->rng = e->run.rng;
  m->outcome = e->run.pending_outcome;
  /* Draws of a failed effect are undone in every stream it drew from. */
  m->nstreams = e->run.nstreams;
  for (int i = 0; i < m->nstreams; i++) m->streams[i] = e->run.streams[i].rng;
  return BRINK_OK;
}

BRINK_API int brink_txn_commit(brink_engine *e) {
  BRINK__WRITE(e);
  if (e->nmarks == 0)
    return brink__error(e, BRINK_ESTATE, "commit without a transaction");
  if (--e->nmarks == 0) flush(e);
  return BRINK_OK;
}

BRINK_API int brink_txn_rollback(brink_engine *e) {
  BRINK__WRITE(e);
  if (e->nmarks == 0)
    return brink__error(e, BRINK_ESTATE, "rollback without a transaction");
  const brink__mark *m = &e->marks[--e->nmarks];
  for (int i = e->nentries - 1; i >= m->entries; i--) {
    const brink__entry *en = &e->journal[i];
    if (en->kind == BRINK__J_SET) {
      brink__note_change(e, en->var);
      e->values[en->var] = en->old_value;
      e->version[en->var] = ++e->clock;
    } else if (en->kind == BRINK__J_BELIEF) {
      double *b = &e->belief[2 * brink__belief_slot(e, en->var, en->actor)];
      b[0] = en->old_value;
      b[1] = en->old_hi;
      e->belief_from = ++e->clock;
    }
  }
  brink__hold(e, -held(e->nentries - m->entries, e->ntext - m->text), 0);
  e->nentries = m->entries;
  e->ntext = m->text;
  brink__sched_truncate(e, m->schedule);
  e->run.rng = m->rng;
  e->run.pending_outcome = m->outcome;
  e->run.nstreams = m->nstreams;
  for (int i = 0; i < m->nstreams; i++) e->run.streams[i].rng = m->streams[i];
  return BRINK_OK;
}

BRINK_API int brink_txn_depth(const brink_engine *e) { return e->nmarks; }

void brink__journal_free(brink_engine *e) {
  brink__free(e, e->journal, sizeof(brink__entry) * (size_t)e->cap_entries);
  brink__free(e, e->text, e->cap_text);
  brink__free(e, e->marks, sizeof(brink__mark) * (size_t)e->cap_marks);
}
