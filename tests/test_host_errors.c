/*
** The failure rule of brink.h, call by call: a failing call returns a
** negative status, NULL (names) or -1 (answers), and always leaves its own
** message in brink_errmsg; a successful call leaves the message alone;
** counts never fail.
*/
#include "host_fixture.h"

#define BAD 99

enum { STATUS, NAME, ANSWER };

typedef struct outcome {
  int status;           /* STATUS and ANSWER */
  const char *name;     /* NAME */
} outcome;

typedef struct call {
  char what[40];
  int kind;
  outcome (*fn)(brink_engine *e);
} call;

#define S(expr) (outcome){(expr), NULL}
#define N(expr) (outcome){0, (expr)}

static outcome c_actor_add(brink_engine *e) {
  return S(brink_actor_add(e, NULL, NULL, NULL));
}
static outcome c_actor_find(brink_engine *e) {
  return S(brink_actor_find(e, NULL, NULL));
}
static outcome c_var_declare(brink_engine *e) {
  return S(brink_var_declare(e, NULL, NULL));
}
static outcome c_var_init_for(brink_engine *e) {
  return S(brink_var_init_for(e, BAD, "BLUE", 1));
}
static outcome c_var_find(brink_engine *e) {
  return S(brink_var_find(e, NULL, NULL));
}
static outcome c_var_bounds(brink_engine *e) {
  return S(brink_var_bounds(e, BAD, NULL, NULL));
}
static outcome c_var_actors(brink_engine *e) {
  return S(brink_var_actors(e, BAD, NULL, NULL));
}
static outcome c_var_get(brink_engine *e) {
  double d;
  return S(brink_var_get(e, BAD, &d));
}
static outcome c_var_get_null(brink_engine *e) {
  return S(brink_var_get(e, 0, NULL));
}
static outcome c_var_set(brink_engine *e) {
  return S(brink_var_set(e, BAD, 1));
}
static outcome c_var_set_text(brink_engine *e) {
  return S(brink_var_set_text(e, BAD, "1"));
}
static outcome c_var_set_text_null(brink_engine *e) {
  return S(brink_var_set_text(e, 0, NULL));
}
static outcome c_var_format(brink_engine *e) {
  char b[8];
  return S(brink_var_format(e, BAD, b, sizeof b));
}
static outcome c_value_format(brink_engine *e) {
  char b[8];
  return S(brink_value_format(e, BAD, 1, b, sizeof b));
}
static outcome c_value_format_enum(brink_engine *e) {
  char b[8];
  return S(brink_value_format(e, var(e, "mood"), 7, b, sizeof b));
}
static outcome c_cause_set(brink_engine *e) {
  return S(brink_cause_set(e, NULL));
}
static outcome c_txn_commit(brink_engine *e) { return S(brink_txn_commit(e)); }
static outcome c_txn_rollback(brink_engine *e) {
  return S(brink_txn_rollback(e));
}
static outcome c_random_int(brink_engine *e) {
  int64_t x;
  return S(brink_random_int(e, 2, 1, &x));
}
static outcome c_calendar_set(brink_engine *e) {
  return S(brink_calendar_set(e, 0, 10, BRINK_DAY));
}
static outcome c_turn_limit(brink_engine *e) {
  return S(brink_turn_limit(e, -1));
}
static outcome c_finish(brink_engine *e) {
  return S(brink_finish(e, "nope"));
}
static outcome c_seat(brink_engine *e) { return S(brink_seat(e, BAD, 1)); }
static outcome c_policy(brink_engine *e) {
  return S(brink_policy_assign(e, BAD, NULL));
}
static outcome c_move_find(brink_engine *e) {
  return S(brink_move_find(e, NULL, NULL));
}
static outcome c_options(brink_engine *e) {
  return S(brink_options(e, BAD, NULL));
}
static outcome c_option_get(brink_engine *e) {
  return S(brink_option_get(e, BAD, NULL, NULL, NULL, NULL));
}
static outcome c_choose(brink_engine *e) { return S(brink_choose(e, 1, -1)); }
static outcome c_record_json(brink_engine *e) {
  return S(brink_record_json(e, NULL, NULL, 0));
}
static outcome c_snapshot_take(brink_engine *e) {
  return S(brink_snapshot_take(e, NULL));
}
static outcome c_snapshot_restore(brink_engine *e) {
  return S(brink_snapshot_restore(e, NULL));
}
static outcome c_clone(brink_engine *e) {
  return S(brink_engine_clone(e, NULL));
}
static outcome c_position_get(brink_engine *e) {
  return S(brink_position_get(e, NULL));
}
static outcome c_position_set(brink_engine *e) {
  return S(brink_position_set(e, NULL));
}
static outcome c_trigger_find(brink_engine *e) {
  return S(brink_trigger_find(e, NULL, NULL));
}
static outcome c_event_find(brink_engine *e) {
  return S(brink_event_find(e, "nope", NULL));
}
static outcome c_outcome_find(brink_engine *e) {
  return S(brink_outcome_find(e, "nope", NULL));
}
static outcome c_set_fired(brink_engine *e) {
  return S(brink_trigger_set_fired(e, BAD, 1));
}
static outcome c_schedule_get(brink_engine *e) {
  return S(brink_schedule_get(e, BAD, NULL, NULL, NULL, NULL));
}
static outcome c_schedule_put(brink_engine *e) {
  return S(brink_schedule_put(e, 3, BAD, 0, NULL));
}
static outcome c_news(brink_engine *e) { return S(brink_news(e, NULL)); }
static outcome c_fire(brink_engine *e) {
  return S(brink_fire(e, "nope", NULL));
}
static outcome c_odds(brink_engine *e) { return S(brink_odds(e, BAD, 0.5)); }
static outcome c_score(brink_engine *e) {
  double d;
  return S(brink_score(e, BAD, &d));
}
static outcome c_load_string(brink_engine *e) {
  return S(brink_load_string(e, NULL, NULL, 0));
}
static outcome c_load_file(brink_engine *e) {
  return S(brink_load_file(e, "/nonexistent/x.lua"));
}
static outcome c_state_save(brink_engine *e) {
  return S(brink_state_save(e, NULL, NULL));
}
static outcome c_state_load(brink_engine *e) {
  return S(brink_state_load(e, "junk", 4));
}
static outcome c_actor_id(brink_engine *e) { return N(brink_actor_id(e, BAD)); }
static outcome c_actor_name(brink_engine *e) {
  return N(brink_actor_name(e, BAD));
}
static outcome c_actor_brief(brink_engine *e) {
  return N(brink_actor_brief(e, BAD));
}
static outcome c_var_name(brink_engine *e) { return N(brink_var_name(e, BAD)); }
static outcome c_var_doc(brink_engine *e) { return N(brink_var_doc(e, BAD)); }
static outcome c_enum_value(brink_engine *e) {
  return N(brink_var_enum_value(e, BAD, 0));
}
static outcome c_move_name(brink_engine *e) {
  return N(brink_move_name(e, BAD));
}
static outcome c_move_doc(brink_engine *e) { return N(brink_move_doc(e, BAD)); }
static outcome c_trigger_name(brink_engine *e) {
  return N(brink_trigger_name(e, BAD));
}
static outcome c_event_name(brink_engine *e) {
  return N(brink_event_name(e, BAD));
}
static outcome c_outcome_name(brink_engine *e) {
  return N(brink_outcome_name(e, BAD));
}
static outcome c_outcome_doc(brink_engine *e) {
  return N(brink_outcome_doc(e, BAD));
}
static outcome c_diag_get(brink_engine *e) { return N(brink_diag_get(e, BAD)); }
static outcome c_field(brink_engine *e) {
  return N(brink_scenario_field(e, NULL));
}
static outcome c_move_where(brink_engine *e) {
  return N(brink_move_where(e, BAD));
}
static outcome c_trigger_where(brink_engine *e) {
  return N(brink_trigger_where(e, BAD));
}
static outcome c_outcome_where(brink_engine *e) {
  return N(brink_outcome_where(e, BAD));
}
static outcome c_var_where(brink_engine *e) {
  return N(brink_var_where(e, BAD));
}
static outcome c_coverage(brink_engine *e) {
  int n;
  return S(brink_coverage(e, BAD, NULL, 0, &n));
}
static outcome c_var_type(brink_engine *e) { return S(brink_var_type(e, BAD)); }
static outcome c_var_visible(brink_engine *e) {
  return S(brink_var_visible(e, BAD, 0));
}
static outcome c_var_believed(brink_engine *e) {
  return S(brink_var_believed(e, BAD, NULL, 1, 2));
}
static outcome c_belief_get(brink_engine *e) {
  double lo, hi;
  return S(brink_belief_get(e, 0, BAD, &lo, &hi));
}
static outcome c_belief_start(brink_engine *e) {
  double lo, hi;
  return S(brink_belief_start(e, BAD, 0, &lo, &hi));
}
static outcome c_belief_set(brink_engine *e) {
  return S(brink_belief_set(e, 0, BAD, 1, 1));
}
static outcome c_belief_set_by(brink_engine *e) {
  return S(brink_belief_set_by(e, 0, BAD, 1, 1, "intelligence"));
}
static outcome c_belief_known(brink_engine *e) {
  return S(brink_belief_known(e, 0, BAD));
}
static outcome c_trigger_fired(brink_engine *e) {
  return S(brink_trigger_fired(e, BAD));
}

