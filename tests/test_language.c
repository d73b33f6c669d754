/* The scenario language (docs/scenario-language.md), through
   brink_load_string. */
#include "lang_fixture.h"

#define ACTORS                                                              \
  "actor 'USA' { name = 'United States' }\n"                                \
  "actor 'DPRK' { name = 'North Korea' }\n"

Test(language, a_move_writes_through_to_the_world_and_is_logged) {
  int rc;
  char *log = play(HEADER ACTORS
      "var 'DPRK.sanctions' { min = 0, max = 10, init = 8 }\n"
      "relation 'tension' { min = 0, max = 100, init = 40, symmetric = true }\n"
      "move 'tighten' { by = 'USA', targets = { 'DPRK' },\n"
      "  when = function(w, m) return w.DPRK.sanctions < 10, 'at maximum' end,\n"
      "  effect = function(w, m)\n"
      "    w[m.target].sanctions = w[m.target].sanctions + 1\n"
      "    w.USA.tension.DPRK = w.USA.tension.DPRK + 5\n"
      "    news('%s pushes sanctions on %s', m.by, m.target)\n"
      "  end, weight = function() return 1000 end }\n", 1, &rc);
  cr_assert_eq(rc, BRINK_DONE);
  assert_has(log, "{\"t\":\"start\",\"scenario\":\"t\",\"seed\":1,\"engine\":\"0.1.0\"}\n");
  assert_has(log, "{\"t\":\"turn\",\"turn\":1,\"date\":\"2019-05-01\"}\n");
  assert_has(log, "{\"t\":\"move\",\"turn\":1,\"date\":\"2019-05-01\",\"actor\":\"USA\",\"move\":\"tighten\",\"target\":\"DPRK\"}\n");
  assert_has(log, "{\"t\":\"set\",\"turn\":1,\"var\":\"DPRK.sanctions\",\"old\":8,\"new\":9,\"cause\":\"move:tighten\"}\n");
  assert_has(log, "{\"t\":\"set\",\"turn\":1,\"var\":\"USA.tension.DPRK\",\"old\":40,\"new\":45,\"cause\":\"move:tighten\"}\n");
  assert_has(log, "{\"t\":\"news\",\"turn\":1,\"date\":\"2019-05-01\",\"text\":\"USA pushes sanctions on DPRK\"}\n");
  assert_has(log, "{\"t\":\"move\",\"turn\":1,\"date\":\"2019-05-01\",\"actor\":\"DPRK\",\"move\":\"pass\"}\n");
  /* at 10 the move is no longer legal: USA passes */
  assert_has(log, "{\"t\":\"move\",\"turn\":3,\"date\":\"2019-07-01\",\"actor\":\"USA\",\"move\":\"pass\"}\n");
  assert_has(log, "{\"t\":\"end\",\"turn\":8,\"date\":\"2019-12-01\",\"outcome\":\"stalemate\",\"final\":{\"DPRK.sanctions\":10,\"USA.tension.DPRK\":50}}\n");
  free(log);
}

/* weight = 1000 is the weight function that returns 1000: the same run;
   weight = 0 is never chosen. */
Test(language, a_move_s_weight_may_be_a_number) {
  const char *moves[] = {
      "move 'act' { by = 'USA', effect = function(w) w.x = w.x + 1 end,\n"
      "  weight = function() return 1000 end }\n",
      "move 'act' { by = 'USA', effect = function(w) w.x = w.x + 1 end,\n"
      "  weight = 1000 }\n",
      "move 'act' { by = 'USA', effect = function(w) w.x = w.x + 1 end,\n"
      "  weight = 0 }\n",
  };
  char *logs[3];
  for (int i = 0; i < 3; i++) {
    char src[1024];
    snprintf(src, sizeof src, HEADER ACTORS "var 'x' { init = 0 }\n%s",
             moves[i]);
    logs[i] = play(src, 7, NULL);
  }
  cr_assert_str_eq(logs[0], logs[1]);
  assert_has(logs[1], "\"move\":\"act\"");
  assert_lacks(logs[2], "\"move\":\"act\"");
  for (int i = 0; i < 3; i++) free(logs[i]);
  cr_assert_str_eq(load_error(HEADER ACTORS "move 'm' { by = 'USA', weight = -1 }\n"),
                   "test.lua:4: move 'm': 'weight' must be a finite number of 0 or more, not -1");
  cr_assert_str_eq(load_error(HEADER ACTORS "move 'm' { by = 'USA', weight = 'high' }\n"),
                   "test.lua:4: move 'm': 'weight' must be a number or a function, not string");
}

