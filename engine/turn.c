/*
** turn.c: moves, triggers, events, outcomes and the turn order
** (docs/scenario-language.md writes it out).  Scripts are reached only
** through 'e->host', so the engine knows nothing of Lua.
**
** A step can stop (a seat must choose) and an effect can fail; the loop
** keeps its place in 'e->run' (phase, index) and moves past an item before
** running it, so the next step goes on after the item that stopped it.
*/
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "brinkint.h"

#define CACHE_ON(e) (((e)->cfg.flags & BRINK_FLAG_NO_CACHE) == 0)

/* calls into scripts ----------------------------------------------------- */

int brink__call_name(const brink_engine *e, const brink__call *c, char *buf,
                     size_t cap) {
  int n;
  switch (c->in) {
  case BRINK__IN_MOVE:
  case BRINK__IN_WEIGHT:
    n = snprintf(buf, cap, "move:%s", e->moves[c->index].name);
    break;
  case BRINK__IN_TRIGGER:
    n = snprintf(buf, cap, "trigger:%s", e->triggers[c->index].name);
    break;
  case BRINK__IN_EVENT:
    n = snprintf(buf, cap, "event:%s", e->events[c->index].name);
    break;
  case BRINK__IN_HOOK:
    n = snprintf(buf, cap, "hook:%s", e->hooks[c->index].when ==
                 BRINK__TURN_START ? "turn_start" : "turn_end");
    break;
  case BRINK__IN_OUTCOME:
    n = snprintf(buf, cap, "outcome:%s", e->outcomes[c->index].name);
    break;
  case BRINK__IN_POLICY:
    n = snprintf(buf, cap, "policy:%s", e->policies[c->index].name);
    break;
  default:
    n = snprintf(buf, cap, "%s", "");
  }
  return n;
}

static void report(brink_engine *e) {
  brink_record r;
  brink__record(e, &r, BRINK_REC_ERROR);
  r.text = e->errmsg;
  r.where = e->errwhere;
  r.in = brink_errin(e);
  brink__emit(e, &r);
}

/* A memo of the calendar, as brink_turn_date's: a reading call may
   write it. */
static int year_now(const brink_engine *e) {
  brink_engine *m = (brink_engine *)e;
  if (!m->year_memo.ok || m->year_memo.turn != e->run.turn) {
    int32_t mon, day;
    brink__civil_from_days(brink_date(e), &m->year_memo.year, &mon, &day);
    m->year_memo.turn = e->run.turn;
    m->year_memo.ok = true;
  }
  return m->year_memo.year;
}

/*
** Is the value still what an evaluation would give?  When nothing it
** read was written since; or, after a start, a restore or a write that
** was undone, when everything it read holds the value it read (the same
** inputs give the same result), which also carries it from run to run.
** A condition that read a belief has only the versions to vouch for it.
*/
static bool cache_fresh(brink_engine *e, brink__cache *c) {
  if (!CACHE_ON(e) || c->stamp == 0) return false;
  if (c->reads_belief && c->stamp < e->belief_from) return false;
  if (c->reads_date && c->turn != e->run.turn) return false;
  if (c->reads_year && c->turn != e->run.turn) {
    if (c->year != year_now(e)) return false;
    c->turn = e->run.turn;   /* still its year: asked once a turn */
  }
  int i = 0;
  if (c->stamp >= e->valid_from) {
    while (i < c->nreads && e->version[c->reads[i]] <= c->stamp) i++;
    if (i == c->nreads) return true;
  } else if (c->reads_belief) {
    return false;
  }
  for (i = 0; i < c->nreads; i++)
    if (memcmp(&e->values[c->reads[i]], &c->vals[i], sizeof(double)) != 0)
      return false;
  c->stamp = e->clock;   /* as if computed now: its inputs are as they were */
  return true;
}

static int keep_reason(brink_engine *e, brink__cache *c, const char *reason) {
  if (reason == NULL) {
    if (c->reason) c->reason[0] = '\0';
    return BRINK_OK;
  }
  size_t n = strlen(reason) + 1;
  if (n > c->reason_cap) {
    char *bigger = brink__realloc(e, c->reason, c->reason_cap, n);
    if (bigger == NULL) return brink__error(e, BRINK_ENOMEM, "out of memory");
    c->reason = bigger;
    c->reason_cap = n;
  }
  memcpy(c->reason, reason, n);
  return BRINK_OK;
}

/*
** Evaluates a read-only function, or reuses its last value when nothing it
** read has been written since.  A function reads only the world and the
** date (conditions draw no numbers and write nothing), so the reused
** value is exactly what a new evaluation would give.
*/
static int eval(brink_engine *e, brink__cache *c, int fn,
                const brink__call *call, double *value) {
  if (cache_fresh(e, c)) {
    *value = c->value;
    return BRINK_OK;
  }
  c->nreads = 0;
  c->reads_date = false;
  c->reads_belief = false;
  c->date_touched = false;
  c->reads_year = false;
  e->computed++;
  if (++e->read_epoch == 0) {
    memset(e->read_mark, 0, sizeof(uint32_t) * (size_t)e->nvars);
    e->read_epoch = 1;
  }
  brink__call saved = e->current;
  e->current = *call;
  e->tracking = c;
  e->read_only = true;
  const char *reason = NULL;
  int rc = brink__host_eval(e, fn, call, value, &reason);
  e->read_only = false;
  e->tracking = NULL;
  e->current = saved;
  c->stamp = 0;
  if (rc == BRINK_OK) rc = keep_reason(e, c, *value == 0 ? reason : NULL);
  if (rc != BRINK_OK) return rc;
  c->stamp = e->clock;
  c->turn = e->run.turn;
  c->value = *value;
  /* Only the year of w.date read: valid for the rest of the year.  Any
     other use of it (a field, a comparison, its text) is the date. */
  if (c->date_touched && !c->reads_year) c->reads_date = true;
  if (c->reads_year && !c->reads_date) c->year = year_now(e);
  else c->reads_year = false;
  return BRINK_OK;
}

