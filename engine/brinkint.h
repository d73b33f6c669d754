/*
** brinkint.h: the engine's internals, for engine/ alone.  The bindings
** see the engine through brink.h and bind.h, which this includes.
** Nothing here is part of the public interface.
**
** Layout: every variable instance is a slot in one flat array of doubles,
** so a snapshot, a reset or a clone is a copy.  Names are resolved to slots
** once; reads and writes afterwards are by index.
*/
#ifndef BRINKINT_H
#define BRINKINT_H

#include <locale.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bind.h"
#include "brink.h"
#include "data.h"

/* memory ----------------------------------------------------------------- */

/*
** Every block the engine itself holds is counted in e->mem_used.  While
** e->metering is set (the bindings set it while a scenario's declarations
** become the world), a block that would take the engine and its script
** state (*e->script_mem) past cfg.max_memory is refused and e->over_budget
** set, so that "out of memory" is reported as the budget.
*/
size_t brink__mem_cap(const brink_engine *e);
size_t brink__mem_used(const brink_engine *e);
/* "16 MiB", "4.9 GiB", "1000 bytes". */
void brink__fmt_bytes(size_t n, char *buf, size_t cap);
/* Grows '*p' (of '*cap' elements of 'size') to hold 'need'; 0 or ENOMEM.
   Inline, as most calls find the room there: every read a condition
   makes and every change it journals asks. */
int brink__grow_to(brink_engine *e, void **p, int *cap, int need,
                   size_t size);
static inline int brink__grow(brink_engine *e, void **p, int *cap, int need,
                              size_t size) {
  return need <= *cap ? 0 : brink__grow_to(e, p, cap, need, size);
}

/*
** What the engine keeps and does on a script's behalf goes to the script
** budgets through brink__hold(): 'bytes' held (negative: released) and
** 'work' done, in the sandbox's instructions, which C work matches at
** about these rates.  Fails (BRINK_EBUDGET, nothing held) when a budget
** is exceeded; the binding raises the kill.
*/
#define BRINK__COST_BYTES 16     /* bytes copied: 1 instruction */
#define BRINK__COST_ENTRY 32     /* a journal entry, kept and recorded */
#define BRINK__COST_EVENT 500    /* an event fired: a call, a transaction,
                                    a record; paid when it is scheduled */
int brink__hold(brink_engine *e, int64_t bytes, int64_t work);

/* errors ----------------------------------------------------------------- */

/*
** The first statement of every public call that changes the engine (its
** state, its world or what it keeps for the host): inside the record
** callback such a call would change the run being reported, so it is
** refused with BRINK_ESTATE; otherwise the option list brink_options made
** is dropped, because whatever the call changes may change it.  Calls
** that only read need nothing.
*/
int brink__writable(brink_engine *e, const char *fn);
#define BRINK__GUARD(check)                                                 \
  do {                                                                      \
    int brink__rc = (check);                                                \
    if (brink__rc != BRINK_OK) return brink__rc;                            \
  } while (0)
#define BRINK__WRITE(e) BRINK__GUARD(brink__writable((e), __func__))
/* For calls that copy the whole state out (snapshots, saves, clones):
   refused in the record callback, where the state is half made, but they
   change nothing, so the option list stays. */
int brink__whole(brink_engine *e, const char *fn);
#define BRINK__WHOLE(e) BRINK__GUARD(brink__whole((e), __func__))
/*
** The rule for versioned structs (brink.h): a caller's struct of 'size'
** bytes is read over 'dst', which holds the defaults, as far as both
** know; written into only as far as its 'size' says.  A size that does
** not cover the size field, or is larger than the library's struct, is
** BRINK_EINVAL ('e' may be NULL: no message then).
*/
int brink__struct_in(const brink_engine *e, void *dst, size_t full,
                     const void *src, const char *what);
int brink__struct_out(const brink_engine *e, void *dst, const void *src,
                      size_t full, const char *what);
