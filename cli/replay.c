/*
** replay.c: brink replay LOG, which re-runs a log and checks that every line
** of it comes out again, byte for byte.
**
** The setup record says how the run began; the log's own move records of
** seated actors and its intervention records are fed back at the points
** they occurred, through the same session code brink play runs, and each
** line the replay makes is compared with the log's line at that place.  A
** log is untrusted: its lines are parsed with jansson, only known fields
** are read, a command is one of the facilitator's commands or nothing, and
** the first line that differs (or cannot be read) is named.
*/
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tabletop.h"

typedef struct replay {
  const char *path;
  strlist lines;
  size_t pos;            /* the next line to compare */
  bool differs;
  size_t at;             /* the line that differs, from 0 */
  char *got;             /* what the replay made there, or NULL */
  char *why;             /* or why it made nothing */
} replay;

static void differ(replay *r, size_t at, const char *got, const char *why) {
  if (r->differs) return;
  r->differs = true;
  r->at = at;
  r->got = got ? strdup(got) : NULL;
  r->why = why ? strdup(why) : NULL;
}

static void compare(session *s, const char *line) {
  replay *r = s->ud;
  if (r->differs) return;
  if (r->pos >= r->lines.n) {
    differ(r, r->pos, line, "the log ends here, the replay goes on");
    s->stop = true;
    return;
  }
  if (strcmp(line, r->lines.v[r->pos]) != 0) {
    differ(r, r->pos, line, NULL);
    s->stop = true;
    return;
  }
  r->pos++;
}

static const char *peek(session *s) {
  replay *r = s->ud;
  return r->pos < r->lines.n ? r->lines.v[r->pos] : NULL;
}

/* The log's line 'i' as a record with a kind, or NULL. */
static json_t *record_at(replay *r, size_t i, const char **kind) {
  *kind = NULL;
  if (i >= r->lines.n) return NULL;
  json_t *j = json_loads(r->lines.v[i], JSON_REJECT_DUPLICATES, NULL);
  json_t *t = j ? json_object_get(j, "t") : NULL;
  if (!json_is_string(t)) {
    json_decref(j);
    return NULL;
  }
  *kind = json_string_value(t);
  return j;
}

static int split_lines(const char *path, strlist *lines, char *err,
                       size_t cap) {
  size_t len;
  char *text = read_file(path, &len);
  if (text == NULL) {
    snprintf(err, cap, "cannot read it: %s", strerror(errno));
    return -1;
  }
  if (memchr(text, '\0', len)) {
    free(text);
    snprintf(err, cap, "not a log: it holds NUL bytes");
    return -1;
  }
  int rc = strlist_split(lines, text, len);
  free(text);
  if (rc) snprintf(err, cap, "out of memory");
  return rc;
}

static const char *const replay_help =
    "usage: brink replay LOG [--scenario FILE]... [options]\n"
    "\n"
    "Re-runs a JSON Lines log written by brink run or brink play (--json,\n"
    "--log) from its setup record, feeding the seats' choices and the\n"
    "facilitator's interventions back where they occurred, and compares\n"
    "every line it makes with the log.  The scenario is the file the setup\n"
    "record names, and it must have the same text (SHA-256) as then.\n"
    "\n"
    "  --scenario FILE       the scenario's text, if it moved or changed\n"
    "                        since (repeatable: a session that used /reload\n"
    "                        needs each text it loaded)\n"
    "  --max-instructions N, --max-memory SIZE, --max-seconds S\n"
    "                        the budgets the log was made with, if not the\n"
    "                        defaults\n"
    "\n"
    "exit status: 0 every line reproduced; 1 a line differs (named, with\n"
    "both versions), the log is damaged, or the scenario is not the same;\n"
    "2 usage error\n";

static const char *const replay_options[] = {
    "--scenario", "--max-instructions", "--max-memory", "--max-seconds",
    NULL};

/* The first of 'files' whose text has the given SHA-256. */
static const char *find_text(const char *const *files, int n,
                             const char *sha) {
  for (int i = 0; i < n; i++) {
    size_t len;
    char *text = read_file(files[i], &len), h[65];
    if (text == NULL) continue;
    brink__sha256_hex(text, len, h);
    free(text);
    if (strcmp(h, sha) == 0) return files[i];
  }
  return NULL;
}

