/*
** replay.c: verifying a log by re-running it, every line compared byte for
** byte with what the session makes again.
**
** The setup record says how the run began; the log's own move records of
** seated actors and its intervention records are fed back at the points
** they occurred, through the same session code brink play runs.  A log is
** untrusted: its lines are parsed with jansson, only known fields are
** read, a command is one of the facilitator's commands or nothing, and the
** first line that differs (or cannot be read) is named.
*/
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "session.h"

typedef struct replay {
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

/* An older brink wrote the session's own lines (state records) with 17
   digits where one now writes the shortest form of the same double. */
static bool same_but_reals(const char *line, const char *logged) {
  char *t = strdup(logged);
  if (t) json_shorten_reals(t);
  bool same = t && strcmp(line, t) == 0;
  free(t);
  return same;
}

static void compare(session *s, const char *line) {
  replay *r = s->ud;
  if (r->differs) return;
  if (r->pos >= r->lines.n) {
    differ(r, r->pos, line, "the log ends here, the replay goes on");
    s->stop = true;
    return;
  }
  const char *logged = r->lines.v[r->pos];
  if (strcmp(line, logged) != 0 && !same_but_reals(line, logged)) {
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
** A resume, as the log has it: the same text, or the text with its
** sha256 (a save resumed with another text, or migrated to a newer
** version), which must be among the files given.
*/
static void resumed(session *s, json_t *rec, const char *cmd) {
  json_t *sha = json_object_get(rec, "sha256");
  if (!json_is_string(sha)) {
    int v = scenario_version(s->e);
    session_resumed(s, cmd, NULL, v, v);
    return;
  }
  const char *path = file_with_sha(s->scenarios, s->nscenarios,
                                   json_string_value(sha));
  char msg[600];
  if (path == NULL)
    snprintf(msg, sizeof msg, "%s went on with a scenario text with sha256 "
             "%s, and no file given has it (add it with --scenario FILE)",
             cmd, json_string_value(sha));
  else if (session_resume_text(s, cmd, path))
    snprintf(msg, sizeof msg, "%s", s->refusal);
  else
    return;
  free(s->fatal);
  s->fatal = strdup(msg);
  s->stop = true;
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
      if (cmd && strncmp(cmd, "--resume ", 9) == 0) resumed(s, rec, cmd);
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


static void report(replay_report *out, size_t line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void report(replay_report *out, size_t line, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  out->line = line;
  free(out->message);
  out->message = vformat(fmt, ap);
  va_end(ap);
}

/* The engine of the log's scenario, or NULL with the reason reported. */
static brink_engine *open_text(const char *path, const brink_config *cfg,
                               replay_report *out) {
  brink_engine *e;
  if (brink_engine_open(&e, cfg) != BRINK_OK) {
    report(out, 2, "out of memory");
    return NULL;
  }
  if (brink_load_file(e, path) == BRINK_OK) return e;
  sbuf b = {0};
  int n = brink_diag_count(e);
  if (n == 0) sb_puts(&b, brink_errmsg(e));
  for (int i = 0; i < n; i++) {
    if (i) sb_puts(&b, "\n");
    sb_puts(&b, brink_diag_get(e, i));
  }
  report(out, 2, "%s", b.s && !b.bad ? b.s : "out of memory");
  free(b.s);
  brink_engine_close(e);
  return NULL;
}

int replay_verify(const char *text, size_t len, const char *const *files,
                  int nfiles, const brink_config *cfg, replay_report *out) {
  memset(out, 0, sizeof *out);
  out->status = 1;
  replay r;
  memset(&r, 0, sizeof r);
  if (memchr(text, '\0', len)) {
    report(out, 0, "not a log: it holds NUL bytes");
    return 1;
  }
  if (strlist_split(&r.lines, text, len)) {
    report(out, 0, "out of memory");
    strlist_free(&r.lines);
    return 1;
  }
  out->nlines = r.lines.n;
  const char *kind, **scenarios = calloc((size_t)nfiles + 1, sizeof *files);
  json_t *start = record_at(&r, 0, &kind);
  bool is_start = kind && strcmp(kind, "start") == 0;
  json_decref(start);
  json_t *rec = is_start ? record_at(&r, 1, &kind) : NULL;
  setup su;
  memset(&su, 0, sizeof su);
  brink_engine *e = NULL;
  session s;
  memset(&s, 0, sizeof s);
  char err[600];
  if (scenarios == NULL) {
    report(out, 0, "out of memory");
    goto done;
  }
  if (!is_start) {
    report(out, 1, "not a brink log (it begins with a start record)");
    goto done;
  }
  if (rec == NULL || strcmp(kind, "setup") != 0) {
    report(out, 2, "no setup record: the log was not written by brink run "
           "or play %s, or was cut", BRINK_VERSION);
    goto done;
  }
  if (setup_parse(rec, &su, err, sizeof err) || su.file == NULL) {
    report(out, 2, "%s", su.file ? err : "setup.file: missing");
    goto done;
  }
  for (int i = 0; i < nfiles; i++) scenarios[i] = files[i];
  scenarios[nfiles] = su.file;
  const char *file = file_with_sha(scenarios, nfiles + 1, su.sha256);
  if (file == NULL) {
    size_t n;
    char *t = read_file(su.file, &n), h[65];
    if (t) brink__sha256_hex(t, n, h);
    free(t);
    if (t)
      report(out, 2, "the scenario %s has changed since the log was written "
             "(its sha256 is %.16s..., the log's %.16s...); give the text "
             "it was run with: --scenario FILE", su.file, h, su.sha256);
    else
      report(out, 2, "cannot read the scenario %s: %s; give it with "
             "--scenario FILE", su.file, strerror(errno));
    goto done;
  }
  if ((e = open_text(file, cfg, out)) == NULL) goto done;
  if (session_init(&s, e, &su, cfg)) {
    report(out, 0, "out of memory");
    goto done;
  }
  s.replaying = true;
  s.on_line = compare;
  s.peek = peek;
  s.ud = &r;
  s.scenarios = scenarios;
  s.nscenarios = nfiles + 1;
  if (session_configure(&s, err, sizeof err)) {
    report(out, 2, "the setup does not fit the scenario: %s", err);
    goto done;
  }
  if (session_start(&s, err, sizeof err) == 0) drive(&r, &s);
  if (s.fatal) {
    report(out, r.pos + 1, "%s", s.fatal);
  } else if (r.differs) {
    report(out, r.at + 1, "differs");
    out->log_line = r.at < r.lines.n ? strdup(r.lines.v[r.at]) : NULL;
    out->got = r.got;
    out->why = r.why;
    r.got = r.why = NULL;
  } else if (r.pos < r.lines.n) {
    report(out, r.pos + 1, "the replay stopped here");
  } else {
    out->status = 0;
  }
done:
  json_decref(rec);
  if (e) session_free(&s);
  brink_engine_close(s.e ? s.e : e);
  setup_free(&su);
  strlist_free(&r.lines);
  free(r.got);
  free(r.why);
  free(scenarios);
  return out->status;
}

void replay_report_free(replay_report *r) {
  free(r->message);
  free(r->log_line);
  free(r->got);
  free(r->why);
  memset(r, 0, sizeof *r);
}
