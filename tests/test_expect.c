/* Expectations (docs/scenario-language.md#expectations-expect), through
   the brink command: brink check --runs N and brink test. */
#define _DEFAULT_SOURCE   /* mkstemps */
#include "cli_fixture.h"

static result run(const char *args) {
  char cmd[2048];
  snprintf(cmd, sizeof cmd, "%s %s", brink(), args);
  return shell(cmd);
}

/* Writes 'src' to a fresh /tmp/brink-expect-*.lua, named in 'path'. */
static void temp_scenario(char *path, size_t cap, const char *src) {
  snprintf(path, cap, "/tmp/brink-expect-XXXXXX.lua");
  int fd = mkstemps(path, 4);
  cr_assert(fd >= 0);
  cr_assert_eq(write(fd, src, strlen(src)), (ssize_t)strlen(src));
  close(fd);
}

#define BASE                                                                \
  "scenario { id = 't', start = '2020-01-01', finish = '2020-06-30',\n"     \
  "  seed = 1, default_outcome = 'calm' }\n"                                \
  "actor 'A' {}\n"                                                          \
  "var 'heat' { min = 0, max = 100, init = 50 }\n"                          \
  "move 'push' { by = '*', effect = function(w) w.heat = w.heat + 5 end }\n" \
  "policy 'hawk' { actor = 'A', choose = function() return 'push' end }\n"  \
  "outcome 'calm' { doc = 'the end' }\n"

/* brink check on BASE and 'decls' (from line 7); the result. */
static result check_with(const char *decls, const char *args) {
  char path[64], src[4096], cmd[256];
  snprintf(src, sizeof src, "%s%s", BASE, decls);
  temp_scenario(path, sizeof path, src);
  snprintf(cmd, sizeof cmd, "check %s %s", path, args);
  result r = run(cmd);
  remove(path);
  return r;
}

#define HOLDS "tests/expect/holds.lua"

Test(expect, holding_expectations_of_every_quantity_and_a_straddle) {
  result r = run("check " HOLDS " --runs 200");
  cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
  cr_assert_str_eq(r.out,
    HOLDS ": ok (2 actors, 2 variables, 2 moves, 6 turns, 6 expectations)\n"
    HOLDS ": 200 runs (seeds 1 to 200): no runtime errors, 0 warnings\n"
    "expect: A pushes: holds: measured 0.92 [0.874, 0.95], wanted >= 0.5\n"
    "expect: the heat by March: holds: measured 59.7 [58.8, 60.5], wanted <= 65\n"
    "expect: B pushes a third of the time: holds: measured 0.32 [0.294, 0.347], wanted >= 0.2\n"
    "expect: the hawk pushes more: holds: measured 3.02 [2.79, 3.26], wanted >= 2\n"
    /* 0.55 lies inside the interval: the line fails by X, the check
       does not. */
    "expect: a fair coin: fails: measured 0.525 [0.456, 0.593], wanted >= 0.55\n"
    "expect: the record: holds: measured 1 [0.981, 1], wanted >= 0.9\n");
  done(r);
}

Test(expect, the_verdicts_are_the_same_for_any_number_of_jobs) {
  result one = run("check " HOLDS " --runs 300 --jobs 1");
  result two = run("check " HOLDS " --runs 300 --jobs 2");
  cr_assert_eq(one.status, 0, "%s", one.err);
  cr_assert_str_eq(one.out, two.out);
  cr_assert(strstr(one.out, "expect: A pushes: holds: measured"));
  done(one);
  done(two);
}

Test(expect, json_lines_carry_each_verdict) {
  result r = run("check " HOLDS " --runs 200 --json");
  cr_assert_eq(r.status, 0, "%s", r.err);
  cr_assert(strstr(r.out, "{\"t\":\"expect\",\"name\":\"A pushes\",\"where\":"
                          "\"" HOLDS ":18\",\"claim\":\"A pushes at least "
                          "once in most runs\",\"verdict\":\"holds\","
                          "\"decisive\":true,\"measured\":0.92,"), "%s", r.out);
  cr_assert(strstr(r.out, "\"name\":\"a fair coin\",\"where\":\"" HOLDS
                          ":38\",\"claim\":\"\",\"verdict\":\"fails\","
                          "\"decisive\":false,\"measured\":0.525,"), "%s",
            r.out);
  cr_assert(strstr(r.out, "\"op\":\">=\",\"threshold\":0.5,\"runs\":200,"
                          "\"selected\":200}\n"), "%s", r.out);
  done(r);
}

