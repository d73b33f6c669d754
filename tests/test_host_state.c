/* brink_state_save and brink_state_load: whole, portable, and refused
   whole when damaged or foreign. */
#include <math.h>

#include "host_fixture.h"
#include "sha256.h"

typedef struct saved {
  unsigned char *p;
  size_t n;
} saved;

static saved save(brink_engine *e) {
  saved s;
  void *p;
  cr_assert_eq(brink_state_save(e, &p, &s.n), BRINK_OK, "%s",
               brink_errmsg(e));
  s.p = p;
  return s;
}

static bool same(saved a, saved b) {
  return a.n == b.n && memcmp(a.p, b.p, a.n) == 0;
}

/* A run in turn 4 with an event scheduled (with data), a fired trigger,
   a seat, a policy-free AI, a turn limit and pending odds. */
static brink_engine *midway(void) {
  brink_engine *e = load_ok(HOST_SCENARIO);
  brink_turn_limit(e, 9);
  cr_assert_eq(brink_start(e, 11), BRINK_OK);
  for (int i = 0; i < 3; i++)
    cr_assert_eq(brink_step(e), BRINK_OK, "%s", brink_errmsg(e));
  int red, patrol;
  brink_actor_find(e, "RED", &red);
  brink_seat(e, red, 1);
  brink_move_find(e, "patrol", &patrol);
  cr_assert_eq(brink_odds(e, patrol, 0.25), BRINK_OK);
  cr_assert_gt(brink_schedule_count(e), 0);
  return e;
}

Test(host_state, a_saved_state_loads_into_a_fresh_engine_and_plays_on_alike) {
  brink_engine *e = midway(), *f = load_ok(HOST_SCENARIO);
  saved s = save(e);
  cr_assert_eq(brink_state_load(f, s.p, s.n), BRINK_OK, "%s",
               brink_errmsg(f));
  saved t = save(f);
  cr_assert(same(s, t));
  int move;
  double p;
  brink_odds_get(f, &move, &p);
  cr_assert_eq(p, 0.25);
  const char *data;
  brink_schedule_get(f, 0, NULL, NULL, NULL, &data);
  cr_assert_str_eq(data, "{[\"severity\"]=2.5,}");
  /* Both go on the same way, the seat included. */
  int re = brink_run(e), rf = brink_run(f);
  cr_assert_eq(re, BRINK_AWAIT);
  cr_assert_eq(re, rf);
  saved a = save(e), b = save(f);
  cr_assert(same(a, b));
  brink_buffer_free(s.p);
  brink_buffer_free(t.p);
  brink_buffer_free(a.p);
  brink_buffer_free(b.p);
  brink_engine_close(e);
  brink_engine_close(f);
}

Test(host_state, a_buffer_outlives_its_engine) {
  brink_engine *e = midway();
  saved s = save(e);
  brink_engine_close(e);
  brink_engine *f = load_ok(HOST_SCENARIO);
  cr_assert_eq(brink_state_load(f, s.p, s.n), BRINK_OK);
  brink_buffer_free(s.p);
  brink_buffer_free(NULL);
  brink_engine_close(f);
}

/* Loads 'bad' into 'e' and checks the engine is still exactly 'was'. */
static int load_or_keep(brink_engine *e, const unsigned char *bad, size_t n,
                        saved was) {
  int rc = brink_state_load(e, bad, n);
  if (rc == BRINK_OK) return rc;
  cr_assert_eq(rc, BRINK_EFORMAT, "status %d: %s", rc, brink_errmsg(e));
  cr_assert_neq(brink_errmsg(e)[0], '\0');
  saved now = save(e);
  cr_assert(same(now, was), "a refused load changed the engine");
  brink_buffer_free(now.p);
  return rc;
}

Test(host_state, every_truncation_is_refused_and_changes_nothing) {
  brink_engine *e = midway(), *f = load_ok(HOST_SCENARIO);
  brink_start(f, 5);
  saved s = save(e), was = save(f);
  for (size_t n = 0; n < s.n; n++)
    cr_assert_eq(load_or_keep(f, s.p, n, was), BRINK_EFORMAT, "%zu", n);
  brink_buffer_free(s.p);
  brink_buffer_free(was.p);
  brink_engine_close(e);
  brink_engine_close(f);
}

