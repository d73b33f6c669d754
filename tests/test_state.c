/* The state of a run piece by piece, and a host's interventions. */
#include "lang_fixture.h"

#define SRC                                                                 \
  HEADER "actor 'USA' {} actor 'DPRK' {}\n"                                 \
  "var 'x' { init = 0 } var 'hits' { init = 0 }\n"                         \
  "event 'strike' { effect = function(w, data) w.x = w.x + (data or 1) end }\n" \
  "trigger 'escalate' { at = '2019-07-01', effect = function(w)\n"         \
  "  schedule('strike', { turns = 2, data = 5 }) end }\n"                  \
  "move 'gamble' { by = 'USA', effect = function(w)\n"                     \
  "  if chance(0.5) then w.hits = w.hits + 1 end end,\n"                   \
  "  weight = function() return 1e9 end }\n"

Test(state, a_position_round_trips_and_bad_fields_are_refused) {
  brink_engine *e = load_ok(SRC);
  brink_start(e, 3);
  brink_step(e);
  brink_step(e);
  brink_position p = {.size = sizeof p}, q = {.size = sizeof q};
  cr_assert_eq(brink_position_get(e, &p), BRINK_OK);
  cr_assert_eq(p.turn, 3);
  double r = brink_random(e);
  cr_assert_eq(brink_position_set(e, &p), BRINK_OK);
  cr_assert_eq(brink_random(e), r, "the generator state came back");
  brink_position_get(e, &q);
  q.turn = 99;
  cr_assert_eq(brink_position_set(e, &q), BRINK_ERANGE);
  cr_assert_str_eq(brink_errmsg(e), "position: turn 99 is out of range");
  q = p;
  q.awaiting = 5;
  cr_assert_eq(brink_position_set(e, &q), BRINK_ERANGE);
  q = p;
  memset(q.rng, 0, sizeof q.rng);
  cr_assert_eq(brink_position_set(e, &q), BRINK_ERANGE);
  brink_engine_close(e);
}

Test(state, the_schedule_and_fired_triggers_can_be_read_and_rebuilt) {
  brink_engine *e = load_ok(SRC);
  brink_start(e, 3);
  for (int i = 0; i < 3; i++) brink_step(e);   /* July: escalate fires */
  cr_assert_eq(brink_trigger_count(e), 1);
  cr_assert_str_eq(brink_trigger_name(e, 0), "escalate");
  cr_assert_eq(brink_trigger_fired(e, 0), 1);
  cr_assert_eq(brink_schedule_count(e), 1);
  int due, event;
  uint32_t seq;
  const char *data;
  cr_assert_eq(brink_schedule_get(e, 0, &due, &event, &seq, &data), BRINK_OK);
  cr_assert_eq(due, 5);
  cr_assert_str_eq(brink_event_name(e, event), "strike");
  cr_assert_str_eq(data, "5");
  char copy[16];
  snprintf(copy, sizeof copy, "%s", data);
  cr_assert_eq(brink_schedule_clear(e), BRINK_OK);
  cr_assert_eq(brink_schedule_count(e), 0);
  cr_assert_eq(brink_schedule_put(e, due, event, seq, copy), BRINK_OK);
  cr_assert_eq(brink_schedule_put(e, 1, 7, 0, NULL), BRINK_EINVAL);
  cr_assert_eq(brink_run(e), BRINK_DONE, "%s", brink_errmsg(e));
  int x;
  brink_var_find(e, "x", &x);
  double v;
  brink_var_get(e, x, &v);
  cr_assert_eq(v, 5, "the rebuilt entry fired with its data");
  brink_engine_close(e);
}

Test(state, a_facilitator_fires_events_and_triggers_and_publishes_news) {
  brink_engine *e = load_ok(SRC);
  transcript t = {e, calloc(1, 1), 0, 1};
  brink_on_record(e, transcript_add, &t);
  brink_start(e, 3);
  brink_cause_set(e, "facilitator");
  cr_assert_eq(brink_fire(e, "strike", "2"), BRINK_OK);
  cr_assert_eq(brink_fire(e, "escalate", NULL), BRINK_OK);
  cr_assert_eq(brink_trigger_fired(e, 0), 1);
  cr_assert_eq(brink_news(e, "The facilitator speaks"), BRINK_OK);
  cr_assert_eq(brink_fire(e, "strik", NULL), BRINK_ENOTFOUND);
  cr_assert_str_eq(brink_errmsg(e),
                   "no event or trigger 'strik' (did you mean 'strike'?)");
  assert_has(t.text, "{\"t\":\"event\",\"turn\":1,\"date\":\"2019-05-01\",\"id\":\"strike\"}\n"
             "{\"t\":\"set\",\"turn\":1,\"var\":\"x\",\"old\":0,\"new\":2,\"cause\":\"event:strike\"}\n"
             "{\"t\":\"trigger\",\"turn\":1,\"date\":\"2019-05-01\",\"id\":\"escalate\"}\n"
             "{\"t\":\"news\",\"turn\":1,\"date\":\"2019-05-01\",\"text\":\"The facilitator speaks\"}\n");
  free(t.text);
  brink_engine_close(e);
}

Test(state, odds_override_the_next_effect_of_a_move_only) {
  brink_engine *e = load_ok(SRC);
  int gamble, hits;
  brink_move_find(e, "gamble", &gamble);
  brink_var_find(e, "hits", &hits);
  brink_start(e, 3);
  cr_assert_eq(brink_odds(e, gamble, 1), BRINK_OK);
  brink_step(e);
  double v;
  brink_var_get(e, hits, &v);
  cr_assert_eq(v, 1, "odds of 1 make the chance succeed");
  int wins = 0;
  for (int i = 0; i < 7; i++) {
    cr_assert_eq(brink_odds(e, gamble, 0), BRINK_OK);
    brink_step(e);
    double now;
    brink_var_get(e, hits, &now);
    wins += now > v;
    v = now;
  }
  cr_assert_eq(wins, 0, "odds of 0 make it fail every time");
  brink_engine_close(e);
}

Test(state, the_scenario_text_and_path_are_kept) {
  brink_engine *e = load_ok(SRC);
  size_t len;
  cr_assert_str_eq(brink_scenario_text(e, &len), SRC);
  cr_assert_eq(len, strlen(SRC));
  cr_assert_str_eq(brink_scenario_path(e), "test.lua");
  brink_engine_close(e);
}
