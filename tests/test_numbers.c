/*
** One rule for every number a person reads (brink_value_show): rounded to
** the variable's declared precision, 4 decimals by default, no float
** noise, no trailing zeros; the same in brink run, play, doc, report and
** CSV.  JSON stays exact.  tests/cli/numbers.lua leaves the noise: 'talks'
** grows by 0.1 + 0.2 a turn, 'money' declares precision = 1.
*/
#include "play_fixture.h"

#include "brink.h"
#include "brink_session.h"
#include "lang_fixture.h"
#include "locale_fixture.h"

#define NUMBERS "tests/cli/numbers.lua"
#define WORLD HEADER "actor 'A' { name = 'A' }\n"

/* The digits float noise leaves: a long run of 0s or 9s. */
static void assert_no_noise(const char *text) {
  cr_assert(strstr(text, "00000") == NULL && strstr(text, "99999") == NULL &&
                strstr(text, "33333") == NULL && strstr(text, "42857") == NULL,
            "float noise in:\n%s", text);
}

Test(numbers, the_rule_rounds_away_noise_and_trailing_zeros) {
  static const struct { double x; int decimals; char want[24]; } cases[] = {
      {52.39599999999993, -1, "52.396"}, {17.560000000000002, -1, "17.56"},
      {0.30000000000000004, -1, "0.3"}, {35, -1, "35"},
      {-0.00001, -1, "0"}, {-2.5, 0, "-2"}, {10.26, 1, "10.3"},
      {1.23456789, 9, "1.23456789"}, {1.5, 42, "1.5"}, {1e20, -1, "1e+20"},
      {-123.45678, 2, "-123.46"}, {0.00012, -1, "0.0001"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char buf[64];
    int n = brink_number_show(cases[i].x, cases[i].decimals, buf, sizeof buf);
    cr_assert_str_eq(buf, cases[i].want, "%.17g with %d decimals",
                     cases[i].x, cases[i].decimals);
    cr_assert_eq(n, (int)strlen(buf));
  }
  char small[4];
  cr_assert_eq(brink_number_show(52.396, -1, small, sizeof small), 6);
  cr_assert_str_eq(small, "52.");
  cr_assert_eq(brink_number_show(52.396, -1, NULL, 0), 6);
}

Test(numbers, the_rule_writes_a_point_in_a_comma_locale) {
  comma_locale();
  char buf[32];
  brink_number_show(17.560000000000002, -1, buf, sizeof buf);
  cr_assert_str_eq(buf, "17.56");
  brink_number_show(-1234.5, -1, buf, sizeof buf);
  cr_assert_str_eq(buf, "-1234.5");
  brink_number_show(1234567890123456.8, -1, buf, sizeof buf);
  cr_assert_str_eq(buf, "1234567890123456.8");
  setlocale(LC_ALL, "C");
}

Test(numbers, a_variable_shows_its_declared_precision_and_formats_exactly) {
  brink_engine *e = load_ok(WORLD
      "var 'a' { min = 0, max = 100, init = 52.39599999999993 }\n"
      "var 'b' { init = 10.26, precision = 1 }\n"
      "var 'n' { type = 'integer', init = 7 }\n"
      "var 'f' { type = 'flag', init = true }\n");
  char buf[64];
  int a = var_id(e, "a"), b = var_id(e, "b");
  brink_var_show(e, a, buf, sizeof buf);
  cr_assert_str_eq(buf, "52.396");
  brink_var_format(e, a, buf, sizeof buf);
  cr_assert_str_eq(buf, "52.39599999999993", "the exact text is unchanged");
  brink_var_show(e, b, buf, sizeof buf);
  cr_assert_str_eq(buf, "10.3");
  brink_value_show(e, b, 2.25001, buf, sizeof buf);
  cr_assert_str_eq(buf, "2.3");
  brink_var_show(e, var_id(e, "n"), buf, sizeof buf);
  cr_assert_str_eq(buf, "7");
  brink_var_show(e, var_id(e, "f"), buf, sizeof buf);
  cr_assert_str_eq(buf, "true");
  cr_assert_eq(brink_var_precision(e, a), 4);
  cr_assert_eq(brink_var_precision(e, b), 1);
  cr_assert_eq(brink_var_precision(e, var_id(e, "n")), -1);
  cr_assert_lt(brink_var_show(e, 99, buf, sizeof buf), 0);

  /* A clone (forecasts, batches) keeps the precision. */
  brink_engine *c;
  cr_assert_eq(brink_engine_clone(e, &c), BRINK_OK, "%s", brink_errmsg(e));
  cr_assert_eq(brink_var_precision(c, b), 1);
  brink_engine_close(c);
  brink_engine_close(e);
}

Test(numbers, a_bad_precision_is_refused_at_its_line) {
  const char *err = load_error(WORLD "var 'a' { precision = 1.5 }\n");
  assert_has(err, "whole number of decimals");
  err = load_error(WORLD "var 'a' { precision = 12 }\n");
  assert_has(err, "precision 12 is not 0 to 9");
  err = load_error(WORLD "var 'a' { precision = '2' }\n");
  assert_has(err, "'precision' must be");
  err = load_error(WORLD "var 'a' { type = 'flag', precision = 2 }\n");
  assert_has(err, "'precision' is for numbers");
}

Test(numbers, run_prints_an_aligned_final_table_without_noise) {
  result r = run("run " NUMBERS);
  cr_assert_eq(r.status, 0, "%s", r.err);
  const char *table = strstr(r.out, "  changed");
  cr_assert_not_null(table, "%s", r.out);
  assert_no_noise(table);
  /* Every row as wide as the header: the columns stay aligned. */
  size_t width = strcspn(table, "\n");
  int rows = 0;
  for (const char *p = table; *p; p += strcspn(p, "\n") + (p[strcspn(p, "\n")]
                                                          != '\0')) {
    size_t len = strcspn(p, "\n");
    if (len == 0) continue;
    cr_assert_eq(len, width, "a row out of line: %.*s", (int)len, p);
    rows++;
  }
  cr_assert_eq(rows, 5, "%s", table);
  assert_has(table, " 0.9\n");        /* 0.9000000000000001 */
  assert_has(table, " 46.6181\n");   /* the default: 4 decimals */
  assert_has(table, " 10.3 ");       /* money's start, precision 1 */
  assert_has(table, " 10.7\n");      /* money's end, 10.688571428571429 */
  done(r);
}

Test(numbers, json_keeps_the_exact_shortest_round_trip_values) {
  result r = run("run " NUMBERS " --json");
  cr_assert_eq(r.status, 0, "%s", r.err);
  assert_has(r.out, "\"var\":\"talks\",\"old\":0,\"new\":0.30000000000000004,");
  assert_has(r.out, "\"new\":10.402857142857142,");   /* money, precision 1 */
  assert_has(r.out, "\"old\":35,\"new\":38.51,");
  done(r);
}

Test(numbers, play_why_state_and_set_show_the_rule) {
  char *d = folder();
  result r = run_script(d, "play " NUMBERS,
                        "\n\n/why talks\n/why money\n/state\n"
                        "/set money 3.14159\n/quit\n");
  cr_assert_eq(r.status, 0, "%s", r.err);
  assert_no_noise(r.out);
  assert_has(r.out, "talks is 0.6.  Its last changes:\n"
                    "  turn 1   0 -> 0.3  (trigger:drift)\n"
                    "  turn 2   0.3 -> 0.6  (trigger:drift)\n");
  assert_has(r.out, "  turn 1   10.3 -> 10.4  (trigger:drift)\n");
  assert_has(r.out, "  talks                            0.6    "
                    "DPRK.economy                  42.371\n");
  assert_has(r.out, "money: 10.5 -> 3.1\n");
  done(r);
  rmtree(d);
}

Test(numbers, doc_shows_start_values_by_the_rule) {
  result r = run("doc " NUMBERS);
  cr_assert_eq(r.status, 0, "%s", r.err);
  assert_has(r.out, "| `money` | 0 to 1000 | 10\\.3 |");
  done(r);
}

Test(numbers, csv_and_batch_summary_show_the_rule_and_merge_keeps_it) {
  char *d = folder();
  char args[1024], path[600];
  snprintf(path, sizeof path, "%s/runs.csv", d);
  snprintf(args, sizeof args, "batch " NUMBERS " --runs 2 --csv %s", path);
  result r = run(args);
  cr_assert_eq(r.status, 0, "%s", r.err);
  assert_no_noise(r.out);
  done(r);
  char *csv = slurp(path);
  cr_assert_not_null(csv);
  assert_no_noise(csv);
  assert_has(csv, ",0.9,46.6181,10.7,6\n");
  free(csv);

  /* Parts keep the precision and hold no rows: a shard's CSV agrees. */
  snprintf(args, sizeof args,
           "batch " NUMBERS " --runs 2 --shard 1/1 --out %s/part.json "
           "--csv %s/shard.csv", d, d);
  r = run(args);
  cr_assert_eq(r.status, 0, "%s", r.err);
  done(r);
  snprintf(args, sizeof args, "merge %s/part.json", d);
  r = run(args);
  cr_assert_eq(r.status, 0, "%s %s", r.out, r.err);
  assert_no_noise(r.out);
  done(r);
  snprintf(path, sizeof path, "%s/shard.csv", d);
  csv = slurp(path);
  cr_assert_not_null(csv, "%s", path);
  assert_has(csv, ",0.9,46.6181,10.7,6\n");
  free(csv);
  rmtree(d);
}

Test(numbers, the_report_shows_values_by_the_rule) {
  char *d = folder();
  char args[1024];
  snprintf(args, sizeof args, "run " NUMBERS " --log %s/log.jsonl", d);
  result r = run(args);
  cr_assert_eq(r.status, 0, "%s", r.err);
  done(r);
  snprintf(args, sizeof args, "report %s/log.jsonl -o %s/r.md", d, d);
  r = run(args);
  cr_assert_eq(r.status, 0, "%s %s", r.out, r.err);
  done(r);
  char path[600];
  snprintf(path, sizeof path, "%s/r.md", d);
  char *md = slurp(path);
  cr_assert_not_null(md, "%s", path);
  assert_no_noise(md);
  assert_has(md, "46.6181");
  assert_has(md, "10.7");
  free(md);
  rmtree(d);
}

Test(numbers, a_reported_facilitator_set_shows_its_values_by_the_rule) {
  char *d = folder();
  char args[1024];
  snprintf(args, sizeof args, "play " NUMBERS " --log %s/log.jsonl", d);
  result r = run_script(d, args, "\n\n/set money 3.14159\n/set talks 1\n"
                                 "/quit\n");
  cr_assert_eq(r.status, 0, "%s", r.err);
  done(r);
  snprintf(args, sizeof args, "report %s/log.jsonl -o %s/r.md", d, d);
  r = run(args);
  cr_assert_eq(r.status, 0, "%s %s", r.out, r.err);
  done(r);
  char path[600];
  snprintf(path, sizeof path, "%s/r.md", d);
  char *md = slurp(path);
  cr_assert_not_null(md, "%s", path);
  assert_no_noise(md);
  /* Markdown escapes the points.  Before: 10.545714285714286 and
     0.6000000000000001 in the log; after, 3.14159 at precision 1. */
  assert_has(md, "- set money: 10\\.5 \u2192 3\\.1\n");
  assert_has(md, "- set talks: 0\\.6 \u2192 1\n");
  free(md);
  rmtree(d);
}

Test(numbers, a_view_s_text_follows_the_rule_and_its_value_stays_exact) {
  brink_session *s;
  cr_assert_eq(brink_session_open(&s, NULL), BRINK_OK);
  cr_assert_eq(brink_session_load_file(s, NUMBERS), BRINK_OK, "%s",
               brink_session_errmsg(s));
  cr_assert_eq(brink_session_start(s, 3), BRINK_OK, "%s",
               brink_session_errmsg(s));
  for (int i = 0; i < 2; i++)
    cr_assert_geq(brink_session_step(s), 0, "%s", brink_session_errmsg(s));
  char *json;
  cr_assert_eq(brink_session_view(s, BRINK_VIEW_ALL, &json, NULL), BRINK_OK,
               "%s", brink_session_errmsg(s));
  json_t *view = json_loads(json, 0, NULL), *v;
  cr_assert_not_null(view, "%s", json);
  size_t i;
  double talks = 0, money = 10.26;   /* as the trigger sums them */
  for (int k = 0; k < 2; k++) {
    talks = talks + 0.1 + 0.2;
    money = money + 1.0 / 7;
  }
  int seen = 0;
  json_array_foreach(json_object_get(view, "values"), i, v) {
    const char *name = json_string_value(json_object_get(v, "name"));
    const char *text = json_string_value(json_object_get(v, "text"));
    double x = json_number_value(json_object_get(v, "value"));
    if (strcmp(name, "talks") == 0) {
      cr_assert_str_eq(text, "0.6");
      cr_assert_eq(x, talks, "%.17g is not the exact %.17g", x, talks);
      seen++;
    } else if (strcmp(name, "money") == 0) {
      cr_assert_str_eq(text, "10.5");
      cr_assert_eq(x, money, "%.17g is not the exact %.17g", x, money);
      seen++;
    }
  }
  cr_assert_eq(seen, 2, "%s", json);
  /* The facilitator's timeline: exact texts, and texts for people. */
  assert_has(json, "\"var\":\"talks\",\"old\":\"0\","
                   "\"new\":\"0.30000000000000004\",\"old_text\":\"0\","
                   "\"new_text\":\"0.3\",");
  json_decref(view);
  brink_buffer_free(json);
  brink_session_close(s);
}

/* The most decimals among the numbers of the line of 'text' that starts
   with 'start'. */
static int most_decimals(const char *text, const char *start) {
  const char *line = strstr(text, start);
  cr_assert_not_null(line, "no line %s in:\n%s", start, text);
  int most = 0;
  for (const char *p = line + strlen(start); *p && *p != '\n'; p++)
    if (*p == '.') {
      int n = (int)strspn(p + 1, "0123456789");
      if (n > most) most = n;
    }
  return most;
}

Test(numbers, the_batch_summary_shows_mean_spread_and_percentiles_by_the_rule) {
  char *d = folder();
  char path[600], args[1024];
  snprintf(path, sizeof path, "%s/rnd.lua", d);
  spit(path,
       "scenario { id = 'rnd', start = '2019-10-01', finish = '2019-12-31', "
       "turn = 'month' }\n"
       "actor 'A' { name = 'A' }\n"
       "var 'x' { min = 0, max = 100, init = 10, precision = 2 }\n"
       "var 'y' { min = 0, max = 100, init = 10 }\n"
       "trigger 't' { every = 1, effect = function(w)\n"
       "  w.x = w.x + random() / 3; w.y = w.y + random() / 7 end }\n");
  snprintf(args, sizeof args, "batch %s --runs 20", path);
  result r = run(args);
  cr_assert_eq(r.status, 0, "%s", r.err);
  assert_has(r.out, "mean         sd         p5        p50        p95\n");
  cr_assert_eq(most_decimals(r.out, "\n  x "), 2, "%s", r.out);
  cr_assert_eq(most_decimals(r.out, "\n  y "), 4, "%s", r.out);
  done(r);
  rmtree(d);
}

Test(numbers, a_reported_belief_shows_its_values_by_the_rule) {
  char *d = folder();
  char path[600], args[1024];
  snprintf(path, sizeof path, "%s/bel.lua", d);
  spit(path,
       "scenario { id = 'bel', start = '2019-10-01', finish = '2019-11-30', "
       "turn = 'month' }\n"
       "actor 'USA' { name = 'USA' }\n"
       "actor 'DPRK' { name = 'DPRK' }\n"
       "var 'DPRK.warheads' { min = 0, max = 100, init = 30.26, hidden = true,"
       " precision = 1, believed = { 20, 60 } }\n"
       "trigger 'intel' { every = 1, effect = function(w)\n"
       "  believe('USA', 'DPRK.warheads', 20 + 0.1 + 0.2, 40 + 1 / 7)\n"
       "  w.DPRK.warheads = w.DPRK.warheads + 1 / 7 end }\n");
  snprintf(args, sizeof args, "run %s --log %s/log.jsonl", path, d);
  result r = run(args);
  cr_assert_eq(r.status, 0, "%s", r.err);
  done(r);
  snprintf(args, sizeof args, "report %s/log.jsonl -o %s/r.md", d, d);
  r = run(args);
  cr_assert_eq(r.status, 0, "%s %s", r.out, r.err);
  done(r);
  snprintf(path, sizeof path, "%s/r.md", d);
  char *md = slurp(path);
  cr_assert_not_null(md, "%s", path);
  /* The log: lo 20.3, hi 40.142857142857146, the truth 30.545714285714286;
     the markdown escapes a point after a line's first digits. */
  assert_has(md, "| USA | DPRK.warheads | 20\\.3\u201340.1 | 30\\.5 | 0 |");
  free(md);
  rmtree(d);
}