static const call calls[] = {
    {"brink_actor_add", STATUS, c_actor_add},
    {"brink_actor_find", STATUS, c_actor_find},
    {"brink_var_declare", STATUS, c_var_declare},
    {"brink_var_init_for", STATUS, c_var_init_for},
    {"brink_var_believed", STATUS, c_var_believed},
    {"brink_belief_get", STATUS, c_belief_get},
    {"brink_belief_start", STATUS, c_belief_start},
    {"brink_belief_set", STATUS, c_belief_set},
    {"brink_belief_set_by", STATUS, c_belief_set_by},
    {"brink_var_find", STATUS, c_var_find},
    {"brink_var_bounds", STATUS, c_var_bounds},
    {"brink_var_actors", STATUS, c_var_actors},
    {"brink_var_get", STATUS, c_var_get},
    {"brink_var_get (NULL out)", STATUS, c_var_get_null},
    {"brink_var_set", STATUS, c_var_set},
    {"brink_var_set_text", STATUS, c_var_set_text},
    {"brink_var_set_text (NULL)", STATUS, c_var_set_text_null},
    {"brink_var_format", STATUS, c_var_format},
    {"brink_value_format", STATUS, c_value_format},
    {"brink_value_format (enum)", STATUS, c_value_format_enum},
    {"brink_cause_set", STATUS, c_cause_set},
    {"brink_txn_commit", STATUS, c_txn_commit},
    {"brink_txn_rollback", STATUS, c_txn_rollback},
    {"brink_random_int", STATUS, c_random_int},
    {"brink_calendar_set", STATUS, c_calendar_set},
    {"brink_turn_limit", STATUS, c_turn_limit},
    {"brink_finish", STATUS, c_finish},
    {"brink_seat", STATUS, c_seat},
    {"brink_policy_assign", STATUS, c_policy},
    {"brink_move_find", STATUS, c_move_find},
    {"brink_options", STATUS, c_options},
    {"brink_option_get", STATUS, c_option_get},
    {"brink_choose", STATUS, c_choose},
    {"brink_record_json", STATUS, c_record_json},
    {"brink_snapshot_take", STATUS, c_snapshot_take},
    {"brink_snapshot_restore", STATUS, c_snapshot_restore},
    {"brink_engine_clone", STATUS, c_clone},
    {"brink_position_get", STATUS, c_position_get},
    {"brink_position_set", STATUS, c_position_set},
    {"brink_trigger_find", STATUS, c_trigger_find},
    {"brink_event_find", STATUS, c_event_find},
    {"brink_outcome_find", STATUS, c_outcome_find},
    {"brink_trigger_set_fired", STATUS, c_set_fired},
    {"brink_schedule_get", STATUS, c_schedule_get},
    {"brink_schedule_put", STATUS, c_schedule_put},
    {"brink_news", STATUS, c_news},
    {"brink_fire", STATUS, c_fire},
    {"brink_odds", STATUS, c_odds},
    {"brink_score", STATUS, c_score},
    {"brink_load_string", STATUS, c_load_string},
    {"brink_load_file", STATUS, c_load_file},
    {"brink_state_save", STATUS, c_state_save},
    {"brink_state_load", STATUS, c_state_load},
    {"brink_coverage", STATUS, c_coverage},
    {"brink_actor_id", NAME, c_actor_id},
    {"brink_actor_name", NAME, c_actor_name},
    {"brink_actor_brief", NAME, c_actor_brief},
    {"brink_var_name", NAME, c_var_name},
    {"brink_var_doc", NAME, c_var_doc},
    {"brink_var_enum_value", NAME, c_enum_value},
    {"brink_move_name", NAME, c_move_name},
    {"brink_move_doc", NAME, c_move_doc},
    {"brink_trigger_name", NAME, c_trigger_name},
    {"brink_event_name", NAME, c_event_name},
    {"brink_outcome_name", NAME, c_outcome_name},
    {"brink_outcome_doc", NAME, c_outcome_doc},
    {"brink_diag_get", NAME, c_diag_get},
    {"brink_move_where", NAME, c_move_where},
    {"brink_trigger_where", NAME, c_trigger_where},
    {"brink_outcome_where", NAME, c_outcome_where},
    {"brink_var_where", NAME, c_var_where},
    {"brink_scenario_field", NAME, c_field},
    {"brink_var_type", ANSWER, c_var_type},
    {"brink_var_visible", ANSWER, c_var_visible},
    {"brink_trigger_fired", ANSWER, c_trigger_fired},
    {"brink_belief_known", ANSWER, c_belief_known},
};

