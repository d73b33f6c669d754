/*
** Beliefs (issue 14 part 5): what an actor takes a hidden variable to be,
** declared, changed by effects, read by views and observations, carried
** by snapshots, saved states, session saves and replays, and set against
** the truth in the report.
*/
#include <math.h>
#include <unistd.h>

#include "brink_session.h"
#include "cli_fixture.h"
#include "lang_fixture.h"
#include "report.h"
#include "sha256.h"

/* B's arms are hidden from A and C; A starts with an estimate, C knows
   nothing.  B's mood: a point for A. */
#define WORLD                                                               \
  HEADER "actor 'A' {}\nactor 'B' {}\nactor 'C' {}\n"                       \
  "var 'B.arms' { type = 'integer', min = 0, max = 100, init = 30,\n"       \
  "  hidden = true, prior = { 0, 10 }, believed = { A = { 20, 40 } } }\n"   \
  "var 'B.mood' { type = 'enum', values = { 'calm', 'angry' },\n"           \
  "  init = 'angry', hidden = true, believed = 'calm' }\n"                  \
  "var 'talks' { min = 0, max = 100, init = 10 }\n"

static void assert_belief(brink_engine *e, const char *actor,
                          const char *var, double lo, double hi) {
  double l, h;
  cr_assert_eq(brink_belief_get(e, actor_id(e, actor), var_id(e, var),
                                &l, &h), BRINK_OK, "%s", brink_errmsg(e));
  cr_assert(l == lo && h == hi, "%s believes %s is %g..%g, not %g..%g",
            actor, var, l, h, lo, hi);
}

Test(beliefs, declared_beliefs_are_ranges_points_or_unknown) {
  brink_engine *e = load_ok(WORLD);
  cr_assert_eq(brink_start(e, 1), BRINK_OK);
  int a = actor_id(e, "A"), c = actor_id(e, "C");
  int arms = var_id(e, "B.arms");
  assert_belief(e, "A", "B.arms", 20, 40);
  assert_belief(e, "C", "B.arms", 0, 100);   /* the whole range */
  assert_belief(e, "B", "B.arms", 30, 30);   /* it sees the truth */
  assert_belief(e, "A", "B.mood", 0, 0);     /* 'calm', for all */
  assert_belief(e, "C", "B.mood", 0, 0);
  cr_assert_eq(brink_belief_known(e, a, arms), 1);
  cr_assert_eq(brink_belief_known(e, c, arms), 0);
  /* Observations: a known belief's middle, else the prior's mean. */
  double obs[64];
  int n = brink_observation_size(e);
  cr_assert_leq(n, 64);
  cr_assert_eq(brink_observation(e, a, obs, n), BRINK_OK);
  cr_assert_eq(obs[2 + arms], 30);
  cr_assert_eq(obs[2 + brink_var_count(e) + arms], 0, "still unseen");
  cr_assert_eq(brink_observation(e, c, obs, n), BRINK_OK);
  cr_assert_eq(obs[2 + arms], 5, "the prior's mean");
  brink_engine_close(e);
}

Test(beliefs, bad_declarations_are_found_when_loading) {
  cr_assert(strstr(load_error(HEADER "actor 'A' {}\n"
                              "var 'x' { min = 0, max = 9, believed = 3 }\n"),
                   "seen by every actor"));
  cr_assert(strstr(load_error(HEADER "actor 'A' {}\nvar 'x' { min = 0, "
                              "max = 9, hidden = true, believed = { Z = 3 } }"
                              "\n"), "no actor 'Z'"));
  cr_assert(strstr(load_error(HEADER "actor 'A' {}\nvar 'x' { min = 0, "
                              "max = 9, hidden = true, believed = { 5, 12 } }"
                              "\n"), "not a range of values"));
}

/* Effects change beliefs; each change is a record with its cause. */
Test(beliefs, believe_and_reveal_in_effects_leave_belief_records) {
  char *log = play(WORLD
                   "on('turn_start', function(w)\n"
                   "  if w.date.turn ~= 1 then return end\n"
                   "  believe('A', 'B.arms', 25, 35)\n"
                   "  local lo, hi, known = belief('A', 'B.arms')\n"
                   "  news('A: %d-%d %s, view %s', lo, hi, tostring(known),\n"
                   "       tostring(view('A').B.arms))\n"
                   "  reveal('B.mood', '*')\n"
                   "  believe('C', 'B.arms', 70)\n"
                   "  news('C: %s %s; A talks %s', tostring(view('C').B.arms),"
                   "\n       view('C').B.mood, tostring(view('A').talks))\n"
                   "end)\n", 1, NULL);
  assert_has(log, "{\"t\":\"belief\",\"turn\":1,\"actor\":\"A\",\"var\":"
                  "\"B.arms\",\"lo\":25,\"hi\":35,\"cause\":"
                  "\"hook:turn_start\"}");
  assert_has(log, "\"text\":\"A: 25-35 true, view 30\"");
  assert_has(log, "{\"t\":\"belief\",\"turn\":1,\"actor\":\"A\",\"var\":"
                  "\"B.mood\",\"lo\":\"angry\",\"hi\":\"angry\"");
  assert_lacks(log, "\"actor\":\"B\",\"var\":\"B.mood\"");
  assert_has(log, "\"text\":\"C: 70 angry; A talks 10\"");
  free(log);
}

