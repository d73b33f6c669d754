/* The brink command, run as a user would (BRINK names the binary). */
#define _DEFAULT_SOURCE   /* mkstemps */
#include "cli_fixture.h"

/* Writes 'src' to a fresh /tmp/brink-*.lua, whose name goes to 'path'. */
static void temp_scenario(char *path, size_t cap, const char *src) {
  snprintf(path, cap, "/tmp/brink-cli-XXXXXX.lua");
  int fd = mkstemps(path, 4);
  cr_assert(fd >= 0);
  cr_assert_eq(write(fd, src, strlen(src)), (ssize_t)strlen(src));
  close(fd);
}

/* Runs "brink ARGS". */
static result run(const char *args) {
  char cmd[2048];
  snprintf(cmd, sizeof cmd, "%s %s", brink(), args);
  return shell(cmd);
}

Test(cli, run_prints_the_pinned_timeline_and_log) {
  result text = run("run tests/cli/timeline.lua");
  result json = run("run tests/cli/timeline.lua --json");
  char *want_text = slurp("tests/cli/timeline.out");
  char *want_json = slurp("tests/cli/timeline.jsonl");
  cr_assert_eq(text.status, 0, "%s", text.err);
  cr_assert_str_eq(text.out, want_text);
  cr_assert_str_eq(json.out, want_json);
  free(want_text);
  free(want_json);
  done(text);
  done(json);
}

Test(cli, separate_processes_give_the_same_bytes) {
  result first = run("run tests/cli/determinism.lua --json --seed 3");
  cr_assert_eq(first.status, 0, "%s", first.err);
  cr_assert(strstr(first.out, "7,2.5,gold,iron,salt,silk,tea,wool"));
  cr_assert(strstr(first.out, "(table)"), "tostring shows no address");
  for (int i = 0; i < 5; i++) {
    result again = run("run tests/cli/determinism.lua --json --seed 3");
    cr_assert_str_eq(again.out, first.out);
    done(again);
  }
  result other = run("run tests/cli/determinism.lua --json --seed 4");
  cr_assert_str_neq(other.out, first.out, "the seed must matter");
  done(other);
  done(first);
}

Test(cli, the_log_file_holds_what_json_prints) {
  char path[] = "/tmp/brink-log-XXXXXX";
  close(mkstemp(path));
  char args[256];
  snprintf(args, sizeof args, "run tests/cli/timeline.lua --log %s", path);
  result r = run(args);
  cr_assert_eq(r.status, 0);
  char *log = slurp(path), *want = slurp("tests/cli/timeline.jsonl");
  cr_assert_str_eq(log, want);
  free(log);
  free(want);
  remove(path);
  done(r);
}

Test(cli, seed_turns_policy_and_set_change_the_run) {
  result r = run("run tests/cli/timeline.lua --json --seed 5 --turns 2 "
                 "--set talks=50 --set USA.troops=30000");
  cr_assert_eq(r.status, 0, "%s", r.err);
  cr_assert(strstr(r.out, "\"seed\":5"));
  cr_assert(strstr(r.out, "{\"t\":\"set\",\"turn\":1,\"var\":\"talks\",\"old\":20,\"new\":50,\"cause\":\"--set\"}"));
  cr_assert(strstr(r.out, "\"t\":\"end\",\"turn\":2,"), "%s", r.out);
  done(r);
}

