/*
** Untrusted text and untrusted files, through the brink command: control
** bytes never reach a terminal, markup never passes into Markdown or
** HTML, outputs never follow a symlink, and a forged save is refused
** whole, naming the file and the field.
*/
#define _DEFAULT_SOURCE   /* mkdtemp */
#include "cli_fixture.h"
#include <jansson.h>
#include <sys/stat.h>

static result run(const char *args) {
  char cmd[4096];
  snprintf(cmd, sizeof cmd, "%s %s", brink(), args);
  return shell(cmd);
}

static char *folder(void) {
  static char d[64];
  snprintf(d, sizeof d, "/tmp/brink-untrusted-XXXXXX");
  cr_assert_not_null(mkdtemp(d));
  return d;
}

static void rmtree(const char *dir) {
  char cmd[256];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  cr_assert_eq(system(cmd), 0);
}

static void spit(const char *path, const char *text) {
  FILE *f = fopen(path, "wb");
  cr_assert_not_null(f, "%s", path);
  fputs(text, f);
  fclose(f);
}

/* The first byte a terminal would obey (not a newline or tab), or -1. */
static int control_at(const char *s, bool c1) {
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f)
      return (int)(p - (const unsigned char *)s);
    if (c1 && *p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)   /* C1, as UTF-8 */
      return (int)(p - (const unsigned char *)s);
  }
  return -1;
}

#define NO_CONTROL(s) \
  cr_assert_eq(control_at(s, true), -1, "a control byte at %d: %s", \
               control_at(s, true), s)

/* Markup the hostile scenario's texts would make, unless escaped: in
   Markdown by a backslash before it, in HTML not at all. */
static void no_markup(const char *s, const char *what, bool md) {
  const char *bad[] = {"<script", "<img", "<a ", "<iframe", "<b>",
                       "](javascript:", "# not"};
  /* HTML has tags of its own, and no meaning for the Markdown ones. */
  size_t n = md ? sizeof bad / sizeof *bad : 4;
  for (size_t i = 0; i < n; i++)
    for (const char *at = s; (at = strstr(at, bad[i])) != NULL; at++)
      cr_assert(md && at > s && at[-1] == '\\', "%s holds %s:\n%s", what,
                bad[i], s);
}

/* brink play ARGS with 'input' piped in: it shows 'shows' and no byte a
   terminal would obey. */
static void play_shows(const char *input, const char *args,
                       const char *shows) {
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "printf '%s' | %s play %s", input, brink(),
           args);
  result r = shell(cmd);
  cr_assert_eq(r.status, 0, "%s", r.err);
  cr_assert(strstr(r.out, shows), "%s", r.out);
  NO_CONTROL(r.out);
  NO_CONTROL(r.err);
  done(r);
}

Test(untrusted, terminal_output_holds_no_control_bytes) {
  result r = run("run tests/cli/hostile.lua");
  cr_assert_eq(r.status, 0, "%s", r.err);
  NO_CONTROL(r.out);
  NO_CONTROL(r.err);
  cr_assert(strstr(r.out, "\\x1b[2J"), "the escape is shown: %s", r.out);
  cr_assert(strstr(r.out, "\\u009b"), "C1 is shown: %s", r.out);
  cr_assert(strstr(r.out, "done\\x0aOutcome: forged"), "a line stays one: "
            "%s", r.out);
  done(r);
  r = run("run tests/cli/hostile.lua --json");
  /* JSON escapes C0 and DEL; C1 is text to it, and to a UTF-8 terminal. */
  cr_assert_eq(control_at(r.out, false), -1, "%s", r.out);
  done(r);
  r = run("batch tests/cli/hostile.lua --runs 20 --jobs 1");
  cr_assert_eq(r.status, 0, "%s", r.err);
  NO_CONTROL(r.out);
  done(r);
  play_shows("1\\n1\\n1\\n/quit\\n", "tests/cli/hostile.lua --seat A",
             "cleared");
}

Test(untrusted, a_script_error_message_is_escaped_too) {
  char *d = folder(), path[128], cmd[512];
  snprintf(path, sizeof path, "%s/err.lua", d);
  spit(path, "scenario { id = \"e\", start = \"2019-10-01\", finish = "
       "\"2019-12-31\", turn = \"month\", default_outcome = \"q\" }\n"
       "actor \"A\\27[2J\" {}\nvar \"x\" { init = 0 }\n"
       "move \"m\" { by = \"A\\27[2J\", effect = function(w) "
       "error(\"\\27]0;owned\\7\\27[2J\") end }\n"
       "outcome \"q\" { when = function() return false end }\n");
  snprintf(cmd, sizeof cmd, "run %s", path);
  result r = run(cmd);
  cr_assert_eq(r.status, 1, "%s%s", r.out, r.err);
  NO_CONTROL(r.out);
  NO_CONTROL(r.err);
  cr_assert(strstr(r.out, "\\x1b]0;owned") || strstr(r.err, "\\x1b]0;owned"),
            "%s%s", r.out, r.err);
  done(r);
  /* An actor's id is the scenario's text too, in play's prompt as well. */
  snprintf(cmd, sizeof cmd, "%s --seat \"$(printf 'A\\033[2J')\"", path);
  play_shows("/quit\\n", cmd, "A\\x1b[2J> ");
  rmtree(d);
}