/*
** A getter given a bad id, by brink.h's rule: the message "no actor has
** id 7", then BRINK_EINVAL (statuses), NULL (names) or -1 (answers).
*/
int brink__bad_id(const brink_engine *e, const char *what, int id);
const char *brink__bad_name(const brink_engine *e, const char *what, int id);
/* Shortest text that reads back as the same double ("8", "0.1"), in the
   C locale; as snprintf. */
/* Decimals shown by default, and the most a variable may declare. */
#define BRINK__DEFAULT_PRECISION 4
#define BRINK__MAX_PRECISION 9
int brink__fmt_number(const brink_engine *e, double v, char *buf,
                      size_t cap);
/* strtod in the C locale: the whole of 'text' must be a number. */
bool brink__parse_number(const brink_engine *e, const char *text,
                         double *out);

/* calendar (calendar.c) -------------------------------------------------- */

int32_t brink__days_from_civil(int32_t y, int32_t m, int32_t d);
void brink__civil_from_days(int32_t days, int32_t *y, int32_t *m, int32_t *d);
int32_t brink__days_in_month(int32_t y, int32_t m);
/* 'days' moved by 'months' calendar months, the day clamped to the month. */
int32_t brink__add_months(int32_t days, int32_t months);
/* First day of turn t (from 1) for a calendar starting on 'start'. */
int32_t brink__turn_start(int32_t start, int unit, int turn);
/* Kinds of period ends for 'every' triggers. */
enum { BRINK__MONTH_END = -1, BRINK__QUARTER_END = -2, BRINK__YEAR_END = -3 };
/* Does [from, to) hold the last day of a month, quarter or year? */
bool brink__period_has_end(int32_t from, int32_t to, int kind);

/* generator (rng.c) ------------------------------------------------------ */

typedef struct brink__rng {
  uint64_t s[4];
} brink__rng;

void brink__rng_seed(brink__rng *r, uint64_t seed);
uint64_t brink__rng_next(brink__rng *r);
double brink__rng_double(brink__rng *r);                     /* [0, 1) */
int64_t brink__rng_range(brink__rng *r, int64_t lo, int64_t hi);
double brink__rng_normal(brink__rng *r, double mu, double sd);

/*
** A named stream: a generator of its own, started from the run's seed and
** the stream's name, so that draws in one never shift another.  Streams
** are made on first use and belong to the run (snapshots, saves, undo).
*/
#define BRINK__MAX_STREAMS 32
#define BRINK__STREAM_NAME 32   /* bytes of a name, its NUL included */
typedef struct brink__stream {
  char name[BRINK__STREAM_NAME];
  brink__rng rng;
} brink__stream;
/* The generator of stream 'name' (NULL: the run's own) into *out; an
   error when the name is bad or the run has too many streams. */
int brink__stream_of(brink_engine *e, const char *name, brink__rng **out);
/* 64-bit FNV-1a of 'prefix' then 'name'. */
uint64_t brink__name_hash(const char *prefix, const char *name);
/* The built-in AI's number in [0, 1) for the decision 'actor' makes now. */
double brink__ai_draw(const brink_engine *e, int actor);
/* A natural log from + - * / alone, so draws are the same on every libm. */
double brink__log(double x);

/* the world -------------------------------------------------------------- */

typedef struct brink__decl {
  char *name;          /* as declared: "trade_war", "DPRK.sanctions", ... */
  char *field;         /* the last part: "sanctions", "economy", "tension" */
  char *owner;         /* BRINK__ACTOR_VAR: the actor's id */
  int kind;
  int type;
  bool symmetric;
  bool strict;         /* out of [min, max] is an error, not a clamp */
  double min, max, init;
  char **values;       /* enums */
  int nvalues;
  int visibility;
  char **visible_to;
  int nvisible;
  int *visible_ids;    /* resolved at seal */
  char *doc;
  char *where;
  int precision;       /* decimals people are shown (brink_value_show) */
  struct { char *actor; double init; } *inits;   /* per-actor overrides */
  int ninits, cap_inits;
  /* Declared starting beliefs (belief.c): 'actor' NULL for every actor
     that cannot see it; later entries win. */
  struct { char *actor; double lo, hi; } *believed;
  int nbelieved, cap_believed;
  int first, count;    /* its slots, after seal */
  int *pair_slot;      /* relations: [a * nactors + b] -> slot, -1 if a==b */
} brink__decl;

