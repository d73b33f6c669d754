/*
** state.c: the state of a run piece by piece, for saves a person can read,
** and a host's interventions.  Snapshots copy the same state as bytes.
*/
#include <string.h>

#include "brinkint.h"

/* The whole position, in this library's version of the struct. */
static void position_of(const brink_engine *e, brink_position *out) {
  const brink__run *r = &e->run;
  memset(out, 0, sizeof *out);
  out->size = sizeof *out;
  out->turn = r->turn;
  out->phase = r->phase;
  out->index = r->index;
  out->moves_made = r->moves_made;
  out->awaiting = r->awaiting;
  out->outcome = r->outcome;
  out->pending_outcome = r->pending_outcome;
  out->sched_seq = r->sched_seq;
  out->seed = r->seed;
  memcpy(out->rng, r->rng.s, sizeof out->rng);
}

BRINK_API int brink_position_get(const brink_engine *e, brink_position *out) {
  brink_position p;
  position_of(e, &p);
  return brink__struct_out(e, out, &p, sizeof p, "brink_position");
}

static int bad(brink_engine *e, const char *field, long long v) {
  return brink__error(e, BRINK_ERANGE, "position: %s %lld is out of range",
                      field, v);
}

/* How far 'index' may go in each phase. */
static int phase_limit(const brink_engine *e, int phase) {
  switch (phase) {
  case BRINK__PH_START: case BRINK__PH_END: return e->nhooks;
  case BRINK__PH_MOVES: return e->nactors;
  case BRINK__PH_DATE_TRIGGERS: case BRINK__PH_COND_TRIGGERS:
    return e->ntriggers;
  case BRINK__PH_OUTCOMES: return e->noutcomes;
  default: return 0;
  }
}

int brink__position_check(brink_engine *e, const brink_position *p) {
  if (p->turn < 1 || p->turn > brink_turn_count(e))
    return bad(e, "turn", p->turn);
  if (p->phase < BRINK__PH_IDLE || p->phase > BRINK__PH_DONE)
    return bad(e, "phase", p->phase);
  if (p->index < 0 || p->index > phase_limit(e, p->phase))
    return bad(e, "index", p->index);
  if (p->moves_made < 0 || p->moves_made > e->moves_per_turn)
    return bad(e, "moves_made", p->moves_made);
  if (p->awaiting < -1 || p->awaiting >= e->nactors ||
      (p->awaiting >= 0 && p->phase != BRINK__PH_MOVES))
    return bad(e, "awaiting", p->awaiting);
  if (p->outcome < -2 || p->outcome >= e->noutcomes ||
      (p->outcome != -1) != (p->phase == BRINK__PH_DONE))
    return bad(e, "outcome", p->outcome);
  if (p->pending_outcome < -1 || p->pending_outcome >= e->noutcomes)
    return bad(e, "pending_outcome", p->pending_outcome);
  if ((p->rng[0] | p->rng[1] | p->rng[2] | p->rng[3]) == 0)
    return brink__error(e, BRINK_ERANGE, "position: the generator state "
                        "cannot be all zero");
  return BRINK_OK;
}

void brink__position_apply(brink_engine *e, const brink_position *p) {
  brink__run *r = &e->run;
  r->turn = p->turn;
  r->phase = p->phase;
  r->index = p->index;
  r->moves_made = p->moves_made;
  r->awaiting = p->awaiting;
  r->outcome = p->outcome;
  r->pending_outcome = p->pending_outcome;
  r->sched_seq = p->sched_seq;
  r->seed = p->seed;
  memcpy(r->rng.s, p->rng, sizeof p->rng);
  /* A position names the run's own generator: its streams begin again
     (brink_stream_set puts saved ones back). */
  r->nstreams = 0;
  e->valid_from = ++e->clock;
}

BRINK_API int brink_position_set(brink_engine *e, const brink_position *p) {
  BRINK__WRITE(e);
  /* Fields an older caller does not know keep their current values. */
  brink_position pos;
  position_of(e, &pos);
  int rc = brink__struct_in(e, &pos, sizeof pos, p, "brink_position");
  if (rc != BRINK_OK) return rc;
  if (!e->sealed) return brink__error(e, BRINK_ESTATE, "no scenario loaded");
  if (e->nmarks) return brink__error(e, BRINK_ESTATE, "a transaction is open");
  rc = brink__position_check(e, &pos);
  if (rc != BRINK_OK) return rc;
  brink__position_apply(e, &pos);
  return BRINK_OK;
}

BRINK_API int brink_trigger_count(const brink_engine *e) {
  return e->ntriggers;
}

BRINK_API const char *brink_trigger_name(const brink_engine *e, int i) {
  return i >= 0 && i < e->ntriggers ? e->triggers[i].name
                                     : brink__bad_name(e, "trigger", i);
}

