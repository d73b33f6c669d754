/*
** session.c: the session that brink play, brink replay and every host of
** brink_session.h run: the log, undo and branch points, setup and start,
** steps, and what a seat sees and answers.
**
** Everything that changes the world goes through the session and leaves a
** line in its log: the engine's records, the setup record, an
** "intervention" record for each facilitator command (written before the
** records it causes) and a "state" record after each jump (/undo, /branch,
** /load, /reload, --resume) so that a reader of the log knows where the
** world went.  brink replay runs the same session code from a log and
** compares every line it makes, so anything play does is replayable by
** construction.
*/
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "session.h"

#define MAX_UNDO 500   /* turn-start snapshots kept for /undo */

/* 'fmt' with the scenario's strings in it shown, never obeyed. */
static char *escaped(const char *fmt, va_list ap) {
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  if (f == NULL) return NULL;
  term_vprintf(f, fmt, ap);
  if (fclose(f) == 0) return text;
  free(text);
  return NULL;
}

/* Text for the people at the table goes to the client's say(). */
void session_say_fmt(session *s, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *text = escaped(fmt, ap);
  va_end(ap);
  if (text && s->say) s->say(s->say_ud, text);
  free(text);
}

void session_refuse(session *s, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *text = escaped(fmt, ap);
  va_end(ap);
  snprintf(s->refusal, sizeof s->refusal, "%s", text ? text : "out of memory");
  session_say_fmt(s, "! %s\n", s->refusal);
  free(text);
}

void session_say(session *s, const char *text) {
  if (s->say) s->say(s->say_ud, text);
}


/* "Dec 2019" for monthly and longer turns, else "2019-12-01". */
void session_when(brink_engine *e, int turn, char *buf, size_t cap) {
  int32_t d = brink_turn_date(e, turn), y, m, day;
  const char *unit = brink_scenario_field(e, "turn");
  brink_date_civil(d, &y, &m, &day);
  if (!*unit || strcmp(unit, "month") == 0 || strcmp(unit, "quarter") == 0 ||
      strcmp(unit, "year") == 0)
    snprintf(buf, cap, "%s %d", month_abbr(m), (int)y);
  else
    brink_date_format(d, buf, cap);
}

/* the log ---------------------------------------------------------------- */

void session_emit(session *s, const char *line) {
  if (s->pending) {   /* the command's intervention comes first */
    char *first = s->pending;
    s->pending = NULL;
    session_emit(s, first);
    free(first);
  }
  if (strlist_push(&s->log, line)) s->io_error = 1;
  model_feed(&s->model, line, strlen(line));
  if (s->on_line) s->on_line(s, line);
}

/* The timeline as people at the table read it. */
static void show_record(session *s, const brink_record *r) {
  brink_engine *e = s->e;
  char w[32];
  switch (r->kind) {
  case BRINK_REC_TURN:
    session_when(e, r->turn, w, sizeof w);
    session_say_fmt(s, "\n== Turn %d: %s\n", r->turn, w);
    break;
  case BRINK_REC_MOVE:
    session_say_fmt(s, "  %-6s %s%s%s\n", brink_actor_id(e, r->actor),
        brink_move_name(e, r->move), r->target >= 0 ? " -> " : "",
        r->target >= 0 ? brink_actor_id(e, r->target) : "");
    break;
  case BRINK_REC_TRIGGER:
    session_say_fmt(s, "  ! %s\n", r->id);
    break;
  case BRINK_REC_EVENT:
    session_say_fmt(s, "  * %s\n", r->id);
    break;
  case BRINK_REC_NEWS:
    session_say_fmt(s, "    %s\n", r->text);
    break;
  case BRINK_REC_ERROR:
    session_say_fmt(s, "  ERROR %s%s%s%s%s (rolled back; play goes on)\n",
                    r->where, *r->where ? ": " : "", r->in, *r->in ? ": " : "",
                    r->text);
    break;
  case BRINK_REC_END: {
    char d[16];
    brink_date_format(r->date, d, sizeof d);
    session_say_fmt(s, "\nOutcome: %s, turn %d (%s)\n", r->id, r->turn, d);
    break;
  }
  default:
    break;
  }
}

void session_on_record(void *ud, const brink_record *r) {
  session *s = ud;
  if (record_line(s->e, r, &s->buf, &s->cap) < 0) {
    s->io_error = 1;
    return;
  }
  session_emit(s, s->buf);
  show_record(s, r);
}

