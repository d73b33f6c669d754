/*
** Coverage (engine/coverage.c): the counters brink check --runs reads,
** kept beside the run without changing it, and where each thing was
** declared.
*/
#include "host_fixture.h"

/* Three turns of two actors, one decision each a turn: six decisions. */
#define COVERAGE_SCENARIO                                                   \
  "scenario { id = 'cov', start = '2024-01-01', finish = '2024-03-31',\n"  \
  "  turn = 'month', seed = 3, moves_per_turn = 1 }\n"                     \
  "actor 'A' {}\n"                                                         \
  "actor 'B' {}\n"                                                         \
  "var 'x' { min = 0, max = 100, init = 0 }\n"                             \
  "var 'same' { min = 0, max = 100, init = 5 }\n"                          \
  "var 'undone' { min = 0, max = 100, init = 0 }\n"                        \
  "var 'host' { min = 0, max = 100, init = 0 }\n"                          \
  "move 'bump' { by = 'A', effect = function(w) end }\n"                   \
  "move 'poke' { by = '*', targets = { 'A', 'B' },\n"                      \
  "  effect = function(w) end }\n"                                         \
  "move 'never' { by = 'B', when = function(w) return false end }\n"       \
  "trigger 'tick' { once = false, effect = function(w)\n"                  \
  "  w.x = w.x + 1; w.same = 5 end }\n"                                    \
  "trigger 'fail' { at = '2024-02-10', effect = function(w)\n"             \
  "  w.undone = 9; error('no') end }\n"

/* Plays the run to its end, over the error of 'fail'. */
static void play_out(brink_engine *e) {
  int rc, errors = 0;
  while ((rc = brink_step(e)) != BRINK_DONE) {
    cr_assert(rc == BRINK_OK || rc == BRINK_ESCRIPT, "%s", brink_errmsg(e));
    errors += rc == BRINK_ESCRIPT;
  }
  cr_assert_eq(errors, 1);
}

static int64_t count(brink_engine *e, int kind, int id) {
  int64_t out[16];
  int n;
  cr_assert_eq(brink_coverage(e, kind, out, 16, &n), BRINK_OK, "%s",
               brink_errmsg(e));
  cr_assert_lt(id, n);
  return out[id];
}

static int move(brink_engine *e, const char *name) {
  int id;
  cr_assert_eq(brink_move_find(e, name, &id), BRINK_OK);
  return id;
}

Test(coverage, counts_each_decision_a_move_was_legal_at) {
  brink_engine *e = load_ok(COVERAGE_SCENARIO);
  cr_assert_eq(brink_start(e, 1), BRINK_OK);
  play_out(e);
  cr_assert_eq(count(e, BRINK_COVER_LEGAL, 0), 6);   /* pass: every one */
  cr_assert_eq(count(e, BRINK_COVER_LEGAL, move(e, "bump")), 3);
  /* Once a decision, however many of its targets are legal. */
  cr_assert_eq(count(e, BRINK_COVER_LEGAL, move(e, "poke")), 6);
  cr_assert_eq(count(e, BRINK_COVER_LEGAL, move(e, "never")), 0);
  brink_engine_close(e);
}

Test(coverage, counts_every_script_write_and_no_host_or_initial_value) {
  brink_engine *e = load_ok(COVERAGE_SCENARIO);
  cr_assert_eq(brink_start(e, 1), BRINK_OK);
  cr_assert_eq(brink_var_set(e, var(e, "host"), 7), BRINK_OK);
  play_out(e);
  cr_assert_eq(count(e, BRINK_COVER_WRITES, var(e, "x")), 3);
  /* Writes of the value it holds count: the script wrote it. */
  cr_assert_eq(count(e, BRINK_COVER_WRITES, var(e, "same")), 3);
  /* So does a write the failed effect's rollback undid. */
  cr_assert_eq(count(e, BRINK_COVER_WRITES, var(e, "undone")), 1);
  cr_assert_eq(get(e, "undone"), 0);
  cr_assert_eq(count(e, BRINK_COVER_WRITES, var(e, "host")), 0);
  brink_engine_close(e);
}

/* Of the writes, those outside the bounds, clamped: 'x' is written 60,
   120 (clamped to 100), then 160 (clamped); 'y' 100, at its bound. */
