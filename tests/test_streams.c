/*
** Named random streams through the scenario language and the public API:
** a stream depends on the seed and its name alone, is undone with a failed
** effect, and travels in snapshots, saved states and states by name.
*/
#include "lang_fixture.h"

/* Each turn, x from "intel", y from the run's own stream, z a coin from
   "coin"; EXTRA runs first, to draw more elsewhere. */
static char *scenario(const char *extra) {
  static char src[2048];
  snprintf(src, sizeof src,
           "scenario { id = \"streams\", start = \"2020-01-01\",\n"
           "  finish = \"2020-12-31\", turn = \"month\", seed = 5 }\n"
           "actor \"A\" {}\n"
           "var \"x\" { min = 0, max = 1, init = 0 }\n"
           "var \"y\" { min = 0, max = 1, init = 0 }\n"
           "var \"z\" { min = 0, max = 1, init = 0 }\n"
           "trigger \"draw\" { once = false, effect = function(w)\n"
           "  %s\n"
           "  w.x = random(\"intel\")\n"
           "  w.y = random()\n"
           "  w.z = chance(0.5, \"coin\") and 1 or 0\n"
           "end }\n",
           extra);
  return src;
}

/* The value of 'var' in every set record of 'log', in order. */
static char *series(const char *log, const char *var) {
  char *out = calloc(1, strlen(log) + 1), key[64];
  snprintf(key, sizeof key, "\"var\":\"%s\"", var);
  for (const char *p = strstr(log, key); p; p = strstr(p + 1, key)) {
    const char *nw = strstr(p, "\"new\":");
    const char *end = nw ? strchr(nw, ',') : NULL;
    if (end) strncat(out, nw + 6, (size_t)(end - nw - 6) + 1);
  }
  return out;
}

Test(streams, drawing_more_from_one_stream_shifts_no_other) {
  int st;
  char *plain = play(scenario(""), 11, &st);
  cr_assert_eq(st, BRINK_DONE);
  char *more = play(scenario("for i = 1, 7 do random(\"weather\") end "
                             "normal(0, 1, \"weather\") pick({1, 2}, \"w2\")"),
                    11, &st);
  cr_assert_eq(st, BRINK_DONE);
  const char *vars[] = {"x", "y", "z"};
  for (int i = 0; i < 3; i++) {
    char *a = series(plain, vars[i]), *b = series(more, vars[i]);
    cr_assert(strlen(a) > 8, "%s: %s", vars[i], a);
    cr_assert_str_eq(a, b, "%s", vars[i]);
    free(a);
    free(b);
  }
  /* ... but draws from the run's own stream do shift its later draws. */
  char *shifted = play(scenario("random()"), 11, &st);
  char *a = series(plain, "y"), *b = series(shifted, "y");
  cr_assert_str_neq(a, b);
  char *x = series(plain, "x"), *x2 = series(shifted, "x");
  cr_assert_str_eq(x, x2);
  free(a), free(b), free(x), free(x2);
  free(plain), free(more), free(shifted);
}

Test(streams, a_stream_depends_on_the_seed_and_its_name_alone) {
  brink_engine *e = load_ok(scenario(""));
  double a1, b1, a2, b2, c;
  cr_assert_eq(brink_start(e, 3), BRINK_OK);
  cr_assert_eq(brink_random_in(e, "a", &a1), BRINK_OK, "%s", brink_errmsg(e));
  cr_assert_eq(brink_random_in(e, "b", &b1), BRINK_OK);
  cr_assert_eq(brink_start(e, 3), BRINK_OK);
  cr_assert_eq(brink_random_in(e, "b", &b2), BRINK_OK);   /* b first now */
  cr_assert_eq(brink_random_in(e, "a", &a2), BRINK_OK);
  cr_assert(a1 == a2 && b1 == b2);
  cr_assert(a1 != b1);
  cr_assert_eq(brink_start(e, 4), BRINK_OK);
  cr_assert_eq(brink_random_in(e, "a", &c), BRINK_OK);
  cr_assert(c != a1, "another seed, another stream");
  /* NULL is the run's own generator, the same as brink_random. */
  cr_assert_eq(brink_start(e, 3), BRINK_OK);
  double own = brink_random(e);
  cr_assert_eq(brink_start(e, 3), BRINK_OK);
  cr_assert_eq(brink_random_in(e, NULL, &c), BRINK_OK);
  cr_assert(c == own);
  brink_engine_close(e);
}