/* A line made with jansson: compact, keys in the order given. */
static void emit_json(session *s, json_t *o) {
  char *line = json_text(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(o);
  if (line == NULL) {
    s->io_error = 1;
    return;
  }
  session_emit(s, line);
  free(line);
}

void session_intervention_steps(session *s, const char *cmd, const char *sha,
                                int from, int to) {
  json_t *o = json_object();
  if (o) {
    json_object_set_new(o, "t", json_string("intervention"));
    json_object_set_new(o, "turn", json_integer(brink_turn(s->e)));
    json_object_set_new(o, "command", json_string(cmd));
    if (sha) json_object_set_new(o, "sha256", json_string(sha));
    if (to > from && migrated_json(o, from, to)) {
      json_decref(o);
      o = NULL;
    }
  }
  if (s->defer && o) {
    /* Held back until the command causes a line or is done: a refused
       command leaves no trace in the log, as it changed nothing. */
    free(s->pending);
    s->pending = json_text(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (s->pending == NULL) s->io_error = 1;
    return;
  }
  emit_json(s, o);
}

void session_intervention(session *s, const char *cmd, const char *sha) {
  session_intervention_steps(s, cmd, sha, 0, 0);
}

void session_state_record(session *s) {
  json_t *st = state_json(s->e), *o = st ? json_object() : NULL;
  if (o) {
    json_object_set_new(o, "t", json_string("state"));
    json_object_set_new(o, "turn", json_integer(brink_turn(s->e)));
    json_object_set_new(o, "state", st);
  } else {
    json_decref(st);
  }
  emit_json(s, o);
}

/* undo points and branch points ------------------------------------------ */

void session_undo_clear(session *s) {
  for (int i = 0; i < s->nundo; i++) brink_snapshot_free(s->undo[i].snap);
  s->nundo = 0;
}

static void undo_push(session *s) {
  int t = brink_turn(s->e);
  while (s->nundo && s->undo[s->nundo - 1].turn >= t)
    brink_snapshot_free(s->undo[--s->nundo].snap);
  if (s->nundo == MAX_UNDO) {
    brink_snapshot_free(s->undo[0].snap);
    memmove(s->undo, s->undo + 1, sizeof *s->undo * (size_t)--s->nundo);
  }
  if (s->nundo == s->capundo) {
    int cap = s->capundo ? s->capundo * 2 : 32;
    branch *u = realloc(s->undo, sizeof *u * (size_t)cap);
    if (u == NULL) return;
    s->undo = u;
    s->capundo = cap;
  }
  brink_snapshot *snap;
  if (brink_snapshot_take(s->e, &snap) != BRINK_OK) return;
  s->undo[s->nundo++] = (branch){NULL, t, NULL, snap};
}

void session_branches_free(session *s) {
  for (int i = 0; i < s->nbranches; i++) {
    free(s->branches[i].name);
    json_decref(s->branches[i].state);
  }
  free(s->branches);
  s->branches = NULL;
  s->nbranches = s->capbranches = 0;
}

branch *session_branch_find(session *s, const char *name) {
  for (int i = 0; i < s->nbranches; i++)
    if (strcmp(s->branches[i].name, name) == 0) return &s->branches[i];
  return NULL;
}

int session_branch_add(session *s, const char *name, int turn, json_t *st) {
  if (s->nbranches == s->capbranches) {
    int cap = s->capbranches ? s->capbranches * 2 : 8;
    branch *b = realloc(s->branches, sizeof *b * (size_t)cap);
    if (b == NULL) return -1;
    s->branches = b;
    s->capbranches = cap;
  }
  char *copy = strdup(name);
  if (copy == NULL) return -1;
  s->branches[s->nbranches++] = (branch){copy, turn, st, NULL};
  return 0;
}

/* the session ------------------------------------------------------------ */

static int setup_copy(setup *d, const setup *s) {
  memset(d, 0, sizeof *d);
  memcpy(d->sha256, s->sha256, sizeof d->sha256);
  d->seed = s->seed;
  d->turns = s->turns;
  int rc = (d->file = strdup(s->file ? s->file : "")) == NULL;
  for (size_t i = 0; !rc && i < s->seats.n; i++)
    rc = strlist_push(&d->seats, s->seats.v[i]);
  for (size_t i = 0; !rc && i < s->policies.n; i++)
    rc = strlist_push(&d->policies, s->policies.v[i]);
  for (size_t i = 0; !rc && i < s->sets.n; i++)
    rc = strlist_push(&d->sets, s->sets.v[i]);
  return rc ? -1 : 0;
}

int session_init(session *s, brink_engine *e, const setup *su,
                 const brink_config *cfg) {
  memset(s, 0, sizeof *s);
  s->e = e;
  s->cfg = *cfg;
  model_init(&s->model);
  if (setup_copy(&s->setup, su)) return -1;
  s->seen_news = calloc((size_t)brink_actor_count(e) + 1, sizeof(int));
  if (s->seen_news == NULL) return -1;
  brink_on_record(e, session_on_record, s);
  return 0;
}

void session_free(session *s) {
  free(s->pending);
  session_undo_clear(s);
  free(s->undo);
  session_branches_free(s);
  if (s->e) brink_on_record(s->e, NULL, NULL);
  setup_free(&s->setup);
  strlist_free(&s->log);
  model_free(&s->model);
  free(s->buf);
  free(s->seen_news);
  free(s->fatal);
}

static int refuse(char *err, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int refuse(char *err, size_t cap, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, cap, fmt, ap);
  va_end(ap);
  return 2;
}

int presets_apply(brink_engine *e, const char *const *sets, int nsets,
                  char *err, size_t cap) {
  brink_cause_set(e, "--set");
  for (int i = 0; i < nsets; i++) {
    const char *p = sets[i], *eq = strchr(p, '=');
    char name[256];
    snprintf(name, sizeof name, "%.*s", eq ? (int)(eq - p) : 0, p);
    int var;
    if (eq == NULL || brink_var_find(e, name, &var) != BRINK_OK ||
        brink_var_set_text(e, var, eq + 1) != BRINK_OK) {
      brink_cause_set(e, "host");
      return refuse(err, cap, "--set %s: %s", p,
                    eq ? brink_errmsg(e) : "not VAR=VALUE");
    }
  }
  brink_cause_set(e, "host");
  return 0;
}

int policy_apply(brink_engine *e, const char *assign) {
  const char *eq = strchr(assign, '=');
  char actor[256];
  snprintf(actor, sizeof actor, "%.*s", eq ? (int)(eq - assign) : 0, assign);
  int a, rc = eq ? brink_actor_find(e, actor, &a) : BRINK_EINVAL;
  return rc == BRINK_OK ? brink_policy_assign(e, a, eq + 1) : rc;
}

/* Seats, policies and the turn limit of s->setup, applied to s->e. */
int session_configure(session *s, char *err, size_t cap) {
  brink_engine *e = s->e;
  for (size_t i = 0; i < s->setup.seats.n; i++) {
    int a;
    if (brink_actor_find(e, s->setup.seats.v[i], &a) != BRINK_OK)
      return refuse(err, cap, "--seat %s: %s", s->setup.seats.v[i],
                    brink_errmsg(e));
    for (size_t k = 0; k < i; k++)
      if (strcmp(s->setup.seats.v[k], s->setup.seats.v[i]) == 0)
        return refuse(err, cap, "--seat %s: given twice",
                      s->setup.seats.v[i]);
    brink_seat(e, a, 1);
  }
  for (size_t i = 0; i < s->setup.policies.n; i++) {
    const char *p = s->setup.policies.v[i];
    if (policy_apply(e, p) != BRINK_OK)
      return refuse(err, cap, "--policy %s: %s", p, brink_errmsg(e));
    size_t n = (size_t)(strchr(p, '=') - p);   /* applied: it has one */
    for (size_t k = 0; k < s->setup.seats.n; k++)
      if (strncmp(s->setup.seats.v[k], p, n) == 0 &&
          s->setup.seats.v[k][n] == '\0')
        return refuse(err, cap, "--policy %s: %.*s has a seat", p, (int)n,
                      p);
  }
  brink_turn_limit(e, s->setup.turns);
  return 0;
}

int session_start(session *s, char *err, size_t cap) {
  int rc = brink_start(s->e, s->setup.seed);
  if (rc != BRINK_OK) {
    session_say_fmt(s, "%s\n", brink_errmsg(s->e));
    return 1;
  }
  char *line = setup_line(&s->setup);
  if (line == NULL) {
    s->io_error = 1;
    return 1;
  }
  session_emit(s, line);
  free(line);
  if (presets_apply(s->e, (const char *const *)s->setup.sets.v,
                    (int)s->setup.sets.n, err, cap))
    return 2;
  undo_push(s);
  s->turn_start = true;
  return 0;
}

int session_resume(session *s, loaded *l, const char *from) {
  /* The save's log comes first, so this session's log is whole. */
  for (size_t i = 0; i < l->log.n; i++) {
    if (strlist_push(&s->log, l->log.v[i])) s->io_error = 1;
    model_feed(&s->model, l->log.v[i], strlen(l->log.v[i]));
    if (s->on_line) s->on_line(s, l->log.v[i]);
  }
  char err[512];
  strlist notes = {0};
  if (loaded_restore(s->e, l, l->foreign, &notes, err, sizeof err)) {
    session_say_fmt(s, "cannot resume: %s\n", err);
    strlist_free(&notes);
    return 1;
  }
  strlist_free(&notes);
  session_branches_free(s);
  for (int i = 0; i < l->nbranches; i++) {
    if (session_branch_add(s, l->branches[i].name, l->branches[i].turn,
                   l->branches[i].state))
      return 1;
    l->branches[i].state = NULL;   /* now the session's */
  }
  /* The hold is the white cell's switch, not the world's: the last
     /hold or /release of the log, undone turns or not, says where it is. */
  for (int i = s->model.ntrail - 1; i >= 0; i--) {
    const char *c = s->model.trail[i].a;
    if (c && (strcmp(c, "/hold") == 0 || strcmp(c, "/release") == 0)) {
      brink_hold(s->e, c[1] == 'h');
      break;
    }
  }
  char cmd[4200];
  snprintf(cmd, sizeof cmd, "--resume %s", from);
  /* Another text than the save's: which, so that a replay takes it up. */
  char sha[65];
  size_t len;
  const char *text = brink_scenario_text(s->e, &len);
  brink__sha256_hex(text ? text : "", text ? len : 0, sha);
  session_resumed(s, cmd, l->foreign ? sha : NULL, l->version,
                  l->migrated_to ? l->migrated_to : l->version);
  return 0;
}

void session_resumed(session *s, const char *cmd, const char *sha, int from,
                     int to) {
  session_intervention_steps(s, cmd, sha, from, to);
  session_state_record(s);
  /* Undo points are not saved: a replay forgets its own here too. */
  session_undo_clear(s);
  /* A save made between turns goes on there: with no seats, the
     facilitator's Enter plays the turn, as before the save. */
  brink_position p = {.size = sizeof p};
  brink_position_get(s->e, &p);
  s->turn_start =
      p.phase == PHASE_TURN_START && p.index == 0 && p.outcome == -1;
}

bool session_at_prompt(session *s) {
  return brink_outcome(s->e) || brink_awaiting(s->e) >= 0 ||
         brink_held(s->e) ||
         (s->setup.seats.n == 0 && s->turn_start);
}

int session_step(session *s) {
  brink_position a = {.size = sizeof a}, b = {.size = sizeof b};
  brink_position_get(s->e, &a);
  int rc = brink_step(s->e);
  s->turn_start = false;
  if (rc == BRINK_OK) {
    undo_push(s);
    s->turn_start = true;
  } else if (rc < 0) {
    brink_position_get(s->e, &b);
    /* Script errors always move on; anything else would loop for ever. */
    if (a.turn == b.turn && a.phase == b.phase && a.index == b.index &&
        a.moves_made == b.moves_made && a.awaiting == b.awaiting) {
      s->stuck = true;
      session_say_fmt(s, "brink: the run cannot go on: %s\n",
                      brink_errmsg(s->e));
    }
  }
  return rc;
}

/* what a seat sees ------------------------------------------------------- */

/* One rule for every number a person reads: brink_value_show. */
void value_shown(brink_engine *e, int v, char *buf, size_t cap) {
  brink_var_show(e, v, buf, cap);
}

void text_shown(brink_engine *e, int v, const char *text, char *buf,
                size_t cap) {
  char *end;
  double x = text ? strtod(text, &end) : 0;
  if (text && e && v >= 0 && brink_var_type(e, v) == BRINK_NUMBER &&
      end != text && *end == '\0')
    brink_value_show(e, v, x, buf, cap);
  else
    snprintf(buf, cap, "%s", text ? text : "?");
}

bool belief_shown(brink_engine *e, int v, int actor, char *buf, size_t cap,
                  double *lo, double *hi) {
  if (actor < 0 || brink_var_visible(e, v, actor) == 1 ||
      brink_belief_known(e, actor, v) != 1 ||
      brink_belief_get(e, actor, v, lo, hi) != BRINK_OK)
    return false;
  char a[64], b[64];
  brink_value_show(e, v, *lo, a, sizeof a);
  brink_value_show(e, v, *hi, b, sizeof b);
  if (*lo == *hi) snprintf(buf, cap, "%s (believed)", a);
  else snprintf(buf, cap, "%s-%s (believed)", a, b);
  return true;
}

/* Two columns of "name value" when the names are short.  'actor' < 0 is
   the facilitator, who sees everything. */
void session_show_vars(session *s, int actor) {
  brink_engine *e = s->e;
  int n = brink_var_count(e), col = 0;
  for (int v = 0; v < n; v++) {
    char val[64];
    double lo, hi;
    if (actor < 0 || brink_var_visible(e, v, actor) == 1)
      value_shown(e, v, val, sizeof val);
    else if (!belief_shown(e, v, actor, val, sizeof val, &lo, &hi))
      snprintf(val, sizeof val, "hidden");   /* else the actor's estimate */
    const char *name = brink_var_name(e, v);
    if (strlen(name) + strlen(val) > 35) {
      if (col) session_say_fmt(s, "\n");
      session_say_fmt(s, "  %s  %s\n", name, val);
      col = 0;
      continue;
    }
    session_say_fmt(s, col ? "  %-*s%s\n" : "  %-*s%s  ",
                    (int)(36 - strlen(val)), name, val);
    col = !col;
  }
  if (col) session_say_fmt(s, "\n");
}

typedef struct option_row {
  int move, target, legal;
  const char *reason;
} option_row;

/* The options of 'actor' now; the caller frees. */
static option_row *options_of(session *s, int actor, int *count) {
  *count = 0;
  int n;
  if (brink_options(s->e, actor, &n) != BRINK_OK) return NULL;
  option_row *rows = calloc((size_t)n + 1, sizeof *rows);
  if (rows == NULL) return NULL;
  for (int i = 0; i < n; i++)
    brink_option_get(s->e, i, &rows[i].move, &rows[i].target, &rows[i].legal,
                     &rows[i].reason);
  *count = n;
  return rows;
}

static void option_name(session *s, const option_row *r, char *buf,
                        size_t cap) {
  snprintf(buf, cap, "%s%s%s", brink_move_name(s->e, r->move),
           r->target >= 0 ? " " : "",
           r->target >= 0 ? brink_actor_id(s->e, r->target) : "");
}

void session_show_moves(session *s, int actor) {
  int n;
  option_row *rows = options_of(s, actor, &n);
  if (rows == NULL) {
    session_say_fmt(s, "  (the moves cannot be listed: %s)\n",
                    brink_errmsg(s->e));
    return;
  }
  int width = 12, k = 0, illegal = 0;
  char name[128];
  for (int i = 0; i < n; i++) {
    option_name(s, &rows[i], name, sizeof name);
    if ((int)strlen(name) > width) width = (int)strlen(name);
  }
  if (width > 30) width = 30;
  session_say_fmt(s, " Moves:\n");
  for (int i = 0; i < n; i++) {
    if (!rows[i].legal) {
      illegal++;
      continue;
    }
    option_name(s, &rows[i], name, sizeof name);
    session_say_fmt(s, "  %2d  %-*s  %s\n", ++k, width, name,
        brink_move_doc(s->e, rows[i].move));
  }
  if (illegal) session_say_fmt(s, " Not allowed now:\n");
  for (int i = 0; i < n; i++) {
    if (rows[i].legal) continue;
    option_name(s, &rows[i], name, sizeof name);
    session_say_fmt(s, "   -  %-*s  %s\n", width, name,
        *rows[i].reason ? rows[i].reason : "(no reason given)");
  }
  free(rows);
}

void session_show_seat(session *s) {
  brink_engine *e = s->e;
  int a = brink_awaiting(e);
  if (a < 0) return;
  char w[32];
  session_when(e, brink_turn(e), w, sizeof w);
  const char *name = brink_actor_name(e, a);
  session_say_fmt(s, "\n-- %s%s%s%s to move, turn %d (%s) --\n",
                  brink_actor_id(e, a), name && *name ? " (" : "",
                  name ? name : "", name && *name ? ")" : "", brink_turn(e), w);
  session_show_vars(s, a);
  /* News of this line of play since this seat last looked. */
  model *m = &s->model;
  int from = s->seen_news[a] <= m->nentries ? s->seen_news[a] : 0, shown = 0;
  int first = -1;
  for (int i = from; i < m->nentries; i++)
    if (m->entries[i].kind == E_NEWS &&
        m->entries[i].turn >= brink_turn(e) - 1) {
      if (first < 0) first = i;
      shown++;
    }
  if (shown) {
    session_say_fmt(s, " News:\n");
    int skip = shown > 8 ? shown - 8 : 0;
    for (int i = first; i >= 0 && i < m->nentries; i++)
      if (m->entries[i].kind == E_NEWS &&
          m->entries[i].turn >= brink_turn(e) - 1 && skip-- <= 0)
        session_say_fmt(s, "    %s\n", m->entries[i].a ? m->entries[i].a : "");
  }
  s->seen_news[a] = m->nentries;
  session_show_moves(s, a);
}


int session_answer(session *s, const char *line) {
  brink_engine *e = s->e;
  int a = brink_awaiting(e);
  if (a < 0) return 1;
  char buf[512];
  snprintf(buf, sizeof buf, "%s", line);
  char *t = trim_space(buf);
  if (*t == '\0') return 1;
  int n;
  option_row *rows = options_of(s, a, &n);
  if (rows == NULL) {
    session_refuse(s, "%s", brink_errmsg(e));
    return 1;
  }
  int move = -1, target = -1, nlegal = 0;
  for (int i = 0; i < n; i++) nlegal += rows[i].legal;
  char *end;
  long k = strtol(t, &end, 10);
  if (end != t && *end == '\0') {
    if (k < 1 || k > nlegal) {
      session_refuse(s, "choose a number from 1 to %d, or a move by name",
                      nlegal);
      free(rows);
      return 1;
    }
    for (int i = 0; i < n && move < 0; i++)
      if (rows[i].legal && --k == 0) {
        move = rows[i].move;
        target = rows[i].target;
      }
  } else {
    char *name = strtok(t, " \t"), *tgt = strtok(NULL, " \t");
    char *extra = strtok(NULL, " \t");
    int m;
    if (extra) {
      session_refuse(
          s, "a move is a name and at most one target, not '%s'", line);
      free(rows);
      return 1;
    }
    if (brink_move_find(e, name, &m) != BRINK_OK) {
      session_refuse(s, "%s", brink_errmsg(e));
      free(rows);
      return 1;
    }
    int tid = -1, offered = 0, only = -1;
    bool hit = false;
    if (tgt && brink_actor_find(e, tgt, &tid) != BRINK_OK) {
      session_refuse(s, "%s", brink_errmsg(e));
      free(rows);
      return 1;
    }
    char targets[256] = "";
    for (int i = 0; i < n; i++) {
      if (rows[i].move != m) continue;
      offered++;
      only = rows[i].target;
      hit = hit || (tgt && rows[i].target == tid);
      if (rows[i].target >= 0 && strlen(targets) < 200) {
        strcat(targets, *targets ? ", " : "");
        strcat(targets, brink_actor_id(e, rows[i].target));
      }
    }
    if (offered == 0) {
      session_refuse(s, "%s is not a move of %s", name,
                      brink_actor_id(e, a));
      free(rows);
      return 1;
    }
    if (tgt == NULL && offered > 1) {
      session_refuse(s, "%s needs a target: %s", name, targets);
      free(rows);
      return 1;
    }
    if (tgt && !hit) {
      session_refuse(s, "%s cannot target %s%s%s", name, tgt,
          *targets ? "; targets: " : "", targets);
      free(rows);
      return 1;
    }
    move = m;
    target = tgt ? tid : only;
  }
  free(rows);
  if (brink_choose(e, move, target) != BRINK_OK) {
    session_refuse(s, "%s", brink_errmsg(e));
    return 1;
  }
  return 0;
}
