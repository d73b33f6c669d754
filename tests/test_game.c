/*
** The game-AI view of an engine, through the public API alone: numbered
** actions, legal actions, decisions one at a time, observations, the
** scenario's structure, the cross-thread interrupt and per-call causes.
*/
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "bind.h"
#include "host_fixture.h"
#include "oom_fixture.h"

#define KOREA "scripts/scenarios/korea-2019.lua"

static brink_engine *korea(void) {
  brink_engine *e;
  cr_assert_eq(brink_engine_open(&e, NULL), BRINK_OK);
  cr_assert_eq(brink_load_file(e, KOREA), BRINK_OK, "%s", brink_errmsg(e));
  return e;
}

static int id_of(brink_engine *e, const char *kind, const char *name) {
  int id = -1, rc;
  if (strcmp(kind, "actor") == 0) rc = brink_actor_find(e, name, &id);
  else if (strcmp(kind, "move") == 0) rc = brink_move_find(e, name, &id);
  else rc = brink_var_find(e, name, &id);
  cr_assert_eq(rc, BRINK_OK, "%s", brink_errmsg(e));
  return id;
}

/* Every action's move and target, as one array: [2 * count]. */
static int *action_table(brink_engine *e, int *count) {
  *count = brink_action_count(e);
  int *t = calloc((size_t)*count * 2, sizeof(int));
  for (int a = 0; a < *count; a++)
    cr_assert_eq(brink_action_info(e, a, &t[2 * a], &t[2 * a + 1]),
                 BRINK_OK);
  return t;
}

static void assert_same_actions(brink_engine *e, const int *table, int n) {
  int m;
  int *other = action_table(e, &m);
  cr_assert_eq(m, n);
  cr_assert_arr_eq(other, table, sizeof(int) * 2 * (size_t)n);
  free(other);
}

/* actions ---------------------------------------------------------------- */

Test(game, actions_are_pass_then_each_move_with_its_targets_in_actor_order) {
  brink_engine *e = korea();
  int n, move, target, action;
  int *t = action_table(e, &n);
  cr_assert_eq(t[0], 0);
  cr_assert_eq(t[1], -1);
  int nmoves = brink_move_count(e), expect = 1;
  for (int m = 1; m < nmoves; m++) {
    int targets[16], k;
    cr_assert_eq(brink_move_targets(e, m, targets, 16, &k), BRINK_OK);
    expect += k ? k : 1;
  }
  cr_assert_eq(n, expect);
  for (int a = 0; a < n; a++) {
    if (a > 0) {
      /* Ascending by move, then by target. */
      cr_assert(t[2 * a] > t[2 * a - 2] ||
                (t[2 * a] == t[2 * a - 2] && t[2 * a + 1] > t[2 * a - 1]));
    }
    cr_assert_eq(brink_action_find(e, t[2 * a], t[2 * a + 1], &action),
                 BRINK_OK, "%s", brink_errmsg(e));
    cr_assert_eq(action, a);
  }
  int consult = id_of(e, "move", "consult_allies");
  cr_assert_eq(brink_action_find(e, consult, id_of(e, "actor", "ROK"),
                                 &action), BRINK_OK);
  cr_assert_eq(brink_action_info(e, action + 1, &move, &target), BRINK_OK);
  cr_assert_eq(move, consult);
  cr_assert_eq(target, id_of(e, "actor", "JPN"));
  free(t);
  brink_engine_close(e);
}

Test(game, action_ids_survive_clones_saved_states_and_reloads) {
  brink_engine *e = korea();
  int n;
  int *t = action_table(e, &n);
  cr_assert_eq(brink_start(e, 5), BRINK_OK);
  cr_assert_eq(brink_step(e), BRINK_OK, "%s", brink_errmsg(e));
  brink_engine *c;
  cr_assert_eq(brink_engine_clone(e, &c), BRINK_OK, "%s", brink_errmsg(e));
  assert_same_actions(c, t, n);
  void *bytes;
  size_t len;
  cr_assert_eq(brink_state_save(e, &bytes, &len), BRINK_OK);
  brink_engine *f = korea();
  cr_assert_eq(brink_state_load(f, bytes, len), BRINK_OK, "%s",
               brink_errmsg(f));
  assert_same_actions(f, t, n);
  brink_engine *g = korea();
  assert_same_actions(g, t, n);
  brink_buffer_free(bytes);
  free(t);
  brink_engine_close(e);
  brink_engine_close(c);
  brink_engine_close(f);
  brink_engine_close(g);
}

