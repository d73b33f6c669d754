#include "world_fixture.h"

Test(world, names_every_instance_with_its_full_name) {
  brink_engine *e = small_world();
  /* 1 + 3 + 1 + 1 + 1 + 3 symmetric pairs + 6 directed pairs */
  cr_assert_eq(brink_var_count(e), 16);
  cr_assert_str_eq(brink_var_name(e, var(e, "DPRK.sanctions")),
                   "DPRK.sanctions");
  cr_assert_str_eq(brink_var_name(e, var(e, "USA.tension.DPRK")),
                   "USA.tension.DPRK");
  cr_assert_eq(get(e, "trade_war"), 60);
  cr_assert_eq(get(e, "USA.troops"), 28500);
  brink_engine_close(e);
}

Test(world, a_symmetric_relation_is_one_value_seen_from_both_sides) {
  brink_engine *e = small_world();
  cr_assert_eq(var(e, "DPRK.tension.USA"), var(e, "USA.tension.DPRK"));
  cr_assert_eq(brink_var_set(e, var(e, "DPRK.tension.USA"), 70), BRINK_OK);
  cr_assert_eq(get(e, "USA.tension.DPRK"), 70);
  brink_engine_close(e);
}

Test(world, a_directed_relation_has_two_values) {
  brink_engine *e = small_world();
  cr_assert_neq(var(e, "DPRK.trust.USA"), var(e, "USA.trust.DPRK"));
  brink_var_set(e, var(e, "USA.trust.DPRK"), 30);
  cr_assert_eq(get(e, "USA.trust.DPRK"), 30);
  cr_assert_eq(get(e, "DPRK.trust.USA"), 0);
  brink_engine_close(e);
}

Test(world, numbers_clamp_to_their_bounds) {
  brink_engine *e = small_world();
  cr_assert_eq(brink_var_set(e, var(e, "DPRK.sanctions"), 12.5), BRINK_OK);
  cr_assert_eq(get(e, "DPRK.sanctions"), 10);
  cr_assert_eq(brink_var_set(e, var(e, "DPRK.sanctions"), -3), BRINK_OK);
  cr_assert_eq(get(e, "DPRK.sanctions"), 0);
  brink_engine_close(e);
}

Test(world, an_integer_refuses_a_fraction_and_names_the_variable) {
  brink_engine *e = small_world();
  cr_assert_eq(brink_var_set(e, var(e, "USA.troops"), 2.5), BRINK_ETYPE);
  cr_assert_str_eq(brink_errmsg(e),
                   "USA.troops is an integer variable: 2.5 is not an integer");
  cr_assert_eq(get(e, "USA.troops"), 28500);
  cr_assert_eq(brink_var_set(e, var(e, "USA.troops"), 50000), BRINK_OK);
  cr_assert_eq(get(e, "USA.troops"), 40000);
  brink_engine_close(e);
}

Test(world, a_flag_takes_only_true_or_false) {
  brink_engine *e = small_world();
  int f = var(e, "DPRK.moratorium");
  cr_assert_eq(brink_var_set(e, f, 2), BRINK_ETYPE);
  cr_assert_str_eq(brink_errmsg(e),
                   "DPRK.moratorium is a flag: it takes true or false");
  cr_assert_eq(brink_var_set_text(e, f, "false"), BRINK_OK);
  cr_assert_eq(get(e, "DPRK.moratorium"), 0);
  cr_assert_eq(brink_var_set_text(e, f, "yes"), BRINK_ETYPE);
  brink_engine_close(e);
}

Test(world, an_enum_takes_only_its_values_and_suggests_the_nearest) {
  brink_engine *e = small_world();
  int g = var(e, "ROK.government");
  cr_assert_eq(brink_var_set_text(e, g, "conservative"), BRINK_OK);
  cr_assert_eq(get(e, "ROK.government"), 1);
  cr_assert_eq(brink_var_set_text(e, g, "liberl"), BRINK_ERANGE);
  cr_assert_str_eq(brink_errmsg(e), "ROK.government: 'liberl' (did you mean "
                   "'liberal'?) is not one of its values");
  cr_assert_eq(brink_var_set(e, g, 2), BRINK_ERANGE);
  char buf[32];
  brink_var_format(e, g, buf, sizeof buf);
  cr_assert_str_eq(buf, "conservative");
  brink_engine_close(e);
}

Test(world, nan_and_infinity_are_refused) {
  brink_engine *e = small_world();
  int t = var(e, "trade_war");
  cr_assert_eq(brink_var_set(e, t, 0.0 / 0.0), BRINK_ERANGE);
  cr_assert_str_eq(brink_errmsg(e), "trade_war: nan is not a finite number");
  cr_assert_eq(brink_var_set(e, t, 1.0 / 0.0), BRINK_ERANGE);
  cr_assert_eq(get(e, "trade_war"), 60);
  brink_engine_close(e);
}