/* Runs an effect as one transaction; a failure leaves nothing behind. */
static int run_effect(brink_engine *e, int fn, const brink__call *call) {
  if (fn < 0) return BRINK_OK;
  if (e->nmarks > 200)
    return brink__error(e, BRINK_ESCRIPT, "effects nest too deeply "
                        "(events firing each other?)");
  int rc = brink_txn_begin(e);
  if (rc) return rc;
  brink__call saved = e->current;
  e->current = *call;
  rc = brink__host_run(e, fn, call);
  e->current = saved;
  if (rc != BRINK_OK) {
    brink_txn_rollback(e);
    return rc;
  }
  return brink_txn_commit(e);
}

/* events, schedule, ending ----------------------------------------------- */

static bool refuse_in_condition(brink_engine *e, const char *what) {
  if (!e->read_only) return false;
  brink__error(e, BRINK_ESTATE, "conditions are read-only: %s is not "
               "allowed here", what);
  return true;
}

int brink__schedule(brink_engine *e, int event, int turns, const char *data) {
  if (refuse_in_condition(e, "schedule()")) return BRINK_ESTATE;
  if (event < 0 || event >= e->nevents)
    return brink__error(e, BRINK_EINVAL, "no event has id %d", event);
  if (turns < 1)
    return brink__error(e, BRINK_ERANGE, "schedule('%s'): turns must be 1 "
                        "or more, not %d", e->events[event].name, turns);
  /* Firing it is work this script causes: paid now, while a budget
     runs, since it fires between calls. */
  int rc = brink__hold(e, 0, BRINK__COST_EVENT);
  if (rc) return rc;
  rc = brink__sched_put(e, e->run.turn + turns, event, e->run.sched_seq,
                        data);
  if (rc == BRINK_OK) e->run.sched_seq++;
  return rc;
}

int brink__fire(brink_engine *e, int event, const char *data) {
  if (refuse_in_condition(e, "fire()")) return BRINK_ESTATE;
  if (event < 0 || event >= e->nevents)
    return brink__error(e, BRINK_EINVAL, "no event has id %d", event);
  brink__entry en = {.kind = BRINK__J_EVENT, .var = -1, .text = (size_t)event};
  int rc = brink__hold(e, 0, BRINK__COST_EVENT);
  if (rc == BRINK_OK) rc = brink__journal_add(e, &en);
  if (rc) return rc;
  brink__call call = {BRINK__IN_EVENT, event, -1, -1, -1, data};
  return run_effect(e, e->events[event].effect, &call);
}

int brink__end_scenario(brink_engine *e, const char *outcome) {
  if (refuse_in_condition(e, "end_scenario()")) return BRINK_ESTATE;
  int o = outcome ? brink__outcome_find(e, outcome) : -1;
  if (o < 0) {
    brink__nearest s;
    brink__nearest_init(&s, outcome ? outcome : "nil");
    for (int i = 0; i < e->noutcomes; i++)
      brink__nearest_add(&s, e->outcomes[i].name);
    return brink__error(e, BRINK_ENOTFOUND, "end_scenario: unknown outcome %s",
                        brink__nearest_text(e, &s));
  }
  e->run.pending_outcome = o;
  return BRINK_OK;
}

static int finish(brink_engine *e, int outcome) {
  e->run.outcome = outcome;
  e->run.phase = BRINK__PH_DONE;
  e->run.awaiting = -1;
  e->run.index = 0;   /* an ended run has one position, whatever ended it */
  e->run.moves_made = 0;
  brink_record r;
  brink__record(e, &r, BRINK_REC_END);
  r.id = brink_outcome(e);
  brink__emit(e, &r);
  return BRINK_DONE;
}

BRINK_API const char *brink_outcome(const brink_engine *e) {
  if (e->run.phase != BRINK__PH_DONE) return NULL;
  if (e->run.outcome == -2) return "error";
  if (e->run.outcome < 0) return NULL;
  return e->outcomes[e->run.outcome].name;
}

static int default_outcome(const brink_engine *e) {
  return brink__outcome_find(e, e->default_outcome ? e->default_outcome
                                                   : "end");
}

BRINK_API int brink_finish(brink_engine *e, const char *outcome) {
  BRINK__WRITE(e);
  if (e->run.phase == BRINK__PH_IDLE || e->run.phase == BRINK__PH_DONE)
    return brink__error(e, BRINK_ESTATE, "no run is under way");
  if (e->nmarks)
    return brink__error(e, BRINK_ESTATE, "a transaction is open");
  int o;
  if (outcome == NULL) {
    o = default_outcome(e);
  } else if (strcmp(outcome, "error") == 0) {
    o = -2;
  } else if ((o = brink__outcome_find(e, outcome)) < 0) {
    return brink__error(e, BRINK_ENOTFOUND, "unknown outcome '%s'", outcome);
  }
  return finish(e, o);
}

/* After each effect: end_scenario() ends the run once the effect is done. */
static int after_effect(brink_engine *e, int rc) {
  if (rc != BRINK_OK) {
    report(e);
    return rc;
  }
  if (e->run.pending_outcome >= 0) return finish(e, e->run.pending_outcome);
  return BRINK_OK;
}

/* moves ------------------------------------------------------------------ */

