/*
** brink play, replay, report and run's saves, driven as a user would: stdin
** scripts with golden transcripts, logs checked by replay, saves compared.
** BRINK names the binary; the tests run from the repository's root.
*/
#define _DEFAULT_SOURCE   /* mkdtemp */
#include "cli_fixture.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "session.h"

static void spit(const char *path, const char *text) {
  FILE *f = fopen(path, "wb");
  cr_assert_not_null(f, "cannot write %s", path);
  fputs(text, f);
  fclose(f);
}

/* A fresh folder for one test's files. */
static char *folder(void) {
  char *d = strdup("/tmp/brink-play-XXXXXX");
  cr_assert_not_null(mkdtemp(d));
  return d;
}

static void rmtree(char *dir) {
  char cmd[512];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  cr_assert_eq(system(cmd), 0);
  free(dir);
}

/* Runs "brink ARGS" with stdin from 'in' (a file, or NULL for nothing). */
static result run_in(const char *args, const char *in) {
  char cmd[4096];
  snprintf(cmd, sizeof cmd, "%s %s <%s", brink(), args, in ? in : "/dev/null");
  return shell(cmd);
}

/* The same with 'script' typed at it. */
static result run_script(const char *dir, const char *args,
                         const char *script) {
  char in[512];
  snprintf(in, sizeof in, "%s/stdin.txt", dir);
  spit(in, script);
  return run_in(args, in);
}

static result run(const char *args) { return run_in(args, NULL); }

static int count_lines(const char *s) {
  int n = 0;
  for (; *s; s++) n += *s == '\n';
  return n;
}

/* Line i (from 1) of 'text', copied. */
static char *line_of(const char *text, int i) {
  for (int k = 1; k < i && text; k++) {
    text = strchr(text, '\n');
    if (text) text++;
  }
  cr_assert_not_null(text);
  size_t n = strcspn(text, "\n");
  char *l = malloc(n + 1);
  memcpy(l, text, n);
  l[n] = '\0';
  return l;
}

static json_t *load_json(const char *path) {
  json_error_t je;
  json_t *j = json_load_file(path, 0, &je);
  cr_assert_not_null(j, "%s: %s", path, je.text);
  return j;
}

/* transcripts ------------------------------------------------------------ */

Test(play, transcripts_match_the_golden_files) {
  FILE *f = fopen("tests/play/cases", "r");
  cr_assert_not_null(f, "run the tests from the repository's root");
  char line[512];
  int n = 0;
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\n")] = '\0';
    char *sp = strchr(line, ' ');
    cr_assert_not_null(sp);
    *sp = '\0';
    char args[600], in[600], golden[600];
    snprintf(args, sizeof args, "play %s", sp + 1);
    snprintf(in, sizeof in, "tests/play/%s.in", line);
    snprintf(golden, sizeof golden, "tests/play/%s.out", line);
    result r = run_in(args, in);
    char *want = slurp(golden);
    cr_assert_eq(r.status, 0, "%s: %s", line, r.err);
    cr_assert_str_eq(r.out, want, "%s differs from %s (tests/play/regen.sh "
                     "rewrites it after a deliberate change)", line, golden);
    free(want);
    done(r);
    n++;
  }
  fclose(f);
  cr_assert_geq(n, 2);
}

Test(play, seats_choose_by_number_and_by_name) {
  char *d = folder();
  char args[600];
  snprintf(args, sizeof args, "play tests/cli/timeline.lua --seat USA "
           "--seat DPRK --log %s/log.jsonl", d);
  result r = run_script(d, args, "2\ntest_icbm\n1\nsummit DPRK\npass\n"
                        "/quit\n");
  cr_assert_eq(r.status, 0, "%s", r.err);
  cr_assert(strstr(r.out, "DPRK> test_icbm\n! test_icbm is not allowed now: "
                   "the deadline has not passed\n"), "%s", r.out);
  char path[600];
  snprintf(path, sizeof path, "%s/log.jsonl", d);
  char *log = slurp(path);
  /* the answers as move records: pass (2), pass (1 = the only legal
     move of DPRK), pass by name, summit DPRK by name */
  cr_assert(strstr(log, "\"turn\":1,\"date\":\"2019-10-01\",\"actor\":\"USA\","
                   "\"move\":\"pass\"}"), "%s", log);
  cr_assert(strstr(log, "\"turn\":2,\"date\":\"2019-11-01\",\"actor\":\"USA\","
                   "\"move\":\"summit\",\"target\":\"DPRK\"}"), "%s", log);
  free(log);
  done(r);
  rmtree(d);
}

Test(play, every_command_is_in_the_log_before_what_it_causes) {
  char *d = folder();
  char args[600], path[600];
  snprintf(args, sizeof args, "play tests/cli/timeline.lua --seat USA --log "
           "%s/log.jsonl", d);
  snprintf(path, sizeof path, "tests/play/seats.in");
  result r = run_in(args, path);
  cr_assert_eq(r.status, 0, "%s", r.err);
  snprintf(path, sizeof path, "%s/log.jsonl", d);
  char *log = slurp(path);
  const char *pairs[][2] = {
      {"{\"t\":\"intervention\",\"turn\":2,\"command\":\"/set talks 50\"}\n",
       "{\"t\":\"set\",\"turn\":2,\"var\":\"talks\",\"old\":32,\"new\":50,"
       "\"cause\":\"facilitator\"}\n"},
      {"\"command\":\"/news Talks resume at Panmunjom\"}\n",
       "{\"t\":\"news\",\"turn\":2,\"date\":\"2019-11-01\",\"text\":\"Talks "
       "resume at Panmunjom\"}\n"},
      {"\"command\":\"/fire deadline\"}\n",
       "{\"t\":\"trigger\",\"turn\":2,\"date\":\"2019-11-01\",\"id\":"
       "\"deadline\"}\n"},
      {"\"command\":\"/fire exercise {\\\"scale\\\": 3}\"}\n",
       "{\"t\":\"event\",\"turn\":2,\"date\":\"2019-11-01\",\"id\":"
       "\"exercise\"}\n"},
      {"\"command\":\"/undo 1\"}\n", "{\"t\":\"state\",\"turn\":2,"},
      {"\"command\":\"/branch before_deadline\"}\n{\"t\":\"state\"", ""},
  };
  for (size_t i = 0; i < sizeof pairs / sizeof *pairs; i++) {
    char want[600];
    snprintf(want, sizeof want, "%s%s", pairs[i][0], pairs[i][1]);
    cr_assert(strstr(log, want), "the log lacks\n%s\n%s", want, log);
  }
  const char *cmds[] = {"/help", "/state", "/why", "/odds", "/branches",
                        "/quit", "/undo 0"};
  for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++) {
    char want[100];
    snprintf(want, sizeof want, "\"command\":\"%s", cmds[i]);
    cr_assert(strstr(log, want), "no intervention %s", cmds[i]);
  }
  cr_assert_null(strstr(log, "frobnicate"), "unknown commands are not kept");
  free(log);
  done(r);
  rmtree(d);
}