Test(untrusted, doc_and_reports_escape_markup) {
  result r = run("doc tests/cli/hostile.lua");
  cr_assert_eq(r.status, 0, "%s", r.err);
  no_markup(r.out, "brink doc", true);
  NO_CONTROL(r.out);
  cr_assert(strstr(r.out, "\\<script\\>alert(1)\\</script\\>"), "%s", r.out);
  cr_assert(strstr(r.out, "\\[the map\\](javascript:alert(2))"), "%s",
            r.out);
  done(r);
  char *d = folder(), cmd[512], path[128];
  snprintf(cmd, sizeof cmd, "run tests/cli/hostile.lua --log %s/h.jsonl", d);
  r = run(cmd);
  cr_assert_eq(r.status, 0, "%s", r.err);
  done(r);
  const char *outs[] = {"aar.md", "aar.html"};
  for (int i = 0; i < 2; i++) {
    snprintf(cmd, sizeof cmd, "report %s/h.jsonl -o %s/%s", d, d, outs[i]);
    r = run(cmd);
    cr_assert_eq(r.status, 0, "%s", r.err);
    done(r);
    snprintf(path, sizeof path, "%s/%s", d, outs[i]);
    char *text = slurp(path);
    cr_assert_not_null(text);
    no_markup(text, outs[i], i == 0);
    NO_CONTROL(text);
    cr_assert(strstr(text, i ? "&lt;script&gt;alert(1)" :
                               "\\<script\\>alert(1)"), "%s", text);
    free(text);
  }
  rmtree(d);
}

Test(untrusted, replay_shows_a_forged_line_escaped) {
  char *d = folder(), cmd[512], path[128];
  snprintf(cmd, sizeof cmd, "run tests/cli/timeline.lua --log %s/t.jsonl",
           d);
  result r = run(cmd);
  cr_assert_eq(r.status, 0, "%s", r.err);
  done(r);
  snprintf(path, sizeof path, "%s/t.jsonl", d);
  char *log = slurp(path);
  /* The third line forged: raw escapes, as no jansson would write them. */
  char *third = strchr(strchr(log, '\n') + 1, '\n') + 1;
  char *rest = strchr(third, '\n');
  char *forged = malloc(strlen(log) + 200);
  snprintf(forged, strlen(log) + 200, "%.*s{\"t\":\"news\",\"turn\":1,"
           "\"text\":\"\x1b]0;owned\x07\x1b[2J\x1b[1;1H\"}%s",
           (int)(third - log), log, rest);
  spit(path, forged);
  snprintf(cmd, sizeof cmd, "replay %s/t.jsonl", d);
  r = run(cmd);
  cr_assert_eq(r.status, 1, "%s%s", r.out, r.err);
  cr_assert(strstr(r.err, "differs"), "%s", r.err);
  NO_CONTROL(r.out);
  NO_CONTROL(r.err);
  cr_assert(strstr(r.err, "\\x1b]0;owned\\x07"), "%s", r.err);
  done(r);
  free(forged);
  free(log);
  rmtree(d);
}

/* A symlink at 'name' in 'd' to a file that must not change. */
static void trap(const char *d, const char *name) {
  char victim[160], link[160];
  snprintf(victim, sizeof victim, "%s/victim-%s", d, name);
  snprintf(link, sizeof link, "%s/%s", d, name);
  spit(victim, "precious\n");
  cr_assert_eq(symlink(victim, link), 0, "%s", link);
}

/* The victim unchanged, and 'name' a regular file (or, 'refused', still
   the symlink). */
static void untouched(const char *d, const char *name, bool refused) {
  char victim[160], link[160];
  snprintf(victim, sizeof victim, "%s/victim-%s", d, name);
  snprintf(link, sizeof link, "%s/%s", d, name);
  char *v = slurp(victim);
  cr_assert_str_eq(v, "precious\n", "%s was written through", name);
  free(v);
  struct stat st;
  cr_assert_eq(lstat(link, &st), 0, "%s", link);
  if (refused) cr_assert(S_ISLNK(st.st_mode), "%s", link);
  else cr_assert(S_ISREG(st.st_mode) && st.st_size > 0, "%s", link);
}