/* Index of the pair (a, b) in a relation's pair_slot, in size_t: n * n
   passes INT_MAX long before the pairs themselves do. */
#define BRINK__PAIR(n, a, b) ((size_t)(a) * (size_t)(n) + (size_t)(b))

typedef struct brink__var {
  char *name;          /* full name: "USA.tension.DPRK" */
  int decl;
  int owner;           /* actor or -1 */
  int other;           /* relations: the second actor, else -1 */
} brink__var;

typedef struct brink__actor {
  char *id;
  char *name;
  char *brief;
  int control;         /* BRINK__AI, BRINK__SEAT, BRINK__POLICY */
  int policy;
  uint64_t ai_key;     /* its AI stream's: FNV-1a of "ai:" and the id */
} brink__actor;

enum { BRINK__AI, BRINK__SEAT, BRINK__POLICY };

/* scripts: what the engine calls, implemented by bindings/lua ------------ */

/* brink__call and brink__host are in bind.h. */

/* A text a load read or a host supplied (source.c). */
typedef struct brink__source {
  char *name;          /* the import's name: "lib"; NULL: the scenario */
  char *chunk;         /* what messages call it: "scenarios/lib.lua" */
  char *text;          /* 'len' bytes and a NUL */
  size_t len;
  bool supplied;       /* by brink_import_add: outlives a failed load */
} brink__source;
/* Drops the scenario's text and the imports a load read (free_world). */
void brink__sources_forget(brink_engine *e);
void brink__sources_free(brink_engine *e);

/* The engine reaches scripts only through these: each runs in the C
   locale (see brink__locale_enter). */
int brink__host_eval(brink_engine *e, int fn, const brink__call *c,
                     double *value, const char **reason);
int brink__host_run(brink_engine *e, int fn, const brink__call *c);
int brink__host_choose(brink_engine *e, int fn, const brink__call *c,
                       const int *options, int n, int *chosen);
int brink__host_clone(brink_engine *e, brink_engine *to);

/* A cached condition: its value stays valid while nothing it read changed. */
typedef struct brink__cache {
  int *reads;
  double *vals;        /* [cap_vals]: the value of each read, as read */
  int nreads, cap, cap_vals;
  uint64_t stamp;      /* e->clock when computed; 0: never */
  bool reads_date;
  bool reads_belief;   /* read a belief: only the versions may vouch */
  bool date_touched;   /* took w.date: reads_date unless only its year */
  bool reads_year;     /* read the year of a date, no more of it */
  int year;            /* the turn's year when it was computed */
  int turn;            /* the turn it was computed in */
  double value;
  char *reason;
  size_t reason_cap;
} brink__cache;

typedef struct brink__move {
  char *name, *doc, *where, *cause;
  bool by_all;
  bool *by;            /* [nactors] */
  int *targets;        /* actor ids; NULL: no target */
  int ntargets;
  int when, effect, weight;   /* host function handles, -1 for none */
  double fixed_weight;        /* the weight when 'weight' is -1 */
} brink__move;

typedef struct brink__option {
  int move, actor, target;
  brink__cache when, weight;
} brink__option;

typedef struct brink__trigger {
  char *name, *where, *cause;
  int32_t at;          /* date, or INT32_MIN */
  int every;           /* N turns (> 0), a BRINK__*_END kind (< 0), or 0 */
  bool once;
  int when, effect;
  brink__cache cache;
} brink__trigger;

typedef struct brink__event {
  char *name, *where, *cause;
  int effect;
} brink__event;

typedef struct brink__outcome {
  char *name, *doc, *where;
  int when;
  brink__cache cache;
} brink__outcome;

