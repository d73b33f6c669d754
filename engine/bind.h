/*
** bind.h: the engine as a script binding sees it, beyond brink.h.  The
** bindings (bindings/lua/) include this and brink.h, never brinkint.h:
** they reach the engine through calls, so the layout of its structs can
** change without them.  The only structs here are those the two sides
** exchange (a declaration's spec, a script call, the host's hooks) and the
** engine's name map, a plain container.  Implemented in engine.c,
** world.c, journal.c, turn.c (what existed before this header), bind.c
** and source.c (what the header added).
**
** Nothing here is part of the public interface.
*/
#ifndef BRINK_BIND_H
#define BRINK_BIND_H

#include <locale.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "brink.h"

/* memory ----------------------------------------------------------------- */

/* The C library's realloc and free, as a brink_alloc: the default. */
void *brink__default_alloc(void *ud, void *p, size_t old, size_t n);
void *brink__alloc(brink_engine *e, size_t n);
void *brink__realloc(brink_engine *e, void *p, size_t old, size_t n);
void brink__free(brink_engine *e, void *p, size_t n);
char *brink__strdup(brink_engine *e, const char *s);
void brink__strfree(brink_engine *e, char *s);

/* The engine's allocator and settings, for the script state to share. */
void brink__allocator(const brink_engine *e, brink_alloc *alloc, void **ud);
const brink_config *brink__config(const brink_engine *e);
/*
** While metering is on (the bindings turn it on while a scenario's
** declarations become the world), a block that would take the engine
** and its script state (*script_mem, NULL: none) past cfg.max_memory is
** refused as the budget's.
*/
void brink__metering(brink_engine *e, bool on);
void brink__script_mem_set(brink_engine *e, const size_t *script_mem);
/* How many allocations the engine's allocator has refused, ever. */
unsigned brink__alloc_failures(const brink_engine *e);

/* Name -> index, open addressing over strings the table does not own;
   a zeroed map is empty. */
typedef struct brink__map {
  const char **keys;
  int *vals;
  int cap, count;
} brink__map;

int brink__map_put(brink_engine *e, brink__map *m, const char *key, int val);
int brink__map_get(const brink__map *m, const char *key);   /* -1: none */
void brink__map_free(brink_engine *e, brink__map *m);

/* locale ----------------------------------------------------------------- */

/*
** The host may set any locale, in any thread; brink's numbers must read
** and print the same whatever it is ("1.5", never "1,5").  Each engine
** holds a C locale, and these install it for the calling thread only
** (uselocale) and put the thread's own back.  They are called at the few
** places where numbers become text or text numbers, and where scripts are
** entered (Lua's tostring, string.format, tonumber and its lexer follow
** the thread's locale):
**   - messages: brink__error and everything built on it;
**   - values: brink__fmt_number and brink__parse_number;
**   - scripts: brink__host_eval/run/choose/clone, brink_score and the
**     bindings' loads;
** so new code that formats or parses through these, or reaches scripts
** through e->host, is covered without thinking of it.  brink_step holds
** the C locale for the whole step, so these cost nothing inside it; the
** record callback is given the host's own back (brink__emit).
*/
locale_t brink__locale_enter(const brink_engine *e);
void brink__locale_leave(locale_t old);

/* errors ----------------------------------------------------------------- */