Test(language, types_show_in_the_final_record) {
  char *log = play(HEADER ACTORS
      "var 'trade_war' { min = 0, max = 100, init = 60.5 }\n"
      "var 'USA.troops' { type = 'integer', min = 0, max = 40000, init = 28500 }\n"
      "var 'DPRK.moratorium' { type = 'flag', init = true }\n"
      "var 'USA.mood' { type = 'enum', values = { 'calm', 'angry' }, init = 'angry' }\n"
      "var '*.economy' { min = 0, max = 100, init = { default = 50, DPRK = 20 } }\n",
      1, NULL);
  assert_has(log, "\"final\":{\"trade_war\":60.5,\"USA.troops\":28500,"
             "\"DPRK.moratorium\":true,\"USA.mood\":\"angry\","
             "\"USA.economy\":50,\"DPRK.economy\":20}");
  free(log);
}

Test(language, a_date_trigger_fires_in_the_turn_whose_period_holds_its_date) {
  char *log = play(HEADER ACTORS
      "var 'x' { init = 0 }\n"
      "trigger 'deadline' { at = '2019-12-31', effect = function(w) w.x = 1 end }\n",
      1, NULL);
  assert_has(log, "{\"t\":\"trigger\",\"turn\":8,\"date\":\"2019-12-01\",\"id\":\"deadline\"}\n");
  free(log);
}

Test(language, every_trigger_repeats_and_year_end_fires_in_december) {
  char *log = play(HEADER ACTORS
      "var 'n' { init = 0 } var 'y' { init = 0 }\n"
      "trigger 'third' { every = 3, effect = function(w) w.n = w.n + 1 end }\n"
      "trigger 'annual' { every = 'year_end', effect = function(w) w.y = w.date.month end }\n",
      1, NULL);
  assert_has(log, "\"final\":{\"n\":2,\"y\":12}");   /* turns 3 and 6 */
  free(log);
}

Test(language, a_condition_trigger_fires_once_unless_once_is_false) {
  char *log = play(HEADER ACTORS
      "var 'a' { init = 0 } var 'b' { init = 0 }\n"
      "trigger 'once' { when = function(w) return true end, effect = function(w) w.a = w.a + 1 end }\n"
      "trigger 'each' { once = false, effect = function(w) w.b = w.b + 1 end }\n",
      1, NULL);
  assert_has(log, "\"final\":{\"a\":1,\"b\":8}");
  free(log);
}

Test(language, a_scheduled_event_fires_k_turns_later_with_its_data) {
  char *log = play(HEADER ACTORS
      "var 'hit' { init = 0 }\n"
      "event 'retaliation' { effect = function(w, data) w.hit = data.power; news('by %s', data.by) end }\n"
      "trigger 'provocation' { at = '2019-06-15', effect = function(w)\n"
      "  schedule('retaliation', { turns = 2, data = { by = 'USA', power = 7 } }) end }\n",
      1, NULL);
  assert_has(log, "{\"t\":\"event\",\"turn\":4,\"date\":\"2019-08-01\",\"id\":\"retaliation\"}\n"
             "{\"t\":\"set\",\"turn\":4,\"var\":\"hit\",\"old\":0,\"new\":7,\"cause\":\"event:retaliation\"}\n"
             "{\"t\":\"news\",\"turn\":4,\"date\":\"2019-08-01\",\"text\":\"by USA\"}\n");
  free(log);
}

/* Due events are taken from the front of the schedule: each turn's fire
   in the order scheduled, whatever came due when, and an event rolled
   back in the middle of the firing takes its own schedule with it. */