Test(streams, bad_names_and_too_many_streams_are_errors) {
  brink_engine *e = load_ok(scenario(""));
  double x;
  cr_assert_eq(brink_start(e, 3), BRINK_OK);
  const char *bad[] = {"", "has space", "semi;colon",
                       "a_name_of_thirty_two_characters_"};
  for (int i = 0; i < 4; i++) {
    cr_assert_eq(brink_random_in(e, bad[i], &x), BRINK_EINVAL, "%s", bad[i]);
    cr_assert(strstr(brink_errmsg(e), "not a stream name"));
  }
  cr_assert_eq(brink_stream_count(e), 0);
  char name[16];
  for (int i = 0; i < 32; i++) {
    snprintf(name, sizeof name, "s%d", i);
    cr_assert_eq(brink_random_in(e, name, &x), BRINK_OK);
  }
  cr_assert_eq(brink_random_in(e, "one.more", &x), BRINK_ERANGE);
  cr_assert(strstr(brink_errmsg(e), "too many random streams"));
  cr_assert_eq(brink_stream_count(e), 32);
  brink_engine_close(e);
  /* In a script, a bad name is the script's error, at its line. */
  int st;
  char *log = play(scenario("random(\"no good\")"), 1, &st);
  cr_assert(strstr(log, "\"t\":\"error\""), "%s", log);
  cr_assert(strstr(log, "not a stream name"), "%s", log);
  free(log);
  /* random(1, "6") is not random(1, 6) from a stream called "6". */
  log = play(scenario("random(1, \"6\")"), 1, &st);
  cr_assert(strstr(log, "\"t\":\"error\""), "%s", log);
  cr_assert(strstr(log, "'6' is a number written as a string"), "%s", log);
  free(log);
}

Test(streams, a_failed_effect_leaves_every_stream_where_it_was) {
  /* The trigger draws from "intel", then fails every other turn: the
     draw is undone, so x's series matches a run whose failing turns
     draw nothing there at all. */
  int st;
  char *log = play(scenario("if w.z == 1 then random(\"intel\") "
                            "error(\"no\") end"),
                   7, &st);
  cr_assert(strstr(log, "\"t\":\"error\""), "%s", log);
  free(log);
  brink_engine *e = load_ok(scenario(""));
  cr_assert_eq(brink_start(e, 7), BRINK_OK);
  double before, after, again;
  cr_assert_eq(brink_random_in(e, "intel", &before), BRINK_OK);
  cr_assert_eq(brink_txn_begin(e), BRINK_OK);
  cr_assert_eq(brink_random_in(e, "intel", &after), BRINK_OK);
  cr_assert_eq(brink_random_in(e, "fresh", &again), BRINK_OK);
  cr_assert_eq(brink_txn_rollback(e), BRINK_OK);
  cr_assert_eq(brink_stream_count(e), 1, "a stream begun in it is gone");
  cr_assert_eq(brink_random_in(e, "intel", &again), BRINK_OK);
  cr_assert(again == after, "the draw was undone");
  brink_engine_close(e);
}

/* Plays the scenario with streams to the end: straight, and stopped
   after three turns and carried by 'carry' into a fresh engine. */
typedef void (*carry_fn)(brink_engine *from, brink_engine *to);

static void by_saved_state(brink_engine *from, brink_engine *to) {
  void *data;
  size_t len;
  cr_assert_eq(brink_state_save(from, &data, &len), BRINK_OK);
  cr_assert_eq(brink_state_load(to, data, len), BRINK_OK, "%s",
               brink_errmsg(to));
  brink_buffer_free(data);
}

static void by_snapshot(brink_engine *from, brink_engine *to) {
  brink_snapshot *s;
  cr_assert_eq(brink_snapshot_take(from, &s), BRINK_OK);
  cr_assert_eq(brink_snapshot_restore(to, s), BRINK_OK, "%s",
               brink_errmsg(to));
  brink_snapshot_free(s);
}

