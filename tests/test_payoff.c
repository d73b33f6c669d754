/* Returns, payoff tables, priors and resampling, through the public API:
   what a game-AI host reads from a run and how it samples what an actor
   cannot see. */
#include <math.h>

#include "lang_fixture.h"
#include "oom_fixture.h"

#define GAME                                                                \
  HEADER_OPEN "actor 'USA' {} actor 'DPRK' {} actor 'ROK' {}\n"                  \
  "var 'DPRK.warheads' { type = 'integer', min = 0, max = 200, init = 30,"  \
  " hidden = true, prior = { 20, 60 } }\n"                                  \
  "var 'DPRK.skill' { min = 0, max = 100, init = 55, visible = 'owner',"    \
  " prior = { 30, 80 } }\n"                                                 \
  "var 'DPRK.plan' { type = 'enum', values = { 'wait', 'test', 'talk' },"   \
  " hidden = true, prior = { wait = 1, test = 0, talk = 3 } }\n"            \
  "var 'DPRK.ready' { type = 'flag', hidden = true, prior = 0.25 }\n"       \
  "var 'DPRK.secret' { hidden = true, init = 5 }\n"                         \
  "var 'USA.resolve' { min = 0, max = 10, init = 5, hidden = true,"         \
  " prior = { 2, 8 } }\n"                                                  \
  "var 'talks' { min = 0, max = 100, init = 20, prior = { 0, 100 } }\n"     \
  "outcome 'deal' { when = function(w) return w.talks >= 60 end,"           \
  " payoff = { USA = 1, DPRK = 2 } }\n"                                     \
  "outcome 'crisis' { payoff = { USA = -3, DPRK = -1, ROK = -5 } }\n"       \
  "outcome 'stalemate' {}\n"                                                \
  "trigger 'drift' { every = 1, effect = function(w)\n"                     \
  "  w.talks = w.talks + random(0, 6) + (w.DPRK.skill > 50 and 1 or 0)\n"   \
  "end }\n"

enum { USA, DPRK, ROK };

static double value_of(brink_engine *e, const char *name) {
  double x;
  cr_assert_eq(brink_var_get(e, var_id(e, name), &x), BRINK_OK);
  return x;
}

static brink_engine *started(const char *src, uint64_t seed) {
  brink_engine *e = load_ok(src);
  cr_assert_eq(brink_start(e, seed), BRINK_OK);
  return e;
}

static int outcome_id(brink_engine *e, const char *name) {
  int o;
  cr_assert_eq(brink_outcome_find(e, name, &o), BRINK_OK);
  return o;
}

/* payoffs ---------------------------------------------------------------- */

Test(payoff, tables_read_back_with_zero_for_actors_left_out) {
  brink_engine *e = load_ok(GAME);
  double x;
  int deal = outcome_id(e, "deal"), crisis = outcome_id(e, "crisis");
  int stalemate = outcome_id(e, "stalemate");
  cr_assert_eq(brink_outcome_payoff(e, deal, USA, &x), BRINK_OK);
  cr_assert_eq(x, 1);
  brink_outcome_payoff(e, deal, DPRK, &x);
  cr_assert_eq(x, 2);
  brink_outcome_payoff(e, deal, ROK, &x);
  cr_assert_eq(x, 0);
  brink_outcome_payoff(e, crisis, ROK, &x);
  cr_assert_eq(x, -5);
  brink_outcome_payoff(e, stalemate, USA, &x);
  cr_assert_eq(x, 0);
  cr_assert_eq(brink_outcome_payoff(e, 9, USA, &x), BRINK_EINVAL);
  cr_assert_str_eq(brink_errmsg(e), "no outcome has id 9");
  cr_assert_eq(brink_outcome_payoff(e, deal, 3, &x), BRINK_EINVAL);
  cr_assert_eq(brink_outcome_payoff(e, deal, -1, &x), BRINK_EINVAL);
  brink_engine_close(e);
}

