/*
** brink.h: the whole public interface of libbrink, an embeddable engine for
** turn-based crisis and diplomacy scenarios.
**
** Everything a host may use is declared here and nothing else is exported
** from the library.  The rules (docs/embedding.md explains them at length):
**
**  Handles.  Opaque, made and freed in pairs: brink_engine_open /
**    brink_engine_close, brink_snapshot_take / brink_snapshot_free,
**    brink_state_save / brink_buffer_free.  Freeing NULL does nothing.  On
**    failure an out-parameter handle is set to NULL (an out-parameter id to
**    -1).  Every function taking an engine needs a non-NULL one, except
**    brink_engine_close and brink_errmsg.
**
**  Failures, one rule for every call.
**    - Calls returning a status return BRINK_OK (0), a positive state
**      (BRINK_DONE, BRINK_AWAIT) or a negative error.
**    - Getters of names and texts return NULL for a bad id (or when there
**      is nothing to name); "" means the thing exists and the text is empty.
**    - Getters of answers (a type, 'fired', 'visible') return -1 for a bad
**      id.  Counts never fail: 0 when there is nothing.
**    - brink_random and brink_normal return NaN when refused.
**    - Every failure, whatever it returns, leaves its own message in
**      brink_errmsg(e).  A successful call leaves the message alone: the
**      message always describes the last failure.
**
**  Pointer lifetimes.  Strings the engine returns are owned by it and are
**    valid until the engine is closed (names, docs, the scenario's text,
**    path and digest), unless the prototype says otherwise.  The shorter
**    lives, all written at their prototypes: brink_errmsg/errwhere/errin
**    (until the next failing call), brink_diag_get (until the next load),
**    brink_option_get's reason (until the next call that changes the
**    engine), brink_schedule_get's data (while its entry is scheduled),
**    pointers inside a brink_record (during the callback), snapshot bytes
**    (until the snapshot is freed).  Library-wide strings (brink_version,
**    brink_status_name, brink_strerror) live forever.
**
**  Versioned structs.  Every struct that crosses the API starts with
**    uint32_t 'size', set by the caller to sizeof the struct as its header
**    declares it (the _init functions do).  The library reads a caller's
**    struct only as far as 'size' goes, giving the fields past it their
**    defaults, and writes into one only as far as 'size' goes (then sets
**    'size' to what it wrote).  So a host built against an older, smaller
**    struct keeps working.  A size that does not cover the size field, or
**    is larger than this library's struct, is BRINK_EINVAL.  Structs the
**    library hands out (brink_record) carry the library's size.
**
**  Reads and writes.  Each engine function is one of:
**    [r] reads: never changes the engine's run or settings; allowed
**        everywhere, including inside the record callback;
**    [w] writes: may change the engine (its state, its world, its
**        settings, its generator, the option list it keeps); refused with
**        BRINK_ESTATE and a message when called from inside the record
**        callback, because it would change the run being reported.
**        Snapshots, saved states and clones are [w] too: they copy the
**        whole state, which the callback sees half made (they change
**        nothing, so they keep the option list).
**    Functions without a mark need no engine.  brink_engine_close must
**    never be called from the record callback.
**
**  Threads and locale.  There is no global state: engines are independent
**    and may be used from different threads, one thread per engine at a
**    time (brink_interrupt excepted: any thread, any time).  Whatever
**    locale the host sets, with setlocale or uselocale, in any thread,
**    brink reads and writes numbers the C way ("1.5") in
**    values, messages, records and scripts; it never changes the host's
**    locale (it switches the calling thread's locale during a call and
**    puts it back).
**
**  ctypes.  Everything is callable from Python's ctypes with this header
**    alone: no varargs, no struct passed by value, nothing only a macro.
*/
#ifndef BRINK_H
#define BRINK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(BRINK_BUILDING) && defined(__GNUC__)
#define BRINK_API __attribute__((visibility("default")))
#else
#define BRINK_API
#endif

#define BRINK_VERSION_MAJOR 0
#define BRINK_VERSION_MINOR 1
#define BRINK_VERSION_PATCH 0
#define BRINK_VERSION "0.1.0"

/* "0.1.0": the version of the library actually linked. */
BRINK_API const char *brink_version(void);
/* MAJOR*10000 + MINOR*100 + PATCH of the linked library. */
BRINK_API int brink_version_number(void);

/*
** Status codes.  One table yields the enum, brink_status_name() and
** brink_strerror().  Zero is success, positive values are states a caller
** acts on, negative values are errors.
*/
#define BRINK_STATUS_TABLE(X)                                               \
  X(OK, 0, "success")                                                       \
  X(DONE, 1, "the scenario has ended")                                      \
  X(AWAIT, 2, "a seat must choose a move")                                  \
  X(HELD, 3, "the turn is held before it resolves")                         \
  X(ENOMEM, -1, "out of memory")                                            \
  X(EINVAL, -2, "invalid argument")                                         \
  X(ENOTFOUND, -3, "unknown name")                                          \
  X(EEXIST, -4, "name already declared")                                    \
  X(ETYPE, -5, "value of the wrong type")                                   \
  X(ERANGE, -6, "value out of range")                                       \
  X(ESTATE, -7, "not allowed in the engine's current state")                \
  X(ESCRIPT, -8, "scenario script error")                                   \
  X(EBUDGET, -9, "script budget exceeded")                                  \
  X(EIO, -10, "input/output error")                                         \
  X(EFORMAT, -11, "damaged or foreign data")

/* C99 allows the trailing comma, so no sentinel shares a status's value. */
typedef enum brink_status {
#define BRINK__ENUM(name, value, text) BRINK_##name = value,
  BRINK_STATUS_TABLE(BRINK__ENUM)
#undef BRINK__ENUM
} brink_status;

/* "BRINK_ENOMEM" for BRINK_ENOMEM; "BRINK_UNKNOWN" for anything else.
   These strings are static: valid forever. */
BRINK_API const char *brink_status_name(int status);
/* A short sentence describing 'status'; never NULL. */
BRINK_API const char *brink_strerror(int status);

/*
** The allocator has lua_Alloc's signature and contract: nsize == 0 frees
** 'ptr' and returns NULL; otherwise it returns a block of nsize bytes (or
** NULL on failure, leaving 'ptr' untouched).  'osize' is the old size of
** 'ptr' when it is not NULL.  One allocator serves the whole engine,
** including its scripting state, so limits and accounting see everything.
*/
typedef void *(*brink_alloc)(void *ud, void *ptr, size_t osize, size_t nsize);

