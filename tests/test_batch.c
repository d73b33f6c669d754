/*
** brink batch and brink merge, run as a user would (BRINK names the
** binary; the tests skip without it).  They run from the repository root.
*/
#define _DEFAULT_SOURCE   /* mkdtemp */
#include "batch_fixture.h"
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "batch.h"
#include "brink_batch.h"

#define SCN "tests/cli/batch.lua"
#define COIN "tests/cli/coin.lua"

static void spit(const char *path, const char *text, size_t len) {
  FILE *f = fopen(path, "wb");
  cr_assert_not_null(f, "cannot write %s", path);
  cr_assert_eq(fwrite(text, 1, len, f), len);
  fclose(f);
}

#define sh shell

Test(batch, gives_the_same_bytes_whatever_jobs_is) {
  const char *files[] = {SCN, "examples/standoff.lua"};
  for (int f = 0; f < 2; f++) {
    result base = run("batch %s --runs 300 --jobs 1 --json", files[f]);
    cr_assert_eq(base.status, 0, "%s", base.err);
    cr_assert(strncmp(base.out, "{\"t\":\"batch\",", 13) == 0, "%s",
              base.out);
    result text1 = run("batch %s --runs 300 --jobs 1", files[f]);
    for (int jobs = 2; jobs <= 4; jobs *= 2) {
      result j = run("batch %s --runs 300 --jobs %d --json", files[f], jobs);
      cr_assert_str_eq(j.out, base.out, "%s, --jobs %d", files[f], jobs);
      result t = run("batch %s --runs 300 --jobs %d", files[f], jobs);
      cr_assert_str_eq(t.out, text1.out, "%s, --jobs %d", files[f], jobs);
      done(j);
      done(t);
    }
    done(text1);
    done(base);
  }
}

/* Field 'k' (from 0) of a CSV line without quoted fields. */
static char *csv_field(const char *line, int k, char *buf, size_t cap) {
  for (; k > 0; k--) {
    line = strchr(line, ',');
    cr_assert_not_null(line);
    line++;
  }
  size_t n = strcspn(line, ",\n");
  cr_assert_lt(n, cap);
  memcpy(buf, line, n);
  buf[n] = '\0';
  return buf;
}

/* Line 'k' of 'text', from 0. */
static const char *nth_line(const char *text, int k) {
  for (; k > 0; k--) {
    text = strchr(text, '\n');
    cr_assert_not_null(text);
    text++;
  }
  return text;
}

/* The row of run i matches the end record of brink run --seed S+i. */
static void check_row(const char *csv, const char *extra, unsigned seed,
                      int i, int want_status) {
  result r = run("run " SCN " --seed %u --json %s", seed + (unsigned)i, extra);
  cr_assert_eq(r.status, want_status, "%s", r.err);
  char *last = r.out + strlen(r.out) - 1;
  while (last > r.out && last[-1] != '\n') last--;
  json_error_t err;
  json_t *end = json_loads(last, 0, &err);
  cr_assert_not_null(end, "%s", err.text);
  cr_assert_str_eq(json_string_value(json_object_get(end, "t")), "end");
  const char *header = csv, *row = nth_line(csv, i + 1);
  char a[256], b[256];
  cr_assert_eq(strtoull(csv_field(row, 0, a, sizeof a), NULL, 10),
               seed + (unsigned)i);
  cr_assert_str_eq(csv_field(row, 1, a, sizeof a),
                   json_string_value(json_object_get(end, "outcome")));
  cr_assert_eq(atoi(csv_field(row, 2, a, sizeof a)),
               json_integer_value(json_object_get(end, "turn")));
  json_t *final = json_object_get(end, "final");
  cr_assert_eq(json_object_size(final), 5);
  for (int k = 3; k < 3 + 5; k++) {
    json_t *v = json_object_get(final, csv_field(header, k, a, sizeof a));
    cr_assert_not_null(v, "no %s in the end record", a);
    csv_field(row, k, b, sizeof b);
    if (json_is_string(v)) cr_assert_str_eq(b, json_string_value(v));
    else if (json_is_boolean(v))
      cr_assert_str_eq(b, json_is_true(v) ? "true" : "false");
    else cr_assert_eq(strtod(b, NULL), json_number_value(v), "%s: %s", a, b);
  }
  json_decref(end);
  done(r);
}

Test(batch, a_row_is_replayed_by_brink_run_with_seed_s_plus_i) {
  char *d = tmpdir(), path[256];
  snprintf(path, sizeof path, "%s/runs.csv", d);
  result b = run("batch " SCN " --runs 40 --seed 500 --set heat=60 --csv %s",
                 path);
  cr_assert_eq(b.status, 0, "%s", b.err);
  char *csv = slurp(path);
  cr_assert(strncmp(csv, "seed,outcome,turn,heat,", 23) == 0, "%s", csv);
  int sample[] = {0, 7, 23, 39};
  for (int k = 0; k < 4; k++)
    check_row(csv, "--set heat=60", 500, sample[k], 0);
  free(csv);
  done(b);
  /* Runs that end in a script error replay too, error state and all. */
  b = run("batch " SCN " --runs 12 --seed 9 --set fail_at=4 --csv %s", path);
  cr_assert_eq(b.status, 1, "a run error makes the batch exit 1");
  csv = slurp(path);
  cr_assert(strstr(csv, ",error,"), "%s", csv);
  check_row(csv, "--set fail_at=4", 9, 5, 1);
  free(csv);
  done(b);
  rmdir_all(d);
}

