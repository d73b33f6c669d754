/*
** play.c: brink play, a tabletop exercise at one terminal, and the session
** it runs on, which brink replay drives too.
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
#include <editline/readline.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tabletop.h"

#define MAX_UNDO 500   /* turn-start snapshots kept for /undo */

static void say(session *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void say(session *s, const char *fmt, ...) {
  if (s->out == NULL) return;
  va_list ap;
  va_start(ap, fmt);
  term_vprintf(s->out, fmt, ap);
  va_end(ap);
}

static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May",
                                     "Jun", "Jul", "Aug", "Sep", "Oct",
                                     "Nov", "Dec"};

/* "Dec 2019" for monthly and longer turns, else "2019-12-01". */
static void when(brink_engine *e, int turn, char *buf, size_t cap) {
  int32_t d = brink_turn_date(e, turn), y, m, day;
  const char *unit = brink_scenario_field(e, "turn");
  brink_date_civil(d, &y, &m, &day);
  if (!*unit || strcmp(unit, "month") == 0 || strcmp(unit, "quarter") == 0 ||
      strcmp(unit, "year") == 0)
    snprintf(buf, cap, "%s %d", months[m - 1], (int)y);
  else
    brink_date_format(d, buf, cap);
}

/* the log ---------------------------------------------------------------- */

void session_emit(session *s, const char *line) {
  if (strlist_push(&s->log, line)) s->io_error = 1;
  if (s->logfile && (fprintf(s->logfile, "%s\n", line) < 0 ||
                     fflush(s->logfile) != 0))
    s->io_error = 1;
  model_feed(&s->model, line, strlen(line));
  if (s->on_line) s->on_line(s, line);
}

/* The timeline as people at the table read it. */
static void show_record(session *s, const brink_record *r) {
  brink_engine *e = s->e;
  char w[32];
  switch (r->kind) {
  case BRINK_REC_TURN:
    when(e, r->turn, w, sizeof w);
    say(s, "\n== Turn %d: %s\n", r->turn, w);
    break;
  case BRINK_REC_MOVE:
    say(s, "  %-6s %s%s%s\n", brink_actor_id(e, r->actor),
        brink_move_name(e, r->move), r->target >= 0 ? " -> " : "",
        r->target >= 0 ? brink_actor_id(e, r->target) : "");
    break;
  case BRINK_REC_TRIGGER:
    say(s, "  ! %s\n", r->id);
    break;
  case BRINK_REC_EVENT:
    say(s, "  * %s\n", r->id);
    break;
  case BRINK_REC_NEWS:
    say(s, "    %s\n", r->text);
    break;
  case BRINK_REC_ERROR:
    say(s, "  ERROR %s%s%s%s%s (rolled back; play goes on)\n", r->where,
        *r->where ? ": " : "", r->in, *r->in ? ": " : "", r->text);
    break;
  case BRINK_REC_END: {
    char d[16];
    brink_date_format(r->date, d, sizeof d);
    say(s, "\nOutcome: %s, turn %d (%s)\n", r->id, r->turn, d);
    break;
  }
  default:
    break;
  }
}

static void on_record(void *ud, const brink_record *r) {
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
  char *line = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
  json_decref(o);
  if (line == NULL) {
    s->io_error = 1;
    return;
  }
  session_emit(s, line);
  free(line);
}

static void intervention(session *s, const char *cmd, const char *sha) {
  json_t *o = json_object();
  if (o) {
    json_object_set_new(o, "t", json_string("intervention"));
    json_object_set_new(o, "turn", json_integer(brink_turn(s->e)));
    json_object_set_new(o, "command", json_string(cmd));
    if (sha) json_object_set_new(o, "sha256", json_string(sha));
  }
  emit_json(s, o);
}