int brink__option_legal(brink_engine *e, int opt, bool *legal) {
  brink__option *o = &e->options[opt];
  brink__move *m = &e->moves[o->move];
  *legal = true;
  if (m->when < 0) return BRINK_OK;
  brink__call call = {BRINK__IN_MOVE, o->move, opt, o->actor, o->target, NULL};
  double v;
  int rc = eval(e, &o->when, m->when, &call, &v);
  *legal = v != 0;
  return rc;
}

static int option_weight(brink_engine *e, int opt, double *w) {
  brink__option *o = &e->options[opt];
  brink__move *m = &e->moves[o->move];
  if (o->move == 0) {
    *w = e->pass_weight;
    return BRINK_OK;
  }
  if (m->weight < 0) {
    *w = m->fixed_weight;
    return BRINK_OK;
  }
  brink__call call = {BRINK__IN_WEIGHT, o->move, opt, o->actor, o->target,
                      NULL};
  int rc = eval(e, &o->weight, m->weight, &call, w);
  if (rc) return rc;
  if (!isfinite(*w) || *w < 0) {
    e->current = call;
    brink__script_error(e, BRINK_ERANGE, m->where,
                        "weight must be a finite number of 0 or more");
    e->current = (brink__call){BRINK__IN_NONE, 0, -1, -1, -1, NULL};
    return BRINK_ERANGE;
  }
  return BRINK_OK;
}

/* The legal options of 'actor' now, into e->listed. */
static int legal_options(brink_engine *e, int actor) {
  int first = e->actor_options[actor], last = e->actor_options[actor + 1];
  if (brink__grow(e, (void **)&e->listed, &e->cap_listed, last - first,
                  sizeof(int)))
    return brink__error(e, BRINK_ENOMEM, "out of memory");
  e->nlisted = 0;
  e->listed_actor = -1;
  int counted = -1;   /* a move's targets are adjacent: one count each */
  for (int i = first; i < last; i++) {
    bool legal;
    int rc = brink__option_legal(e, i, &legal);
    if (rc) return rc;
    if (!legal) continue;
    e->listed[e->nlisted++] = i;
    if (e->options[i].move != counted)
      e->cover[counted = e->options[i].move]++;
  }
  return BRINK_OK;
}

static int ai_choice(brink_engine *e, int actor, int *chosen) {
  /* Each weight is asked once: a draw then walks what was asked. */
  if (brink__grow(e, (void **)&e->weights, &e->cap_weights, e->nlisted,
                  sizeof(double)))
    return brink__error(e, BRINK_ENOMEM, "out of memory");
  double total = 0;
  for (int i = 0; i < e->nlisted; i++) {
    int rc = option_weight(e, e->listed[i], &e->weights[i]);
    if (rc) return rc;
    total += e->weights[i];
  }
  *chosen = e->listed[e->nlisted - 1];   /* 'pass' when nothing weighs */
  if (total <= 0) return BRINK_OK;
  double r = brink__ai_draw(e, actor) * total, sum = 0;
  for (int i = 0; i < e->nlisted; i++) {
    double w = e->weights[i];
    sum += w;
    if (w > 0 && r < sum) {
      *chosen = e->listed[i];
      break;
    }
  }
  return BRINK_OK;
}

static int policy_choice(brink_engine *e, int policy, int *chosen) {
  brink__policy *p = &e->policies[policy];
  int actor = e->run.index;
  brink__call call = {BRINK__IN_POLICY, policy, -1, actor, -1, NULL};
  brink__call saved = e->current;
  e->current = call;
  e->read_only = true;
  int pick = -1;
  int rc = brink__host_choose(e, p->choose, &call, e->listed, e->nlisted,
                              &pick);
  e->read_only = false;
  e->current = saved;
  if (rc) return rc;
  if (pick < 0 || pick >= e->nlisted) {
    e->current = call;
    brink__script_error(e, BRINK_ESCRIPT, p->where,
                        "choose() did not return one of its options");
    e->current = saved;
    return BRINK_ESCRIPT;
  }
  *chosen = e->listed[pick];
  return BRINK_OK;
}

/* Plays one option: its move record, then its effect. */
static int play(brink_engine *e, int opt) {
  brink__option *o = &e->options[opt];
  brink_record r;
  brink__record(e, &r, BRINK_REC_MOVE);
  r.actor = o->actor;
  r.move = o->move;
  r.target = o->target;
  brink__emit(e, &r);
  e->run.moves_made = o->move == 0 ? e->moves_per_turn : e->run.moves_made + 1;
  brink__call call = {BRINK__IN_MOVE, o->move, opt, o->actor, o->target, NULL};
  int rc = run_effect(e, e->moves[o->move].effect, &call);
  if (o->move == e->odds_move) e->odds_move = -1;   /* used once */
  return after_effect(e, rc);
}

/*
** One decision of actor 'a' by its own controller, a policy or else the
** built-in AI, and the move played.  The loop makes it, or brink_decide
** when the loop stopped before it: the same draws either way.
*/
static int decide(brink_engine *e, int a) {
  brink__actor *act = &e->actors[a];
  int rc = legal_options(e, a), chosen = -1;
  if (rc == BRINK_OK)
    rc = act->control == BRINK__POLICY ? policy_choice(e, act->policy, &chosen)
                                       : ai_choice(e, a, &chosen);
  if (rc != BRINK_OK) {
    e->run.moves_made = e->moves_per_turn;   /* go on with the next actor */
    report(e);
    return rc;
  }
  return play(e, chosen);
}