Test(coverage, counts_the_writes_clamped_to_the_bounds) {
  brink_engine *e = load_ok(
      "scenario { id = 'cov', start = '2024-01-01', finish = '2024-03-31' }\n"
      "actor 'A' {}\n"
      "var 'x' { min = 0, max = 100, init = 0 }\n"
      "var 'y' { min = 0, max = 100, init = 0 }\n"
      "var 'n' { type = 'integer', min = -5, max = 5, init = 0 }\n"
      "trigger 'tick' { once = false, effect = function(w)\n"
      "  w.x = w.x + 60; w.y = 100; w.n = -9 end }\n");
  cr_assert_eq(brink_start(e, 1), BRINK_OK);
  cr_assert_eq(brink_var_set(e, var(e, "y"), 500), BRINK_OK);   /* host */
  while (brink_step(e) != BRINK_DONE) {}
  cr_assert_eq(count(e, BRINK_COVER_WRITES, var(e, "x")), 3);
  cr_assert_eq(count(e, BRINK_COVER_CLAMPS, var(e, "x")), 2);
  cr_assert_eq(count(e, BRINK_COVER_CLAMPS, var(e, "y")), 0);
  cr_assert_eq(count(e, BRINK_COVER_CLAMPS, var(e, "n")), 3);
  brink_engine_close(e);
}

Test(coverage, brink_start_zeroes_the_counts_and_they_never_change_a_run) {
  brink_engine *e = load_ok(COVERAGE_SCENARIO);
  brink_engine *fresh = load_ok(COVERAGE_SCENARIO);
  cr_assert_eq(brink_start(e, 1), BRINK_OK);
  play_out(e);
  cr_assert_eq(brink_start(e, 1), BRINK_OK);
  cr_assert_eq(count(e, BRINK_COVER_LEGAL, 0), 0);
  cr_assert_eq(count(e, BRINK_COVER_WRITES, var(e, "x")), 0);
  /* A snapshot neither holds nor restores them. */
  brink_snapshot *s;
  cr_assert_eq(brink_snapshot_take(e, &s), BRINK_OK);
  play_out(e);
  cr_assert_eq(brink_snapshot_restore(e, s), BRINK_OK);
  cr_assert_eq(count(e, BRINK_COVER_LEGAL, 0), 6);
  brink_snapshot_free(s);
  /* The second run of 'e' is the first run of a fresh engine. */
  cr_assert_eq(brink_start(e, 1), BRINK_OK);
  cr_assert_eq(brink_start(fresh, 1), BRINK_OK);
  play_out(e);
  play_out(fresh);
  for (int v = 0; v < brink_var_count(e); v++) {
    double a, b;
    brink_var_get(e, v, &a);
    brink_var_get(fresh, v, &b);
    cr_assert_eq(a, b, "%s", brink_var_name(e, v));
  }
  brink_engine_close(e);
  brink_engine_close(fresh);
}

Test(coverage, fills_only_what_the_buffer_holds_and_refuses_misuse) {
  brink_engine *e = load_ok(COVERAGE_SCENARIO);
  cr_assert_eq(brink_start(e, 1), BRINK_OK);
  play_out(e);
  int64_t out[3] = {-1, -1, -1};
  int n = -1;
  cr_assert_eq(brink_coverage(e, BRINK_COVER_LEGAL, out, 2, &n), BRINK_OK);
  cr_assert_eq(n, brink_move_count(e));
  cr_assert_eq(out[0], 6);
  cr_assert_eq(out[2], -1);
  cr_assert_eq(brink_coverage(e, BRINK_COVER_WRITES, NULL, 0, &n), BRINK_OK);
  cr_assert_eq(n, brink_var_count(e));
  cr_assert_eq(brink_coverage(e, 3, out, 3, &n), BRINK_EINVAL);
  cr_assert_str_eq(brink_errmsg(e), "no coverage has kind 3");
  cr_assert_eq(brink_coverage(e, BRINK_COVER_LEGAL, NULL, 3, &n),
               BRINK_EINVAL);
  cr_assert_eq(brink_coverage(e, BRINK_COVER_LEGAL, out, 3, NULL),
               BRINK_EINVAL);
  brink_engine_close(e);
  cr_assert_eq(brink_engine_open(&e, NULL), BRINK_OK);
  cr_assert_eq(brink_coverage(e, BRINK_COVER_LEGAL, out, 3, &n),
               BRINK_ESTATE);
  cr_assert_eq(n, 0);
  brink_engine_close(e);
}

Test(coverage, where_names_the_line_that_declared_it) {
  brink_engine *e = load_ok(COVERAGE_SCENARIO);
  cr_assert_str_eq(brink_move_where(e, move(e, "poke")), "test.lua:10");
  cr_assert_str_eq(brink_move_where(e, 0), "");   /* pass */
  cr_assert_str_eq(brink_var_where(e, var(e, "same")), "test.lua:6");
  int t, o;
  cr_assert_eq(brink_trigger_find(e, "fail", &t), BRINK_OK);
  cr_assert_str_eq(brink_trigger_where(e, t), "test.lua:15");
  /* The default outcome "end", which the scenario did not declare. */
  cr_assert_eq(brink_outcome_find(e, "end", &o), BRINK_OK);
  cr_assert_str_eq(brink_outcome_where(e, o), "");
  brink_engine_close(e);
}
