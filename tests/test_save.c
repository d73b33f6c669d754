/*
** Saves, in process: round trips byte for byte, damaged saves refused with
** the reason and nothing changed, and a fuzz of truncations and byte flips
** of a real save that may only ever give clean refusals or loads, through
** the session layer's internal calls (session/save.c, session/state.c).
*/
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "session.h"

static brink_engine *scenario(const char *path) {
  brink_engine *e;
  cr_assert_eq(brink_engine_open(&e, NULL), BRINK_OK);
  cr_assert_eq(brink_load_file(e, path), BRINK_OK, "%s", brink_errmsg(e));
  return e;
}

static brink_snapshot *snap(brink_engine *e) {
  brink_snapshot *s;
  cr_assert_eq(brink_snapshot_take(e, &s), BRINK_OK, "%s", brink_errmsg(e));
  return s;
}

static bool same(const brink_snapshot *a, const brink_snapshot *b) {
  return brink_snapshot_size(a) == brink_snapshot_size(b) &&
         memcmp(brink_snapshot_data(a), brink_snapshot_data(b),
                brink_snapshot_size(a)) == 0;
}

/*
** The timeline scenario after 'turns' turns, saved to 'path' with a branch
** point and a log; its engine is returned, still running.
*/
static brink_engine *saved_run(const char *path, int turns) {
  brink_engine *e = scenario("tests/cli/timeline.lua");
  setup su;
  cr_assert_eq(setup_init(&su, e, "tests/cli/timeline.lua", 11), 0);
  cr_assert_eq(brink_start(e, 11), BRINK_OK);
  json_t *first = state_json(e);
  char name[] = "at_start";
  for (int t = 0; t < turns; t++) cr_assert_eq(brink_step(e), BRINK_OK);
  branch b = {name, 1, first, NULL};
  strlist log = {0};
  strlist_push(&log, "{\"t\":\"start\",\"scenario\":\"golden\",\"seed\":11,"
                     "\"engine\":\"0.1.0\"}");
  char *setup_rec = setup_line(&su);
  strlist_push(&log, setup_rec);
  free(setup_rec);
  strlist_push(&log, "{\"t\":\"news\",\"turn\":1,\"date\":\"2019-10-01\","
                     "\"text\":\"caf\xc3\xa9\"}");
  strlist_push(&log, "{\"t\":\"news\",\"turn\":1,\"date\":\"2019-10-01\","
                     "\"text\":\"\xff\xfe\"}");
  char err[600];
  cr_assert_eq(save_write(path, e, &su, &b, 1, &log, err, sizeof err), 0,
               "%s", err);
  json_decref(first);
  strlist_free(&log);
  setup_free(&su);
  return e;
}

static char *slurp(const char *path, size_t *len) {
  char *t = read_file(path, len);
  cr_assert_not_null(t, "%s", path);
  return t;
}

Test(play, a_save_round_trips_to_the_same_bytes) {
  char path[] = "/tmp/brink-save-XXXXXX";
  close(mkstemp(path));
  /* after five turns the schedule holds an event with data */
  brink_engine *e = saved_run(path, 4);
  cr_assert_eq(brink_schedule_count(e), 1);
  brink_snapshot *want = snap(e);
  brink_engine *f = scenario("tests/cli/timeline.lua");
  loaded l;
  char err[600];
  cr_assert_eq(save_load(path, f, false, &l, err, sizeof err), 0, "%s", err);
  cr_assert_eq(l.nbranches, 1);
  cr_assert_str_eq(l.branches[0].name, "at_start");
  cr_assert_eq(l.log.n, 4);
  cr_assert_str_eq(l.log.v[3],
                   "{\"t\":\"news\",\"turn\":1,\"date\":\"2019-10-01\","
                   "\"text\":\"\xff\xfe\"}",
                   "a line that is not UTF-8 comes back exactly");
  cr_assert_eq(l.setup.seed, 11);
  cr_assert_eq(state_restore(f, l.state, false, NULL, err, sizeof err), 0,
               "%s", err);
  brink_snapshot *got = snap(f);
  cr_assert(same(want, got), "the loaded state differs from the saved one");
  /* and the two engines go on alike */
  cr_assert_eq(brink_run(e), BRINK_DONE);
  cr_assert_eq(brink_run(f), BRINK_DONE);
  cr_assert_str_eq(brink_outcome(e), brink_outcome(f));
  brink_snapshot_free(want);
  brink_snapshot_free(got);
  want = snap(e);
  got = snap(f);
  cr_assert(same(want, got));
  brink_snapshot_free(want);
  brink_snapshot_free(got);
  loaded_free(&l);
  brink_engine_close(e);
  brink_engine_close(f);
  remove(path);
}