/* Plays the log's choice for the awaiting seat, from its move record. */
static void choose(replay *r, session *s, json_t *rec) {
  brink_engine *e = s->e;
  int a = brink_awaiting(e), m, t = -1;
  const char *actor = json_string_value(json_object_get(rec, "actor"));
  const char *move = json_string_value(json_object_get(rec, "move"));
  json_t *target = json_object_get(rec, "target");
  char why[600];
  if (actor == NULL || strcmp(actor, brink_actor_id(e, a)) != 0 ||
      move == NULL || (target && !json_is_string(target))) {
    snprintf(why, sizeof why, "the log should have %s's choice here",
             brink_actor_id(e, a));
    differ(r, r->pos, NULL, why);
    return;
  }
  if (brink_move_find(e, move, &m) != BRINK_OK ||
      (target && brink_actor_find(e, json_string_value(target), &t) !=
                     BRINK_OK) ||
      brink_choose(e, m, t) != BRINK_OK) {
    snprintf(why, sizeof why, "the log's choice cannot be played: %s",
             brink_errmsg(e));
    differ(r, r->pos, NULL, why);
  }
}

static bool same_place(const brink_position *a, const brink_position *b) {
  return a->turn == b->turn && a->phase == b->phase && a->index == b->index &&
         a->moves_made == b->moves_made && a->awaiting == b->awaiting &&
         a->outcome == b->outcome;
}

/*
** Steps as brink play does until it would prompt, then takes the log's
** next line there: an intervention, the awaiting seat's choice, or (with no
** seats, at a turn's start) nothing, which is the facilitator's Enter.
*/
static void drive(replay *r, session *s) {
  bool failed = false;   /* the last step ended in a script error */
  while (!r->differs && !s->stop && r->pos < r->lines.n) {
    size_t before = r->pos;
    bool was_start = s->turn_start;
    brink_position pa = {.size = sizeof pa}, pb = {.size = sizeof pb};
    brink_position_get(s->e, &pa);
    const char *kind;
    json_t *rec = record_at(r, r->pos, &kind);
    brink_engine *e = s->e;
    if (failed && kind && strcmp(kind, "end") == 0 && !brink_outcome(e)) {
      /* brink run ends a run at a script error. */
      brink_finish(e, "error");
    } else if (!session_at_prompt(s)) {
      failed = session_step(s) < 0;
      if (s->stuck) differ(r, r->pos, NULL, brink_errmsg(e));
    } else if (kind && strcmp(kind, "intervention") == 0) {
      const char *cmd = json_string_value(json_object_get(rec, "command"));
      if (cmd && strncmp(cmd, "--resume ", 9) == 0) session_resumed(s, cmd);
      else if (cmd && cmd[0] == '/') session_command(s, cmd);
    } else if (brink_outcome(e)) {
      differ(r, r->pos, NULL, "the run has ended here, and the log goes on");
    } else if (brink_awaiting(e) >= 0) {
      if (kind && strcmp(kind, "move") == 0) {
        choose(r, s, rec);
      } else {
        char why[300];
        snprintf(why, sizeof why, "the log should have %s's choice here",
                 brink_actor_id(e, brink_awaiting(e)));
        differ(r, r->pos, NULL, why);
      }
    } else {
      s->turn_start = false;   /* no seats: the facilitator's Enter */
    }
    json_decref(rec);
    if (r->differs || s->stop) break;
    brink_position_get(s->e, &pb);
    if (r->pos == before && same_place(&pa, &pb) &&
        was_start == s->turn_start)
      differ(r, r->pos, NULL, kind ? "the replay makes no such line here"
                                   : "not a record (JSON with a \"t\")");
  }
}