/* undo and branches ------------------------------------------------------ */

/* The snapshot bytes of a save's state, loaded through the command's code. */
static brink_snapshot *state_bytes(const char *scenario, const char *save,
                                   brink_engine **owner) {
  brink_engine *e;
  cr_assert_eq(brink_engine_open(&e, NULL), BRINK_OK);
  cr_assert_eq(brink_load_file(e, scenario), BRINK_OK, "%s", brink_errmsg(e));
  loaded l;
  char err[600];
  cr_assert_eq(save_load(save, e, false, &l, err, sizeof err), 0, "%s: %s",
               save, err);
  cr_assert_eq(state_restore(e, l.state, false, NULL, err, sizeof err), 0,
               "%s", err);
  loaded_free(&l);
  brink_snapshot *s;
  cr_assert_eq(brink_snapshot_take(e, &s), BRINK_OK);
  *owner = e;
  return s;
}

static void same_state(const char *scenario, const char *a, const char *b) {
  json_t *ja = load_json(a), *jb = load_json(b);
  cr_assert(json_equal(json_object_get(ja, "state"),
                       json_object_get(jb, "state")),
            "%s and %s hold different states", a, b);
  json_decref(ja);
  json_decref(jb);
  brink_engine *ea, *eb;
  brink_snapshot *sa = state_bytes(scenario, a, &ea);
  brink_snapshot *sb = state_bytes(scenario, b, &eb);
  cr_assert_eq(brink_snapshot_size(sa), brink_snapshot_size(sb));
  cr_assert_eq(memcmp(brink_snapshot_data(sa), brink_snapshot_data(sb),
                      brink_snapshot_size(sa)), 0,
               "the snapshots differ byte for byte");
  brink_snapshot_free(sa);
  brink_snapshot_free(sb);
  brink_engine_close(ea);
  brink_engine_close(eb);
}

/* The "/state" block printed after 'marker' in a transcript. */
static char *state_block(const char *out, const char *marker) {
  const char *p = strstr(out, marker);
  cr_assert_not_null(p, "no %s in\n%s", marker, out);
  p += strlen(marker);
  const char *end = strstr(p, "> ");
  cr_assert_not_null(end);
  while (end > p && end[-1] != '\n') end--;
  char *b = malloc((size_t)(end - p) + 1);
  memcpy(b, p, (size_t)(end - p));
  b[end - p] = '\0';
  return b;
}

Test(play, undo_restores_the_exact_state_of_the_turn_start) {
  char *d = folder();
  char args[600], a[600], b[600];
  snprintf(args, sizeof args, "play examples/standoff.lua --turns 6");
  snprintf(a, sizeof a, "%s/a.json", d);
  snprintf(b, sizeof b, "%s/b.json", d);
  char script[2000];
  /* No seats: the facilitator's prompt is at each turn's start. */
  snprintf(script, sizeof script,
           "\n/state\n/save %s\n\n/set talks 77\n/fire incident "
           "{\"severity\": 5}\n\n/undo 2\n/state\n/save %s\n/quit\n", a, b);
  result r = run_script(d, args, script);
  cr_assert_eq(r.status, 0, "%s", r.err);
  cr_assert(strstr(r.out, "Back at the start of turn 2 (Feb 2024)"), "%s",
            r.out);
  char *before = state_block(r.out, "turn 2> /state\n");
  char *after = state_block(strstr(r.out, "/undo 2"), "turn 2> /state\n");
  cr_assert_str_eq(before, after);
  free(before);
  free(after);
  same_state("examples/standoff.lua", a, b);
  done(r);
  rmtree(d);
}

Test(play, a_seat_undoes_to_the_start_of_a_turn_and_replays_it) {
  char *d = folder();
  char args[600];
  snprintf(args, sizeof args, "play tests/cli/timeline.lua --seat USA --log "
           "%s/log.jsonl", d);
  result r = run_script(d, args, "1\n/set talks 50\n1\n/undo\n1\n1\n/quit\n");
  cr_assert_eq(r.status, 0, "%s", r.err);
  /* turn 2 again: talks back at 32, the facilitator's 50 undone */
  cr_assert(strstr(r.out, "Back at the start of turn 2 (Nov 2019)\n\n== Turn "
                   "2: Nov 2019\n\n-- USA (United States) to move, turn 2 "
                   "(Nov 2019) --\n  talks                             32"),
            "%s", r.out);
  char cmd[600];
  snprintf(cmd, sizeof cmd, "replay %s/log.jsonl", d);
  result rp = run(cmd);
  cr_assert_eq(rp.status, 0, "%s", rp.err);
  done(rp);
  done(r);
  rmtree(d);
}