/* A failure no call in the table repeats. */
#define SENTINEL "unknown outcome 'sentinel'"

static void fail_first(brink_engine *e) {
  cr_assert_eq(brink_finish(e, "sentinel"), BRINK_ENOTFOUND);
  cr_assert_str_eq(brink_errmsg(e), SENTINEL);
}

Test(host_errors, every_failing_call_leaves_its_own_message) {
  for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++) {
    brink_engine *e = load_ok(HOST_SCENARIO);
    brink_start(e, 1);
    /* A message from an earlier failure, which the call must replace. */
    fail_first(e);
    outcome o = calls[i].fn(e);
    switch (calls[i].kind) {
    case STATUS:
      cr_assert_lt(o.status, 0, "%s returned %d", calls[i].what, o.status);
      break;
    case NAME:
      cr_assert_null(o.name, "%s returned '%s'", calls[i].what, o.name);
      break;
    default:
      cr_assert_eq(o.status, -1, "%s returned %d", calls[i].what, o.status);
    }
    cr_assert_neq(brink_errmsg(e)[0], '\0', "%s left no message",
                  calls[i].what);
    cr_assert_str_neq(brink_errmsg(e), SENTINEL, "%s left the old message",
                      calls[i].what);
    brink_engine_close(e);
  }
}