static void state_record(session *s) {
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

static void undo_clear(session *s) {
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

static void branches_free(session *s) {
  for (int i = 0; i < s->nbranches; i++) {
    free(s->branches[i].name);
    json_decref(s->branches[i].state);
  }
  free(s->branches);
  s->branches = NULL;
  s->nbranches = s->capbranches = 0;
}

static branch *branch_find(session *s, const char *name) {
  for (int i = 0; i < s->nbranches; i++)
    if (strcmp(s->branches[i].name, name) == 0) return &s->branches[i];
  return NULL;
}

static int branch_add(session *s, const char *name, int turn, json_t *st) {
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
  brink_on_record(e, on_record, s);
  return 0;
}

void session_free(session *s) {
  undo_clear(s);
  free(s->undo);
  branches_free(s);
  if (s->e) brink_on_record(s->e, NULL, NULL);
  setup_free(&s->setup);
  strlist_free(&s->log);
  model_free(&s->model);
  free(s->buf);
  free(s->seen_news);
  free(s->fatal);
}

/* Seats, policies and the turn limit of s->setup, applied to s->e. */
int session_configure(session *s, const char *cmd) {
  brink_engine *e = s->e;
  for (size_t i = 0; i < s->setup.seats.n; i++) {
    int a;
    if (brink_actor_find(e, s->setup.seats.v[i], &a) != BRINK_OK)
      return usage_error(cmd, "--seat %s: %s", s->setup.seats.v[i],
                         brink_errmsg(e));
    for (size_t k = 0; k < i; k++)
      if (strcmp(s->setup.seats.v[k], s->setup.seats.v[i]) == 0)
        return usage_error(cmd, "--seat %s: given twice", s->setup.seats.v[i]);
    brink_seat(e, a, 1);
  }
  for (size_t i = 0; i < s->setup.policies.n; i++) {
    const char *p = s->setup.policies.v[i], *eq = strchr(p, '=');
    char actor[256];
    snprintf(actor, sizeof actor, "%.*s", eq ? (int)(eq - p) : 0, p);
    int a;
    if (eq == NULL || brink_actor_find(e, actor, &a) != BRINK_OK ||
        brink_policy_assign(e, a, eq + 1) != BRINK_OK)
      return usage_error(cmd, "--policy %s: %s", p, brink_errmsg(e));
    for (size_t k = 0; k < s->setup.seats.n; k++)
      if (strcmp(s->setup.seats.v[k], actor) == 0)
        return usage_error(cmd, "--policy %s: %s has a seat", p, actor);
  }
  brink_turn_limit(e, s->setup.turns);
  return 0;
}

int session_start(session *s) {
  int rc = brink_start(s->e, s->setup.seed);
  if (rc != BRINK_OK) {
    say(s, "%s\n", brink_errmsg(s->e));
    return 1;
  }
  char *line = setup_line(&s->setup);
  if (line == NULL) {
    s->io_error = 1;
    return 1;
  }
  session_emit(s, line);
  free(line);
  rc = apply_sets(s->replaying ? "replay" : "play",
                  (const char *const *)s->setup.sets.v, (int)s->setup.sets.n,
                  s->e);
  if (rc) return rc;
  undo_push(s);
  s->turn_start = true;
  return 0;
}

int session_resume(session *s, loaded *l, const char *from) {
  /* The save's log comes first, so this session's log is whole. */
  for (size_t i = 0; i < l->log.n; i++) {
    if (strlist_push(&s->log, l->log.v[i])) s->io_error = 1;
    if (s->logfile && fprintf(s->logfile, "%s\n", l->log.v[i]) < 0)
      s->io_error = 1;
    model_feed(&s->model, l->log.v[i], strlen(l->log.v[i]));
  }
  char err[512];
  strlist notes = {0};
  if (state_restore(s->e, l->state, l->foreign, &notes, err, sizeof err)) {
    say(s, "cannot resume: %s\n", err);
    strlist_free(&notes);
    return 1;
  }
  strlist_free(&notes);
  branches_free(s);
  for (int i = 0; i < l->nbranches; i++) {
    if (branch_add(s, l->branches[i].name, l->branches[i].turn,
                   l->branches[i].state))
      return 1;
    l->branches[i].state = NULL;   /* now the session's */
  }
  char cmd[4200];
  snprintf(cmd, sizeof cmd, "--resume %s", from);
  session_resumed(s, cmd);
  return 0;
}

void session_resumed(session *s, const char *cmd) {
  intervention(s, cmd, NULL);
  state_record(s);
  /* Undo points are not saved: a replay forgets its own here too. */
  undo_clear(s);
}

bool session_at_prompt(session *s) {
  return brink_outcome(s->e) || brink_awaiting(s->e) >= 0 ||
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
      say(s, "brink: the run cannot go on: %s\n", brink_errmsg(s->e));
    }
  }
  return rc;
}

/* what a seat sees ------------------------------------------------------- */

/* A value as a player reads it: numbers to two decimals at most. */
static void value_shown(brink_engine *e, int v, bool exact, char *buf,
                        size_t cap) {
  double x;
  brink_var_get(e, v, &x);
  int type = brink_var_type(e, v);
  if (exact || type == BRINK_FLAG || type == BRINK_ENUM || x == floor(x)) {
    brink_var_format(e, v, buf, cap);
    return;
  }
  snprintf(buf, cap, "%.2f", x);
  char *p = buf + strlen(buf) - 1;
  while (*p == '0') *p-- = '\0';
  if (*p == '.') *p = '\0';
}

/* Two columns of "name value" when the names are short.  'actor' < 0 is
   the facilitator, who sees everything exactly. */
static void show_vars(session *s, int actor, bool exact) {
  brink_engine *e = s->e;
  int n = brink_var_count(e), col = 0;
  for (int v = 0; v < n; v++) {
    char val[64];
    if (actor >= 0 && !brink_var_visible(e, v, actor))
      snprintf(val, sizeof val, "hidden");
    else
      value_shown(e, v, exact, val, sizeof val);
    const char *name = brink_var_name(e, v);
    if (strlen(name) + strlen(val) > 35) {
      if (col) say(s, "\n");
      say(s, "  %s  %s\n", name, val);
      col = 0;
      continue;
    }
    say(s, col ? "  %-*s%s\n" : "  %-*s%s  ", (int)(36 - strlen(val)), name,
        val);
    col = !col;
  }
  if (col) say(s, "\n");
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

static void show_moves(session *s, int actor) {
  int n;
  option_row *rows = options_of(s, actor, &n);
  if (rows == NULL) {
    say(s, "  (the moves cannot be listed: %s)\n", brink_errmsg(s->e));
    return;
  }
  int width = 12, k = 0, illegal = 0;
  char name[128];
  for (int i = 0; i < n; i++) {
    option_name(s, &rows[i], name, sizeof name);
    if ((int)strlen(name) > width) width = (int)strlen(name);
  }
  if (width > 30) width = 30;
  say(s, " Moves:\n");
  for (int i = 0; i < n; i++) {
    if (!rows[i].legal) {
      illegal++;
      continue;
    }
    option_name(s, &rows[i], name, sizeof name);
    say(s, "  %2d  %-*s  %s\n", ++k, width, name,
        brink_move_doc(s->e, rows[i].move));
  }
  if (illegal) say(s, " Not allowed now:\n");
  for (int i = 0; i < n; i++) {
    if (rows[i].legal) continue;
    option_name(s, &rows[i], name, sizeof name);
    say(s, "   -  %-*s  %s\n", width, name,
        *rows[i].reason ? rows[i].reason : "(no reason given)");
  }
  free(rows);
}

void session_show_seat(session *s) {
  brink_engine *e = s->e;
  int a = brink_awaiting(e);
  if (a < 0) return;
  char w[32];
  when(e, brink_turn(e), w, sizeof w);
  const char *name = brink_actor_name(e, a);
  say(s, "\n-- %s%s%s%s to move, turn %d (%s) --\n", brink_actor_id(e, a),
      name && *name ? " (" : "", name ? name : "", name && *name ? ")" : "",
      brink_turn(e), w);
  show_vars(s, a, false);
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
    say(s, " News:\n");
    int skip = shown > 8 ? shown - 8 : 0;
    for (int i = first; i >= 0 && i < m->nentries; i++)
      if (m->entries[i].kind == E_NEWS &&
          m->entries[i].turn >= brink_turn(e) - 1 && skip-- <= 0)
        say(s, "    %s\n", m->entries[i].a ? m->entries[i].a : "");
  }
  s->seen_news[a] = m->nentries;
  show_moves(s, a);
}