typedef struct brink__policy {
  char *name, *where;
  int actor;           /* -1: any */
  int choose;
} brink__policy;

typedef struct brink__hook {
  int when;            /* BRINK__TURN_START or BRINK__TURN_END */
  int fn;
  char *where;
} brink__hook;

/* Payoffs and priors (payoff.c), each naming what it belongs to. */
typedef struct brink__payoff {
  int outcome;
  double *values;      /* [nactors] */
} brink__payoff;

typedef struct brink__prior {
  int decl;
  double lo, hi, p;    /* as in brink__prior_spec */
  double *weights;     /* enums: [nweights] */
  int nweights;
} brink__prior;

/* The journal: what a transaction did, undone on rollback and handed to
   the timeline on the outermost commit. */
enum { BRINK__J_SET, BRINK__J_NEWS, BRINK__J_EVENT, BRINK__J_TRIGGER,
       BRINK__J_BELIEF };

typedef struct brink__entry {
  int kind;
  int var;             /* sets, beliefs */
  double old_value, new_value;   /* beliefs: the lows */
  const char *cause;   /* sets: owned by a declaration or 'causes' */
  size_t text;         /* news: offset into 'text'; events: index */
  int actor;           /* beliefs: who believes */
  double old_hi, new_hi;         /* beliefs */
} brink__entry;

typedef struct brink__mark {
  int entries;
  size_t text;
  int schedule;
  brink__rng rng;
  int outcome;
  int nstreams;
  brink__rng streams[BRINK__MAX_STREAMS];   /* [nstreams] */
} brink__mark;

typedef struct brink__sched {
  int due;             /* turn */
  int event;
  uint32_t seq;        /* order of scheduling */
  char *data;          /* serialized by the host; may be NULL */
} brink__sched;

/*
** Actions (game.c): every (move, target) pair numbered once when the
** world is sealed, so a search can index arrays by action.  Built from
** the declarations alone, hence the same in clones and reloads.
*/
typedef struct brink__actions {
  int n;
  int *move, *target;  /* [n]: action -> move, target (-1: none) */
  int nmoves;
  int *first;          /* [nmoves + 1]: a move's first action */
  int noptions;
  int *of_option;      /* [noptions]: an option's action */
  int *order;          /* [noptions]: each actor's options by action */
  int nvars;
  char **visible;      /* [nvars]: "visible:NAME" */
} brink__actions;

/* Where the turn loop stands, so a step can stop and go on. */
enum {
  BRINK__PH_IDLE, BRINK__PH_START, BRINK__PH_EVENTS, BRINK__PH_MOVES,
  BRINK__PH_DATE_TRIGGERS, BRINK__PH_COND_TRIGGERS, BRINK__PH_OUTCOMES,
  BRINK__PH_END, BRINK__PH_DONE
};

/*
** The state of a run: everything a snapshot copies.  Fixed-size fields
** first; 'fired' and the schedule follow in a snapshot's bytes.
*/
typedef struct brink__run {
  brink__rng rng;
  uint64_t seed;
  int turn;
  int phase;
  int index;           /* progress inside the phase */
  int moves_made;      /* by the current actor this turn */
  int awaiting;        /* actor or -1 */
  int outcome;         /* -1 none, -2 "error", else an outcome index */
  int pending_outcome; /* set by end_scenario, taken after the effect */
  uint32_t sched_seq;
  int nstreams;
  brink__stream streams[BRINK__MAX_STREAMS];
} brink__run;

struct brink_engine {
  brink_alloc alloc;
  void *alloc_ud;
  unsigned alloc_failures;   /* by brink__alloc/realloc, ever: a call
                                that saw it grow failed for memory,
                                whatever path swallowed the NULL */
  brink_config cfg;
  size_t mem_used;             /* bytes of the engine's own blocks */
  const size_t *script_mem;    /* bytes of the script state, or NULL */
  bool metering, over_budget;  /* see brink__mem_cap */
  int errstatus;               /* the status of the last brink__error */
  int in_record;               /* inside the record callback */
  locale_t c_locale;           /* see brink__locale_enter */
  locale_t host_locale;        /* the thread's own while brink_step holds
                                  the C locale, else 0 */