Test(batch, a_script_error_ends_a_run_as_outcome_error) {
  result r = run("batch " SCN " --runs 20 --set fail_at=5 --json");
  cr_assert_eq(r.status, 1);
  json_t *j = json_loads(r.out, 0, NULL);
  cr_assert_not_null(j, "%s", r.out);
  json_t *outs = json_object_get(j, "outcomes");
  json_int_t errors = json_integer_value(json_object_get(outs, "error"));
  cr_assert_gt(errors, 0, "%s", r.out);
  json_t *first = json_array_get(json_object_get(j, "errors"), 0);
  cr_assert(strstr(json_string_value(json_object_get(first, "message")),
                   "batch.lua:39: trigger:tick: planned failure"), "%s",
            r.out);
  cr_assert_str_eq(r.err, "");
  json_decref(j);
  done(r);
}

Test(batch, merged_shards_equal_the_unsharded_batch) {
  char *d = tmpdir();
  char args[1024];
  result whole = run("batch " SCN " --runs 301 --seed 77 --var heat --var "
                     "mood --json --csv %s/whole.csv --plot %s/whole.svg", d,
                     d);
  cr_assert_eq(whole.status, 0, "%s", whole.err);
  result text = run("batch " SCN " --runs 301 --seed 77 --var heat --var "
                    "mood");
  for (int k = 1; k <= 3; k++) {
    result p = run("batch " SCN " --runs 301 --seed 77 --var heat --var mood "
                   "--shard %d/3 --out %s/part%d.json --jobs %d --csv "
                   "%s/part%d.csv", k, d, k, k, d, k);
    cr_assert_eq(p.status, 0, "%s", p.err);
    cr_assert_str_eq(p.out, "");
    done(p);
  }
  snprintf(args, sizeof args, "merge %s/part3.json %s/part1.json "
           "%s/part2.json", d, d, d);
  result m = run("%s --json --plot %s/merged.svg", args, d);
  cr_assert_eq(m.status, 0, "%s", m.err);
  cr_assert_str_eq(m.out, whole.out);
  result mt = run("%s", args);
  cr_assert_str_eq(mt.out, text.out);
  /* Parts hold no rows: the shards' CSVs, joined, are the whole one. */
  char p1[300], p2[300];
  snprintf(p1, sizeof p1, "%s/whole.csv", d);
  char *c1 = slurp(p1), *c2;
  size_t at = 0;
  for (int k = 1; k <= 3; k++) {
    snprintf(p2, sizeof p2, "%s/part%d.csv", d, k);
    c2 = slurp(p2);
    const char *rows = strchr(c2, '\n') + 1;
    if (k == 1) rows = c2;
    cr_assert(strncmp(c1 + at, rows, strlen(rows)) == 0, "part %d's CSV", k);
    at += strlen(rows);
    free(c2);
  }
  cr_assert_eq(at, strlen(c1));
  free(c1);
  result mc = run("%s --csv %s/merged.csv", args, d);
  cr_assert_eq(mc.status, 2, "%s", mc.err);
  cr_assert(strstr(mc.err, "parts hold no rows"), "%s", mc.err);
  done(mc);
  snprintf(p1, sizeof p1, "%s/whole.svg", d);
  snprintf(p2, sizeof p2, "%s/merged.svg", d);
  c1 = slurp(p1);
  c2 = slurp(p2);
  cr_assert_str_eq(c2, c1);
  free(c1);
  free(c2);
  done(m);
  done(mt);
  done(text);
  done(whole);
  rmdir_all(d);
}

Test(batch, gnu_parallel_over_four_shards_equals_one_run) {
  const char *b = brink();
  if (system("command -v parallel >/dev/null 2>&1") != 0)
    cr_skip_test("GNU parallel is not installed (tools/deps.sh installs it)");
  char *d = tmpdir(), line[2048];
  snprintf(line, sizeof line, "parallel --will-cite --halt now,fail=1 %s "
           "batch examples/standoff.lua --runs 1000 --shard {}/4 --out "
           "%s/part{}.json ::: 1 2 3 4 && %s merge %s/part*.json --json", b,
           d, b, d);
  result par = sh(line);
  cr_assert_eq(par.status, 0, "%s", par.err);
  result one = run("batch examples/standoff.lua --runs 1000 --json");
  cr_assert_str_eq(par.out, one.out);
  done(par);
  done(one);
  rmdir_all(d);
}

/* The interval of 'name' in a --json summary. */
static void interval(const char *json, const char *name, double *lo,
                     double *hi) {
  json_t *j = json_loads(json, 0, NULL);
  cr_assert_not_null(j, "%s", json);
  json_t *ci = json_object_get(json_object_get(j, "outcome_ci95"), name);
  cr_assert_eq(json_array_size(ci), 2, "%s", json);
  *lo = json_number_value(json_array_get(ci, 0));
  *hi = json_number_value(json_array_get(ci, 1));
  json_decref(j);
}

Test(batch, wilson_intervals_match_known_values) {
  double lo, hi;
  /* Seed 41 happens to give 312 heads in 1000 tosses at p = 0.312. */
  result r = run("batch " COIN " --runs 1000 --seed 41 --set p=0.312 "
                 "--json");
  cr_assert(strstr(r.out, "\"outcomes\":{\"heads\":312,\"tails\":688}"),
            "%s", r.out);
  interval(r.out, "heads", &lo, &hi);
  cr_assert_eq(lo, 0.284);
  cr_assert_eq(hi, 0.341);
  interval(r.out, "tails", &lo, &hi);
  cr_assert_eq(lo, 0.659);
  cr_assert_eq(hi, 0.716);
  done(r);
  r = run("batch " COIN " --runs 10 --set p=1 --json");
  cr_assert(strstr(r.out, "\"outcome_ci95\":{\"heads\":[0.722,1],"
                          "\"tails\":[0,0.278]}"), "%s", r.out);
  done(r);
  r = run("batch " COIN " --runs 10 --set p=0 --json");
  cr_assert(strstr(r.out, "\"outcome_ci95\":{\"heads\":[0,0.278],"
                          "\"tails\":[0.722,1]}"), "%s", r.out);
  done(r);
}