/* Trims spaces at both ends in place. */
static char *trim(char *t) {
  while (*t && isspace((unsigned char)*t)) t++;
  size_t n = strlen(t);
  while (n && isspace((unsigned char)t[n - 1])) t[--n] = '\0';
  return t;
}

int session_answer(session *s, const char *line) {
  brink_engine *e = s->e;
  int a = brink_awaiting(e);
  if (a < 0) return 1;
  char buf[512];
  snprintf(buf, sizeof buf, "%s", line);
  char *t = trim(buf);
  if (*t == '\0') return 1;
  int n;
  option_row *rows = options_of(s, a, &n);
  if (rows == NULL) {
    say(s, "! %s\n", brink_errmsg(e));
    return 1;
  }
  int move = -1, target = -1, nlegal = 0;
  for (int i = 0; i < n; i++) nlegal += rows[i].legal;
  char *end;
  long k = strtol(t, &end, 10);
  if (end != t && *end == '\0') {
    if (k < 1 || k > nlegal) {
      say(s, "! choose a number from 1 to %d, or a move by name\n", nlegal);
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
      say(s, "! a move is a name and at most one target, not '%s'\n", line);
      free(rows);
      return 1;
    }
    if (brink_move_find(e, name, &m) != BRINK_OK) {
      say(s, "! %s\n", brink_errmsg(e));
      free(rows);
      return 1;
    }
    int tid = -1, offered = 0, only = -1;
    bool hit = false;
    if (tgt && brink_actor_find(e, tgt, &tid) != BRINK_OK) {
      say(s, "! %s\n", brink_errmsg(e));
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
      say(s, "! %s is not a move of %s\n", name, brink_actor_id(e, a));
      free(rows);
      return 1;
    }
    if (tgt == NULL && offered > 1) {
      say(s, "! %s needs a target: %s\n", name, targets);
      free(rows);
      return 1;
    }
    if (tgt && !hit) {
      say(s, "! %s cannot target %s%s%s\n", name, tgt,
          *targets ? "; targets: " : "", targets);
      free(rows);
      return 1;
    }
    move = m;
    target = tgt ? tid : only;
  }
  free(rows);
  if (brink_choose(e, move, target) != BRINK_OK) {
    say(s, "! %s\n", brink_errmsg(e));
    return 1;
  }
  return 0;
}

/* facilitator commands --------------------------------------------------- */

static void show_state(session *s, const char *actor_id) {
  brink_engine *e = s->e;
  int actor = -1;
  if (actor_id && brink_actor_find(e, actor_id, &actor) != BRINK_OK) {
    say(s, "! %s\n", brink_errmsg(e));
    return;
  }
  char w[32];
  when(e, brink_turn(e), w, sizeof w);
  say(s, "Turn %d of %d, %s", brink_turn(e), brink_turn_count(e), w);
  if (brink_outcome(e)) say(s, "; ended: %s", brink_outcome(e));
  else if (brink_awaiting(e) >= 0)
    say(s, "; %s to move", brink_actor_id(e, brink_awaiting(e)));
  say(s, "\n");
  if (actor >= 0) say(s, "As %s sees it:\n", brink_actor_id(e, actor));
  show_vars(s, actor, actor < 0);
  if (actor >= 0) return;
  say(s, "Triggers fired:");
  int nf = 0;
  for (int t = 0; t < brink_trigger_count(e); t++)
    if (brink_trigger_fired(e, t) == 1)
      say(s, "%s %s", nf++ ? "," : "", brink_trigger_name(e, t));
  say(s, "%s\n", nf ? "" : " none");
  int ns = brink_schedule_count(e);
  say(s, "Scheduled:%s", ns ? "" : " nothing");
  for (int i = 0; i < ns; i++) {
    int due, ev;
    brink_schedule_get(e, i, &due, &ev, NULL, NULL);
    say(s, "%s %s on turn %d", i ? "," : "", brink_event_name(e, ev), due);
  }
  say(s, "\n");
  if (s->nbranches) {
    say(s, "Branch points:");
    for (int i = 0; i < s->nbranches; i++)
      say(s, "%s %s (turn %d)", i ? "," : "", s->branches[i].name,
          s->branches[i].turn);
    say(s, "\n");
  }
}

static bool cmd_set(session *s, char *args) {
  char *name = strtok(args, " \t"), *value = strtok(NULL, "");
  if (name == NULL || value == NULL || !*trim(value)) {
    say(s, "! usage: /set VAR VALUE\n");
    return false;
  }
  value = trim(value);
  int v;
  if (brink_var_find(s->e, name, &v) != BRINK_OK) {
    say(s, "! %s\n", brink_errmsg(s->e));
    return false;
  }
  char before[64], after[64];
  brink_var_format(s->e, v, before, sizeof before);
  brink_cause_set(s->e, "facilitator");
  int rc = brink_var_set_text(s->e, v, value);
  brink_cause_set(s->e, "host");
  if (rc != BRINK_OK) {
    say(s, "! %s\n", brink_errmsg(s->e));
    return false;
  }
  brink_var_format(s->e, v, after, sizeof after);
  say(s, "%s: %s -> %s\n", brink_var_name(s->e, v), before, after);
  return strcmp(before, after) != 0;
}