Test(expect, brink_test_is_check_with_a_thousand_runs) {
  /* 1000 runs decide the coin that 200 could not: 0.55 is now above
     its interval, and the test fails. */
  result r = run("test " HOLDS " --jobs 2");
  cr_assert_eq(r.status, 1, "%s", r.err);
  cr_assert(strstr(r.out, HOLDS ": 1000 runs (seeds 1 to 1000)"), "%s", r.out);
  cr_assert(strstr(r.out, "expect: a fair coin: fails: measured 0.516 "
                          "[0.485, 0.547], wanted >= 0.55\n"), "%s", r.out);
  done(r);
  result tut = run("test scripts/scenarios/tutorial.lua --runs 300");
  cr_assert_eq(tut.status, 0, "%s", tut.err);
  cr_assert(strstr(tut.out, "expect: the year rarely ends quietly: holds: "),
            "%s", tut.out);
  done(tut);
}

Test(expect, a_failing_expectation_and_an_empty_selection_exit_1) {
  result r = run("check tests/expect/fails.lua --runs 200");
  cr_assert_eq(r.status, 1, "%s", r.err);
  cr_assert(strstr(r.out,
    "\nexpect: it rarely gets hot: fails: measured 0.89 [0.839, 0.926], "
    "wanted <= 0.05\n"
    "expect: nothing selected: fails: measured n/a (no run was selected by "
    "'given'), wanted >= 0.5\n"), "%s", r.out);
  done(r);
}

Test(expect, a_share_with_n_a_alone_exits_1) {
  result r = check_with("expect 'e' { given = function(r) return false end,\n"
                        "  mean = function(r) return 1 end, at_most = 2 }\n",
                        "--runs 20");
  cr_assert_eq(r.status, 1, "%s", r.err);
  cr_assert(strstr(r.out, "expect: e: fails: measured n/a (no run was "
                          "selected by 'given'), wanted <= 2\n"), "%s", r.out);
  done(r);
}

Test(expect, an_error_inside_a_function_names_its_line) {
  result r = run("check tests/expect/error.lua --runs 50");
  cr_assert_eq(r.status, 1);
  cr_assert_str_eq(r.err, "tests/expect/error.lua:14: in expect 'boom': no "
                          "good\n");
  cr_assert(strstr(r.out, "expect: boom: fails: an error in its functions "
                          "(above), wanted >= 0.5\n"), "%s", r.out);
  done(r);
}

Test(expect, run_and_batch_never_call_them) {
  result r = run("run tests/expect/error.lua");
  cr_assert_eq(r.status, 0, "%s", r.err);
  cr_assert(strstr(r.out, "Outcome: calm"), "%s", r.out);
  done(r);
  result b = run("batch tests/expect/error.lua --runs 50");
  cr_assert_eq(b.status, 0, "%s", b.err);
  cr_assert_null(strstr(b.err, "expect"), "%s", b.err);
  done(b);
  result c = run("check tests/expect/error.lua");
  cr_assert_eq(c.status, 0, "%s", c.err);
  cr_assert_str_eq(c.out, "tests/expect/error.lua: ok (1 actors, 1 variables, "
                          "1 moves, 3 turns, 1 expectation)\n");
  done(c);
}

Test(expect, a_runaway_function_meets_the_budget) {
  result r = check_with("expect 'loop' { share = function(r) while true do "
                        "end end, at_least = 0.5 }\n",
                        "--runs 5 --max-instructions 100000");
  cr_assert_eq(r.status, 1);
  cr_assert(strstr(r.err, ":8: in expect 'loop': instruction budget exceeded "
                          "in 'expect' (100000 instructions)"), "%s", r.err);
  done(r);
}

Test(expect, the_run_is_read_only_and_the_run_is_over) {
  result r = check_with(
      "expect 'w' { share = function(r) r.outcome = 'x' end, at_least = 0 }\n"
      "expect 'n' { share = function(r) news('x') end, at_least = 0 }\n"
      "expect 'a' { share = function(r) return r:moved('B') end, at_least = 0 }\n"
      "expect 'd' { share = function(r) return r:fired('x') end, at_least = 0 }\n"
      "expect 'v' { mean = function(r) return r:value('heat', 'soon') end, at_least = 0 }\n",
      "--runs 5");
  cr_assert_eq(r.status, 1);
  cr_assert(strstr(r.err, ":8: in expect 'w': the run is read-only"), "%s", r.err);
  cr_assert(strstr(r.err, ":9: in expect 'n': news() can only be used while "
                          "the scenario runs"), "%s", r.err);
  cr_assert(strstr(r.err, ":10: in expect 'a': unknown actor 'B'"), "%s", r.err);
  cr_assert(strstr(r.err, ":11: in expect 'd': unknown trigger 'x'"), "%s", r.err);
  cr_assert(strstr(r.err, ":12: in expect 'v': bad argument #2: a turn number "
                          "or a date"), "%s", r.err);
  done(r);
}