Test(untrusted, every_output_replaces_a_symlink_and_never_follows_it) {
  char *d = folder(), cmd[1024];
  const char *names[] = {"run.jsonl", "run.save", "batch.csv", "plot.svg",
                         "part.json", "merge.svg", "aar.html", "aar.md"};
  for (size_t i = 0; i < sizeof names / sizeof *names; i++) trap(d, names[i]);
  const char *steps[] = {
      "run tests/cli/timeline.lua --log %1$s/run.jsonl --save %1$s/run.save",
      "batch tests/cli/timeline.lua --runs 20 --jobs 1 --csv %1$s/batch.csv "
      "--plot %1$s/plot.svg",
      "batch tests/cli/timeline.lua --runs 20 --jobs 1 --shard 1/1 "
      "--out %1$s/part.json",
      "merge %1$s/part.json --plot %1$s/merge.svg",
      "report %1$s/run.jsonl -o %1$s/aar.html",
      "report %1$s/run.save -o %1$s/aar.md",
  };
  for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
    char args[512];
    snprintf(args, sizeof args, steps[i], d);
    snprintf(cmd, sizeof cmd, "%s %s", brink(), args);
    result r = shell(cmd);
    cr_assert_eq(r.status, 0, "%s: %s", args, r.err);
    done(r);
  }
  for (size_t i = 0; i < sizeof names / sizeof *names; i++)
    untouched(d, names[i], false);
  rmtree(d);
}

Test(untrusted, play_refuses_a_log_that_is_a_symlink) {
  char *d = folder(), cmd[1024];
  trap(d, "play.jsonl");
  snprintf(cmd, sizeof cmd, "printf '/quit\\n' | %s play tests/cli/"
           "timeline.lua --seat USA --log %s/play.jsonl", brink(), d);
  result r = shell(cmd);
  cr_assert_eq(r.status, 1, "%s", r.err);
  cr_assert(strstr(r.err, "play.jsonl: it is a symbolic link"), "%s", r.err);
  done(r);
  untouched(d, "play.jsonl", true);
  /* A FIFO is refused at once, not waited on. */
  snprintf(cmd, sizeof cmd, "mkfifo %s/fifo && printf '/quit\\n' | %s play "
           "tests/cli/timeline.lua --seat USA --log %s/fifo", d, brink(), d);
  r = shell(cmd);
  cr_assert_eq(r.status, 1, "%s", r.err);
  cr_assert(strstr(r.err, "fifo: "), "%s", r.err);
  done(r);
  rmtree(d);
}

/*
** Sets PATH (object keys by dots, or "log[N]" for a line of the log, given
** as the line's text) to the JSON text 'value', or deletes it when NULL.
*/
static void forge(json_t *root, const char *path, const char *value) {
  if (strncmp(path, "log[", 4) == 0) {
    size_t i = strtoul(path + 4, NULL, 10);
    json_t *log = json_object_get(root, "log");
    cr_assert(i < json_array_size(log));
    cr_assert_eq(json_array_set_new(log, i, json_string(value)), 0);
    return;
  }
  char p[200];
  snprintf(p, sizeof p, "%s", path);
  json_t *obj = root;
  char *key = p, *dot;
  while ((dot = strchr(key, '.')) != NULL) {
    *dot = '\0';
    obj = json_object_get(obj, key);
    cr_assert_not_null(obj, "%s", path);
    key = dot + 1;
  }
  if (value == NULL) {
    cr_assert_eq(json_object_del(obj, key), 0, "%s", path);
    return;
  }
  json_error_t je;
  json_t *v = json_loads(value, JSON_DECODE_ANY, &je);
  cr_assert_not_null(v, "%s: %s", value, je.text);
  json_object_set_new(obj, key, v);
}