/* The moves phase, from where it stands: actor 'run.index'. */
static int moves_phase(brink_engine *e) {
  while (e->run.index < e->nactors) {
    int a = e->run.index;
    if (e->run.moves_made >= e->moves_per_turn) {
      e->run.index++;
      e->run.moves_made = 0;
      continue;
    }
    if (e->actors[a].control == BRINK__SEAT || e->stop_decisions) {
      e->run.awaiting = a;
      return BRINK_AWAIT;
    }
    int rc = decide(e, a);
    if (rc != BRINK_OK) return rc;
  }
  return BRINK_OK;
}

/* triggers and outcomes -------------------------------------------------- */

static bool date_due(const brink_engine *e, const brink__trigger *t) {
  int32_t from = brink_turn_date(e, e->run.turn);
  int32_t to = brink_turn_date(e, e->run.turn + 1);
  if (t->at != INT32_MIN) return t->at >= from && t->at < to;
  if (t->every > 0) return e->run.turn % t->every == 0;
  return brink__period_has_end(from, to, t->every);
}

static bool is_date_trigger(const brink__trigger *t) {
  return t->at != INT32_MIN || t->every != 0;
}

static int fire_trigger(brink_engine *e, int i) {
  brink__trigger *t = &e->triggers[i];
  brink_record r;
  brink__record(e, &r, BRINK_REC_TRIGGER);
  r.id = t->name;
  brink__emit(e, &r);
  e->fired[i] = 1;
  brink__call call = {BRINK__IN_TRIGGER, i, -1, -1, -1, NULL};
  return after_effect(e, run_effect(e, t->effect, &call));
}

/* condition triggers to look at ------------------------------------------ */

#define BIT(words, i) ((words)[(i) >> 6] & (1ull << ((i) & 63)))
#define SET(words, i) ((words)[(i) >> 6] |= 1ull << ((i) & 63))
#define CLEAR(words, i) ((words)[(i) >> 6] &= ~(1ull << ((i) & 63)))

int brink__trig_build(brink_engine *e) {
  int n = e->ntriggers;
  e->trig_words = n / 64 + 1;
  e->deps_n = e->nvars;
  e->trig_pending = brink__alloc(e, sizeof(uint64_t) * (size_t)e->trig_words);
  e->trig_cond = brink__alloc(e, sizeof(uint64_t) * (size_t)e->trig_words);
  e->trig_fragile = brink__alloc(e, sizeof(uint64_t) *
                                        (size_t)e->trig_words);
  e->trig_seen = brink__alloc(e, sizeof(double) *
                                     (size_t)(e->deps_n ? e->deps_n : 1));
  e->deps = brink__alloc(e, sizeof(struct brink__deps) *
                                (size_t)(e->deps_n ? e->deps_n : 1));
  if (e->deps)
    memset(e->deps, 0, sizeof(struct brink__deps) *
                           (size_t)(e->deps_n ? e->deps_n : 1));
  e->dated = brink__alloc(e, sizeof(int) * (size_t)(n ? n : 1));
  if (!e->trig_pending || !e->trig_cond || !e->deps || !e->dated ||
      !e->trig_fragile || !e->trig_seen)
    return BRINK_ENOMEM;
  memcpy(e->trig_seen, e->values, sizeof(double) * (size_t)e->deps_n);
  memset(e->trig_cond, 0, sizeof(uint64_t) * (size_t)e->trig_words);
  memcpy(e->trig_pending, e->trig_cond,
         sizeof(uint64_t) * (size_t)e->trig_words);
  e->ndated = 0;
  for (int i = 0; i < n; i++) {
    if (is_date_trigger(&e->triggers[i])) e->dated[e->ndated++] = i;
    else SET(e->trig_cond, i);
  }
  memcpy(e->trig_fragile, e->trig_cond,
         sizeof(uint64_t) * (size_t)e->trig_words);
  e->trig_valid = e->valid_from - 1;   /* all pending at the first pass */
  return BRINK_OK;
}

void brink__trig_free(brink_engine *e) {
  size_t words = sizeof(uint64_t) * (size_t)e->trig_words;
  brink__free(e, e->trig_pending, words);
  brink__free(e, e->trig_cond, words);
  brink__free(e, e->trig_fragile, words);
  brink__free(e, e->trig_seen, sizeof(double) *
                                   (size_t)(e->deps_n ? e->deps_n : 1));
  e->trig_fragile = NULL;
  e->trig_seen = NULL;
  for (int v = 0; e->deps && v < e->deps_n; v++)
    brink__free(e, e->deps[v].ids, sizeof(int) * (size_t)e->deps[v].cap);
  brink__free(e, e->deps, sizeof(struct brink__deps) *
                              (size_t)(e->deps_n ? e->deps_n : 1));
  brink__free(e, e->dated, sizeof(int) * (size_t)(e->ntriggers ? e->ntriggers
                                                                : 1));
  brink__free(e, e->changed, sizeof(int) * (size_t)e->cap_changed);
  e->trig_pending = e->trig_cond = NULL;
  e->deps = NULL;
  e->dated = e->changed = NULL;
  e->trig_words = e->deps_n = e->ndated = e->nchanged = e->cap_changed = 0;
}

void brink__note_change(brink_engine *e, int var) {
  if (e->trig_pending == NULL || e->version[var] > e->trig_mark) return;
  if (brink__grow(e, (void **)&e->changed, &e->cap_changed, e->nchanged + 1,
                  sizeof(int)) != BRINK_OK) {
    e->changed_lost = true;
    return;
  }
  e->changed[e->nchanged++] = var;
}

static void trig_readers(brink_engine *e, int var) {
  const struct brink__deps *d = &e->deps[var];
  for (int j = 0; j < d->n; j++) SET(e->trig_pending, d->ids[j]);
  e->trig_seen[var] = e->values[var];
}

