/* The host API's rules: lifetimes, lookups, statuses. */
#include "host_fixture.h"
#include "brinkint.h"
#include "sha256.h"

Test(host, a_snapshot_outlives_the_engine_that_took_it) {
  brink_engine *e = load_ok(HOST_SCENARIO), *other = load_ok(HOST_SCENARIO);
  brink_start(e, 1);
  brink_var_set(e, var(e, "talks"), 42);
  brink_snapshot *s;
  cr_assert_eq(brink_snapshot_take(e, &s), BRINK_OK);
  brink_engine_close(e);
  cr_assert(brink_snapshot_size(s) > 0);
  brink_start(other, 1);
  cr_assert_eq(brink_snapshot_restore(other, s), BRINK_OK, "%s",
               brink_errmsg(other));
  cr_assert_eq(get(other, "talks"), 42);
  brink_snapshot_free(s);
  brink_engine_close(other);
}

/* A pending brink_odds is part of the run: a snapshot takes it and a
   restore puts it back, or clears it. */
Test(host, a_snapshot_carries_the_pending_odds) {
  brink_engine *e = load_ok(HOST_SCENARIO);
  brink_start(e, 1);
  int patrol, move;
  double p;
  cr_assert_eq(brink_move_find(e, "patrol", &patrol), BRINK_OK);
  brink_snapshot *none, *some;
  cr_assert_eq(brink_snapshot_take(e, &none), BRINK_OK);
  cr_assert_eq(brink_odds(e, patrol, 0.25), BRINK_OK);
  cr_assert_eq(brink_snapshot_take(e, &some), BRINK_OK);
  cr_assert_eq(brink_snapshot_restore(e, none), BRINK_OK);
  brink_odds_get(e, &move, &p);
  cr_assert_eq(move, -1);
  cr_assert_eq(brink_snapshot_restore(e, some), BRINK_OK);
  brink_odds_get(e, &move, &p);
  cr_assert_eq(move, patrol);
  cr_assert_eq(p, 0.25);
  brink_snapshot_free(none);
  brink_snapshot_free(some);
  brink_engine_close(e);
}

Test(host, no_status_shares_a_value_with_another) {
  int values[] = {
#define V(name, value, text) value,
      BRINK_STATUS_TABLE(V)
#undef V
  };
  size_t n = sizeof values / sizeof values[0];
  for (size_t i = 0; i < n; i++)
    for (size_t j = i + 1; j < n; j++) cr_assert_neq(values[i], values[j]);
  /* The enum has only the table's members: its largest and smallest. */
  cr_assert_eq((int)BRINK_EFORMAT, -11);
}

typedef int (*find_fn)(brink_engine *, const char *, int *);

static void check_find(brink_engine *e, find_fn find, const char *name,
                       const char *typo, const char *kind) {
  int id = -2;
  cr_assert_eq(find(e, name, &id), BRINK_OK, "%s", brink_errmsg(e));
  cr_assert_geq(id, 0);
  cr_assert_eq(find(e, typo, &id), BRINK_ENOTFOUND);
  cr_assert_eq(id, -1);
  char want[128];
  snprintf(want, sizeof want, "unknown %s '%s' (did you mean '%s'?)", kind,
           typo, name);
  cr_assert_str_eq(brink_errmsg(e), want);
  cr_assert_eq(find(e, NULL, &id), BRINK_EINVAL);
  cr_assert_neq(brink_errmsg(e)[0], '\0');
}

Test(host, every_kind_of_name_is_found_with_a_suggestion_when_unknown) {
  brink_engine *e = load_ok(HOST_SCENARIO);
  check_find(e, brink_move_find, "patrol", "patrl", "move");
  check_find(e, brink_trigger_find, "summit", "sumit", "trigger");
  check_find(e, brink_event_find, "incident", "incidnet", "event");
  check_find(e, brink_outcome_find, "treaty", "treat", "outcome");
  int id;
  brink_trigger_find(e, "heat", &id);
  cr_assert_str_eq(brink_trigger_name(e, id), "heat");
  brink_event_find(e, "incident", &id);
  cr_assert_str_eq(brink_event_name(e, id), "incident");
  brink_outcome_find(e, "war", &id);
  cr_assert_str_eq(brink_outcome_name(e, id), "war");
  brink_engine_close(e);
}

#define SWAP_A                                                              \
  "scenario { id = 's', start = '2024-01-01', finish = '2024-12-31' }\n"  \
  "actor 'A' {}\nvar 'x' { init = 1 }\nvar 'y' { init = 2 }\n"
#define SWAP_B                                                              \
  "scenario { id = 's', start = '2024-01-01', finish = '2024-12-31' }\n"  \
  "actor 'A' {}\nvar 'y' { init = 2 }\nvar 'x' { init = 1 }\n"

