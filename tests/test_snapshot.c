#include "world_fixture.h"

Test(snapshot, restore_brings_back_values_and_the_generator) {
  brink_engine *e = small_world();
  brink_seed(e, 42);
  brink_snapshot *s;
  cr_assert_eq(brink_snapshot_take(e, &s), BRINK_OK);
  double first = brink_random(e);
  brink_var_set(e, var(e, "trade_war"), 5);
  brink_var_set(e, var(e, "USA.tension.DPRK"), 99);
  cr_assert_eq(brink_snapshot_restore(e, s), BRINK_OK);
  cr_assert_eq(get(e, "trade_war"), 60);
  cr_assert_eq(get(e, "DPRK.tension.USA"), 40);
  cr_assert_eq(brink_random(e), first);
  brink_snapshot_free(s);
  brink_engine_close(e);
}

Test(snapshot, two_snapshots_of_the_same_state_are_the_same_bytes) {
  brink_engine *e = small_world();
  brink_snapshot *a, *b;
  brink_snapshot_take(e, &a);
  brink_var_set(e, var(e, "trade_war"), 5);
  brink_var_set(e, var(e, "trade_war"), 60);
  brink_snapshot_take(e, &b);
  cr_assert_eq(brink_snapshot_size(a), brink_snapshot_size(b));
  cr_assert_eq(memcmp(brink_snapshot_data(a), brink_snapshot_data(b),
                      brink_snapshot_size(a)), 0);
  brink_snapshot_free(a);
  brink_snapshot_free(b);
  brink_engine_close(e);
}

Test(snapshot, a_snapshot_of_another_world_is_refused_and_changes_nothing) {
  brink_engine *e = small_world(), *other;
  brink_engine_open(&other, NULL);
  brink_actor_add(other, "X", NULL, NULL);
  declare(other, "only", BRINK_NUMBER, 0, 1, 0);
  brink_world_seal(other);
  brink_snapshot *s;
  brink_snapshot_take(other, &s);
  brink_var_set(e, var(e, "trade_war"), 5);
  cr_assert_eq(brink_snapshot_restore(e, s), BRINK_EFORMAT);
  cr_assert_eq(get(e, "trade_war"), 5);
  brink_snapshot_free(s);
  brink_engine_close(other);
  brink_engine_close(e);
}

Test(snapshot, a_clone_has_the_same_state_and_lives_on_its_own) {
  brink_engine *e = small_world(), *c;
  brink_seed(e, 9);
  brink_var_set(e, var(e, "USA.trust.DPRK"), 33);
  cr_assert_eq(brink_engine_clone(e, &c), BRINK_OK, "%s", brink_errmsg(e));
  cr_assert_eq(get(c, "USA.trust.DPRK"), 33);
  cr_assert_eq(brink_random(c), brink_random(e));
  brink_var_set(c, var(c, "trade_war"), 1);
  cr_assert_eq(get(e, "trade_war"), 60);
  brink_engine_close(c);
  brink_engine_close(e);
}

/* A clone keeps every declaration, strict included: a write out of
   bounds stays an error there, as in the engine it came from. */
Test(snapshot, a_clone_keeps_a_strict_variable_strict) {
  brink_engine *e, *c;
  cr_assert_eq(brink_engine_open(&e, NULL), BRINK_OK);
  brink_var_spec s;
  brink_var_spec_init(&s);
  s.name = "x";
  s.type = BRINK_NUMBER;
  s.min = 0;
  s.max = 10;
  s.strict = 1;
  int x;
  cr_assert_eq(brink_var_declare(e, &s, &x), BRINK_OK, "%s", brink_errmsg(e));
  cr_assert_eq(brink_world_seal(e), BRINK_OK, "%s", brink_errmsg(e));
  cr_assert_eq(brink_engine_clone(e, &c), BRINK_OK, "%s", brink_errmsg(e));
  cr_assert_eq(brink_var_set(e, x, 11), BRINK_ERANGE);
  cr_assert_eq(brink_var_set(c, x, 11), BRINK_ERANGE, "the clone clamped");
  brink_engine_close(c);
  brink_engine_close(e);
}