Test(beliefs, a_failed_effect_takes_its_beliefs_back) {
  brink_engine *e = load_ok(WORLD
                            "on('turn_start', function(w)\n"
                            "  believe('A', 'B.arms', 1)\n"
                            "  error('boom')\n"
                            "end)\n");
  transcript t = {e, calloc(1, 1), 0, 1};
  brink_on_record(e, transcript_add, &t);
  cr_assert_eq(brink_start(e, 1), BRINK_OK);
  brink_run(e);
  assert_belief(e, "A", "B.arms", 20, 40);
  assert_lacks(t.text, "\"t\":\"belief\"");
  assert_has(t.text, "boom");
  free(t.text);
  brink_engine_close(e);
}

Test(beliefs, conditions_read_views_but_cannot_change_beliefs) {
  char *log = play(WORLD
                   "move 'probe' { by = 'A',\n"
                   "  when = function(w) return view('A').B.arms > 100, "
                   "'not yet' end,\n"
                   "  effect = function() end }\n"
                   "move 'cheat' { by = 'C',\n"
                   "  when = function(w) believe('C', 'B.arms', 1) "
                   "return true end,\n"
                   "  effect = function() end }\n", 1, NULL);
  assert_has(log, "conditions are read-only: cannot change what C believes "
                  "of B.arms");
  assert_lacks(log, "\"move\":\"probe\"");
  free(log);
  /* A view cannot be assigned, and a visible variable has no belief. */
  cr_assert(strstr(error_of(WORLD "on('turn_start', function() "
                            "view('A').talks = 3 end)\n"),
                   "is a view: it cannot be assigned"));
  cr_assert(strstr(error_of(WORLD "on('turn_start', function() "
                            "believe('B', 'B.arms', 3) end)\n"),
                   "B sees B.arms: it has no belief about it to change"));
}

Test(beliefs, snapshots_and_saved_states_carry_beliefs) {
  brink_engine *e = load_ok(WORLD);
  cr_assert_eq(brink_start(e, 1), BRINK_OK);
  int a = actor_id(e, "A"), arms = var_id(e, "B.arms");
  cr_assert_eq(brink_belief_set(e, a, arms, 10, 12), BRINK_OK);
  brink_snapshot *snap;
  cr_assert_eq(brink_snapshot_take(e, &snap), BRINK_OK);
  void *saved;
  size_t len;
  cr_assert_eq(brink_state_save(e, &saved, &len), BRINK_OK);
  cr_assert_eq(brink_belief_set(e, a, arms, 50, 50), BRINK_OK);
  cr_assert_eq(brink_snapshot_restore(e, snap), BRINK_OK);
  assert_belief(e, "A", "B.arms", 10, 12);
  cr_assert_eq(brink_start(e, 1), BRINK_OK);
  assert_belief(e, "A", "B.arms", 20, 40);   /* a new run starts over */
  cr_assert_eq(brink_state_load(e, saved, len), BRINK_OK, "%s",
               brink_errmsg(e));
  assert_belief(e, "A", "B.arms", 10, 12);
  brink_engine *c;
  cr_assert_eq(brink_engine_clone(e, &c), BRINK_OK);
  assert_belief(c, "A", "B.arms", 10, 12);
  brink_engine_close(c);
  brink_snapshot_free(snap);
  brink_buffer_free(saved);
  brink_engine_close(e);
}