Test(language, scheduled_events_fire_in_the_order_scheduled) {
  char *log = play(HEADER ACTORS
      "event 'e' { effect = function(w, data) news(data)\n"
      "  if data == 'b' then\n"
      "    schedule('e', { data = 'f' }) pcall(fire, 'bad') end end }\n"
      "event 'bad' { effect = function()\n"
      "  schedule('e', { data = 'lost' }) error('no') end }\n"
      "on('turn_start', function(w) if w.date.turn == 1 then\n"
      "  for _, p in ipairs({ {2, 'a'}, {1, 'b'}, {2, 'c'}, {1, 'd'},\n"
      "                       {2, 'e'} }) do\n"
      "    schedule('e', { turns = p[1], data = p[2] }) end end end)\n",
      1, NULL);
  assert_has(log, "\"turn\":2,\"date\":\"2019-06-01\",\"text\":\"b\"}\n");
  const char *order[] = {"\"text\":\"b\"", "\"text\":\"d\"",
                         "\"text\":\"a\"", "\"text\":\"c\"",
                         "\"text\":\"e\"", "\"text\":\"f\""};
  const char *at = log;
  for (size_t i = 0; i < sizeof order / sizeof *order; i++) {
    at = strstr(at, order[i]);
    cr_assert_not_null(at, "%s missing or out of order in\n%s", order[i], log);
  }
  cr_assert_null(strstr(log, "lost"), "%s", log);
  free(log);
}

Test(language, fire_runs_an_event_at_once) {
  char *log = play(HEADER ACTORS
      "var 'hit' { init = 0 }\n"
      "event 'boom' { effect = function(w, data) w.hit = w.hit + data end }\n"
      "trigger 't' { at = '2019-05-02', effect = function(w) fire('boom', 3); fire('boom', 4) end }\n",
      1, NULL);
  assert_has(log, "\"hit\":7");
  free(log);
}

Test(language, an_outcome_ends_the_run_and_end_scenario_stops_the_turn) {
  char *log = play(HEADER ACTORS
      "var 'x' { init = 0 }\n"
      "on('turn_end', function(w) w.x = w.x + 1 end)\n"
      "outcome 'deal' { when = function(w) return w.x >= 3 end }\n",
      1, NULL);
  assert_has(log, "{\"t\":\"end\",\"turn\":4,\"date\":\"2019-08-01\",\"outcome\":\"deal\"");
  free(log);
  log = play(HEADER ACTORS
      "var 'x' { init = 0 }\n"
      "outcome 'crisis' {}\n"
      "trigger 'boom' { at = '2019-07-04', effect = function(w) end_scenario('crisis'); w.x = 5 end }\n"
      "on('turn_end', function(w) w.x = 99 end)\n",
      1, NULL);
  assert_has(log, "\"outcome\":\"crisis\",\"final\":{\"x\":5}");
  free(log);
}

Test(language, a_policy_chooses_among_the_legal_options) {
  brink_engine *e = load_ok(HEADER ACTORS
      "var 'n' { init = 0 }\n"
      "move 'talk' { by = '*', effect = function(w) w.n = w.n + 1 end }\n"
      "policy 'talker' { actor = 'USA', choose = function(w, options)\n"
      "  assert(#options == 2 and options[2].move == 'pass')\n"
      "  return options[1] end }\n"
      "policy 'idle' { choose = function(w, options) return 'pass' end }\n");
  int usa, dprk;
  brink_actor_find(e, "USA", &usa);
  brink_actor_find(e, "DPRK", &dprk);
  cr_assert_eq(brink_policy_assign(e, usa, "talker"), BRINK_OK);
  cr_assert_eq(brink_policy_assign(e, dprk, "idle"), BRINK_OK);
  cr_assert_eq(brink_policy_assign(e, dprk, "talker"), BRINK_EINVAL);
  cr_assert_str_eq(brink_errmsg(e), "policy 'talker' is for USA, not DPRK");
  cr_assert_eq(brink_policy_assign(e, dprk, "idel"), BRINK_ENOTFOUND);
  cr_assert_str_eq(brink_errmsg(e),
                   "unknown policy 'idel' (did you mean 'idle'?) for DPRK");
  brink_start(e, 1);
  cr_assert_eq(brink_run(e), BRINK_DONE, "%s", brink_errmsg(e));
  int n;
  brink_var_find(e, "n", &n);
  double v;
  brink_var_get(e, n, &v);
  cr_assert_eq(v, 8);
  brink_engine_close(e);
}