Test(world, an_unknown_name_suggests_the_nearest_known_one) {
  brink_engine *e = small_world();
  int id;
  cr_assert_eq(brink_var_find(e, "DPRK.sanction", &id), BRINK_ENOTFOUND);
  cr_assert_eq(id, -1);
  cr_assert_str_eq(brink_errmsg(e), "unknown variable 'DPRK.sanction' (did "
                   "you mean 'DPRK.sanctions'?)");
  cr_assert_eq(brink_actor_find(e, "DRPK", &id), BRINK_ENOTFOUND);
  cr_assert_str_eq(brink_errmsg(e),
                   "unknown actor 'DRPK' (did you mean 'DPRK'?)");
  brink_engine_close(e);
}

Test(world, an_init_outside_the_bounds_is_refused_at_seal) {
  brink_engine *e;
  brink_engine_open(&e, NULL);
  brink_actor_add(e, "USA", NULL, NULL);
  declare(e, "trade_war", BRINK_NUMBER, 0, 100, 120);
  cr_assert_eq(brink_world_seal(e), BRINK_ERANGE);
  cr_assert_str_eq(brink_errmsg(e), "test.lua:1: init 120 of 'trade_war' is "
                   "outside its bounds [0, 100]");
  brink_engine_close(e);
}

Test(world, a_variable_of_an_unknown_actor_is_refused_at_seal) {
  brink_engine *e;
  brink_engine_open(&e, NULL);
  brink_actor_add(e, "USA", NULL, NULL);
  declare(e, "USSR.tanks", BRINK_NUMBER, 0, 100, 1);
  cr_assert_eq(brink_world_seal(e), BRINK_ENOTFOUND);
  cr_assert(strstr(brink_errmsg(e), "unknown actor 'USSR'"));
  brink_engine_close(e);
}

Test(world, per_actor_inits_override_the_default) {
  brink_engine *e;
  brink_engine_open(&e, NULL);
  brink_actor_add(e, "USA", NULL, NULL);
  brink_actor_add(e, "DPRK", NULL, NULL);
  brink_var_spec s;
  brink_var_spec_init(&s);
  s.name = "*.economy";
  s.min = 0;
  s.max = 100;
  s.init = 50;
  int decl;
  cr_assert_eq(brink_var_declare(e, &s, &decl), BRINK_OK);
  cr_assert_eq(brink_var_init_for(e, decl, "DPRK", 20), BRINK_OK);
  cr_assert_eq(brink_world_seal(e), BRINK_OK);
  cr_assert_eq(get(e, "USA.economy"), 50);
  cr_assert_eq(get(e, "DPRK.economy"), 20);
  brink_engine_close(e);
}

Test(world, declaring_twice_is_refused) {
  brink_engine *e;
  brink_engine_open(&e, NULL);
  cr_assert_eq(brink_actor_add(e, "USA", NULL, NULL), BRINK_OK);
  cr_assert_eq(brink_actor_add(e, "USA", NULL, NULL), BRINK_EEXIST);
  cr_assert_eq(declare(e, "x", BRINK_NUMBER, 0, 1, 0), BRINK_OK);
  cr_assert_eq(declare(e, "x", BRINK_NUMBER, 0, 1, 0), BRINK_EEXIST);
  brink_engine_close(e);
}

Test(world, visibility_owner_shows_a_variable_only_to_its_actor) {
  brink_engine *e;
  brink_engine_open(&e, NULL);
  brink_actor_add(e, "USA", NULL, NULL);
  brink_actor_add(e, "DPRK", NULL, NULL);
  brink_var_spec s;
  brink_var_spec_init(&s);
  s.name = "DPRK.warheads";
  s.type = BRINK_INTEGER;
  s.init = 30;
  s.visibility = BRINK_VISIBLE_OWNER;
  brink_var_declare(e, &s, NULL);
  cr_assert_eq(brink_world_seal(e), BRINK_OK);
  int w = var(e, "DPRK.warheads");
  cr_assert(brink_var_visible(e, w, 1));
  cr_assert_not(brink_var_visible(e, w, 0));
  brink_engine_close(e);
}

Test(world, status_names_and_messages_come_from_one_table) {
  cr_assert_str_eq(brink_status_name(BRINK_ENOMEM), "BRINK_ENOMEM");
  cr_assert_str_eq(brink_status_name(BRINK_OK), "BRINK_OK");
  cr_assert_str_eq(brink_status_name(12345), "BRINK_UNKNOWN");
  cr_assert_str_eq(brink_strerror(BRINK_ENOMEM), "out of memory");
  cr_assert_str_eq(brink_version(), BRINK_VERSION);
  brink_engine_close(NULL);
}