Test(payoff, returns_are_zero_before_the_end_and_the_outcomes_payoff_at_it) {
  brink_engine *e = started(GAME, 1);
  double r[4] = {9, 9, 9, 9};
  cr_assert_eq(brink_returns(e, r, 3), BRINK_OK);
  cr_assert(r[0] == 0 && r[1] == 0 && r[2] == 0 && r[3] == 9);
  cr_assert_eq(brink_step(e), BRINK_OK);
  brink_returns(e, r, 3);
  cr_assert(r[0] == 0 && r[1] == 0 && r[2] == 0);
  cr_assert_eq(brink_finish(e, "crisis"), BRINK_DONE);
  cr_assert_eq(brink_returns(e, r, 4), BRINK_OK);
  cr_assert(r[0] == -3 && r[1] == -1 && r[2] == -5 && r[3] == 9,
            "only the actors are written");
  /* A short buffer gets the first actors only. */
  r[0] = r[1] = 9;
  cr_assert_eq(brink_returns(e, r, 1), BRINK_OK);
  cr_assert(r[0] == -3 && r[1] == 9);
  cr_assert_eq(brink_returns(e, NULL, 0), BRINK_OK);
  cr_assert_eq(brink_returns(e, NULL, 2), BRINK_EINVAL);
  brink_engine_close(e);
}

Test(payoff, an_outcome_without_a_table_and_an_error_return_zero) {
  const char *ends[] = {"stalemate", "error"};
  for (int i = 0; i < 2; i++) {
    brink_engine *e = started(GAME, 1);
    cr_assert_eq(brink_finish(e, ends[i]), BRINK_DONE);
    double r[3] = {9, 9, 9};
    cr_assert_eq(brink_returns(e, r, 3), BRINK_OK);
    cr_assert(r[0] == 0 && r[1] == 0 && r[2] == 0, "%s", ends[i]);
    brink_engine_close(e);
  }
}

Test(payoff, a_run_played_to_its_end_returns_its_outcomes_payoff) {
  for (uint64_t seed = 1; seed <= 20; seed++) {
    brink_engine *e = started(GAME, seed);
    cr_assert_eq(brink_run(e), BRINK_DONE);
    double r[3], want;
    cr_assert_eq(brink_returns(e, r, 3), BRINK_OK);
    for (int a = 0; a < 3; a++) {
      brink_outcome_payoff(e, outcome_id(e, brink_outcome(e)), a, &want);
      cr_assert_eq(r[a], want, "seed %d actor %d", (int)seed, a);
    }
    brink_engine_close(e);
  }
}

Test(payoff, score_takes_precedence_over_payoff_tables) {
  brink_engine *e = started(GAME "score = function(w, actor)\n"
                            "  return actor == 'DPRK' and w.talks or 7 end\n",
                            1);
  double r[3];
  cr_assert_eq(brink_returns(e, r, 3), BRINK_OK);
  cr_assert(r[0] == 7 && r[1] == 20 && r[2] == 7);
  cr_assert_eq(brink_finish(e, "crisis"), BRINK_DONE);
  cr_assert_eq(brink_returns(e, r, 3), BRINK_OK);
  cr_assert(r[0] == 7 && r[1] == 20 && r[2] == 7);
  brink_engine_close(e);
}

Test(payoff, has_payoffs_for_none_a_score_or_a_table) {
  const char *plain = HEADER_OPEN "actor 'USA' {}\noutcome 'stalemate' {}\n";
  brink_engine *e = load_ok(plain);
  cr_assert_eq(brink_has_payoffs(e), 0);
  double r = 9;
  cr_assert_eq(brink_returns(e, &r, 1), BRINK_OK);
  cr_assert_eq(r, 0);
  brink_engine_close(e);
  e = load_ok(HEADER_OPEN "actor 'USA' {}\noutcome 'stalemate' {}\n"
              "score = function() return 1 end\n");
  cr_assert_eq(brink_has_payoffs(e), 1);
  brink_engine_close(e);
  e = load_ok(HEADER_OPEN "actor 'USA' {}\n"
              "outcome 'stalemate' { payoff = { USA = 0 } }\n");
  cr_assert_eq(brink_has_payoffs(e), 1);
  brink_engine_close(e);
}

