/*
** sandbox.h: the Lua state of one engine, the environment scenario scripts
** run in, and the budgets that stop them (docs/scenario-language.md).
** Internal to libbrink; the engine itself knows no Lua, the bindings call
** these.
**
** Lifecycle: a brink__box lives inside the engine (the allocator keeps a
** pointer to it, so it must not move while open); brink__box_open() makes
** its Lua state, brink__box_close() frees it.  Every call into script code
** goes through brink__box_pcall(): that is where the budgets are set, and
** code run any other way is still metered against the last call's budgets.
**
** Stack contracts are written as in the Lua manual: [-o, +p, x] pops o,
** pushes p; x is '-' (raises nothing) or 'e' (may raise any error).
*/
#ifndef BRINK_SANDBOX_H
#define BRINK_SANDBOX_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <lua.h>

#include "brink.h"

/* Budgets used when brink__box_open() gets zero or less. */
#define BRINK__BOX_INSTRUCTIONS 100000000
#define BRINK__BOX_MEMORY ((int64_t)256 * 1024 * 1024)
#define BRINK__BOX_SECONDS 10.0
/* No string may be longer: bounds the work of any single VM operation. */
#define BRINK__BOX_MAX_STRING ((size_t)16 * 1024 * 1024)
/* Room for "file:line" (Lua's short_src is at most 60 bytes). */
#define BRINK__BOX_WHERE 96
/* The chunk name of the language's own Lua code (bindings/lua/prelude.lua):
   errors inside it are reported at the line that called it. */
#define BRINK__BOX_PRELUDE "=prelude"

/* Why the current call was stopped: the value of brink__box.killed. */
enum brink__kill {
  BRINK__KILL_NONE = 0,
  BRINK__KILL_INSTRUCTIONS = 1,   /* max_instructions */
  BRINK__KILL_TIME = 2,           /* max_seconds */
  BRINK__KILL_MEMORY = 3,         /* mem_cap */
  BRINK__KILL_STRING = 4,         /* a string longer than max_string */
  BRINK__KILL_NOMEM = 5,          /* the host allocator failed */
  BRINK__KILL_INTERRUPT = 6       /* brink_interrupt (bind.h) */
};

typedef struct brink__box {
  lua_State *L;
  brink_alloc alloc;                /* the engine's allocator */
  void *alloc_ud;
  size_t mem_used, mem_cap;         /* bytes held by the Lua state */
  size_t c_used;                    /* bytes the engine holds for scripts
                                       (brink__box_hold); the cap is on
                                       the sum */
  size_t max_string;                /* longest string a script may make */
  int64_t max_instructions, instructions;   /* per top-level call */
  int64_t cap;                      /* this call's budget: max_instructions
                                       or what brink__box_next() set */
  int64_t next_cap;                 /* for the next top-level call, or 0 */
  const char *part, *next_part;     /* what the call runs ("when"), for
                                       the budget's message, or NULL */
  int64_t clocked;                  /* 'instructions' at the last look at
                                       the clock */
  double max_seconds;               /* per top-level call */
  double deadline;                  /* CLOCK_MONOTONIC seconds; negative
                                       until the call first reads the clock
                                       (its first hook or large charge) */
  int killed;                       /* enum brink__kill; sticky until the
                                       next top-level call */
  int depth;                        /* brink__box_pcall() nesting */
  int refused;                      /* why the allocator last said no */
  char kill_where[BRINK__BOX_WHERE];   /* "file:line" of the kill, or "" */
  char err_where[BRINK__BOX_WHERE];    /* set by the message handler */
  atomic_int *interrupt;            /* the engine's flag, or NULL */
} brink__box;

/*
** Opens a Lua state whose every allocation goes through 'alloc' (NULL: the
** C library's realloc/free) and is refused past 'max_memory' bytes.  Loads
** base, string, table, math, utf8 and coroutine privately (the state's
** global table is left empty) and installs the count hook.  Zero or less
** in a budget selects the default above.  Returns BRINK_OK, or
** BRINK_ENOMEM with box->L NULL.
*/
int brink__box_open(brink__box *box, brink_alloc alloc, void *ud,
                    int64_t max_instructions, int64_t max_memory,
                    double max_seconds);
