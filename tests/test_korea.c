/* The flagship scenario's key rules, driven through brink.h only.
   Tests run from the repository root. */
#define _DEFAULT_SOURCE   /* popen */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_fixture.h"

#include "brink.h"

#define KOREA "scripts/scenarios/korea-2019.lua"
#define TUTORIAL "scripts/scenarios/tutorial.lua"

/* The timeline of one run, collected by the record callback. */
typedef struct event {
  int kind, turn, date;
  char id[64];          /* trigger, event or outcome */
} event;

typedef struct timeline {
  brink_engine *e;
  event *ev;
  int n, cap;
  char *json;           /* every record as JSON Lines */
  size_t len, jcap;
} timeline;

static void collect(void *ud, const brink_record *r) {
  timeline *t = ud;
  if (t->n == t->cap) {
    t->cap = t->cap ? 2 * t->cap : 256;
    t->ev = realloc(t->ev, sizeof *t->ev * (size_t)t->cap);
  }
  event *v = &t->ev[t->n++];
  v->kind = r->kind;
  v->turn = r->turn;
  v->date = r->date;
  snprintf(v->id, sizeof v->id, "%s", r->id ? r->id : "");
  int need = brink_record_json(t->e, r, NULL, 0);
  cr_assert(need > 0);
  if (t->len + (size_t)need + 2 > t->jcap) {
    t->jcap = (t->len + (size_t)need + 2) * 2;
    t->json = realloc(t->json, t->jcap);
  }
  brink_record_json(t->e, r, t->json + t->len, (size_t)need + 1);
  t->len += (size_t)need;
  t->json[t->len++] = '\n';
  t->json[t->len] = '\0';
}

/* Opens an engine with the flagship loaded and the timeline collected. */
static brink_engine *korea(timeline *t) {
  brink_engine *e;
  cr_assert_eq(brink_engine_open(&e, NULL), BRINK_OK);
  int rc = brink_load_file(e, KOREA);
  cr_assert_eq(rc, BRINK_OK, "%s: %s", KOREA, brink_errmsg(e));
  memset(t, 0, sizeof *t);
  t->e = e;
  brink_on_record(e, collect, t);
  return e;
}

static void finish(brink_engine *e, timeline *t) {
  brink_engine_close(e);
  free(t->ev);
  free(t->json);
}

static int var(brink_engine *e, const char *name) {
  int id;
  cr_assert_eq(brink_var_find(e, name, &id), BRINK_OK, "%s", brink_errmsg(e));
  return id;
}

static double get(brink_engine *e, const char *name) {
  double v;
  cr_assert_eq(brink_var_get(e, var(e, name), &v), BRINK_OK);
  return v;
}

static void set(brink_engine *e, const char *name, double v) {
  cr_assert_eq(brink_var_set(e, var(e, name), v), BRINK_OK, "%s", brink_errmsg(e));
}

static int actor(brink_engine *e, const char *id) {
  int a;
  cr_assert_eq(brink_actor_find(e, id, &a), BRINK_OK);
  return a;
}

static int move(brink_engine *e, const char *name) {
  int m;
  cr_assert_eq(brink_move_find(e, name, &m), BRINK_OK, "%s", brink_errmsg(e));
  return m;
}

/* The turn in which trigger 'id' fired, or 0. */
static int fired_in(const timeline *t, const char *id, int *date) {
  for (int i = 0; i < t->n; i++)
    if (t->ev[i].kind == BRINK_REC_TRIGGER && strcmp(t->ev[i].id, id) == 0) {
      if (date) *date = t->ev[i].date;
      return t->ev[i].turn;
    }
  return 0;
}

/* Finds 'name' (on 'target', -1 for none) among the options of 'a'. */
static void option(brink_engine *e, int a, const char *name, int target,
                   int *legal, const char **reason) {
  int n, want = move(e, name);
  cr_assert_eq(brink_options(e, a, &n), BRINK_OK, "%s", brink_errmsg(e));
  for (int i = 0; i < n; i++) {
    int m, tg;
    cr_assert_eq(brink_option_get(e, i, &m, &tg, legal, reason), BRINK_OK);
    if (m == want && tg == target) return;
  }
  cr_assert_fail("%s is not among the options", name);
}

/* Keeps the run from ending before the turn under test: calm tension, a
   sound alliance, talks far from a deal. */
