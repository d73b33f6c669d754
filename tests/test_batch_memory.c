/*
** What brink batch keeps of its runs (session/batch_stats.c): room that
** does not grow with --runs, sums whose bytes depend on the runs alone
** (not on --jobs, nor on how shards split them), quantiles exact where
** the histograms are, and the CSV streamed in run order.
*/
#define _DEFAULT_SOURCE   /* mkdtemp, wait4 */
#include "batch_fixture.h"
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <sys/resource.h>

#include "batch.h"

#define SPREAD "tests/cli/spread.lua"

Test(batch_memory, merged_shards_are_one_batch_byte_for_byte) {
  char *d = tmpdir();
  /* 5000 runs: four whole blocks of 1024 and a short one; shards of 3
     and 7 split blocks, and 7 puts some blocks' runs in three parts. */
  const char *opts = "--runs 5000 --seed 11 --var x --var k";
  result whole = run("batch " SPREAD " %s --jobs 1 --json --plot %s/w.svg",
                     opts, d);
  cr_assert_eq(whole.status, 0, "%s", whole.err);
  result two = run("batch " SPREAD " %s --jobs 2 --json", opts);
  cr_assert_str_eq(two.out, whole.out);
  result text = run("batch " SPREAD " %s", opts);
  static const int counts[] = {1, 2, 3, 7};
  for (int c = 0; c < 4; c++) {
    int n = counts[c];
    char files[2048] = "";
    for (int k = n; k >= 1; k--) {   /* merge takes them in any order */
      result p = run("batch " SPREAD " %s --shard %d/%d --out %s/p%d.json "
                     "--jobs %d", opts, k, n, d, k, 1 + k % 2);
      cr_assert_eq(p.status, 0, "%s", p.err);
      done(p);
      size_t len = strlen(files);
      snprintf(files + len, sizeof files - len, " %s/p%d.json", d, k);
    }
    result m = run("merge%s --json --plot %s/m.svg", files, d);
    cr_assert_eq(m.status, 0, "%s", m.err);
    cr_assert_str_eq(m.out, whole.out, "%d shards", n);
    result mt = run("merge%s", files);
    cr_assert_str_eq(mt.out, text.out, "%d shards", n);
    char a[300], b[300];
    snprintf(a, sizeof a, "%s/w.svg", d);
    snprintf(b, sizeof b, "%s/m.svg", d);
    char *sa = slurp(a), *sb = slurp(b);
    cr_assert_str_eq(sb, sa, "the chart of %d shards", n);
    free(sa);
    free(sb);
    done(m);
    done(mt);
  }
  done(whole);
  done(two);
  done(text);
  rmdir_all(d);
}