int cmd_replay(int argc, char **argv) {
  if (argc < 2) return usage_error("replay", "which log? (brink replay LOG)");
  options o;
  int rc = parse_options("replay", argc, argv, replay_options, &o);
  if (rc < 0) {
    fputs(replay_help, stdout);
    return 0;
  }
  if (rc) return rc;
  /* parse_options keeps one positional argument; --scenario repeats. */
  const char *scenarios[MAX_PAIRS + 1];
  int nscen = 0;
  for (int i = 1; i < argc; i++) {
    const char *v = NULL;
    if (strcmp(argv[i], "--scenario") == 0 && i + 1 < argc) v = argv[++i];
    else if (strncmp(argv[i], "--scenario=", 11) == 0) v = argv[i] + 11;
    if (v && nscen < MAX_PAIRS) scenarios[nscen++] = v;
    else if (v) return usage_error("replay", "too many --scenario options");
  }
  replay r;
  memset(&r, 0, sizeof r);
  r.path = o.file;
  char err[600];
  if (split_lines(o.file, &r.lines, err, sizeof err)) {
    term_printf(stderr, "brink replay: %s: %s\n", o.file, err);
    strlist_free(&r.lines);
    return 1;
  }
  const char *kind;
  json_t *start = record_at(&r, 0, &kind);
  bool is_start = kind && strcmp(kind, "start") == 0;
  json_decref(start);
  json_t *rec = is_start ? record_at(&r, 1, &kind) : NULL;
  setup su;
  memset(&su, 0, sizeof su);
  rc = 1;
  brink_engine *e = NULL;
  session s;
  memset(&s, 0, sizeof s);
  if (!is_start) {
    term_printf(stderr, "brink replay: %s:1: not a brink log (it begins with a "
                "start record)\n", o.file);
    goto done;
  }
  if (rec == NULL || strcmp(kind, "setup") != 0) {
    term_printf(stderr, "brink replay: %s:2: no setup record: the log was not "
                "written by brink run or play %s, or was cut\n", o.file,
                BRINK_VERSION);
    goto done;
  }
  if (setup_parse(rec, &su, err, sizeof err) || su.file == NULL) {
    term_printf(stderr, "brink replay: %s:2: %s\n", o.file,
                su.file ? err : "setup.file: missing");
    goto done;
  }
  scenarios[nscen] = su.file;
  const char *file = find_text(scenarios, nscen + 1, su.sha256);
  if (file == NULL) {
    size_t len;
    char *text = read_file(su.file, &len), h[65];
    if (text) brink__sha256_hex(text, len, h);
    free(text);
    if (text)
      term_printf(stderr, "brink replay: %s:2: the scenario %s has "
                  "changed since "
                  "the log was written (its sha256 is %.16s..., the log's "
                  "%.16s...); give the text it was run with: --scenario FILE\n",
                  o.file, su.file, h, su.sha256);
    else
      term_printf(stderr, "brink replay: %s:2: cannot read the scenario %s: "
                  "%s; give it with --scenario FILE\n", o.file, su.file,
                  strerror(errno));
    goto done;
  }
  o.file = file;
  if (open_scenario(&o, &e)) goto done;
  if (session_init(&s, e, &su, &o.cfg)) goto done;
  s.replaying = true;
  s.on_line = compare;
  s.peek = peek;
  s.ud = &r;
  s.scenarios = scenarios;
  s.nscenarios = nscen + 1;
  if (session_configure(&s, "replay")) {
    term_printf(stderr, "brink replay: %s:2: the setup does not fit the "
                "scenario\n", r.path);
    goto done;
  }
  if (session_start(&s) == 0) drive(&r, &s);
  if (s.fatal) {
    term_printf(stderr, "brink replay: %s:%zu: %s\n", r.path, r.pos + 1,
                s.fatal);
  } else if (r.differs) {
    term_printf(stderr, "brink replay: %s:%zu: differs\n", r.path, r.at + 1);
    term_printf(stderr, "  log:    %s\n",
                r.at < r.lines.n ? r.lines.v[r.at] : "(the log has ended)");
    if (r.got) term_printf(stderr, "  replay: %s\n", r.got);
    if (r.why) term_printf(stderr, "  (%s)\n", r.why);
  } else if (r.pos < r.lines.n) {
    term_printf(stderr, "brink replay: %s:%zu: the replay stopped here\n",
                r.path, r.pos + 1);
  } else {
    term_printf(stdout, "%s: all %zu lines reproduced\n", r.path, r.lines.n);
    rc = 0;
  }
done:
  json_decref(rec);
  if (e) session_free(&s);
  brink_engine_close(s.e ? s.e : e);
  setup_free(&su);
  strlist_free(&r.lines);
  free(r.got);
  free(r.why);
  return rc;
}