Test(language, a_seat_is_asked_and_gets_its_options_with_reasons) {
  brink_engine *e = load_ok(HEADER ACTORS
      "var 'n' { init = 0 }\n"
      "move 'talk' { by = 'USA', doc = 'open talks', effect = function(w) w.n = w.n + 1 end }\n"
      "move 'strike' { by = 'USA', targets = '*', when = function(w, m) return false, 'no authorization' end }\n");
  int usa;
  brink_actor_find(e, "USA", &usa);
  brink_seat(e, usa, 1);
  brink_start(e, 1);
  cr_assert_eq(brink_step(e), BRINK_AWAIT);
  cr_assert_eq(brink_awaiting(e), usa);
  int count, move, target, legal;
  const char *reason;
  cr_assert_eq(brink_options(e, usa, &count), BRINK_OK);
  cr_assert_eq(count, 3);   /* talk, strike DPRK, pass */
  brink_option_get(e, 1, &move, &target, &legal, &reason);
  cr_assert_str_eq(brink_move_name(e, move), "strike");
  cr_assert_str_eq(brink_actor_id(e, target), "DPRK");
  cr_assert_not(legal);
  cr_assert_str_eq(reason, "no authorization");
  cr_assert_eq(brink_choose(e, move, target), BRINK_EINVAL);
  cr_assert_str_eq(brink_errmsg(e), "strike is not allowed now: no authorization");
  int talk;
  brink_move_find(e, "talk", &talk);
  cr_assert_str_eq(brink_move_doc(e, talk), "open talks");
  cr_assert_eq(brink_choose(e, talk, -1), BRINK_OK);
  cr_assert_eq(brink_step(e), BRINK_OK);   /* the rest of turn 1 */
  cr_assert_eq(brink_turn(e), 2);
  brink_engine_close(e);
}

Test(language, w_date_has_its_parts_and_compares_with_date_strings) {
  char *log = play(HEADER ACTORS
      "var 'ok' { type = 'flag', init = false }\n"
      "trigger 'check' { at = '2019-12-31', effect = function(w)\n"
      "  local d = w.date\n"
      "  assert(d.year == 2019 and d.month == 12 and d.day == 1 and d.turn == 8)\n"
      "  assert(d < date'2019-12-31' and d == date'2019-12-01' and d > date'2019-11-30')\n"
      "  assert(d:days_until(date'2019-12-31') == 30)\n"
      "  assert(tostring(d) == '2019-12-01' and date'2020-01-01'.turn == nil)\n"
      "  w.ok = true end }\n",
      1, NULL);
  assert_has(log, "\"ok\":true");
  free(log);
}

Test(language, random_helpers_draw_from_the_engine_generator) {
  const char *src = HEADER ACTORS
      "var 'a' { init = 0 } var 'b' { init = 0 } var 'c' { init = 0 }\n"
      "var 'd' { init = 0 } var 'e' { init = 0 }\n"
      "trigger 't' { effect = function(w)\n"
      "  w.a = random(); w.b = random(6); w.c = math.random(3, 4)\n"
      "  w.d = normal(0, 1); w.e = pick({ 10, 20, 30 })\n"
      "  assert(chance(1) and not chance(0)) end }\n";
  char *one = play(src, 5, NULL), *two = play(src, 5, NULL),
       *other = play(src, 6, NULL);
  cr_assert_str_eq(one, two);
  char *f1 = strstr(one, "\"final\""), *f3 = strstr(other, "\"final\"");
  cr_assert_str_neq(f1, f3);
  free(one);
  free(two);
  free(other);
}

/* pick() reads a list made while loading, frozen during the run, as it
   was written (it once found such a list empty), and refuses the world. */
Test(language, pick_draws_from_a_list_made_while_loading) {
  const char *src = HEADER ACTORS
      "var 'x' { init = 0 }\n"
      "local CHOICES = { 10, 20, 30 }\n"
      "trigger 't' { once = false, effect = function(w)\n"
      "  local v = pick(CHOICES)\n"
      "  assert(v == 10 or v == 20 or v == 30, tostring(v))\n"
      "  w.x = w.x + v end }\n";
  int status;
  char *log = play(src, 5, &status);
  cr_assert_eq(status, BRINK_DONE, "%s", log);
  assert_has(log, "\"cause\":\"trigger:t\"");
  free(log);
  const char *world = HEADER ACTORS
      "var 'x' { init = 0 }\n"
      "trigger 't' { effect = function(w) w.x = pick(w) end }\n";
  log = play(world, 5, &status);
  cr_assert_neq(status, BRINK_DONE, "%s", log);
  assert_has(log, "pick(): w, its actors and relations");
  free(log);
}

