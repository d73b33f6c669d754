/* A small world built through the public API, shared by engine tests. */
#ifndef WORLD_FIXTURE_H
#define WORLD_FIXTURE_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "brink.h"

static inline int declare(brink_engine *e, const char *name, int type,
                          double min, double max, double init) {
  brink_var_spec s;
  brink_var_spec_init(&s);
  s.name = name;
  s.type = type;
  s.min = min;
  s.max = max;
  s.init = init;
  s.where = "test.lua:1";
  return brink_var_declare(e, &s, NULL);
}

static inline int declare_relation(brink_engine *e, const char *name,
                                   int symmetric, double init) {
  brink_var_spec s;
  brink_var_spec_init(&s);
  s.name = name;
  s.relation = 1;
  s.symmetric = symmetric;
  s.min = 0;
  s.max = 100;
  s.init = init;
  return brink_var_declare(e, &s, NULL);
}

/* USA, DPRK, ROK; trade_war, *.sanctions, USA.troops (integer),
   DPRK.moratorium (flag), ROK.government (enum), tension (symmetric),
   trust (directed). */
static inline brink_engine *small_world(void) {
  brink_engine *e;
  cr_assert_eq(brink_engine_open(&e, NULL), BRINK_OK);
  cr_assert_eq(brink_actor_add(e, "USA", "United States", NULL), BRINK_OK);
  cr_assert_eq(brink_actor_add(e, "DPRK", "North Korea", NULL), BRINK_OK);
  cr_assert_eq(brink_actor_add(e, "ROK", "South Korea", NULL), BRINK_OK);
  cr_assert_eq(declare(e, "trade_war", BRINK_NUMBER, 0, 100, 60), BRINK_OK);
  cr_assert_eq(declare(e, "*.sanctions", BRINK_NUMBER, 0, 10, 8), BRINK_OK);
  cr_assert_eq(declare(e, "USA.troops", BRINK_INTEGER, 0, 40000, 28500),
               BRINK_OK);
  cr_assert_eq(declare(e, "DPRK.moratorium", BRINK_FLAG, 0, 1, 1), BRINK_OK);
  brink_var_spec s;
  brink_var_spec_init(&s);
  const char *values[] = {"liberal", "conservative"};
  s.name = "ROK.government";
  s.type = BRINK_ENUM;
  s.values = values;
  s.nvalues = 2;
  cr_assert_eq(brink_var_declare(e, &s, NULL), BRINK_OK);
  cr_assert_eq(declare_relation(e, "tension", 1, 40), BRINK_OK);
  cr_assert_eq(declare_relation(e, "trust", 0, 0), BRINK_OK);
  int32_t start, finish;
  brink_date_parse("2019-05-01", &start);
  brink_date_parse("2020-12-31", &finish);
  cr_assert_eq(brink_calendar_set(e, start, finish, BRINK_MONTH), BRINK_OK);
  cr_assert_eq(brink_world_seal(e), BRINK_OK, "%s", brink_errmsg(e));
  return e;
}

static inline int var(brink_engine *e, const char *name) {
  int id = -1;
  cr_assert_eq(brink_var_find(e, name, &id), BRINK_OK, "%s", brink_errmsg(e));
  return id;
}

static inline double get(brink_engine *e, const char *name) {
  double v;
  cr_assert_eq(brink_var_get(e, var(e, name), &v), BRINK_OK);
  return v;
}

#endif