static void cmd_fire(session *s, char *args) {
  char *name = strtok(args, " \t"), *rest = strtok(NULL, "");
  if (name == NULL) {
    say(s, "! usage: /fire EVENT_OR_TRIGGER [DATA as JSON]\n");
    return;
  }
  char *data = NULL;
  if (rest && *trim(rest)) {
    json_error_t je;
    json_t *j = json_loads(trim(rest), JSON_DECODE_ANY, &je);
    if (j == NULL) {
      say(s, "! the data must be JSON, e.g. {\"severity\": 10}: %s\n",
          je.text);
      return;
    }
    data = json_is_null(j) ? NULL : data_from_json(j);
    bool bad = !json_is_null(j) && data == NULL;
    json_decref(j);
    if (bad) {
      say(s, "! that data cannot be event data (too deep, or not finite)\n");
      return;
    }
  }
  size_t lines = s->log.n;
  brink_cause_set(s->e, "facilitator");
  int rc = brink_fire(s->e, name, data);
  brink_cause_set(s->e, "host");
  free(data);
  /* A script error has been shown with its record already. */
  if (rc != BRINK_OK && rc != BRINK_DONE && s->log.n == lines)
    say(s, "! %s\n", brink_errmsg(s->e));
}

static void cmd_odds(session *s, char *args) {
  char *name = strtok(args, " \t"), *p = strtok(NULL, " \t");
  int m;
  if (name == NULL || p == NULL || strtok(NULL, " \t")) {
    say(s, "! usage: /odds MOVE P (P from 0 to 1, or off)\n");
    return;
  }
  if (brink_move_find(s->e, name, &m) != BRINK_OK || m == 0) {
    say(s, "! %s\n", m == 0 ? "pass has no chances" : brink_errmsg(s->e));
    return;
  }
  char *end;
  double x = strcmp(p, "off") == 0 ? -1 : strtod(p, &end);
  if (strcmp(p, "off") != 0 && (*end || end == p || !(x >= 0 && x <= 1))) {
    say(s, "! P is a probability from 0 to 1 (or off), not '%s'\n", p);
    return;
  }
  brink_odds(s->e, m, x);
  if (x < 0) say(s, "chance() in %s is left to the dice again\n", name);
  else say(s, "every chance() in the next effect of %s succeeds with "
           "probability %g\n", name, x);
}

/* "Back at the start of turn 2 (Nov 2019)", "Loaded x.json: turn 3 ..." */
static void after_jump(session *s, const char *what) {
  char w[32];
  when(s->e, brink_turn(s->e), w, sizeof w);
  size_t n = strlen(what);
  say(s, "%s%s turn %d (%s)", what, n && what[n - 1] == 'f' ? "" : ":",
      brink_turn(s->e), w);
  if (brink_outcome(s->e)) say(s, ", ended: %s", brink_outcome(s->e));
  else if (brink_awaiting(s->e) >= 0)
    say(s, ", %s to move", brink_actor_id(s->e, brink_awaiting(s->e)));
  say(s, "\n");
}

static bool cmd_undo(session *s, char *args) {
  long n = 1;
  if (*args) {
    char *end;
    n = strtol(args, &end, 10);
    if (*end || n < 0 || n > 100000) {
      say(s, "! usage: /undo [N] (N turns back; /undo 0 restarts this "
          "turn)\n");
      return false;
    }
  }
  int target = brink_turn(s->e) - (int)n;
  branch *u = NULL;
  for (int i = 0; i < s->nundo; i++)
    if (s->undo[i].turn == target) u = &s->undo[i];
  if (u == NULL) {
    if (target < 1) say(s, "! there is no turn %d\n", target);
    else if (s->nundo)
      say(s, "! /undo reaches back to the start of turn %d here\n",
          s->undo[0].turn);
    else
      say(s, "! no undo point yet (they are kept from the next turn on)\n");
    return false;
  }
  if (brink_snapshot_restore(s->e, u->snap) != BRINK_OK) {
    say(s, "! %s\n", brink_errmsg(s->e));
    return false;
  }
  while (s->nundo && s->undo[s->nundo - 1].turn > target)
    brink_snapshot_free(s->undo[--s->nundo].snap);
  state_record(s);
  s->turn_start = true;
  after_jump(s, "Back at the start of");
  return true;
}

static void cmd_save(session *s, char *args) {
  if (!*args) {
    say(s, "! usage: /save FILE\n");
    return;
  }
  if (s->replaying) return;
  char err[512];
  if (save_write(args, s->e, &s->setup, s->branches, s->nbranches, &s->log,
                 err, sizeof err)) {
    say(s, "! cannot save to %s: %s\n", args, err);
    return;
  }
  say(s, "Saved to %s (turn %d).\n", args, brink_turn(s->e));
}

static void print_notes(session *s, const strlist *notes) {
  for (size_t i = 0; i < notes->n; i++) say(s, "  %s\n", notes->v[i]);
}

/*
** After the world jumped to another state (/load, /branch): the undo
** history no longer leads here, the log gets a state record, and the
** facilitator is told where play stands and what the jump changed.
*/
static void jumped(session *s, const char *what, strlist *notes) {
  undo_clear(s);
  state_record(s);
  s->turn_start = false;
  after_jump(s, what);
  print_notes(s, notes);
  strlist_free(notes);
}

static bool cmd_load(session *s, char *args) {
  bool force = false;
  if (strncmp(args, "--force", 7) == 0 && (args[7] == ' ' || !args[7])) {
    force = true;
    args = trim(args + 7);
  }
  if (!*args) {
    say(s, "! usage: /load [--force] FILE\n");
    return false;
  }
  char err[512];
  strlist notes = {0};
  if (s->replaying) {
    /* The log holds what was loaded: its next line, if the load worked. */
    const char *next = s->peek ? s->peek(s) : NULL;
    json_t *r = next ? json_loads(next, 0, NULL) : NULL;
    json_t *t = r ? json_object_get(r, "t") : NULL;
    if (!json_is_string(t) || strcmp(json_string_value(t), "state") != 0) {
      json_decref(r);
      return false;
    }
    int rc = state_restore(s->e, json_object_get(r, "state"), false, NULL,
                           err, sizeof err);
    json_decref(r);
    if (rc) {
      free(s->fatal);
      s->fatal = strdup(err);
      s->stop = true;
      return false;
    }
  } else {
    loaded l;
    if (save_load(args, s->e, force, &l, err, sizeof err)) {
      say(s, "! cannot load %s: %s (nothing was loaded)\n", args, err);
      return false;
    }
    int rc = state_restore(s->e, l.state, force, &notes, err, sizeof err);
    loaded_free(&l);
    if (rc) {
      say(s, "! cannot load %s: %s (nothing was loaded)\n", args, err);
      strlist_free(&notes);
      return false;
    }
  }
  char what[4200];
  snprintf(what, sizeof what, "Loaded %s", args);
  jumped(s, what, &notes);
  return true;
}