/* As in Lua 5.4, math.random(0) is an integer with all 64 bits random. */
Test(language, math_random_zero_draws_all_64_bits) {
  const char *src = HEADER ACTORS
      "var 'x' { init = 0 }\n"
      "trigger 't' { effect = function(w)\n"
      "  local neg, big, out = false, false, {}\n"
      "  for i = 1, 64 do\n"
      "    local v = math.random(0)\n"
      "    assert(math.type(v) == 'integer')\n"
      "    neg = neg or v < 0\n"
      "    big = big or v > 1 << 53\n"
      "    out[i] = v\n"
      "  end\n"
      "  assert(neg and big)\n"
      "  assert(math.type(random(0)) == 'integer')\n"
      "  news(table.concat(out, ' ', 1, 3)) end }\n";
  int status;
  char *one = play(src, 5, &status), *two = play(src, 5, NULL),
       *other = play(src, 6, NULL);
  cr_assert_eq(status, BRINK_DONE, "%s", one);
  assert_has(one, "\"text\":\"");
  cr_assert_str_eq(one, two);
  cr_assert_str_neq(strstr(one, "\"text\""), strstr(other, "\"text\""));
  free(one);
  free(two);
  free(other);
}

/* What a scenario adds to 'string' while loading is a method of strings. */
Test(language, string_additions_are_methods) {
  char *log = play(HEADER ACTORS
      "function string.shout(s) return s:upper() .. '!' end\n"
      "var 'x' { init = 0 }\n"
      "trigger 't' { effect = function(w) news(('hi'):shout()) end }\n",
      1, NULL);
  assert_has(log, "\"text\":\"HI!\"");
  free(log);
}

Test(language, import_loads_a_file_from_the_script_library) {
  char *log = play(HEADER ACTORS
      "local util = import 'util'\n"
      "var 'x' { init = 0 }\n"
      "trigger 't' { effect = function(w) w.x = util.clamp(15, 0, 10) end }\n",
      1, NULL);
  assert_has(log, "\"x\":10");
  free(log);
}

Test(language, pairs_visits_keys_in_a_fixed_order) {
  char *log = play(HEADER ACTORS
      "var 'x' { init = 0 }\n"
      "trigger 't' { effect = function(w)\n"
      "  local t = { b = 1, a = 2, [3] = 3, [1] = 4, [2.5] = 5, [true] = 6, z = 7 }\n"
      "  local out = {}\n"
      "  for k in pairs(t) do out[#out + 1] = tostring(k) end\n"
      "  news(table.concat(out, ' ')) end }\n",
      1, NULL);
  assert_has(log, "\"text\":\"1 3 2.5 a b z true\"");
  free(log);
}

Test(language, score_is_read_for_each_actor) {
  brink_engine *e = load_ok(HEADER ACTORS
      "var '*.wealth' { init = { default = 3, DPRK = 5 } }\n"
      "score = function(w, actor) return w[actor].wealth * 2 end\n");
  brink_start(e, 1);
  double v;
  cr_assert_eq(brink_score(e, 1, &v), BRINK_OK, "%s", brink_errmsg(e));
  cr_assert_eq(v, 10);
  brink_engine_close(e);
  e = load_ok(HEADER ACTORS);
  cr_assert_eq(brink_score(e, 0, &v), BRINK_ENOTFOUND);
  brink_engine_close(e);
}