/* By position and streams by name, as a save's "state" carries them. */
static void by_name(brink_engine *from, brink_engine *to) {
  brink_position p = {.size = sizeof p};
  cr_assert_eq(brink_position_get(from, &p), BRINK_OK);
  cr_assert_eq(brink_start(to, p.seed), BRINK_OK);
  for (int v = 0; v < brink_var_count(from); v++) {
    double x;
    brink_var_get(from, v, &x);
    brink_var_set(to, v, x);
  }
  cr_assert_eq(brink_position_set(to, &p), BRINK_OK);
  cr_assert_eq(brink_stream_count(to), 0, "a position restarts streams");
  for (int i = 0; i < brink_stream_count(from); i++) {
    uint64_t w[4];
    const char *name = brink_stream_name(from, i);
    cr_assert_eq(brink_stream_get(from, name, w), BRINK_OK);
    cr_assert_eq(brink_stream_set(to, name, w), BRINK_OK);
  }
}

static void carried(carry_fn carry) {
  int st;
  char *whole = play(scenario(""), 9, &st);
  brink_engine *a = load_ok(scenario("")), *b = load_ok(scenario(""));
  transcript t = {b, calloc(1, 1), 0, 1};
  cr_assert_eq(brink_start(a, 9), BRINK_OK);
  for (int i = 0; i < 3; i++) cr_assert_eq(brink_step(a), BRINK_OK);
  cr_assert_eq(brink_stream_count(a), 2);
  carry(a, b);
  brink_on_record(b, transcript_add, &t);
  while ((st = brink_step(b)) == BRINK_OK) continue;
  cr_assert_eq(st, BRINK_DONE);
  /* What b played after the carry is the end of the straight run. */
  const char *from = strstr(t.text, "\"turn\":4,");
  cr_assert_not_null(from);
  cr_assert(strstr(whole, from) != NULL, "carried run differs:\n%s", t.text);
  free(whole);
  free(t.text);
  brink_engine_close(a);
  brink_engine_close(b);
}

Test(streams, saved_states_keep_every_streams_place) { carried(by_saved_state); }
Test(streams, snapshots_keep_every_streams_place) { carried(by_snapshot); }
Test(streams, streams_by_name_put_back_a_run) { carried(by_name); }

/* Two actors choosing among weighted moves by the built-in AI; a trigger
   draws EXTRA numbers from the run's own stream each turn. */
static char *ai_scenario(const char *extra) {
  static char src[2048];
  snprintf(src, sizeof src,
           "scenario { id = \"ai\", start = \"2020-01-01\",\n"
           "  finish = \"2021-12-31\", turn = \"month\", seed = 5 }\n"
           "actor \"A\" {}\n"
           "actor \"B\" {}\n"
           "var \"n\" { min = 0, max = 1000, init = 0 }\n"
           "move \"left\" { by = \"*\", weight = function() return 2 end,\n"
           "  effect = function(w) w.n = w.n + 1 end }\n"
           "move \"right\" { by = \"*\", weight = function() return 3 end,\n"
           "  effect = function(w) w.n = w.n + 2 end }\n"
           "trigger \"noise\" { once = false, effect = function(w)\n"
           "  %s\n"
           "end }\n",
           extra);
  return src;
}

/* The move records of a log, one line each. */
static char *moves_of(const char *log) {
  char *out = calloc(1, strlen(log) + 1);
  for (const char *p = strstr(log, "{\"t\":\"move\""); p;
       p = strstr(p + 1, "{\"t\":\"move\"")) {
    const char *end = strchr(p, '\n');
    strncat(out, p, (size_t)(end - p) + 1);
  }
  return out;
}

Test(streams, the_built_in_ai_draws_from_a_stream_of_its_own) {
  int st;
  char *quiet = play(ai_scenario(""), 21, &st);
  cr_assert_eq(st, BRINK_DONE);
  char *noisy = play(ai_scenario("for i = 1, 5 do random() end "
                                 "chance(0.5) normal()"),
                     21, &st);
  cr_assert_eq(st, BRINK_DONE);
  char *a = moves_of(quiet), *b = moves_of(noisy);
  cr_assert(strstr(a, "\"move\":\"left\"") && strstr(a, "\"move\":\"right\""),
            "%s", a);
  cr_assert_str_eq(a, b, "the scripts' draws moved the AI's choices");
  /* Another seed, other choices. */
  char *other = play(ai_scenario(""), 22, &st), *c = moves_of(other);
  cr_assert_str_neq(a, c);
  free(quiet), free(noisy), free(other), free(a), free(b), free(c);
}