Test(cli, a_bad_set_or_flag_is_a_usage_error_with_a_suggestion) {
  struct { const char *args, *message; } cases[] = {
      {"run tests/cli/timeline.lua --sed 3",
       "brink run: unknown option '--sed' (did you mean '--seed'?)\n"},
      {"run tests/cli/timeline.lua --seed -1",
       "brink run: --seed takes a whole number, not '-1'\n"},
      {"run tests/cli/timeline.lua --set USA.troops=2.5",
       "brink run: --set USA.troops=2.5: USA.troops is an integer variable: "
       "2.5 is not an integer\n"},
      {"run tests/cli/timeline.lua --set talk=3",
       "brink run: --set talk=3: unknown variable 'talk' (did you mean "
       "'talks'?)\n"},
      {"run tests/cli/timeline.lua --policy USA=hawk",
       "brink run: --policy USA=hawk: unknown policy 'hawk' for USA\n"},
      {"run", "brink run: which scenario? (brink run FILE)\n"},
      {"frobnicate", "brink: unknown command 'frobnicate' (try brink --help)\n"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    result r = run(cases[i].args);
    cr_assert_eq(r.status, 2, "%s: status %d", cases[i].args, r.status);
    cr_assert_str_eq(r.err, cases[i].message, "%s", cases[i].args);
    done(r);
  }
}

Test(cli, a_script_error_ends_the_run_with_status_1_and_an_error_record) {
  char path[64];
  const char *src = "scenario { id = 'bad', start = '2020-01-01' }\n"
                    "actor 'A' {}\nvar 'x' { init = 1 }\n"
                    "trigger 't' { effect = function(w) w.x = 2; error('no') end }\n";
  temp_scenario(path, sizeof path, src);
  char args[256];
  snprintf(args, sizeof args, "run %s --json", path);
  result r = run(args);
  cr_assert_eq(r.status, 1);
  cr_assert(strstr(r.out, "\"t\":\"error\",\"turn\":1,\"where\":\""));
  cr_assert(strstr(r.out, ":4\",\"in\":\"trigger:t\",\"message\":\"no\"}"));
  cr_assert(strstr(r.out, "\"outcome\":\"error\",\"final\":{\"x\":1}}"));
  done(r);
  remove(path);
}

Test(cli, check_lists_findings_and_exits_1_or_0) {
  result bad = run("check tests/cli/broken.lua");
  cr_assert_eq(bad.status, 1);
  cr_assert_str_eq(bad.err,
      "tests/cli/broken.lua:4: var 'y': init must be a number\n"
      "tests/cli/broken.lua:5: move 'm': needs 'by': an actor, a list of actors, or \"*\"\n"
      "tests/cli/broken.lua:6: trigger 'late': 'at' 2030-01-01 is outside the calendar (2020-01-01 to 2020-12-31)\n"
      "tests/cli/broken.lua:7: outcome 'error': 'error' is reserved for runs a script error ended\n");
  done(bad);
  result good = run("check tests/cli/timeline.lua");
  cr_assert_eq(good.status, 0, "%s", good.err);
  cr_assert_str_eq(good.out, "tests/cli/timeline.lua: ok (2 actors, 4 "
                   "variables, 2 moves, 6 turns)\n");
  done(good);
  result warned = run("check tests/cli/determinism.lua");
  cr_assert_eq(warned.status, 0);
  cr_assert_str_eq(warned.err, "");
  done(warned);
  result missing = run("check tests/cli/nothing-here.lua");
  cr_assert_eq(missing.status, 1);
  cr_assert_str_eq(missing.err, "brink check: cannot open "
                   "tests/cli/nothing-here.lua: No such file or directory\n");
  done(missing);
}

/* Every command that loads a scenario says which command could not
   read it, as it does for its other errors. */
Test(cli, every_command_prefixes_a_file_it_cannot_read_with_its_name) {
  static const char *const cmds[][2] = {
      {"check", "brink check: cannot open nothing-here.lua: "},
      {"check --runs 2", "brink check: cannot open nothing-here.lua: "},
      {"run", "brink run: cannot open nothing-here.lua: "},
      {"play", "brink play: cannot open nothing-here.lua: "},
      {"doc", "brink doc: cannot open nothing-here.lua: "},
      {"batch --runs 2", "brink batch: cannot read nothing-here.lua"},
      {"serve --seat A", "brink serve: cannot open nothing-here.lua: "},
      {"replay", "brink replay: nothing-here.lua: cannot read it"},
  };
  for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++) {
    char args[128];
    snprintf(args, sizeof args, "%s nothing-here.lua", cmds[i][0]);
    result r = run(args);
    cr_assert_neq(r.status, 0, "%s", args);
    cr_assert(strncmp(r.err, cmds[i][1], strlen(cmds[i][1])) == 0,
              "%s: %s", args, r.err);
    done(r);
  }
}