Test(untrusted, a_forged_save_is_refused_naming_the_file_and_the_field) {
  char *d = folder(), cmd[1024], good[160], bad[160];
  snprintf(good, sizeof good, "%s/good.json", d);
  snprintf(bad, sizeof bad, "%s/bad.json", d);
  snprintf(cmd, sizeof cmd, "run tests/cli/timeline.lua --turns 3 --save %s",
           good);
  result r = run(cmd);
  cr_assert_eq(r.status, 0, "%s", r.err);
  done(r);
  struct {
    const char *path, *value, *says;
  } cases[] = {
      {"log", "[\"garbage\"]", "log[0]: not a record"},
      {"log", "[]", "log[0]: must be the start record"},
      {"log[2]", "{\"t\":\"turn\",\"turn\":1,\"date\":\"2019-10-02\"}",
       "log[2].date: 2019-10-02 is not the date of turn 1 (2019-10-01)"},
      {"log[2]", "{\"t\":\"turn\",\"turn\":99,\"date\":\"2019-10-01\"}",
       "log[2].turn: not a turn of the scenario"},
      {"log[2]", "{\"t\":\"coup\",\"turn\":1}", "log[2].t: not a kind of "
                                                "record"},
      {"log[2]", "{\"t\":\"turn\",\"turn\":1,\"date\":\"2019-10-01\","
                 "\"x\":1}", "log[2].x: not a field of log[2]"},
      {"log[3]", "{\"t\":\"move\",\"turn\":1,\"date\":\"2019-10-01\","
                 "\"actor\":\"CHN\",\"move\":\"summit\"}",
       "log[3].actor: 'CHN' is not in the scenario"},
      {"log[3]", "{\"t\":\"set\",\"turn\":1,\"var\":\"talks\",\"old\":20,"
                 "\"new\":500,\"cause\":\"x\"}",
       "log[3].new: not a value of that variable"},
      {"log[3]", "{\"t\":\"news\",\"turn\":1,\"date\":\"2019-10-01\"}",
       "log[3].text: missing"},
      {"log[3]", "{\"t\":\"news\",\"turn\":1,\"date\":\"2019-10-01\","
                 "\"text\":1e999}", "log[3]: not a record"},
      {"log[0]", "{\"t\":\"start\",\"scenario\":\"other\",\"seed\":11,"
                 "\"engine\":\"0.1.0\"}",
       "log[0].scenario: not the save's scenario"},
      {"log[0]", "{\"t\":\"start\",\"scenario\":\"golden\",\"seed\":12,"
                 "\"engine\":\"0.1.0\"}",
       "log[0].seed: not the setup's seed 11"},
      {"state.date", "\"2019-11-01\"", "state.date: 2019-11-01 is not the "
                                       "date of turn 4 (2020-01-01)"},
      {"state.date", NULL, "state.date: missing or not a date"},
      {"state.extra", "1", "state.extra: not a field of state"},
      {"extra", "{}", "extra: not a field of a save"},
      {"scenario.id", "\"other\"", "scenario.id: the save is of 'other'"},
      {"setup.seats", "[\"CHN\"]", "setup.seats[0]: 'CHN' is not an actor"},
      {"setup.policies", "{\"USA\":\"nope\"}", "setup.policies.USA:"},
      {"setup.sets", "[\"talks=high\"]", "setup.sets[0]:"},
      {"setup.turns", "-1", "setup.turns"},
      {"state.fired", "[\"deadline\",\"deadline\"]",
       "state.fired: 'deadline' twice"},
      {"state.schedule", "[{\"event\":\"exercise\",\"due\":5,\"seq\":0,"
                         "\"data\":\"{[\\\"scale\\\"]=1e999,}\"}]",
       "state.schedule[0].data: not event data written by brink"},
      {"state.schedule", "[{\"event\":\"exercise\",\"due\":5,\"seq\":7}]",
       "state.schedule[0].seq: 7 was never given out"},
      {"branches", "[{\"name\":\"b\",\"turn\":2,\"state\":null}]",
       "branches[0].state: missing or not an object"},
  };
  char *text = slurp(good);
  json_t *root = json_loads(text, 0, NULL);
  cr_assert_not_null(root);
  json_t *st = json_object_get(root, "state");
  /* A branch point whose turn is not its state's. */
  json_t *br = json_pack("[{s:s,s:i,s:O}]", "name", "b", "turn", 2, "state",
                         st);
  json_t *s = json_deep_copy(root);
  json_object_set_new(s, "branches", br);
  json_dump_file(s, bad, 0);
  snprintf(cmd, sizeof cmd, "run --resume %s --json", bad);
  r = run(cmd);
  cr_assert_eq(r.status, 1, "%s", r.err);
  cr_assert(strstr(r.err, "branches[0].turn: missing or not its state's "
                   "turn (4)"), "%s", r.err);
  done(r);
  json_decref(s);
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    s = json_deep_copy(root);
    forge(s, cases[i].path, cases[i].value);
    cr_assert_eq(json_dump_file(s, bad, JSON_INDENT(2)), 0);
    json_decref(s);
    snprintf(cmd, sizeof cmd, "run --resume %s --json", bad);
    r = run(cmd);
    cr_assert_eq(r.status, 1, "%s: exit %d: %s", cases[i].path, r.status,
                 r.err);
    char says[400];
    snprintf(says, sizeof says, "%s: %s", bad, cases[i].says);
    cr_assert(strstr(r.err, says), "%s: %s", cases[i].path, r.err);
    cr_assert(strstr(r.err, "(nothing was loaded)"), "%s", r.err);
    cr_assert_str_eq(r.out, "", "%s: nothing printed", cases[i].path);
    done(r);
  }
  json_decref(root);
  free(text);
  rmtree(d);
}