/*
** Engine settings.  Initialise with brink_config_init(), then change
** fields; 'size' lets later versions add fields without breaking callers.
** Zero in a budget field means "use the default".
*/
typedef struct brink_config {
  uint32_t size;             /* sizeof(brink_config) */
  brink_alloc alloc;         /* NULL: the C library's realloc/free */
  void *alloc_ud;
  int64_t max_instructions;  /* per call into a script (default 10^8) */
  int64_t max_memory;        /* bytes for the scripting state and, while
                                a scenario loads, the world it declares
                                (256 MiB) */
  double max_seconds;        /* wall-clock deadline per call (10 s) */
  uint32_t flags;            /* BRINK_FLAG_* */
  int64_t max_condition_instructions;   /* per call of a 'when' or a
                                'weight' (default 10^6, at most
                                max_instructions): a runaway condition is
                                stopped in a fraction of a second */
} brink_config;

/* The plain path: evaluate every condition every time instead of reusing
   values whose reads did not change, and take none of the engine's other
   fast paths (docs/performance.md lists them).  Slower, for checking that
   the cache and the fast paths are exact. */
#define BRINK_FLAG_NO_CACHE 1u

BRINK_API void brink_config_init(brink_config *cfg);

typedef struct brink_engine brink_engine;

/*
** Opens an engine with an empty world.  'cfg' may be NULL for defaults.
** On failure *out is NULL and the status says why.
*/
/* [r] */
BRINK_API int brink_engine_open(brink_engine **out, const brink_config *cfg);
/* Frees everything the engine owns.  NULL does nothing. */
BRINK_API void brink_engine_close(brink_engine *e);
/*
** The message of the last failing call on 'e'; "" when none has failed.
** Valid until the next failing call on 'e' (successful calls leave it).
** Safe with e == NULL (returns "out of memory", the only way to get none).
*/
BRINK_API const char *brink_errmsg(const brink_engine *e);
/* For errors from scripts: "file.lua:42" or "", and "trigger:name" or "".
   Valid as long as brink_errmsg's text. */
BRINK_API const char *brink_errwhere(const brink_engine *e); /* [r] */
BRINK_API const char *brink_errin(const brink_engine *e); /* [r] */

/*
** Loading a scenario.  The engine must be empty.  'name' is the chunk name
** used in messages ("scenario.lua"); files are read as text.  On a failure
** the engine is left empty again (but for the imports a host supplied)
** and brink_errmsg() has the first error; every error found is also
** listed by brink_diag_count()/brink_diag_get().
** Imports are found as brink_import_add() says, beside 'name' taken as a
** path for brink_load_string().
*/
BRINK_API int brink_load_file(brink_engine *e, const char *path); /* [w] */
BRINK_API int brink_load_string(brink_engine *e, const char *name,
                                const char *text, size_t len); /* [w] */
/*
** Diagnostics of the last load: "file:line: message" lines, in file order,
** each valid until the next load or close.  Warnings read "file:line:
** warning: ..." and are all there is after a successful load (state kept
** in script locals, for one).
*/
BRINK_API int brink_diag_count(const brink_engine *e); /* [r] */
BRINK_API const char *brink_diag_get(const brink_engine *e, int i); /* [r] */
/*
** The scenario's score of 'actor' now (its optional `score(w, actor)`
** function): BRINK_ENOTFOUND when the scenario defines none.
*/
BRINK_API int brink_score(brink_engine *e, int actor, double *out); /* [r] */
/* Scenario fields; "" when not set. */
BRINK_API const char *brink_scenario_field(const brink_engine *e,
                                           const char *field); /* [r] */
/* The scenario's default seed (its 'seed' field, else 0). */
BRINK_API uint64_t brink_scenario_seed(const brink_engine *e); /* [r] */

/* Actors, in declaration order, ids 0 .. count-1. */
BRINK_API int brink_actor_add(brink_engine *e, const char *id,
                              const char *name, int *out); /* [w] */
BRINK_API int brink_actor_count(const brink_engine *e); /* [r] */
/* [r] */
BRINK_API int brink_actor_find(brink_engine *e, const char *id, int *out);
/* The short id ("USA"), the display name, or NULL for a bad id. */
/* [r] */
BRINK_API const char *brink_actor_id(const brink_engine *e, int actor);
/* [r] */
BRINK_API const char *brink_actor_name(const brink_engine *e, int actor);
/* The actor's briefing for its player, "" when it has none. */
/* [r] */
BRINK_API const char *brink_actor_brief(const brink_engine *e, int actor);

/*
** Variables.  A declaration names a world variable ("trade_war"), one
** actor's variable ("DPRK.sanctions"), a variable of every actor
** ("*.economy") or, with 'relation' set, a relation between every ordered
** pair of distinct actors ("tension").  After brink_world_seal() each
** instance has an id and a full name: "trade_war", "DPRK.sanctions",
** "USA.tension.DPRK".  A symmetric relation has one id per unordered pair,
** named with the actor declared first; both orders find it.
**
** Values cross the API as doubles: a flag is 0 or 1, an enum the index of
** its value, an integer an integral double.
*/
enum brink_var_type {
  BRINK_NUMBER = 0,
  BRINK_INTEGER = 1,
  BRINK_FLAG = 2,
  BRINK_ENUM = 3
};

enum brink_visibility {
  BRINK_VISIBLE_PUBLIC = 0,  /* every actor sees it */
  BRINK_VISIBLE_OWNER = 1,   /* only its actor (world variables: nobody) */
  BRINK_VISIBLE_LIST = 2     /* the actors in 'visible_to' */
};

typedef struct brink_var_spec {
  uint32_t size;               /* sizeof(brink_var_spec) */
  const char *name;            /* see above */
  int32_t type;                /* enum brink_var_type */
  int32_t relation;            /* nonzero: a relation */
  int32_t symmetric;           /* relations: one value for both orders */
  double min, max;             /* numbers and integers; ignored otherwise */
  double init;                 /* initial value of every instance */
  const char *const *values;   /* enums: 'nvalues' value names */
  int32_t nvalues;
  int32_t visibility;          /* enum brink_visibility */
  const char *const *visible_to;  /* actor ids, for BRINK_VISIBLE_LIST */
  int32_t nvisible;
  const char *doc;             /* may be NULL */
  const char *where;           /* "file:line" for messages; may be NULL */
  int32_t strict;              /* nonzero: a number or integer written
                                  outside [min, max] is an error
                                  (BRINK_ERANGE), not clamped */
  /* Numbers: the decimals people are shown (0 to 9, trailing zeros
     dropped), or -1 for the default of 4.  See brink_value_show. */
  int32_t precision;
} brink_var_spec;