Test(game, targets_declared_out_of_order_or_twice_are_numbered_once_in_order) {
  /* The scenario language lists targets in actor order; a binding
     declaring moves itself need not. */
  brink_engine *e;
  cr_assert_eq(brink_engine_open(&e, NULL), BRINK_OK);
  const char *ids[] = {"A", "B", "C"};
  for (int i = 0; i < 3; i++)
    cr_assert_eq(brink_actor_add(e, ids[i], NULL, NULL), BRINK_OK);
  const int targets[] = {2, 0, 2};
  brink__move_spec poke = {.name = "poke", .by_all = true,
                           .targets = targets, .ntargets = 3, .when = -1,
                           .effect = -1, .weight = -1};
  cr_assert_eq(brink__move_declare(e, &poke), BRINK_OK);
  cr_assert_eq(brink_world_seal(e), BRINK_OK, "%s", brink_errmsg(e));
  cr_assert_eq(brink_action_count(e), 3);
  int move, target, out[8], n;
  cr_assert_eq(brink_action_info(e, 1, &move, &target), BRINK_OK);
  cr_assert_eq(target, 0);
  cr_assert_eq(brink_action_info(e, 2, &move, &target), BRINK_OK);
  cr_assert_eq(target, 2);
  cr_assert_eq(brink_move_targets(e, move, out, 8, &n), BRINK_OK);
  cr_assert_eq(n, 2);
  cr_assert_eq(out[0], 0);
  cr_assert_eq(out[1], 2);
  const int want[3][3] = {{0, 2, -1}, {0, 1, 2}, {0, 1, -1}};
  const int count[3] = {2, 3, 2};
  for (int a = 0; a < 3; a++) {
    cr_assert_eq(brink_legal_actions(e, a, out, 8, &n), BRINK_OK);
    cr_assert_eq(n, count[a], "actor %d", a);
    cr_assert_arr_eq(out, want[a], sizeof(int) * (size_t)n);
  }
  brink_engine_close(e);
}

/* The legal entries of brink_options, as sorted actions. */
static int legal_by_options(brink_engine *e, int actor, int *out) {
  int count, k = 0;
  cr_assert_eq(brink_options(e, actor, &count), BRINK_OK);
  for (int i = 0; i < count; i++) {
    int move, target, legal, action;
    cr_assert_eq(brink_option_get(e, i, &move, &target, &legal, NULL),
                 BRINK_OK);
    if (!legal) continue;
    cr_assert_eq(brink_action_find(e, move, target, &action), BRINK_OK);
    int j = k++;
    for (; j > 0 && out[j - 1] > action; j--) out[j] = out[j - 1];
    out[j] = action;
  }
  return k;
}

static void assert_legal_actions_agree(brink_engine *e) {
  for (int a = 0; a < brink_actor_count(e); a++) {
    int want[256], got[256], n;
    int k = legal_by_options(e, a, want);
    cr_assert_eq(brink_legal_actions(e, a, got, 256, &n), BRINK_OK, "%s",
                 brink_errmsg(e));
    cr_assert_eq(n, k);
    cr_assert_eq(got[0], 0, "pass is always legal, and first");
    cr_assert_arr_eq(got, want, sizeof(int) * (size_t)n);
  }
}

Test(game, legal_actions_are_the_legal_options_of_every_actor_all_run) {
  brink_engine *e = korea();
  cr_assert_eq(brink_stop_at_decisions(e, 1), BRINK_OK);
  for (uint64_t seed = 1; seed <= 3; seed++) {
    cr_assert_eq(brink_start(e, seed), BRINK_OK);
    int rc, checks = 0;
    while ((rc = brink_step(e)) == BRINK_OK || rc == BRINK_AWAIT) {
      assert_legal_actions_agree(e);
      checks++;
      if (rc == BRINK_AWAIT)
        cr_assert_geq(brink_decide(e), 0, "%s", brink_errmsg(e));
    }
    cr_assert_eq(rc, BRINK_DONE, "%s", brink_errmsg(e));
    cr_assert_gt(checks, 20);
  }
  brink_engine_close(e);
}