static void hold_steady(brink_engine *e, double negotiations) {
  set(e, "negotiations", negotiations);
  set(e, "USA.tension.DPRK", 40);
  set(e, "ROK.alliance", 60);
}

Test(korea, the_deadline_fires_in_the_december_2019_turn) {
  timeline t;
  brink_engine *e = korea(&t);
  cr_assert_eq(brink_start(e, brink_scenario_seed(e)), BRINK_OK);
  for (int turn = 1; turn <= 7; turn++) {
    hold_steady(e, 20);
    cr_assert_eq(brink_step(e), BRINK_OK, "turn %d: %s", turn, brink_errmsg(e));
  }
  cr_assert_eq(fired_in(&t, "year_end_deadline", NULL), 0, "fired before December");
  hold_steady(e, 20);   /* no deal in sight: the condition holds */
  int rc = brink_step(e);
  cr_assert(rc == BRINK_OK || rc == BRINK_DONE, "%s", brink_errmsg(e));
  int date, dec;
  cr_assert_eq(fired_in(&t, "year_end_deadline", &date), 8);
  cr_assert_eq(brink_date_parse("2019-12-01", &dec), BRINK_OK);
  cr_assert_eq(date, dec);
  cr_assert_eq(get(e, "DPRK.new_path"), 1);
  finish(e, &t);
}

Test(korea, the_deadline_passes_quietly_when_a_deal_is_in_sight) {
  timeline t;
  brink_engine *e = korea(&t);
  cr_assert_eq(brink_start(e, brink_scenario_seed(e)), BRINK_OK);
  for (int turn = 1; turn <= 7; turn++) {
    hold_steady(e, 20);
    cr_assert_eq(brink_step(e), BRINK_OK, "turn %d: %s", turn, brink_errmsg(e));
  }
  hold_steady(e, 100);  /* moves in December cannot bring it below 70 */
  cr_assert_eq(brink_step(e), BRINK_OK, "%s", brink_errmsg(e));
  cr_assert_eq(fired_in(&t, "year_end_deadline", NULL), 0);
  cr_assert_eq(get(e, "DPRK.new_path"), 0);
  finish(e, &t);
}

Test(korea, troop_cuts_below_22000_are_refused_with_the_ndaa_reason) {
  timeline t;
  brink_engine *e = korea(&t);
  int usa = actor(e, "USA"), rok = actor(e, "ROK"), legal;
  const char *reason;
  cr_assert_eq(brink_seat(e, usa, 1), BRINK_OK);
  cr_assert_eq(brink_start(e, brink_scenario_seed(e)), BRINK_OK);
  cr_assert_eq(brink_step(e), BRINK_AWAIT);
  cr_assert_eq(brink_awaiting(e), usa);

  option(e, usa, "cut_troops", rok, &legal, &reason);
  cr_assert(legal, "at 28,500 a cut is allowed");

  set(e, "USA.troops", 24500);   /* a cut of 2,500 lands exactly on the floor */
  option(e, usa, "cut_troops", rok, &legal, &reason);
  cr_assert(legal, "down to 22,000 is allowed");

  set(e, "USA.troops", 23000);
  option(e, usa, "cut_troops", rok, &legal, &reason);
  cr_assert_not(legal);
  cr_assert(strstr(reason, "FY2019 NDAA") && strstr(reason, "22,000"),
            "reason: %s", reason);

  /* Choosing it anyway is refused with the same words. */
  cr_assert_eq(brink_choose(e, move(e, "cut_troops"), rok), BRINK_EINVAL);
  cr_assert(strstr(brink_errmsg(e), "FY2019 NDAA"), "%s", brink_errmsg(e));
  cr_assert_eq(get(e, "USA.troops"), 23000);
  finish(e, &t);
}

