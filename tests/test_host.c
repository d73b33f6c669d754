/* The host API's rules: lifetimes, lookups, statuses. */
#include "host_fixture.h"
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