/* Sets 'size', a number type, bounds of -inf..inf, public visibility and
   the default precision (-1). */
BRINK_API void brink_var_spec_init(brink_var_spec *spec);
/* Declares; *decl (may be NULL) receives a declaration id for _init_for. */
BRINK_API int brink_var_declare(brink_engine *e, const brink_var_spec *spec,
                                int *decl); /* [w] */
/*
** Overrides the initial value of one actor's instance of a "*.name"
** declaration (or of the relations it starts, for 'actor' in a relation).
** Checked and applied when the world is sealed.
*/
BRINK_API int brink_var_init_for(brink_engine *e, int decl, const char *actor,
                                 double init); /* [w] */
/*
** Declares the starting belief about a hidden variable (not public):
** 'actor' (copied; NULL for every actor that cannot see it) takes it to
** lie in [lo, hi], a point when lo == hi.  Later calls win over earlier
** ones, an actor's own over NULL's.  Without one, an actor's belief is the
** variable's whole range, which means it knows nothing.  Checked when the
** world is sealed (the actor exists, both ends are values the variable
** may take).
*/
BRINK_API int brink_var_believed(brink_engine *e, int decl, const char *actor,
                                 double lo, double hi); /* [w] */
/* Resolves declarations into instances; no declarations after this. */
BRINK_API int brink_world_seal(brink_engine *e); /* [w] */

BRINK_API int brink_var_count(const brink_engine *e); /* [r] */
/* Unknown names fail with BRINK_ENOTFOUND and a "did you mean" message. */
/* [r] */
BRINK_API int brink_var_find(brink_engine *e, const char *name, int *out);
BRINK_API const char *brink_var_name(const brink_engine *e, int var); /* [r] */
BRINK_API const char *brink_var_doc(const brink_engine *e, int var); /* [r] */
/* enum brink_var_type, or -1 for a bad id. */
BRINK_API int brink_var_type(const brink_engine *e, int var); /* [r] */
BRINK_API int brink_var_bounds(const brink_engine *e, int var, double *min,
                               double *max); /* [r] */
/* The owning actor, or -1 for a world variable.  'other' gets the second
   actor of a relation, else -1. Either pointer may be NULL. */
BRINK_API int brink_var_actors(const brink_engine *e, int var, int *owner,
                               int *other); /* [r] */
/* 1 when 'actor' may see 'var' (its visibility rule), 0 when not, -1 for
   a bad 'var'. */
/* [r] */
BRINK_API int brink_var_visible(const brink_engine *e, int var, int actor);
BRINK_API int brink_var_get(brink_engine *e, int var, double *out); /* [r] */
/*
** Writes one value under the type rules: numbers are clamped to the bounds,
** integers must be integral, flags 0 or 1, enums a value index, and NaN or
** infinity is refused.  Each refusal is BRINK_ETYPE or BRINK_ERANGE with a
** message naming the variable.  The write is journaled with the current
** cause (brink_cause_set).
*/
BRINK_API int brink_var_set(brink_engine *e, int var, double value); /* [w] */
/* Parses "9", "true", "liberal" by the variable's type, then sets it. */
/* [w] */
BRINK_API int brink_var_set_text(brink_engine *e, int var, const char *text);
/* Writes the value as text ("9", "8.5", "true", "liberal") into buf;
   returns the length it needed, like snprintf.  Exact, for machines: the
   shortest text that reads back as the same double, in the C locale
   (52.39599999999993 stays so). */
BRINK_API int brink_var_format(const brink_engine *e, int var, char *buf,
                               size_t cap); /* [r] */
/* The same for any value of the variable's type (e.g. its start value). */
BRINK_API int brink_value_format(const brink_engine *e, int var, double value,
                                 char *buf, size_t cap); /* [r] */
/*
** The value as people read it, the one rule of every table, view, report
** and CSV: a number rounded to its declared precision (4 decimals by
** default), trailing zeros and a bare point dropped, no "-0", in the C
** locale: 52.39599999999993 is "52.396", 17.560000000000002 "17.56", 35
** "35".  Integers, flags and enums as brink_value_format.  Returns the
** length it needed, like snprintf.
*/
BRINK_API int brink_value_show(const brink_engine *e, int var, double value,
                               char *buf, size_t cap); /* [r] */
/* The same for the variable's current value. */
BRINK_API int brink_var_show(const brink_engine *e, int var, char *buf,
                             size_t cap); /* [r] */
/* The rule itself, for numbers that are no variable's value (a change, an
   axis tick): 'decimals' 0 to 9, or -1 for the default of 4. */
BRINK_API int brink_number_show(double value, int decimals, char *buf,
                                size_t cap);
/* The declared precision in decimals (the default is 4), or -1 for a bad
   id or a variable that is not a number. */
BRINK_API int brink_var_precision(const brink_engine *e, int var); /* [r] */
/* An enum's value names: "" past the end of the list (a bad 'var' is
   NULL, as for any bad id). */
BRINK_API const char *brink_var_enum_value(const brink_engine *e, int var,
                                           int index); /* [r] */

/*
** The cause recorded with writes made through the API outside any script
** effect ("host" by default), e.g. "facilitator".  Copied.
*/
BRINK_API int brink_cause_set(brink_engine *e, const char *cause); /* [w] */

/*
** Transactions.  begin nests; rollback undoes every write, news, schedule
** and random draw since the matching begin; commit of the outermost level
** hands the changes to the timeline callback.
*/
BRINK_API int brink_txn_begin(brink_engine *e); /* [w] */
BRINK_API int brink_txn_commit(brink_engine *e); /* [w] */
BRINK_API int brink_txn_rollback(brink_engine *e); /* [w] */
BRINK_API int brink_txn_depth(const brink_engine *e); /* [r] */