Test(play, event_data_is_checked_as_literals_and_never_as_code) {
  const char *good[] = {"{[\"scale\"]=2,}", "nil", "true", "-1.5e-07",
                        "\"a\\\"b\\n\\0\\255\"", "{[1]={[true]=false,},}",
                        "{}", "12"};
  const char *bad[] = {"os.exit()", "{scale=2}", "(function() end)()",
                       "{[\"a\"]=x,}", "\"unterminated", "1e", "{[nil]=1,}",
                       "\"\\256\"", "{[\"a\"]=1}", "1..2", "0x10", "--", ""};
  for (size_t i = 0; i < sizeof good / sizeof *good; i++)
    cr_assert(brink__data_valid(good[i]), "%s", good[i]);
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    cr_assert(!brink__data_valid(bad[i]), "%s", bad[i]);
  json_t *j = json_loads("{\"severity\": 9, \"who\": [\"a\\\"b\", true, 1.5,"
                         " null]}", 0, NULL);
  char *t = data_from_json(j);
  cr_assert_str_eq(t, "{[\"severity\"]=9,[\"who\"]={[1]=\"a\\\"b\",[2]=true,"
                      "[3]=1.5,[4]=nil,},}");
  cr_assert(brink__data_valid(t));
  free(t);
  json_decref(j);
}

/* Loads 'text' into an engine at turn 1; on refusal checks that nothing in
   the engine changed.  Returns 0 (loaded) or 1 (refused). */
static int try_load(brink_engine *e, const char *text, size_t len, bool force,
                    char *err, size_t cap) {
  brink_snapshot *before = snap(e);
  loaded l;
  int rc = save_load_text(text, len, e, force, &l, err, cap);
  if (rc == 0) {
    strlist notes = {0};
    rc = state_restore(e, l.state, force, &notes, err, cap);
    cr_assert_eq(rc, 0, "a checked save must load: %s", err);
    strlist_free(&notes);
    loaded_free(&l);
    /* back to turn 1 for the next case */
    cr_assert_eq(brink_snapshot_restore(e, before), BRINK_OK);
  } else {
    cr_assert(*err, "a refusal says why");
    brink_snapshot *after = snap(e);
    cr_assert(same(before, after), "a refused save changed the engine: %s",
              err);
    brink_snapshot_free(after);
  }
  brink_snapshot_free(before);
  return rc;
}