Test(beliefs, a_state_saved_before_beliefs_loads_with_the_declared_ones) {
  brink_engine *e = load_ok(WORLD);
  cr_assert_eq(brink_start(e, 1), BRINK_OK);
  int a = actor_id(e, "A"), arms = var_id(e, "B.arms");
  cr_assert_eq(brink_belief_set(e, a, arms, 10, 12), BRINK_OK);
  unsigned char *p;
  size_t n;
  cr_assert_eq(brink_state_save(e, (void **)&p, &n), BRINK_OK);
  /* Format 2 is format 3 without the beliefs at the end: their count
     and two doubles each, before the checksum. */
  int32_t count;
  size_t tail = 32 + 4 + 16 * (size_t)(2 * 3);   /* 2 hidden x 3 actors */
  memcpy(&count, p + n - tail, 4);
  cr_assert_eq(count, 6);
  unsigned char *old = malloc(n - 4 - 16 * 6);
  size_t m = n - 4 - 16 * 6;
  memcpy(old, p, m - 32);
  old[8] = 2;   /* the version, little-endian */
  brink__sha256(old, m - 32, old + m - 32);
  cr_assert_eq(brink_state_load(e, old, m), BRINK_OK, "%s", brink_errmsg(e));
  assert_belief(e, "A", "B.arms", 20, 40);
  cr_assert_eq(brink_state_load(e, p, n), BRINK_OK);
  assert_belief(e, "A", "B.arms", 10, 12);
  free(old);
  brink_buffer_free(p);
  brink_engine_close(e);
}

/* The scenario of the session tests: A's 'spy' narrows its estimate. */
#define SESSION_WORLD                                                       \
  WORLD "move 'spy' { by = 'A', effect = function(w)\n"                    \
        "  believe('A', 'B.arms', w.B.arms - 1, w.B.arms + 1) end }\n"

static char dir[64], path[96];