/*
** The triggers that read what changed since the last look become
** pending: the variables written since (the list), and after a start, a
** restore or a belief, those whose value differs from the last look's,
** with the fragile triggers (once triggers that fired, which a start or
** a restore may unfire; those never computed; those that read beliefs).
*/
static void trig_take_changes(brink_engine *e) {
  if (e->changed_lost) {
    e->changed_lost = false;
    for (int k = 0; k < e->trig_words; k++)
      e->trig_pending[k] |= e->trig_cond[k];
    memcpy(e->trig_seen, e->values, sizeof(double) * (size_t)e->deps_n);
  } else if (e->valid_from != e->trig_valid) {
    for (int k = 0; k < e->trig_words; k++)
      e->trig_pending[k] |= e->trig_fragile[k];
    for (int v = 0; v < e->deps_n; v++)
      if (memcmp(&e->values[v], &e->trig_seen[v], sizeof(double)) != 0)
        trig_readers(e, v);
  }
  e->trig_valid = e->valid_from;
  if (e->belief_from != e->trig_belief)   /* those reading beliefs too */
    for (int k = 0; k < e->trig_words; k++)
      e->trig_pending[k] |= e->trig_fragile[k];
  e->trig_belief = e->belief_from;
  for (int k = 0; k < e->nchanged; k++) trig_readers(e, e->changed[k]);
  e->nchanged = 0;
  e->trig_mark = e->clock;
}

/* Whether trigger 'i' must be looked at after every start or restore. */
static void trig_fragile(brink_engine *e, int i) {
  const brink__trigger *t = &e->triggers[i];
  if (t->when < 0 || t->cache.stamp == 0 || t->cache.reads_belief)
    SET(e->trig_fragile, i);
  else
    CLEAR(e->trig_fragile, i);
}

/* Trigger 'i' read what its cache lists: each of those lists it. */
static void trig_depend(brink_engine *e, int i) {
  const brink__cache *c = &e->triggers[i].cache;
  for (int r = 0; r < c->nreads; r++) {
    struct brink__deps *d = &e->deps[c->reads[r]];
    int j = 0;
    while (j < d->n && d->ids[j] != i) j++;
    if (j < d->n) continue;
    if (brink__grow(e, (void **)&d->ids, &d->cap, d->n + 1, sizeof(int)) !=
        BRINK_OK) {
      e->changed_lost = true;   /* it could be missed: look at all */
      return;
    }
    d->ids[d->n++] = i;
  }
}

/* The next condition trigger from 'from' to look at, or ntriggers. */
static int trig_next(const brink_engine *e, int from) {
  for (int k = from >> 6; k < e->trig_words; k++) {
    uint64_t w = e->trig_pending[k];
    if (k == from >> 6) w &= ~0ull << (from & 63);
    if (w) {
      int i = (k << 6) + __builtin_ctzll(w);
      return i < e->ntriggers ? i : e->ntriggers;
    }
  }
  return e->ntriggers;
}

/* The next dated trigger from 'from', or ntriggers. */
static int dated_next(const brink_engine *e, int from) {
  int lo = 0, hi = e->ndated;
  while (lo < hi) {
    int mid = lo + (hi - lo) / 2;
    if (e->dated[mid] < from) lo = mid + 1;
    else hi = mid;
  }
  return lo < e->ndated ? e->dated[lo] : e->ntriggers;
}

/*
** One pass over the triggers of one group, from 'run.index'.  With the
** cache on, the condition triggers looked at are the pending ones: a
** trigger left out held false when last looked at and nothing it read
** has changed, so the plain pass would find it false again.
*/
static int triggers_phase(brink_engine *e, bool dated) {
  bool lists = CACHE_ON(e) && e->trig_pending;
  if (lists && !dated) trig_take_changes(e);
  while (e->run.index < e->ntriggers) {
    if (lists) {
      int next = dated ? dated_next(e, e->run.index)
                       : trig_next(e, e->run.index);
      if (next >= e->ntriggers) {
        e->run.index = e->ntriggers;
        break;
      }
      e->run.index = next;
    }
    int i = e->run.index++;
    brink__trigger *t = &e->triggers[i];
    if (is_date_trigger(t) != dated) continue;
    if (t->once && e->fired[i]) {
      /* Left out until a start or a restore may have unfired it. */
      if (lists) {
        CLEAR(e->trig_pending, i);
        SET(e->trig_fragile, i);
      }
      continue;
    }
    if (dated && !date_due(e, t)) continue;
    double holds = 1;
    if (t->when >= 0) {
      brink__call call = {BRINK__IN_TRIGGER, i, -1, -1, -1, NULL};
      brink__cache scratch = {0};
      /* A dated trigger is asked once in its turn: nothing to cache. */
      brink__cache *c = dated ? &scratch : &t->cache;
      uint64_t computed = e->computed;
      int rc = eval(e, c, t->when, &call, &holds);
      if (dated) brink__cache_free(e, &scratch);
      if (lists && !dated && e->computed != computed) {
        if (c->stamp != 0) trig_depend(e, i);
        trig_fragile(e, i);
      }
      if (rc) {
        report(e);
        return rc;
      }
      /* False on what it read, and no date: left out until that changes. */
      if (lists && !dated && holds == 0 && !c->reads_date &&
          !c->reads_year && c->stamp != 0)
        CLEAR(e->trig_pending, i);
    }
    if (holds != 0) {
      int rc = fire_trigger(e, i);
      if (lists && !dated) trig_take_changes(e);
      if (rc != BRINK_OK) return rc;
    }
  }
  return BRINK_OK;
}