/* Column k (from 0) of a CSV line without quotes, as a number. */
static double column(const char *line, int k) {
  for (int i = 0; i < k; i++) line = strchr(line, ',') + 1;
  return strtod(line, NULL);
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double final_stat(json_t *j, const char *var, const char *key) {
  return json_number_value(json_object_get(
      json_object_get(json_object_get(j, "final"), var), key));
}

Test(batch_memory, the_csv_streams_in_run_order_and_the_summary_agrees) {
  char *d = tmpdir();
  enum { RUNS = 3000 };
  result r1 = run("batch " SPREAD " --runs %d --jobs 1 --json --csv %s/1.csv",
                  RUNS, d);
  result r2 = run("batch " SPREAD " --runs %d --jobs 2 --json --csv %s/2.csv",
                  RUNS, d);
  cr_assert_eq(r1.status, 0, "%s", r1.err);
  cr_assert_str_eq(r2.out, r1.out);
  char p1[300], p2[300];
  snprintf(p1, sizeof p1, "%s/1.csv", d);
  snprintf(p2, sizeof p2, "%s/2.csv", d);
  char *c1 = slurp(p1), *c2 = slurp(p2);
  cr_assert_str_eq(c2, c1, "the CSV of --jobs 2");
  cr_assert(strncmp(c1, "seed,outcome,turn,x,k,u\n", 24) == 0, "%s", c1);
  /* Row i is run i, seed 1 + i; k's values, for a two-pass reckoning. */
  double *k = calloc(RUNS, sizeof *k), sum = 0, dev = 0;
  const char *line = strchr(c1, '\n') + 1;
  for (int i = 0; i < RUNS; i++) {
    cr_assert_eq((int)column(line, 0), 1 + i, "row %d", i);
    k[i] = column(line, 4);
    sum += k[i];
    line = strchr(line, '\n') + 1;
  }
  cr_assert_eq(*line, '\0');
  double mean = sum / RUNS;
  for (int i = 0; i < RUNS; i++) dev += (k[i] - mean) * (k[i] - mean);
  double sd = sqrt(dev / (RUNS - 1));
  json_t *j = json_loads(r1.out, 0, NULL);
  cr_assert_not_null(j);
  char want[64], got[64];
  snprintf(want, sizeof want, "%.6g %.6g", mean, sd);
  snprintf(got, sizeof got, "%.6g %.6g", final_stat(j, "k", "mean"),
           final_stat(j, "k", "sd"));
  cr_assert_str_eq(got, want, "mean and sd of k against two passes");
  /* An integer's percentiles are exact: the nearest rank of the values. */
  qsort(k, RUNS, sizeof *k, cmp_double);
  static const int pct[] = {5, 50, 95};
  static const char *const key[] = {"p5", "p50", "p95"};
  for (int p = 0; p < 3; p++) {
    int rank = (pct[p] * RUNS + 99) / 100;
    cr_assert_eq(final_stat(j, "k", key[p]), k[rank - 1], "%s", key[p]);
  }
  json_decref(j);
  free(k);
  free(c1);
  free(c2);
  done(r1);
  done(r2);
  rmdir_all(d);
}

/* The peak resident memory of 'brink ARGS...' in kB, its output thrown
   away. */
static long peak_kb(const char *const *args) {
  pid_t pid = fork();
  cr_assert(pid >= 0);
  if (pid == 0) {
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(null, 2);
    /* Under AddressSanitizer (make check) freed memory waits in a
       quarantine that grows with the work done; without it the peak
       measures what brink keeps. Other builds ignore the variable. */
    const char *asan = getenv("ASAN_OPTIONS");
    char opts[512];
    snprintf(opts, sizeof opts, "%s%squarantine_size_mb=0:"
             "thread_local_quarantine_size_kb=0", asan ? asan : "",
             asan && *asan ? ":" : "");
    setenv("ASAN_OPTIONS", opts, 1);
    execv(brink(), (char *const *)args);
    _exit(127);
  }
  int st;
  struct rusage ru;
  cr_assert_eq(wait4(pid, &st, 0, &ru), pid);
  cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "brink failed");
  return ru.ru_maxrss;
}

Test(batch_memory, peak_memory_and_parts_do_not_grow_with_runs,
     .timeout = 300) {
  char *d = tmpdir(), part[2][300];
  const char *runs[2] = {"20000", "200000"};
  long kb[2];
  for (int i = 0; i < 2; i++) {
    /* One job: a second thread's malloc arena keeps freed pieces of the
       engines verification loads (up to a tenth more at 10x the runs of
       this small scenario): glibc's bookkeeping, not what brink keeps. */
    const char *args[] = {brink(), "batch", SPREAD, "--runs", runs[i],
                          "--jobs", "1", "--var", "x", "--json", NULL};
    kb[i] = peak_kb(args);
    snprintf(part[i], sizeof part[i], "%s/%d.json", d, i);
    const char *shard[] = {brink(), "batch", SPREAD, "--runs", runs[i],
                           "--shard", "1/1", "--out", part[i], NULL};
    peak_kb(shard);
  }
  /* A table of the runs' final values alone would add about 5 MB. */
  cr_assert(kb[1] <= kb[0] * 11 / 10, "peak RSS %ld kB for %s runs, %ld kB "
            "for %s", kb[0], runs[0], kb[1], runs[1]);
  char *a = slurp(part[0]), *b = slurp(part[1]);
  cr_assert(strlen(b) <= strlen(a) * 3 / 2, "parts of %zu and %zu bytes",
            strlen(a), strlen(b));
  free(a);
  free(b);
  rmdir_all(d);
}

Test(batch_memory, a_part_of_the_old_format_is_refused_saying_why) {
  const char *body = "{\"t\":\"batch-part\",\"header\":{\"format\":3},"
                     "\"shard\":[1,1],\"first\":0,\"count\":1,"
                     "\"results\":{}}";
  char check[72], text[512], err[512];
  batch_digest(body, strlen(body), check);
  int n = snprintf(text, sizeof text, "{\"check\":\"%s\",\"part\":%s}\n",
                   check, body);
  bpart p;
  cr_assert_eq(part_read_text("old.json", text, (size_t)n, &p, err,
                              sizeof err), BRINK_EFORMAT);
  cr_assert(strstr(err, "old.json: a part of format 3; this brink reads "
                        "format 4") && strstr(err, "make the part again"),
            "%s", err);
}
