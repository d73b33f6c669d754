/*
** scenario.h: what the files of the scenario language share.  The
** language is five files: scenario.c loads a scenario (the environment,
** the prelude, the seal and its checks, the public load calls);
** scenario_world.c makes the world a script sees ('w', actor and relation
** proxies, 'm'); scenario_lib.c holds the functions a script calls
** (dates, chance and the rest) and the prelude's primitives;
** scenario_decl.c reads the declarations into the engine;
** scenario_host.c is the engine's script host, running conditions,
** effects, policies and scores.
*/
#ifndef BRINK_SCENARIO_H
#define BRINK_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lua.h>

#include "bind.h"
#include "brink.h"
#include "sandbox.h"

/* What an interned name means in each place it can be used. */
typedef struct name_rec {
  const char *key;       /* the anchored Lua string */
  int world;             /* world variable slot, or -1 */
  int actor;             /* actor index, or -1 */
  int field;             /* per-actor field, or -1 */
  bool date;
} name_rec;

/* A name an actor proxy resolves: a variable or a relation. */
typedef struct field {
  int decl;
  bool relation;
  int rel;               /* relations: its number among relations */
  int *slot;             /* variables: [nactors] slot or -1 */
} field;

typedef struct host {
  brink__box box;
  brink_engine *e;
  int64_t condition_budget;   /* instructions for a 'when' or 'weight' */
  const char *path;      /* the scenario file, for messages and import:
                            the engine's kept copy */
  int env, w, opts, anchors, decls_ref, date_ref, decode;
  int date_turn;
  /* The mirrors (fast paths only): effects, hooks, events, policies and
     scores read the values from plain tables kept equal to the engine's
     ('fw', the world they are given); conditions and weights read through
     C, which notes what they read for the cache.  'mlocs' maps each slot
     to the mirror tables and keys that hold it; 'synced' is the clock
     the mirrors are equal to the values at. */
  bool mirror;
  int fw, mlocs;
  uint64_t synced;
  double *shadow;        /* [ntypes]: the value each slot's mirror holds */
  unsigned char *nlocs;  /* [ntypes]: how many places hold it (0 to 2) */
  int32_t civil_days;    /* the last date a script took apart */
  int32_t civil[3];      /* its year, month, day */
  bool civil_ok;
  name_rec *recs;
  int cap_recs, nrecs;
  brink__map long_recs;  /* names Lua does not intern -> index in recs */
  field *fields;
  int nfields, cap_fields;
  int nactors;           /* as built, for the sizes of 'fields' */
  unsigned char *types;  /* [ntypes]: each slot's BRINK_NUMBER.. */
  int ntypes;
  int score;             /* function handle or -1 */
  int version;           /* the scenario's, from 1 */
  int migrate;           /* its steps table (handle) or -1 */
  const char *migrate_where;   /* where migrate { } is: decls hold it */
  int json;              /* the prelude's P.json */
  bool loading;
  char where[256];
  char msg[1024];
  char *reason;          /* the reason a false 'when' gave, whole */
  size_t reason_cap;
  char *nested_in;       /* 'in' of an error inside fire(), or NULL */
  /* Expectations (scenario_expect.c): read at load, called only by a
     check that asks for them. */
  struct sc_expect *expects;
  int nexpects;
  int run_mt;            /* the run object's metatable (handle), 0: none */
  const struct brink__expect_run *run;   /* the run being judged */
  /* Conditions, weights and effects run in C (scenario_cexpr.c): by
     function handle, the program, a mark that it has none, or NULL: not
     yet looked at.  Functions they call and frozen tables they read are
     given handles as they are met ('callees': an address, its handle). */
  void **cprogs;
  int ncprogs;
  struct sc_callee *callees;
  int ncallees;
  void *cregs;               /* the registers of a run (NREGS values) */
  bool cbusy;                /* they are in use */
  char *ctext;               /* strings a run joined or got back */
  size_t ctext_len;
  void *clists;              /* the items of the tables a run made */
  int clists_len;
  bool libs_read;            /* the two below are known */
  lua_CFunction libfns[10];  /* math.max, min, abs, floor, ceil; chance,
                                random, normal; date, ipairs */
  const void *news;          /* the prelude's news() */
} host;