/* brink check --runs: tests/cli/smoke.lua has one of each finding. */
#define SMOKE "tests/cli/smoke.lua"
#define SMOKE_OK SMOKE ": ok (2 actors, 4 variables, 3 moves, 6 turns)\n"

Test(cli, check_runs_reports_each_finding_at_its_line_and_exits_1) {
  result r = run("check " SMOKE " --runs 200");
  cr_assert_eq(r.status, 1, "%s", r.err);
  cr_assert_str_eq(r.out, SMOKE_OK SMOKE ": 200 runs (seeds 1 to 200): 2 "
                   "errors in 30 runs, 4 warnings\n");
  cr_assert_str_eq(r.err,
      SMOKE ":12: warning: variable 'spare' never written in 200 runs\n"
      SMOKE ":17: error: in move:warm: cold feet (seeds 9, 69, 107 and 2 "
      "more)\n"
      SMOKE ":21: warning: move 'never' never legal in 200 runs\n"
      SMOKE ":32: error: in trigger:flare: boom (seeds 11, 16, 21 and 22 "
      "more)\n"
      SMOKE ":35: warning: trigger 'unreachable' never fired in 200 runs\n"
      SMOKE ":39: warning: outcome 'meltdown' never reached in 200 runs\n");
  done(r);
}

/* The seeds listed after "(seeds " in 'err', at most 'cap'. */
static int listed_seeds(const char *err, const char *after,
                        unsigned long long *seeds, int cap) {
  const char *p = strstr(err, after);
  cr_assert_not_null(p, "no '%s' in:\n%s", after, err);
  p += strlen(after);
  int n = 0;
  for (char *end; n < cap; p = end + 2) {
    seeds[n++] = strtoull(p, &end, 10);
    if (*end != ',') break;
  }
  return n;
}

Test(cli, every_seed_an_error_lists_hits_it_in_brink_run) {
  result r = run("check " SMOKE " --runs 200");
  unsigned long long seeds[3];
  int n = listed_seeds(r.err, "boom (seeds ", seeds, 3);
  cr_assert_eq(n, 3);
  for (int i = 0; i < n; i++) {
    char args[128];
    snprintf(args, sizeof args, "run " SMOKE " --seed %llu --json", seeds[i]);
    result one = run(args);
    cr_assert_eq(one.status, 1, "seed %llu", seeds[i]);
    cr_assert(strstr(one.out, ":32\",\"in\":\"trigger:flare\",\"message\":"
                     "\"boom\"}"), "seed %llu:\n%s", seeds[i], one.out);
    done(one);
  }
  /* And the first is the first: the seeds before it end without one. */
  for (unsigned long long s = 1; s < seeds[0]; s++) {
    char args[128];
    snprintf(args, sizeof args, "run " SMOKE " --seed %llu --quiet", s);
    result one = run(args);
    cr_assert(one.status == 0 || strstr(one.err, "cold feet"),
              "seed %llu: %s", s, one.err);
    done(one);
  }
  done(r);
}

Test(cli, check_runs_0_is_the_static_check_alone) {
  result plain = run("check " SMOKE);
  result zero = run("check " SMOKE " --runs 0");
  cr_assert_eq(zero.status, 0);
  cr_assert_str_eq(zero.out, SMOKE_OK);
  cr_assert_str_eq(zero.out, plain.out);
  cr_assert_str_eq(zero.err, plain.err);
  done(plain);
  done(zero);
  result seed = run("check " SMOKE " --seed 3");
  cr_assert_eq(seed.status, 2);
  cr_assert_str_eq(seed.err, "brink check: --seed and --jobs go with --runs "
                   "N\n");
  done(seed);
  result neg = run("check " SMOKE " --runs -1");
  cr_assert_eq(neg.status, 2);
  cr_assert_str_eq(neg.err, "brink check: --runs takes a number from 0 to "
                   "10^9, not '-1'\n");
  done(neg);
  /* A scenario that does not load is not played. */
  result bad = run("check tests/cli/broken.lua --runs 5");
  cr_assert_eq(bad.status, 1);
  cr_assert_str_eq(bad.out, "");
  done(bad);
}

