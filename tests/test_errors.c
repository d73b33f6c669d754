/* Mistakes in scenarios: each a clear message with file:line and the
   name, and a failed effect leaves nothing behind. */
#include "lang_fixture.h"

#define WORLD                                                               \
  HEADER "actor 'USA' {} actor 'DPRK' {}\n"                                 \
  "var 'DPRK.sanctions' { min = 0, max = 10, init = 8 }\n"                 \
  "var 'USA.troops' { type = 'integer', init = 5 }\n"                      \
  "var 'DPRK.moratorium' { type = 'flag', init = true }\n"                 \
  "var 'ROK_gov' { type = 'enum', values = { 'liberal', 'conservative' } }\n" \
  "relation 'tension' { min = 0, max = 100, init = 40 }\n"
/* WORLD is 7 lines; a trigger on line 8. */

Test(errors, an_unknown_variable_is_named_in_full_with_a_suggestion) {
  assert_error(WORLD "trigger 'x' { effect = function(w) w.DPRK.sanction = 3 end }\n",
               "test.lua:8", "trigger:x",
               "unknown variable 'DPRK.sanction' (did you mean 'DPRK.sanctions'?)");
  assert_error(WORLD "trigger 'x' { effect = function(w) return w.trade_wr end }\n",
               "test.lua:8", "trigger:x", "unknown variable 'trade_wr'");
  assert_error(WORLD "trigger 'x' { effect = function(w) return w.USA.tension.DPRKK end }\n",
               "test.lua:8", "trigger:x",
               "unknown actor in 'USA.tension.DPRKK' (did you mean 'USA.tension.DPRK'?)");
}

/* A name on w written as an actor's is said to be an unknown actor. */
Test(errors, an_unknown_actor_on_w_is_called_an_actor_with_a_suggestion) {
  assert_error(WORLD "trigger 'x' { effect = function(w) w.DPRC.sanctions = 3 end }\n",
               "test.lua:8", "trigger:x",
               "unknown actor 'DPRC' (did you mean 'DPRK'?)");
  assert_error(WORLD "trigger 'x' { effect = function(w) return w.ROC.lng_days end }\n",
               "test.lua:8", "trigger:x",
               "unknown actor 'ROC' (the actors are USA and DPRK)");
  /* A world variable's near miss stays a variable. */
  assert_error(WORLD "trigger 'x' { effect = function(w) return w.ROK_gv end }\n",
               "test.lua:8", "trigger:x",
               "unknown variable 'ROK_gv' (did you mean 'ROK_gov'?)");
}

Test(errors, an_invalid_enum_init_lists_the_allowed_values) {
  cr_assert_str_eq(load_error(HEADER "actor 'USA' {}\n"
      "var 'g' { type = 'enum', values = { 'left', 'right' }, init = 'centre' }\n"),
      "test.lua:3: var 'g': init must be one of its values ('left', 'right'), not 'centre'");
  cr_assert_str_eq(load_error(HEADER "actor 'USA' {}\n"
      "var 'g' { type = 'enum', values = { 'left', 'right' }, init = 1 }\n"),
      "test.lua:3: var 'g': init must be one of its values ('left', 'right'), not number");
}

Test(errors, each_type_refuses_the_wrong_value_where_it_was_written) {
  assert_error(WORLD "trigger 'x' { effect = function(w)\n  w.USA.troops = 2.5 end }\n",
               "test.lua:9", "trigger:x",
               "USA.troops is an integer variable: 2.5 is not an integer");
  assert_error(WORLD "trigger 'x' { effect = function(w) w.DPRK.moratorium = 0 end }\n",
               "test.lua:8", "trigger:x",
               "DPRK.moratorium is a flag: it takes true or false, not number");
  assert_error(WORLD "trigger 'x' { effect = function(w) w.ROK_gov = 'liberl' end }\n",
               "test.lua:8", "trigger:x",
               "ROK_gov: 'liberl' (did you mean 'liberal'?) is not one of its values");
  assert_error(WORLD "trigger 'x' { effect = function(w) w.DPRK.sanctions = 0/0 end }\n",
               "test.lua:8", "trigger:x",
               "DPRK.sanctions: nan is not a finite number");
  assert_error(WORLD "trigger 'x' { effect = function(w) w.DPRK.sanctions = '9' end }\n",
               "test.lua:8", "trigger:x",
               "DPRK.sanctions is a number: it takes a number, not string");
}