Test(game, legal_actions_count_past_cap_and_write_only_within_it) {
  brink_engine *e = korea();
  cr_assert_eq(brink_start(e, 1), BRINK_OK);
  int usa = id_of(e, "actor", "USA"), all[256], some[3] = {-7, -7, -7}, n, k;
  cr_assert_eq(brink_legal_actions(e, usa, all, 256, &n), BRINK_OK);
  cr_assert_gt(n, 3);
  cr_assert_eq(brink_legal_actions(e, usa, some, 2, &k), BRINK_OK);
  cr_assert_eq(k, n);
  cr_assert_eq(some[0], all[0]);
  cr_assert_eq(some[1], all[1]);
  cr_assert_eq(some[2], -7);
  cr_assert_eq(brink_legal_actions(e, usa, NULL, 0, &k), BRINK_OK);
  cr_assert_eq(k, n);
  brink_engine_close(e);
}

/* decisions -------------------------------------------------------------- */

/* The records of a run: brink_run's, or decided one decision at a time. */
static char *logged(brink_engine *e, uint64_t seed, bool stepped) {
  transcript t = {e, calloc(1, 1), 0, 1};
  brink_on_record(e, transcript_add, &t);
  brink_stop_at_decisions(e, stepped);
  cr_assert_eq(brink_start(e, seed), BRINK_OK);
  int rc, decisions = 0;
  if (!stepped) {
    rc = brink_run(e);
  } else {
    while ((rc = brink_step(e)) == BRINK_OK || rc == BRINK_AWAIT)
      if (rc == BRINK_AWAIT) {
        decisions++;
        cr_assert_geq(brink_awaiting(e), 0);
        if ((rc = brink_decide(e)) != BRINK_OK) break;
      }
    cr_assert_gt(decisions, 0);
  }
  if (rc != BRINK_DONE) brink_finish(e, "error");
  brink_on_record(e, NULL, NULL);
  return t.text;
}

Test(game, a_run_decided_one_decision_at_a_time_logs_what_brink_run_does) {
  brink_engine *e = korea();
  /* Policies and the built-in AI both. */
  cr_assert_eq(brink_policy_assign(e, id_of(e, "actor", "DPRK"), "patience"),
               BRINK_OK);
  for (uint64_t seed = 1; seed <= 4; seed++) {
    char *whole = logged(e, seed, false), *stepped = logged(e, seed, true);
    cr_assert_str_eq(stepped, whole, "seed %d", (int)seed);
    free(whole);
    free(stepped);
  }
  brink_engine_close(e);
}

/* The records of a run held at every turn, each hold released at once;
   with 'hold' off, brink_run's. */
static char *held_run(brink_engine *e, uint64_t seed, bool hold) {
  transcript t = {e, calloc(1, 1), 0, 1};
  brink_on_record(e, transcript_add, &t);
  cr_assert_eq(brink_start(e, seed), BRINK_OK);
  int rc, holds = 0;
  brink_hold(e, hold);
  while ((rc = brink_step(e)) == BRINK_OK || rc == BRINK_HELD) {
    if (rc != BRINK_HELD) {
      brink_hold(e, hold);
      continue;
    }
    holds++;
    cr_assert(brink_held(e));
    size_t before = t.len;
    cr_assert_eq(brink_step(e), BRINK_HELD);   /* held: nothing happens */
    cr_assert_eq(t.len, before);
    brink_hold(e, 0);
    cr_assert_not(brink_held(e));
  }
  cr_assert_eq(rc, BRINK_DONE, "%s", brink_errmsg(e));
  cr_assert_eq(holds > 0, hold);
  brink_on_record(e, NULL, NULL);
  return t.text;
}

Test(game, a_hold_stops_each_turn_before_it_resolves_and_changes_nothing) {
  brink_engine *e = korea();
  for (uint64_t seed = 1; seed <= 3; seed++) {
    char *plain = held_run(e, seed, false), *held = held_run(e, seed, true);
    cr_assert_str_eq(held, plain, "seed %d", (int)seed);
    free(plain);
    free(held);
  }
  brink_engine_close(e);
}

static bool same_state(brink_engine *a, brink_engine *b) {
  brink_snapshot *x, *y;
  cr_assert_eq(brink_snapshot_take(a, &x), BRINK_OK);
  cr_assert_eq(brink_snapshot_take(b, &y), BRINK_OK);
  bool same = brink_snapshot_size(x) == brink_snapshot_size(y) &&
              memcmp(brink_snapshot_data(x), brink_snapshot_data(y),
                     brink_snapshot_size(x)) == 0;
  brink_snapshot_free(x);
  brink_snapshot_free(y);
  return same;
}