/*
** The generator: xoshiro256**, seeded through splitmix64.  Its state is
** part of the world (snapshots and saves keep it), so every draw is [w]:
** refused in the record callback, where brink_random and brink_normal
** return NaN and brink_chance BRINK_ESTATE.
*/
BRINK_API int brink_seed(brink_engine *e, uint64_t seed); /* [w] */
/* [w] */
BRINK_API double brink_random(brink_engine *e);            /* [0, 1) */
/* Uniform integer in [lo, hi]; BRINK_EINVAL if lo > hi. */
BRINK_API int brink_random_int(brink_engine *e, int64_t lo, int64_t hi,
                               int64_t *out); /* [w] */
BRINK_API double brink_normal(brink_engine *e, double mu, double sd); /* [w] */
/* [w] */
BRINK_API int brink_chance(brink_engine *e, double p);      /* 1 or 0 */

/*
** Named streams.  The same draws from the stream 'stream' of the run (NULL:
** the run's own generator, as the calls above): each stream starts from
** the run's seed and its name alone (seed xor the 64-bit FNV-1a of the
** name, through SplitMix64 into xoshiro256**), so drawing more from one
** never shifts another.  Names are 1 to 31 letters, digits, '_', '-' or
** '.'; a run may use 32.  Streams begin on first use, are part of the
** run (snapshots, saved states, undone with a failed effect) and begin
** again at brink_seed and brink_start.
*/
BRINK_API int brink_random_in(brink_engine *e, const char *stream,
                              double *out); /* [w] */
BRINK_API int brink_random_int_in(brink_engine *e, const char *stream,
                                  int64_t lo, int64_t hi,
                                  int64_t *out); /* [w] */
BRINK_API int brink_normal_in(brink_engine *e, const char *stream, double mu,
                              double sd, double *out); /* [w] */
BRINK_API int brink_chance_in(brink_engine *e, const char *stream, double p,
                              int *out); /* [w] */
/* The streams the run has begun, in the order it began them; a stream's
   generator state (four words), to save it by name and put it back. */
BRINK_API int brink_stream_count(const brink_engine *e); /* [r] */
BRINK_API const char *brink_stream_name(const brink_engine *e, int i); /* [r] */
BRINK_API int brink_stream_get(const brink_engine *e, const char *name,
                               uint64_t state[4]); /* [r] */
BRINK_API int brink_stream_set(brink_engine *e, const char *name,
                               const uint64_t state[4]); /* [w] */

/*
** Calendar.  Dates are days since 1970-01-01 (negative before).  Turns are
** numbered from 1; turn t covers the period [start(t), start(t+1)).
*/
enum brink_turn_unit {
  BRINK_DAY = 0,
  BRINK_WEEK = 1,
  BRINK_MONTH = 2,
  BRINK_QUARTER = 3,
  BRINK_YEAR = 4
}; /* [w] */

/* "2019-12-31" -> days; BRINK_EINVAL for anything else (no 2019-02-30). */
BRINK_API int brink_date_parse(const char *text, int32_t *days);
/* Writes "YYYY-MM-DD" (11 bytes with the NUL) into buf. */
BRINK_API int brink_date_format(int32_t days, char *buf, size_t cap);
BRINK_API int brink_date_civil(int32_t days, int32_t *year, int32_t *month,
                               int32_t *day);
/* Sets the calendar: first turn's date, finish date, unit.  Before seal. */
BRINK_API int brink_calendar_set(brink_engine *e, int32_t start,
                                 int32_t finish, int unit); /* [w] */
/* The number of turns: the last is the one whose period holds 'finish'. */
BRINK_API int brink_turn_count(const brink_engine *e); /* [r] */
/* The current turn, from 1. */
BRINK_API int brink_turn(const brink_engine *e); /* [r] */
/* First day of turn t (t may be past the last turn). */
BRINK_API int32_t brink_turn_date(const brink_engine *e, int turn); /* [r] */
/* The current turn's first day. */
BRINK_API int32_t brink_date(const brink_engine *e); /* [r] */

/*
** Running.  After a load (or a seal), brink_start() resets the world to its
** initial values with 'seed' and emits the start record; brink_step() then
** plays one turn (see docs/scenario-language.md).  It returns:
**   BRINK_OK     the turn is complete and the next is due;
**   BRINK_AWAIT  a seated actor must choose: see brink_awaiting(),
**                brink_options(), brink_choose(), then call brink_step()
**                again to go on from there;
**   BRINK_DONE   the scenario has ended: brink_outcome() names how;
**   an error     a script failed; its writes are rolled back, an error
**                record was emitted, and the run stays where it was;
**   BRINK_ENOMEM the allocator refused memory somewhere in the turn: the
**                state is as it was before the call (the records already
**                delivered stand), so the host may free memory and step
**                again.
** brink_run() steps until BRINK_DONE, BRINK_AWAIT or an error.
*/
BRINK_API int brink_start(brink_engine *e, uint64_t seed); /* [w] */
BRINK_API int brink_step(brink_engine *e); /* [w] */
BRINK_API int brink_run(brink_engine *e); /* [w] */
/* Ends the run now with 'outcome' (any name; NULL: the default outcome). */
BRINK_API int brink_finish(brink_engine *e, const char *outcome); /* [w] */
/* Limits the run to 'turns' turns (0: the calendar's own count). */
BRINK_API int brink_turn_limit(brink_engine *e, int turns); /* [w] */
/* The outcome once the run has ended, else NULL (not a failure: no
   message). */
BRINK_API const char *brink_outcome(const brink_engine *e); /* [r] */

/* Who chooses an actor's moves: the built-in AI (the default), a named
   policy of the scenario, or the host ("a seat"). */
BRINK_API int brink_seat(brink_engine *e, int actor, int seated); /* [w] */
/* 1 when a person plays 'actor', 0 when not, -1 for no such actor. */
BRINK_API int brink_seated(const brink_engine *e, int actor); /* [r] */
BRINK_API int brink_policy_assign(brink_engine *e, int actor,
                                  const char *policy); /* [w] */
/* The actor that must choose now, or -1. */
BRINK_API int brink_awaiting(const brink_engine *e); /* [r] */