Test(errors, conditions_are_read_only_and_draw_nothing) {
  assert_error(WORLD "trigger 'x' { when = function(w) w.USA.troops = 1 end }\n",
               "test.lua:8", "trigger:x",
               "conditions are read-only: cannot set USA.troops");
  assert_error(WORLD "trigger 'x' { when = function(w) return chance(0.5) end }\n",
               "test.lua:8", "trigger:x",
               "conditions draw no random numbers: chance() is not allowed here");
  assert_error(WORLD "trigger 'x' { when = function(w) news('hi') end }\n",
               "test.lua:8", "trigger:x",
               "conditions are read-only: news() is not allowed here");
  assert_error(WORLD "move 'm' { by = 'USA', when = function(w) schedule('e') end }\n"
               "event 'e' { effect = function() end }\n",
               "test.lua:8", "move:m",
               "conditions are read-only: schedule() is not allowed here");
}

Test(errors, a_failed_effect_rolls_back_every_write_news_and_schedule) {
  int rc;
  char *log = play(WORLD
      "event 'e' { effect = function(w) w.USA.troops = 99 end }\n"
      "trigger 'x' { effect = function(w)\n"
      "  w.DPRK.sanctions = 1; w.USA.tension.DPRK = 90; news('lost')\n"
      "  schedule('e', { turns = 1 }); fire('e')\n"
      "  error('boom') end }\n", 1, &rc);
  cr_assert_eq(rc, BRINK_ESCRIPT);
  assert_lacks(log, "\"t\":\"set\"");
  assert_lacks(log, "lost");
  assert_lacks(log, "\"t\":\"event\"");
  assert_has(log, "{\"t\":\"error\",\"turn\":1,\"where\":\"test.lua:12\",\"in\":\"trigger:x\",\"message\":\"boom\"}\n");
  assert_has(log, "\"outcome\":\"error\",\"final\":{\"DPRK.sanctions\":8,\"USA.troops\":5,");
  assert_has(log, "\"USA.tension.DPRK\":40");
  free(log);
}

Test(errors, an_error_inside_a_fired_event_names_the_event_line) {
  assert_error(WORLD "event 'e' { effect = function(w)\n  error('inner') end }\n"
               "trigger 'x' { effect = function(w) fire('e') end }\n",
               "test.lua:9", "event:e", "inner");
}

Test(errors, scripts_cannot_escape_the_instruction_budget) {
  brink_config cfg;
  brink_config_init(&cfg);
  cfg.max_instructions = 200000;
  const char *bodies[] = {
      "while true do end",
      "while true do pcall(function() while true do end end) end",
      "local function f() return f() + 1 end f()",
  };
  const char *messages[] = {
      "instruction budget exceeded in 'effect' (200000 instructions)",
      "instruction budget exceeded in 'effect' (200000 instructions)",
      "stack overflow",
  };
  for (int i = 0; i < 3; i++) {
    /* Runaway recursion meets Lua's stack limit before the default
       instruction budget. */
    cfg.max_instructions = i == 2 ? 0 : 200000;
    char src[1024];
    snprintf(src, sizeof src, WORLD "trigger 'x' { effect = function(w) %s end }\n",
             bodies[i]);
    brink_engine *e;
    brink_engine_open(&e, &cfg);
    cr_assert_eq(brink_load_string(e, "test.lua", src, strlen(src)), BRINK_OK);
    brink_start(e, 1);
    int rc = brink_run(e);
    cr_assert(rc == BRINK_EBUDGET || rc == BRINK_ESCRIPT, "%s", bodies[i]);
    cr_assert(strstr(brink_errmsg(e), messages[i]), "%s: %s", bodies[i],
              brink_errmsg(e));
    cr_assert_str_eq(brink_errin(e), "trigger:x");
    brink_engine_close(e);
  }
}