/* load errors ------------------------------------------------------------ */

#define TWO HEADER "actor 'USA' {} actor 'DPRK' {}\n"
/* TWO is 2 lines; the declaration under test is on line 3. */

/* Each declaration (on line 3) and the first message its load gives. */
static void assert_load_errors(const char *const (*cases)[2], int n) {
  for (int i = 0; i < n; i++) {
    char src[1024];
    snprintf(src, sizeof src, "%s%s\n", TWO, cases[i][0]);
    cr_assert_str_eq(load_error(src), cases[i][1], "%s", cases[i][0]);
  }
}

Test(payoff, a_misspelt_actor_in_a_payoff_is_a_load_error_with_a_suggestion) {
  static const char *const cases[][2] = {
      {"outcome 'deal' { payoff = { USAA = 1 } }",
       "test.lua:3: outcome 'deal': payoff: unknown actor 'USAA' (did you "
       "mean 'USA'?)"},
      {"outcome 'deal' { payoff = { USA = 'x' } }",
       "test.lua:3: outcome 'deal': payoff for 'USA' must be a finite "
       "number"},
      {"outcome 'deal' { payoff = { 1, 2 } }",
       "test.lua:3: outcome 'deal': payoff keys must be actor ids"},
      {"outcome 'deal' { payoff = 3 }",
       "test.lua:3: outcome 'deal': 'payoff' must be a table { ACTOR = "
       "number, ... }, not number"},
  };
  assert_load_errors(cases, 4);
}

Test(payoff, a_prior_outside_the_bounds_is_a_load_error) {
  static const char *const cases[][2] = {
      {"var 'x' { min = 0, max = 10, prior = { 5, 20 } }",
       "test.lua:3: var 'x': prior { 5, 20 } of 'x' is outside its bounds "
       "[0, 10]"},
      {"var 'DPRK.n' { type = 'integer', min = 0, prior = { -1, 3 } }",
       "test.lua:3: var 'DPRK.n': prior { -1, 3 } of 'DPRK.n' is outside "
       "its bounds [0, inf]"},
      {"var 'x' { prior = { 5, 1 } }",
       "test.lua:3: var 'x': prior of 'x' must be { lo, hi } with finite "
       "lo <= hi"},
      {"var 'f' { type = 'flag', prior = 1.5 }",
       "test.lua:3: var 'f': prior of flag 'f' must be a probability from 0 "
       "to 1"},
  };
  assert_load_errors(cases, 4);
}

Test(payoff, a_prior_of_the_wrong_shape_is_a_load_error) {
  static const char *const cases[][2] = {
      {"var 'x' { prior = 3 }",
       "test.lua:3: var 'x': a number's prior is a range: prior = { lo, hi }"},
      {"var 'x' { prior = { 1, 2, 3 } }",
       "test.lua:3: var 'x': a number's prior is a range: prior = { lo, hi }"},
      {"var 'n' { type = 'integer', prior = { 1, 2.5 } }",
       "test.lua:3: var 'n': prior of integer 'n' needs whole numbers for lo "
       "and hi"},
      {"var 'f' { type = 'flag', prior = { 0.3 } }",
       "test.lua:3: var 'f': a flag's prior is the probability of true: "
       "prior = 0.3 or { p = 0.3 }"},
      {"var 'g' { type = 'enum', values = { 'calm', 'tense' },"
       " prior = { clam = 1 } }",
       "test.lua:3: var 'g': prior: 'clam' (did you mean 'calm'?) is not one "
       "of its values"},
      {"var 'g' { type = 'enum', values = { 'calm', 'tense' }, prior = 0.5 }",
       "test.lua:3: var 'g': an enum's prior weighs its values by name: "
       "prior = { calm = 3, ... }"},
      {"var 'g' { type = 'enum', values = { 'calm', 'tense' },"
       " prior = { calm = 0 } }",
       "test.lua:3: var 'g': prior of enum 'g' needs a positive weight for "
       "some value"},
      {"var 'x' { hidden = true, visible = 'public' }",
       "test.lua:3: var 'x': give 'hidden' or 'visible', not both"},
  };
  assert_load_errors(cases, 8);
}