Test(host_state, a_flipped_bit_anywhere_is_refused_by_the_checksum) {
  brink_engine *e = midway(), *f = load_ok(HOST_SCENARIO);
  brink_start(f, 5);
  saved s = save(e), was = save(f);
  unsigned char *bad = malloc(s.n);
  for (size_t i = 0; i < s.n; i++)
    for (int bit = 0; bit < 8; bit += 3) {
      memcpy(bad, s.p, s.n);
      bad[i] ^= (unsigned char)(1u << bit);
      cr_assert_eq(load_or_keep(f, bad, s.n, was), BRINK_EFORMAT,
                   "byte %zu bit %d", i, bit);
    }
  free(bad);
  brink_buffer_free(s.p);
  brink_buffer_free(was.p);
  brink_engine_close(e);
  brink_engine_close(f);
}

/* Damage behind a valid checksum: each field is checked on its own. */
static void reseal(unsigned char *p, size_t n) {
  brink__sha256(p, n - 32, p + n - 32);
}

Test(host_state, damage_with_a_valid_checksum_is_refused_or_loads_sound) {
  brink_engine *e = midway(), *f = load_ok(HOST_SCENARIO);
  brink_start(f, 5);
  saved s = save(e), was = save(f);
  unsigned char *bad = malloc(s.n);
  static const unsigned char flips[] = {0x01, 0x80, 0xff};
  int loaded = 0;
  for (size_t i = 0; i < s.n - 32; i++)
    for (size_t k = 0; k < sizeof flips; k++) {
      memcpy(bad, s.p, s.n);
      bad[i] ^= flips[k];
      reseal(bad, s.n);
      if (load_or_keep(f, bad, s.n, was) != BRINK_OK) continue;
      /* What loads is a state the engine can play on from. */
      loaded++;
      int rc = brink_run(f);
      /* A position before the start (ESTATE) is one a run can have. */
      cr_assert(rc == BRINK_DONE || rc == BRINK_AWAIT || rc == BRINK_OK ||
                    rc == BRINK_ESCRIPT || rc == BRINK_ESTATE,
                "byte %zu: %d %s", i, rc, brink_errmsg(f));
      cr_assert_eq(brink_state_load(f, was.p, was.n), BRINK_OK);
    }
  cr_assert_gt(loaded, 0);
  free(bad);
  brink_buffer_free(s.p);
  brink_buffer_free(was.p);
  brink_engine_close(e);
  brink_engine_close(f);
}

/* Where a variable's value lies in a saved state of HOST_SCENARIO. */
static size_t value_at(brink_engine *e, int var) {
  size_t header = 8 + 4 + 32, setup = 4 + 4 + 8 * (size_t)brink_actor_count(e);
  size_t position = 7 * 4 + 4 + 8 + 32;
  return header + setup + position + 4 + 8 * (size_t)var;
}

static int load_with_value(brink_engine *e, const char *name, double v) {
  saved s = save(e);
  memcpy(s.p + value_at(e, var(e, name)), &v, sizeof v);   /* x86: LE */
  reseal(s.p, s.n);
  int rc = brink_state_load(e, s.p, s.n);
  brink_buffer_free(s.p);
  return rc;
}

Test(host_state, values_that_break_their_type_rules_are_refused) {
  brink_engine *e = midway();
  cr_assert_eq(load_with_value(e, "BLUE.fleet", 7), BRINK_OK);
  cr_assert_eq(get(e, "BLUE.fleet"), 7);
  cr_assert_eq(load_with_value(e, "BLUE.fleet", 1.5), BRINK_EFORMAT);
  cr_assert(strstr(brink_errmsg(e), "BLUE.fleet"), "%s", brink_errmsg(e));
  cr_assert_eq(load_with_value(e, "BLUE.fleet", 21), BRINK_EFORMAT);
  cr_assert_eq(load_with_value(e, "alert", 0.5), BRINK_EFORMAT);
  cr_assert_eq(load_with_value(e, "mood", 2), BRINK_EFORMAT);
  cr_assert_eq(load_with_value(e, "talks", NAN), BRINK_EFORMAT);
  cr_assert_eq(load_with_value(e, "talks", -0.0), BRINK_EFORMAT);
  cr_assert_eq(get(e, "BLUE.fleet"), 7);
  brink_engine_close(e);
}