Test(play, a_branch_point_returns_to_the_marked_state) {
  char *d = folder();
  char args[600], script[2000], a[600], b[600];
  snprintf(a, sizeof a, "%s/a.json", d);
  snprintf(b, sizeof b, "%s/b.json", d);
  snprintf(args, sizeof args, "play tests/cli/timeline.lua --seat USA --log "
           "%s/log.jsonl", d);
  snprintf(script, sizeof script,
           "1\n/branch talks\n/save %s\n1\n/set talks 5\n1\n/branch dove\n"
           "/branches\n/branch talks\n/save %s\n/branch dove\n/state\n"
           "/quit\n", a, b);
  result r = run_script(d, args, script);
  cr_assert_eq(r.status, 0, "%s", r.err);
  cr_assert(strstr(r.out, "USA> /branches\n  talks            turn 2 (Nov "
                   "2019)\n  dove             turn 4 (Jan 2020)\n"), "%s",
            r.out);
  cr_assert(strstr(r.out, "Back at branch point 'talks': turn 2 (Nov 2019), "
                   "USA to move"), "%s", r.out);
  same_state("tests/cli/timeline.lua", a, b);
  /* and back to the other line */
  cr_assert(strstr(r.out, "Back at branch point 'dove': turn 4 (Jan 2020)"));
  cr_assert(strstr(r.out, "USA> /state\nTurn 4 of 6, Jan 2020; USA to move\n"
                   "  talks                             17"), "%s", r.out);
  json_t *save = load_json(b);
  json_t *br = json_object_get(save, "branches");
  cr_assert_eq(json_array_size(br), 2, "branch points are saved");
  json_decref(save);
  snprintf(args, sizeof args, "replay %s/log.jsonl", d);
  result rp = run(args);
  cr_assert_eq(rp.status, 0, "%s", rp.err);
  done(rp);
  done(r);
  rmtree(d);
}

Test(play, load_takes_the_world_of_a_save_and_refuses_a_damaged_one) {
  char *d = folder();
  char args[600], script[3000];
  snprintf(args, sizeof args, "play tests/cli/timeline.lua --seat USA --log "
           "%s/log.jsonl", d);
  /* a save of another text of the scenario: one more variable */
  char other[600], cmd[1000];
  snprintf(other, sizeof other, "%s/other.lua", d);
  char *text = slurp("tests/cli/timeline.lua");
  text = realloc(text, strlen(text) + 100);
  strcat(text, "var \"morale\" { init = 5 }\n");
  spit(other, text);
  free(text);
  snprintf(cmd, sizeof cmd, "run %s --turns 3 --save %s/other.json", other,
           d);
  done(run(cmd));
  char bad[600];
  snprintf(bad, sizeof bad, "%s/bad.json", d);
  spit(bad, "{\"format\": \"brink-save\", \"version\": 1");
  snprintf(script, sizeof script,
           "1\n/save %s/t2.json\n1\n1\n/load %s/t2.json\n/load %s\n"
           "/load %s/other.json\n/load --force %s/other.json\n"
           "/report %s/aar.html\n/quit\n", d, d, bad, d, d, d);
  result r = run_script(d, args, script);
  cr_assert_eq(r.status, 0, "%s", r.err);
  cr_assert(strstr(r.out, "t2.json: turn 2 (Nov 2019), USA to move\n"), "%s",
            r.out);
  cr_assert(strstr(r.out, "! cannot load ") &&
            strstr(r.out, "bad.json: not a save: ") &&
            strstr(r.out, "(nothing was loaded)\n"), "%s", r.out);
  cr_assert(strstr(r.out, "other.json: it was saved with another text of "
                   "the scenario"), "%s", r.out);
  cr_assert(strstr(r.out, "other.json: turn 4 (Jan 2020)") &&
            strstr(r.out, "  dropped morale: not in the scenario\n"), "%s",
            r.out);
  cr_assert(strstr(r.out, "Report written to "), "%s", r.out);
  char path[600];
  snprintf(path, sizeof path, "%s/aar.html", d);
  char *html = slurp(path);
  cr_assert_not_null(html);
  cr_assert(strstr(html, "/load --force"), "the trail has the loads");
  free(html);
  snprintf(cmd, sizeof cmd, "replay %s/log.jsonl", d);
  result rp = run(cmd);
  cr_assert_eq(rp.status, 0, "a log with loads replays: %s", rp.err);
  done(rp);
  done(r);
  rmtree(d);
}

/* reload ----------------------------------------------------------------- */