Test(errors, a_broken_scenario_lists_every_finding_with_its_line) {
  brink_engine *e;
  brink_engine_open(&e, NULL);
  const char *src =
      HEADER "actor 'USA' {} actor 'DPRK' {}\n"
      "move 'm' { by = 'USSR', targets = { 'DPRKK' }, wen = 1 }\n"
      "var 'y' { init = 20, max = 10 }\n"
      "trigger 'z' { at = '2021-01-01' }\n"
      "policy 'p' { actor = 'UK', choose = function() end }\n"
      "var 'e' { type = 'enum', values = { 'a' }, init = 'b' }\n";
  cr_assert_eq(brink_load_string(e, "bad.lua", src, strlen(src)),
               BRINK_ESCRIPT);
  const char *expected[] = {
      "bad.lua:3: move 'm': unknown field 'wen' (did you mean 'when'?)",
      "bad.lua:3: move 'm': in 'by': unknown actor 'USSR' (did you mean 'USA'?)",
      "bad.lua:3: move 'm': in 'targets': unknown actor 'DPRKK' (did you mean 'DPRK'?)",
      "bad.lua:4: init 20 of 'y' is outside its bounds [-inf, 10]",
      "bad.lua:5: trigger 'z': 'at' 2021-01-01 is outside the calendar (2019-05-01 to 2019-12-31)",
      "bad.lua:6: policy 'p': unknown actor 'UK'",
      "bad.lua:7: var 'e': init must be one of its values ('a'), not 'b'",
  };
  int n = (int)(sizeof expected / sizeof *expected);
  cr_assert_eq(brink_diag_count(e), n);
  for (int i = 0; i < n; i++)
    cr_assert_str_eq(brink_diag_get(e, i), expected[i]);
  /* The engine is empty again and can load a good scenario. */
  cr_assert_eq(brink_actor_count(e), 0);
  const char *good = HEADER "actor 'USA' {}\n";
  cr_assert_eq(brink_load_string(e, "good.lua", good, strlen(good)), BRINK_OK);
  brink_engine_close(e);
}

Test(errors, a_syntax_error_names_the_file_and_line) {
  cr_assert_str_eq(load_error("scenario { id = 't'\nactor 'USA' {}\n"),
                   "test.lua:2: '}' expected (to close '{' at line 1) near 'actor'");
  cr_assert_str_eq(load_error(HEADER "actor 'USA' {}\nlocal x = nil + 1\n"),
                   "test.lua:3: attempt to perform arithmetic on a nil value");
}

Test(errors, declarations_are_refused_outside_loading) {
  assert_error(WORLD "trigger 'x' { effect = function(w) actor 'X' {} end }\n",
               "test.lua:8", "trigger:x",
               "actor can only be used while the scenario loads, not inside an effect or condition");
}

Test(errors, state_kept_in_script_locals_or_globals_is_refused_at_load) {
  brink_engine *e;
  brink_engine_open(&e, NULL);
  const char *src =
      HEADER "actor 'USA' {}\n"
      "local count, LIMIT = 0, 10\n"
      "var 'x' { init = 0 }\n"
      "trigger 't' { effect = function(w)\n"
      "  count = count + 1\n"
      "  tally = (tally or 0) + 1\n"
      "  w.x = LIMIT end }\n";
  cr_assert_eq(brink_load_string(e, "state.lua", src, strlen(src)),
               BRINK_ESCRIPT);
  cr_assert_eq(brink_diag_count(e), 2);
  cr_assert_str_eq(brink_diag_get(e, 0), "state.lua:6: assigns 'count', a "
      "local kept from loading: a run may not change it; keep state in a "
      "var");
  cr_assert_str_eq(brink_diag_get(e, 1), "state.lua:7: assigns the global "
      "'tally': globals are fixed once the scenario has loaded; keep state "
      "in a var");
  cr_assert_str_eq(brink_errmsg(e), brink_diag_get(e, 0));
  brink_engine_close(e);
}