/*
** Moves.  Id 0 is the built-in "pass".  An option is a move with its
** target (-1 for none).  brink_options() evaluates every move 'actor' may
** make now and keeps the list inside the engine until the next call that
** runs scripts; brink_option_get() reads entry i.  'reason' is why an
** illegal option is not allowed ("" when legal or when no reason was given).
** Any [w] call drops the list (whatever it changed may change the
** options): brink_option_get then fails with BRINK_ESTATE, and a 'reason'
** it gave is valid until that call.
*/
BRINK_API int brink_move_count(const brink_engine *e); /* [r] */
/* [r] */
BRINK_API int brink_move_find(brink_engine *e, const char *name, int *out);
/* [r] */
BRINK_API const char *brink_move_name(const brink_engine *e, int move);
BRINK_API const char *brink_move_doc(const brink_engine *e, int move); /* [r] */
BRINK_API int brink_options(brink_engine *e, int actor, int *count); /* [w] */
/* [r] */
BRINK_API int brink_option_get(const brink_engine *e, int i, int *move,
                               int *target, int *legal, const char **reason);
/* The awaiting actor plays 'move' on 'target' (-1 for none). */
BRINK_API int brink_choose(brink_engine *e, int move, int target); /* [w] */

/*
** The timeline.  Each committed change is handed to the callback as a
** record; pointers inside it are valid only during the call.  Inside the
** callback only [r] calls are allowed (see the banner): a [w] call fails
** with BRINK_ESTATE and changes nothing.
*/
enum brink_record_kind {
  BRINK_REC_START = 0,
  BRINK_REC_TURN = 1,
  BRINK_REC_MOVE = 2,
  BRINK_REC_SET = 3,
  BRINK_REC_TRIGGER = 4,
  BRINK_REC_EVENT = 5,
  BRINK_REC_NEWS = 6,
  BRINK_REC_ERROR = 7,
  BRINK_REC_END = 8,
  BRINK_REC_BELIEF = 9
};

typedef struct brink_record {
  uint32_t size;       /* sizeof(brink_record) */
  int32_t kind;        /* enum brink_record_kind */
  int32_t turn;
  int32_t date;        /* first day of the turn */
  int32_t actor;       /* moves: who; -1 otherwise */
  int32_t move;        /* moves: the move id */
  int32_t target;      /* moves: the target actor or -1 */
  int32_t var;         /* sets: the variable id */
  double old_value;    /* sets */
  double new_value;
  const char *id;      /* trigger, event or outcome name; start: scenario */
  const char *text;    /* news text; error message */
  const char *cause;   /* sets: "move:x", "trigger:y", ... */
  const char *where;   /* errors: "file.lua:42" or "" */
  const char *in;      /* errors: "trigger:y" or "" */
  uint64_t seed;       /* start */
  double lo, hi;       /* beliefs: what 'actor' now takes 'var' to be
                          (cause as for sets) */
} brink_record;

typedef void (*brink_record_fn)(void *ud, const brink_record *r);
/* [w] */
BRINK_API int brink_on_record(brink_engine *e, brink_record_fn fn, void *ud);

/*
** One JSON Lines object for 'r', without the newline, into buf.  Returns
** the length it needed (like snprintf) or a negative status.
*/
BRINK_API int brink_record_json(const brink_engine *e, const brink_record *r,
                                char *buf, size_t cap); /* [r] */

/*
** Snapshots: the whole state of a run (values, generator, calendar
** position, fired triggers, schedule, outcome) copied out and restored in
** one call, in memory, within one process (brink_state_save makes bytes to
** store).  A snapshot carries a format version and the scenario's digest
** (brink_scenario_digest): restoring it into an engine whose scenario has
** another digest is refused with BRINK_EFORMAT and changes nothing.
*/
typedef struct brink_snapshot brink_snapshot;
/* [w] */
BRINK_API int brink_snapshot_take(brink_engine *e, brink_snapshot **out);
BRINK_API int brink_snapshot_restore(brink_engine *e,
                                     const brink_snapshot *s); /* [w] */
/* The snapshot's bytes, for comparing and storing.  Valid until freed. */
BRINK_API size_t brink_snapshot_size(const brink_snapshot *s);
BRINK_API const void *brink_snapshot_data(const brink_snapshot *s);
/*
** Frees with the allocator of the engine that took it (the snapshot keeps
** its own copy of the allocator and its 'alloc_ud'), so a snapshot may be
** freed, read or restored into another engine after its engine is closed,
** as long as the allocator's 'ud' lives.  NULL: nothing.
*/
BRINK_API void brink_snapshot_free(brink_snapshot *s);
/*
** The whole restorable state of a run as portable bytes, for saving to a
** file or sending elsewhere: the scenario's digest, a format version, the
** setup the engine knows (seed, seats, policies assigned, turn limit), the
** position in the turn, every value, the fired triggers, the schedule
** with its data, the generator and any pending odds, then a checksum.
** *out is a buffer of *len bytes that the caller frees with
** brink_buffer_free (it keeps the engine's allocator, so it may outlive
** the engine).  Refused (BRINK_ESTATE) while a transaction is open.
*/
/* [w] */
BRINK_API int brink_state_save(brink_engine *e, void **out, size_t *len);
/*
** Loads what brink_state_save wrote, into an engine with the same scenario
** (the same digest).  Damaged, truncated or foreign data, another format
** version, or any field that breaks the rules the setters enforce (a value
** out of its type's rules, event data that is not a literal, a position
** the scenario cannot have) is refused with BRINK_EFORMAT and leaves the
** engine exactly as it was.
*/
BRINK_API int brink_state_load(brink_engine *e, const void *data,
                               size_t len); /* [w] */
/* Frees a buffer the library returned (brink_state_save).  NULL: nothing. */
BRINK_API void brink_buffer_free(void *p);

/*
** A new engine with the same scenario and the same state; the clone's
** timeline callback is unset.
*/
BRINK_API int brink_engine_clone(brink_engine *e, brink_engine **out); /* [w] */

/*
** The state of a run, piece by piece, for saves a person can read (brink
** play's JSON saves) and for carrying a run into a reloaded scenario.
** Snapshots are the fast path; these name everything.
*/
typedef struct brink_position {
  uint32_t size;           /* sizeof(brink_position) */
  int32_t turn;            /* from 1 */
  int32_t phase;           /* where in the turn (opaque, 0..8) */
  int32_t index;           /* progress inside the phase */
  int32_t moves_made;      /* by the actor moving now */
  int32_t awaiting;        /* seated actor to choose, or -1 */
  int32_t outcome;         /* -1 running, -2 "error", else an outcome */
  int32_t pending_outcome; /* -1, or set by end_scenario() */
  uint32_t sched_seq;      /* the next schedule sequence number */
  uint64_t seed;
  uint64_t rng[4];         /* the generator's state */
} brink_position;

