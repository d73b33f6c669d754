/*
** Logs and saves, driven as a user would: brink replay checks logs line by
** line, brink run and play resume saves, damaged saves are refused, and
** brink report reads a log or a save.
*/
#include "play_fixture.h"

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
  cr_assert(strstr(r.err, ":34: differs"), "%s", r.err);
  done(r);
  free(cut);
  /* A seat's choice that the game would refuse. */
  snprintf(path, sizeof path, "%s/play.jsonl", d);
  snprintf(cmd, sizeof cmd, "play tests/cli/timeline.lua --seat DPRK --log "
           "%s", path);
  done(run_script(d, cmd, "1\n1\n/quit\n"));
  free(log);
  log = slurp(path);
  /* Line 5: DPRK's choice in turn 1, after the USA's pass. */
  r = tampered(d, log, 5, "{\"t\":\"move\",\"turn\":1,\"date\":\"2019-10-01"
               "\",\"actor\":\"DPRK\",\"move\":\"test_icbm\"}");
  cr_assert_eq(r.status, 1);
  cr_assert(strstr(r.err, ":5: differs") &&
            strstr(r.err, "the log's choice cannot be played: test_icbm is "
                   "not allowed now: the deadline has not passed"),
            "%s", r.err);
  done(r);
  free(log);
  rmtree(d);
}

/* The session's own lines and saves write a real as the engine's records
   do, in the shortest text that reads back as the same double; a log an
   older brink wrote with 17 digits (replay reads its state records) still
   replays. */
Test(play, session_lines_and_saves_write_reals_short_and_old_logs_replay) {
  char *d = folder();
  char cmd[1000], log_path[600], save[600];
  snprintf(log_path, sizeof log_path, "%s/log.jsonl", d);
  snprintf(save, sizeof save, "%s/s.json", d);
  snprintf(cmd, sizeof cmd, "play tests/cli/timeline.lua --log %s",
           log_path);
  char in[1400];
  snprintf(in, sizeof in, "/set talks 17.56\n/save %s\n/load %s\n/quit\n",
           save, save);
  done(run_script(d, cmd, in));
  char *log = slurp(log_path), *saved = slurp(save);
  cr_assert(log && saved);
  int state_line = 0;
  for (int k = 1; k <= count_lines(log); k++) {
    char *l = line_of(log, k);
    if (strstr(l, "{\"t\":\"state\"")) state_line = k;
    free(l);
  }
  cr_assert(state_line, "/load writes a state record: %s", log);
  char *state = line_of(log, state_line);
  cr_assert(strstr(state, "\"talks\":17.56,"), "%s", state);
  cr_assert(strstr(saved, "\"talks\": 17.56,"), "%s", saved);
  cr_assert_null(strstr(log, "17.559"), "%s", log);
  cr_assert_null(strstr(saved, "17.559"), "%s", saved);

  char *old = calloc(1, strlen(state) + 32);
  strcpy(old, state);
  replace(old, "17.56", "17.559999999999999");
  result r = tampered(d, log, state_line, old);
  cr_assert_eq(r.status, 0, "a 17-digit line of the same double: %s", r.err);
  done(r);
  free(old);
  free(state);
  free(log);
  free(saved);
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
  cr_assert(strstr(b.out, "Outcome: crisis, turn 5 (2020-02-01)"), "%s", b.out);
  done(a);
  done(b);
  rmtree(d);
}

Test(play, a_seatless_session_resumed_between_turns_waits_for_enter) {
  char *d = folder();
  char cmd[1000], script[1000];
  snprintf(cmd, sizeof cmd, "play tests/cli/timeline.lua");
  snprintf(script, sizeof script, "\n/save %s/s.json\n/quit\n", d);
  result a = run_script(d, cmd, script);
  cr_assert_eq(a.status, 0, "%s", a.err);
  snprintf(cmd, sizeof cmd, "play --resume %s/s.json --log %s/log.jsonl", d,
           d);
  result b = run_script(d, cmd, "/state\n\n/quit\n");
  cr_assert_eq(b.status, 0, "%s", b.err);
  /* The prompt comes first, then Enter plays turn 2, as before the save. */
  const char *prompt = strstr(b.out, "turn 2> /state\n");
  const char *played = strstr(b.out, "== Turn 2");
  cr_assert(prompt && played && prompt < played, "%s", b.out);
  snprintf(cmd, sizeof cmd, "replay %s/log.jsonl", d);
  result r = run(cmd);
  cr_assert_eq(r.status, 0, "%s", r.err);
  done(a);
  done(b);
  done(r);
  rmtree(d);
}

Test(play, why_names_the_turn_the_log_names_after_a_fire_between_turns) {
  char *d = folder();
  char cmd[1000];
  snprintf(cmd, sizeof cmd, "play tests/cli/timeline.lua --log %s/log.jsonl",
           d);
  /* Two turns, then at the start of turn 3 the white cell fires an
     event: its change is turn 3's, in the log and in /why. */
  result r = run_script(d, cmd, "\n\n/fire exercise {\"scale\": 2}\n"
                                "/why USA.troops\n/quit\n");
  cr_assert_eq(r.status, 0, "%s", r.err);
  cr_assert(strstr(r.out, "  turn 3   28500 -> 29500  (event:exercise)"), "%s",
            r.out);
  char path[700];
  snprintf(path, sizeof path, "%s/log.jsonl", d);
  char *log = slurp(path);
  cr_assert(strstr(log, "{\"t\":\"set\",\"turn\":3,\"var\":\"USA.troops\""),
            "%s", log);
  free(log);
  done(r);
  rmtree(d);
}