Test(errors, duplicate_declarations_are_each_reported) {
  brink_engine *e;
  brink_engine_open(&e, NULL);
  const char *src =
      HEADER "actor 'USA' {}\nactor 'USA' {}\n"
      "var 'x' {}\nvar 'x' {}\n"
      "move 'm' { by = 'USA' }\nmove 'm' { by = 'USA' }\n"
      "trigger 't' {}\ntrigger 't' {}\n";
  cr_assert_eq(brink_load_string(e, "dup.lua", src, strlen(src)),
               BRINK_ESCRIPT);
  const char *expected[] = {
      "dup.lua:3: actor 'USA': actor 'USA' is declared twice",
      "dup.lua:5: var 'x': 'x' is declared twice (first at dup.lua:4)",
      "dup.lua:7: move 'm': move 'm' is declared twice",
      "dup.lua:9: trigger 't': trigger 't' is declared twice",
  };
  cr_assert_eq(brink_diag_count(e), 4);
  for (int i = 0; i < 4; i++)
    cr_assert_str_eq(brink_diag_get(e, i), expected[i]);
  brink_engine_close(e);
}

/* Errors raised inside the prelude's wrappers (news, view, schedule's
   data) are the author's line that called them, never "prelude:N". */
Test(errors, an_error_inside_a_prelude_wrapper_names_the_authors_line) {
  assert_error(WORLD "trigger 'x' { effect = function(w)\n"
               "  news('%d items', nil) end }\n",
               "test.lua:9", "trigger:x",
               "bad argument #2 to 'format' (number expected, got nil)");
  assert_error(WORLD "trigger 'x' { effect = function(w)\n"
               "  news('%s', {}, 1)\n  news('%q', {}) end }\n",
               "test.lua:10", "trigger:x",
               "bad argument #2 to 'format' (value has no literal form)");
  assert_error(WORLD "trigger 'x' { when = function(w)\n"
               "  return view('UK').x end }\n",
               "test.lua:9", "trigger:x",
               "unknown actor 'UK' (the actors are USA and DPRK)");
  assert_error(WORLD "event 'e' { effect = function() end }\n"
               "trigger 'x' { effect = function(w)\n"
               "  schedule('e', { turns = 1, data = function() end }) end }\n",
               "test.lua:10", "trigger:x",
               "event data can hold numbers, strings, booleans and tables, not function");
}

/* A default outcome a letter or two from a declared one is its
   misspelling, not a new outcome; one far from every outcome must be
   declared too. */
Test(errors, a_misspelt_default_outcome_is_refused_with_a_suggestion) {
#define SCEN(def) "scenario { id = 't', start = '2019-05-01', finish = "     \
  "'2019-12-31', default_outcome = '" def "' }\nactor 'USA' {}\n"
  cr_assert_str_eq(load_error(SCEN("stalmate")
                              "outcome 'stalemate' { payoff = { USA = 1 } }\n"),
                   "test.lua:1: scenario: 'default_outcome' 'stalmate' is not "
                   "a declared outcome (did you mean 'stalemate'?)");
  brink_engine_close(load_ok(SCEN("stalemate")
                             "outcome 'stalemate' { payoff = { USA = 1 } }\n"));
  /* One far from every outcome is refused too: it must be declared. */
  cr_assert_str_eq(load_error(SCEN("frozen") "outcome 'deal' {}\n"),
                   "test.lua:1: scenario: 'default_outcome' 'frozen' is not "
                   "a declared outcome: declare it, e.g. outcome \"frozen\" "
                   "{ doc = \"...\" }");
  /* Without default_outcome the run ends in brink's own "end". */
  brink_engine_close(load_ok("scenario { id = 't', start = '2019-05-01', "
                             "finish = '2019-12-31' }\nactor 'USA' {}\n"));
#undef SCEN
}