Test(play, damaged_saves_are_refused_and_change_nothing) {
  char path[] = "/tmp/brink-save-XXXXXX";
  close(mkstemp(path));
  brink_engine_close(saved_run(path, 4));
  size_t len;
  char *text = slurp(path, &len);
  brink_engine *e = scenario("tests/cli/timeline.lua");
  cr_assert_eq(brink_start(e, 3), BRINK_OK);
  char err[600];
  cr_assert_eq(try_load(e, text, len, false, err, sizeof err), 0, "%s", err);
  struct {
    const char *from, *to, *says;
  } cases[] = {
      {"\"version\": 1", "\"version\": 2", "format version 2 is not one"},
      {"\"version\": 1", "\"version\": \"1\"", "version: missing or not a "
                                               "number"},
      {"\"talks\": 56", "\"talks\": -3", "state.values.talks: -3 is outside "
                                         "0..100"},
      {"\"talks\": 56", "\"talks\": \"80\"", "state.values.talks: must be a "
                                             "number"},
      {"\"USA.troops\": 28500", "\"USA.troops\": 28500.5",
       "USA.troops is an integer variable"},
      {"\"DPRK.icbm_moratorium\": false", "\"DPRK.icbm_moratorium\": 0",
       "must be true or false"},
      {"\"phase\": 1", "\"phase\": 0", "state.phase: 0 is out of range"},
      {"\"turn\": 5", "\"turn\": 5, \"turn\": 7", "duplicate object key"},
      {"\"event\": \"exercise\"", "\"event\": \"exercis\"",
       "state.schedule[0].event: unknown event 'exercis'"},
      {"\"sched_seq\": 1", "\"sched_seq\": -1", "state.sched_seq: -1 is out "
                                                "of range"},
      {"\"seed\": 11,\n    \"rng\"", "\"seed\": -11,\n    \"rng\"",
       "state.seed: missing or not a whole number"},
      {"\"outcome\": null", "\"outcome\": \"deal\"",
       "position: outcome 0 is out of range"},
      {"\"branches\": [", "\"branchez\": [", "branchez: not a field of a "
                                             "save"},
      {"\"name\": \"at_start\"", "\"name\": 4", "branches[].name: must be a "
                                                "string"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    const char *at = strstr(text, cases[i].from);
    cr_assert_not_null(at, "the save lacks %s:\n%s", cases[i].from, text);
    size_t a = strlen(cases[i].from), b = strlen(cases[i].to);
    char *bad = malloc(len - a + b + 1);
    size_t pre = (size_t)(at - text);
    memcpy(bad, text, pre);
    memcpy(bad + pre, cases[i].to, b);
    memcpy(bad + pre + b, at + a, len - pre - a + 1);
    err[0] = '\0';
    cr_assert_eq(try_load(e, bad, len - a + b, false, err, sizeof err), 1,
                 "%s was accepted", cases[i].to);
    cr_assert(strstr(err, cases[i].says), "%s: %s", cases[i].to, err);
    free(bad);
  }
  /* --force clamps an out-of-range number and says so */
  const char *at = strstr(text, "\"talks\": 56");
  char *bad = strdup(text);
  memcpy(bad + (at - text), "\"talks\": 99", 11);
  memcpy(strstr(bad, "\"talks\": 99") + 9, "-5", 2);
  loaded l;
  cr_assert_eq(save_load_text(bad, strlen(bad), e, true, &l, err, sizeof err),
               0, "%s", err);
  cr_assert(l.notes.n >= 1 && strstr(l.notes.v[0], "clamped talks: -5 is "
                                     "outside 0..100"), "%s",
            l.notes.n ? l.notes.v[0] : "no notes");
  loaded_free(&l);
  free(bad);
  free(text);
  brink_engine_close(e);
  remove(path);
}

/*
** The fuzz: every truncation of a real save and single-byte changes at
** every offset.  Each one must be refused with a reason and leave the
** engine untouched, or load a state that then runs.  Run under make check,
** ASan and UBSan see every path.
*/
Test(play, truncated_and_flipped_saves_are_refused_cleanly, .timeout = 600) {
  char path[] = "/tmp/brink-save-XXXXXX";
  close(mkstemp(path));
  brink_engine_close(saved_run(path, 4));
  size_t len;
  char *text = slurp(path, &len);
  brink_engine *e = scenario("tests/cli/timeline.lua");
  cr_assert_eq(brink_start(e, 3), BRINK_OK);
  char err[600];
  int loads = 0, refusals = 0;
  char *buf = malloc(len + 1);
  /* truncations: every 3rd offset, and all of the last 40 */
  for (size_t n = 0; n < len; n++) {
    if (n % 3 && n + 40 < len) continue;
    memcpy(buf, text, n);
    buf[n] = '\0';
    if (try_load(e, buf, n, false, err, sizeof err)) refusals++;
    else loads++;
  }
  /* flips: three kinds of change at every 2nd byte */
  const unsigned char flips[] = {0x01, 0x20, 0x80};
  for (size_t i = 0; i < len; i += 2)
    for (size_t k = 0; k < sizeof flips; k++) {
      memcpy(buf, text, len + 1);
      buf[i] = (char)((unsigned char)buf[i] ^ flips[k]);
      if (try_load(e, buf, len, k == 2, err, sizeof err)) refusals++;
      else loads++;
    }
  /* a state that loaded must also run */
  memcpy(buf, text, len + 1);
  loaded l;
  cr_assert_eq(save_load_text(buf, len, e, false, &l, err, sizeof err), 0);
  cr_assert_eq(state_restore(e, l.state, false, NULL, err, sizeof err), 0);
  cr_assert_eq(brink_run(e), BRINK_DONE);
  loaded_free(&l);
  cr_assert_gt(refusals, 1000, "%d refusals", refusals);
  cr_assert_gt(loads, 10, "%d loads", loads);
  free(buf);
  free(text);
  brink_engine_close(e);
  remove(path);
}