Test(cli, check_runs_gives_the_same_findings_whatever_jobs_from_its_seed) {
  result one = run("check " SMOKE " --runs 50 --seed 11 --jobs 1");
  result four = run("check " SMOKE " --runs 50 --seed 11 --jobs 4");
  cr_assert_eq(one.status, 1);
  cr_assert_eq(four.status, 1);
  cr_assert_str_eq(one.out, four.out);
  cr_assert_str_eq(one.err, four.err);
  cr_assert(strstr(one.out, "50 runs (seeds 11 to 60)"), "%s", one.out);
  unsigned long long first;
  listed_seeds(one.err, "boom (seeds ", &first, 1);
  cr_assert_eq(first, 11);
  done(one);
  done(four);
}

/* Warnings alone exit 0: the flagship plays 200 runs without an error. */
Test(cli, check_runs_finds_no_error_in_the_flagship) {
  result r = run("check scripts/scenarios/korea-2019.lua --runs 200");
  cr_assert_eq(r.status, 0, "%s", r.err);
  cr_assert(strstr(r.out, ": 200 runs (seeds 2019 to 2218): no runtime "
                   "errors, "), "%s", r.out);
  for (const char *p = r.err; *p; p = strchr(p, '\n') + 1)
    cr_assert(strncmp(strstr(p, ": ") ? strstr(p, ": ") : p,
                      ": warning: ", 11) == 0 ||
              strncmp(strstr(p, ": ") ? strstr(p, ": ") : p, ": note: ", 8)
                  == 0, "not a warning or a note: %s", p);
  done(r);
}

/* brink check --runs says, per variable, how many of its writes were
   clamped to its bounds: a note, neither an error nor a warning. */
Test(cli, check_runs_notes_how_often_each_variable_was_clamped) {
  char path[64];
  temp_scenario(path, sizeof path,
      "scenario { id = 'c', start = '2020-01-01', finish = '2020-02-28' }\n"
      "actor 'A' {}\n"
      "var 'x' { min = 0, max = 10, init = 8 }\n"
      "var '*.y' { min = 0, max = 10, init = 0 }\n"
      "trigger 't' { once = false, effect = function(w)\n"
      "  w.x = w.x + 2; w.A.y = 1 end }\n");
  char args[128];
  snprintf(args, sizeof args, "check %s --runs 3", path);
  result r = run(args);
  cr_assert_eq(r.status, 0, "%s", r.err);
  char want[256];
  snprintf(want, sizeof want, "%s:3: note: variable 'x' clamped to its "
           "bounds in 3 of 6 writes (3 runs)\n", path);
  cr_assert_str_eq(r.err, want);
  cr_assert(strstr(r.out, "no runtime errors, 0 warnings"), "%s", r.out);
  done(r);
  remove(path);
}

Test(cli, help_describes_every_command_and_flag) {
  result top = run("--help");
  cr_assert_eq(top.status, 0);
  cr_assert(strstr(top.out, "run FILE") && strstr(top.out, "check FILE"));
  done(top);
  result r = run("run --help");
  const char *flags[] = {"--seed", "--turns", "--policy", "--set", "--json",
                         "--log", "--quiet", "--max-instructions",
                         "--max-memory", "--max-seconds"};
  for (size_t i = 0; i < sizeof flags / sizeof *flags; i++)
    cr_assert(strstr(r.out, flags[i]), "run --help lacks %s", flags[i]);
  done(r);
  result v = run("--version");
  cr_assert_str_eq(v.out, "brink 0.1.0\n");
  done(v);
}

Test(cli, budget_flags_reach_the_scripts) {
  char path[64];
  const char *src = "scenario { id = 'loop', start = '2020-01-01' }\n"
                    "actor 'A' {}\n"
                    "trigger 't' { effect = function(w) local s = {} "
                    "for i = 1, 1e9 do s[i] = i end end }\n";
  temp_scenario(path, sizeof path, src);
  char args[256];
  snprintf(args, sizeof args, "run %s --max-instructions 100000", path);
  result r = run(args);
  cr_assert_eq(r.status, 1);
  cr_assert(strstr(r.err, "instruction budget exceeded in 'effect' (100000 instructions)"),
            "%s", r.err);
  done(r);
  snprintf(args, sizeof args, "run %s --max-memory 4M", path);
  r = run(args);
  cr_assert_eq(r.status, 1);
  cr_assert(strstr(r.err, "memory budget exceeded (4 MiB)"), "%s", r.err);
  done(r);
  remove(path);
}