Test(game, seats_still_await_take_actions_and_an_illegal_one_changes_nothing) {
  brink_engine *e = load_ok(HOST_SCENARIO);
  int red = id_of(e, "actor", "RED"), blue = id_of(e, "actor", "BLUE");
  int talk = id_of(e, "move", "talk"), talks = id_of(e, "var", "talks");
  cr_assert_eq(brink_seat(e, red, 1), BRINK_OK);
  cr_assert_eq(brink_stop_at_decisions(e, 1), BRINK_OK);
  cr_assert_eq(brink_start(e, 3), BRINK_OK);
  cr_assert_eq(brink_step(e), BRINK_AWAIT);
  cr_assert_eq(brink_awaiting(e), blue, "the AI's decisions stop too");
  cr_assert_eq(brink_decide(e), BRINK_OK, "%s", brink_errmsg(e));
  cr_assert_eq(brink_step(e), BRINK_AWAIT);
  cr_assert_eq(brink_awaiting(e), red);
  int action;
  cr_assert_eq(brink_action_find(e, talk, -1, &action), BRINK_OK);
  cr_assert_eq(brink_var_set(e, talks, 95), BRINK_OK);
  brink_engine *before;
  cr_assert_eq(brink_engine_clone(e, &before), BRINK_OK);
  cr_assert_eq(brink_choose_action(e, action), BRINK_EINVAL);
  cr_assert_str_eq(brink_errmsg(e), "talk is not allowed now: no more talk");
  cr_assert_eq(brink_choose_action(e, 9999), BRINK_EINVAL);
  cr_assert_str_eq(brink_errmsg(e), "no action has id 9999");
  cr_assert(same_state(e, before));
  cr_assert_eq(brink_awaiting(e), red);
  cr_assert_eq(brink_var_set(e, talks, 10), BRINK_OK);
  cr_assert_eq(brink_choose_action(e, action), BRINK_OK, "%s",
               brink_errmsg(e));
  double v;
  brink_var_get(e, talks, &v);
  cr_assert_eq(v, 25);
  cr_assert_eq(brink_awaiting(e), -1);
  cr_assert_eq(brink_decide(e), BRINK_ESTATE, "nobody awaits now");
  brink_engine_close(before);
  brink_engine_close(e);
}

Test(game, a_clone_keeps_stopping_at_decisions) {
  brink_engine *e = load_ok(HOST_SCENARIO), *c;
  cr_assert_eq(brink_stop_at_decisions(e, 1), BRINK_OK);
  cr_assert_eq(brink_start(e, 3), BRINK_OK);
  cr_assert_eq(brink_engine_clone(e, &c), BRINK_OK);
  cr_assert_eq(brink_step(c), BRINK_AWAIT);
  cr_assert_eq(brink_awaiting(c), 0);
  brink_engine_close(c);
  brink_engine_close(e);
}

/* observations ----------------------------------------------------------- */

