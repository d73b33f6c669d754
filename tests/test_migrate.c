/*
** Saves across versions of a scenario: a save of the flagship resumed by
** a later edit of it (version 2, DPRK.economy renamed DPRK.gdp, with
** migrate step [1], made from the flagship's text by the test) keeps the
** value under the new name,
** says so in the log and replays; a newer save, a missing step and a step
** that fails are refused naming the versions or the step's file:line,
** with nothing changed; /reload into the newer text migrates the world.
** BRINK names the binary; the tests run from the repository's root.
*/
#include <math.h>
#include <unistd.h>

#include "play_fixture.h"

#define FLAGSHIP "scripts/scenarios/korea-2019.lua"
#define V2 v2_path()

/*
** The flagship as a later edit of it: version 2, DPRK.economy renamed
** DPRK.gdp, and the step that carries a version-1 state over.  Made once
** from the flagship's own text (so it never drifts from it) into the
** build folder.
*/
static const char *v2_path(void) {
  static char path[600];
  if (path[0]) return path;
  const char *build = getenv("BRINK_BUILD");
  cr_assert_not_null(build, "BRINK_BUILD is not set (run through make)");
  snprintf(path, sizeof path, "%s/korea-2019-v2.lua", build);
  char *text = slurp(FLAGSHIP), tmp[640];
  cr_assert_not_null(text);
  /* Tests run in parallel: each writes its own and renames it into place,
     so none reads another's half-written file. */
  snprintf(tmp, sizeof tmp, "%s.%ld", path, (long)getpid());
  FILE *f = fopen(tmp, "w");
  cr_assert_not_null(f, "%s", tmp);
  for (const char *p = text; *p;) {
    const char *hit = strstr(p, "DPRK.economy");
    const char *head = strstr(p, "scenario {\n");
    if (head && (!hit || head < hit)) {
      fprintf(f, "%.*sscenario {\n  version = 2,\n", (int)(head - p), p);
      p = head + strlen("scenario {\n");
    } else if (hit) {
      fprintf(f, "%.*sDPRK.gdp", (int)(hit - p), p);
      p = hit + strlen("DPRK.economy");
    } else {
      fputs(p, f);
      break;
    }
  }
  fputs("\nmigrate {\n"
        "  [1] = function(s)\n"
        "    s.values[\"DPRK.gdp\"] = s.values[\"DPRK.economy\"]\n"
        "    s.values[\"DPRK.economy\"] = nil\n"
        "  end,\n"
        "}\n", f);
  cr_assert_eq(fclose(f), 0);
  cr_assert_eq(rename(tmp, path), 0, "%s", path);
  free(text);
  return path;
}

/* state.values[name] of the save at 'path', as a number (NAN: none). */
static double saved_value(const char *path, const char *name) {
  json_t *j = load_json(path);
  json_t *v = json_object_get(json_object_get(json_object_get(j, "state"),
                                              "values"),
                              name);
  double x = json_is_number(v) ? json_number_value(v) : NAN;
  json_decref(j);
  return x;
}

/* The world of the "state" record after the intervention that begins
   with 'command' in the log at 'path' (a new reference). */
static json_t *state_after(const char *path, const char *command) {
  char *text = slurp(path);
  cr_assert_not_null(text);
  char want[300];
  snprintf(want, sizeof want, "\"command\":\"%s", command);
  char *at = strstr(text, want);
  cr_assert_not_null(at, "%s", text);
  at = strchr(at, '\n') + 1;
  *strchr(at, '\n') = '\0';
  json_t *rec = json_loads(at, 0, NULL);
  cr_assert_not_null(rec, "%s", at);
  json_t *st = json_incref(json_object_get(rec, "state"));
  cr_assert_not_null(st, "%s", at);
  json_decref(rec);
  free(text);
  return st;
}

/* brink replay reproduces the log at 'path', given the text 'scenario'
   besides the one its setup names. */
static void replays(const char *log, const char *scenario) {
  char args[1400];
  snprintf(args, sizeof args, "replay %s --scenario %s", log, scenario);
  result r = run(args);
  cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
  done(r);
}