/* Expects 'merge ARGS' to be refused with 'message' in its stderr. */
static void refused(const char *args, const char *message) {
  result r = run("merge %s --json", args);
  cr_assert_eq(r.status, 1, "merge %s: status %d", args, r.status);
  cr_assert_str_eq(r.out, "", "merge %s printed a summary", args);
  cr_assert(strstr(r.err, message), "merge %s:\n%s\nwanted: %s", args, r.err,
            message);
  cr_assert(strncmp(r.err, "brink merge: ", 13) == 0, "%s", r.err);
  done(r);
}

Test(batch, damaged_or_mismatched_parts_are_refused) {
  char *d = tmpdir(), a[2048], path[300];
  for (int k = 1; k <= 3; k++) {
    result p = run("batch " SCN " --runs 90 --shard %d/3 --out %s/p%d.json",
                   k, d, k);
    cr_assert_eq(p.status, 0, "%s", p.err);
    done(p);
  }
  snprintf(path, sizeof path, "%s/p2.json", d);
  char *good = slurp(path);
  size_t len = strlen(good);

  snprintf(path, sizeof path, "%s/trunc.json", d);
  spit(path, good, len / 2);
  snprintf(a, sizeof a, "%s/p1.json %s/trunc.json %s/p3.json", d, d, d);
  refused(a, "trunc.json: damaged or truncated");

  /* A digit changed inside a value: still JSON, but not what was written. */
  char *flip = strdup(good), *digit = strstr(flip, "\"final\":");
  cr_assert_not_null(digit);
  while (*digit < '1' || *digit > '8') digit++;
  (*digit)++;
  snprintf(path, sizeof path, "%s/flip.json", d);
  spit(path, flip, len);
  snprintf(a, sizeof a, "%s/p1.json %s/flip.json %s/p3.json", d, d, d);
  refused(a, "flip.json: damaged: its checksum does not match");
  free(flip);

  snprintf(path, sizeof path, "%s/text.json", d);
  spit(path, "hello, world\n", 13);
  snprintf(a, sizeof a, "%s/p1.json %s/text.json %s/p3.json", d, d, d);
  refused(a, "text.json: not a brink batch part: not JSON");
  snprintf(path, sizeof path, "%s/other.json", d);
  spit(path, "{\"t\":\"batch\"}\n", 14);
  snprintf(a, sizeof a, "%s/p1.json %s/other.json %s/p3.json", d, d, d);
  refused(a, "other.json: not a brink batch part");

  result o = run("batch examples/standoff.lua --runs 90 --shard 2/3 --out "
                 "%s/standoff.json", d);
  done(o);
  snprintf(a, sizeof a, "%s/p1.json %s/standoff.json %s/p3.json", d, d, d);
  refused(a, "are parts of different scenarios");

  /* The same scenario id, another text. */
  char *src = slurp(SCN);
  cr_assert_not_null(src);
  size_t cap = strlen(src) + 64;
  char *copy = malloc(cap);
  cr_assert_not_null(copy);
  snprintf(copy, cap, "%s-- edited\n", src);
  snprintf(path, sizeof path, "%s/batch.lua", d);
  spit(path, copy, strlen(copy));
  o = run("batch %s --runs 90 --shard 2/3 --out %s/edited.json", path, d);
  cr_assert_eq(o.status, 0, "%s", o.err);
  done(o);
  snprintf(a, sizeof a, "%s/p1.json %s/edited.json %s/p3.json", d, d, d);
  refused(a, "made from different texts of the scenario");
  free(src);
  free(copy);

  o = run("batch " SCN " --runs 90 --set heat=40 --shard 2/3 --out "
          "%s/set.json", d);
  done(o);
  snprintf(a, sizeof a, "%s/p1.json %s/set.json %s/p3.json", d, d, d);
  refused(a, "are parts of batches with different --set: [] against "
             "[\"heat=40\"]");
  o = run("batch " SCN " --runs 91 --shard 2/3 --out %s/runs.json", d);
  done(o);
  snprintf(a, sizeof a, "%s/p1.json %s/runs.json %s/p3.json", d, d, d);
  refused(a, "different --runs");

  snprintf(a, sizeof a, "%s/p1.json %s/p3.json", d, d);
  refused(a, "a gap: no part holds runs 30-59 (seeds 130-159)");
  snprintf(a, sizeof a, "%s/p1.json %s/p2.json", d, d);
  refused(a, "a gap: no part holds runs 60-89");
  o = run("batch " SCN " --runs 90 --shard 1/2 --out %s/half.json", d);
  done(o);
  snprintf(a, sizeof a, "%s/half.json %s/p2.json %s/p3.json", d, d, d);
  refused(a, "(runs 0-44) and ");
  refused(a, "overlap");
  snprintf(a, sizeof a, "%s/p1.json %s/p2.json %s/p2.json %s/p3.json", d, d,
           d, d);
  refused(a, "overlap");
  snprintf(a, sizeof a, "%s/p1.json %s/missing.json", d, d);
  refused(a, "missing.json: cannot read it");

  /* And the good parts still merge. */
  result m = run("merge %s/p1.json %s/p2.json %s/p3.json --json", d, d, d);
  cr_assert_eq(m.status, 0, "%s", m.err);
  done(m);
  free(good);
  rmdir_all(d);
}