Test(game, observations_show_what_an_actor_sees_and_hide_the_rest) {
  brink_engine *e = korea();
  int size = brink_observation_size(e), n = brink_var_count(e);
  cr_assert_eq(size, 2 + 2 * n);
  cr_assert_str_eq(brink_observation_name(e, 0), "turn");
  cr_assert_str_eq(brink_observation_name(e, 1), "ended");
  for (int v = 0; v < n; v++) {
    char want[256];
    cr_assert_str_eq(brink_observation_name(e, 2 + v), brink_var_name(e, v));
    snprintf(want, sizeof want, "visible:%s", brink_var_name(e, v));
    cr_assert_str_eq(brink_observation_name(e, 2 + n + v), want);
  }
  char msg[64];
  snprintf(msg, sizeof msg, "no observation entry has id %d", size);
  cr_assert_null(brink_observation_name(e, size));
  cr_assert_str_eq(brink_errmsg(e), msg);
  cr_assert_eq(brink_start(e, 2), BRINK_OK);
  cr_assert_eq(brink_step(e), BRINK_OK);
  int usa = id_of(e, "actor", "USA"), warheads = id_of(e, "var",
                                                      "DPRK.warheads");
  double *o = calloc((size_t)size, sizeof(double));
  double *all = calloc((size_t)size, sizeof(double));
  cr_assert_eq(brink_observation(e, usa, o, size), BRINK_OK);
  cr_assert_eq(brink_observation(e, -1, all, size), BRINK_OK);
  cr_assert_eq(o[0], 2);
  cr_assert_eq(o[1], 0);
  int hidden = 0;
  for (int v = 0; v < n; v++) {
    double value;
    brink_var_get(e, v, &value);
    cr_assert_eq(all[2 + v], value);
    cr_assert_eq(all[2 + n + v], 1);
    cr_assert_eq(o[2 + n + v], brink_var_visible(e, v, usa));
    if (o[2 + n + v]) cr_assert_eq(o[2 + v], value);
    else hidden++;
  }
  cr_assert_eq(o[2 + n + warheads], 0);
  cr_assert_gt(hidden, 0);
  /* What the USA sees does not move with what it cannot see. */
  double *again = calloc((size_t)size, sizeof(double));
  double w;
  brink_var_get(e, warheads, &w);
  cr_assert_eq(brink_var_set(e, warheads, w + 17), BRINK_OK);
  cr_assert_eq(brink_observation(e, usa, again, size), BRINK_OK);
  cr_assert_arr_eq(again, o, sizeof(double) * (size_t)size);
  /* A short buffer gets the head only. */
  double head[3] = {-1, -1, -1};
  cr_assert_eq(brink_observation(e, usa, head, 2), BRINK_OK);
  cr_assert_eq(head[0], 2);
  cr_assert_eq(head[2], -1);
  cr_assert_eq(brink_observation(e, 99, o, size), BRINK_EINVAL);
  cr_assert_str_eq(brink_errmsg(e), "no actor has id 99");
  cr_assert_eq(brink_observation(e, usa, NULL, 4), BRINK_EINVAL);
  cr_assert_eq(brink_finish(e, NULL), BRINK_DONE);
  cr_assert_eq(brink_observation(e, usa, head, 2), BRINK_OK);
  cr_assert_eq(head[1], 1);
  free(o);
  free(all);
  free(again);
  brink_engine_close(e);
}

Test(game, a_hidden_variable_without_a_prior_shows_zero) {
  brink_engine *e = load_ok(
      HEADER "actor 'A' {}\nactor 'B' {}\n"
      "var 'A.secret' { min = 0, max = 100, init = 42, visible = 'owner' }\n"
      "var 'open' { min = 0, max = 100, init = 7 }\n");
  int b = id_of(e, "actor", "B"), a = id_of(e, "actor", "A");
  double o[6];
  cr_assert_eq(brink_start(e, 1), BRINK_OK);
  cr_assert_eq(brink_observation(e, b, o, 6), BRINK_OK);
  cr_assert_eq(o[2], 0);
  cr_assert_eq(o[3], 7);
  cr_assert_eq(o[4], 0);
  cr_assert_eq(o[5], 1);
  cr_assert_eq(brink_observation(e, a, o, 6), BRINK_OK);
  cr_assert_eq(o[2], 42);
  cr_assert_eq(o[4], 1);
  brink_engine_close(e);
}

/* the scenario's structure ----------------------------------------------- */