static bool cmd_branch(session *s, char *args) {
  if (!*args || strpbrk(args, " \t")) {
    say(s, "! usage: /branch NAME (marks this point, or returns to NAME)\n");
    return false;
  }
  branch *b = branch_find(s, args);
  char w[32];
  if (b == NULL) {
    json_t *st = state_json(s->e);
    if (st == NULL || branch_add(s, args, brink_turn(s->e), st)) {
      json_decref(st);
      say(s, "! out of memory\n");
      return false;
    }
    when(s->e, brink_turn(s->e), w, sizeof w);
    say(s, "Branch point '%s' marked at turn %d (%s); /branch %s returns "
        "here.\n", args, brink_turn(s->e), w, args);
    return false;
  }
  char err[512];
  strlist notes = {0};
  /* Names, not ids: a branch point survives a /reload. */
  if (state_restore(s->e, b->state, true, &notes, err, sizeof err)) {
    say(s, "! cannot return to '%s': %s\n", args, err);
    strlist_free(&notes);
    return false;
  }
  char what[300];
  snprintf(what, sizeof what, "Back at branch point '%s'", args);
  jumped(s, what, &notes);
  return true;
}

static void cmd_branches(session *s) {
  if (s->nbranches == 0) {
    say(s, "No branch points yet: /branch NAME marks one.\n");
    return;
  }
  for (int i = 0; i < s->nbranches; i++) {
    char w[32];
    when(s->e, s->branches[i].turn, w, sizeof w);
    say(s, "  %-16s turn %d (%s)\n", s->branches[i].name,
        s->branches[i].turn, w);
  }
}

/* Names declared in one engine and not in the other, for /reload. */
typedef const char *(*name_fn)(const brink_engine *, int);

static int var_count(const brink_engine *e) { return brink_var_count(e); }
static int move_count(const brink_engine *e) { return brink_move_count(e); }
static int trig_count(const brink_engine *e) { return brink_trigger_count(e); }
static int event_count(const brink_engine *e) { return brink_event_count(e); }
static int out_count(const brink_engine *e) { return brink_outcome_count(e); }
static int actor_count(const brink_engine *e) { return brink_actor_count(e); }

static bool has_name(const brink_engine *e, int (*count)(const brink_engine *),
                     name_fn name, const char *n) {
  for (int i = 0; i < count(e); i++)
    if (strcmp(name(e, i), n) == 0) return true;
  return false;
}

static int diff(session *s, const brink_engine *old, const brink_engine *new,
                int (*count)(const brink_engine *), name_fn name,
                const char *what) {
  int changes = 0;
  for (int i = 0; i < count(new); i++)
    if (!has_name(old, count, name, name(new, i))) {
      say(s, "  added %s %s\n", what, name(new, i));
      changes++;
    }
  for (int i = 0; i < count(old); i++)
    if (!has_name(new, count, name, name(old, i))) {
      say(s, "  removed %s %s\n", what, name(old, i));
      changes++;
    }
  return changes;
}

static const char *file_with_sha(session *s, const char *sha) {
  for (int i = 0; i < s->nscenarios; i++) {
    size_t len;
    char *text = read_file(s->scenarios[i], &len), h[65];
    if (text == NULL) continue;
    brink__sha256_hex(text, len, h);
    free(text);
    if (strcmp(h, sha) == 0) return s->scenarios[i];
  }
  return NULL;
}