Test(korea, a_nuclear_test_makes_china_lean_in) {
  timeline t;
  brink_engine *e = korea(&t);
  int dprk = actor(e, "DPRK"), prc = actor(e, "PRC"), legal;
  const char *reason;
  cr_assert_eq(brink_seat(e, dprk, 1), BRINK_OK);
  cr_assert_eq(brink_start(e, brink_scenario_seed(e)), BRINK_OK);
  cr_assert_eq(brink_step(e), BRINK_AWAIT);   /* the USA has moved by AI */
  cr_assert_eq(brink_awaiting(e), dprk);

  /* The ladder: no nuclear test while the missile moratorium holds. */
  option(e, dprk, "nuclear_test", -1, &legal, &reason);
  cr_assert_not(legal);
  cr_assert_str_eq(reason, "a long-range missile test would come first");

  set(e, "DPRK.icbm_moratorium", 0);
  double before = get(e, "PRC.enforcement");
  option(e, dprk, "nuclear_test", -1, &legal, &reason);
  cr_assert(legal);
  cr_assert_eq(brink_choose(e, move(e, "nuclear_test"), -1), BRINK_OK,
               "%s", brink_errmsg(e));
  int rc = brink_step(e);
  cr_assert(rc == BRINK_OK || rc == BRINK_DONE, "%s", brink_errmsg(e));

  cr_assert_eq(get(e, "DPRK.nuclear_moratorium"), 0);
  cr_assert_eq(fired_in(&t, "china_leans_in", NULL), 1);
  cr_assert_eq(get(e, "PRC.leaning_in"), 1);
  /* +3 from the trigger; China's own move that turn moves it by 1 at most */
  cr_assert_geq(get(e, "PRC.enforcement"), before + 2);

  /* Beijing no longer looks away at the border. */
  option(e, prc, "relax_enforcement", dprk, &legal, &reason);
  cr_assert_not(legal);
  cr_assert_str_eq(reason, "Beijing has turned to pressing Pyongyang");
  finish(e, &t);
}

Test(korea, setting_the_nuclear_moratorium_false_also_makes_china_lean_in) {
  timeline t;
  brink_engine *e = korea(&t);
  cr_assert_eq(brink_start(e, brink_scenario_seed(e)), BRINK_OK);
  set(e, "DPRK.nuclear_moratorium", 0);
  int rc = brink_step(e);
  cr_assert(rc == BRINK_OK || rc == BRINK_DONE, "%s", brink_errmsg(e));
  cr_assert_eq(fired_in(&t, "china_leans_in", NULL), 1);
  cr_assert_eq(get(e, "PRC.leaning_in"), 1);
  finish(e, &t);
}

Test(korea, the_norths_arsenal_is_hidden_from_the_others) {
  timeline t;
  brink_engine *e = korea(&t);
  int w = var(e, "DPRK.warheads"), s = var(e, "DPRK.missile_skill");
  cr_assert(brink_var_visible(e, w, actor(e, "DPRK")));
  cr_assert(brink_var_visible(e, s, actor(e, "DPRK")));
  cr_assert_not(brink_var_visible(e, w, actor(e, "USA")));
  cr_assert_not(brink_var_visible(e, s, actor(e, "PRC")));
  cr_assert(brink_var_visible(e, var(e, "DPRK.sanctions"), actor(e, "USA")));
  finish(e, &t);
}

/* Plays one run to its end; returns the outcome (static copy). */
static const char *play(uint64_t seed, const char *usa, const char *dprk,
                        int *deadline) {
  static char outcome[64];
  timeline t;
  brink_engine *e = korea(&t);
  if (usa) cr_assert_eq(brink_policy_assign(e, actor(e, "USA"), usa), BRINK_OK);
  if (dprk) cr_assert_eq(brink_policy_assign(e, actor(e, "DPRK"), dprk), BRINK_OK);
  cr_assert_eq(brink_start(e, seed), BRINK_OK);
  int rc = brink_run(e);
  cr_assert_eq(rc, BRINK_DONE, "seed %llu: %s", (unsigned long long)seed,
               brink_errmsg(e));
  snprintf(outcome, sizeof outcome, "%s", brink_outcome(e));
  if (deadline) *deadline = fired_in(&t, "year_end_deadline", NULL) == 8;
  finish(e, &t);
  return outcome;
}

Test(korea, every_named_policy_plays_to_an_end) {
  const char *usa[] = {NULL, "pressure", "engagement"};
  const char *dprk[] = {NULL, "brinkmanship", "patience"};
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++)
      for (uint64_t seed = 1; seed <= 5; seed++) {
        const char *o = play(seed, usa[i], dprk[j], NULL);
        cr_assert(strcmp(o, "deal") == 0 || strcmp(o, "crisis") == 0 ||
                  strcmp(o, "neutralization") == 0 || strcmp(o, "stalemate") == 0,
                  "outcome %s", o);
      }
}