/* The flagship played 4 turns with no seats, saved at 'dir'/v1.json. */
static void flagship_save(const char *dir, char *path, size_t cap) {
  snprintf(path, cap, "%s/v1.json", dir);
  char cmd[1200];
  snprintf(cmd, sizeof cmd, "run %s --turns 4 --save %s", FLAGSHIP, path);
  result r = run(cmd);
  cr_assert_eq(r.status, 0, "%s", r.err);
  done(r);
  cr_assert(!isnan(saved_value(path, "DPRK.economy")));
}

/* 'from' replaced by 'to' in the file at 'path' (the first of them). */
static void edit_file(const char *path, const char *from, const char *to) {
  char *text = slurp(path);
  cr_assert_not_null(text);
  char *at = strstr(text, from);
  cr_assert_not_null(at, "'%s' is not in %s", from, path);
  size_t n = strlen(text) + strlen(to) + 1;
  char *out = malloc(n);
  snprintf(out, n, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
  spit(path, out);
  free(out);
  free(text);
}

/* The v2 text with 'from' replaced by 'to', written to 'dir'/'name'. */
static void edited_v2(const char *dir, const char *name, const char *from,
                      const char *to, char *path, size_t cap) {
  char *text = slurp(V2);
  cr_assert_not_null(text);
  snprintf(path, cap, "%s/%s", dir, name);
  spit(path, text);
  free(text);
  edit_file(path, from, to);
}

Test(migrate, a_flagship_save_resumed_by_version_2_keeps_the_renamed_value) {
  char *d = folder();
  char v1[600], v2[600], log[600], args[2000];
  flagship_save(d, v1, sizeof v1);
  snprintf(v2, sizeof v2, "%s/v2.json", d);
  snprintf(log, sizeof log, "%s/resumed.jsonl", d);
  snprintf(args, sizeof args, "play --resume %s %s --log %s", v1, V2, log);
  char script[700];
  snprintf(script, sizeof script, "/save %s\n/quit\n", v2);
  result r = run_script(d, args, script);
  cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
  cr_assert(strstr(r.out, "migrated from version 1 of the scenario to "
                          "version 2 (step [1])"), "%s", r.out);
  /* The world as resumed (play goes on a turn before it prompts with no
     seats): the value under its new name, the old name gone. */
  json_t *st = state_after(log, "--resume ");
  json_t *values = json_object_get(st, "values");
  cr_assert_eq(json_number_value(json_object_get(values, "DPRK.gdp")),
               saved_value(v1, "DPRK.economy"));
  cr_assert_null(json_object_get(values, "DPRK.economy"));
  json_decref(st);
  cr_assert(isnan(saved_value(v2, "DPRK.economy")));
  cr_assert(!isnan(saved_value(v2, "DPRK.gdp")));
  json_t *j = load_json(v2);
  json_t *scn = json_object_get(j, "scenario");
  cr_assert_eq(json_integer_value(json_object_get(scn, "version")), 2);
  json_decref(j);
  j = load_json(v1);
  scn = json_object_get(j, "scenario");
  cr_assert_eq(json_integer_value(json_object_get(scn, "version")), 1);
  json_decref(j);
  /* The log says what was done, and a replay does it again. */
  char *text = slurp(log);
  cr_assert(strstr(text, "\"command\":\"--resume "), "%s", text);
  cr_assert(strstr(text, "\"migrated\":[1]}\n{\"t\":\"state\""), "%s", text);
  free(text);
  replays(log, V2);
  snprintf(args, sizeof args, "replay %s", log);
  result missing = run(args);
  cr_assert_eq(missing.status, 1);
  cr_assert(strstr(missing.err, "add it with --scenario FILE"), "%s",
            missing.err);
  /* The new save is of version 2 and its text: it resumes as it is. */
  snprintf(args, sizeof args, "run --resume %s %s", v2, V2);
  result again = run(args);
  cr_assert_eq(again.status, 0, "%s", again.err);
  cr_assert_null(strstr(again.err, "migrated"), "%s", again.err);
  done(again);
  done(missing);
  done(r);
  rmtree(d);
}

Test(migrate, brink_run_resumes_a_migrated_save_and_its_log_replays) {
  char *d = folder();
  char v1[600], log[600], args[2000];
  flagship_save(d, v1, sizeof v1);
  snprintf(log, sizeof log, "%s/run.jsonl", d);
  snprintf(args, sizeof args, "run --resume %s %s --log %s", v1, V2, log);
  result r = run(args);
  cr_assert_eq(r.status, 0, "%s", r.err);
  cr_assert(strstr(r.err, "migrated from version 1 of the scenario to "
                          "version 2"), "%s", r.err);
  replays(log, V2);
  done(r);
  rmtree(d);
}

Test(migrate, a_save_of_a_newer_version_is_refused_naming_both) {
  char *d = folder();
  char v2[600], args[2000];
  snprintf(v2, sizeof v2, "%s/v2.json", d);
  snprintf(args, sizeof args, "run %s --turns 2 --save %s", V2, v2);
  result made = run(args);
  cr_assert_eq(made.status, 0, "%s", made.err);
  for (int force = 0; force < 2; force++) {
    snprintf(args, sizeof args, "run --resume %s %s%s", v2, FLAGSHIP,
             force ? " --force" : "");
    result r = run(args);
    cr_assert_eq(r.status, 1);
    cr_assert(strstr(r.err, "a state of version 2 of the scenario cannot be "
                            "migrated back to version 1 (this text's)"),
              "%s", r.err);
    cr_assert(strstr(r.err, "(nothing was loaded)"), "%s", r.err);
    done(r);
  }
  done(made);
  rmtree(d);
}

Test(migrate, a_missing_step_is_refused_naming_the_versions) {
  char *d = folder();
  char v1[600], v3[600], args[2000];
  flagship_save(d, v1, sizeof v1);
  edited_v2(d, "v3.lua", "version = 2,", "version = 3,", v3, sizeof v3);
  snprintf(args, sizeof args, "play --resume %s %s", v1, v3);
  result r = run(args);
  cr_assert_neq(r.status, 0);
  cr_assert(strstr(r.err, "a state of version 1 of the scenario needs "
                          "migrate step [2] (from version 2 to 3), which "
                          "this text (version 3) does not have"),
            "%s%s", r.out, r.err);
  done(r);
  rmtree(d);
}

Test(migrate, a_failing_step_is_refused_with_its_line_and_nothing_changes) {
  char *d = folder();
  char v1[600], bad[600], before[600], after[600], args[2000];
  flagship_save(d, v1, sizeof v1);
  edited_v2(d, "bad.lua", "    s.values[\"DPRK.gdp\"] = s.values",
            "    error(\"no rule for turn \" .. s.turn)\n"
            "    s.values[\"DPRK.gdp\"] = s.values", bad, sizeof bad);
  /* The line of the error() in bad.lua. */
  char *text = slurp(bad);
  int line = 1;
  for (const char *p = text; p < strstr(text, "error(\"no rule"); p++)
    line += *p == '\n';
  free(text);
  char want[700];
  snprintf(want, sizeof want, "%s:%d: migrate step [1] failed on state: "
           "no rule for turn 5", bad, line);
  snprintf(args, sizeof args, "run --resume %s %s", v1, bad);
  result r = run(args);
  cr_assert_eq(r.status, 1);
  cr_assert(strstr(r.err, want), "%s", r.err);
  done(r);
  /* In play, /load of the old save is refused and the world stays. */
  snprintf(before, sizeof before, "%s/before.json", d);
  snprintf(after, sizeof after, "%s/after.json", d);
  snprintf(args, sizeof args, "play %s --seat USA", bad);
  char script[2000];
  snprintf(script, sizeof script, "/save %s\n/load %s\n/save %s\n/quit\n",
           before, v1, after);
  result p = run_script(d, args, script);
  cr_assert_eq(p.status, 0, "%s%s", p.out, p.err);
  cr_assert(strstr(p.out, want), "%s", p.out);
  cr_assert(strstr(p.out, "(nothing was loaded)"), "%s", p.out);
  json_t *a = load_json(before), *b = load_json(after);
  cr_assert(json_equal(json_object_get(a, "state"),
                       json_object_get(b, "state")));
  json_decref(a);
  json_decref(b);
  done(p);
  rmtree(d);
}

Test(migrate, load_in_play_migrates_an_older_save) {
  char *d = folder();
  char v1[600], after[600], log[600], args[2000];
  flagship_save(d, v1, sizeof v1);
  snprintf(after, sizeof after, "%s/after.json", d);
  snprintf(log, sizeof log, "%s/log.jsonl", d);
  snprintf(args, sizeof args, "play %s --seat USA --log %s", V2, log);
  char script[2000];
  snprintf(script, sizeof script, "/load %s\n/save %s\n/quit\n", v1, after);
  result p = run_script(d, args, script);
  cr_assert_eq(p.status, 0, "%s%s", p.out, p.err);
  cr_assert(strstr(p.out, "migrated from version 1 of the scenario to "
                          "version 2"), "%s", p.out);
  json_t *st = state_after(log, "/load ");
  cr_assert_eq(json_number_value(json_object_get(
                   json_object_get(st, "values"), "DPRK.gdp")),
               saved_value(v1, "DPRK.economy"));
  json_decref(st);
  cr_assert(!isnan(saved_value(after, "DPRK.gdp")));
  done(p);
  rmtree(d);
}

/* Waits until 'path' holds 'text' (the session has got that far). */
static void wait_for(const char *path, const char *text) {
  for (int i = 0; i < 1000; i++) {
    char *s = slurp(path);
    bool there = s && strstr(s, text);
    free(s);
    if (there) return;
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  cr_assert_fail("the session never printed '%s'", text);
}

Test(migrate, reload_into_the_next_version_migrates_the_world) {
  char *d = folder();
  char scn[600], orig[600], out[600], log[600], before[600], after[600];
  char cmd[4000];
  snprintf(scn, sizeof scn, "%s/korea.lua", d);
  snprintf(orig, sizeof orig, "%s/korea-v1.lua", d);
  snprintf(out, sizeof out, "%s/out.txt", d);
  snprintf(log, sizeof log, "%s/log.jsonl", d);
  snprintf(before, sizeof before, "%s/before.json", d);
  snprintf(after, sizeof after, "%s/after.json", d);
  char *v1 = slurp(FLAGSHIP), *v2 = slurp(V2);
  spit(scn, v1);
  spit(orig, v1);
  snprintf(cmd, sizeof cmd, "%s play %s --seat USA --log %s > %s 2>&1",
           brink(), scn, log, out);
  FILE *p = popen(cmd, "w");
  cr_assert_not_null(p);
  fprintf(p, "1\n/save %s\n", before);
  fflush(p);
  wait_for(out, "Saved to ");
  /* The author renames a variable during the session. */
  spit(scn, v2);
  fprintf(p, "/reload\n/save %s\n/quit\n", after);
  cr_assert_eq(pclose(p), 0);
  char *o = slurp(out);
  cr_assert(strstr(o, "Reloaded "), "%s", o);
  cr_assert(strstr(o, "  migrated the world from version 1 to 2\n"), "%s", o);
  cr_assert_eq(saved_value(after, "DPRK.gdp"),
               saved_value(before, "DPRK.economy"));
  char *text = slurp(log);
  cr_assert(strstr(text, "\"command\":\"/reload\",\"sha256\":\""), "%s",
            text);
  cr_assert(strstr(text, "\"migrated\":[1]}"), "%s", text);
  free(text);
  /* Replay needs the first text too, found by its SHA-256. */
  replays(log, orig);
  free(o);
  free(v1);
  free(v2);
  rmtree(d);
}

Test(migrate, the_declarations_are_checked_when_the_scenario_loads) {
  char *d = folder();
  char path[600], args[1200];
  static const struct {
    char from[40], to[80], from2[40], to2[80], want[200];
  } cases[] = {
      {"version = 2,", "version = 2.5,", "", "",
       "scenario: 'version' must be a whole number from 1 to 1000000"},
      {"[1] = function", "[2] = function", "", "",
       "migrate: there is no step [2]: the scenario is version 2, so its "
       "one step is [1]"},
      {"[1] = function", "x = 1, [1] = function", "", "",
       "migrate: steps are numbered by the version they start from"},
      {"version = 2,", "version = 3,", "[1] = function",
       "[2] = 7, [1] = function",
       "migrate: step [2] must be a function, not number"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    edited_v2(d, "s.lua", cases[i].from, cases[i].to, path, sizeof path);
    if (cases[i].from2[0]) edit_file(path, cases[i].from2, cases[i].to2);
    snprintf(args, sizeof args, "check %s", path);
    result r = run(args);
    cr_assert_eq(r.status, 1, "%s", cases[i].want);
    cr_assert(strstr(r.out, cases[i].want) || strstr(r.err, cases[i].want),
              "%s\n%s%s", cases[i].want, r.out, r.err);
    done(r);
  }
  rmtree(d);
}