static int outcomes_phase(brink_engine *e) {
  while (e->run.index < e->noutcomes) {
    int i = e->run.index++;
    brink__outcome *o = &e->outcomes[i];
    if (o->when < 0) continue;
    brink__call call = {BRINK__IN_OUTCOME, i, -1, -1, -1, NULL};
    double holds;
    int rc = eval(e, &o->cache, o->when, &call, &holds);
    if (rc) {
      report(e);
      return rc;
    }
    if (holds != 0) return finish(e, i);
  }
  return BRINK_OK;
}

static int hooks_phase(brink_engine *e, int when) {
  while (e->run.index < e->nhooks) {
    int i = e->run.index++;
    if (e->hooks[i].when != when) continue;
    brink__call call = {BRINK__IN_HOOK, i, -1, -1, -1, NULL};
    int rc = after_effect(e, run_effect(e, e->hooks[i].fn, &call));
    if (rc != BRINK_OK) return rc;
  }
  return BRINK_OK;
}

/*
** Moves the schedule's due entries to its front, both parts keeping their
** order, so the events phase takes them from there in the order scheduled
** at O(1) each.  Returns how many are due, or -1 (out of memory).
*/
static int sched_partition(brink_engine *e) {
  int head = e->sched_head, n = e->nsched, due = 0, front = 0;
  for (int i = head; i < n; i++)
    if (e->sched[i].due <= e->run.turn) {
      if (front == i - head) front++;   /* still all due from the head */
      due++;
    }
  if (front == due) return due;
  size_t later_size = sizeof(brink__sched) * (size_t)(n - head - due);
  brink__sched *later = brink__alloc(e, later_size);
  if (later == NULL) return -1;
  int w = head, l = 0;
  for (int i = head; i < n; i++) {
    if (e->sched[i].due <= e->run.turn) e->sched[w++] = e->sched[i];
    else later[l++] = e->sched[i];
  }
  memcpy(&e->sched[w], later, later_size);
  brink__free(e, later, later_size);
  return due;
}

static int events_phase(brink_engine *e) {
  for (;;) {
    if (e->sched_head == e->nsched ||
        e->sched[e->sched_head].due > e->run.turn) {
      int due = sched_partition(e);
      if (due < 0) return brink__error(e, BRINK_ENOMEM, "out of memory");
      if (due == 0) {
        if (e->sched_head > 0)
          memmove(e->sched, &e->sched[e->sched_head], sizeof(brink__sched) *
                  (size_t)(e->nsched - e->sched_head));
        e->nsched -= e->sched_head;
        e->sched_head = 0;
        return BRINK_OK;
      }
    }
    brink__sched s = e->sched[e->sched_head++];
    brink__hold(e, -brink__sched_bytes(&s), 0);
    brink_record r;
    brink__record(e, &r, BRINK_REC_EVENT);
    r.id = e->events[s.event].name;
    brink__emit(e, &r);
    brink__call call = {BRINK__IN_EVENT, s.event, -1, -1, -1, s.data};
    int rc = run_effect(e, e->events[s.event].effect, &call);
    brink__strfree(e, s.data);
    rc = after_effect(e, rc);
    if (rc != BRINK_OK) return rc;
  }
}

/* running ---------------------------------------------------------------- */

BRINK_API int brink_start(brink_engine *e, uint64_t seed) {
  BRINK__WRITE(e);
  if (!e->sealed)
    return brink__error(e, BRINK_ESTATE, "no scenario is loaded");
  if (e->nmarks)
    return brink__error(e, BRINK_ESTATE, "a transaction is open");
  memcpy(e->values, e->initial, sizeof(double) * (size_t)e->nvars);
  memcpy(e->belief, e->belief_start,
         sizeof(double) * 2 * (size_t)e->nbelief);
  memset(e->fired, 0, (size_t)(e->ntriggers ? e->ntriggers : 1));
  memset(e->cover, 0, sizeof(int64_t) * (size_t)e->ncover);
  brink__sched_truncate(e, 0);
  e->run = (brink__run){.turn = 1, .phase = BRINK__PH_START, .awaiting = -1,
                        .outcome = -1, .pending_outcome = -1};
  brink_seed(e, seed);
  e->valid_from = ++e->clock;
  brink_record r;
  brink__record(e, &r, BRINK_REC_START);
  r.id = brink_scenario_field(e, "id");
  r.seed = seed;
  brink__emit(e, &r);
  return BRINK_OK;
}

static int step(brink_engine *e) {
  brink__run *run = &e->run;
  if (run->phase == BRINK__PH_IDLE)
    return brink__error(e, BRINK_ESTATE, "call brink_start before stepping");
  if (e->nmarks)
    return brink__error(e, BRINK_ESTATE, "a transaction is open");
  if (run->awaiting >= 0) {
    brink__error(e, BRINK_AWAIT, "%s must choose a move",
                 e->actors[run->awaiting].id);
    return BRINK_AWAIT;
  }
  int rc = BRINK_OK;
  while (rc == BRINK_OK) {
    if (brink_held(e)) return BRINK_HELD;
    int next = run->phase + 1;
    switch (run->phase) {
    case BRINK__PH_START:
      if (run->index == 0) {
        brink_record r;
        brink__record(e, &r, BRINK_REC_TURN);
        brink__emit(e, &r);
      }
      rc = hooks_phase(e, BRINK__TURN_START);
      break;
    case BRINK__PH_EVENTS: rc = events_phase(e); break;
    case BRINK__PH_MOVES: rc = moves_phase(e); break;
    case BRINK__PH_DATE_TRIGGERS: rc = triggers_phase(e, true); break;
    case BRINK__PH_COND_TRIGGERS: rc = triggers_phase(e, false); break;
    case BRINK__PH_OUTCOMES: rc = outcomes_phase(e); break;
    case BRINK__PH_END:
      rc = hooks_phase(e, BRINK__TURN_END);
      if (rc != BRINK_OK) break;
      if (run->turn >= brink_turn_count(e))
        return finish(e, default_outcome(e));
      run->turn++;
      next = BRINK__PH_START;
      break;
    default:
      return BRINK_DONE;
    }
    if (rc != BRINK_OK) break;
    /* Each phase starts from its first item; the moves from no moves. */
    run->phase = next;
    run->index = 0;
    run->moves_made = 0;
    if (next == BRINK__PH_START) return BRINK_OK;   /* a whole turn */
  }
  return rc;
}