#define HOST(L) ((host *)lua_touserdata(L, lua_upvalueindex(1)))

/* [-0, +0, e] An engine call failed: its message as a script error,
   unless it was a budget (sticky) or the host's memory (as if Lua had
   been refused). */
int brink__sc_raise(lua_State *L, brink_engine *e);

/* Values are doubles: a Lua integer past 2^53 would be rounded. */
#define INEXACT "integers beyond 2^53 (9007199254740992) are not held exactly"
/* Is the value at 'idx' not an integer, or one held exactly? */
bool brink__sc_exact_integer(lua_State *L, int idx);

/* scenario_world.c: [-0, +0, e] the names, proxies and option tables,
   once the world is sealed. */
int brink__sc_build_names(host *h, lua_State *L);
void brink__sc_build_options(host *h, lua_State *L);
/* [-0, +0, m] Brings the mirrors up to date with the values. */
void brink__sc_mirror_sync(lua_State *L, host *h);

/* [-0, +0, m] The record of the name 's', or NULL. */
const name_rec *brink__sc_name(host *h, lua_State *L, const char *s);
/* [-0, +0] The record of the string at 'idx', or NULL. */
const name_rec *brink__sc_name_at(host *h, lua_State *L, int idx);

/* scenario_cexpr.c: runs condition, weight or effect 'fn' in C when it
   is simple enough, with Lua's value, reason, reads and writes; -1 when
   it cannot (then Lua runs it: an effect given up part way has been
   rolled back). */
enum { BRINK__CX_WHEN, BRINK__CX_WEIGHT, BRINK__CX_EFFECT };
int brink__sc_cexpr(host *h, int fn, const brink__call *c, int mode,
                    double *value);
void brink__sc_cexpr_free(host *h);

/* scenario_lib.c */
/* [-0, +1, e] A date userdata. */
void brink__sc_push_date(lua_State *L, int32_t days);
/* [-0, +0, e] The functions of the language into the environment at
   'env', the prelude's primitives into its private table at 'P'. */
void brink__sc_library(lua_State *L, host *h, int env, int P);
/* The prelude's belief primitives into P (scenario_world.c). */
void brink__sc_beliefs(lua_State *L, host *h, int P);

/* scenario_decl.c: protected, [-1, +1] host -> the number of problems in
   the declarations, which are then the engine's world, sealed. */
int brink__sc_commit(lua_State *L);

/* Reads declarations: what scenario_decl.c and scenario_expect.c share. */
typedef struct reader {
  host *h;
  lua_State *L;
  int spec;            /* stack index of the spec table */
  const char *where;
  const char *kind;    /* "move" */
  const char *name;    /* "x" (the entry holds it), or NULL */
  int errors;
  bool nomem;          /* memory ran out: the load fails for that alone */
  const char *def, *def_where;   /* 'default_outcome' as given, and where */
} reader;

/* "kind 'name': message" at the declaration's line, counted. */
void brink__sc_problem(reader *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Reports fields of r->spec the form does not know, in a fixed order. */
void brink__sc_check_keys(reader *r, const char *const *known);
/* Pushes the i-th entry of decls[list] and its spec; 0 past the end. */
int brink__sc_begin_entry(reader *r, host *h, int list, int i,
                          const char *kind);
/* The string keys of the table at 'idx' (absolute) in byte order, in a
   userdata left on the stack; other keys counted into *others. */
const char **brink__sc_sorted_keys(lua_State *L, int idx, int *n,
                                   int *others);

/* scenario_expect.c: [-0, +0] the expectations of decls (at 'decls') into
   the host, checked; names are looked up only when 'sealed'. */
void brink__sc_expects(reader *r, int decls, bool sealed);
void brink__sc_expects_free(host *h);

/* scenario_host.c */
/* Calls the function below 'nargs' arguments, as brink__box_pcall does;
   a failure becomes the engine's error, with where it happened. */
int brink__sc_call(host *h, int nargs, int nresults);
/* The same with the message handler pushed below the function. */
int brink__sc_call_handled(host *h, int nargs, int nresults, int handled);
/* Attaches 'h' to its engine as the script host. */
void brink__sc_attach(host *h);
void brink__sc_free(host *h);

#endif