static bool cmd_reload(session *s, const char *line) {
  const char *path = s->setup.file;
  if (s->replaying) {
    const char *next = s->peek ? s->peek(s) : NULL;
    json_t *r = next ? json_loads(next, 0, NULL) : NULL;
    json_t *sha = r ? json_object_get(r, "sha256") : NULL;
    if (!json_is_string(sha)) {   /* the reload failed when it was made */
      json_decref(r);
      intervention(s, line, NULL);
      return false;
    }
    path = file_with_sha(s, json_string_value(sha));
    if (path == NULL) {
      char msg[600];
      snprintf(msg, sizeof msg, "/reload loaded a scenario text with sha256 "
               "%s, and no file given has it (add it with --scenario FILE)",
               json_string_value(sha));
      free(s->fatal);
      s->fatal = strdup(msg);
      s->stop = true;
      json_decref(r);
      return false;
    }
    json_decref(r);
  }
  brink_engine *ne;
  if (brink_engine_open(&ne, &s->cfg) != BRINK_OK) {
    say(s, "! out of memory\n");
    return false;
  }
  if (brink_load_file(ne, path) != BRINK_OK) {
    intervention(s, line, NULL);
    say(s, "! %s did not load; the scenario in play stays:\n", path);
    int n = brink_diag_count(ne);
    if (n == 0) say(s, "  %s\n", brink_errmsg(ne));
    for (int i = 0; i < n; i++) say(s, "  %s\n", brink_diag_get(ne, i));
    brink_engine_close(ne);
    return false;
  }
  size_t len;
  const char *text = brink_scenario_text(ne, &len);
  char sha[65];
  brink__sha256_hex(text, len, sha);
  intervention(s, line, sha);
  json_t *st = state_json(s->e);
  char err[512];
  strlist notes = {0};
  brink_turn_limit(ne, s->setup.turns);
  if (st == NULL || state_apply(ne, st, true, &notes, err, sizeof err)) {
    say(s, "! %s cannot take the world over: %s; the scenario in play "
        "stays\n", path, st ? err : "out of memory");
    json_decref(st);
    strlist_free(&notes);
    brink_engine_close(ne);
    return false;
  }
  json_decref(st);
  brink_engine *old = s->e;
  say(s, "Reloaded %s:\n", path);
  int changes = diff(s, old, ne, actor_count, brink_actor_id, "actor") +
                diff(s, old, ne, var_count, brink_var_name, "variable") +
                diff(s, old, ne, move_count, brink_move_name, "move") +
                diff(s, old, ne, trig_count, brink_trigger_name, "trigger") +
                diff(s, old, ne, event_count, brink_event_name, "event") +
                diff(s, old, ne, out_count, brink_outcome_name, "outcome");
  if (changes == 0) say(s, "  the same declarations\n");
  for (size_t i = 0; i < notes.n; i++)
    if (strncmp(notes.v[i], "dropped", 7) != 0 &&
        strncmp(notes.v[i], "defaulted", 9) != 0)
      say(s, "  %s\n", notes.v[i]);
  strlist_free(&notes);
  /* Seats and policies by name; what the new text lacks plays by the AI. */
  for (size_t i = 0; i < s->setup.seats.n; i++) {
    int a;
    if (brink_actor_find(ne, s->setup.seats.v[i], &a) == BRINK_OK) {
      brink_seat(ne, a, 1);
      continue;
    }
    say(s, "  the seat of %s is gone with its actor\n", s->setup.seats.v[i]);
    free(s->setup.seats.v[i]);
    memmove(s->setup.seats.v + i, s->setup.seats.v + i + 1,
            sizeof(char *) * (s->setup.seats.n - i - 1));
    s->setup.seats.n--;
    i--;
  }
  for (size_t i = 0; i < s->setup.policies.n; i++) {
    const char *p = s->setup.policies.v[i], *eq = strchr(p, '=');
    char actor[256];
    snprintf(actor, sizeof actor, "%.*s", eq ? (int)(eq - p) : 0, p);
    int a;
    if (eq && brink_actor_find(ne, actor, &a) == BRINK_OK &&
        brink_policy_assign(ne, a, eq + 1) == BRINK_OK)
      continue;
    say(s, "  --policy %s no longer applies: the built-in AI plays\n", p);
    free(s->setup.policies.v[i]);
    memmove(s->setup.policies.v + i, s->setup.policies.v + i + 1,
            sizeof(char *) * (s->setup.policies.n - i - 1));
    s->setup.policies.n--;
    i--;
  }
  int *seen = calloc((size_t)brink_actor_count(ne) + 1, sizeof(int));
  if (seen) {
    free(s->seen_news);
    s->seen_news = seen;
  }
  undo_clear(s);   /* the snapshots belong to the old engine */
  brink_on_record(old, NULL, NULL);
  brink_engine_close(old);
  s->e = ne;
  brink_on_record(ne, on_record, s);
  state_record(s);
  return true;
}

static void cmd_why(session *s, char *args) {
  brink_engine *e = s->e;
  if (!*args) {
    say(s, "! usage: /why VAR (or /why TRIGGER)\n");
    return;
  }
  for (int t = 0; t < brink_trigger_count(e); t++) {
    if (strcmp(brink_trigger_name(e, t), args) != 0) continue;
    int turn = 0;
    for (int i = 0; i < s->model.nentries; i++)
      if (s->model.entries[i].kind == E_TRIGGER && s->model.entries[i].a &&
          strcmp(s->model.entries[i].a, args) == 0)
        turn = s->model.entries[i].turn;
    if (brink_trigger_fired(e, t) == 1 && turn)
      say(s, "trigger %s fired on turn %d.\n", args, turn);
    else if (brink_trigger_fired(e, t) == 1)
      say(s, "trigger %s has fired.\n", args);
    else
      say(s, "trigger %s has not fired: its date has not come, or its "
          "condition did not hold when it was checked (step 3 of each "
          "turn).  /fire %s runs it now.\n", args, args);
    return;
  }
  int v;
  if (brink_var_find(e, args, &v) != BRINK_OK) {
    say(s, "! %s\n", brink_errmsg(e));
    return;
  }
  const char *name = brink_var_name(e, v);
  char now[64];
  brink_var_format(e, v, now, sizeof now);
  int idx[8], n = 0, total = 0;
  for (int i = s->model.nentries - 1; i >= 0; i--) {
    const entry *x = &s->model.entries[i];
    if (x->kind != E_SET || x->a == NULL || strcmp(x->a, name) != 0) continue;
    if (n < 8) idx[n++] = i;
    total++;
  }
  if (n == 0) {
    say(s, "%s is %s: nothing has changed it on this line of play.\n", name,
        now);
    return;
  }
  say(s, "%s is %s.  Its last %s:\n", name, now,
      n == 1 ? "change" : "changes");
  for (int k = n - 1; k >= 0; k--) {
    const entry *x = &s->model.entries[idx[k]];
    say(s, "  turn %-3d %s -> %s  (%s)\n", x->turn, x->b ? x->b : "?",
        x->c ? x->c : "?", x->d ? x->d : "?");
  }
  if (total > n) say(s, "  (%d earlier changes)\n", total - n);
}

int session_report(session *s, const char *path) {
  model m;
  model_init(&m);
  for (size_t i = 0; i < s->log.n; i++)
    model_feed(&m, s->log.v[i], strlen(s->log.v[i]));
  model_finish(&m);
  char err[512];
  int rc = report_write(path, &m, s->e, err, sizeof err);
  model_free(&m);
  if (rc) say(s, "! %s\n", err);
  else say(s, "Report written to %s.\n", path);
  return rc;
}

static const char *const help_text =
    "At a seat's prompt: a move's number, or its name and target "
    "(\"summit DPRK\").\n"
    "Facilitator commands (each is recorded in the log):\n"
    "  /state [ACTOR]       the world (or what ACTOR sees)\n"
    "  /set VAR VALUE       change a variable\n"
    "  /news TEXT           publish a news item\n"
    "  /fire NAME [DATA]    run an event or a trigger now (DATA as JSON)\n"
    "  /odds MOVE P         chance() in MOVE's next effect succeeds with P\n"
    "                       (off: back to the dice)\n"
    "  /undo [N]            back to the start of the turn N turns ago\n"
    "                       (default 1; /undo 0 restarts this turn)\n"
    "  /save FILE           save the session (state, branch points, log)\n"
    "  /load [--force] FILE the world of a save\n"
    "  /branch NAME         mark a branch point, or return to one\n"
    "  /branches            list the branch points\n"
    "  /reload              re-read the scenario file, keep the world\n"
    "  /why VAR             the last changes of VAR and their causes\n"
    "  /report FILE         the after-action report so far (.html or .md)\n"
    "  /help                this list\n"
    "  /quit                end the session (end of input does too)\n";

