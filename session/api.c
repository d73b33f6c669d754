/*
** api.c: brink_session.h, the public face of the session layer.
**
** A brink_session wraps the session brink play runs, so that a host gets
** exactly what play does: the same log, the same commands, the same saves.
** The facilitator's typed calls are written as the command a person would
** type, because the log records commands as text and a replay feeds that
** text back: one path, whoever calls.
*/
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "brink_session.h"
#include "session.h"

struct brink_session {
  session s;              /* s.e is NULL until the session starts */
  brink_engine *e;        /* the engine before the start */
  brink_config cfg;
  setup su;               /* collected before the start */
  char *file;             /* the scenario's path or name */
  bool loaded, started;
  bool changed;           /* the last command changed the world */
  int jobs;               /* /forecast's threads, 0: one per CPU */
  char *err;
  brink_text_fn line_fn, say_fn;
  void *line_ud, *say_ud;
  brink_report_fn report_fn;
  void *report_ud;
};

static int set_err(brink_session *bs, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int set_err(brink_session *bs, int status, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  free(bs->err);
  bs->err = vformat(fmt, ap);
  va_end(ap);
  return status;
}

static void clear_err(brink_session *bs) {
  free(bs->err);
  bs->err = NULL;
  bs->s.refusal[0] = '\0';
}

static brink_engine *engine_of(const brink_session *bs) {
  return bs->started ? bs->s.e : bs->e;
}

int brink_session_open(brink_session **out, const brink_config *cfg) {
  *out = NULL;
  brink_session *bs = calloc(1, sizeof *bs);
  if (bs == NULL) return BRINK_ENOMEM;
  if (cfg) bs->cfg = *cfg;
  else brink_config_init(&bs->cfg);
  int rc = brink_engine_open(&bs->e, &bs->cfg);
  if (rc != BRINK_OK) {
    free(bs);
    return rc;
  }
  *out = bs;
  return BRINK_OK;
}

void brink_session_close(brink_session *bs) {
  if (bs == NULL) return;
  brink_engine *e = engine_of(bs);
  if (bs->started) session_free(&bs->s);
  brink_engine_close(e);
  setup_free(&bs->su);
  free(bs->file);
  free(bs->err);
  free(bs);
}

const char *brink_session_errmsg(const brink_session *bs) {
  if (bs == NULL) return "out of memory";
  if (bs->err) return bs->err;
  return brink_errmsg(engine_of(bs));
}

brink_engine *brink_session_engine(brink_session *bs) {
  return engine_of(bs);
}

static int after_load(brink_session *bs, int rc, const char *file) {
  if (rc != BRINK_OK) return rc;
  bs->loaded = true;
  bs->file = strdup(file);
  if (bs->file == NULL) return set_err(bs, BRINK_ENOMEM, "out of memory");
  return BRINK_OK;
}

int brink_session_load_file(brink_session *bs, const char *path) {
  if (path == NULL) return set_err(bs, BRINK_EINVAL, "path is NULL");
  clear_err(bs);
  if (bs->loaded) return set_err(bs, BRINK_ESTATE, "a scenario is loaded");
  return after_load(bs, brink_load_file(bs->e, path), path);
}

int brink_session_load_string(brink_session *bs, const char *name,
                              const char *text, size_t len) {
  if (name == NULL) return set_err(bs, BRINK_EINVAL, "name is NULL");
  if (text == NULL) return set_err(bs, BRINK_EINVAL, "text is NULL");
  clear_err(bs);
  if (bs->loaded) return set_err(bs, BRINK_ESTATE, "a scenario is loaded");
  return after_load(bs, brink_load_string(bs->e, name, text, len), name);
}

static int started(brink_session *bs) {
  clear_err(bs);
  if (!bs->started) return set_err(bs, BRINK_ESTATE, "the session has not "
                                   "started");
  return BRINK_OK;
}

/* Setup calls are checked now, so a typo fails where it was made. */
static int before_start(brink_session *bs) {
  clear_err(bs);
  if (!bs->loaded) return set_err(bs, BRINK_ESTATE, "no scenario is loaded");
  if (bs->started) return set_err(bs, BRINK_ESTATE, "the session has started");
  return BRINK_OK;
}

static int push(brink_session *bs, strlist *l, const char *a, const char *b) {
  size_t n = strlen(a) + (b ? strlen(b) + 1 : 0) + 1;
  char *t = malloc(n);
  if (t == NULL) return set_err(bs, BRINK_ENOMEM, "out of memory");
  snprintf(t, n, "%s%s%s", a, b ? "=" : "", b ? b : "");
  int rc = strlist_push(l, t);
  free(t);
  return rc ? set_err(bs, BRINK_ENOMEM, "out of memory") : BRINK_OK;
}

static bool has_policy(const brink_session *bs, const char *actor) {
  size_t n = strlen(actor);
  for (size_t i = 0; i < bs->su.policies.n; i++)
    if (strncmp(bs->su.policies.v[i], actor, n) == 0 &&
        bs->su.policies.v[i][n] == '=')
      return true;
  return false;
}

int brink_session_seat(brink_session *bs, const char *actor) {
  if (actor == NULL) return set_err(bs, BRINK_EINVAL, "actor is NULL");
  int rc = before_start(bs), a;
  if (rc) return rc;
  if ((rc = brink_actor_find(bs->e, actor, &a)) != BRINK_OK) return rc;
  for (size_t i = 0; i < bs->su.seats.n; i++)
    if (strcmp(bs->su.seats.v[i], actor) == 0)
      return set_err(bs, BRINK_EEXIST, "%s has a seat already", actor);
  if (has_policy(bs, actor))
    return set_err(bs, BRINK_EEXIST, "%s plays by a policy", actor);
  return push(bs, &bs->su.seats, actor, NULL);
}

int brink_session_policy(brink_session *bs, const char *actor,
                         const char *policy) {
  if (actor == NULL) return set_err(bs, BRINK_EINVAL, "actor is NULL");
  if (policy == NULL) return set_err(bs, BRINK_EINVAL, "policy is NULL");
  int rc = before_start(bs), a;
  if (rc) return rc;
  if ((rc = brink_actor_find(bs->e, actor, &a)) != BRINK_OK ||
      (rc = brink_policy_assign(bs->e, a, policy)) != BRINK_OK)
    return rc;
  for (size_t i = 0; i < bs->su.seats.n; i++)
    if (strcmp(bs->su.seats.v[i], actor) == 0)
      return set_err(bs, BRINK_EEXIST, "%s has a seat", actor);
  if (has_policy(bs, actor))
    return set_err(bs, BRINK_EEXIST, "%s has a policy already", actor);
  return push(bs, &bs->su.policies, actor, policy);
}

int brink_session_preset(brink_session *bs, const char *var,
                         const char *value) {
  if (var == NULL) return set_err(bs, BRINK_EINVAL, "var is NULL");
  if (value == NULL) return set_err(bs, BRINK_EINVAL, "value is NULL");
  int rc = before_start(bs), v;
  if (rc) return rc;
  if ((rc = brink_var_find(bs->e, var, &v)) != BRINK_OK) return rc;
  return push(bs, &bs->su.sets, var, value);
}

int brink_session_turn_limit(brink_session *bs, int turns) {
  int rc = before_start(bs);
  if (rc) return rc;
  if (turns < 0) return set_err(bs, BRINK_ERANGE, "turns: %d", turns);
  bs->su.turns = turns;
  return BRINK_OK;
}

static void on_line(session *s, const char *line) {
  brink_session *bs = (brink_session *)s;
  if (bs->line_fn) bs->line_fn(bs->line_ud, line);
}

static int on_report(session *s, const char *path, char *err, size_t cap) {
  brink_session *bs = (brink_session *)s;
  const char *why = bs->report_fn(bs->report_ud, bs, path);
  if (why) snprintf(err, cap, "%s", why);
  return why != NULL;
}

static void on_say(void *ud, const char *text) {
  brink_session *bs = ud;
  if (bs->say_fn) bs->say_fn(bs->say_ud, text);
}

/* The session proper, from bs->su (seed, file and digest filled in). */
static int begin(brink_session *bs) {
  char err[600];
  if (session_init(&bs->s, bs->e, &bs->su, &bs->cfg)) {
    session_free(&bs->s);
    return set_err(bs, BRINK_ENOMEM, "out of memory");
  }
  bs->started = true;
  bs->s.on_line = on_line;
  bs->s.say = on_say;
  bs->s.say_ud = bs;
  bs->s.jobs = bs->jobs;
  if (bs->report_fn) bs->s.report = on_report;
  if (session_configure(&bs->s, err, sizeof err))
    return set_err(bs, BRINK_EINVAL, "%s", err);
  return BRINK_OK;
}

static void banner(brink_session *bs) {
  session *s = &bs->s;
  brink_engine *e = s->e;
  const char *title = brink_scenario_field(e, "title");
  const char *id = brink_scenario_field(e, "id");
  session_say_fmt(s, "%s%s%s%s, seed %llu: a tabletop exercise\n",
                  *title ? title : id, *title ? " (" : "", *title ? id : "",
                  *title ? ")" : "", (unsigned long long)s->setup.seed);
  if (s->setup.seats.n == 0)
    session_say(s, "No seats: every actor plays by the AI or a policy, and "
                "the facilitator steps through the turns.\n");
  for (size_t i = 0; i < s->setup.seats.n; i++) {
    int a;
    brink_actor_find(e, s->setup.seats.v[i], &a);
    session_say_fmt(s, "%s %s (%s)", i ? "," : "Seats:", s->setup.seats.v[i],
                    brink_actor_name(e, a));
  }
  if (s->setup.seats.n) session_say(s, ".\n");
  session_say(s, "/help lists the facilitator's commands.\n");
}

static int in_session_start(brink_session *bs, uint64_t seed) {
  int rc = before_start(bs);
  if (rc) return rc;
  size_t len;
  const char *text = brink_scenario_text(bs->e, &len);
  brink__sha256_hex(text ? text : "", text ? len : 0, bs->su.sha256);
  bs->su.seed = seed;
  free(bs->su.file);
  if ((bs->su.file = strdup(bs->file)) == NULL)
    return set_err(bs, BRINK_ENOMEM, "out of memory");
  if ((rc = begin(bs)) != BRINK_OK) return rc;
  char err[600];
  rc = session_start(&bs->s, err, sizeof err);
  if (rc == 2) return set_err(bs, BRINK_EINVAL, "%s", err);
  if (rc) return set_err(bs, BRINK_ESTATE, "%s", brink_errmsg(bs->s.e));
  banner(bs);
  return BRINK_OK;
}

static int resume_from(brink_session *bs, const char *text, size_t len,
                       int force, const char *from) {
  int rc = before_start(bs);
  if (rc) return rc;
  if (bs->su.seats.n || bs->su.policies.n || bs->su.sets.n || bs->su.turns)
    return set_err(bs, BRINK_ESTATE, "a resumed session takes its setup "
                   "from the save");
  loaded l;
  char err[600];
  if (save_load_text(text, len, bs->e, force != 0, &l, err, sizeof err))
    return set_err(bs, BRINK_EFORMAT, "%s", err);
  setup_free(&bs->su);
  bs->su = l.setup;
  memset(&l.setup, 0, sizeof l.setup);
  free(bs->su.file);
  bs->su.file = strdup(bs->file);
  rc = bs->su.file ? begin(bs) : set_err(bs, BRINK_ENOMEM, "out of memory");
  if (rc == BRINK_OK && session_resume(&bs->s, &l, from))
    rc = set_err(bs, BRINK_EFORMAT, "%s", bs->s.refusal[0] ? bs->s.refusal
                                                            : "cannot resume");
  if (rc == BRINK_OK) {
    banner(bs);
    session_notes(&bs->s, &l.notes);
    char what[4200];
    snprintf(what, sizeof what, "Resumed from %s", from);
    session_where(&bs->s, what);
  }
  loaded_free(&l);
  return rc;
}

static int in_session_resume(brink_session *bs, const void *save, size_t len,
                         int force) {
  if (save == NULL) return set_err(bs, BRINK_EINVAL, "save is NULL");
  /* The save is text for jansson: one NUL-terminated copy. */
  char *text = malloc(len + 1);
  if (text == NULL) return set_err(bs, BRINK_ENOMEM, "out of memory");
  memcpy(text, save, len);
  text[len] = '\0';
  int rc = resume_from(bs, text, len, force, "(memory)");
  free(text);
  return rc;
}

static int in_session_resume_file(brink_session *bs, const char *path,
                              int force) {
  if (path == NULL) return set_err(bs, BRINK_EINVAL, "path is NULL");
  size_t len;
  char *text = read_file(path, &len);
  if (text == NULL)
    return set_err(bs, BRINK_EIO, "%s: cannot read it", path);
  int rc = resume_from(bs, text, len, force, path);
  free(text);
  return rc;
}

int brink_session_on_line(brink_session *bs, brink_text_fn fn, void *ud) {
  bs->line_fn = fn;
  bs->line_ud = ud;
  return BRINK_OK;
}

int brink_session_on_say(brink_session *bs, brink_text_fn fn, void *ud) {
  bs->say_fn = fn;
  bs->say_ud = ud;
  return BRINK_OK;
}

int brink_session_on_report(brink_session *bs, brink_report_fn fn,
                            void *ud) {
  bs->report_fn = fn;
  bs->report_ud = ud;
  if (bs->started) bs->s.report = fn ? on_report : NULL;
  return BRINK_OK;
}


static int in_session_show(brink_session *bs, int what) {
  int rc = started(bs);
  if (rc) return rc;
  switch (what) {
  case BRINK_SHOW_BANNER: banner(bs); return BRINK_OK;
  case BRINK_SHOW_SEAT: session_show_seat(&bs->s); return BRINK_OK;
  case BRINK_SHOW_MOVES:
    if (brink_awaiting(bs->s.e) < 0)
      return set_err(bs, BRINK_ESTATE, "no seat is to move");
    session_show_moves(&bs->s, brink_awaiting(bs->s.e));
    return BRINK_OK;
  default: return set_err(bs, BRINK_EINVAL, "nothing to show as %d", what);
  }
}

int brink_session_changed(const brink_session *bs) { return bs->changed; }

int brink_session_over(const brink_session *bs) {
  if (!bs->started) return 0;
  return bs->s.stuck ? 2 : bs->s.quit ? 1 : 0;
}

/* Where play waits for someone: a seat, the end, or a turn's start. */
static int prompt_status(session *s) {
  if (brink_outcome(s->e)) return BRINK_DONE;
  if (brink_held(s->e)) return BRINK_HELD;
  if (brink_awaiting(s->e) >= 0) return BRINK_AWAIT;
  return BRINK_OK;
}

/*
** Plays on to the next prompt, as brink play does between inputs: a
** replay feeds a log's answers and commands back only at prompts, so a
** host's must come there too.  Script errors are records; play goes on.
*/
static int to_prompt(brink_session *bs) {
  session *s = &bs->s;
  while (!session_at_prompt(s)) {
    int rc = session_step(s);
    if (s->stuck)
      return set_err(bs, rc < 0 ? rc : BRINK_ESTATE, "the run cannot go "
                     "on: %s", brink_errmsg(s->e));
  }
  return prompt_status(s);
}

static int in_session_prompt(brink_session *bs) {
  int rc = started(bs);
  return rc ? rc : to_prompt(bs);
}

static int in_session_step(brink_session *bs) {
  int rc = started(bs);
  if (rc) return rc;
  session *s = &bs->s;
  if (session_at_prompt(s) && prompt_status(s) != BRINK_OK)
    return prompt_status(s);
  s->turn_start = false;   /* the facilitator's Enter: play the turn */
  return to_prompt(bs);
}

/* What the session refused (session_refuse), as the message. */
static int refused(brink_session *bs) {
  return bs->s.refusal[0]
             ? set_err(bs, BRINK_EINVAL, "%s", bs->s.refusal)
             : BRINK_OK;
}

static int in_session_answer(brink_session *bs, const char *answer) {
  if (answer == NULL) return set_err(bs, BRINK_EINVAL, "answer is NULL");
  int rc = started(bs);
  if (rc || (rc = to_prompt(bs)) < 0) return rc;
  if (brink_held(bs->s.e))
    return set_err(bs, BRINK_ESTATE, "the turn is held by the facilitator");
  if (brink_awaiting(bs->s.e) < 0)
    return set_err(bs, BRINK_ESTATE, "no seat is to move");
  if (session_answer(&bs->s, answer) == 0) return to_prompt(bs);
  rc = refused(bs);
  return rc ? rc : set_err(bs, BRINK_EINVAL, "not a move: '%s'", answer);
}

static int in_session_command(brink_session *bs, const char *command) {
  if (command == NULL) return set_err(bs, BRINK_EINVAL, "command is NULL");
  int rc = started(bs);
  if (rc || (rc = to_prompt(bs)) < 0) return rc;
  int done = session_command(&bs->s, command);
  bs->changed = done > 0;
  if (done < 0 && !bs->s.refusal[0])
    return set_err(bs, BRINK_EINVAL, "not a command: '%s'", command);
  return refused(bs);
}

/* The command "/WORD ARGS...", written as a person would type it. */
static int command(brink_session *bs, const char *word, const char *a,
                   const char *b) {
  sbuf t = {0};
  sb_puts(&t, word);
  if (a) {
    sb_puts(&t, " ");
    sb_puts(&t, a);
  }
  if (b) {
    sb_puts(&t, " ");
    sb_puts(&t, b);
  }
  int rc = t.bad ? set_err(bs, BRINK_ENOMEM, "out of memory")
                 : brink_session_command(bs, t.s);
  free(t.s);
  return rc;
}

int brink_session_set(brink_session *bs, const char *var, const char *value) {
  if (var == NULL) return set_err(bs, BRINK_EINVAL, "var is NULL");
  if (value == NULL) return set_err(bs, BRINK_EINVAL, "value is NULL");
  return command(bs, "/set", var, value);
}

int brink_session_news(brink_session *bs, const char *text) {
  if (text == NULL) return set_err(bs, BRINK_EINVAL, "text is NULL");
  return command(bs, "/news", text, NULL);
}

int brink_session_fire(brink_session *bs, const char *name, const char *json) {
  if (name == NULL) return set_err(bs, BRINK_EINVAL, "name is NULL");
  return command(bs, "/fire", name, json);
}

static int in_session_odds(brink_session *bs, const char *move, double p) {
  if (move == NULL) return set_err(bs, BRINK_EINVAL, "move is NULL");
  char t[40];
  if (p < 0) snprintf(t, sizeof t, "off");
  else if (!(p <= 1)) return set_err(bs, BRINK_ERANGE, "p: %g", p);
  else snprintf(t, sizeof t, "%.17g", p);
  return command(bs, "/odds", move, t);
}

int brink_session_undo(brink_session *bs, int turns) {
  char t[24];
  snprintf(t, sizeof t, "%d", turns);
  return command(bs, "/undo", t, NULL);
}

int brink_session_branch(brink_session *bs, const char *name) {
  if (name == NULL) return set_err(bs, BRINK_EINVAL, "name is NULL");
  return command(bs, "/branch", name, NULL);
}

int brink_session_hold(brink_session *bs, int on) {
  return command(bs, on ? "/hold" : "/release", NULL, NULL);
}

int brink_session_reload(brink_session *bs) {
  return command(bs, "/reload", NULL, NULL);
}

int brink_session_load(brink_session *bs, const char *path, int force) {
  if (path == NULL) return set_err(bs, BRINK_EINVAL, "path is NULL");
  return command(bs, "/load", force ? "--force" : path, force ? path : NULL);
}

static void collect(void *ud, const char *text) { sb_puts(ud, text); }

/*
** The command "/WORD A B" with what it says collected into *text (a
** buffer of the library's) and then said through on_say as usual.
*/
static int said(brink_session *bs, const char *word, const char *a,
                const char *b_, char **text) {
  if (text == NULL) return set_err(bs, BRINK_EINVAL, "text is NULL");
  *text = NULL;
  sbuf b = {0};
  brink_text_fn fn = bs->say_fn;
  void *ud = bs->say_ud;
  bs->say_fn = collect;
  bs->say_ud = &b;
  int rc = command(bs, word, a, b_);
  bs->say_fn = fn;
  bs->say_ud = ud;
  if (b.s && fn) fn(ud, b.s);
  if (rc == BRINK_OK &&
      (b.bad || (*text = brink__buffer_dup(engine_of(bs), b.s ? b.s : "",
                                           b.s ? b.n : 0)) == NULL))
    rc = set_err(bs, BRINK_ENOMEM, "out of memory");
  free(b.s);
  return rc;
}

static int in_session_why(brink_session *bs, const char *name, char **text) {
  if (name == NULL) return set_err(bs, BRINK_EINVAL, "name is NULL");
  return said(bs, "/why", name, NULL, text);
}

static int in_session_forecast(brink_session *bs, int runs, char **text) {
  if (runs < 0) return set_err(bs, BRINK_ERANGE, "runs: 0 (500) or more");
  char n[24];
  snprintf(n, sizeof n, "%d", runs ? runs : 500);
  return said(bs, "/forecast", n, NULL, text);
}

static int in_session_preview(brink_session *bs, const char *move,
                              const char *target, int runs, char **text) {
  if (move == NULL) return set_err(bs, BRINK_EINVAL, "move is NULL");
  if (runs < 0) return set_err(bs, BRINK_ERANGE, "runs: 0 (500) or more");
  /* One word each: the command line is split at spaces. */
  if (!*move || strpbrk(move, " \t") ||
      (target && (!*target || strpbrk(target, " \t"))))
    return set_err(bs, BRINK_EINVAL, "a move or target name is one word");
  char args[300], n[24];
  snprintf(n, sizeof n, "%d", runs ? runs : 500);
  snprintf(args, sizeof args, "%s%s%s", move, target ? " " : "",
           target ? target : "");
  return said(bs, "/preview", args, n, text);
}

static int in_session_save(brink_session *bs, void **out, size_t *len) {
  if (out == NULL) return set_err(bs, BRINK_EINVAL, "out is NULL");
  if (len == NULL) return set_err(bs, BRINK_EINVAL, "len is NULL");
  *out = NULL;
  *len = 0;
  int rc = started(bs);
  if (rc) return rc;
  char err[600];
  session *s = &bs->s;
  char *text = save_text(s->e, &s->setup, s->branches, s->nbranches, &s->log,
                         len, err, sizeof err);
  if (text == NULL) return set_err(bs, BRINK_ENOMEM, "%s", err);
  *out = brink__buffer_dup(s->e, text, *len);
  free(text);
  if (*out == NULL) {
    *len = 0;
    return set_err(bs, BRINK_ENOMEM, "out of memory");
  }
  return BRINK_OK;
}

static int in_session_save_file(brink_session *bs, const char *path) {
  if (path == NULL) return set_err(bs, BRINK_EINVAL, "path is NULL");
  int rc = started(bs);
  if (rc) return rc;
  char err[600];
  session *s = &bs->s;
  if (save_write(path, s->e, &s->setup, s->branches, s->nbranches, &s->log,
                 err, sizeof err))
    return set_err(bs, BRINK_EIO, "cannot save to %s: %s", path, err);
  return BRINK_OK;
}

size_t brink_session_log_count(const brink_session *bs) {
  return bs->started ? bs->s.log.n : 0;
}

const char *brink_session_log_line(const brink_session *bs, size_t i) {
  return bs->started && i < bs->s.log.n ? bs->s.log.v[i] : NULL;
}

static int in_log_verify(const char *log, size_t len,
                     const char *const *scenarios, int nscenarios,
                     const brink_config *cfg, size_t *line, char **message) {
  if (line) *line = 0;
  if (message) *message = NULL;
  brink_config defaults;
  if (cfg == NULL) {
    brink_config_init(&defaults);
    cfg = &defaults;
  }
  replay_report r;
  int rc = replay_verify(log, len, scenarios, nscenarios, cfg, &r);
  if (rc == 0) {
    replay_report_free(&r);
    return BRINK_OK;
  }
  if (line) *line = r.line;
  if (message) {
    sbuf b = {0};
    sb_puts(&b, r.message ? r.message : "out of memory");
    if (r.log_line) {
      sb_puts(&b, "\n  log:    ");
      sb_puts(&b, r.log_line);
    }
    if (r.got) {
      sb_puts(&b, "\n  replay: ");
      sb_puts(&b, r.got);
    }
    if (r.why) {
      sb_puts(&b, "\n  (");
      sb_puts(&b, r.why);
      sb_puts(&b, ")");
    }
    *message = b.bad ? NULL : brink__buffer_dup(NULL, b.s, b.n);
    free(b.s);
  }
  replay_report_free(&r);
  return BRINK_EFORMAT;
}

/* The public calls that format or parse numbers, or run commands, do it
   in the C locale whatever the host set (c_locale_enter). */

int brink_session_start(brink_session *bs, uint64_t seed) {
  locale_t old = c_locale_enter();
  int rc = in_session_start(bs, seed);
  c_locale_leave(old);
  return rc;
}

int brink_session_resume(brink_session *bs, const void *save, size_t len,
                         int force) {
  locale_t old = c_locale_enter();
  int rc = in_session_resume(bs, save, len, force);
  c_locale_leave(old);
  return rc;
}

int brink_session_resume_file(brink_session *bs, const char *path,
                              int force) {
  locale_t old = c_locale_enter();
  int rc = in_session_resume_file(bs, path, force);
  c_locale_leave(old);
  return rc;
}

int brink_session_step(brink_session *bs) {
  locale_t old = c_locale_enter();
  int rc = in_session_step(bs);
  c_locale_leave(old);
  return rc;
}

int brink_session_prompt(brink_session *bs) {
  locale_t old = c_locale_enter();
  int rc = in_session_prompt(bs);
  c_locale_leave(old);
  return rc;
}

int brink_session_answer(brink_session *bs, const char *answer) {
  locale_t old = c_locale_enter();
  int rc = in_session_answer(bs, answer);
  c_locale_leave(old);
  return rc;
}

int brink_session_command(brink_session *bs, const char *command) {
  locale_t old = c_locale_enter();
  int rc = in_session_command(bs, command);
  c_locale_leave(old);
  return rc;
}

int brink_session_odds(brink_session *bs, const char *move, double p) {
  locale_t old = c_locale_enter();
  int rc = in_session_odds(bs, move, p);
  c_locale_leave(old);
  return rc;
}

int brink_session_show(brink_session *bs, int what) {
  locale_t old = c_locale_enter();
  int rc = in_session_show(bs, what);
  c_locale_leave(old);
  return rc;
}

int brink_session_save(brink_session *bs, void **out, size_t *len) {
  locale_t old = c_locale_enter();
  int rc = in_session_save(bs, out, len);
  c_locale_leave(old);
  return rc;
}

int brink_session_save_file(brink_session *bs, const char *path) {
  locale_t old = c_locale_enter();
  int rc = in_session_save_file(bs, path);
  c_locale_leave(old);
  return rc;
}

static int in_session_view(brink_session *bs, int actor, char **json,
                           size_t *len) {
  if (json == NULL) return set_err(bs, BRINK_EINVAL, "json is NULL");
  *json = NULL;
  if (len) *len = 0;
  int rc = started(bs);
  if (rc) return rc;
  if (actor < BRINK_VIEW_PUBLIC || actor >= brink_actor_count(bs->s.e))
    return set_err(bs, BRINK_EINVAL, "no actor has number %d", actor);
  json_t *v = session_view(&bs->s, actor);
  char *text = json_text(v, JSON_COMPACT | JSON_ENSURE_ASCII);
  json_decref(v);
  if (text == NULL) return set_err(bs, BRINK_ENOMEM, "out of memory");
  /* jansson's memory is not brink_buffer_free's: hand over a copy. */
  size_t n = strlen(text);
  *json = brink__buffer_dup(bs->s.e, text, n);
  free(text);
  if (*json == NULL) return set_err(bs, BRINK_ENOMEM, "out of memory");
  if (len) *len = n;
  return BRINK_OK;
}

int brink_session_view(brink_session *bs, int actor, char **json,
                       size_t *len) {
  locale_t old = c_locale_enter();
  int rc = in_session_view(bs, actor, json, len);
  c_locale_leave(old);
  return rc;
}

int brink_session_why(brink_session *bs, const char *name, char **text) {
  locale_t old = c_locale_enter();
  int rc = in_session_why(bs, name, text);
  c_locale_leave(old);
  return rc;
}

int brink_session_forecast(brink_session *bs, int runs, char **text) {
  locale_t old = c_locale_enter();
  int rc = in_session_forecast(bs, runs, text);
  c_locale_leave(old);
  return rc;
}

int brink_session_preview(brink_session *bs, const char *move,
                          const char *target, int runs, char **text) {
  locale_t old = c_locale_enter();
  int rc = in_session_preview(bs, move, target, runs, text);
  c_locale_leave(old);
  return rc;
}

int brink_session_jobs(brink_session *bs, int jobs) {
  clear_err(bs);
  if (jobs < 0 || jobs > 1024)
    return set_err(bs, BRINK_ERANGE, "jobs: 0 (one per CPU) to 1024");
  bs->jobs = jobs;
  if (bs->started) bs->s.jobs = jobs;
  return BRINK_OK;
}

int brink_log_verify(const char *log, size_t len,
                     const char *const *scenarios, int nscenarios,
                     const brink_config *cfg, size_t *line, char **message) {
  locale_t old = c_locale_enter();
  int rc = in_log_verify(log, len, scenarios, nscenarios, cfg, line, message);
  c_locale_leave(old);
  return rc;
}