Test(cli, check_and_run_refuse_state_kept_in_script_locals) {
  char path[64];
  const char *src = "scenario { id = 'w', start = '2020-01-01' }\n"
                    "actor 'A' {}\nlocal count = 0\n"
                    "trigger 't' { effect = function() count = count + 1 end }\n";
  temp_scenario(path, sizeof path, src);
  char want[512];
  snprintf(want, sizeof want, "%s:4: assigns 'count', a local kept from "
           "loading: a run may not change it; keep state in a var\n", path);
  static const char *const commands[] = {"check", "run", "batch --runs 2"};
  for (size_t i = 0; i < sizeof commands / sizeof *commands; i++) {
    char args[256];
    snprintf(args, sizeof args, "%s %s", commands[i], path);
    result r = run(args);
    cr_assert_eq(r.status, 1, "%s exited %d", commands[i], r.status);
    cr_assert(strstr(r.err, want), "%s said:\n%s", commands[i], r.err);
    done(r);
  }
  remove(path);
}

Test(cli, doc_writes_a_briefing_that_keeps_hidden_values_hidden) {
  result r = run("doc scripts/scenarios/korea-2019.lua");
  cr_assert_eq(r.status, 0, "%s", r.err);
  cr_assert(strstr(r.out, "# No Easy Solutions: Northeast Asia, 2019-2020\n"));
  cr_assert(strstr(r.out, "20 turns of one month each, from 2019-05-01"));
  cr_assert(strstr(r.out, "### United States (USA)\n"));
  cr_assert(strstr(r.out, "- `summit` on DPRK: Meet Kim Jong-un"));
  /* Several targets read as a list, not "on ROK on JPN". */
  cr_assert(strstr(r.out, "- `consult_allies` on ROK or JPN: "), "%s", r.out);
  cr_assert(strstr(r.out, "| `DPRK.warheads` | 0 to 200 | hidden |"),
            "the arsenal must not show");
  cr_assert(strstr(r.out, "| `USA.troops` | 0 to 40000 | 28500 |"), "%s",
            r.out);
  cr_assert(strstr(r.out, "- **stalemate**"));
  done(r);
  r = run("doc");
  cr_assert_eq(r.status, 2);
  done(r);
  /* Three and more: commas, then "or". */
  const char *path = "/tmp/brink-doc-targets.lua";
  FILE *f = fopen(path, "w");
  fputs("scenario { id = 't3', start = '2020-01-01', finish = '2020-03-31', "
        "turn = 'month' }\n"
        "actor 'CHN' {}\nactor 'TWN' {}\nactor 'JPN' {}\nactor 'PHL' {}\n"
        "move 'blockade' { by = 'CHN', targets = { 'TWN', 'JPN', 'PHL' }, "
        "doc = 'close the sea lanes' }\n", f);
  fclose(f);
  char args[300];
  snprintf(args, sizeof args, "doc %s", path);
  r = run(args);
  cr_assert(strstr(r.out, "- `blockade` on TWN, JPN or PHL: close the sea "
                   "lanes"), "%s", r.out);
  done(r);
  remove(path);
}

