/*
** Untrusted text and untrusted files, through the brink command: control
** bytes never reach a terminal, markup never passes into Markdown or
** HTML, outputs never follow a symlink, and a forged save is refused
** whole, naming the file and the field.
*/
#define _DEFAULT_SOURCE   /* mkdtemp */
#include "cli_fixture.h"
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

Test(untrusted, terminal_output_holds_no_control_bytes) {
  result r = run("run tests/cli/hostile.lua");
  cr_assert_eq(r.status, 0, "%s", r.err);
  NO_CONTROL(r.out);
  NO_CONTROL(r.err);
  cr_assert(strstr(r.out, "\\x1b[2J"), "the escape is shown: %s", r.out);
  cr_assert(strstr(r.out, "\\u009b"), "C1 is shown: %s", r.out);
  done(r);
  r = run("run tests/cli/hostile.lua --json");
  /* JSON escapes C0 and DEL; C1 is text to it, and to a UTF-8 terminal. */
  cr_assert_eq(control_at(r.out, false), -1, "%s", r.out);
  done(r);
  r = run("batch tests/cli/hostile.lua --runs 20 --jobs 1");
  cr_assert_eq(r.status, 0, "%s", r.err);
  NO_CONTROL(r.out);
  done(r);
  char cmd[512];
  snprintf(cmd, sizeof cmd, "printf '1\\n1\\n1\\n/quit\\n' | %s play "
           "tests/cli/hostile.lua --seat A", brink());
  r = shell(cmd);
  cr_assert_eq(r.status, 0, "%s", r.err);
  cr_assert(strstr(r.out, "cleared"), "%s", r.out);
  NO_CONTROL(r.out);
  NO_CONTROL(r.err);
  done(r);
}

Test(untrusted, a_script_error_message_is_escaped_too) {
  char *d = folder(), path[128], cmd[256];
  snprintf(path, sizeof path, "%s/err.lua", d);
  spit(path, "scenario { id = \"e\", start = \"2019-10-01\", finish = "
       "\"2019-12-31\", turn = \"month\", default_outcome = \"q\" }\n"
       "actor \"A\" {}\nvar \"x\" { init = 0 }\n"
       "move \"m\" { by = \"A\", effect = function(w) "
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
                         "part.json", "merge.csv", "aar.html", "aar.md"};
  for (size_t i = 0; i < sizeof names / sizeof *names; i++) trap(d, names[i]);
  const char *steps[] = {
      "run tests/cli/timeline.lua --log %1$s/run.jsonl --save %1$s/run.save",
      "batch tests/cli/timeline.lua --runs 20 --jobs 1 --csv %1$s/batch.csv "
      "--plot %1$s/plot.svg",
      "batch tests/cli/timeline.lua --runs 20 --jobs 1 --shard 1/1 "
      "--out %1$s/part.json",
      "merge %1$s/part.json --csv %1$s/merge.csv",
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