/* Sets the message (printf-style) and returns 'status'. */
int brink__error(const brink_engine *e, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A script error: 'where' is "file:line" or "", the message has no prefix. */
int brink__script_error(brink_engine *e, int status, const char *where,
                        const char *msg);
/* Sets what brink_errin() says (an error inside fire() is the event's). */
void brink__errin_set(brink_engine *e, const char *text);
/* Did the last error come from the host allocator's refusal, not from a
   budget?  Then it is no fault of the script's. */
bool brink__out_of_memory(const brink_engine *e);
/* Has a block been refused as the budget's while metering? */
bool brink__over_budget(const brink_engine *e);
/* "'sanction' (did you mean 'sanctions'?)" tail for an unknown name. */
typedef struct brink__nearest {
  const char *name, *best;
  int bestd, allowed;
} brink__nearest;
void brink__nearest_init(brink__nearest *s, const char *name);
void brink__nearest_add(brink__nearest *s, const char *candidate);
/* The suggestion, or NULL when no name is close enough. */
const char *brink__nearest_best(const brink__nearest *s);
/* The whole tail, however long the names, in a buffer of the engine's
   that the next call reuses. */
const char *brink__nearest_text(brink_engine *e, const brink__nearest *s);
/* The same over an array of names. */
const char *brink__suggest(brink_engine *e, const char *name,
                           const char *const *names, int n);

/* loading ---------------------------------------------------------------- */

/* Adds "where: msg" to the load diagnostics. */
int brink__diag(brink_engine *e, const char *where, const char *msg);
void brink__diag_clear(brink_engine *e);
/*
** Puts the diagnostics in the order of the file (those of one line keep
** theirs) and makes the first that is not a warning the engine's message.
*/
void brink__diag_sort(brink_engine *e);
/* BRINK_OK when the engine is empty and may load a scenario, else
   BRINK_ESTATE with the message set. */
int brink__load_allowed(brink_engine *e);
/* Back to an empty world after a failed load (see engine.c). */
int brink__engine_reset(brink_engine *e);
/* Scenario fields: "title", "brief", ... as text. */
int brink__field_set(brink_engine *e, const char *field, const char *value);
/* The numeric fields, checked by the caller. */
void brink__scenario_numbers(brink_engine *e, uint64_t seed,
                             int moves_per_turn, double pass_weight);
int brink__default_outcome_set(brink_engine *e, const char *outcome);

/* the texts a scenario is made of (source.c) ---------------------------- */

/* Keeps the scenario's path and text (brink_scenario_text, clones). */
int brink__scenario_keep(brink_engine *e, const char *path, const char *text,
                         size_t len);
/* The kept import 'name' (supplied by the host, or read by this load):
   its index for brink_import_text(), or -1. */
int brink__import_find(const brink_engine *e, const char *name);
/* What messages call import i: "scenarios/lib.lua", "lib.lua". */
const char *brink__import_chunk(const brink_engine *e, int i);
/* Keeps an import the load read from a file or the script library. */
int brink__import_keep(brink_engine *e, const char *name, const char *chunk,
                       const char *text, size_t len);
/* Gives 'to' every import 'from' keeps, as supplied, so that loading the
   same scenario into 'to' reads the same texts; BRINK_ENOMEM on 'to'. */
int brink__imports_copy(const brink_engine *from, brink_engine *to);
/*
** Calls 'fn' for each kept text, the scenario's first (name NULL), then
** the imports in the order of brink_import_name(), until it returns
** nonzero; returns that, or 0.  For a digest of everything a scenario is
** made of.
*/
typedef int (*brink__text_fn)(void *ud, const char *name, const char *chunk,
                              const char *text, size_t len);
int brink__texts_each(const brink_engine *e, brink__text_fn fn, void *ud);

/* the world -------------------------------------------------------------- */

enum { BRINK__WORLD_VAR, BRINK__ACTOR_VAR, BRINK__EACH_VAR, BRINK__RELATION };

/* One declaration of a variable or relation, as a binding sees it. */
typedef struct brink__decl_view {
  const char *field;   /* the last part of its name: "tension" */
  int kind;            /* BRINK__*_VAR or BRINK__RELATION */
  int first, count;    /* its slots, after the seal */
  int owner;           /* BRINK__ACTOR_VAR: the actor, else -1 */
} brink__decl_view;

int brink__decl_count(const brink_engine *e);
void brink__decl_get(const brink_engine *e, int decl, brink__decl_view *out);
/* The slot of relation 'decl' from actor 'a' to 'b'; -1 when a == b. */
int brink__relation_slot(const brink_engine *e, int decl, int a, int b);
/* The index of 'value' among an enum variable's values, or -1 with *best
   the nearest value (NULL: none close). */
int brink__enum_index(const brink_engine *e, int var, const char *value,
                      const char **best);

int brink__actor_lookup(brink_engine *e, const char *id, int *out);
/* Reads and writes by slot, tracked for cached conditions and journaled. */
int brink__read(brink_engine *e, int var, double *out);
int brink__write(brink_engine *e, int var, double value);
void brink__note_date_read(brink_engine *e);
/* A condition took w.date (what it then reads of it says how much it
   depends on the date: only the year, or all of it). */
void brink__note_date_touch(brink_engine *e);
void brink__note_date_year(brink_engine *e);
/* May the bindings take their fast paths (calls without the trampoline,
   reads from mirrors)?  Not under BRINK_FLAG_NO_CACHE: that flag runs
   the plain path everywhere, to check the fast ones against. */
bool brink__fast(const brink_engine *e);
/* The change tracking a mirror of the values follows: every write sets
   its variable's version to the new clock; a change that writes no
   version (a start, a restore, a load) moves valid_from up to the clock,
   and then every value may have changed.  A belief changes no value: it
   moves only the clock the caches of conditions that read one follow. */
/* The coverage counts of script writes, taken back when a fast path gives
   up an effect that Lua then runs again: from brink__cover_log(e, true)
   every write counted is logged; brink__cover_undo takes back what the
   log holds; brink__cover_log(e, false) stops logging and forgets. */
void brink__cover_log(brink_engine *e, bool on);
void brink__cover_undo(brink_engine *e);
uint64_t brink__clock(const brink_engine *e);
uint64_t brink__valid_from(const brink_engine *e);
const uint64_t *brink__versions(const brink_engine *e);
const double *brink__values(const brink_engine *e);

/* script calls ----------------------------------------------------------- */

/*
** brink_interrupt, from any thread, stops the script call running now and
** no other: the sandbox marks its outermost call busy on entry and idle
** on exit, brink_interrupt turns busy into stopped, and the count hook
** stops the call when it sees stopped.  An interrupt while the flag is
** idle finds nothing to stop and is dropped, so it cannot kill a later,
** unrelated call.  Implemented in game.c; 'flag' may be NULL (a sandbox
** without an engine): nothing then.
*/
enum { BRINK__IDLE, BRINK__BUSY, BRINK__STOPPED };
atomic_int *brink__interrupt_flag(brink_engine *e);
void brink__interrupt_enter(atomic_int *flag);
void brink__interrupt_leave(atomic_int *flag);
bool brink__interrupted(atomic_int *flag);

/* What is running, for causes and messages. */
enum {
  BRINK__IN_NONE, BRINK__IN_MOVE, BRINK__IN_TRIGGER, BRINK__IN_EVENT,
  BRINK__IN_HOOK, BRINK__IN_OUTCOME, BRINK__IN_POLICY, BRINK__IN_WEIGHT
};

typedef struct brink__call {
  int in;              /* BRINK__IN_* */
  int index;           /* which move, trigger, event, hook, outcome, policy */
  int option;          /* moves: the option index, else -1 */
  int actor, target;   /* moves and policies; -1 otherwise */
  const char *data;    /* events: the serialized data, or NULL */
} brink__call;

typedef struct brink__host {
  void *ud;
  /*
  ** Runs a read-only function (a 'when' or a 'weight'), storing its value
  ** in *value and, for a false 'when', its reason (or NULL) in *reason,
  ** valid until the next call.  Returns BRINK_OK or an error status after
  ** brink__script_error().
  */
  int (*eval)(void *ud, int fn, const brink__call *c, double *value,
              const char **reason);
  /* Runs an effect; the engine wraps it in a transaction. */
  int (*run)(void *ud, int fn, const brink__call *c);
  /* A policy's choice among 'n' options (indexes into the option table). */
  int (*choose)(void *ud, int fn, const brink__call *c, const int *options,
                int n, int *chosen);
  /* Attaches a copy of the host to a freshly opened engine (for clones). */
  int (*clone)(void *ud, brink_engine *from, brink_engine *to);
  void (*close)(void *ud);
  /* Charges the script budgets (see brink__hold); NULL: nothing to. */
  int (*charge)(void *ud, int64_t bytes, int64_t work);
  /* The scenario's score of c->actor (read-only); NULL: it has none. */
  int (*score)(void *ud, const brink__call *c, double *value);
  /*
  ** Migration step 'step' of the scenario (its `migrate { }`) on a saved
  ** state, given as event data text (data.h): the state it returns as
  ** JSON text in *out, a buffer (buffer.h) the caller frees.  With
  ** 'state' NULL only whether the step exists.  BRINK_ENOTFOUND when it
  ** does not; NULL: the scenario has no steps.
  */
  int (*migrate)(void *ud, int step, const char *state, char **out,
                 size_t *len);
} brink__host;

/* Attaches the host that loaded the scenario; the engine closes it. */
void brink__host_set(brink_engine *e, const brink__host *host);
/* The host's 'ud', or NULL when no scenario is loaded. */
void *brink__host_ud(const brink_engine *e);

/* The call running now (in BRINK__IN_NONE between calls). */
const brink__call *brink__current(const brink_engine *e);
/* Is a condition running (nothing may be written or drawn)? */
bool brink__read_only(const brink_engine *e);
/* Has the run started (brink_start), so effects may act? */
bool brink__running(const brink_engine *e);
/* "file:line" where the function of 'c' was declared, or NULL. */
const char *brink__call_where(const brink_engine *e, const brink__call *c);
/* A facilitator's odds for the running move's effect: true and *p. */
bool brink__odds_now(const brink_engine *e, double *p);

/* The option table: who makes which move on whom, in option order. */
int brink__option_count(const brink_engine *e);
void brink__option_info(const brink_engine *e, int option, int *move,
                        int *actor, int *target);

/* effects ---------------------------------------------------------------- */

int brink__news(brink_engine *e, const char *text, size_t len);
int brink__event_find(const brink_engine *e, const char *name);
/* The "did you mean" tail for an unknown event (brink__nearest_text). */
const char *brink__event_nearest(brink_engine *e, const char *name);
/* schedule(event, turns, data) and fire(event, data) from an effect. */
int brink__schedule(brink_engine *e, int event, int turns, const char *data);
int brink__fire(brink_engine *e, int event, const char *data);
int brink__end_scenario(brink_engine *e, const char *outcome);

/* declarations ----------------------------------------------------------- */

/*
** Declarations from a host: each copies its spec (nothing in it is kept)
** and either adds the whole thing or reports why and adds nothing.
** Strings may be NULL where a field is optional; handles are the host's
** function handles, -1 for none.
*/
typedef struct brink__move_spec {
  const char *name, *where, *doc;
  bool by_all;
  const bool *by;          /* [nactors]: who may make it, unless by_all */
  const int *targets;      /* actor ids; NULL: the move takes no target */
  int ntargets;
  int when, effect, weight;
  bool fixed;              /* 'weight' is -1 and the weight is 'value' */
  double value;            /* weight = 2: a finite number of 0 or more */
} brink__move_spec;

typedef struct brink__trigger_spec {
  const char *name, *where;
  int32_t at;              /* INT32_MIN: none */
  int every;               /* N turns (> 0), -1 month, -2 quarter or -3
                              year end (calendar.c), or 0 */
  bool once;
  int when, effect;
} brink__trigger_spec;

typedef struct brink__named_spec {   /* events, outcomes, policies */
  const char *name, *where, *doc;
  int fn;                  /* effect, when, choose */
  int actor;               /* policies: -1 for any */
} brink__named_spec;

int brink__move_declare(brink_engine *e, const brink__move_spec *s);
int brink__trigger_declare(brink_engine *e, const brink__trigger_spec *s);
int brink__event_declare(brink_engine *e, const brink__named_spec *s);
int brink__outcome_declare(brink_engine *e, const brink__named_spec *s);
int brink__policy_declare(brink_engine *e, const brink__named_spec *s);
/* brink_actor_add with a brief (NULL: none). */
int brink__actor_declare(brink_engine *e, const char *id, const char *name,
                         const char *brief, int *out);

enum { BRINK__TURN_START, BRINK__TURN_END };

int brink__hook_add(brink_engine *e, int when, int fn, const char *where);

/* payoffs and priors (payoff.c) ------------------------------------------ */

/*
** Declared after the outcome or variable they belong to, before the seal;
** each copies its spec and adds all of it or nothing.  'payoff' holds one
** finite number per actor, in actor order.
*/
int brink__payoff_declare(brink_engine *e, const char *outcome,
                          const double *payoff);

typedef struct brink__prior_spec {
  double lo, hi;           /* numbers and integers: uniform on [lo, hi] */
  double p;                /* flags: the probability of true */
  const double *weights;   /* enums: one weight per value, else NULL */
  int nweights;
} brink__prior_spec;

/* 'decl' as brink_var_declare gave it; every instance shares the prior. */
int brink__prior_declare(brink_engine *e, int decl,
                         const brink__prior_spec *s);

#endif