/* Waits until 'path' holds 'text' (the session has got that far). */
static void wait_for(const char *path, const char *text, int count) {
  for (int i = 0; i < 1000; i++) {
    char *s = slurp(path);
    int n = 0;
    for (const char *p = s; p && (p = strstr(p, text)) != NULL; p++) n++;
    free(s);
    if (n >= count) return;
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  cr_assert_fail("the session never printed '%s'", text);
}

static void replace(char *text, const char *from, const char *to) {
  char *p = strstr(text, from);
  cr_assert_not_null(p, "no '%s'", from);
  size_t a = strlen(from), b = strlen(to);
  memmove(p + b, p + a, strlen(p + a) + 1);
  memcpy(p, to, b);
}

Test(play, reload_keeps_the_world_and_says_what_changed) {
  char *d = folder();
  char scn[600], orig[600], out[600], log[600], cmd[2000];
  snprintf(scn, sizeof scn, "%s/crisis.lua", d);
  snprintf(orig, sizeof orig, "%s/before.lua", d);
  snprintf(out, sizeof out, "%s/out.txt", d);
  snprintf(log, sizeof log, "%s/log.jsonl", d);
  char *text = slurp("tests/cli/timeline.lua");
  size_t n = strlen(text);
  text = realloc(text, n + 400);
  spit(scn, text);
  spit(orig, text);
  snprintf(cmd, sizeof cmd, "%s play %s --seat USA --log %s > %s 2>&1",
           brink(), scn, log, out);
  FILE *p = popen(cmd, "w");
  cr_assert_not_null(p);
  fputs("1\n", p);
  fflush(p);
  wait_for(out, "USA> ", 2);   /* turn 2: the file was read long ago */
  /* The author edits the scenario during the session. */
  replace(text, "trigger \"deadline\"", "trigger \"ultimatum\"");
  strcat(text, "var \"morale\" { init = 5 }\n"
               "event \"parade\" { effect = function(w) news(\"A parade\") "
               "end }\n");
  spit(scn, text);
  fputs("/reload\n/state\n/fire parade\n1\n/quit\n", p);
  cr_assert_eq(pclose(p), 0);
  char *o = slurp(out);
  cr_assert(strstr(o, "USA> /reload\nReloaded "), "%s", o);
  cr_assert(strstr(o, "  added variable morale\n  added trigger ultimatum\n"
                   "  removed trigger deadline\n  added event parade\n"),
            "%s", o);
  cr_assert(strstr(o, "Turn 2 of 6, Nov 2019; USA to move\n"
                   "  talks                             32"),
            "the world stays: %s", o);
  cr_assert(strstr(o, "  morale                             5"), "%s", o);
  cr_assert(strstr(o, "    A parade\n"), "%s", o);
  /* Replay needs both texts, found by their SHA-256. */
  snprintf(cmd, sizeof cmd, "replay %s", log);
  result bad = run(cmd);
  cr_assert_eq(bad.status, 1);
  cr_assert(strstr(bad.err, "has changed since the log was written"), "%s",
            bad.err);
  snprintf(cmd, sizeof cmd, "replay %s --scenario %s", log, orig);
  result good = run(cmd);
  cr_assert_eq(good.status, 0, "%s", good.err);
  done(good);
  done(bad);
  free(o);
  free(text);
  rmtree(d);
}

Test(play, a_reload_that_fails_keeps_the_scenario_in_play) {
  char *d = folder();
  char scn[600], out[600], cmd[2000];
  snprintf(scn, sizeof scn, "%s/s.lua", d);
  snprintf(out, sizeof out, "%s/out.txt", d);
  char *text = slurp("tests/cli/timeline.lua");
  spit(scn, text);
  snprintf(cmd, sizeof cmd, "%s play %s --seat USA > %s 2>&1", brink(), scn,
           out);
  FILE *p = popen(cmd, "w");
  wait_for(out, "USA> ", 1);
  spit(scn, "scenario { id = 'broken' ");
  fputs("/reload\n1\n/quit\n", p);
  cr_assert_eq(pclose(p), 0);
  char *o = slurp(out);
  cr_assert(strstr(o, "did not load; the scenario in play stays:"), "%s", o);
  cr_assert(strstr(o, "USA and DPRK meet; talks at 32"), "play goes on");
  free(o);
  free(text);
  rmtree(d);
}

/* replay ----------------------------------------------------------------- */

Test(play, replay_reproduces_logs_of_run_and_play) {
  char *d = folder();
  char cmd[1000];
  const char *runs[] = {
      "run tests/cli/timeline.lua", "run examples/standoff.lua --seed 3",
      "run examples/standoff.lua --set talks=60 --turns 5",
      "run scripts/scenarios/korea-2019.lua --seed 4"};
  for (size_t i = 0; i < sizeof runs / sizeof *runs; i++) {
    if (strstr(runs[i], "korea") && access("scripts/scenarios/korea-2019.lua",
                                           R_OK) != 0)
      continue;
    snprintf(cmd, sizeof cmd, "%s --log %s/run.jsonl", runs[i], d);
    result r = run(cmd);
    cr_assert_eq(r.status, 0, "%s: %s", runs[i], r.err);
    snprintf(cmd, sizeof cmd, "replay %s/run.jsonl", d);
    result rp = run(cmd);
    cr_assert_eq(rp.status, 0, "%s: %s", runs[i], rp.err);
    cr_assert(strstr(rp.out, "lines reproduced"));
    done(rp);
    done(r);
  }
  const char *plays[][2] = {{"tests/cli/timeline.lua --seat USA", "seats"},
                            {"examples/standoff.lua --turns 3",
                             "facilitator"}};
  for (size_t i = 0; i < 2; i++) {
    snprintf(cmd, sizeof cmd, "play %s --log %s/play.jsonl", plays[i][0], d);
    char in[300];
    snprintf(in, sizeof in, "tests/play/%s.in", plays[i][1]);
    result r = run_in(cmd, in);
    cr_assert_eq(r.status, 0, "%s", r.err);
    snprintf(cmd, sizeof cmd, "replay %s/play.jsonl", d);
    result rp = run(cmd);
    cr_assert_eq(rp.status, 0, "%s: %s", plays[i][1], rp.err);
    done(rp);
    done(r);
  }
  rmtree(d);
}

/* Seeds past 2^63 were written as bare integers that JSON readers refuse,
   so such a log did not replay or report its seed. */
Test(play, a_log_with_a_seed_past_2_63_replays_and_reports_its_seed) {
  char *d = folder();
  char cmd[1000];
  const char *seeds[] = {"9223372036854775807", "9223372036854775808",
                         "18446744073709551615"};
  for (int i = 0; i < 3; i++) {
    snprintf(cmd, sizeof cmd, "run examples/standoff.lua --seed %s --log "
             "%s/run.jsonl", seeds[i], d);
    result r = run(cmd);
    cr_assert_eq(r.status, 0, "%s", r.err);
    snprintf(cmd, sizeof cmd, "replay %s/run.jsonl", d);
    result rp = run(cmd);
    cr_assert_eq(rp.status, 0, "seed %s: %s", seeds[i], rp.err);
    snprintf(cmd, sizeof cmd, "report %s/run.jsonl -o %s/aar.md", d, d);
    result rep = run(cmd);
    cr_assert_eq(rep.status, 0, "%s", rep.err);
    snprintf(cmd, sizeof cmd, "%s/aar.md", d);
    char *md = slurp(cmd), want[64];
    snprintf(want, sizeof want, "seed %s", seeds[i]);
    cr_assert_not_null(strstr(md, want), "no '%s' in the report", want);
    free(md);
    done(rep);
    done(rp);
    done(r);
  }
  rmtree(d);
}

/* Replays 'log' with line 'i' replaced; returns the result. */
static result tampered(const char *dir, const char *log, int i,
                       const char *line) {
  char path[600], cmd[700];
  snprintf(path, sizeof path, "%s/tampered.jsonl", dir);
  FILE *f = fopen(path, "w");
  int n = count_lines(log);
  for (int k = 1; k <= n; k++) {
    char *l = line_of(log, k);
    fprintf(f, "%s\n", k == i ? line : l);
    free(l);
  }
  fclose(f);
  snprintf(cmd, sizeof cmd, "replay %s", path);
  return run(cmd);
}

Test(play, replay_names_the_first_line_that_differs) {
  char *d = folder();
  char cmd[1000], path[600];
  snprintf(path, sizeof path, "%s/log.jsonl", d);
  snprintf(cmd, sizeof cmd, "run tests/cli/timeline.lua --log %s", path);
  done(run(cmd));
  char *log = slurp(path);
  struct {
    int line;
    const char *text, *says;
  } cases[] = {
      {5, "{\"t\":\"set\",\"turn\":1,\"var\":\"talks\",\"old\":20,\"new\":33,"
          "\"cause\":\"move:summit\"}", ":5: differs"},
      {9, "{\"t\":\"set\",\"turn\":2,\"var\":\"talks\"", ":9: differs"},
      {1, "{\"t\":\"start\",\"scenario\":\"golden\",\"seed\":12,\"engine\":"
          "\"0.1.0\"}", ":1: differs"},
      {2, "{\"t\":\"setup\",\"file\":\"tests/cli/timeline.lua\",\"sha256\":"
          "\"0000000000000000000000000000000000000000000000000000000000000000"
          "\",\"seed\":11,\"seats\":[],\"policies\":{},\"sets\":[],\"turns\":"
          "0}", "has changed since the log was written"},
      {2, "{\"t\":\"turn\",\"turn\":1}", ":2: no setup record"},
      {3, "{\"t\":\"intervention\",\"turn\":1,\"command\":\"os.execute('rm')"
          "\"}", ":3: differs"},
      {3, "{\"t\":\"intervention\",\"turn\":1,\"command\":\"/set talks 99\"}",
       ":4: differs"},
      {3, "not json at all", ":3: differs"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    result r = tampered(d, log, cases[i].line, cases[i].text);
    cr_assert_eq(r.status, 1, "case %zu: %s", i, r.err);
    cr_assert(strstr(r.err, cases[i].says), "case %zu: %s", i, r.err);
    if (strstr(cases[i].says, "differs"))
      cr_assert(strstr(r.err, "\n  log:    "), "both lines are shown: %s",
                r.err);
    done(r);
  }
  /* A log cut short is fine up to where it ends; one cut mid-line is not. */
  char *cut = strdup(log);
  cut[strlen(cut) - 20] = '\0';
  snprintf(path, sizeof path, "%s/cut.jsonl", d);
  spit(path, cut);
  snprintf(cmd, sizeof cmd, "replay %s", path);
  result r = run(cmd);
  cr_assert_eq(r.status, 1);
  cr_assert(strstr(r.err, ":41: differs"), "%s", r.err);
  done(r);
  free(cut);
  /* A seat's choice that the game would refuse. */
  snprintf(path, sizeof path, "%s/play.jsonl", d);
  snprintf(cmd, sizeof cmd, "play tests/cli/timeline.lua --seat DPRK --log "
           "%s", path);
  done(run_script(d, cmd, "1\n1\n/quit\n"));
  free(log);
  log = slurp(path);
  r = tampered(d, log, 7, "{\"t\":\"move\",\"turn\":1,\"date\":\"2019-10-01"
               "\",\"actor\":\"DPRK\",\"move\":\"test_icbm\"}");
  cr_assert_eq(r.status, 1);
  cr_assert(strstr(r.err, ":7: differs") &&
            strstr(r.err, "the log's choice cannot be played: test_icbm is "
                   "not allowed now: the deadline has not passed"),
            "%s", r.err);
  done(r);
  free(log);
  rmtree(d);
}

/* saves and resume ------------------------------------------------------- */

Test(play, a_run_saved_at_turn_k_and_resumed_gives_the_same_log) {
  char *d = folder();
  struct {
    const char *scenario, *extra;
    int turns;
  } runs[] = {{"tests/cli/timeline.lua", "", 6},
              {"examples/standoff.lua", "--seed 5", 12},
              {"scripts/scenarios/korea-2019.lua", "--seed 8", 20}};
  for (size_t i = 0; i < sizeof runs / sizeof *runs; i++) {
    if (access(runs[i].scenario, R_OK) != 0) continue;
    char cmd[1000];
    snprintf(cmd, sizeof cmd, "run %s %s --json", runs[i].scenario,
             runs[i].extra);
    result whole = run(cmd);
    cr_assert_eq(whole.status, 0, "%s", whole.err);
    int step = runs[i].turns > 6 ? 4 : 1;
    for (int k = 1; k < runs[i].turns; k += step) {
      snprintf(cmd, sizeof cmd, "run %s %s --json --turns %d --save %s/s.json",
               runs[i].scenario, runs[i].extra, k, d);
      result part = run(cmd);
      cr_assert_eq(part.status, 0, "%s", part.err);
      cr_assert_eq(strncmp(part.out, whole.out, strlen(part.out)), 0,
                   "%s: the first %d turns differ", runs[i].scenario, k);
      snprintf(cmd, sizeof cmd, "run --resume %s/s.json --json --log "
               "%s/resumed.jsonl", d, d);
      result rest = run(cmd);
      cr_assert_eq(rest.status, 0, "%s", rest.err);
      cr_assert_str_eq(rest.out, whole.out, "%s saved at turn %d",
                       runs[i].scenario, k);
      char path[600];
      snprintf(path, sizeof path, "%s/resumed.jsonl", d);
      char *log = slurp(path);
      cr_assert_str_eq(log, whole.out);
      free(log);
      done(part);
      done(rest);
    }
    done(whole);
  }
  rmtree(d);
}

Test(play, a_resumed_run_prints_the_rest_of_its_timeline) {
  char *d = folder();
  char cmd[1000];
  snprintf(cmd, sizeof cmd, "run tests/cli/timeline.lua --turns 2 --save "
           "%s/s.json", d);
  result a = run(cmd);
  cr_assert_eq(a.status, 0, "%s", a.err);
  cr_assert(strstr(a.out, "Saved to "), "%s", a.out);
  cr_assert_null(strstr(a.out, "Outcome"));
  snprintf(cmd, sizeof cmd, "run --resume %s/s.json", d);
  result b = run(cmd);
  cr_assert_eq(b.status, 0, "%s", b.err);
  cr_assert(strstr(b.out, "Resumed from ") && strstr(b.out, "at turn 3\n"
                   "\n== Turn 3: Dec 2019\n"), "%s", b.out);
  cr_assert(strstr(b.out, "Outcome: deal, turn 6 (2020-03-01)"), "%s", b.out);
  done(a);
  done(b);
  rmtree(d);
}

Test(play, play_resume_goes_on_where_the_save_left_off) {
  char *d = folder();
  char cmd[1000], script[1000];
  snprintf(cmd, sizeof cmd, "play tests/cli/timeline.lua --seat USA");
  snprintf(script, sizeof script, "1\n/branch b2\n/save %s/s.json\n/quit\n",
           d);
  result a = run_script(d, cmd, script);
  cr_assert_eq(a.status, 0, "%s", a.err);
  snprintf(cmd, sizeof cmd, "play --resume %s/s.json --log %s/log.jsonl", d,
           d);
  result b = run_script(d, cmd, "/branches\n1\n/branch b2\n1\n/quit\n");
  cr_assert_eq(b.status, 0, "%s", b.err);
  cr_assert(strstr(b.out, "s.json: turn 2 (Nov 2019), USA to move\n"), "%s",
            b.out);
  cr_assert(strstr(b.out, "USA> /branches\n  b2               turn 2"), "%s",
            b.out);
  cr_assert(strstr(b.out, "Back at branch point 'b2'"), "%s", b.out);
  snprintf(cmd, sizeof cmd, "replay %s/log.jsonl", d);
  result r = run(cmd);
  cr_assert_eq(r.status, 0, "%s", r.err);
  done(r);
  /* a play save is not for brink run */
  snprintf(cmd, sizeof cmd, "run --resume %s/s.json", d);
  r = run(cmd);
  cr_assert_eq(r.status, 1);
  cr_assert(strstr(r.err, "was saved by brink play with seats"), "%s", r.err);
  done(r);
  done(a);
  done(b);
  rmtree(d);
}

/* A save of the timeline scenario after 'turns' turns, as JSON. */
static json_t *real_save(const char *dir, int turns) {
  char cmd[1000], path[600];
  snprintf(path, sizeof path, "%s/real.json", dir);
  snprintf(cmd, sizeof cmd, "run tests/cli/timeline.lua --json --turns %d "
           "--save %s", turns, path);
  result r = run(cmd);
  cr_assert_eq(r.status, 0, "%s", r.err);
  done(r);
  return load_json(path);
}

static result resume_with(const char *dir, json_t *save, const char *text,
                          const char *extra) {
  char path[600], cmd[1000];
  snprintf(path, sizeof path, "%s/damaged.json", dir);
  if (save) cr_assert_eq(json_dump_file(save, path, JSON_INDENT(1)), 0);
  else spit(path, text);
  snprintf(cmd, sizeof cmd, "run --resume %s --json %s", path,
           extra ? extra : "");
  return run(cmd);
}

Test(play, damaged_saves_are_refused_with_the_reason) {
  char *d = folder();
  json_t *good = real_save(d, 4);
  char path[600];
  snprintf(path, sizeof path, "%s/real.json", d);
  char *text = slurp(path);
  /* truncated, and not JSON */
  char *half = strdup(text);
  half[strlen(half) / 2] = '\0';
  result r = resume_with(d, NULL, half, NULL);
  cr_assert_eq(r.status, 1);
  cr_assert(strstr(r.err, "damaged.json: not a save: ") &&
            strstr(r.err, "(nothing was loaded)"), "%s", r.err);
  cr_assert_str_eq(r.out, "", "nothing runs");
  done(r);
  free(half);
  r = resume_with(d, NULL, "hello, world\n", NULL);
  cr_assert_eq(r.status, 1);
  cr_assert(strstr(r.err, "not a save"), "%s", r.err);
  done(r);
  struct {
    const char *path, *json, *says;
  } cases[] = {
      {"version", "99", "format version 99 is not one this brink reads"},
      {"format", "\"other\"", "not a save: its format is 'other'"},
      {"state.rng", NULL, "state.rng: must be a list of 4 hex strings"},
      {"state.turn", "\"three\"", "state.turn: must be a whole number"},
      {"state.turn", "99", "state.turn: 99 is out of range (1 to 6)"},
      {"state.values.talks", "150", "state.values.talks: 150 is outside "
                                    "0..100"},
      {"state.values.talks", "true", "state.values.talks: must be a number"},
      {"state.values.bogus", "1", "state.values: unknown variable 'bogus'"},
      {"state.values.USA.troops", NULL, "state.values: no value for "
                                        "'USA.troops'"},
      {"state.fired", "[\"nope\"]", "state.fired: unknown trigger 'nope'"},
      {"state.schedule", "[{\"event\":\"exercise\",\"due\":6,\"seq\":0,"
                         "\"data\":\"os.exit()\"}]",
       "state.schedule[0].data: not event data written by brink"},
      {"state.awaiting", "\"CHN\"", "state.awaiting: unknown actor 'CHN'"},
      {"state.rng", "[\"0\",\"0\",\"0\",\"0\"]", "state.rng[0]: must be 16 "
                                                 "hex digits"},
      {"setup", NULL, "setup must be an object"},
      {"log", "7", "log: missing or not a list"},
      {"scenario.sha256", "\"abc\"", "scenario.sha256: must be 64 hex "
                                     "digits"},
      {"scenario.sha256", "\"00000000000000000000000000000000000000000000000"
                          "00000000000000000\"",
       "it was saved with another text of the scenario"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    json_t *s = json_deep_copy(good);
    /* walk to the parent of the last part of the path */
    char p[200];
    snprintf(p, sizeof p, "%s", cases[i].path);
    json_t *obj = s;
    char *key = p, *dot;
    while ((dot = strchr(key, '.')) != NULL &&
           json_object_get(obj, key) == NULL) {
      *dot = '\0';
      json_t *next = json_object_get(obj, key);
      if (next == NULL) {
        *dot = '.';
        break;
      }
      obj = next;
      key = dot + 1;
    }
    if (cases[i].json) {
      json_t *v = json_loads(cases[i].json, JSON_DECODE_ANY, NULL);
      cr_assert_not_null(v);
      json_object_set_new(obj, key, v);
    } else {
      cr_assert_eq(json_object_del(obj, key), 0, "%s", cases[i].path);
    }
    r = resume_with(d, s, NULL, NULL);
    cr_assert_eq(r.status, 1, "%s", cases[i].path);
    cr_assert(strstr(r.err, cases[i].says), "%s: %s", cases[i].path, r.err);
    cr_assert(strstr(r.err, "(nothing was loaded)"), "%s", r.err);
    cr_assert_str_eq(r.out, "", "%s: nothing runs", cases[i].path);
    done(r);
    json_decref(s);
  }
  free(text);
  json_decref(good);
  rmtree(d);
}

Test(play, a_save_of_another_text_needs_force_which_maps_by_name) {
  char *d = folder();
  char scn[600], cmd[1000];
  snprintf(scn, sizeof scn, "%s/edited.lua", d);
  char *text = slurp("tests/cli/timeline.lua");
  text = realloc(text, strlen(text) + 200);
  while (strstr(text, "USA.troops")) replace(text, "USA.troops",
                                               "USA.carriers");
  strcat(text, "var \"morale\" { init = 5 }\n");
  spit(scn, text);
  json_t *save = real_save(d, 2);
  json_decref(save);
  snprintf(cmd, sizeof cmd, "run %s --resume %s/real.json --json", scn, d);
  result r = run(cmd);
  cr_assert_eq(r.status, 1);
  cr_assert(strstr(r.err, "it was saved with another text of the scenario") &&
            strstr(r.err, "--force maps its values by name"), "%s", r.err);
  done(r);
  snprintf(cmd, sizeof cmd, "run %s --resume %s/real.json --json --force",
           scn, d);
  r = run(cmd);
  cr_assert_eq(r.status, 0, "%s", r.err);
  cr_assert(strstr(r.err, "dropped USA.troops: not in the scenario"), "%s",
            r.err);
  cr_assert(strstr(r.err, "defaulted USA.carriers to 28500: not in the "
                   "save"), "%s", r.err);
  cr_assert(strstr(r.err, "defaulted morale to 5: not in the save"), "%s",
            r.err);
  cr_assert(strstr(r.out, "\"outcome\":\"deal\""), "the run goes on");
  done(r);
  free(text);
  rmtree(d);
}

Test(play, saves_are_written_whole_or_not_at_all) {
  char *d = folder();
  char cmd[1000];
  /* a folder that cannot be written: nothing is left, the reason said */
  snprintf(cmd, sizeof cmd, "run tests/cli/timeline.lua --save "
           "/nonexistent-dir/s.json");
  result r = run(cmd);
  cr_assert_eq(r.status, 1);
  cr_assert(strstr(r.err, "cannot save to /nonexistent-dir/s.json: cannot "
                   "create a file in /nonexistent-dir"), "%s", r.err);
  done(r);
  /* an old save is replaced in one step, and no temporary file stays */
  snprintf(cmd, sizeof cmd, "run tests/cli/timeline.lua --turns 1 --save "
           "%s/s.json", d);
  done(run(cmd));
  snprintf(cmd, sizeof cmd, "run tests/cli/timeline.lua --turns 3 --save "
           "%s/s.json", d);
  done(run(cmd));
  snprintf(cmd, sizeof cmd, "ls -A %s", d);
  FILE *p = popen(cmd, "r");
  char list[1000] = "";
  size_t n = fread(list, 1, sizeof list - 1, p);
  list[n] = '\0';
  pclose(p);
  cr_assert_str_eq(list, "s.json\n");
  char path[600];
  snprintf(path, sizeof path, "%s/s.json", d);
  json_t *s = load_json(path);
  cr_assert_eq(json_integer_value(json_object_get(json_object_get(s, "state"),
                                                  "turn")), 4);
  json_decref(s);
  rmtree(d);
}

/* report ----------------------------------------------------------------- */

Test(play, report_writes_html_and_markdown_from_a_log_or_a_save) {
  char *d = folder();
  char cmd[1000], path[600];
  snprintf(cmd, sizeof cmd, "play tests/cli/timeline.lua --seat USA --log "
           "%s/log.jsonl", d);
  char script[600];
  snprintf(script, sizeof script, "1\n/set talks 70\n/news <script>alert(1)"
           "</script> & more\n1\n/save %s/s.json\n1\n1\n1\n1\n/quit\n", d);
  result r = run_script(d, cmd, script);
  cr_assert_eq(r.status, 0, "%s", r.err);
  done(r);
  const char *inputs[] = {"log.jsonl", "s.json"};
  for (int i = 0; i < 2; i++) {
    snprintf(cmd, sizeof cmd, "report %s/%s -o %s/aar.html", d, inputs[i], d);
    r = run(cmd);
    cr_assert_eq(r.status, 0, "%s", r.err);
    done(r);
    snprintf(path, sizeof path, "%s/aar.html", d);
    char *html = slurp(path);
    cr_assert(strstr(html, "<h1>Golden Timeline</h1>"), "%s", html);
    cr_assert(strstr(html, "<svg viewBox="), "charts are inline SVG");
    cr_assert(strstr(html, "talks"));
    cr_assert(strstr(html, "United States"), "names from the scenario");
    cr_assert(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; "
                     "more"), "text is escaped");
    cr_assert_null(strstr(html, "<script"), "no JavaScript");
    cr_assert_null(strstr(html, "http"), "nothing fetched");
    cr_assert(strstr(html, "/set talks 70"), "the interventions");
    if (i == 0) cr_assert(strstr(html, ">deal<"), "the outcome: %s", html);
    free(html);
    snprintf(cmd, sizeof cmd, "report %s/%s -o %s/aar.md", d, inputs[i], d);
    r = run(cmd);
    cr_assert_eq(r.status, 0, "%s", r.err);
    done(r);
    snprintf(path, sizeof path, "%s/aar.md", d);
    char *md = slurp(path);
    cr_assert(strstr(md, "# After-action report: Golden Timeline\n"), "%s",
              md);
    cr_assert(strstr(md, "## Timeline") && strstr(md, "## What moved most") &&
              strstr(md, "- turn 2: `/set talks 70`"), "%s", md);
    free(md);
  }
  snprintf(cmd, sizeof cmd, "report tests/cli/timeline.lua -o %s/x.html", d);
  r = run(cmd);
  cr_assert_eq(r.status, 1);
  cr_assert(strstr(r.err, "not a brink log"), "%s", r.err);
  done(r);
  rmtree(d);
}

Test(play, usage_errors_are_named) {
  struct {
    const char *args, *says;
    int status;
  } cases[] = {
      {"play", "brink play: which scenario? (brink play FILE)\n", 2},
      {"play tests/cli/timeline.lua --seat CHN",
       "brink play: --seat CHN: unknown actor 'CHN'", 2},
      {"play tests/cli/timeline.lua --seat USA --seat USA",
       "brink play: --seat USA: given twice\n", 2},
      {"play tests/cli/timeline.lua --seat USA --policy USA=x",
       "brink play: --policy USA=x: ", 2},
      {"play tests/cli/timeline.lua --force",
       "brink play: --force goes with --resume\n", 2},
      {"play --resume /nonexistent.json", "brink play: /nonexistent.json: "
                                          "cannot read it", 1},
      {"run tests/cli/timeline.lua --force",
       "brink run: --force goes with --resume\n", 2},
      {"run --resume x.json --seed 3", "brink run: --resume takes the seed", 2},
      {"report", "brink report: which log or save?", 2},
      {"report x.jsonl", "brink report: where to?", 2},
      {"replay", "brink replay: which log? (brink replay LOG)\n", 2},
      {"replay /nonexistent.jsonl", "brink replay: /nonexistent.jsonl: "
                                    "cannot read it", 1},
      {"replay tests/cli/timeline.lua", "timeline.lua:1: not a brink log", 1},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    result r = run(cases[i].args);
    cr_assert_eq(r.status, cases[i].status, "%s: %d %s", cases[i].args,
                 r.status, r.err);
    cr_assert(strstr(r.err, cases[i].says), "%s: %s", cases[i].args, r.err);
    done(r);
  }
}

/* The report reads a log by the same record model that saves are checked
   with: a record of a known kind with a field too many or too few is not
   taken, and is counted. */
Test(play, report_takes_only_records_that_fit_the_record_model) {
  char *d = folder();
  char cmd[1000], path[600];
  snprintf(cmd, sizeof cmd, "%s run tests/cli/timeline.lua --json > "
           "%s/log.jsonl", brink(), d);
  result r = shell(cmd);
  cr_assert_eq(r.status, 0, "%s", r.err);
  done(r);
  snprintf(path, sizeof path, "%s/log.jsonl", d);
  FILE *f = fopen(path, "a");
  cr_assert_not_null(f);
  fputs("{\"t\":\"news\",\"turn\":2,\"date\":\"x\",\"text\":\"FORGED\","
        "\"extra\":1}\n{\"t\":\"move\",\"turn\":2,\"move\":\"FORGED2\"}\n", f);
  fclose(f);
  snprintf(cmd, sizeof cmd, "report %s/log.jsonl -o %s/aar.md", d, d);
  r = run(cmd);
  cr_assert_eq(r.status, 0, "%s", r.err);
  done(r);
  snprintf(path, sizeof path, "%s/aar.md", d);
  char *md = slurp(path);
  cr_assert(strstr(md, "2 log lines could not be read"), "%s", md);
  cr_assert_null(strstr(md, "FORGED"), "%s", md);
  free(md);
  rmtree(d);
}