/* priors and hidden ------------------------------------------------------ */

Test(payoff, hidden_is_owner_visibility) {
  brink_engine *e = load_ok(GAME);
  int v = var_id(e, "DPRK.warheads");
  cr_assert_eq(brink_var_visible(e, v, DPRK), 1);
  cr_assert_eq(brink_var_visible(e, v, USA), 0);
  cr_assert_eq(brink_var_visible(e, var_id(e, "talks"), USA), 1);
  brink_engine_close(e);
  e = load_ok(TWO "var 'x' { hidden = false }\n");
  cr_assert_eq(brink_var_visible(e, var_id(e, "x"), USA), 1);
  brink_engine_close(e);
}

Test(payoff, a_prior_reads_back_as_its_mean) {
  brink_engine *e = load_ok(GAME);
  double m;
  cr_assert_eq(brink_var_prior(e, var_id(e, "DPRK.warheads"), &m), BRINK_OK);
  cr_assert_eq(m, 40);
  brink_var_prior(e, var_id(e, "DPRK.skill"), &m);
  cr_assert_eq(m, 55);
  brink_var_prior(e, var_id(e, "DPRK.ready"), &m);
  cr_assert_eq(m, 0.25);
  brink_var_prior(e, var_id(e, "DPRK.plan"), &m);
  cr_assert_eq(m, 2, "the most likely value: 'talk'");
  m = 9;
  cr_assert_eq(brink_var_prior(e, var_id(e, "DPRK.secret"), &m),
               BRINK_ENOTFOUND);
  cr_assert_eq(m, 0);
  cr_assert_str_eq(brink_errmsg(e), "'DPRK.secret' declares no prior");
  cr_assert_eq(brink_var_prior(e, 99, &m), BRINK_EINVAL);
  brink_engine_close(e);
}

/* resampling ------------------------------------------------------------- */

static const char *const ALL[] = {"DPRK.warheads", "DPRK.skill", "DPRK.plan",
                                  "DPRK.ready", "DPRK.secret", "USA.resolve",
                                  "talks"};
#define NALL 7

static void values(brink_engine *e, double *out) {
  for (int i = 0; i < NALL; i++) out[i] = value_of(e, ALL[i]);
}

Test(payoff, resampling_changes_only_what_the_actor_cannot_see_with_a_prior) {
  int changed[NALL] = {0};
  for (uint64_t seed = 1; seed <= 50; seed++) {
    brink_engine *e = started(GAME, 1);
    double before[NALL], after[NALL];
    values(e, before);
    cr_assert_eq(brink_resample_hidden(e, USA, seed), BRINK_OK);
    values(e, after);
    for (int i = 0; i < NALL; i++) changed[i] += before[i] != after[i];
    brink_engine_close(e);
  }
  /* The DPRK's four with priors move; its unprioritised secret, the
     USA's own resolve and the public talks never do. */
  for (int i = 0; i < 4; i++) cr_assert_gt(changed[i], 10, "%s", ALL[i]);
  cr_assert_eq(changed[4], 0);
  cr_assert_eq(changed[5], 0);
  cr_assert_eq(changed[6], 0);
  brink_engine *e = started(GAME, 1);
  cr_assert_eq(brink_resample_hidden(e, DPRK, 3), BRINK_OK);
  cr_assert_eq(value_of(e, "DPRK.warheads"), 30);
  cr_assert_neq(value_of(e, "USA.resolve"), 5);
  cr_assert_eq(brink_resample_hidden(e, 3, 3), BRINK_EINVAL);
  cr_assert_eq(brink_resample_hidden(e, -1, 3), BRINK_EINVAL);
  brink_engine_close(e);
}