Test(host, a_snapshot_is_refused_by_a_scenario_with_the_same_shape) {
  brink_engine *a = load_ok(SWAP_A), *b = load_ok(SWAP_B);
  brink_start(a, 1);
  brink_start(b, 1);
  brink_var_set(a, var(a, "x"), 10);
  brink_snapshot *s;
  cr_assert_eq(brink_snapshot_take(a, &s), BRINK_OK);
  cr_assert_eq(brink_snapshot_restore(b, s), BRINK_EFORMAT);
  cr_assert(strstr(brink_errmsg(b), "different scenario"), "%s",
            brink_errmsg(b));
  cr_assert_eq(get(b, "x"), 1);
  cr_assert_eq(get(b, "y"), 2);
  cr_assert_eq(brink_snapshot_restore(a, s), BRINK_OK);
  brink_snapshot_free(s);
  brink_engine_close(a);
  brink_engine_close(b);
}

Test(host, a_snapshot_of_an_api_world_is_refused_by_a_reordered_one) {
  brink_engine *a, *b;
  brink_engine_open(&a, NULL);
  brink_engine_open(&b, NULL);
  declare(a, "x", BRINK_NUMBER, 0, 10, 1);
  declare(a, "y", BRINK_NUMBER, 0, 10, 2);
  declare(b, "y", BRINK_NUMBER, 0, 10, 2);
  declare(b, "x", BRINK_NUMBER, 0, 10, 1);
  brink_world_seal(a);
  brink_world_seal(b);
  brink_snapshot *s;
  cr_assert_eq(brink_snapshot_take(a, &s), BRINK_OK);
  cr_assert_eq(brink_snapshot_restore(b, s), BRINK_EFORMAT);
  brink_snapshot_free(s);
  cr_assert_str_neq(brink_scenario_digest(a), brink_scenario_digest(b));
  brink_engine_close(a);
  brink_engine_close(b);
}

Test(host, the_digest_is_the_sha256_of_the_scenario_text) {
  brink_engine *e;
  brink_engine_open(&e, NULL);
  cr_assert_null(brink_scenario_digest(e));
  brink_load_string(e, "host.lua", HOST_SCENARIO, strlen(HOST_SCENARIO));
  char hex[65], want[80];
  brink__sha256_hex(HOST_SCENARIO, strlen(HOST_SCENARIO), hex);
  snprintf(want, sizeof want, "sha256:%s", hex);
  cr_assert_str_eq(brink_scenario_digest(e), want);
  brink_engine *c;
  cr_assert_eq(brink_engine_clone(e, &c), BRINK_OK);
  cr_assert_str_eq(brink_scenario_digest(c), want);
  brink_engine_close(c);
  brink_engine_close(e);
}

/* A run where BLUE, seated, must choose in turn 1. */
static brink_engine *awaiting_blue(void) {
  brink_engine *e = load_ok(HOST_SCENARIO);
  int blue;
  brink_actor_find(e, "BLUE", &blue);
  brink_seat(e, blue, 1);
  cr_assert_eq(brink_start(e, 3), BRINK_OK);
  cr_assert_eq(brink_step(e), BRINK_AWAIT, "%s", brink_errmsg(e));
  return e;
}

static int move_id(brink_engine *e, const char *name) {
  int m;
  cr_assert_eq(brink_move_find(e, name, &m), BRINK_OK);
  return m;
}

Test(host, choose_is_refused_inside_a_transaction_and_the_move_stays) {
  brink_engine *e = awaiting_blue();
  double talks = get(e, "talks");
  cr_assert_eq(brink_txn_begin(e), BRINK_OK);
  cr_assert_eq(brink_choose(e, move_id(e, "talk"), -1), BRINK_ESTATE);
  cr_assert(strstr(brink_errmsg(e), "transaction"), "%s", brink_errmsg(e));
  cr_assert_eq(brink_txn_rollback(e), BRINK_OK);
  cr_assert_eq(brink_awaiting(e), 0);
  cr_assert_eq(brink_choose(e, move_id(e, "talk"), -1), BRINK_OK);
  cr_assert_eq(get(e, "talks"), talks + 15);
  brink_engine_close(e);
}

/* What a record callback tries, and what it saw. */
typedef struct reentry {
  brink_engine *e;
  int (*call)(brink_engine *e);
  int status, calls, turn;
  char msg[256];
} reentry;