Test(cli, python_drives_the_library_through_ctypes_and_brink_h_alone) {
  const char *build = need_env("BRINK_BUILD");
  if (system("command -v python3 >/dev/null") != 0)
    cr_skip_test("needs python3");
  char cmd[1024];
  /* A sanitizer build's library cannot load into an uninstrumented python. */
  snprintf(cmd, sizeof cmd, "ldd %s/libbrink.so | grep -q libasan", build);
  if (system(cmd) == 0) cr_skip_test("sanitizer build");
  snprintf(cmd, sizeof cmd, "python3 examples/embed.py %s/libbrink.so "
           "scripts/scenarios/tutorial.lua", build);
  result py = shell(cmd);
  cr_assert_eq(py.status, 0, "%s", py.err);
  result cli = run("run scripts/scenarios/tutorial.lua --json");
  /* The same outcome and turn as the command's end record. */
  char want[128];
  const char *end = strstr(cli.out, "{\"t\":\"end\",\"turn\":");
  cr_assert_not_null(end);
  int turn = atoi(end + strlen("{\"t\":\"end\",\"turn\":"));
  const char *o = strstr(end, "\"outcome\":\"") + 11;
  snprintf(want, sizeof want, "outcome: %.*s after turn %d\n",
           (int)(strchr(o, '"') - o), o, turn);
  cr_assert(strncmp(py.out, want, strlen(want)) == 0, "%s vs %s", py.out,
            want);
  done(py);
  done(cli);
}

/* Names equally close to a misspelling used to be weighed in pointer
   order, which differs from one process to the next. */
Test(cli, did_you_mean_breaks_ties_by_byte_order_in_every_process) {
  char path[64];
  const char *src =
      "scenario { id = 'ties', start = '2020-01-01', finish = '2020-03-31',"
      " default_outcome = 'none' } outcome 'none' {}\n"
      "actor 'A' {}\n"
      "var 'abz' { init = 1 }\nvar 'abx' { init = 1 }\nvar 'aby' { init = 1 }\n"
      "var 'A.pqz' { init = 1 }\nvar 'A.pqx' { init = 1 }\n"
      "var 'A.pqy' { init = 1 }\n"
      "move 'poke' { by = 'A', effect = function(w) w.abz = w.abq end }\n"
      "move 'prod' { by = 'A', effect = function(w) w.abz = w.A.pqq end }\n";
  temp_scenario(path, sizeof path, src);
  const char *want[] = {"unknown variable 'abq' (did you mean 'abx'?)",
                        "unknown variable 'A.pqq' (did you mean 'A.pqx'?)"};
  bool seen[2] = {false, false};
  char *first[2] = {NULL, NULL};
  for (int i = 0; i < 16; i++) {
    char args[256];
    snprintf(args, sizeof args, "run %s --seed %d --quiet", path, i % 4);
    result r = run(args);
    cr_assert_eq(r.status, 1, "a script error: %s", r.err);
    int k = strstr(r.err, "'abq'") ? 0 : 1;
    cr_assert_not_null(strstr(r.err, want[k]), "%s", r.err);
    if (first[k]) cr_assert_str_eq(r.err, first[k], "run %d", i);
    else first[k] = strdup(r.err);
    seen[k] = true;
    done(r);
  }
  cr_assert(seen[0] && seen[1], "both moves were tried");
  free(first[0]);
  free(first[1]);
  remove(path);
}

/* After "--" every argument is a file, even one that looks like an option. */
Test(cli, double_dash_ends_the_options) {
  char dir[] = "/tmp/brink-dash-XXXXXX", cmd[512];
  cr_assert_not_null(mkdtemp(dir));
  snprintf(cmd, sizeof cmd, "cp tests/cli/timeline.lua %s/-x.lua", dir);
  cr_assert_eq(system(cmd), 0);
  snprintf(cmd, sizeof cmd, "cd %s && %s check -- -x.lua", dir, brink());
  result r = shell(cmd);
  cr_assert_eq(r.status, 0, "%s", r.err);
  cr_assert_str_eq(r.out, "-x.lua: ok (2 actors, 4 variables, 2 moves, 6 "
                   "turns)\n");
  done(r);
  snprintf(cmd, sizeof cmd, "cd %s && %s check -x.lua", dir, brink());
  r = shell(cmd);
  cr_assert_eq(r.status, 2);
  cr_assert_str_eq(r.err, "brink check: unknown option '-x.lua' (see brink "
                   "check --help)\n");
  done(r);
  r = run("check -- --help");
  cr_assert_eq(r.status, 1, "--help after -- is a file");
  cr_assert_str_eq(r.err, "brink check: cannot open --help: No such file or "
                   "directory\n");
  done(r);
  r = run("check -- tests/cli/timeline.lua --max-seconds 3");
  cr_assert_eq(r.status, 2);
  cr_assert_str_eq(r.err, "brink check: one scenario file only "
                   "('--max-seconds'?)\n");
  done(r);
  r = run("run tests/cli/timeline.lua --quiet -- --json");
  cr_assert_eq(r.status, 2);
  cr_assert_str_eq(r.err, "brink run: one scenario file only ('--json'?)\n");
  done(r);
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  cr_assert_eq(system(cmd), 0);
}