Test(payoff, resampling_is_deterministic_for_a_seed_and_differs_across) {
  double a[NALL], b[NALL], c[NALL];
  brink_engine *e = started(GAME, 1);
  brink_resample_hidden(e, USA, 42);
  values(e, a);
  brink_resample_hidden(e, USA, 42);
  values(e, b);
  brink_resample_hidden(e, USA, 43);
  values(e, c);
  brink_engine_close(e);
  cr_assert_arr_eq(a, b, sizeof a);
  cr_assert_neq(a[0] * 1000 + a[1], c[0] * 1000 + c[1]);
}

Test(payoff, draws_stay_within_the_prior) {
  int plans[3] = {0}, ready = 0;
  for (uint64_t seed = 0; seed < 400; seed++) {
    brink_engine *e = started(GAME, 1);
    brink_resample_hidden(e, ROK, seed);
    double w = value_of(e, "DPRK.warheads"), s = value_of(e, "DPRK.skill");
    cr_assert(w >= 20 && w <= 60 && w == floor(w), "%g", w);
    cr_assert(s >= 30 && s <= 80, "%g", s);
    plans[(int)value_of(e, "DPRK.plan")]++;
    ready += value_of(e, "DPRK.ready") == 1;
    brink_engine_close(e);
  }
  cr_assert_eq(plans[1], 0, "a value of weight 0 is never drawn");
  cr_assert(plans[2] > plans[0] * 2, "%d %d", plans[0], plans[2]);
  cr_assert(ready > 60 && ready < 140, "%d of 400 at p = 0.25", ready);
}

Test(payoff, resampling_never_touches_the_runs_generator) {
  brink_engine *a = started(GAME, 5), *b;
  cr_assert_eq(brink_step(a), BRINK_OK);
  cr_assert_eq(brink_engine_clone(a, &b), BRINK_OK);
  double kept[NALL];
  values(b, kept);
  cr_assert_eq(brink_resample_hidden(b, USA, 77), BRINK_OK);
  for (int i = 0; i < 3; i++) cr_assert_eq(brink_random(a), brink_random(b));
  /* Put the same values back: the rest of the run is the same as without. */
  for (int i = 0; i < NALL; i++)
    cr_assert_eq(brink_var_set(b, var_id(b, ALL[i]), kept[i]), BRINK_OK);
  cr_assert_eq(brink_run(a), BRINK_DONE);
  cr_assert_eq(brink_run(b), BRINK_DONE);
  cr_assert_str_eq(brink_outcome(a), brink_outcome(b));
  cr_assert_eq(brink_turn(a), brink_turn(b));
  double va[NALL], vb[NALL];
  values(a, va);
  values(b, vb);
  cr_assert_arr_eq(va, vb, sizeof va);
  brink_engine_close(a);
  brink_engine_close(b);
}

static void count_resample_sets(void *ud, const brink_record *r) {
  if (r->kind == BRINK_REC_SET && strcmp(r->cause, "resample") == 0)
    ++*(int *)ud;
}

Test(payoff, resampling_is_journaled_and_a_transaction_rolls_it_back) {
  brink_engine *e = started(GAME, 1);
  int sets = 0;
  brink_on_record(e, count_resample_sets, &sets);
  double before[NALL], after[NALL];
  values(e, before);
  cr_assert_eq(brink_txn_begin(e), BRINK_OK);
  cr_assert_eq(brink_resample_hidden(e, USA, 9), BRINK_OK);
  values(e, after);
  cr_assert_neq(before[0] * 1000 + before[1], after[0] * 1000 + after[1]);
  cr_assert_eq(sets, 0, "nothing reaches the timeline inside a transaction");
  cr_assert_eq(brink_txn_rollback(e), BRINK_OK);
  values(e, after);
  cr_assert_arr_eq(before, after, sizeof before);
  cr_assert_eq(brink_resample_hidden(e, USA, 9), BRINK_OK);
  cr_assert_gt(sets, 1, "each change is a 'set' with the cause 'resample'");
  brink_engine_close(e);
}