Test(language, a_policy_may_draw_but_not_write) {
  char *log = play(HEADER ACTORS
      "var 'n' { init = 0 }\n"
      "move 'talk' { by = '*', effect = function(w) w.n = w.n + 1 end }\n"
      "policy 'coin' { choose = function(w, options) return pick(options) end }\n",
      1, NULL);
  free(log);
  brink_engine *e = load_ok(HEADER ACTORS
      "var 'n' { init = 0 }\n"
      "policy 'writer' { choose = function(w, options) w.n = 1 return options[1] end }\n");
  brink_policy_assign(e, 0, "writer");
  brink_start(e, 1);
  cr_assert_eq(brink_run(e), BRINK_ESCRIPT);
  cr_assert_str_eq(brink_errmsg(e), "conditions are read-only: cannot set n");
  cr_assert_str_eq(brink_errin(e), "policy:writer");
  brink_engine_close(e);
}

Test(language, month_and_quarter_ends_fire_in_their_turns) {
  char *log = play(HEADER ACTORS
      "var 'm' { init = 0 } var 'q' { init = 0 } var 'qm' { init = 0 }\n"
      "trigger 'monthly' { every = 'month_end', effect = function(w) w.m = w.m + 1 end }\n"
      "trigger 'quarterly' { every = 'quarter_end', effect = function(w)\n"
      "  w.q = w.q + 1; w.qm = w.qm * 100 + w.date.month end }\n",
      1, NULL);
  /* May..Dec: 8 month ends; quarter ends in Jun, Sep, Dec */
  assert_has(log, "\"final\":{\"m\":8,\"q\":3,\"qm\":60912}");
  free(log);
}

Test(language, the_turn_runs_hooks_events_moves_triggers_outcomes_in_order) {
  char *log = play(HEADER ACTORS
      "var 'order' { type = 'integer', init = 0 }\n"
      "local function mark(w, digit) w.order = w.order * 10 + digit end\n"
      "event 'e' { effect = function(w) mark(w, 2) end }\n"
      "on('turn_start', function(w) mark(w, 1) if w.date.turn == 1 then schedule('e') end end)\n"
      "move 'act' { by = 'USA', effect = function(w) mark(w, 3) end, weight = function() return 1e9 end }\n"
      "trigger 'dated' { at = '2019-06-10', effect = function(w) mark(w, 4) end }\n"
      "trigger 'cond' { when = function(w) return w.date.turn == 2 end, effect = function(w) mark(w, 5) end }\n"
      "on('turn_end', function(w) mark(w, 6) end)\n"
      "outcome 'stop' { when = function(w) return w.date.turn == 2 end }\n",
      1, NULL);
  /* turn 1: hook, move, end hook; turn 2: hook, event, move, dated,
     condition, then the outcome ends the run before turn_end */
  assert_has(log, "\"outcome\":\"stop\",\"final\":{\"order\":13612345}");
  free(log);
}

Test(language, moves_per_turn_allows_several_moves_until_a_pass) {
  char *log = play(
      "scenario { id = 't', start = '2019-05-01', finish = '2019-05-31',\n"
      "  moves_per_turn = 3, pass_weight = 0 }\n" ACTORS
      "var 'n' { init = 0 }\n"
      "move 'act' { by = 'USA', effect = function(w) w.n = w.n + 1 end }\n",
      1, NULL);
  assert_has(log, "\"final\":{\"n\":3}");
  /* DPRK has only pass, whatever its weight */
  assert_has(log, "\"actor\":\"DPRK\",\"move\":\"pass\"");
  free(log);
}

Test(language, relations_take_initial_values_per_actor_and_per_pair) {
  char *log = play(HEADER ACTORS "actor 'PRC' {}\n"
      "relation 'trust' { min = -100, max = 100,\n"
      "  init = { default = 5, USA = 10, ['USA.PRC'] = 50, ['DPRK.PRC'] = 70 } }\n"
      "relation 'tension' { symmetric = true, init = { default = 1, ['PRC.USA'] = 9 } }\n",
      1, NULL);
  assert_has(log, "\"final\":{\"USA.trust.DPRK\":10,\"USA.trust.PRC\":50,"
             "\"DPRK.trust.USA\":5,\"DPRK.trust.PRC\":70,\"PRC.trust.USA\":5,"
             "\"PRC.trust.DPRK\":5,\"USA.tension.DPRK\":1,\"USA.tension.PRC\":9,"
             "\"DPRK.tension.PRC\":1}");
  free(log);
  cr_assert_str_eq(load_error(HEADER ACTORS
      "relation 'trust' { init = { ['USA.USA'] = 3 } }\n"),
      "test.lua:4: init of 'trust': USA has no trust with itself");
}