/* The option labels of a help text: what its lines "  --name ARG ..."
   list before the column of descriptions, each name once per line. */
static int help_options(const char *help, char names[][32], int cap) {
  int n = 0;
  for (const char *l = help; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1
                                                          : NULL) {
    if (strncmp(l, "  -", 3) != 0) continue;
    const char *end = strstr(l + 2, "  "), *nl = strchr(l, '\n');
    if (end == NULL || (nl && end > nl)) end = nl ? nl : l + strlen(l);
    for (const char *p = l + 2; p < end; p++) {
      if (*p != '-' || (p > l + 2 && p[-1] != ' ')) continue;
      size_t k = strspn(p, "-abcdefghijklmnopqrstuvwxyz");
      cr_assert_lt(n, cap);
      snprintf(names[n++], 32, "%.*s", (int)k, p);
      p += k;
    }
  }
  return n;
}

static bool listed(char names[][32], int n, const char *name) {
  for (int i = 0; i < n; i++)
    if (strcmp(names[i], name) == 0) return true;
  return false;
}

/* Every option a command's help lists is one its parser takes, and every
   option any command takes is refused by the commands whose help leaves
   it out: the help and the parser come from one table. */
Test(cli, every_commands_help_lists_exactly_the_options_it_takes) {
  const char *cmds[] = {"run", "check", "batch", "merge", "play", "replay",
                        "report", "doc"};
  enum { NCMD = sizeof cmds / sizeof *cmds, CAP = 64 };
  static char names[NCMD][CAP][32], all[NCMD * CAP][32];
  int n[NCMD], nall = 0;
  result top = run("--help");
  for (int c = 0; c < NCMD; c++) {
    char want[32], args[128];
    snprintf(want, sizeof want, "\n  %s ", cmds[c]);
    cr_assert_not_null(strstr(top.out, want), "brink --help lacks %s",
                       cmds[c]);
    snprintf(args, sizeof args, "%s --help", cmds[c]);
    result h = run(args);
    cr_assert_eq(h.status, 0, "%s", args);
    cr_assert(strncmp(h.out, "usage: brink ", 13) == 0, "%s", h.out);
    cr_assert_not_null(strstr(h.out, "\nexit status: "), "%s", args);
    snprintf(args, sizeof args, "help %s", cmds[c]);
    result same = run(args);
    cr_assert_str_eq(same.out, h.out, "brink help %s", cmds[c]);
    done(same);
    n[c] = help_options(h.out, names[c], CAP);
    cr_assert_gt(n[c], 0, "%s --help lists no option", cmds[c]);
    for (int i = 0; i < n[c]; i++)
      if (!listed(all, nall, names[c][i])) strcpy(all[nall++], names[c][i]);
    done(h);
  }
  done(top);
  for (int c = 0; c < NCMD; c++)
    for (int i = 0; i < nall; i++) {
      /* No value after it: an option that takes one says so. */
      char args[128];
      snprintf(args, sizeof args, "%s %.31s", cmds[c], all[i]);
      result r = run(args);
      bool refused = strstr(r.err, "unknown option") != NULL;
      if (listed(names[c], n[c], all[i]))
        cr_assert(!refused, "brink %s --help lists %s, which it refuses: %s",
                  cmds[c], all[i], r.err);
      else
        cr_assert(refused && r.status == 2, "brink %s takes %s, which its "
                  "help leaves out", cmds[c], all[i]);
      done(r);
    }
  result bad = run("help frobnicate");
  cr_assert_eq(bad.status, 2);
  cr_assert_str_eq(bad.err, "brink help: unknown command 'frobnicate' (try "
                   "brink --help)\n");
  done(bad);
}