  char *errmsg;        /* owned; "" when none */
  size_t errcap;
  char *say;           /* brink__nearest_text's buffer */
  size_t saycap;
  char errwhere[256];
  char *errin;         /* "move:name", whole; NULL until needed */
  size_t errincap;
  char **diags;
  int ndiags, cap_diags;

  /* scenario fields */
  char *fields[16][2];
  int nfields;
  uint64_t scenario_seed;
  int moves_per_turn;
  double pass_weight;
  char *default_outcome;

  /* declarations */
  brink__actor *actors;
  int nactors, cap_actors;
  brink__map actor_map;
  brink__decl *decls;
  int ndecls, cap_decls;
  brink__map decl_map, rel_map;  /* variable, relation names -> decl */
  bool sealed;
  brink__var *vars;
  int nvars;
  brink__map var_map;
  /* Names -> index, so that declaring and finding stay linear. */
  brink__map moves_map, triggers_map, events_map, outcomes_map,
      policies_map;
  brink__move *moves;          /* moves[0] is "pass" */
  int nmoves, cap_moves;
  brink__option *options;      /* per actor: its moves, then pass */
  int noptions;
  int *actor_options;          /* [nactors + 1]: first option of each */
  brink__trigger *triggers;
  int ntriggers, cap_triggers;
  brink__event *events;
  int nevents, cap_events;
  brink__outcome *outcomes;
  int noutcomes, cap_outcomes;
  brink__policy *policies;
  int npolicies, cap_policies;
  brink__hook *hooks;
  int nhooks, cap_hooks;
  char **causes;               /* interned host causes */
  int ncauses, cap_causes;
  const char *cause;           /* current host cause */

  /* calendar */
  int32_t start, finish;
  int unit;
  int nturns;
  int turn_limit;
  /* The first day of recent turns, so that records, date triggers and
     scripts reading the date do not redo the calendar arithmetic: a
     cache of brink__turn_start, indexed by turn & 3, cleared when the
     calendar is set. */
  struct { int turn; int32_t day; bool ok; } date_memo[4];
  /* The year of the current turn's first day, for conditions that read
     only the year (turn.c): cleared with date_memo. */
  struct { int turn; int32_t year; bool ok; } year_memo;

  /* the run */
  double *values;              /* [nvars] */
  double *initial;             /* [nvars]: values at start */
  uint8_t *fired;              /* [ntriggers] */
  /* Coverage (brink_coverage): counted beside the run and never read by
     it, zeroed by brink_start, kept out of snapshots and saves. */
  int64_t *cover;              /* [nmoves]: decisions it was legal at,
                                  then [nvars]: writes by scripts */
  int ncover;
  int *cover_log;              /* writes counted since brink__cover_log,
                                  as 2 var + clamped; NULL: not logging */
  int ncover_log, cap_cover_log;
  bool cover_logging;
  brink__sched *sched;         /* [sched_head, nsched): in order */
  int nsched, cap_sched;
  int sched_head;              /* the events phase fires from here */
  brink__run run;
  /* Beliefs (belief.c): for each variable some actor cannot see, each
     actor's range [lo, hi] for it, part of the run like the values.
     Slots of actors that see the variable are kept but never used. */
  int *belief_first;           /* [nvars]: actor 0's slot, -1 if public */
  double *belief;              /* [2 * nbelief]: lo, hi */
  double *belief_start;        /* [2 * nbelief]: as declared */
  int nbelief;

  /* change tracking for cached conditions */
  uint64_t clock;              /* bumped by every write */
  uint64_t *version;           /* [nvars]: clock of the last write */
  uint64_t valid_from;         /* caches older than this are stale */
  uint64_t belief_from;        /* those that read a belief, older than
                                  this: a belief changed (values did not) */
  brink__cache *tracking;      /* the cache being filled, or NULL */
  uint32_t *read_mark;         /* [nvars]: dedupes reads per evaluation */
  uint32_t read_epoch;
  bool read_only;              /* a condition is running */
  uint64_t computed;           /* conditions run, ever (turn.c) */