/* 'text' as a scenario file of its own, for the log's setup record. */
static const char *write_temp(const char *text) {
  snprintf(dir, sizeof dir, "/tmp/brink-beliefs-XXXXXX");
  cr_assert_not_null(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/beliefs.lua", dir);
  FILE *f = fopen(path, "w");
  cr_assert_not_null(f);
  fputs(text, f);
  fclose(f);
  return path;
}

static bool view_has(brink_session *s, int actor, const char *what) {
  char *json;
  size_t len;
  cr_assert_eq(brink_session_view(s, actor, &json, &len), BRINK_OK);
  bool has = strstr(json, what) != NULL;
  brink_buffer_free(json);
  return has;
}

Test(beliefs, seats_see_beliefs_and_sessions_keep_them_across_saves) {
  write_temp(SESSION_WORLD);
  brink_session *s;
  cr_assert_eq(brink_session_open(&s, NULL), BRINK_OK);
  cr_assert_eq(brink_session_load_file(s, path), BRINK_OK, "%s",
               brink_session_errmsg(s));
  cr_assert_eq(brink_session_seat(s, "A"), BRINK_OK);
  cr_assert_eq(brink_session_start(s, 3), BRINK_OK);
  cr_assert_eq(brink_session_prompt(s), BRINK_AWAIT);
  brink_engine *e = brink_session_engine(s);
  int a = actor_id(e, "A"), c = actor_id(e, "C");
  cr_assert(view_has(s, a, "\"name\":\"B.arms\",\"value\":null,\"text\":"
                           "\"20-40 (believed)\",\"hidden\":true"));
  cr_assert(view_has(s, a, "\"belief\":[20,40]"));
  cr_assert(view_has(s, a, "\"text\":\"calm (believed)\""));
  cr_assert(view_has(s, c, "\"name\":\"B.arms\",\"value\":null,\"text\":"
                           "\"hidden\""), "C knows nothing");
  cr_assert_geq(brink_session_answer(s, "spy"), 0, "%s",
                brink_session_errmsg(s));
  cr_assert(view_has(s, a, "\"text\":\"29-31 (believed)\""));
  void *save;
  size_t len;
  cr_assert_eq(brink_session_save(s, &save, &len), BRINK_OK);
  brink_session *r;
  cr_assert_eq(brink_session_open(&r, NULL), BRINK_OK);
  cr_assert_eq(brink_session_load_file(r, path), BRINK_OK);
  cr_assert_eq(brink_session_resume(r, save, len, 0), BRINK_OK, "%s",
               brink_session_errmsg(r));
  cr_assert(view_has(r, a, "\"text\":\"29-31 (believed)\""));
  /* The log replays, belief records and all. */
  size_t n = 0;
  for (size_t i = 0; i < brink_session_log_count(s); i++)
    n += strlen(brink_session_log_line(s, i)) + 1;
  char *log = malloc(n + 1), *p = log;
  for (size_t i = 0; i < brink_session_log_count(s); i++)
    p += sprintf(p, "%s\n", brink_session_log_line(s, i));
  assert_has(log, "\"t\":\"belief\"");
  size_t line;
  char *msg = NULL;
  const char *files[] = {path};
  cr_assert_eq(brink_log_verify(log, n, files, 1, NULL, &line, &msg),
               BRINK_OK, "%s", msg ? msg : "");
  free(log);
  brink_buffer_free(save);
  brink_session_close(r);
  brink_session_close(s);
  unlink(path);
  rmdir(dir);
}

Test(beliefs, the_report_sets_each_last_belief_against_the_truth) {
  static const char *const lines[] = {
      "{\"t\":\"start\",\"scenario\":\"b\",\"seed\":1,\"engine\":\"0.1.0\"}",
      "{\"t\":\"turn\",\"turn\":1,\"date\":\"2019-05-01\"}",
      "{\"t\":\"belief\",\"turn\":1,\"actor\":\"A\",\"var\":\"B.arms\","
      "\"lo\":20,\"hi\":40,\"cause\":\"move:spy\"}",
      "{\"t\":\"belief\",\"turn\":1,\"actor\":\"A\",\"var\":\"B.arms\","
      "\"lo\":50,\"hi\":55,\"cause\":\"move:spy\"}",
      "{\"t\":\"belief\",\"turn\":1,\"actor\":\"A\",\"var\":\"B.mood\","
      "\"lo\":\"calm\",\"hi\":\"calm\",\"cause\":\"move:spy\"}",
      "{\"t\":\"belief\",\"turn\":1,\"actor\":\"C\",\"var\":\"B.arms\","
      "\"lo\":28,\"hi\":31,\"cause\":\"event:leak\"}",
      "{\"t\":\"end\",\"turn\":1,\"date\":\"2019-05-01\",\"outcome\":"
      "\"stalemate\",\"final\":{\"B.arms\":30,\"B.mood\":\"angry\"}}",
  };
  model m;
  model_init(&m);
  for (size_t i = 0; i < sizeof lines / sizeof *lines; i++)
    model_feed(&m, lines[i], strlen(lines[i]));
  model_finish(&m);
  cr_assert_eq(m.bad_lines, 0);
  report_facts f;
  cr_assert_eq(report_facts_build(&f, &m, NULL), 0);
  cr_assert_eq(f.nbeliefs, 3, "the last of each (actor, variable)");
  cr_assert_str_eq(f.beliefs[0].var, "B.arms");
  cr_assert_str_eq(f.beliefs[0].belief, "50\u201355");
  cr_assert_str_eq(f.beliefs[0].truth, "30");
  cr_assert_str_eq(f.beliefs[0].gap, "\u221220");
  cr_assert_str_eq(f.beliefs[1].var, "B.mood");
  cr_assert_str_eq(f.beliefs[1].gap, "wrong");
  cr_assert_str_eq(f.beliefs[2].actor, "C");
  cr_assert_str_eq(f.beliefs[2].gap, "0");
  for (int i = 0; i < f.ntimeline; i++)
    for (int k = 0; k < f.timeline[i].nentries; k++)
      cr_assert_neq(f.timeline[i].entries[k]->kind, E_BELIEF,
                    "beliefs are in their own table");
  report_facts_free(&f);
  model_free(&m);
}

Test(beliefs, the_flagship_shows_washington_its_estimates) {
  brink_session *s;
  cr_assert_eq(brink_session_open(&s, NULL), BRINK_OK);
  cr_assert_eq(brink_session_load_file(s, "scripts/scenarios/korea-2019.lua"),
               BRINK_OK, "%s", brink_session_errmsg(s));
  cr_assert_eq(brink_session_seat(s, "USA"), BRINK_OK);
  cr_assert_eq(brink_session_start(s, 7), BRINK_OK);
  cr_assert_eq(brink_session_prompt(s), BRINK_AWAIT);
  brink_engine *e = brink_session_engine(s);
  int usa = actor_id(e, "USA"), rok = actor_id(e, "ROK");
  cr_assert(view_has(s, usa, "\"text\":\"20-60 (believed)\""));
  cr_assert(view_has(s, usa, "\"text\":\"20-80 (believed)\""));
  cr_assert(view_has(s, rok, "\"name\":\"DPRK.warheads\",\"value\":null,"
                             "\"text\":\"hidden\""), "Seoul declares none");
  brink_session_close(s);
}

Test(beliefs, brink_play_shows_a_seat_its_estimates_never_the_values) {
  char cmd[512];
  snprintf(cmd, sizeof cmd, "printf '/quit\\n' | %s play "
           "scripts/scenarios/korea-2019.lua --seat USA --seed 3", brink());
  result r = shell(cmd);
  assert_has(r.out, "DPRK.warheads       20-60 (believed)");
  assert_has(r.out, "DPRK.missile_skill  20-80 (believed)");
  assert_lacks(r.out, "57.29");   /* the skill this seed draws */
  done(r);
}