/* A policy's pick that is none of its options: what it returned, the
   nearest option, at the line of the 'return' (not of the policy). */
#define POLICY(ret)                                                         \
  WORLD "move 'tighten' { by = 'USA', targets = { 'DPRK' } }\n"            \
  "policy 'p' { actor = 'USA', choose = function(w, options)\n"           \
  "  if w.USA.troops > 100 then return 'pass' end\n"                      \
  "  local pick = " ret "\n"                                                 \
  "  return pick\n"                                                        \
  "end }\n"
/* The error record of 'src' played with USA on policy 'p' (static). */
static const char *policy_error(const char *src) {
  static char line[2048];
  brink_engine *e = load_ok(src);
  transcript t = {e, calloc(1, 1), 0, 1};
  brink_on_record(e, transcript_add, &t);
  cr_assert_eq(brink_policy_assign(e, actor_id(e, "USA"), "p"), BRINK_OK);
  cr_assert_eq(brink_start(e, 1), BRINK_OK);
  cr_assert_neq(brink_run(e), BRINK_DONE, "%s", t.text);
  brink_engine_close(e);
  const char *err = strstr(t.text, "{\"t\":\"error\"");
  cr_assert_not_null(err, "no error record:\n%s", t.text);
  snprintf(line, sizeof line, "%.*s", (int)(strchr(err, '\n') - err), err);
  free(t.text);
  return line;
}
#define assert_policy_error(src, where, msg)                                \
  cr_assert_str_eq(policy_error(src),                                       \
                   "{\"t\":\"error\",\"turn\":1,\"where\":\"" where         \
                   "\",\"in\":\"policy:p\",\"message\":\"" msg "\"}")

Test(errors, a_policy_s_pick_that_is_not_an_option_names_the_nearest_one) {
  assert_policy_error(POLICY("'tighen'"), "test.lua:12",
               "choose() returned 'tighen', not one of its options (did you "
               "mean { move = 'tighten', target = 'DPRK' }?)");
  assert_policy_error(POLICY("{ move = 'tighten', target = 'DPRC' }"), "test.lua:12",
               "choose() returned { move = 'tighten', target = 'DPRC' }, not "
               "one of its options (did you mean { move = 'tighten', target "
               "= 'DPRK' }?)");
  assert_policy_error(POLICY("nil"), "test.lua:12",
               "choose() returned nil, not one of its options (the options "
               "are { move = 'tighten', target = 'DPRK' }, 'pass')");
  /* A function that ends without a return: its 'end'. */
  assert_policy_error(WORLD "policy 'p' { actor = 'USA', choose = function(w, o)\n"
               "  local x = 1\nend }\n", "test.lua:10",
               "choose() returned nil, not one of its options (the options "
               "are 'pass')");
}

Test(errors, a_policy_still_runs_under_the_instruction_budget) {
  brink_config cfg;
  brink_config_init(&cfg);
  cfg.max_instructions = 200000;
  const char *src = WORLD "policy 'p' { actor = 'USA', choose = function(w)\n"
                    "  while true do end end }\n";
  brink_engine *e;
  brink_engine_open(&e, &cfg);
  cr_assert_eq(brink_load_string(e, "test.lua", src, strlen(src)), BRINK_OK);
  cr_assert_eq(brink_policy_assign(e, actor_id(e, "USA"), "p"), BRINK_OK);
  cr_assert_eq(brink_start(e, 1), BRINK_OK);
  cr_assert_eq(brink_run(e), BRINK_EBUDGET);
  cr_assert(strstr(brink_errmsg(e), "instruction budget exceeded"), "%s",
            brink_errmsg(e));
  brink_engine_close(e);
}

/* A runaway script names the part it ran away in; conditions and weights
   have a budget of their own (10^6 instructions by default) that stops
   them long before an effect's 10^8. */