Test(korea, pressure_and_brinkmanship_bring_more_crises_than_engagement_and_patience) {
  int hard = 0, soft = 0;
  for (uint64_t seed = 1; seed <= 100; seed++) {
    hard += strcmp(play(seed, "pressure", "brinkmanship", NULL), "crisis") == 0;
    soft += strcmp(play(seed, "engagement", "patience", NULL), "crisis") == 0;
  }
  cr_assert_gt(hard, soft + 50, "crises: pressure+brinkmanship %d, engagement+patience %d",
               hard, soft);
}

Test(korea, the_default_ai_meets_the_balance_targets_over_200_seeds) {
  const char *names[] = {"deal", "crisis", "neutralization", "stalemate"};
  int count[4] = {0}, deadline = 0, runs = 200;
  for (uint64_t seed = 1; seed <= (uint64_t)runs; seed++) {
    int fired;
    const char *o = play(seed, NULL, NULL, &fired);
    deadline += fired;
    for (int k = 0; k < 4; k++) count[k] += strcmp(o, names[k]) == 0;
  }
  int common = 0;
  for (int k = 0; k < 4; k++) {
    cr_assert_leq(count[k], runs * 70 / 100, "%s in %d of %d runs", names[k], count[k], runs);
    common += count[k] >= runs * 5 / 100;
  }
  cr_assert_geq(common, 3, "deal %d, crisis %d, neutralization %d, stalemate %d",
                count[0], count[1], count[2], count[3]);
  cr_assert_gt(deadline, runs / 2, "the deadline fired in %d of %d runs", deadline, runs);
}

Test(korea, the_same_seed_gives_the_same_timeline) {
  timeline a, b;
  brink_engine *e = korea(&a), *f = korea(&b);
  cr_assert_eq(brink_start(e, 7), BRINK_OK);
  cr_assert_eq(brink_start(f, 7), BRINK_OK);
  cr_assert_eq(brink_run(e), BRINK_DONE);
  cr_assert_eq(brink_run(f), BRINK_DONE);
  cr_assert_str_eq(a.json, b.json);
  finish(e, &a);
  finish(f, &b);
}

Test(korea, the_scenario_and_the_tutorial_pass_brink_check) {
  const char *files[] = {KOREA, TUTORIAL};
  for (int i = 0; i < 2; i++) {
    brink_engine *e;
    cr_assert_eq(brink_engine_open(&e, NULL), BRINK_OK);
    int rc = brink_load_file(e, files[i]);
    cr_assert_eq(rc, BRINK_OK, "%s: %s", files[i], brink_errmsg(e));
    cr_assert_eq(brink_diag_count(e), 0, "%s: %s", files[i], brink_diag_get(e, 0));
    brink_engine_close(e);
  }
  const char *bin = brink();
  for (int i = 0; i < 2; i++) {
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s check %s >/dev/null 2>&1", bin, files[i]);
    int st = system(cmd);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "brink check %s failed", files[i]);
  }
}

Test(korea, the_tutorial_plays_to_an_end) {
  brink_engine *e;
  cr_assert_eq(brink_engine_open(&e, NULL), BRINK_OK);
  cr_assert_eq(brink_load_file(e, TUTORIAL), BRINK_OK, "%s", brink_errmsg(e));
  cr_assert_eq(brink_start(e, brink_scenario_seed(e)), BRINK_OK);
  cr_assert_eq(brink_run(e), BRINK_DONE, "%s", brink_errmsg(e));
  brink_engine_close(e);
}

Test(korea, the_embedding_example_plays_the_flagship_as_the_usa) {
  const char *build = need_env("BRINK_BUILD");
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "%s/examples/embed %s 2>&1", build, KOREA);
  result r = shell(cmd);
  const char *out = r.out;
  cr_assert_eq(r.status, 0, "embed failed:\n%s", out);
  cr_assert(strstr(out, "USA to move, turn 1:"), "%s", out);
  cr_assert(strstr(out, "[not now: "), "no illegal option listed with its reason");
  cr_assert(strstr(out, "{\"t\":\"end\","), "no end record");
  cr_assert(strstr(out, "outcome: "), "no outcome line");
  done(r);
}