/*
** A step that runs out of memory leaves the engine as it was before it,
** so the host may try again: the state is kept first (a failure to keep
** it fails the step before anything happens) and put back.  Records the
** step delivered before it failed stand.  A refused allocation that some
** path swallowed still makes the step a memory failure.
*/
BRINK_API int brink_step(brink_engine *e) {
  BRINK__WRITE(e);
  if (e->run.phase == BRINK__PH_IDLE || e->nmarks || e->run.awaiting >= 0)
    return step(e);   /* each refused with its reason */
  int rc = brink__keep(e);
  if (rc != BRINK_OK) return rc;
  unsigned failures = e->alloc_failures;
  e->host_locale = brink__locale_enter(e);
  rc = step(e);
  if (rc == BRINK_ENOMEM || (e->alloc_failures != failures && rc >= 0)) {
    char msg[256];
    snprintf(msg, sizeof msg, "%s", rc == BRINK_ENOMEM ? brink_errmsg(e)
                                                       : "out of memory");
    if (brink__keep_restore(e) == BRINK_OK)
      brink__error(e, BRINK_ENOMEM, "%s", msg);
    rc = BRINK_ENOMEM;
  }
  locale_t host = e->host_locale;   /* the callback's, if it set one */
  e->host_locale = 0;
  brink__locale_leave(host);
  return rc;
}

BRINK_API int brink_run(brink_engine *e) {
  BRINK__WRITE(e);
  int rc;
  while ((rc = brink_step(e)) == BRINK_OK) continue;
  return rc;
}

BRINK_API int brink_turn_limit(brink_engine *e, int turns) {
  BRINK__WRITE(e);
  if (turns < 0) return brink__error(e, BRINK_EINVAL, "turns must be >= 0");
  e->turn_limit = turns;
  return BRINK_OK;
}

/* seats and choices ------------------------------------------------------ */

static int check_actor(brink_engine *e, int actor) {
  if (actor < 0 || actor >= e->nactors)
    return brink__error(e, BRINK_EINVAL, "no actor has id %d", actor);
  return BRINK_OK;
}

BRINK_API int brink_seated(const brink_engine *e, int actor) {
  if (actor < 0 || actor >= e->nactors) return -1;
  return e->actors[actor].control == BRINK__SEAT;
}

BRINK_API int brink_seat(brink_engine *e, int actor, int seated) {
  BRINK__WRITE(e);
  if (check_actor(e, actor)) return BRINK_EINVAL;
  e->actors[actor].control = seated ? BRINK__SEAT : BRINK__AI;
  return BRINK_OK;
}

BRINK_API int brink_policy_assign(brink_engine *e, int actor,
                                  const char *policy) {
  BRINK__WRITE(e);
  if (check_actor(e, actor)) return BRINK_EINVAL;
  if (policy == NULL) {
    e->actors[actor].control = BRINK__AI;
    return BRINK_OK;
  }
  for (int i = 0; i < e->npolicies; i++)
    if (strcmp(e->policies[i].name, policy) == 0) {
      if (e->policies[i].actor >= 0 && e->policies[i].actor != actor)
        return brink__error(e, BRINK_EINVAL, "policy '%s' is for %s, not %s",
                            policy, e->actors[e->policies[i].actor].id,
                            e->actors[actor].id);
      e->actors[actor].control = BRINK__POLICY;
      e->actors[actor].policy = i;
      return BRINK_OK;
    }
  brink__nearest s;
  brink__nearest_init(&s, policy);
  for (int i = 0; i < e->npolicies; i++)
    if (e->policies[i].actor < 0 || e->policies[i].actor == actor)
      brink__nearest_add(&s, e->policies[i].name);
  return brink__error(e, BRINK_ENOTFOUND, "unknown policy %s for %s",
                      brink__nearest_text(e, &s), e->actors[actor].id);
}

BRINK_API int brink_awaiting(const brink_engine *e) { return e->run.awaiting; }

BRINK_API int brink_move_count(const brink_engine *e) { return e->nmoves; }

BRINK_API const char *brink_move_name(const brink_engine *e, int move) {
  return move >= 0 && move < e->nmoves ? e->moves[move].name
                                       : brink__bad_name(e, "move", move);
}

BRINK_API const char *brink_move_doc(const brink_engine *e, int move) {
  if (move < 0 || move >= e->nmoves) return brink__bad_name(e, "move", move);
  return e->moves[move].doc ? e->moves[move].doc : "";
}