/*
** The next top-level call's instruction budget, if less than
** max_instructions (a condition's), and what it runs ("when", "weight",
** "effect": a static string), named when the budget stops it.
*/
void brink__box_next(brink__box *box, int64_t instructions, const char *part);
/* Closes the state; box->mem_used is then 0.  A closed box: nothing. */
void brink__box_close(brink__box *box);

/*
** [-0, +1, -] Pushes a new environment table built from the allow-list
** in sandbox_allow.c: its own copies of the library tables, so a script
** changing 'string' or 'math' changes only its own.  Its 'string' table becomes
** the methods of all strings (the last environment made wins: a state
** runs one scenario).  Returns BRINK_OK; on failure
** pushes "not enough memory" instead and returns BRINK_EBUDGET (the
** memory cap) or BRINK_ENOMEM (the host allocator, or a stack that cannot
** grow, in which case nothing is pushed).
*/
int brink__box_env(brink__box *box);

/*
** [-0, +1, -] Compiles 'text' (never a binary chunk) as a chunk named
** 'chunkname' ("@path" gives messages "path:line: ...") whose _ENV is the
** table at 'env_index'.  Pushes the function and returns BRINK_OK, or
** pushes the message and returns BRINK_ESCRIPT (a syntax error or a binary
** chunk), BRINK_EBUDGET or BRINK_ENOMEM (message "not enough memory").
** brink__box_split() separates "file:line" from a syntax error.
*/
int brink__box_load(brink__box *box, const char *text, size_t len,
                    const char *chunkname, int env_index);

/*
** [-(nargs+1), +(nresults|0), -] Calls the function below the 'nargs'
** arguments on top of the stack, like lua_pcall with a message handler.
** The outermost call resets the budgets (instructions, deadline, kill)
** and marks box->interrupt busy until it returns; nested calls (a
** binding that runs script code from inside a script) share them.  On success the results are pushed and BRINK_OK returned,
** with where[] and msg[] empty.  On failure nothing is pushed and the
** status is BRINK_ESCRIPT (a script error), BRINK_EBUDGET (the message
** names the budget and its limit: "instruction budget exceeded (100000000
** instructions)", "time budget exceeded (10 s)", "memory budget exceeded
** (256 MiB)"), BRINK_ENOMEM, or BRINK_ESCRIPT "interrupted by the host"
** when box->interrupt was stopped during the call (see bind.h); where[]
** gets "file:line" of the innermost Lua frame where the error was raised
** ("" if unknown) and msg[] the message without that "file:line: "
** prefix.  Either buffer may be NULL with a capacity of 0.
*/
int brink__box_pcall(brink__box *box, int nargs, int nresults, char *where,
                     size_t wcap, char *msg, size_t mcap);
/* The same, when the caller pushed the message handler
   (brink__box_push_handler) below the function ('handled' 1): on success
   it stays below the results, for the caller to drop. */
int brink__box_pcall_handled(brink__box *box, int nargs, int nresults,
                             char *where, size_t wcap, char *msg, size_t mcap,
                             int handled);
void brink__box_push_handler(lua_State *L);

/*
** [-0, +0, e] For binding code that catches script errors itself: after a
** lua_pcall or lua_resume of script code returned 'status', call this.  It
** makes a memory error a sticky memory kill and, if any budget has been
** exceeded, raises the kill again (so no catch swallows it); otherwise it
** returns 'status'.
*/
int brink__box_check(lua_State *L, int status);

/*
** [-0, +0, e] For binding code whose engine call failed for want of
** memory: stops the call as the host allocator's refusal does (a sticky
** kill, reported as BRINK_ENOMEM), so no script can catch it.
*/
void brink__box_nomem(lua_State *L);

/*
** [-0, +0, e] Charges 'n' instructions' worth of C work done by a binding
** to the running call's budget; raises the kill when it is exceeded.
*/
void brink__box_charge(lua_State *L, int64_t n);

