/*
** Continuations from the command line: brink play's /forecast, and brink
** batch --from SAVE, which must give the forecast's numbers, the same
** bytes whatever --jobs is, and merge from shards.
*/
#define _DEFAULT_SOURCE   /* realpath */
#include "cli_fixture.h"

#define KOREA "scripts/scenarios/korea-2019.lua"

/* A fresh folder for one test's files, and the command line around it. */
typedef struct scratch {
  char dir[64];
  char cmd[4096];
} scratch;

static void scratch_open(scratch *s) {
  snprintf(s->dir, sizeof s->dir, "/tmp/brink-forecast-XXXXXX");
  cr_assert_not_null(mkdtemp(s->dir));
}

static void scratch_close(scratch *s) {
  snprintf(s->cmd, sizeof s->cmd, "rm -rf '%s'", s->dir);
  cr_assert_eq(system(s->cmd), 0);
}

/* The flagship's full path: a save names it as it was given. */
static const char *korea(void) {
  static char path[4096];
  cr_assert_not_null(realpath(KOREA, path));
  return path;
}

/* brink play on the flagship, USA seated, fed 'input' (printf format). */
static result play(scratch *s, const char *input, const char *options) {
  snprintf(s->cmd, sizeof s->cmd, "printf '%s' | %s play %s --seat USA %s",
           input, brink(), korea(), options);
  return shell(s->cmd);
}

/* brink batch with 'args', FILE left out (the save names it). */
static result batch(scratch *s, const char *args) {
  snprintf(s->cmd, sizeof s->cmd, "cd '%s' && %s batch %s", s->dir, brink(),
           args);
  return shell(s->cmd);
}

/* The text of 'in' from 'from' up to 'to' (malloc'd). */
static char *between(const char *in, const char *from, const char *to) {
  const char *a = strstr(in, from), *b = a ? strstr(a, to) : NULL;
  cr_assert_not_null(b, "no '%s' ... '%s' in:\n%s", from, to, in);
  return strndup(a, (size_t)(b - a));
}

/* Two turns played, saved, and a forecast of 300 runs. */
static result saved_and_forecast(scratch *s, const char *options) {
  char input[512];
  snprintf(input, sizeof input, "1\\n2\\n/save %s/turn3.save\\n"
           "/forecast 300\\n/quit\\n", s->dir);
  result r = play(s, input, options);
  cr_assert_eq(r.status, 0, "%s", r.err);
  return r;
}

Test(forecast_cli, batch_from_a_save_gives_what_the_forecast_said) {
  scratch s;
  scratch_open(&s);
  result p = saved_and_forecast(&s, "--jobs 1");
  result b = batch(&s, "--from turn3.save --runs 300 --jobs 2");
  cr_assert_eq(b.status, 0, "%s", b.err);
  cr_assert(strstr(b.out, "300 continuations from turn 3, seed 2019"), "%s",
            b.out);
  char *said = between(p.out, "\noutcomes ", "\nEvery seat");
  char *printed = between(b.out, "\noutcomes ", "\nfinal values");
  cr_assert_str_eq(said, printed);
  cr_assert(strstr(said, "what the outcomes turn on"), "%s", said);
  free(said);
  free(printed);
  done(p);
  done(b);
  scratch_close(&s);
}

Test(forecast_cli, the_forecast_is_the_same_whatever_the_threads) {
  scratch s;
  scratch_open(&s);
  result one = saved_and_forecast(&s, "--jobs 1");
  result two = saved_and_forecast(&s, "--jobs 2");
  cr_assert_str_eq(one.out, two.out);
  cr_assert(strstr(one.out, "the session\nis as it was"), "%s", one.out);
  done(one);
  done(two);
  scratch_close(&s);
}

Test(forecast_cli, batch_from_gives_the_same_bytes_for_any_jobs_and_shards) {
  scratch s;
  scratch_open(&s);
  done(saved_and_forecast(&s, ""));
  result j1 = batch(&s, "--from turn3.save --runs 400 --jobs 1 --json "
                        "--csv one.csv");
  result j2 = batch(&s, "--from turn3.save --runs 400 --jobs 2 --json "
                        "--csv two.csv");
  cr_assert_eq(j1.status, 0, "%s", j1.err);
  cr_assert_str_eq(j1.out, j2.out);
  cr_assert(strstr(j1.out, "\"from\":{\"state\":\"sha256:"), "%s", j1.out);
  cr_assert(strstr(j1.out, "\"turn_on\":[{\"var\":"), "%s", j1.out);
  snprintf(s.cmd, sizeof s.cmd,
           "cd '%s' && %s batch --from turn3.save --runs 400 --shard 2/2 "
           "--out b.part && %s batch --from turn3.save --runs 400 "
           "--shard 1/2 --out a.part && %s merge b.part a.part --json && "
           "cmp one.csv two.csv", s.dir, brink(), brink(), brink());
  result m = shell(s.cmd);
  cr_assert_eq(m.status, 0, "%s", m.err);
  cr_assert_str_eq(m.out, j1.out);
  done(j1);
  done(j2);
  done(m);
  scratch_close(&s);
}

Test(forecast_cli, batch_from_refuses_an_ended_run_and_a_missing_save) {
  scratch s;
  scratch_open(&s);
  snprintf(s.cmd, sizeof s.cmd, "%s run %s --save %s/end.save >/dev/null",
           brink(), korea(), s.dir);
  result r = shell(s.cmd);
  cr_assert_eq(r.status, 0, "%s", r.err);
  result ended = batch(&s, "--from end.save --runs 10");
  cr_assert_eq(ended.status, 2);
  cr_assert(strstr(ended.err, "the run has ended"), "%s", ended.err);
  result missing = batch(&s, "--from none.save --runs 10");
  cr_assert_eq(missing.status, 1);
  cr_assert(strstr(missing.err, "none.save"), "%s", missing.err);
  done(r);
  done(ended);
  done(missing);
  scratch_close(&s);
}
