/*
** expect_api.h: a scenario's expectations (`expect "name" { ... }`), as the
** language declares them and judges one run at a time.  Internal to
** libbrink: the session's check (session/expect.c) plays the runs, the
** bindings (scenario_expect.c) read the declarations at load and call
** their functions on each run, in the worker engine's own Lua state.
** Nothing here runs unless a caller asks: brink run, play, serve and
** batch never do.
*/
#ifndef BRINK_EXPECT_API_H
#define BRINK_EXPECT_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "brink.h"

/* What an expectation measures, on one side. */
enum { BRINK__EXPECT_SHARE, BRINK__EXPECT_MEAN, BRINK__EXPECT_RATE };

/* An expectation as declared; the strings are the engine's. */
typedef struct brink__expect_info {
  const char *name;
  const char *where;       /* "file:line" of the declaration */
  const char *claim;       /* "" when it has none */
  const char *mechanism;   /* how the model makes it so; "" when none */
  bool at_least;           /* at_least = T, else at_most = T */
  double threshold;
  bool ratio;              /* two sides, A / B; else side 0 alone */
  int kind[2];             /* BRINK__EXPECT_* of each side */
  /* Each side's setup: "ACTOR=POLICY\n..." and "VAR=VALUE\n...", in byte
     order of the names ("" for none). */
  const char *policies[2], *sets[2];
} brink__expect_info;

/* A move or a trigger firing or an event of a run. */
typedef struct brink__expect_move {
  int32_t turn, date, actor, move, target;
} brink__expect_move;

typedef struct brink__expect_mark {
  int32_t turn, date, index;   /* trigger or event id */
} brink__expect_mark;

/* A run, from its records, as the expectations read it. */
typedef struct brink__expect_run {
  const char *outcome;
  int32_t turn, date;           /* of the end record */
  const brink__expect_move *moves;
  int64_t nmoves;
  const brink__expect_mark *fired, *events;
  int64_t nfired, nevents;
  /* (nturns + 1) x nvars: row 0 the values before turn 1, row k those at
     the end of turn k (a run that ended early keeps its last values). */
  const double *values;
  int nturns, nvars;
} brink__expect_run;

/* The expectations the loaded scenario declares (0 without one). */
int brink__expect_count(const brink_engine *e);
/* Expectation i (from 0, in declaration order); BRINK_EINVAL: bad i. */
int brink__expect_get(const brink_engine *e, int i, brink__expect_info *out);
/*
** Side 'side' (0, or 1 for a ratio's B) of expectation i on 'run': out[0]
** is 1 when the run counts ('given' held, or there is none), else 0;
** out[1] the share's 0 or 1, the mean's value or the rate's hits; out[2]
** the rate's trials.  BRINK_OK, or a status with "file:line: in expect
** 'NAME': message" in 'err'.
*/
int brink__expect_eval(brink_engine *e, int i, int side,
                       const brink__expect_run *run, double out[3],
                       char *err, size_t cap);

#endif