Test(payoff, reseeding_mid_run_keeps_the_world_and_changes_later_draws) {
  brink_engine *a = started(GAME, 5), *b, *c;
  cr_assert_eq(brink_step(a), BRINK_OK);
  cr_assert_eq(brink_step(a), BRINK_OK);
  cr_assert_eq(brink_engine_clone(a, &b), BRINK_OK);
  cr_assert_eq(brink_engine_clone(a, &c), BRINK_OK);
  double before[NALL], after[NALL];
  values(b, before);
  cr_assert_eq(brink_seed(b, 99), BRINK_OK);
  cr_assert_eq(brink_seed(c, 99), BRINK_OK);
  values(b, after);
  cr_assert_arr_eq(before, after, sizeof before);
  cr_assert_eq(brink_turn(b), brink_turn(a));
  double x = brink_random(b);
  cr_assert_neq(x, brink_random(a));
  cr_assert_eq(x, brink_random(c), "the same new seed, the same draws");
  brink_engine_close(a);
  brink_engine_close(b);
  brink_engine_close(c);
}

Test(payoff, a_refused_allocation_while_resampling_changes_nothing) {
  int failed = 0;
  for (long k = 1; k < 40; k++) {
    one_shot o = {0, 0};
    brink_engine *e;
    cr_assert_eq(open_failing(&e, &o), BRINK_OK);
    const char *src = GAME;
    cr_assert_eq(brink_load_string(e, "test.lua", src, strlen(src)), BRINK_OK);
    cr_assert_eq(brink_start(e, 1), BRINK_OK);
    double before[NALL], after[NALL];
    values(e, before);
    o.fail_at = o.count + k;
    int rc = brink_resample_hidden(e, USA, 5);
    o.fail_at = 0;
    values(e, after);
    if (rc == BRINK_OK) {
      cr_assert_neq(before[0] * 1000 + before[1], after[0] * 1000 + after[1]);
    } else {
      cr_assert_eq(rc, BRINK_ENOMEM, "%s", brink_errmsg(e));
      cr_assert_arr_eq(before, after, sizeof before, "allocation %ld", k);
      cr_assert_eq(brink_txn_depth(e), 0);
      failed++;
    }
    brink_engine_close(e);
  }
  cr_assert_gt(failed, 0, "resampling allocated nothing to refuse");
}

/* copies ----------------------------------------------------------------- */

static void assert_same_declarations(brink_engine *e) {
  double x;
  brink_outcome_payoff(e, outcome_id(e, "crisis"), ROK, &x);
  cr_assert_eq(x, -5);
  brink_outcome_payoff(e, outcome_id(e, "deal"), DPRK, &x);
  cr_assert_eq(x, 2);
  cr_assert_eq(brink_var_prior(e, var_id(e, "DPRK.warheads"), &x), BRINK_OK);
  cr_assert_eq(x, 40);
  cr_assert_eq(brink_var_prior(e, var_id(e, "DPRK.plan"), &x), BRINK_OK);
  cr_assert_eq(x, 2);
  cr_assert_eq(brink_var_visible(e, var_id(e, "DPRK.plan"), USA), 0);
  cr_assert_eq(brink_has_payoffs(e), 1);
}