Test(host_state, a_state_of_another_scenario_or_version_is_refused) {
  brink_engine *e = midway();
  saved s = save(e);
  /* The same world, another text: another digest. */
  char other[sizeof HOST_SCENARIO + 16];
  snprintf(other, sizeof other, "%s-- edited\n", HOST_SCENARIO);
  brink_engine *f = load_ok(other);
  cr_assert_eq(brink_state_load(f, s.p, s.n), BRINK_EFORMAT);
  cr_assert(strstr(brink_errmsg(f), "another scenario"), "%s",
            brink_errmsg(f));
  s.p[8] ^= 8;   /* the version: 11, not one brink writes */
  reseal(s.p, s.n);
  cr_assert_eq(brink_state_load(e, s.p, s.n), BRINK_EFORMAT);
  cr_assert(strstr(brink_errmsg(e), "version"), "%s", brink_errmsg(e));
  brink_buffer_free(s.p);
  brink_engine_close(e);
  brink_engine_close(f);
}

Test(host_state, event_data_from_outside_must_be_a_literal) {
  brink_engine *e = midway();
  int n = brink_schedule_count(e);
  cr_assert_eq(brink_schedule_put(e, 9, 0, 77, "os.exit()"), BRINK_EINVAL);
  cr_assert(strstr(brink_errmsg(e), "literal"), "%s", brink_errmsg(e));
  cr_assert_eq(brink_schedule_put(e, 9, 0, 77, "{[\"a\"]=x,}"), BRINK_EINVAL);
  cr_assert_eq(brink_schedule_count(e), n);
  cr_assert_eq(brink_fire(e, "incident", "(function() end)()"), BRINK_EINVAL);
  cr_assert_eq(brink_fire(e, "incident", "{[\"severity\"]=1,}"), BRINK_OK,
               "%s", brink_errmsg(e));
  /* In a saved state: put valid data of the same length, then break it. */
  cr_assert_eq(brink_schedule_put(e, 9, 0, 77, "{[\"a\"]=1,}"), BRINK_OK);
  saved s = save(e);
  unsigned char *at = NULL;
  for (size_t i = 0; at == NULL && i + 10 <= s.n; i++)
    if (memcmp(s.p + i, "{[\"a\"]=1,}", 10) == 0) at = s.p + i;
  cr_assert_not_null(at);
  memcpy(at, "{[\"a\"]=x,}", 10);
  reseal(s.p, s.n);
  cr_assert_eq(brink_state_load(e, s.p, s.n), BRINK_EFORMAT);
  cr_assert(strstr(brink_errmsg(e), "literal"), "%s", brink_errmsg(e));
  brink_buffer_free(s.p);
  brink_engine_close(e);
}

/* A counting allocator: refuses every allocation past 'allowed'. */
typedef struct budget {
  long allowed, used;
} budget;

static void *counting(void *ud, void *p, size_t old, size_t n) {
  budget *b = ud;
  (void)old;
  if (n == 0) {
    free(p);
    return NULL;
  }
  if (b->used >= b->allowed) return NULL;
  b->used++;
  return realloc(p, n);
}

Test(host_state, a_refused_allocation_fails_a_save_or_load_cleanly) {
  budget b = {1L << 40, 0};
  brink_config cfg;
  brink_config_init(&cfg);
  cfg.alloc = counting;
  cfg.alloc_ud = &b;
  brink_engine *e = midway(), *f;
  cr_assert_eq(brink_engine_open(&f, &cfg), BRINK_OK);
  cr_assert_eq(brink_load_string(f, "host.lua", HOST_SCENARIO,
                                 strlen(HOST_SCENARIO)), BRINK_OK);
  brink_start(f, 5);
  saved s = save(e), was = save(f);
  int loaded = 0;
  for (long k = 0; k < 40 && !loaded; k++) {
    b.allowed = b.used + k;
    void *p = (void *)1;
    size_t n;
    int rs = brink_state_save(f, &p, &n);
    int rl = brink_state_load(f, s.p, s.n);
    b.allowed = 1L << 40;
    cr_assert(rs == BRINK_OK || (rs == BRINK_ENOMEM && p == NULL), "%d", rs);
    if (rs == BRINK_OK) brink_buffer_free(p);
    cr_assert(rl == BRINK_OK || rl == BRINK_ENOMEM, "%d %s", rl,
              brink_errmsg(f));
    saved now = save(f);
    cr_assert(same(now, rl == BRINK_OK ? s : was), "budget %ld", k);
    brink_buffer_free(now.p);
    loaded = rl == BRINK_OK;
  }
  cr_assert(loaded);
  brink_buffer_free(s.p);
  brink_buffer_free(was.p);
  brink_engine_close(e);
  brink_engine_close(f);
}