/* [r] */
BRINK_API int brink_position_get(const brink_engine *e, brink_position *out);
/* Checks every field against the scenario; BRINK_ERANGE names the bad one.
   The run's named streams begin again: brink_stream_set puts them back. */
/* [w] */
BRINK_API int brink_position_set(brink_engine *e, const brink_position *p);

BRINK_API int brink_trigger_count(const brink_engine *e); /* [r] */
/* Unknown names fail with BRINK_ENOTFOUND and a "did you mean" message,
   as brink_var_find and brink_move_find do; *out is -1 then. */
/* [r] */
BRINK_API int brink_trigger_find(brink_engine *e, const char *name, int *out);
/* [r] */
BRINK_API int brink_event_find(brink_engine *e, const char *name, int *out);
BRINK_API int brink_outcome_find(brink_engine *e, const char *name,
                                 int *out); /* [r] */
/* [r] */
BRINK_API const char *brink_trigger_name(const brink_engine *e, int trigger);
/* 1 fired, 0 not yet, -1 bad id. */
BRINK_API int brink_trigger_fired(const brink_engine *e, int trigger); /* [r] */
BRINK_API int brink_trigger_set_fired(brink_engine *e, int trigger,
                                      int fired); /* [w] */
BRINK_API int brink_event_count(const brink_engine *e); /* [r] */
/* [r] */
BRINK_API const char *brink_event_name(const brink_engine *e, int event);
BRINK_API int brink_outcome_count(const brink_engine *e); /* [r] */
/* [r] */
BRINK_API const char *brink_outcome_name(const brink_engine *e, int outcome);
/* The outcome's 'doc', "" when it has none, NULL for a bad id. */
/* [r] */
BRINK_API const char *brink_outcome_doc(const brink_engine *e, int outcome);

/*
** Scheduled events, in the order they will fire.  'data' is the event's
** data as the scenario language serialized it, or NULL; it belongs to its
** entry and is valid while the entry is scheduled: it is freed when the
** event fires (brink_step, brink_run) or the schedule is replaced
** (brink_schedule_clear, brink_start, brink_snapshot_restore,
** brink_state_load).  Copy it to keep it.  Data put in from outside a
** script (brink_schedule_put, brink_fire, brink_state_load) must be a
** literal in the grammar the language writes (docs/embedding.md); other
** text is refused with BRINK_EINVAL (BRINK_EFORMAT from a state).
*/
BRINK_API int brink_schedule_count(const brink_engine *e); /* [r] */
BRINK_API int brink_schedule_get(const brink_engine *e, int i, int *due,
                                 int *event, uint32_t *seq,
                                 const char **data); /* [r] */
BRINK_API int brink_schedule_clear(brink_engine *e); /* [w] */
/* Appends an entry as brink_schedule_get gave it (for loading a save). */
BRINK_API int brink_schedule_put(brink_engine *e, int due, int event,
                                 uint32_t seq, const char *data); /* [w] */

/*
** "sha256:" and 64 hex digits naming the scenario: the sha256 of its text
** when it imports nothing (the digest `sha256sum` prints for the file),
** else of its text's digest and each import's name and digest.  A world
** declared through the C API is named by its declarations.  Snapshots and
** saved states carry it and are refused by an engine whose digest
** differs.  NULL before the world is sealed or when out of memory;
** valid until the engine is closed.
*/
BRINK_API const char *brink_scenario_digest(const brink_engine *e); /* [r] */

/* The loaded scenario's path as given and its exact text ("" before a
   load); valid until the engine is closed. */
BRINK_API const char *brink_scenario_path(const brink_engine *e); /* [r] */
BRINK_API const char *brink_scenario_text(const brink_engine *e,
                                          size_t *len); /* [r] */

/*
** Imports.  `import "NAME"` in a scenario uses, in this order: the text a
** host supplied for NAME with brink_import_add(), the file NAME.lua beside
** the scenario, the script library built into libbrink.
**
** brink_import_add() is called before loading; 'text' (len bytes, need
** not end in a NUL) is copied, and messages name it "NAME.lua".  Adding a
** NAME again replaces its text.  BRINK_EINVAL for a name import() would
** refuse (only letters, digits, '_' and '-'), BRINK_ESTATE once a
** scenario is loaded.  Supplied imports stay through a failed load, so a
** host can try again, and go with the engine.
**
** The engine keeps every text a load reads, the scenario's and each
** import's wherever it was found, so a clone loads exactly what the
** original did even if the files have changed or gone since.
** brink_import_count/name/text list the kept imports: those supplied, then
** those the load read, in the order first imported.  The strings belong
** to the engine and stay valid until it is closed or loads again; out of
** range, name and text are NULL (and *len 0).
*/
BRINK_API int brink_import_add(brink_engine *e, const char *name,
                               const char *text, size_t len);
BRINK_API int brink_import_count(const brink_engine *e);
BRINK_API const char *brink_import_name(const brink_engine *e, int i);
BRINK_API const char *brink_import_text(const brink_engine *e, int i,
                                        size_t *len);

/*
** Interventions of a host (a facilitator), outside any script, recorded
** with the current cause (brink_cause_set):
**   brink_news       publishes a news item;
**   brink_fire       runs an event (with 'data' in the language's
**                    serialized form, or NULL) or a trigger's effect now,
**                    as a transaction; a trigger so fired counts as fired;
**   brink_odds       makes every chance() in the next effect of 'move'
**                    use probability p (p < 0 clears it).
*/
BRINK_API int brink_news(brink_engine *e, const char *text); /* [w] */
/* [w] */
BRINK_API int brink_fire(brink_engine *e, const char *name, const char *data);
BRINK_API int brink_odds(brink_engine *e, int move, double p); /* [w] */
/* The pending override: *move -1 (and *p -1) when there is none. */
/* [r] */
BRINK_API int brink_odds_get(const brink_engine *e, int *move, double *p);

/*
** Game-AI state: returns, payoffs, priors, resampling.
**
** What a search or learning host needs beyond a run.  An outcome may give
** each actor a payoff (`payoff = { USA = 1, DPRK = -1 }` in the scenario;
** actors it leaves out get 0), and a variable may declare a prior: what an
** actor who cannot see it should believe (`prior = { 20, 60 }`).
*/
/* 1 when the scenario declares score() or any outcome declares a payoff,
   else 0. */