Test(payoff, payoffs_priors_and_hidden_survive_clones_and_saved_states) {
  brink_engine *e = started(GAME, 3), *c, *f;
  cr_assert_eq(brink_step(e), BRINK_OK);
  cr_assert_eq(brink_engine_clone(e, &c), BRINK_OK);
  assert_same_declarations(c);
  void *buf;
  size_t len;
  cr_assert_eq(brink_state_save(e, &buf, &len), BRINK_OK);
  f = load_ok(GAME);
  cr_assert_eq(brink_state_load(f, buf, len), BRINK_OK);
  brink_buffer_free(buf);
  assert_same_declarations(f);
  /* The copies resample as the original does. */
  double a[NALL], b[NALL];
  brink_resample_hidden(e, USA, 11);
  brink_resample_hidden(f, USA, 11);
  values(e, a);
  values(f, b);
  cr_assert_arr_eq(a, b, sizeof a);
  brink_engine_close(e);
  brink_engine_close(c);
  brink_engine_close(f);
}

/* the flagship ------------------------------------------------------------ */

#define KOREA "scripts/scenarios/korea-2019.lua"

Test(payoff, korea_gives_every_outcome_a_table_and_its_hidden_values_priors) {
  brink_engine *e;
  cr_assert_eq(brink_engine_open(&e, NULL), BRINK_OK);
  cr_assert_eq(brink_load_file(e, KOREA), BRINK_OK, "%s", brink_errmsg(e));
  cr_assert_eq(brink_has_payoffs(e), 1);
  int n = brink_actor_count(e);
  for (int o = 0; o < brink_outcome_count(e); o++) {
    int nonzero = 0;
    for (int a = 0; a < n; a++) {
      double x;
      cr_assert_eq(brink_outcome_payoff(e, o, a, &x), BRINK_OK);
      cr_assert(x >= -10 && x <= 10);
      nonzero += x != 0;
    }
    cr_assert_gt(nonzero, 0, "%s has no payoff", brink_outcome_name(e, o));
  }
  /* Each actor prefers the deal to the crisis but Pyongyang, Beijing and
     Moscow prefer the alliance's end to both. */
  int deal = outcome_id(e, "deal"), crisis = outcome_id(e, "crisis");
  int neutral = outcome_id(e, "neutralization");
  for (int a = 0; a < n; a++) {
    double d, c, x;
    brink_outcome_payoff(e, deal, a, &d);
    brink_outcome_payoff(e, crisis, a, &c);
    brink_outcome_payoff(e, neutral, a, &x);
    cr_assert_gt(d, c, "%s", brink_actor_id(e, a));
    const char *id = brink_actor_id(e, a);
    bool wants_it = !strcmp(id, "DPRK") || !strcmp(id, "PRC") ||
                    !strcmp(id, "RUS");
    cr_assert_eq(x > d, wants_it, "%s", id);
  }
  double m;
  cr_assert_eq(brink_var_prior(e, var_id(e, "DPRK.warheads"), &m), BRINK_OK);
  cr_assert_eq(m, 40);
  cr_assert_eq(brink_var_prior(e, var_id(e, "DPRK.missile_skill"), &m),
               BRINK_OK);
  cr_assert_eq(m, 50);
  /* Everything else is public: the USA's resample touches these two. */
  int usa;
  brink_actor_find(e, "USA", &usa);
  for (int v = 0; v < brink_var_count(e); v++)
    if (!brink_var_visible(e, v, usa))
      cr_assert_eq(brink_var_prior(e, v, &m), BRINK_OK, "%s",
                   brink_var_name(e, v));
  brink_engine_close(e);
}

Test(payoff, a_korea_run_returns_its_outcomes_payoff) {
  for (uint64_t seed = 1; seed <= 10; seed++) {
    brink_engine *e;
    cr_assert_eq(brink_engine_open(&e, NULL), BRINK_OK);
    cr_assert_eq(brink_load_file(e, KOREA), BRINK_OK);
    cr_assert_eq(brink_start(e, seed), BRINK_OK);
    cr_assert_eq(brink_run(e), BRINK_DONE);
    double r[6], want;
    cr_assert_eq(brink_returns(e, r, 6), BRINK_OK);
    int o = outcome_id(e, brink_outcome(e));
    for (int a = 0; a < 6; a++) {
      brink_outcome_payoff(e, o, a, &want);
      cr_assert_eq(r[a], want);
    }
    brink_engine_close(e);
  }
}