Test(game, the_flagship_describes_its_policies_moves_and_variables) {
  brink_engine *e = korea();
  int usa = id_of(e, "actor", "USA"), dprk = id_of(e, "actor", "DPRK");
  cr_assert_eq(brink_policy_count(e), 5);
  const char *names[] = {"pressure", "engagement", "allies_first",
                         "brinkmanship", "patience"};
  int actors[] = {usa, usa, usa, dprk, dprk};
  for (int i = 0; i < 5; i++) {
    cr_assert_str_eq(brink_policy_name(e, i), names[i]);
    cr_assert_eq(brink_policy_actor(e, i), actors[i]);
  }
  int summit = id_of(e, "move", "summit"), consult = id_of(e, "move",
                                                          "consult_allies");
  int test = id_of(e, "move", "short_range_test"), targets[4] = {-7}, n;
  cr_assert_eq(brink_move_by(e, summit, usa), 1);
  cr_assert_eq(brink_move_by(e, summit, dprk), 0);
  cr_assert_eq(brink_move_by(e, 0, dprk), 1, "everyone may pass");
  cr_assert_eq(brink_move_targets(e, summit, targets, 4, &n), BRINK_OK);
  cr_assert_eq(n, 1);
  cr_assert_eq(targets[0], dprk);
  cr_assert_eq(brink_move_targets(e, consult, targets, 4, &n), BRINK_OK);
  cr_assert_eq(n, 2);
  cr_assert_eq(targets[0], id_of(e, "actor", "ROK"));
  cr_assert_eq(targets[1], id_of(e, "actor", "JPN"));
  cr_assert_eq(brink_move_targets(e, test, targets, 4, &n), BRINK_OK);
  cr_assert_eq(n, 0);
  int assembly = id_of(e, "var", "ROK.assembly");
  int warheads = id_of(e, "var", "DPRK.warheads");
  int talks = id_of(e, "var", "negotiations");
  int tension = id_of(e, "var", "DPRK.tension.USA");
  int trust = id_of(e, "var", "USA.trust.DPRK");
  cr_assert_eq(brink_var_enum_count(e, assembly), 3);
  cr_assert_eq(brink_var_enum_count(e, talks), 0);
  cr_assert_eq(brink_var_visibility(e, warheads), BRINK_VISIBLE_OWNER);
  cr_assert_eq(brink_var_visibility(e, talks), BRINK_VISIBLE_PUBLIC);
  double start;
  cr_assert_eq(brink_var_start(e, talks, &start), BRINK_OK);
  cr_assert_eq(start, 20);
  cr_assert_eq(brink_var_start(e, tension, &start), BRINK_OK);
  cr_assert_eq(start, 45);
  cr_assert_str_eq(brink_var_relation(e, tension), "tension");
  cr_assert_eq(brink_var_symmetric(e, tension), 1);
  cr_assert_str_eq(brink_var_relation(e, trust), "trust");
  cr_assert_eq(brink_var_symmetric(e, trust), 0);
  cr_assert_str_eq(brink_var_relation(e, talks), "");
  cr_assert_eq(brink_var_symmetric(e, talks), 0);
  brink_engine_close(e);
}

/* Each bad call fails by the one rule, with its own message. */
static void assert_failed(brink_engine *e, bool failed, const char *msg) {
  cr_assert(failed, "should have failed: %s", msg);
  cr_assert_str_eq(brink_errmsg(e), msg);
}

Test(game, bad_ids_fail_by_the_one_rule_with_their_own_message) {
  brink_engine *e = korea();
  int x = 0, n = 5, buf[2];
  double d;
  int nmoves = brink_move_count(e), nvars = brink_var_count(e);
  assert_failed(e, brink_action_info(e, -1, &x, &x) == BRINK_EINVAL,
                "no action has id -1");
  assert_failed(e, brink_action_find(e, 0, 3, &x) == BRINK_ENOTFOUND &&
                       x == -1, "move 'pass' has no target PRC");
  char msg[64];
  snprintf(msg, sizeof msg, "no move has id %d", nmoves);
  assert_failed(e, brink_action_find(e, nmoves, -1, &x) == BRINK_EINVAL,
                msg);
  assert_failed(e, brink_legal_actions(e, 6, buf, 2, &n) == BRINK_EINVAL &&
                       n == 0, "no actor has id 6");
  assert_failed(e, brink_legal_actions(e, 0, NULL, 2, &n) == BRINK_EINVAL,
                "out is NULL or cap (2) is negative");
  assert_failed(e, brink_policy_name(e, 5) == NULL, "no policy has id 5");
  assert_failed(e, brink_policy_actor(e, -2) == -1, "no policy has id -2");
  assert_failed(e, brink_move_by(e, 0, 6) == -1, "no actor has id 6");
  assert_failed(e, brink_move_by(e, -3, 0) == -1, "no move has id -3");
  assert_failed(e, brink_move_targets(e, 77, buf, 2, &n) == BRINK_EINVAL,
                "no move has id 77");
  snprintf(msg, sizeof msg, "no variable has id %d", nvars);
  assert_failed(e, brink_var_enum_count(e, nvars) == -1, msg);
  assert_failed(e, brink_var_visibility(e, -1) == -1,
                "no variable has id -1");
  assert_failed(e, brink_var_start(e, 500, &d) == BRINK_EINVAL,
                "no variable has id 500");
  assert_failed(e, brink_var_start(e, 0, NULL) == BRINK_EINVAL,
                "out is NULL");
  assert_failed(e, brink_var_relation(e, 501) == NULL,
                "no variable has id 501");
  assert_failed(e, brink_var_symmetric(e, 502) == -1,
                "no variable has id 502");
  assert_failed(e, brink_var_set_by(e, 0, 1, NULL) == BRINK_EINVAL,
                "cause is NULL");
  assert_failed(e, brink_decide(e) == BRINK_ESTATE, "no seat is waiting");
  /* Counts never fail, even on an empty engine. */
  brink_engine *empty;
  cr_assert_eq(brink_engine_open(&empty, NULL), BRINK_OK);
  cr_assert_eq(brink_action_count(empty), 1);
  cr_assert_eq(brink_observation_size(empty), 2);
  cr_assert_eq(brink_policy_count(empty), 0);
  brink_engine_close(empty);
  brink_engine_close(e);
}