Test(expect, ratios_of_nothing) {
  result r = check_with(
      "expect 'inf' { ratio = { { share = function(r) return true end },\n"
      "  { share = function(r) return false end } }, at_least = 1 }\n"
      "expect '0/0' { ratio = { { share = function(r) return false end },\n"
      "  { share = function(r) return false end } }, at_most = 1 }\n",
      "--runs 100");
  cr_assert_eq(r.status, 1, "%s", r.err);
  cr_assert(strstr(r.out, "expect: inf: holds: measured inf [26, inf], "
                          "wanted >= 1\n"), "%s", r.out);
  cr_assert(strstr(r.out, "expect: 0/0: fails: measured n/a (0/0: A and B "
                          "both measured 0), wanted <= 1\n"), "%s", r.out);
  done(r);
}

Test(expect, mistakes_are_load_errors_at_their_line) {
  result r = check_with(
      "expect 'typo' { sahre = function(r) return true end, at_least = 0.5 }\n"
      "expect 'none' { at_least = 0.5 }\n"
      "expect 'two' { share = function() end, mean = function() end, at_most = 1 }\n"
      "expect 'nothr' { share = function() end }\n"
      "expect 'pol' { setup = { A = 'hwak' }, share = function() end, at_least = 0 }\n"
      "expect 'var' { setup = { haet = 3 }, share = function() end, at_least = 0 }\n"
      "expect 'fn' { share = 3, at_least = 0.5 }\n", "");
  cr_assert_eq(r.status, 1);
  cr_assert_str_eq(r.out, "");
  const char *want[] = {
      ":8: expect 'typo': unknown field 'sahre' (did you mean 'share'?)\n",
      ":9: expect 'none': needs a quantity: share, mean or rate = "
      "function(r) ... end, or ratio = { A, B }\n",
      ":10: expect 'two': has two quantities ('share' and 'mean'): give one\n",
      ":11: expect 'nothr': needs a threshold: at_least = T or at_most = T\n",
      ":12: expect 'pol': setup: A has no policy 'hwak' (did you mean "
      "'hawk'?)\n",
      ":13: expect 'var': setup: unknown variable 'haet' (did you mean "
      "'heat'?)\n",
      ":14: expect 'fn': 'share' must be a function, not number\n"};
  for (size_t i = 0; i < sizeof want / sizeof *want; i++)
    cr_assert(strstr(r.err, want[i]), "%s not in\n%s", want[i], r.err);
  done(r);
  result run_too = check_with("expect 'none' { at_least = 0.5 }\n", "");
  cr_assert_eq(run_too.status, 1, "brink run refuses it too");
  done(run_too);
}

/* A list or set of moves made while loading is frozen during the checks,
   as every table the scenario made: r:moved reads it as it was written
   (it once read a frozen list as empty, and matched nothing). */
Test(expect, lists_and_sets_made_while_loading_name_moves) {
  result r = check_with(
      "local PUSHES = { 'push' }\n"
      "local SET = { push = true }\n"
      "expect 'list' { share = function(r)\n"
      "  return r:moved('A', PUSHES) == r:moved('A', 'push') and\n"
      "         r:moved('A', PUSHES) > 0 end, at_least = 0.99 }\n"
      "expect 'set' { share = function(r)\n"
      "  return r:moved(nil, SET) == r:moved('A', 'push') and\n"
      "         r:first_move('A', SET) == r:first_move('A', 'push') end,\n"
      "  at_least = 0.99 }\n"
      "expect 'mechanism' { mechanism = 'push adds 5', claim = 'heat',\n"
      "  share = function(r) return true end, at_least = 0.5 }\n",
      "--runs 100 --json");
  cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
  cr_assert(strstr(r.out, "\"name\":\"list\",") &&
            strstr(r.out, "\"name\":\"set\","), "%s", r.out);
  cr_assert_null(strstr(r.out, "\"verdict\":\"fails\""), "%s", r.out);
  cr_assert(strstr(r.out, "\"claim\":\"heat\",\"mechanism\":\"push adds "
                          "5\",\"verdict\":\"holds\""), "%s", r.out);
  done(r);
  r = check_with("expect 'x' { mechanism = 5, share = function() return "
                 "true end, at_least = 0.5 }\n", "");
  cr_assert_eq(r.status, 1, "%s", r.out);
  cr_assert(strstr(r.err, ":8: expect 'x': 'mechanism' must be a string, "
                          "not number"), "%s", r.err);
  done(r);
}