Test(play, reports_read_dates_axes_and_jumps_as_they_were) {
  char *d = folder();
  char cmd[1000], path[700];
  /* Weekly turns from the first of a month: dates, never "Mar 2027". */
  snprintf(cmd, sizeof cmd, "run tests/cli/weekly.lua --log %s/wk.jsonl", d);
  done(run(cmd));
  snprintf(cmd, sizeof cmd, "report %s/wk.jsonl -o %s/wk.html", d, d);
  result r = run(cmd);
  cr_assert_eq(r.status, 0, "%s", r.err);
  done(r);
  snprintf(path, sizeof path, "%s/wk.html", d);
  char *html = slurp(path);
  cr_assert_null(strstr(html, "Mar 2027"));
  cr_assert_null(strstr(html, "Mar 27<"));
  cr_assert_not_null(strstr(html, "class=\"xl\">15 Mar<"));
  /* The last label is kept inside the chart. */
  cr_assert_not_null(strstr(html, "class=\"xl\" text-anchor=\"end\">31 May<"));
  /* An integer gets whole ticks. */
  cr_assert_null(strstr(html, "class=\"yl\">1.5<"));
  cr_assert_null(strstr(html, "class=\"yl\">2.5<"));
  free(html);
  /* A /load of a later turn's save went forward, not back. */
  snprintf(cmd, sizeof cmd, "play tests/cli/timeline.lua --seat USA --log "
           "%s/j.jsonl", d);
  char script[800];
  snprintf(script, sizeof script, "1\n1\n/save %s/t3.json\n/undo 2\n"
           "/load %s/t3.json\n/quit\n", d, d);
  done(run_script(d, cmd, script));
  snprintf(cmd, sizeof cmd, "report %s/j.jsonl -o %s/j.md", d, d);
  done(run(cmd));
  snprintf(path, sizeof path, "%s/j.md", d);
  char *md = slurp(path);
  cr_assert_not_null(strstr(md, "went forward to here"));
  cr_assert_not_null(strstr(md, "went back to here"));
  free(md);
  rmtree(d);
}

Test(play, refused_commands_leave_no_trace_in_the_log_or_the_report) {
  char *d = folder();
  char cmd[1000], path[700];
  snprintf(cmd, sizeof cmd, "play tests/cli/timeline.lua --seat USA --log "
           "%s/log.jsonl", d);
  result r = run_script(d, cmd, "/set talks lots\n/set nosuch 5\n"
                                "/odds summit 7\n/undo 9\n/set talks 70\n"
                                "/quit\n");
  cr_assert_eq(r.status, 0, "%s", r.err);
  cr_assert(strstr(r.out, "! "), "the refusals are said: %s", r.out);
  done(r);
  snprintf(path, sizeof path, "%s/log.jsonl", d);
  char *log = slurp(path);
  cr_assert_null(strstr(log, "lots"), "%s", log);
  cr_assert_null(strstr(log, "nosuch"), "%s", log);
  cr_assert_null(strstr(log, "/odds"), "%s", log);
  cr_assert_null(strstr(log, "/undo"), "%s", log);
  cr_assert_not_null(strstr(log, "\"command\":\"/set talks 70\""), "%s",
                     log);
  free(log);
  snprintf(cmd, sizeof cmd, "replay %s/log.jsonl", d);
  r = run(cmd);
  cr_assert_eq(r.status, 0, "%s", r.err);
  done(r);
  snprintf(cmd, sizeof cmd, "report %s/log.jsonl -o %s/aar.md", d, d);
  done(run(cmd));
  snprintf(path, sizeof path, "%s/aar.md", d);
  char *md = slurp(path);
  cr_assert_null(strstr(md, "lots"), "%s", md);
  cr_assert_not_null(strstr(md, "/set talks 70"), "%s", md);
  free(md);
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
  cr_assert(strstr(r.out, "{\"t\":\"end\""), "the run goes on");
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
  /* A report is HTML or Markdown: another name is refused, not filled with
     HTML it does not promise; upper case is fine. */
  const char *refused[] = {"aar.pdf", "aar.txt", "aar", "aar.html.bak"};
  for (int i = 0; i < 4; i++) {
    snprintf(cmd, sizeof cmd, "report %s/%s -o %s/%s", d, inputs[0], d,
             refused[i]);
    r = run(cmd);
    cr_assert_eq(r.status, 2, "%s: %s", refused[i], r.err);
    cr_assert(strstr(r.err, "a report is HTML (.html) or Markdown (.md)"),
              "%s", r.err);
    char out[700];
    snprintf(out, sizeof out, "%s/%s", d, refused[i]);
    cr_assert_neq(access(out, F_OK), 0, "%s was written", refused[i]);
    done(r);
  }
  snprintf(cmd, sizeof cmd, "report %s/%s -o %s/AAR.HTM", d, inputs[0], d);
  r = run(cmd);
  cr_assert_eq(r.status, 0, "%s", r.err);
  done(r);
  /* /report in play says the same. */
  snprintf(cmd, sizeof cmd, "play tests/cli/timeline.lua --seat USA");
  snprintf(script, sizeof script, "/report %s/p.pdf\n/quit\n", d);
  r = run_script(d, cmd, script);
  cr_assert(strstr(r.out, "! cannot write ") &&
            strstr(r.out, "a report is HTML (.html) or Markdown (.md)"),
            "%s", r.out);
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