static void try_in_callback(void *ud, const brink_record *r) {
  reentry *t = ud;
  if (r->kind != BRINK_REC_TURN || t->calls++) return;
  t->turn = brink_turn(t->e);
  t->status = t->call(t->e);
  snprintf(t->msg, sizeof t->msg, "%s", brink_errmsg(t->e));
  /* Reading stays allowed. */
  double v;
  cr_assert_eq(brink_var_get(t->e, 0, &v), BRINK_OK);
  brink_position pos;
  pos.size = sizeof pos;
  cr_assert_eq(brink_position_get(t->e, &pos), BRINK_OK);
  char buf[256];
  cr_assert_gt(brink_record_json(t->e, r, buf, sizeof buf), 0);
  cr_assert_geq(brink_schedule_count(t->e), 0);
  cr_assert_not_null(brink_scenario_digest(t->e));
}

static int call_step(brink_engine *e) { return brink_step(e); }
static int call_run(brink_engine *e) { return brink_run(e); }
static int call_snapshot(brink_engine *e) {
  brink_snapshot *s = (brink_snapshot *)1;
  int rc = brink_snapshot_take(e, &s);
  cr_assert_null(s);
  return rc;
}
static int call_save(brink_engine *e) {
  void *p = (void *)1;
  size_t n = 7;
  int rc = brink_state_save(e, &p, &n);
  cr_assert_null(p);
  return rc;
}
static int call_clone(brink_engine *e) {
  brink_engine *c;
  return brink_engine_clone(e, &c);
}
static int call_set(brink_engine *e) { return brink_var_set(e, 0, 50); }
static int call_set_text(brink_engine *e) {
  return brink_var_set_text(e, 0, "50");
}
static int call_fire(brink_engine *e) {
  return brink_fire(e, "incident", NULL);
}
static int call_news(brink_engine *e) { return brink_news(e, "extra"); }
static int call_finish(brink_engine *e) { return brink_finish(e, NULL); }
static int call_begin(brink_engine *e) { return brink_txn_begin(e); }
static int call_seed(brink_engine *e) { return brink_seed(e, 1); }
static int call_chance(brink_engine *e) { return brink_chance(e, 0.5); }
static int call_random(brink_engine *e) {
  return brink_random(e) == brink_random(e) ? 0 : BRINK_ESTATE;
}
static int call_options(brink_engine *e) { return brink_options(e, 0, NULL); }
static int call_seat(brink_engine *e) { return brink_seat(e, 0, 1); }
static int call_odds(brink_engine *e) { return brink_odds(e, 1, 0.5); }
static int call_put(brink_engine *e) {
  return brink_schedule_put(e, 5, 0, 99, NULL);
}
static int call_clear(brink_engine *e) { return brink_schedule_clear(e); }
static int call_fired(brink_engine *e) {
  return brink_trigger_set_fired(e, 0, 1);
}
static int call_cause(brink_engine *e) { return brink_cause_set(e, "x"); }
static int call_limit(brink_engine *e) { return brink_turn_limit(e, 2); }
static int call_start(brink_engine *e) { return brink_start(e, 9); }

/* The state after one step of turn 1, as bytes; the callback may try. */
static void *one_step(reentry *t, size_t *len) {
  brink_engine *e = load_ok(HOST_SCENARIO);
  if (t) {
    t->e = e;
    brink_on_record(e, try_in_callback, t);
  }
  brink_start(e, 3);
  cr_assert_eq(brink_step(e), BRINK_OK, "%s", brink_errmsg(e));
  void *p;
  cr_assert_eq(brink_state_save(e, &p, len), BRINK_OK, "%s", brink_errmsg(e));
  brink_engine_close(e);
  return p;
}

Test(host, calls_that_change_the_run_are_refused_inside_the_record_callback) {
  int (*calls[])(brink_engine *) = {
      call_step, call_run, call_snapshot, call_save, call_clone, call_set,
      call_set_text, call_fire, call_news, call_finish, call_begin,
      call_seed, call_chance, call_random, call_options, call_seat,
      call_odds, call_put, call_clear, call_fired, call_cause, call_limit,
      call_start};
  size_t nwant;
  void *want = one_step(NULL, &nwant);
  for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++) {
    reentry t = {NULL, calls[i], 0, 0, 0, ""};
    size_t ngot;
    void *got = one_step(&t, &ngot);
    cr_assert_eq(t.status, BRINK_ESTATE, "call %zu returned %d", i,
                 t.status);
    cr_assert(strstr(t.msg, "record callback"), "call %zu: %s", i, t.msg);
    /* Nothing the callback tried took effect. */
    cr_assert(ngot == nwant && memcmp(got, want, nwant) == 0, "call %zu", i);
    brink_buffer_free(got);
  }
  brink_buffer_free(want);
}

typedef int (*change_fn)(brink_engine *e);