Test(host_errors, a_successful_call_leaves_the_last_message_alone) {
  brink_engine *e = load_ok(HOST_SCENARIO);
  brink_start(e, 1);
  fail_first(e);
  double d;
  char buf[32];
  cr_assert_eq(brink_var_get(e, 0, &d), BRINK_OK);
  cr_assert_not_null(brink_var_name(e, 0));
  cr_assert_geq(brink_var_format(e, 0, buf, sizeof buf), 0);
  cr_assert_eq(brink_var_set(e, var(e, "talks"), 20), BRINK_OK);
  cr_assert_eq(brink_step(e), BRINK_OK);
  cr_assert_not_null(brink_scenario_digest(e));
  cr_assert_str_eq(brink_errmsg(e), SENTINEL);
  brink_engine_close(e);
}

Test(host_errors, counts_never_fail_even_on_an_empty_engine) {
  brink_engine *e;
  cr_assert_eq(brink_engine_open(&e, NULL), BRINK_OK);
  cr_assert_eq(brink_actor_count(e), 0);
  cr_assert_eq(brink_var_count(e), 0);
  cr_assert_eq(brink_move_count(e), 1);   /* "pass" */
  cr_assert_eq(brink_trigger_count(e), 0);
  cr_assert_eq(brink_event_count(e), 0);
  cr_assert_eq(brink_outcome_count(e), 0);
  cr_assert_eq(brink_schedule_count(e), 0);
  cr_assert_eq(brink_diag_count(e), 0);
  cr_assert_eq(brink_txn_depth(e), 0);
  cr_assert_str_eq(brink_errmsg(e), "");
  cr_assert_null(brink_scenario_digest(e));
  cr_assert_neq(brink_errmsg(e)[0], '\0');
  brink_engine_close(e);
}
