/*
** brink play driven as a user would: stdin scripts with golden
** transcripts, seats, the facilitator's commands, undo, branches, loads and
** reloads.  BRINK names the binary; the tests run from the repository's
** root.
*/
#include "play_fixture.h"

#include "brink_session.h"

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

/* The snapshot bytes of a save's state, resumed as a host would. */
static brink_snapshot *state_bytes(const char *scenario, const char *save,
                                   brink_session **owner) {
  brink_session *s;
  cr_assert_eq(brink_session_open(&s, NULL), BRINK_OK);
  cr_assert_eq(brink_session_load_file(s, scenario), BRINK_OK, "%s",
               brink_session_errmsg(s));
  cr_assert_eq(brink_session_resume_file(s, save, 0), BRINK_OK, "%s: %s",
               save, brink_session_errmsg(s));
  brink_snapshot *snap;
  cr_assert_eq(brink_snapshot_take(brink_session_engine(s), &snap), BRINK_OK);
  *owner = s;
  return snap;
}

static void same_state(const char *scenario, const char *a, const char *b) {
  json_t *ja = load_json(a), *jb = load_json(b);
  cr_assert(json_equal(json_object_get(ja, "state"),
                       json_object_get(jb, "state")),
            "%s and %s hold different states", a, b);
  json_decref(ja);
  json_decref(jb);
  brink_session *ea, *eb;
  brink_snapshot *sa = state_bytes(scenario, a, &ea);
  brink_snapshot *sb = state_bytes(scenario, b, &eb);
  cr_assert_eq(brink_snapshot_size(sa), brink_snapshot_size(sb));
  cr_assert_eq(memcmp(brink_snapshot_data(sa), brink_snapshot_data(sb),
                      brink_snapshot_size(sa)), 0,
               "the snapshots differ byte for byte");
  brink_snapshot_free(sa);
  brink_snapshot_free(sb);
  brink_session_close(ea);
  brink_session_close(eb);
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