  /*
  ** Condition triggers to look at (turn.c): a trigger whose condition was
  ** false, read no date and nothing written since, is skipped without a
  ** look.  Each variable lists the triggers that read it (a superset);
  ** 'changed' lists the variables written since 'trig_mark'; a move of
  ** valid_from makes every trigger pending.  Off under NO_CACHE.
  */
  uint64_t *trig_pending;      /* [trig_words]: bits of trigger indices */
  uint64_t *trig_cond;         /* [trig_words]: the condition triggers */
  uint64_t *trig_fragile;      /* [trig_words]: pending after any start,
                                  restore or belief: once triggers that
                                  fired, those never computed or reading
                                  beliefs */
  double *trig_seen;           /* [deps_n]: the values at the last look */
  int trig_words;
  struct brink__deps { int *ids; int n, cap; } *deps;   /* [deps_n] */
  int deps_n;
  int *changed;
  int nchanged, cap_changed;
  bool changed_lost;           /* the list could not grow: all pending */
  uint64_t trig_mark, trig_valid, trig_belief;
  int *dated;                  /* the dated triggers' indices, in order */
  int ndated;

  /* brink_step's copy of the state (snapshot.c) */
  unsigned char *kept;
  size_t kept_size, kept_cap;

  /* transactions */
  brink__entry *journal;
  int nentries, cap_entries;
  char *text;
  size_t ntext, cap_text;
  brink__mark *marks;
  int nmarks, cap_marks;

  /* the current option list (brink_options) */
  int *listed;
  int nlisted, cap_listed;
  int listed_actor;
  double *weights;             /* [nlisted]: the AI's, for its draw */
  int cap_weights;

  brink__call current;         /* what is running */
  int odds_move;               /* brink_odds: the move, or -1 */
  double odds_p;
  brink__host host;
  /* The scenario's digest, "" until asked for (digest.c). */
  char digest[72];
  unsigned char digest_raw[32];
  brink_record_fn on_record;
  void *on_record_ud;

  /* game-AI declarations (payoff.c) */
  brink__payoff *payoffs;
  int npayoffs, cap_payoffs;
  brink__prior *priors;
  int npriors, cap_priors;

  /* the texts loaded, kept for clones and digests (source.c) */
  brink__source scenario;      /* 'name' NULL, 'chunk' its path */
  brink__source *sources;      /* imports: supplied, then as loaded */
  int nsources, cap_sources;

  /* the game-AI view (game.c) */
  brink__actions actions;
  bool stop_decisions;         /* brink_stop_at_decisions */
  bool hold;                   /* brink_hold */
  atomic_int interrupt;        /* BRINK__IDLE, _BUSY or _STOPPED */
};

/* snapshot.c: brink_step's undo, in a block the engine keeps. */
int brink__keep(brink_engine *e);
int brink__keep_restore(brink_engine *e);
void brink__keep_free(brink_engine *e);

/* digest.c */
/* The digest's 32 bytes, computed once per scenario. */
int brink__digest(brink_engine *e, unsigned char out[32]);
/* Forgets the digest: the texts or the declarations changed. */
void brink__digest_free(brink_engine *e);

/* world.c */
/* Checks and normalises a value for 'var' without writing it. */
int brink__check_value(brink_engine *e, int var, double *value);
int brink__field_get(const brink_engine *e, const char *field,
                     const char **out);
/* Records a problem found while sealing (a diagnostic at the
   declaration's line) and keeps going; *first keeps the first status. */
int brink__seal_problem(brink_engine *e, const brink__decl *d, int status,
                        int *first);
void brink__world_free(brink_engine *e);

/* belief.c */
/* Lays out and sets the starting beliefs (at seal); findings as
   brink__seal_problem reports them. */