Test(batch, help_lists_every_flag) {
  result r = run("batch --help");
  cr_assert_eq(r.status, 0);
  const char *flags[] = {"--runs", "--jobs", "--seed", "--turns", "--policy",
                         "--set", "--var", "--json", "--csv", "--sweep",
                         "--shard", "--out", "--plot", "--max-instructions",
                         "--max-memory", "--max-seconds", "--no-cache"};
  for (size_t i = 0; i < sizeof flags / sizeof *flags; i++)
    cr_assert(strstr(r.out, flags[i]), "batch --help lacks %s", flags[i]);
  done(r);
  r = run("merge --help");
  cr_assert_eq(r.status, 0);
  cr_assert(strstr(r.out, "--json") && strstr(r.out, "--csv") &&
            strstr(r.out, "--plot"), "%s", r.out);
  done(r);
  r = run("--help");
  cr_assert(strstr(r.out, "  batch FILE") && strstr(r.out, "  merge PART"),
            "%s", r.out);
  done(r);
}

Test(batch, usage_errors_exit_2_with_a_message) {
  struct { const char *args, *message; } cases[] = {
      {"batch " SCN " --runs 0",
       "brink batch: --runs takes a number from 1 to 10^9, not '0'\n"},
      {"batch " SCN " --jobs many",
       "brink batch: --jobs takes a number from 1 to 1024, not 'many'\n"},
      {"batch " SCN " --shard 3/2 --out x",
       "brink batch: --shard takes K/N with 1 <= K <= N, not '3/2'\n"},
      {"batch " SCN " --shard 1/2",
       "brink batch: --shard needs --out FILE for the part\n"},
      {"batch " SCN " --shard 1/2 --out x --json",
       "brink batch: --shard writes a part; brink merge prints the summary "
       "(--json, --plot)\n"},
      {"batch " SCN " --var heet",
       "brink batch: --var heet: unknown variable 'heet' (did you mean "
       "'heat'?)\n"},
      {"batch " SCN " --set ticks=1.5",
       "brink batch: --set ticks=1.5: ticks is an integer variable: 1.5 is "
       "not an integer\n"},
      {"batch " SCN " --sweep heat=1,,2", "brink batch: --sweep heat=1,,2: "
                                          "an empty value\n"},
      {"batch " SCN " --sweep mood=calm,angry",
       "brink batch: --set mood=angry: mood: "},
      {"batch " SCN " --rusn 3",
       "brink batch: unknown option '--rusn' (did you mean '--runs'?)\n"},
      {"batch", "brink batch: which scenario? (brink batch FILE)\n"},
      {"merge", "brink merge: which parts? (brink merge PART...)\n"},
      {"merge --seed 3 x.json",
       "brink merge: unknown option '--seed' (see brink merge --help)\n"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    result r = run("%s", cases[i].args);
    cr_assert_eq(r.status, 2, "%s: status %d", cases[i].args, r.status);
    cr_assert(strncmp(r.err, cases[i].message, strlen(cases[i].message)) == 0,
              "%s:\n%s", cases[i].args, r.err);
    cr_assert_str_eq(r.out, "");
    done(r);
  }
}

/* The "paired" line of a sweep's --json output: its last. */
static json_t *paired_of(const char *out) {
  const char *last = strstr(out, "{\"t\":\"paired\"");
  cr_assert_not_null(last, "%s", out);
  json_t *j = json_loads(last, JSON_DISABLE_EOF_CHECK, NULL);
  cr_assert_not_null(j, "%s", last);
  return j;
}

Test(batch, a_sweep_compares_each_point_with_the_first_on_the_same_dice) {
  /* Two points that are the same: every run is paired with its twin, so
     every difference is exactly 0 with a zero-width interval, where two
     independent samples would differ. */
  result s = run("batch " SCN " --runs 200 --sweep heat=50,50 --json");
  cr_assert_eq(s.status, 0, "%s", s.err);
  json_t *p = paired_of(s.out), *pt = json_array_get(json_object_get(p,
                                                                      "points"), 0);
  cr_assert_str_eq(json_string_value(json_object_get(
                       json_object_get(p, "against"), "heat")), "50");
  const char *name;
  json_t *o;
  int outcomes = 0;
  json_object_foreach(json_object_get(pt, "outcomes"), name, o) {
    outcomes++;
    cr_assert_eq(json_number_value(json_object_get(o, "diff")), 0, "%s", name);
    json_t *ci = json_object_get(o, "ci95");
    cr_assert_eq(json_number_value(json_array_get(ci, 0)), 0, "%s", name);
    cr_assert_eq(json_number_value(json_array_get(ci, 1)), 0, "%s", name);
  }
  cr_assert_gt(outcomes, 1);
  json_decref(p);
  done(s);
  /* Points that differ: the paired interval holds the difference. */
  result t = run("batch " SCN " --runs 400 --sweep heat=30,70 --json");
  cr_assert_eq(t.status, 0, "%s", t.err);
  p = paired_of(t.out);
  pt = json_array_get(json_object_get(p, "points"), 0);
  bool moved = false;
  json_object_foreach(json_object_get(pt, "outcomes"), name, o) {
    double d = json_number_value(json_object_get(o, "diff"));
    json_t *ci = json_object_get(o, "ci95");
    cr_assert(json_number_value(json_array_get(ci, 0)) <= d + 1e-12 &&
              d <= json_number_value(json_array_get(ci, 1)) + 1e-12, "%s",
              name);
    cr_assert_gt(json_number_value(json_object_get(o, "unpaired_half")), 0);
    moved |= d != 0;
  }
  cr_assert(moved, "%s", t.out);
  json_decref(p);
  done(t);
}

Test(batch, a_sweep_runs_each_combination_like_set) {
  result s = run("batch " SCN " --runs 50 --sweep heat=30,70 --sweep "
                 "mood=calm,tense --json");
  cr_assert_eq(s.status, 0, "%s", s.err);
  const char *combos[4][2] = {{"30", "calm"}, {"30", "tense"},
                              {"70", "calm"}, {"70", "tense"}};
  for (int c = 0; c < 4; c++) {
    result one = run("batch " SCN " --runs 50 --set heat=%s --set mood=%s "
                     "--json", combos[c][0], combos[c][1]);
    /* The same object, with the combination named after "scenario". */
    char want[8192], tag[128];
    snprintf(tag, sizeof tag, "\"sweep\":{\"heat\":\"%s\",\"mood\":\"%s\"},",
             combos[c][0], combos[c][1]);
    const char *at = strstr(one.out, "\"runs\"");
    cr_assert_not_null(at);
    snprintf(want, sizeof want, "%.*s%s%s", (int)(at - one.out), one.out, tag,
             at);
    const char *line = nth_line(s.out, c);
    cr_assert(strncmp(line, want, strlen(want)) == 0, "combination %d:\n%s"
              "\nwanted:\n%s", c, line, want);
    done(one);
  }
  done(s);
  result t = run("batch " SCN " --runs 50 --sweep heat=30,70");
  cr_assert(strstr(t.out, "sweep: heat=30\n") && strstr(t.out, "sweep: "
                                                                "heat=70\n"),
            "%s", t.out);
  cr_assert(strstr(t.out, "comparison (share of runs"), "%s", t.out);
  cr_assert(strstr(t.out, "  heat=70 "), "%s", t.out);
  cr_assert(strstr(t.out, "against heat=30, on the same seeds"), "%s", t.out);
  done(t);
  /* The CSV names each swept start apart from the final values. */
  char *d = tmpdir(), path[256];
  snprintf(path, sizeof path, "%s/sweep.csv", d);
  result c = run("batch " SCN " --runs 5 --sweep heat=30,70 --sweep "
                 "mood=calm,tense --csv %s", path);
  cr_assert_eq(c.status, 0, "%s", c.err);
  char *csv = slurp(path);
  char *nl = strchr(csv, '\n');
  *nl = '\0';
  cr_assert(strncmp(csv, "seed,outcome,turn,set:heat,set:mood,", 36) == 0,
            "%s", csv);
  /* --plot: one chart per point, titled with it. */
  char plot[300], one[320];
  snprintf(plot, sizeof plot, "%s/chart.svg", d);
  result p = run("batch " SCN " --runs 5 --sweep heat=30,70 --plot %s", plot);
  cr_assert_eq(p.status, 0, "%s", p.err);
  for (int k = 1; k <= 2; k++) {
    snprintf(one, sizeof one, "%s/chart-%d.svg", d, k);
    char *svg = slurp(one);
    cr_assert(strstr(svg, k == 1 ? "heat=30" : "heat=70"), "%s", one);
    free(svg);
  }
  done(p);
  /* No name twice. */
  char *names[64];
  int n = 0;
  for (char *tok = strtok(csv, ","); tok && n < 64; tok = strtok(NULL, ","))
    names[n++] = tok;
  for (int i = 0; i < n; i++)
    for (int k = i + 1; k < n; k++)
      cr_assert_str_neq(names[i], names[k]);
  free(csv);
  done(c);
}

Test(batch, the_summary_has_scores_coverage_and_triggers) {
  result r = run("batch " SCN " --runs 200 --json");
  json_t *j = json_loads(r.out, 0, NULL);
  cr_assert_not_null(j, "%s", r.out);
  const char *keys[] = {"t", "scenario", "runs", "seed", "verified",
                        "outcomes",
                        "outcome_ci95", "final", "scores", "triggers",
                        "moves", "coverage"};
  void *it = json_object_iter(j);
  for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
    cr_assert_not_null(it);
    cr_assert_str_eq(json_object_iter_key(it), keys[i]);
    it = json_object_iter_next(j, it);
  }
  cr_assert_eq(json_integer_value(json_object_get(j, "seed")), 100);
  json_t *fin = json_object_get(j, "final");
  cr_assert_not_null(json_object_get(fin, "heat"), "heat varies");
  cr_assert_null(json_object_get(fin, "fail_at"), "fail_at never varies");
  cr_assert(json_is_object(json_object_get(json_object_get(fin, "mood"),
                                           "share")));
  json_t *sc = json_object_get(j, "scores");
  double a = json_number_value(json_object_get(sc, "A"));
  double b = json_number_value(json_object_get(sc, "B"));
  cr_assert_float_eq(a + b, 100, 1e-3, "score(A) + score(B) = 100");
  cr_assert_eq(json_number_value(json_object_get(
                   json_object_get(j, "triggers"), "tick")), 1);
  json_t *mv = json_object_get(json_object_get(j, "moves"), "A");
  double sum = 0;
  const char *key;
  json_t *v;
  json_object_foreach(mv, key, v) sum += json_number_value(v);
  cr_assert_float_eq(sum, 1, 0.01);
  json_t *never = json_object_get(json_object_get(j, "coverage"),
                                  "moves_never_chosen");
  cr_assert_str_eq(json_string_value(json_array_get(
                       json_object_get(never, "A"), 0)), "never");
  cr_assert_str_eq(r.err, "", "no progress when stderr is not a terminal");
  json_decref(j);
  done(r);
}