BRINK_API int brink_has_payoffs(const brink_engine *e); /* [r] */
/*
** Each actor's return now, in actor order, into out[0 .. min(cap,
** nactors) - 1]: with a score() function, its value now (run as a
** condition, so refused while a transaction is open); else, once the run
** has ended, the payoff of its outcome (0 for an outcome without a table
** and for "error"); else 0.  Before the end a payoff table gives 0.
*/
/* [w] */
BRINK_API int brink_returns(brink_engine *e, double *out, int cap);
/* The payoff 'outcome' gives 'actor' (0 when its table leaves the actor
   out or it has none); BRINK_EINVAL for a bad id. */
BRINK_API int brink_outcome_payoff(const brink_engine *e, int outcome,
                                   int actor, double *out); /* [r] */
/*
** The mean of the prior 'var' declares: (lo + hi) / 2 for a range, the
** probability of true for a flag, and for an enum the index of its most
** likely value (the first of equals), since an enum's mean index is no
** value at all.  BRINK_ENOTFOUND (and *mean 0) when it declares none.
*/
/* [r] */
BRINK_API int brink_var_prior(const brink_engine *e, int var, double *mean);
/*
** Gives every variable 'actor' cannot see (brink_var_visible) that
** declares a prior a fresh draw from it, in variable order, with a
** generator seeded by 'seed': the same seed, the same draws; the run's
** own generator is not touched, so the run goes on drawing what it
** would have.  Integers are drawn whole from lo to hi, each equally
** likely.  The writes are journaled with the cause "resample" (a
** transaction rolls them back) and reach the record callback as sets.
** All or nothing: on failure no value has changed.
*/
BRINK_API int brink_resample_hidden(brink_engine *e, int actor,
                                    uint64_t seed); /* [w] */
/*
** A rollout that should not replay the run's own future reseeds it with
** brink_seed(), which may be called mid-run: it sets the generator (and
** the seed a saved state reports) and nothing else, so the world stays and
** only later draws change.  A transaction's rollback puts the generator
** back.
*/

/*
** Game-AI state: actions, decisions, observations, metadata.  What a
** search or a learner (OpenSpiel's state API and the like) needs, in
** numbers.
**
** Actions.  Every (move, target) pair is numbered once, when the world is
** sealed, from the declarations alone: action 0 is pass, then each move in
** declaration order with each of its possible targets in actor id order
** (a move without targets is one action, target -1).  An action id so
** means the same in a clone, after brink_state_load into another engine
** and in every run of the scenario.
*/
/* The number of actions, at least 1 (pass). */
BRINK_API int brink_action_count(const brink_engine *e); /* [r] */
/* The move and target (-1: none) of 'action'; BRINK_EINVAL for a bad id. */
BRINK_API int brink_action_info(const brink_engine *e, int action, int *move,
                                int *target); /* [r] */
/* The action of 'move' on 'target': BRINK_EINVAL for a bad move id,
   BRINK_ENOTFOUND when the move has no such target; *action -1 then. */
BRINK_API int brink_action_find(const brink_engine *e, int move, int target,
                                int *action); /* [r] */
/*
** The actions 'actor' may take now, ascending (so pass, always legal,
** first): the legal entries of brink_options as actions.  *n is how many
** there are, which may exceed 'cap': nothing past out[cap - 1] is written.
** Runs the moves' conditions, hence [w] (it drops the option list).
*/
BRINK_API int brink_legal_actions(brink_engine *e, int actor, int *out,
                                  int cap, int *n); /* [w] */

/*
** Decisions one at a time.  While on, brink_step (and brink_run) returns
** BRINK_AWAIT before every decision, not only a seat's, with
** brink_awaiting() the actor to decide.  The host then plays an action
** (brink_choose_action, or brink_choose) or lets the actor's own
** controller decide (brink_decide), and steps on.  A setting of the
** engine: clones copy it, saved states do not hold it, and turning it off
** leaves a decision already awaited to be made.
*/
BRINK_API int brink_stop_at_decisions(brink_engine *e, int on); /* [w] */

/*
** The white cell's hold.  While on, brink_step (and brink_run) stops when
** a turn's moves are made and before anything resolves them (triggers,
** outcomes, turn_end hooks) and returns BRINK_HELD there, doing nothing,
** until it is turned off.  The world may be changed or rewound meanwhile.
** A setting of the engine, as brink_stop_at_decisions is.
*/
BRINK_API int brink_hold(brink_engine *e, int on); /* [w] */
/* 1 while the hold is on (wherever the run stands), else 0. */
BRINK_API int brink_hold_on(const brink_engine *e); /* [r] */
/* Whether the run stands at the held point: the hold is on and the next
   step would resolve the turn. */
BRINK_API int brink_held(const brink_engine *e); /* [r] */
/* The awaiting actor plays 'action'; an illegal one is BRINK_EINVAL with
   the reason and changes nothing (brink_choose's rules). */
BRINK_API int brink_choose_action(brink_engine *e, int action); /* [w] */
/*
** The awaiting actor's own controller makes the decision: its policy, else
** the built-in AI (a seated actor's too), exactly as a run that did not
** stop would, with the same draws.  A run stepped decision by decision
** with brink_decide so gives the same records as brink_run.  Returns what
** playing the move gives: BRINK_OK, BRINK_DONE or a script's error (with
** its error record, the run going on with the next actor), as a step.
** BRINK_ESTATE when nobody awaits or a transaction is open.
*/
BRINK_API int brink_decide(brink_engine *e); /* [w] */

/*
** Observations: what 'actor' knows now as brink_observation_size(e)
** doubles: [0] the turn, [1] 1 once the run has ended, then each
** variable's value in id order (for a variable 'actor' may not see, the
** middle of its belief when it knows something, else the mean of its
** prior, else 0: never the value), then each variable's 1 if
** 'actor' sees it, else 0.  'actor' -1 is the omniscient view.  Fills
** min(cap, size) entries; BRINK_EINVAL for a bad actor or buffer.
*/
BRINK_API int brink_observation_size(const brink_engine *e); /* [r] */
BRINK_API int brink_observation(brink_engine *e, int actor, double *out,
                                int cap); /* [r] */