static const char *const commands[] = {
    "/state", "/set", "/news", "/fire", "/odds", "/undo", "/save", "/load",
    "/branch", "/branches", "/reload", "/why", "/report", "/help", "/quit",
    NULL};

int session_command(session *s, const char *text) {
  char line[4096];
  if (strlen(text) >= sizeof line) {
    say(s, "! that line is too long\n");
    return -1;
  }
  snprintf(line, sizeof line, "%s", text);
  char *t = trim(line);
  char *args = t + strcspn(t, " \t");
  char word[32];
  snprintf(word, sizeof word, "%.*s", (int)(args - t), t);
  args = trim(args);
  int known = -1;
  for (int i = 0; commands[i]; i++)
    if (strcmp(word, commands[i]) == 0) known = i;
  if (known < 0) {
    say(s, "! unknown command '%s' (/help lists them)\n", word);
    return -1;
  }
  if (!utf8_valid(t, strlen(t))) {
    say(s, "! that line is not UTF-8 text\n");
    return -1;
  }
  /* The trail first, then what the command does. */
  if (strcmp(word, "/reload") != 0) intervention(s, t, NULL);
  char *copy = strdup(args);
  if (copy == NULL) return -1;
  bool changed = false;
  switch (known) {
  case 0: show_state(s, *copy ? copy : NULL); break;
  case 1: changed = cmd_set(s, copy); break;
  case 2:
    if (!*copy) {
      say(s, "! usage: /news TEXT\n");
    } else if (brink_news(s->e, copy) != BRINK_OK) {
      say(s, "! %s\n", brink_errmsg(s->e));
    }
    break;
  case 3: cmd_fire(s, copy); changed = true; break;
  case 4: cmd_odds(s, copy); break;
  case 5: changed = cmd_undo(s, copy); break;
  case 6: cmd_save(s, copy); break;
  case 7: changed = cmd_load(s, copy); break;
  case 8: changed = cmd_branch(s, copy); break;
  case 9: cmd_branches(s); break;
  case 10: changed = cmd_reload(s, t); break;
  case 11: cmd_why(s, copy); break;
  case 12:
    if (!*copy) say(s, "! usage: /report FILE\n");
    else if (!s->replaying) session_report(s, copy);
    break;
  case 13:   /* the command's own text, its lines included */
    if (s->out) fputs(help_text, s->out);
    break;
  case 14: s->quit = true; break;
  }
  free(copy);
  return changed ? 1 : 0;
}

/* brink play ------------------------------------------------------------- */

static const char *const play_options[] = {
    "--seat", "--seed", "--policy", "--set", "--turns", "--log", "--resume",
    "--force", "--max-instructions", "--max-memory", "--max-seconds",
    "--no-cache", NULL};

static const char *const play_help =
    "usage: brink play FILE --seat ACTOR [--seat ACTOR...] [options]\n"
    "       brink play --resume SAVE [FILE] [options]\n"
    "\n"
    "A tabletop exercise at one terminal.  Each turn every seated actor is\n"
    "shown what it sees (its own and the public variables), the recent news\n"
    "and its moves, and answers with a move's number or name; the other\n"
    "actors play by the built-in AI or a named policy.  At any prompt the\n"
    "facilitator may type a command: /help lists them.  Without a seat the\n"
    "facilitator steps through the turns.  With stdin not a terminal the\n"
    "same answers and commands are read line by line.\n"
    "\n"
    "  --seat ACTOR          a person plays ACTOR (repeatable)\n"
    "  --seed N              seed of the generator (default: the scenario's)\n"
    "  --policy ACTOR=NAME   ACTOR plays by the scenario's policy NAME\n"
    "  --set VAR=VALUE       start with VAR at VALUE\n"
    "  --turns N             end after N turns\n"
    "  --log FILE            write the session's JSON Lines log to FILE\n"
    "                        as it goes (brink replay and brink report\n"
    "                        read it); never through a symlink\n"
    "  --resume SAVE         go on from a save (its seats, seed, log)\n"
    "  --force               resume a save made with another text of the\n"
    "                        scenario: values are mapped by name\n"
    "  --max-instructions N, --max-memory SIZE, --max-seconds S, --no-cache\n"
    "                        as for brink run\n"
    "\n"
    "exit status: 0 the session ended, 1 scenario or save error, 2 usage\n";

/* One line of input, without its newline; NULL at the end of input. */
static char *read_line(session *s, const char *raw) {
  /* The prompt names an actor: the scenario's text, shown as such. */
  char *prompt = term_text(raw);
  if (prompt == NULL) return NULL;
  if (s->interactive) {
    char *l = readline(prompt);
    free(prompt);
    if (l && *l) add_history(l);
    return l;
  }
  fputs(prompt, stdout);
  free(prompt);
  fflush(stdout);   /* whoever drives the pipe waits for the prompt */
  char *buf = NULL;
  size_t cap = 0;
  ssize_t n = getline(&buf, &cap, stdin);
  if (n < 0) {
    free(buf);
    fputs("\n", stdout);
    return NULL;
  }
  while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r')) buf[--n] = '\0';
  /* A scripted session reads like a typed one. */
  term_printf(stdout, "%s\n", buf);
  return buf;
}