int brink__beliefs_build(brink_engine *e, int *first);
void brink__beliefs_free(brink_engine *e);
void brink__believed_free(brink_engine *e, brink__decl *d);
/* The slot of what 'actor' believes of 'var', or -1 when it sees it. */
int brink__belief_slot(const brink_engine *e, int var, int actor);
/* Is slot 's' as it started when nothing was declared (the variable's
   whole range: the actor knows nothing)? */
bool brink__belief_unknown(const brink_engine *e, int var, int s);

/* journal.c */
/* Journals one change; at depth 0 it is emitted at once. */
int brink__journal_add(brink_engine *e, const brink__entry *en);
int brink__emit(brink_engine *e, brink_record *r);
/* Puts the locale of brink_step's caller back (0 when none is held) and
   the C locale back after: the record callback's side of the step. */
locale_t brink__host_locale(brink_engine *e);
void brink__step_locale(brink_engine *e, locale_t host);
/* A record of 'kind' stamped with the current turn and date, for
   brink__emit; not made when no callback is set, as emit will not read
   it. */
void brink__record(const brink_engine *e, brink_record *r, int kind);
void brink__record_blank(const brink_engine *e, brink_record *r, int kind);
void brink__journal_free(brink_engine *e);

/* game.c: the action table, made when options are and freed with them. */
int brink__actions_build(brink_engine *e);
void brink__actions_free(brink_engine *e);
/* turn.c: is option 'opt' legal now (runs its 'when')? */
int brink__option_legal(brink_engine *e, int opt, bool *legal);
/* value.c: BRINK_OK for a variable of the sealed world, else the error
   a bad id gets (message set). */
int brink__var_check(const brink_engine *e, int var);
/* engine.c: a host cause kept for the engine's life ("facilitator"), so
   journal entries may point at it; NULL when out of memory. */
const char *brink__cause_intern(brink_engine *e, const char *cause);

/* declare.c: the declarations the bindings make are in bind.h. */
int brink__options_build(brink_engine *e);
void brink__cache_free(brink_engine *e, brink__cache *c);
/* turn.c: the condition triggers' bookkeeping, made with the options. */
int brink__trig_build(brink_engine *e);
void brink__trig_free(brink_engine *e);
/* Before variable 'var' is written (its version not yet moved). */
void brink__note_change(brink_engine *e, int var);
void brink__options_free(brink_engine *e);
int brink__outcome_find(const brink_engine *e, const char *name);
int brink__turn_init(brink_engine *e);
/* brink_schedule_put without the data check: the bindings wrote it. */
int brink__sched_put(brink_engine *e, int due, int event, uint32_t seq,
                     const char *data);
/* state.c: brink_position_set in two halves, for brink_state_load. */
int brink__position_check(brink_engine *e, const brink_position *p);
void brink__position_apply(brink_engine *e, const brink_position *p);
void brink__sched_truncate(brink_engine *e, int n);
/* Takes 'sched' ('n' entries of 'cap') as the whole schedule, freeing the
   old one. */
void brink__sched_replace(brink_engine *e, brink__sched *sched, int n,
                          int cap);
/* The bytes a schedule entry holds, for brink__hold(). */
int64_t brink__sched_bytes(const brink__sched *s);
void brink__turn_free(brink_engine *e);
/* "move:name" into buf, as snprintf: the length it needs. */
int brink__call_name(const brink_engine *e, const brink__call *c, char *buf,
                     size_t cap);

/* payoff.c */
void brink__payoff_free(brink_engine *e);
/* brink_var_prior without a message: false when 'var' (a valid id)
   declares no prior, for callers whose success must leave brink_errmsg
   alone (an observation). */
bool brink__prior_mean(const brink_engine *e, int var, double *mean);

/* sha256.c: the library's one digest (scenario texts, saves). */
void sha256(const void *data, size_t len, unsigned char out[32]);
void sha256_hex(const void *data, size_t len, char out[65]);

#endif
