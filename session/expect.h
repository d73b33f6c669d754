/*
** expect.h: a scenario's expectations judged over many runs (brink check
** --runs N, brink test).  One batch per distinct setup, N runs each with
** the same seeds; each run's records are collected in its worker and the
** expectations' functions called on it there, in the worker's own Lua
** state; the values go to arrays indexed by run and are summed in run
** order, so the results do not depend on --jobs.
**
** Use: expect_open() on an engine that loaded the scenario; for each
** setup k, expect_config() into the batch's config before batch_open(),
** expect_attach() after it, then batch_run(); then expect_results().
*/
#ifndef BRINK_EXPECT_SESSION_H
#define BRINK_EXPECT_SESSION_H

#include <jansson.h>

#include "batch.h"

typedef struct expect_check expect_check;

/* One expectation's verdict. */
typedef struct expect_result {
  const char *name, *where, *claim, *mechanism;
  bool at_least;
  double threshold;
  int64_t runs;          /* runs per setup */
  int64_t n;             /* runs selected (a ratio: A's) */
  bool na;               /* nothing to measure: 'why' says so */
  const char *why;
  double x, lo, hi;      /* measured, 95% interval */
  bool holds;            /* x satisfies the threshold */
  bool fails;            /* the interval lies wholly on the wrong side, or
                            nothing could be measured: check exits 1 */
  const char *error;     /* "file:line: in expect 'NAME': message", the
                            first run's (by run, then side), or NULL */
} expect_result;

/* The expectations 'e' (a loaded scenario) declares. */
int expect_count(const brink_engine *e);
/* 0 with *out, or BRINK_ENOMEM. */
int expect_open(expect_check **out, const brink_engine *e, int64_t runs);
/* Distinct setups; setup 0 is always the scenario as it is. */
int expect_setups(const expect_check *x);
/* Setup k's policies and sets and the hooks into 'c'. */
void expect_config(expect_check *x, int k, batch_config *c);
/* Readies the workers of 'b', opened with setup k's config; 0 or
   BRINK_ENOMEM. */
int expect_attach(expect_check *x, int k, const batch *b);
/* After every setup was played: the verdicts, in declaration order,
   owned by 'x'. 0 or BRINK_ENOMEM (a worker ran out). */
int expect_results(expect_check *x, const expect_result **out, int *n);
void expect_close(expect_check *x);

/* "0.94", "1230", "inf": 3 significant digits. */
void expect_number(double v, char *buf, size_t cap);
/* The line people read, without a newline. */
void expect_line(const expect_result *r, char *buf, size_t cap);
/* {"t":"expect", ...}; NULL when out of memory. */
json_t *expect_json(const expect_result *r);

#endif