/* A scenario of 'n' actors A001.. and 'decl' after them. */
static char *many_actors(int n, const char *decl_head, const char *decl_tail,
                         int keys) {
  size_t cap = 64 * (size_t)(n + keys) + 4096;
  char *src = malloc(cap);
  int len = snprintf(src, cap, "%s", HEADER);
  for (int a = 1; a <= n; a++)
    len += snprintf(src + len, cap - (size_t)len, "actor 'A%03d' {}\n", a);
  len += snprintf(src + len, cap - (size_t)len, "%s", decl_head);
  for (int a = 1; a <= keys; a++)
    len += snprintf(src + len, cap - (size_t)len, "A%03d = %d, ", a,
                    1000 + a);
  snprintf(src + len, cap - (size_t)len, "%s", decl_tail);
  return src;
}

/* lua_next follows the hash order, which differs between processes; a
   cut at 256 keys kept a different subset in each. */
Test(language, an_init_table_of_any_size_sets_every_actor) {
  char *src = many_actors(300, "var '*.v' { max = 5000, init = { default = 1, ",
                          "} }\nrelation 'r' { max = 5000, init = { ", 300);
  size_t len = strlen(src);
  src = realloc(src, len + 64 * 300 + 64);
  for (int a = 1; a <= 300; a++)
    len += (size_t)sprintf(src + len, "A%03d = %d, ", a, 2000 + a);
  strcpy(src + len, "} }\n");
  brink_engine *e = load_ok(src);
  cr_assert_eq(brink_start(e, 1), BRINK_OK);
  for (int a = 1; a <= 300; a++) {
    char name[32];
    int v;
    double x;
    snprintf(name, sizeof name, "A%03d.v", a);
    cr_assert_eq(brink_var_find(e, name, &v), BRINK_OK, "%s", name);
    cr_assert_eq(brink_var_get(e, v, &x), BRINK_OK);
    cr_assert_eq(x, 1000 + a, "%s is %g", name, x);
    snprintf(name, sizeof name, "A%03d.r.A%03d", a, a % 300 + 1);
    cr_assert_eq(brink_var_find(e, name, &v), BRINK_OK, "%s", name);
    cr_assert_eq(brink_var_get(e, v, &x), BRINK_OK);
    cr_assert_eq(x, 2000 + a, "%s is %g", name, x);
  }
  brink_engine_close(e);
  free(src);
}

Test(language, unknown_init_keys_and_fields_are_all_reported_in_byte_order) {
  /* 300 keys for 260 actors: A261..A300 are unknown, as are 40 fields. */
  char *src = many_actors(260, "var '*.v' { max = 5000, ", "} }\n", 0);
  size_t len = strlen(src) - 4;
  src = realloc(src, len + 64 * 400 + 64);
  for (int k = 40; k >= 1; k--)
    len += (size_t)sprintf(src + len, "f%02d = 1, ", k);
  len += (size_t)sprintf(src + len, "init = { ");
  for (int a = 300; a >= 1; a--)
    len += (size_t)sprintf(src + len, "A%03d = %d, ", a, a);
  strcpy(src + len, "} }\n");
  brink_engine *e;
  cr_assert_eq(brink_engine_open(&e, NULL), BRINK_OK);
  cr_assert_neq(brink_load_string(e, "test.lua", src, strlen(src)), BRINK_OK);
  cr_assert_eq(brink_diag_count(e), 80, "%d: %s", brink_diag_count(e),
               brink_errmsg(e));
  for (int k = 0; k < 40; k++) {
    char want[128];
    snprintf(want, sizeof want, "unknown field 'f%02d'", k + 1);
    cr_assert(strstr(brink_diag_get(e, k), want), "%d: %s", k,
              brink_diag_get(e, k));
  }
  for (int k = 0; k < 40; k++) {
    char want[128];
    snprintf(want, sizeof want, "unknown actor 'A%03d'", 261 + k);
    cr_assert(strstr(brink_diag_get(e, 40 + k), want), "%d: %s", k,
              brink_diag_get(e, 40 + k));
  }
  brink_engine_close(e);
  free(src);
}