BRINK_API int brink_options(brink_engine *e, int actor, int *count) {
  if (count) *count = 0;
  BRINK__WRITE(e);
  if (check_actor(e, actor)) return BRINK_EINVAL;
  if (!e->sealed) return brink__error(e, BRINK_ESTATE, "no scenario loaded");
  int first = e->actor_options[actor], last = e->actor_options[actor + 1];
  if (brink__grow(e, (void **)&e->listed, &e->cap_listed, last - first,
                  sizeof(int)))
    return brink__error(e, BRINK_ENOMEM, "out of memory");
  e->nlisted = 0;
  e->listed_actor = -1;
  for (int i = first; i < last; i++) {
    bool legal;
    int rc = brink__option_legal(e, i, &legal);
    if (rc) return rc;
    e->listed[e->nlisted++] = i;
  }
  e->listed_actor = actor;
  if (count) *count = e->nlisted;
  return BRINK_OK;
}

BRINK_API int brink_option_get(const brink_engine *e, int i, int *move,
                               int *target, int *legal, const char **reason) {
  if (e->listed_actor < 0)
    return brink__error(e, BRINK_ESTATE, "no option list: call "
                        "brink_options again after a call that changes the "
                        "state");
  if (i < 0 || i >= e->nlisted)
    return brink__error(e, BRINK_EINVAL, "no option has index %d (there "
                        "are %d)", i, e->nlisted);
  const brink__option *o = &e->options[e->listed[i]];
  const brink__move *m = &e->moves[o->move];
  bool ok = m->when < 0 || o->when.value != 0;
  if (move) *move = o->move;
  if (target) *target = o->target;
  if (legal) *legal = ok;
  if (reason) *reason = !ok && o->when.reason ? o->when.reason : "";
  return BRINK_OK;
}

/* The actor awaiting a decision, or -1 with the message of 'fn'. */
static int awaiting(brink_engine *e, const char *fn) {
  if (e->run.awaiting < 0) {
    brink__error(e, BRINK_ESTATE, "no seat is waiting");
    return -1;
  }
  /* A rollback would undo the move's effect but not the move itself. */
  if (e->nmarks) {
    brink__error(e, BRINK_ESTATE, "%s is not allowed in an open "
                 "transaction: a rollback could not give the move back", fn);
    return -1;
  }
  return e->run.awaiting;
}

BRINK_API int brink_choose(brink_engine *e, int move, int target) {
  BRINK__WRITE(e);
  int a = awaiting(e, __func__);
  if (a < 0) return BRINK_ESTATE;
  int opt = -1;
  for (int i = e->actor_options[a]; i < e->actor_options[a + 1]; i++)
    if (e->options[i].move == move && e->options[i].target == target) opt = i;
  if (opt < 0)
    return brink__error(e, BRINK_EINVAL, "%s cannot play %s%s%s",
                        e->actors[a].id, brink_move_name(e, move)
                        ? brink_move_name(e, move) : "that move",
                        target >= 0 ? " on " : "",
                        target >= 0 && target < e->nactors
                        ? e->actors[target].id : "");
  bool legal;
  int rc = brink__option_legal(e, opt, &legal);
  if (rc) return rc;
  if (!legal) {
    const char *why = e->options[opt].when.reason;
    return brink__error(e, BRINK_EINVAL, "%s is not allowed now%s%s",
                        e->moves[move].name, why && *why ? ": " : "",
                        why ? why : "");
  }
  e->run.awaiting = -1;
  return play(e, opt);
}

BRINK_API int brink_decide(brink_engine *e) {
  BRINK__WRITE(e);
  int a = awaiting(e, __func__);
  if (a < 0) return BRINK_ESTATE;
  e->run.awaiting = -1;
  return decide(e, a);
}

BRINK_API int brink_stop_at_decisions(brink_engine *e, int on) {
  BRINK__WRITE(e);
  e->stop_decisions = on != 0;
  return BRINK_OK;
}

BRINK_API int brink_hold(brink_engine *e, int on) {
  BRINK__WRITE(e);
  e->hold = on != 0;
  return BRINK_OK;
}

BRINK_API int brink_hold_on(const brink_engine *e) { return e->hold; }

BRINK_API int brink_held(const brink_engine *e) {
  return e->hold && e->run.phase == BRINK__PH_DATE_TRIGGERS &&
         e->run.index == 0;
}

BRINK_API int brink_fire(brink_engine *e, const char *name, const char *data) {
  BRINK__WRITE(e);
  if (name == NULL) return brink__error(e, BRINK_EINVAL, "name is NULL");
  if (e->run.phase == BRINK__PH_IDLE || e->run.phase == BRINK__PH_DONE)
    return brink__error(e, BRINK_ESTATE, "no run is under way");
  if (e->nmarks) return brink__error(e, BRINK_ESTATE, "a transaction is open");
  int ev = brink__event_find(e, name);
  if (ev >= 0 && data && !brink__data_valid(data))
    return brink__error(e, BRINK_EINVAL, "event data for '%s' is not a "
                        "literal brink writes: %.60s", name, data);
  if (ev >= 0) {
    brink_record r;
    brink__record(e, &r, BRINK_REC_EVENT);
    r.id = e->events[ev].name;
    brink__emit(e, &r);
    brink__call call = {BRINK__IN_EVENT, ev, -1, -1, -1, data};
    return after_effect(e, run_effect(e, e->events[ev].effect, &call));
  }
  for (int i = 0; i < e->ntriggers; i++)
    if (strcmp(e->triggers[i].name, name) == 0) return fire_trigger(e, i);
  brink__nearest s;
  brink__nearest_init(&s, name);
  for (int i = 0; i < e->nevents; i++)
    brink__nearest_add(&s, e->events[i].name);
  for (int i = 0; i < e->ntriggers; i++)
    brink__nearest_add(&s, e->triggers[i].name);
  return brink__error(e, BRINK_ENOTFOUND, "no event or trigger %s",
                      brink__nearest_text(e, &s));
}