/*
** The one way work and memory outside the Lua state reach the budgets:
** the engine calls it for what it does and keeps on a script's behalf
** (news text, journal entries, scheduled events and their firing).
** 'bytes' (negative: released) count against the memory cap with the
** state's own, 'work' against the instruction budget.  Between calls it
** only keeps the count.  Returns BRINK_OK, or BRINK_EBUDGET with the kill
** recorded and 'bytes' not counted; the binding then raises the kill
** with brink__box_check().
*/
int brink__box_hold(brink__box *box, int64_t bytes, int64_t work);

/*
** Splits a message "file:line: text" into where[] ("file:line") and
** msg[] ("text"); without such a prefix where[] is "" and msg[] the whole.
*/
void brink__box_split(const char *text, char *where, size_t wcap, char *msg,
                      size_t mcap);

/* What brink__box_sealed() finds. */
enum { BRINK__OPEN = 0, BRINK__PROXY = 1, BRINK__FROZEN = 2,
       BRINK__GUARDED = 3 };

/*
** [-0, +(0|1), -] Is the value at 'idx' a sealed table: a proxy of the
** world, a table frozen by brink__box_freeze(), or a metatable guarded by
** brink__box_metatable()?  For the last two the table holding its
** contents is pushed.
*/
int brink__box_sealed(lua_State *L, int idx);

/*
** [-0, +0, -] Is the value at 'idx' a frozen table that had no metatable
** when it was loaded, so that a raw read of its contents is all a read
** of it finds?  (Nothing is allocated: callers run unprotected.)
*/
int brink__box_frozen_bare(lua_State *L, int idx);

/*
** [-0, +0, e] A table as a raw read must see it, for C functions that take
** a script's table ('fn' names the function in errors): a frozen or
** guarded table is replaced at 'idx' by its contents (a raw read of the
** table itself finds nothing: everything it held moved into them), a
** proxy of the world is refused.  Returns what brink__box_sealed() found.
*/
int brink__box_open_table(lua_State *L, int idx, const char *fn);

/* [-0, +0, e] Marks the metatable at 'mt' as a proxy's (see freeze.c). */
void brink__box_proxy(lua_State *L, int mt);

/*
** [-0, +(0|1), e] What getmetatable() shows of the value at 'idx': its
** '__metatable' field, a frozen table's metatable as loaded, the frozen
** table whose contents are the metatable; pushes nothing (returns 0) when
** it has no metatable.
*/
int brink__box_getmetatable(lua_State *L, int idx);

/*
** [-0, +1, e] What setmetatable() installs for the table at 'idx' as a
** metatable: the contents of a frozen or guarded table; during a run, the
** contents of a plain table, which becomes guarded (see freeze.c); else
** the table itself.  Returns what brink__box_sealed() would.
*/
int brink__box_metatable(lua_State *L, int idx);

/* [-0, +0, e] Raises "FN: '__gc' (or '__mode') is not allowed ..." if the
   key at 'key' is one of those. */
void brink__box_refuse_metakey(lua_State *L, int key, const char *fn);

/*
** [-0, +0, -] Records every function reachable from the value at 'idx'
** as the sandbox's own: brink__box_freeze() neither checks nor walks them.
** Returns a lua_pcall status.
*/
int brink__box_trust(lua_State *L, int idx);

/*
** Called by brink__box_freeze() for each function found that is not the
** sandbox's own (problem NULL: a Lua function, at 'fn'), and for each
** value it refuses (problem says why).  'via' is the stack index of the
** Lua function through whose upvalues the value was reached, or 0.
*/
typedef void (*brink__box_visit)(void *ud, lua_State *L, int fn, int via,
                                 const char *problem);

/*
** [-n, +0, -] Freezes everything reachable from the 'n' values on top of
** the stack, the first of which is the environment: every table becomes
** read-only, keeping its contents and behaviour.  Returns a lua_pcall
** status (an error message is left on the stack).
*/
int brink__box_freeze(lua_State *L, int n, brink__box_visit visit,
                      void *ud);

#endif