/* the interrupt ---------------------------------------------------------- */

typedef struct watcher {
  brink_engine *e;
  atomic_int done;
} watcher;

/* Interrupts until the step returns: a host's watchdog, which cannot know
   whether the script has started yet. */
static void *interrupt_until_done(void *ud) {
  watcher *w = ud;
  struct timespec pause = {0, 20 * 1000 * 1000};
  while (!atomic_load(&w->done)) {
    nanosleep(&pause, NULL);
    brink_interrupt(w->e);
  }
  return NULL;
}

#define SPIN_SCENARIO                                                       \
  HEADER "actor 'A' {}\n"                                                   \
  "var 'spin' { type = 'flag', init = true }\n"                             \
  "var 'count' { min = 0, max = 1e9, init = 0 }\n"                          \
  "trigger 'forever' { once = false, when = function(w) return w.spin end,\n" \
  "  effect = function(w)\n"                                                \
  "    w.count = 5\n"                                                       \
  "    while true do pcall(function() end) end\n"                           \
  "  end }\n"

Test(game, an_interrupt_from_another_thread_stops_an_endless_script) {
  brink_config cfg;
  brink_config_init(&cfg);
  cfg.max_instructions = (int64_t)1 << 60;
  cfg.max_seconds = 600;
  brink_engine *e;
  cr_assert_eq(brink_engine_open(&e, &cfg), BRINK_OK);
  cr_assert_eq(brink_load_string(e, "spin.lua", SPIN_SCENARIO,
                                 strlen(SPIN_SCENARIO)), BRINK_OK, "%s",
               brink_errmsg(e));
  cr_assert_eq(brink_start(e, 1), BRINK_OK);
  watcher w = {e, 0};
  pthread_t t;
  cr_assert_eq(pthread_create(&t, NULL, interrupt_until_done, &w), 0);
  int rc = brink_step(e);
  atomic_store(&w.done, 1);
  pthread_join(t, NULL);
  cr_assert_eq(rc, BRINK_ESCRIPT, "%s", brink_errmsg(e));
  cr_assert_str_eq(brink_errmsg(e), "interrupted by the host");
  cr_assert_str_eq(brink_errin(e), "trigger:forever");
  /* Rolled back like any failed effect, and the engine plays on. */
  int spin = id_of(e, "var", "spin"), count = id_of(e, "var", "count");
  double v;
  brink_var_get(e, count, &v);
  cr_assert_eq(v, 0);
  cr_assert_eq(brink_var_set(e, spin, 0), BRINK_OK);
  cr_assert_eq(brink_run(e), BRINK_DONE, "%s", brink_errmsg(e));
  brink_engine_close(e);
}

Test(game, an_interrupt_when_nothing_runs_leaves_the_next_call_alone) {
  brink_engine *e = load_ok(HOST_SCENARIO);
  brink_interrupt(e);
  brink_interrupt(NULL);
  cr_assert_eq(brink_start(e, 1), BRINK_OK);
  brink_interrupt(e);
  cr_assert_eq(brink_run(e), BRINK_DONE, "%s", brink_errmsg(e));
  brink_engine_close(e);
}

/* per-call causes -------------------------------------------------------- */

typedef struct causes {
  char last[64];
} causes;

static void note_cause(void *ud, const brink_record *r) {
  causes *c = ud;
  if (r->kind == BRINK_REC_SET) snprintf(c->last, sizeof c->last, "%s",
                                         r->cause);
}

