#include "world_fixture.h"

typedef struct seen {
  int sets;
  char causes[8][32];
} seen;

static void count(void *ud, const brink_record *r) {
  seen *s = ud;
  if (r->kind != BRINK_REC_SET) return;
  if (s->sets < 8) snprintf(s->causes[s->sets], 32, "%s", r->cause);
  s->sets++;
}

Test(journal, rollback_restores_every_write_of_a_failed_nested_transaction) {
  brink_engine *e = small_world();
  cr_assert_eq(brink_txn_begin(e), BRINK_OK);
  brink_var_set(e, var(e, "trade_war"), 70);
  cr_assert_eq(brink_txn_begin(e), BRINK_OK);
  brink_var_set(e, var(e, "trade_war"), 80);
  brink_var_set(e, var(e, "DPRK.tension.USA"), 90);
  brink_var_set(e, var(e, "USA.tension.DPRK"), 95);
  cr_assert_eq(brink_txn_depth(e), 2);
  cr_assert_eq(brink_txn_rollback(e), BRINK_OK);
  cr_assert_eq(get(e, "trade_war"), 70);
  cr_assert_eq(get(e, "USA.tension.DPRK"), 40);
  cr_assert_eq(get(e, "DPRK.tension.USA"), 40);
  cr_assert_eq(brink_txn_rollback(e), BRINK_OK);
  cr_assert_eq(get(e, "trade_war"), 60);
  cr_assert_eq(brink_txn_depth(e), 0);
  brink_engine_close(e);
}

Test(journal, random_draws_are_undone_by_a_rollback) {
  brink_engine *e = small_world();
  brink_seed(e, 7);
  brink_txn_begin(e);
  double a = brink_random(e);
  brink_txn_rollback(e);
  cr_assert_eq(brink_random(e), a);
  brink_engine_close(e);
}

Test(journal, the_timeline_sees_only_committed_changes_with_their_cause) {
  brink_engine *e = small_world();
  seen s = {0};
  brink_on_record(e, count, &s);
  brink_cause_set(e, "facilitator");
  brink_txn_begin(e);
  brink_var_set(e, var(e, "trade_war"), 70);
  brink_txn_begin(e);
  brink_var_set(e, var(e, "trade_war"), 71);
  brink_txn_rollback(e);
  cr_assert_eq(s.sets, 0, "nothing is seen before the outer commit");
  brink_txn_commit(e);
  cr_assert_eq(s.sets, 1);
  cr_assert_str_eq(s.causes[0], "facilitator");
  brink_var_set(e, var(e, "trade_war"), 72);   /* no transaction: at once */
  cr_assert_eq(s.sets, 2);
  brink_var_set(e, var(e, "trade_war"), 72);   /* no change, no record */
  cr_assert_eq(s.sets, 2);
  brink_engine_close(e);
}

Test(journal, commit_and_rollback_without_a_transaction_are_refused) {
  brink_engine *e = small_world();
  cr_assert_eq(brink_txn_commit(e), BRINK_ESTATE);
  cr_assert_eq(brink_txn_rollback(e), BRINK_ESTATE);
  brink_engine_close(e);
}