Test(batch, the_plot_is_one_standalone_svg) {
  char *d = tmpdir(), path[300];
  snprintf(path, sizeof path, "%s/fan.svg", d);
  result r = run("batch " SCN " --runs 100 --var heat --var alarm --plot %s",
                 path);
  cr_assert_eq(r.status, 0, "%s", r.err);
  char *svg = slurp(path);
  cr_assert_not_null(svg);
  cr_assert(strstr(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
  cr_assert(strstr(svg, "</svg>\n"));
  cr_assert_null(strstr(svg, "<script"));
  cr_assert_null(strstr(svg, "href"));
  cr_assert_null(strstr(svg, "url("));
  cr_assert_null(strstr(svg, "@import"));
  cr_assert_eq(strstr(strstr(svg, "http") + 1, "http"), NULL,
               "one URL only: the SVG namespace");
  cr_assert(strstr(svg, ">heat</text>"));
  cr_assert(strstr(svg, ">alarm (share of runs where true)</text>"));
  cr_assert(strstr(svg, ">Jan 2020</text>"), "dates on the x axis");
  cr_assert(strstr(svg, "95% Wilson intervals"));
  free(svg);
  done(r);
  rmdir_all(d);
}

/* The statistics themselves, unrounded, from the library. */
Test(batch, wilson_and_nearest_rank_follow_their_definitions) {
  double lo, hi;
  wilson95(312, 1000, &lo, &hi);
  cr_assert_float_eq(lo, 0.284050, 1e-6);
  cr_assert_float_eq(hi, 0.341389, 1e-6);
  wilson95(0, 10, &lo, &hi);
  cr_assert_eq(lo, 0);
  cr_assert_float_eq(hi, 0.277533, 1e-6);
  wilson95(10, 10, &lo, &hi);
  cr_assert_float_eq(lo, 0.722467, 1e-6);
  cr_assert_eq(hi, 1);
  wilson95(1, 2, &lo, &hi);   /* symmetric about 1/2 */
  cr_assert_float_eq(lo + hi, 1, 1e-12);
  double x[1000];
  for (int i = 0; i < 1000; i++) x[i] = i + 1;
  cr_assert_eq(nearest_rank(x, 1000, 5), 50, "x(ceil(0.05 * 1000))");
  cr_assert_eq(nearest_rank(x, 1000, 50), 500);
  cr_assert_eq(nearest_rank(x, 1000, 95), 950);
  cr_assert_eq(nearest_rank(x, 3, 5), 1);
  cr_assert_eq(nearest_rank(x, 3, 50), 2);
  cr_assert_eq(nearest_rank(x, 3, 95), 3);
  cr_assert_eq(nearest_rank(x, 1, 95), 1);
  cr_assert_eq(nearest_rank(x, 20, 5), 1);
  cr_assert_eq(nearest_rank(x, 20, 95), 19);
  char digest[72];
  batch_digest("abc", 3, digest);
  cr_assert_str_eq(digest, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a3"
                   "96177a9cb410ff61f20015ad", "FIPS 180-4's example");
}

/* "verified" of a --json summary. */
static json_int_t verified(const char *out) {
  json_t *j = json_loads(out, 0, NULL);
  cr_assert_not_null(j, "%s", out);
  json_t *v = json_object_get(j, "verified");
  cr_assert(json_is_integer(v), "%s", out);
  json_int_t n = json_integer_value(v);
  json_decref(j);
  return n;
}

Test(batch, run_0_and_one_run_per_2000_are_verified_in_fresh_engines) {
  const int64_t runs[] = {1, 3999, 4000, 7000};
  const json_int_t want[] = {1, 1, 2, 3};
  for (int k = 0; k < 4; k++) {
    result r = run("batch " SCN " --runs %lld --jobs 2 --json",
                   (long long)runs[k]);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_eq(verified(r.out), want[k], "--runs %lld", (long long)runs[k]);
    done(r);
  }
  result t = run("batch " SCN " --runs 4000 --jobs 3");
  cr_assert(strstr(t.out, "\nverified: 2 runs played again in a fresh "
                          "engine, record for record the same\n"), "%s",
            t.out);
  done(t);
  /* Shards verify the runs of the sample they hold; merge sums them. */
  char *d = tmpdir();
  for (int k = 1; k <= 3; k++) {
    result p = run("batch " SCN " --runs 7000 --shard %d/3 --out %s/%d.json",
                   k, d, k);
    cr_assert_eq(p.status, 0, "%s", p.err);
    done(p);
  }
  result m = run("merge %s/1.json %s/3.json %s/2.json --json", d, d, d);
  cr_assert_eq(m.status, 0, "%s", m.err);
  cr_assert_eq(verified(m.out), 3);
  done(m);
  rmdir_all(d);
}

Test(batch, a_run_that_differs_when_played_again_ends_the_batch) {
  /* The test hook spoils the batch's digest of one run, as state left
     behind by an earlier run would. */
  (void)brink();
  result r = sh("BRINK_TEST_PERTURB_RUN=0 $BRINK batch " SCN
                " --runs 50 --jobs 2 --json");
  cr_assert_eq(r.status, 1);
  cr_assert_str_eq(r.out, "", "no summary for a batch that is not "
                   "reproducible");
  cr_assert(strstr(r.err, "brink batch: run 0 is not reproducible: record "),
            "%s", r.err);
  cr_assert(strstr(r.err, " of brink run --seed 100 --json differs: the "
                          "batch wrote an \"end\" record, a fresh engine "
                          "writes {\"t\":\"end\","), "%s", r.err);
  cr_assert(strstr(r.err, "state kept outside the world"), "%s", r.err);
  done(r);
  /* A run outside the sample is not re-played. */
  r = sh("BRINK_TEST_PERTURB_RUN=7 $BRINK batch " SCN " --runs 50 --json");
  cr_assert_eq(r.status, 0, "%s", r.err);
  done(r);
}

/*
** A scenario that keeps a count in a script local: the runs after the
** first on a worker see it grown.  (Should such a scenario come to be
** refused at load, the test above still makes the mismatch happen.)
*/
Test(batch, state_kept_in_a_script_local_is_caught) {
  char *d = tmpdir(), path[256];
  snprintf(path, sizeof path, "%s/leak.lua", d);
  const char *src =
      "scenario { id = 'leak', start = '2020-01-01', finish = '2020-06-30',"
      " turn = 'month', default_outcome = 'none' }\n"
      "actor 'A' {}\n"
      "var 'x' { min = 0, max = 100, init = 1 }\n"
      "outcome 'leaked' { when = function(w) return w.x >= 50 end }\n"
      "local count = 0\n"
      "move 'poke' { by = 'A', weight = function(w) return 100 end,\n"
      "  effect = function(w) count = count + 1; if count > 6 then "
      "w.x = 60 end end }\n";
  spit(path, src, strlen(src));
  char *first = NULL;
  for (int jobs = 1; jobs <= 4; jobs *= 2) {
    result r = run("batch %s --runs 4000 --jobs %d", path, jobs);
    cr_assert_eq(r.status, 1);
    if (strstr(r.err, "is not reproducible") == NULL) {
      cr_assert_str_eq(r.out, "", "refused at load: %s", r.err);
      done(r);
      break;
    }
    /* The same run named whatever --jobs is: the sample depends on the
       seed and the run count alone. */
    const char *at = strstr(r.err, "brink batch: run ");
    cr_assert_not_null(at, "%s", r.err);
    char *name = strndup(at, (size_t)(strstr(at, " is not") - at));
    cr_assert_str_neq(name, "brink batch: run 0", "run 0 is the first on "
                      "its engine: no count yet");
    if (first) cr_assert_str_eq(name, first, "--jobs %d", jobs);
    free(first);
    first = name;
    done(r);
  }
  free(first);
  rmdir_all(d);
}

/* The library's batch, as a client other than the command calls it. */
static batch *library_batch(const char *text, const char *const *sets,
                            int nsets, int64_t runs) {
  batch_config c = {.path = SCN, .text = text, .len = strlen(text),
                    .runs = runs, .jobs = 2, .sets = sets, .nsets = nsets};
  batch *b;
  char err[1024];
  int rc = batch_open(&b, &c, err, sizeof err);
  cr_assert_eq(rc, 0, "%s", err);
  cr_assert_eq(batch_run(b, 0, err, sizeof err), 0, "%s", err);
  return b;
}

static char *summary_line(const bmeta *m, const btable *t) {
  json_t *j = summary_json(m, t);
  cr_assert_not_null(j);
  char *s = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(15));
  json_decref(j);
  size_t n = strlen(s);
  s = realloc(s, n + 2);
  memcpy(s + n, "\n", 2);
  return s;
}

Test(batch, the_library_plays_writes_and_merges_what_the_command_prints) {
  char *text = slurp(SCN);
  cr_assert_not_null(text);
  const char *sets[] = {"fail_at=4"};
  batch *b = library_batch(text, sets, 1, 200);
  char *lib = summary_line(&b->ms[0], &b->ts[0]);
  result cmd = run("batch " SCN " --runs 200 --set fail_at=4 --json");
  cr_assert_eq(cmd.status, 1, "runs that end in a script error: %s",
               cmd.err);
  cr_assert_str_eq(lib, cmd.out);
  /* A part written, read back and merged gives the same summary. */
  char *d = tmpdir(), path[256], err[1024];
  snprintf(path, sizeof path, "%s/all.part", d);
  cr_assert_eq(part_write(path, &b->ms[0], &b->ts[0], 1, 1, err,
                          sizeof err), 0, "%s", err);
  bpart p;
  bmeta m;
  btable t;
  cr_assert_eq(part_read(path, &p, err, sizeof err), 0, "%s", err);
  cr_assert_eq(parts_merge(&p, 1, &m, &t, err, sizeof err), 0, "%s", err);
  char *merged = summary_line(&m, &t);
  cr_assert_str_eq(merged, lib);
  cr_assert(strncmp(m.hash, "sha256:", 7) == 0, "%s", m.hash);
  table_free(&t);
  meta_free(&m);
  part_free(&p);
  free(merged);
  free(lib);
  done(cmd);
  batch_close(b);
  free(text);
  rmdir_all(d);
}

Test(batch, the_library_says_what_is_wrong_with_a_status_and_a_message) {
  char *text = slurp(SCN), err[1024];
  const char *vars[] = {"nope"}, *sweeps[] = {"heat=1,,2"};
  batch_config c = {.path = SCN, .text = text, .len = strlen(text),
                    .vars = vars, .nvars = 1};
  batch *b = (batch *)&c;
  cr_assert_eq(batch_open(&b, &c, err, sizeof err), BRINK_EINVAL);
  cr_assert_null(b);
  cr_assert(strncmp(err, "--var nope: ", 12) == 0, "%s", err);
  c = (batch_config){.path = SCN, .text = text, .len = strlen(text),
                     .sweeps = sweeps, .nsweeps = 1};
  cr_assert_eq(batch_open(&b, &c, err, sizeof err), BRINK_EINVAL);
  cr_assert_str_eq(err, "--sweep heat=1,,2: an empty value");
  const char *broken = "scenario { id = 'x' }\nvar 'y' { init = 'a' }\n";
  c = (batch_config){.path = "broken.lua", .text = broken,
                     .len = strlen(broken)};
  cr_assert_eq(batch_open(&b, &c, err, sizeof err), BRINK_ESCRIPT);
  cr_assert(strncmp(err, "broken.lua:", 11) == 0, "%s", err);
  /* A part of format 2, from before SHA-256. */
  const char *old = "{\"check\":\"fnv1a64:0123456789abcdef\",\"part\":{}}\n";
  bpart p;
  cr_assert_eq(part_read_text("old.part", old, strlen(old), &p, err,
                              sizeof err), BRINK_EFORMAT);
  cr_assert(strstr(err, "old.part: a part of format 2"), "%s", err);
  free(text);
}

/* Every truncation and every flipped bit of a part is refused cleanly. */
Test(batch, the_library_refuses_every_damaged_copy_of_a_part) {
  char *text = slurp(COIN);
  cr_assert_not_null(text);
  batch_config c = {.path = COIN, .text = text, .len = strlen(text),
                    .runs = 5, .jobs = 1, .shard_k = 1, .shard_n = 1};
  batch *b;
  char err[1024], *d = tmpdir(), path[256];
  cr_assert_eq(batch_open(&b, &c, err, sizeof err), 0, "%s", err);
  cr_assert_eq(batch_run(b, 0, err, sizeof err), 0, "%s", err);
  snprintf(path, sizeof path, "%s/p.part", d);
  cr_assert_eq(part_write(path, &b->ms[0], &b->ts[0], 1, 1, err,
                          sizeof err), 0, "%s", err);
  char *part = slurp(path);
  size_t len = strlen(part);
  bpart p;
  cr_assert_eq(part_read_text("p", part, len, &p, err, sizeof err), 0,
               "%s", err);
  part_free(&p);
  for (size_t n = 0; n < len - 1; n++) {
    cr_assert_eq(part_read_text("p", part, n, &p, err, sizeof err),
                 BRINK_EFORMAT, "cut at %zu", n);
    cr_assert_null(p.root);
  }
  for (size_t at = 0; at < len; at++) {
    part[at] ^= 1;
    cr_assert_eq(part_read_text("p", part, len, &p, err, sizeof err),
                 BRINK_EFORMAT, "byte %zu flipped", at);
    part[at] ^= 1;
  }
  free(part);
  batch_close(b);
  free(text);
  rmdir_all(d);
}

/* brink_batch.h, as a host (or Python's ctypes) calls it. */
Test(batch, a_host_runs_a_batch_through_the_public_api) {
  brink_batch *b;
  cr_assert_eq(brink_batch_open(&b, SCN, NULL), BRINK_OK);
  cr_assert_null(brink_batch_summary_json(b), "no summary before a run");
  cr_assert_eq(brink_batch_set_runs(b, 0), BRINK_ERANGE);
  cr_assert_str_eq(brink_batch_errmsg(b), "runs: from 1 to 10^9");
  cr_assert_eq(brink_batch_set_runs(b, 150), BRINK_OK);
  cr_assert_str_eq(brink_batch_errmsg(b), "");
  cr_assert_eq(brink_batch_set_seed(b, 7), BRINK_OK);
  cr_assert_eq(brink_batch_set_jobs(b, 2), BRINK_OK);
  cr_assert_eq(brink_batch_add_set(b, "heat"), BRINK_EINVAL);
  cr_assert_eq(brink_batch_add_set(b, "heat=60"), BRINK_OK);
  cr_assert_eq(brink_batch_add_var(b, "heat"), BRINK_OK);
  cr_assert_eq(brink_batch_run(b), BRINK_OK, "%s", brink_batch_errmsg(b));
  result cmd = run("batch " SCN " --runs 150 --seed 7 --jobs 2 --set heat=60 "
                   "--var heat --json");
  cr_assert_eq(cmd.status, 0, "%s", cmd.err);
  const char *json = brink_batch_summary_json(b);
  cr_assert_not_null(json);
  cr_assert_eq(strlen(json) + 1, strlen(cmd.out));
  cr_assert(strncmp(json, cmd.out, strlen(json)) == 0, "%s", json);
  done(cmd);
  /* A name the scenario does not know: refused when run, and said. */
  cr_assert_eq(brink_batch_add_var(b, "nope"), BRINK_OK);
  cr_assert_eq(brink_batch_run(b), BRINK_EINVAL);
  cr_assert(strncmp(brink_batch_errmsg(b), "--var nope: ", 12) == 0, "%s",
            brink_batch_errmsg(b));
  cr_assert_null(brink_batch_summary_json(b));
  brink_batch_close(b);
  brink_batch_close(NULL);
  cr_assert_eq(brink_batch_open(&b, "tests/cli/nothing-here.lua", NULL),
               BRINK_EIO);
  cr_assert(strstr(brink_batch_errmsg(b), "cannot read "), "%s",
            brink_batch_errmsg(b));
  brink_batch_close(b);
}

/* An error message longer than a run's error slot is cut short, and what
   brink check quotes of it stays inside the text: a trigger name of 1200
   letters once sent the finding past the message's end. */
Test(batch, an_error_cut_short_is_reported_without_reading_past_it) {
  char *d = tmpdir(), path[600];
  snprintf(path, sizeof path, "%s/long.lua", d);
  char name[1201];
  memset(name, 'x', 1200);
  name[1200] = '\0';
  char src[4096];
  int n = snprintf(src, sizeof src,
      "scenario { id = 'l', start = '2020-01-01', finish = '2020-03-01',\n"
      "  turn = 'month', default_outcome = 'calm' }\n"
      "actor 'A' {}\n"
      "var 'x' { init = 0 }\n"
      "trigger '%s' { effect = function(w) error('boom') end }\n"
      "outcome 'calm' {}\n", name);
  spit(path, src, (size_t)n);
  result r = run("check %s --runs 3", path);
  cr_assert_eq(r.status, 1, "%s", r.err);
  cr_assert(strstr(r.err, "long.lua:5: error: trigger:xxxx"), "%s", r.err);
  done(r);
  rmdir_all(d);
}

/* A CSV or a log that cannot be written is said before any run is played,
   with the reason, not as "out of memory" after every run. */
Test(batch, an_output_that_cannot_be_written_is_refused_at_once) {
  result r = run("batch tests/cli/timeline.lua --runs 5 --csv "
                 "/nonexistent-dir/runs.csv");
  cr_assert_eq(r.status, 1, "%s", r.err);
  cr_assert(strstr(r.err, "brink batch: cannot write /nonexistent-dir/runs.csv: "),
            "%s", r.err);
  cr_assert_null(strstr(r.err, "out of memory"), "%s", r.err);
  cr_assert_str_eq(r.out, "");
  done(r);
  r = run("run tests/cli/timeline.lua --log /nonexistent-dir/log.jsonl");
  cr_assert_eq(r.status, 1, "%s", r.err);
  cr_assert(strstr(r.err, "brink run: cannot write /nonexistent-dir/log.jsonl: "),
            "%s", r.err);
  done(r);
}