static int change_choose(brink_engine *e) {
  return brink_choose(e, move_id(e, "talk"), -1);
}
static int change_restore(brink_engine *e) {
  brink_snapshot *s;
  brink_snapshot_take(e, &s);
  int rc = brink_snapshot_restore(e, s);
  brink_snapshot_free(s);
  return rc;
}
static int change_load(brink_engine *e) {
  void *p;
  size_t n;
  brink_state_save(e, &p, &n);
  int rc = brink_state_load(e, p, n);
  brink_buffer_free(p);
  return rc;
}
static int change_set(brink_engine *e) {
  return brink_var_set(e, var(e, "talks"), 95);
}
static int change_position(brink_engine *e) {
  brink_position p;
  p.size = sizeof p;
  brink_position_get(e, &p);
  return brink_position_set(e, &p);
}

Test(host, the_option_list_is_dropped_by_any_call_that_changes_the_state) {
  change_fn changes[] = {change_choose, change_restore, change_load,
                         change_set, change_position, call_step};
  for (size_t i = 0; i < sizeof changes / sizeof changes[0]; i++) {
    brink_engine *e = awaiting_blue();
    int n, move;
    cr_assert_eq(brink_options(e, 0, &n), BRINK_OK);
    cr_assert_gt(n, 0);
    cr_assert_eq(brink_option_get(e, 0, &move, NULL, NULL, NULL), BRINK_OK);
    int rc = changes[i](e);
    cr_assert_geq(rc, 0, "change %zu: %s", i, brink_errmsg(e));
    cr_assert_eq(brink_option_get(e, 0, &move, NULL, NULL, NULL),
                 BRINK_ESTATE, "change %zu left the list", i);
    brink_engine_close(e);
  }
}

Test(host, copying_the_state_out_keeps_the_option_list) {
  brink_engine *e = awaiting_blue();
  int n, move;
  cr_assert_eq(brink_options(e, 0, &n), BRINK_OK);
  brink_snapshot *s;
  cr_assert_eq(brink_snapshot_take(e, &s), BRINK_OK);
  void *p;
  size_t len;
  cr_assert_eq(brink_state_save(e, &p, &len), BRINK_OK);
  brink_engine *c;
  cr_assert_eq(brink_engine_clone(e, &c), BRINK_OK);
  cr_assert_eq(brink_option_get(e, 0, &move, NULL, NULL, NULL), BRINK_OK);
  brink_engine_close(c);
  brink_buffer_free(p);
  brink_snapshot_free(s);
  brink_engine_close(e);
}

Test(host, schedule_data_stays_valid_while_its_entry_is_scheduled) {
  brink_engine *e = load_ok(HOST_SCENARIO);
  brink_start(e, 3);
  cr_assert_eq(brink_schedule_put(e, 3, 0, 0, "{[\"severity\"]=2,}"), BRINK_OK);
  const char *data;
  cr_assert_eq(brink_schedule_get(e, 0, NULL, NULL, NULL, &data), BRINK_OK);
  brink_var_set(e, var(e, "talks"), 20);
  brink_snapshot *s;
  brink_snapshot_take(e, &s);
  brink_snapshot_free(s);
  cr_assert_eq(brink_step(e), BRINK_OK);
  cr_assert_str_eq(data, "{[\"severity\"]=2,}");
  brink_engine_close(e);
}

/* The hook a binding calls for each imported text: the digest covers it. */
/* The digest covers the imports the engine keeps, by name and text. */
static brink_engine *with_import(const char *rules) {
  brink_engine *e;
  cr_assert_eq(brink_engine_open(&e, NULL), BRINK_OK);
  cr_assert_eq(brink_import_add(e, "rules", rules, strlen(rules)), BRINK_OK);
  const char *src = HOST_SCENARIO "local rules = import 'rules'\n";
  cr_assert_eq(brink_load_string(e, "host.lua", src, strlen(src)), BRINK_OK,
               "%s", brink_errmsg(e));
  return e;
}

Test(host, an_import_the_binding_reports_changes_the_digest) {
  brink_engine *plain_e = load_ok(HOST_SCENARIO);
  brink_engine *a = with_import("return 1"), *b = with_import("return 2");
  char plain[80];
  snprintf(plain, sizeof plain, "%s", brink_scenario_digest(plain_e));
  cr_assert_str_neq(brink_scenario_digest(a), plain);
  cr_assert_str_neq(brink_scenario_digest(a), brink_scenario_digest(b));
  cr_assert_eq(strncmp(brink_scenario_digest(a), "sha256:", 7), 0);
  cr_assert_eq(strlen(brink_scenario_digest(a)), 7 + 64);
  brink_start(a, 1);
  brink_start(b, 1);
  void *p;
  size_t n;
  cr_assert_eq(brink_state_save(a, &p, &n), BRINK_OK);
  cr_assert_eq(brink_state_load(b, p, n), BRINK_EFORMAT);
  brink_buffer_free(p);
  brink_engine_close(plain_e);
  brink_engine_close(a);
  brink_engine_close(b);
}