BRINK_API int brink_trigger_fired(const brink_engine *e, int i) {
  if (i < 0 || i >= e->ntriggers || e->fired == NULL) {
    brink__bad_id(e, "trigger", i);
    return -1;
  }
  return e->fired[i];
}

BRINK_API int brink_trigger_set_fired(brink_engine *e, int i, int fired) {
  BRINK__WRITE(e);
  if (i < 0 || i >= e->ntriggers || e->fired == NULL)
    return brink__error(e, BRINK_EINVAL, "no trigger has id %d", i);
  e->fired[i] = fired != 0;
  return BRINK_OK;
}

BRINK_API int brink_event_count(const brink_engine *e) { return e->nevents; }

BRINK_API const char *brink_event_name(const brink_engine *e, int i) {
  return i >= 0 && i < e->nevents ? e->events[i].name
                                   : brink__bad_name(e, "event", i);
}

BRINK_API int brink_outcome_count(const brink_engine *e) {
  return e->noutcomes;
}

BRINK_API const char *brink_outcome_name(const brink_engine *e, int i) {
  return i >= 0 && i < e->noutcomes ? e->outcomes[i].name
                                     : brink__bad_name(e, "outcome", i);
}

BRINK_API int brink_schedule_count(const brink_engine *e) {
  return e->nsched - e->sched_head;
}

BRINK_API int brink_schedule_get(const brink_engine *e, int i, int *due,
                                 int *event, uint32_t *seq,
                                 const char **data) {
  if (i < 0 || i >= e->nsched - e->sched_head)
    return brink__bad_id(e, "schedule entry", i);
  const brink__sched *s = &e->sched[e->sched_head + i];
  if (due) *due = s->due;
  if (event) *event = s->event;
  if (seq) *seq = s->seq;
  if (data) *data = s->data;
  return BRINK_OK;
}

BRINK_API int brink_schedule_clear(brink_engine *e) {
  BRINK__WRITE(e);
  if (e->nmarks) return brink__error(e, BRINK_ESTATE, "a transaction is open");
  brink__sched_truncate(e, 0);
  return BRINK_OK;
}

BRINK_API int brink_schedule_put(brink_engine *e, int due, int event,
                                 uint32_t seq, const char *data) {
  BRINK__WRITE(e);
  if (event < 0 || event >= e->nevents)
    return brink__error(e, BRINK_EINVAL, "no event has id %d", event);
  if (due < 1) return brink__error(e, BRINK_ERANGE, "due turn %d", due);
  if (data && !brink__data_valid(data))
    return brink__error(e, BRINK_EINVAL, "event data for '%s' is not a "
                        "literal brink writes: %.60s", e->events[event].name,
                        data);
  return brink__sched_put(e, due, event, seq, data);
}

int brink__sched_put(brink_engine *e, int due, int event, uint32_t seq,
                     const char *data) {
  brink__sched s = {due, event, seq, (char *)data};
  int64_t bytes = brink__sched_bytes(&s);
  int rc = brink__hold(e, bytes, 0);
  if (rc) return rc;
  s.data = NULL;
  if (brink__grow(e, (void **)&e->sched, &e->cap_sched, e->nsched + 1,
                  sizeof(brink__sched)) ||
      (data && (s.data = brink__strdup(e, data)) == NULL)) {
    brink__hold(e, -bytes, 0);
    return brink__error(e, BRINK_ENOMEM, "out of memory");
  }
  e->sched[e->nsched++] = s;
  return BRINK_OK;
}

BRINK_API int brink_news(brink_engine *e, const char *text) {
  BRINK__WRITE(e);
  if (text == NULL) return brink__error(e, BRINK_EINVAL, "text is NULL");
  if (e->run.phase == BRINK__PH_IDLE || e->run.phase == BRINK__PH_DONE)
    return brink__error(e, BRINK_ESTATE, "no run is under way");
  return brink__news(e, text, strlen(text));
}

BRINK_API int brink_odds_get(const brink_engine *e, int *move, double *p) {
  if (move) *move = e->odds_move;
  if (p) *p = e->odds_move >= 0 ? e->odds_p : -1;
  return BRINK_OK;
}

BRINK_API const char *brink_outcome_doc(const brink_engine *e, int i) {
  if (i < 0 || i >= e->noutcomes) return brink__bad_name(e, "outcome", i);
  return e->outcomes[i].doc ? e->outcomes[i].doc : "";
}

BRINK_API int brink_odds(brink_engine *e, int move, double p) {
  BRINK__WRITE(e);
  if (move < 1 || move >= e->nmoves)
    return brink__error(e, BRINK_EINVAL, "no move has id %d", move);
  if (p > 1) p = 1;
  e->odds_move = p < 0 ? -1 : move;
  e->odds_p = p;
  return BRINK_OK;
}