static void banner(session *s) {
  brink_engine *e = s->e;
  const char *title = brink_scenario_field(e, "title");
  const char *id = brink_scenario_field(e, "id");
  say(s, "%s%s%s%s, seed %llu: a tabletop exercise\n", *title ? title : id,
      *title ? " (" : "", *title ? id : "", *title ? ")" : "",
      (unsigned long long)s->setup.seed);
  if (s->setup.seats.n == 0)
    say(s, "No seats: every actor plays by the AI or a policy, and the "
        "facilitator steps through the turns.\n");
  for (size_t i = 0; i < s->setup.seats.n; i++) {
    int a;
    brink_actor_find(e, s->setup.seats.v[i], &a);
    say(s, "%s %s (%s)", i ? "," : "Seats:", s->setup.seats.v[i],
        brink_actor_name(e, a));
  }
  if (s->setup.seats.n) say(s, ".\n");
  say(s, "/help lists the facilitator's commands.\n");
}

/* Asks whether to save before quitting (terminals only). */
static void offer_save(session *s) {
  if (!s->interactive) return;
  char *name = readline("Save before quitting? File name, or Enter for no: ");
  if (name && *trim(name)) {
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "/save %s", trim(name));
    session_command(s, cmd);
  }
  free(name);
}

int cmd_play(int argc, char **argv) {
  options o;
  int rc = parse_options("play", argc, argv, play_options, &o);
  if (rc < 0) {
    fputs(play_help, stdout);
    return 0;
  }
  if (rc) return rc;
  char err[600];
  char *save_file = NULL;
  if (o.resume) {
    if (o.has_seed || o.npolicies || o.nsets || o.nseats || o.turns)
      return usage_error("play", "--resume takes the seats, seed, policies, "
                         "sets and turns from the save");
    if (o.file == NULL) {
      save_file = save_scenario_file(o.resume, err, sizeof err);
      if (save_file == NULL) {
        term_printf(stderr, "brink play: %s: %s (nothing was loaded)\n",
                    o.resume, err);
        return 1;
      }
      o.file = save_file;
    }
  } else if (o.force) {
    return usage_error("play", "--force goes with --resume");
  }
  brink_engine *e;
  if (open_scenario(&o, &e)) {
    free(save_file);
    return 1;
  }
  loaded l;
  memset(&l, 0, sizeof l);
  setup su;
  memset(&su, 0, sizeof su);
  if (o.resume) {
    if (save_load(o.resume, e, o.force, &l, err, sizeof err)) {
      term_printf(stderr, "brink play: %s: %s (nothing was loaded)\n", o.resume,
                  err);
      brink_engine_close(e);
      free(save_file);
      return 1;
    }
    su = l.setup;
    memset(&l.setup, 0, sizeof l.setup);
    free(su.file);
    su.file = strdup(o.file);
  } else {
    setup_init(&su, e, o.file, o.has_seed ? o.seed : brink_scenario_seed(e));
    for (int i = 0; i < o.nseats; i++) strlist_push(&su.seats, o.seats[i]);
    for (int i = 0; i < o.npolicies; i++)
      strlist_push(&su.policies, o.policies[i]);
    for (int i = 0; i < o.nsets; i++) strlist_push(&su.sets, o.sets[i]);
    su.turns = o.turns;
  }
  session s;
  rc = session_init(&s, e, &su, &o.cfg) ? 1 : 0;
  setup_free(&su);
  if (rc == 0) rc = session_configure(&s, "play");
  char why[512];
  if (rc == 0 && o.log &&
      (s.logfile = growing_open(o.log, why, sizeof why)) == NULL) {
    term_printf(stderr, "brink play: cannot write %s: %s\n", o.log, why);
    rc = 1;
  }
  if (rc) goto done;
  s.out = stdout;
  s.interactive = isatty(0);
  banner(&s);
  if (o.resume) {
    if (session_resume(&s, &l, o.resume)) {
      rc = 1;
      goto done;
    }
    print_notes(&s, &l.notes);
    char what[4200];
    snprintf(what, sizeof what, "Resumed from %s", o.resume);
    after_jump(&s, what);
  } else if ((rc = session_start(&s)) != 0) {
    goto done;
  }
  bool show = true, ended = false;
  while (!s.quit && !s.stuck) {
    brink_engine *en = s.e;
    int a = brink_awaiting(en);
    const char *outcome = brink_outcome(en);
    char *line = NULL, prompt[64];
    if (session_at_prompt(&s)) {
      if (outcome && !ended) {
        say(&s, "The scenario has ended: /undo goes back, /branch returns to "
            "a branch point, /report and /save keep it, /quit ends.\n");
        ended = true;
      }
      if (a >= 0 && show) session_show_seat(&s);
      show = false;
      if (outcome) snprintf(prompt, sizeof prompt, "end> ");
      else if (a >= 0) snprintf(prompt, sizeof prompt, "%s> ",
                                brink_actor_id(en, a));
      else snprintf(prompt, sizeof prompt, "turn %d> ", brink_turn(en));
      fflush(stdout);
      line = read_line(&s, prompt);
      if (line == NULL) {
        session_command(&s, "/quit");
        break;
      }
      char *t = trim(line);
      if (*t == '/') {
        if (session_command(&s, t) > 0) {
          show = true;
          ended = false;
        }
        if (s.quit) offer_save(&s);
      } else if (a >= 0) {
        if (session_answer(&s, t) == 0) show = true;
        else if (*t == '\0') show_moves(&s, a);
      } else if (outcome) {
        if (*t) say(&s, "! the scenario has ended: commands only (/help)\n");
      } else if (*t == '\0') {
        s.turn_start = false;   /* Enter: play the turn */
      } else {
        say(&s, "! Enter plays the turn; /help lists the commands\n");
      }
      free(line);
      continue;
    }
    session_step(&s);
    show = true;
  }
  if (s.stuck) rc = 1;
  say(&s, "\nSession over at turn %d", brink_turn(s.e));
  if (o.log) say(&s, "; the log is in %s", o.log);
  say(&s, ".\n");
done:
  fflush(stdout);
  if (s.logfile && fclose(s.logfile) != 0) s.io_error = 1;
  if (s.io_error) {
    term_printf(stderr, "brink play: could not write the log\n");
    if (rc == 0) rc = 1;
  }
  brink_engine *last = s.e;
  session_free(&s);
  brink_engine_close(last);
  loaded_free(&l);
  free(save_file);
  return rc;
}