Test(game, a_cause_given_with_one_write_is_for_that_write_only) {
  brink_engine *e = load_ok(HOST_SCENARIO);
  causes c = {""};
  int talks = id_of(e, "var", "talks");
  cr_assert_eq(brink_start(e, 1), BRINK_OK);
  cr_assert_eq(brink_on_record(e, note_cause, &c), BRINK_OK);
  cr_assert_eq(brink_cause_set(e, "facilitator"), BRINK_OK);
  cr_assert_eq(brink_var_set_by(e, talks, 30, "search"), BRINK_OK);
  cr_assert_str_eq(c.last, "search");
  cr_assert_eq(brink_var_set(e, talks, 31), BRINK_OK);
  cr_assert_str_eq(c.last, "facilitator");
  /* Kept by the engine: the record of a transaction's write outlives the
     caller's text. */
  char cause[16] = "rollout";
  cr_assert_eq(brink_txn_begin(e), BRINK_OK);
  cr_assert_eq(brink_var_set_by(e, talks, 40, cause), BRINK_OK);
  strcpy(cause, "XXXXXXX");
  cr_assert_eq(brink_txn_commit(e), BRINK_OK);
  cr_assert_str_eq(c.last, "rollout");
  cr_assert_eq(brink_var_set_by(e, talks, 1e9, "clamped"), BRINK_OK);
  double v;
  brink_var_get(e, talks, &v);
  cr_assert_eq(v, 100);
  brink_engine_close(e);
}

/* memory ----------------------------------------------------------------- */

/* The game-AI calls on an engine whose k-th allocation fails. */
static int game_calls_at(long k) {
  one_shot o = {k, 0};
  brink_engine *e;
  if (open_failing(&e, &o) != BRINK_OK) return 0;
  int rc = brink_load_string(e, "host.lua", HOST_SCENARIO,
                             strlen(HOST_SCENARIO));
  if (rc == BRINK_OK) rc = brink_stop_at_decisions(e, 1);
  if (rc == BRINK_OK) rc = brink_start(e, 1);
  if (rc == BRINK_OK) rc = brink_step(e);
  if (rc == BRINK_AWAIT) {
    int out[16], n;
    double obs[32];
    rc = brink_legal_actions(e, 0, out, 16, &n);
    if (rc == BRINK_OK) rc = brink_observation(e, 0, obs, 32);
    if (rc == BRINK_OK) rc = brink_var_set_by(e, 0, 50, "search");
    if (rc == BRINK_OK) rc = brink_decide(e);
  }
  cr_assert(rc >= 0 || rc == BRINK_ENOMEM, "at %ld: %s", k,
            brink_errmsg(e));
  brink_engine_close(e);
  return o.count < k;   /* nothing left to fail */
}

Test(game, the_game_calls_succeed_or_fail_for_memory_at_every_allocation) {
  long k = 1;
  while (!game_calls_at(k)) k++;
  cr_assert_gt(k, 100);
}

/* What an actor cannot see shows as the prior's mean, whatever the value:
   the flagship's arsenal is drawn from 20 to 60 warheads. */
Test(game, a_hidden_value_shows_as_its_priors_mean) {
  brink_engine *e = korea();
  cr_assert_eq(brink_start(e, 5), BRINK_OK);
  int usa = id_of(e, "actor", "USA"), dprk = id_of(e, "actor", "DPRK");
  int warheads = id_of(e, "var", "DPRK.warheads");
  int n = brink_observation_size(e);
  double *seen = calloc((size_t)n, sizeof *seen);
  double mean, value;
  cr_assert_eq(brink_var_prior(e, warheads, &mean), BRINK_OK);
  cr_assert_eq(mean, 40);
  cr_assert_eq(brink_var_set(e, warheads, 57), BRINK_OK);
  brink_var_get(e, warheads, &value);
  cr_assert_eq(brink_observation(e, usa, seen, n), BRINK_OK);
  cr_assert_eq(seen[2 + warheads], mean);
  cr_assert_eq(seen[2 + brink_var_count(e) + warheads], 0);
  cr_assert_eq(brink_observation(e, dprk, seen, n), BRINK_OK);
  cr_assert_eq(seen[2 + warheads], value);
  free(seen);
  brink_engine_close(e);
}