/* "turn", "ended", the variables' names, then "visible:NAME"; NULL past
   the end.  Valid until the engine is closed. */
BRINK_API const char *brink_observation_name(const brink_engine *e,
                                             int i); /* [r] */

/* The scenario's structure, by id. */
BRINK_API int brink_policy_count(const brink_engine *e); /* [r] */
BRINK_API const char *brink_policy_name(const brink_engine *e, int i); /* [r] */
/* The actor policy i is for, -1 when any actor may use it.  A bad i is -1
   too, with a message: check i against brink_policy_count. */
BRINK_API int brink_policy_actor(const brink_engine *e, int i); /* [r] */
/* 1 when 'actor' may ever make 'move' (everyone may pass), 0 when not,
   -1 for a bad id. */
BRINK_API int brink_move_by(const brink_engine *e, int move,
                            int actor); /* [r] */
/* The actors 'move' may target, ascending; *n as brink_legal_actions
   (0 for a move without targets). */
BRINK_API int brink_move_targets(const brink_engine *e, int move, int *out,
                                 int cap, int *n); /* [r] */
/* The number of an enum's values, 0 for other types, -1 for a bad id. */
BRINK_API int brink_var_enum_count(const brink_engine *e, int var); /* [r] */
/* enum brink_visibility, -1 for a bad id. */
BRINK_API int brink_var_visibility(const brink_engine *e, int var); /* [r] */
/* The value the variable has when a run starts. */
BRINK_API int brink_var_start(const brink_engine *e, int var,
                              double *out); /* [r] */
/* A relation's field name ("tension"), "" for a variable that is not a
   relation, NULL for a bad id. */
BRINK_API const char *brink_var_relation(const brink_engine *e,
                                         int var); /* [r] */
/* 1 for a symmetric relation, 0 otherwise, -1 for a bad id. */
BRINK_API int brink_var_symmetric(const brink_engine *e, int var); /* [r] */

/*
** Where the scenario declared a move, trigger, outcome or variable:
** "file.lua:12" (a variable's is its declaration's: "*.economy" gives
** every actor's the same), "" when it was declared without one (through
** this API with no 'where', the built-in "pass", a default outcome the
** scenario did not declare), NULL for a bad id.
*/
/* [r] */
BRINK_API const char *brink_move_where(const brink_engine *e, int move);
/* [r] */
BRINK_API const char *brink_trigger_where(const brink_engine *e,
                                          int trigger);
/* [r] */
BRINK_API const char *brink_outcome_where(const brink_engine *e,
                                          int outcome);
BRINK_API const char *brink_var_where(const brink_engine *e, int var); /* [r] */

/*
** Coverage of the run since brink_start, for smoke checks (brink check
** --runs): counters the engine keeps beside the run, which never change
** what it does.
**   BRINK_COVER_LEGAL   per move id: the decisions at which the move was
**                       legal (for some target) for the actor deciding;
**                       decisions the engine makes (the built-in AI, a
**                       policy, brink_decide), not a seat's brink_choose;
**                       pass, always legal, counts every decision;
**   BRINK_COVER_WRITES  per variable id: the writes scripts made (moves,
**                       triggers, events, hooks), kept or rolled back,
**                       whether or not the value changed; not initial
**                       values nor a host's writes (brink_var_set);
**   BRINK_COVER_CLAMPS  per variable id: those of the writes that were
**                       outside the bounds and clamped to them.
** brink_start zeroes them.  Snapshots, saved states and clones neither
** hold nor restore them: a run restored or loaded counts on from what the
** engine had.  Fills out[0 .. min(cap, *n) - 1] with *n the number of
** moves or variables; BRINK_EINVAL for another kind or a bad buffer,
** BRINK_ESTATE before a scenario is loaded.
*/
enum brink_coverage_kind {
  BRINK_COVER_LEGAL = 0,
  BRINK_COVER_WRITES = 1,
  BRINK_COVER_CLAMPS = 2
};
BRINK_API int brink_coverage(const brink_engine *e, int kind, int64_t *out,
                             int cap, int *n); /* [r] */

/*
** Stops the script running in 'e' now, from any thread (the one call
** that may be made while another thread uses the engine): it fails at its
** next budget check with BRINK_ESCRIPT, "interrupted by the host", its
** writes rolled back as for any script error, and the engine stays usable.
** When no script is running there is nothing to stop and nothing happens:
** the next call is not affected.  NULL does nothing.  Neither [r] nor
** [w]: it changes nothing but the running call, and it is allowed
** everywhere, the record callback included.
*/
BRINK_API void brink_interrupt(brink_engine *e);
/* brink_var_set with 'cause' (copied) in its set record, for this call
   only: the cause of brink_cause_set stays. */
BRINK_API int brink_var_set_by(brink_engine *e, int var, double value,
                               const char *cause); /* [w] */

/*
** Beliefs: what 'actor' takes 'var' to be when it cannot see it, a range
** [lo, hi] (a point when equal), part of the run (reset by brink_start,
** in snapshots and saved states).  _get of a variable the actor sees
** gives its value as both ends.  _known is 1 when the actor sees the
** variable or its belief is narrower than the whole range, 0 when it
** knows nothing, -1 for a bad id.  _set checks both ends as a write does
** (clamped into the range; ints, flags and enums exact), needs lo <= hi,
** refuses a variable the actor sees (BRINK_EINVAL) and, inside a
** condition, any change (BRINK_ESTATE); it is journaled (a rollback undoes
** it) and recorded as a BRINK_REC_BELIEF with the running call's cause,
** or 'cause' (copied) for _set_by.
*/
BRINK_API int brink_belief_get(brink_engine *e, int actor, int var,
                               double *lo, double *hi); /* [r] */
BRINK_API int brink_belief_known(brink_engine *e, int actor, int var); /* [r] */
/* The belief as brink_start sets it (as declared), as _get gives it. */
BRINK_API int brink_belief_start(brink_engine *e, int actor, int var,
                                 double *lo, double *hi); /* [r] */
BRINK_API int brink_belief_set(brink_engine *e, int actor, int var,
                               double lo, double hi); /* [w] */
BRINK_API int brink_belief_set_by(brink_engine *e, int actor, int var,
                                  double lo, double hi,
                                  const char *cause); /* [w] */

#ifdef __cplusplus
}
#endif

#endif