Test(errors, the_instruction_budget_names_when_weight_or_effect) {
  static const struct { char body[96], message[96]; int64_t max; } cases[] = {
      {"when = function(w) while true do end end",
       "instruction budget exceeded in 'when' (1000000 instructions)", 0},
      {"weight = function(w) while true do end end",
       "instruction budget exceeded in 'weight' (1000000 instructions)", 0},
      {"effect = function(w) while true do end end",
       "instruction budget exceeded in 'effect' (3000000 instructions)",
       3000000},
      /* A smaller budget for every call caps the conditions' too. */
      {"when = function(w) while true do end end",
       "instruction budget exceeded in 'when' (200000 instructions)",
       200000},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    brink_config cfg;
    brink_config_init(&cfg);
    cfg.max_instructions = cases[i].max;
    char src[2048];
    snprintf(src, sizeof src, WORLD "move 'm' { by = 'USA', %s }\n",
             cases[i].body);
    brink_engine *e;
    cr_assert_eq(brink_engine_open(&e, &cfg), BRINK_OK);
    cr_assert_eq(brink_load_string(e, "test.lua", src, strlen(src)), BRINK_OK);
    cr_assert_eq(brink_start(e, 1), BRINK_OK);
    cr_assert_eq(brink_run(e), BRINK_EBUDGET, "%s", cases[i].body);
    cr_assert_str_eq(brink_errmsg(e), cases[i].message);
    cr_assert_str_eq(brink_errwhere(e), "test.lua:8");
    cr_assert_str_eq(brink_errin(e), "move:m");
    brink_engine_close(e);
  }
  /* The host may set the conditions' budget. */
  brink_config cfg;
  brink_config_init(&cfg);
  cfg.max_condition_instructions = 50000;
  const char *src = WORLD "trigger 't' { when = function(w) while true do end end }\n";
  brink_engine *e;
  cr_assert_eq(brink_engine_open(&e, &cfg), BRINK_OK);
  cr_assert_eq(brink_load_string(e, "test.lua", src, strlen(src)), BRINK_OK);
  cr_assert_eq(brink_start(e, 1), BRINK_OK);
  cr_assert_eq(brink_run(e), BRINK_EBUDGET);
  cr_assert_str_eq(brink_errmsg(e),
                   "instruction budget exceeded in 'when' (50000 instructions)");
  brink_engine_close(e);
}

/* A strict variable refuses a write outside its bounds where it was
   written, with the value; others clamp, as documented. */
Test(errors, a_strict_variable_refuses_a_write_outside_its_bounds) {
#define STRICT                                                              \
  WORLD "var 'USA.aid' { min = 0, max = 10, init = 5, strict = true }\n"   \
  "var 'USA.ships' { type = 'integer', min = 0, max = 3, strict = true }\n"
  assert_error(STRICT "trigger 'x' { effect = function(w)\n"
               "  w.USA.aid = w.USA.aid + 7.5 end }\n",
               "test.lua:11", "trigger:x",
               "USA.aid: 12.5 is outside its bounds [0, 10] (the variable is strict)");
  assert_error(STRICT "trigger 'x' { effect = function(w) w.USA.ships = -1 end }\n",
               "test.lua:10", "trigger:x",
               "USA.ships: -1 is outside its bounds [0, 3] (the variable is strict)");
  /* Inside the bounds, and at them, it is an ordinary variable. */
  int rc;
  char *log = play(STRICT "trigger 'x' { effect = function(w)\n"
                   "  w.USA.aid = 10; w.USA.ships = 0\n"
                   "  w.DPRK.sanctions = 99 end }\n", 1, &rc);
  cr_assert_eq(rc, BRINK_DONE, "%s", log);
  assert_has(log, "\"USA.aid\":10");
  assert_has(log, "\"DPRK.sanctions\":10");   /* not strict: clamped */
  free(log);
  cr_assert_str_eq(load_error(HEADER "actor 'USA' {}\n"
                              "var 'x' { max = 1, strict = 'yes' }\n"),
                   "test.lua:3: var 'x': 'strict' must be a boolean, not string");
#undef STRICT
}
