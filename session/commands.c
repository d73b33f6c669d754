/*
** commands.c: the facilitator's commands (/set, /news, /fire, /odds,
** /undo, /save, /load, /branch, /reload, /why, /report): each leaves an
** intervention record in the log before what it causes, so that a replay
** of the log makes them again at the same place.
*/
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "session.h"

/* facilitator commands --------------------------------------------------- */

static void show_state(session *s, const char *actor_id) {
  brink_engine *e = s->e;
  int actor = -1;
  if (actor_id && brink_actor_find(e, actor_id, &actor) != BRINK_OK) {
    session_refuse(s, "%s", brink_errmsg(e));
    return;
  }
  char w[32];
  session_when(e, brink_turn(e), w, sizeof w);
  session_say_fmt(s, "Turn %d of %d, %s", brink_turn(e), brink_turn_count(e),
                  w);
  if (brink_outcome(e)) session_say_fmt(s, "; ended: %s", brink_outcome(e));
  else if (brink_awaiting(e) >= 0)
    session_say_fmt(s, "; %s to move", brink_actor_id(e, brink_awaiting(e)));
  session_say_fmt(s, "\n");
  if (actor >= 0)
    session_say_fmt(s, "As %s sees it:\n", brink_actor_id(e, actor));
  session_show_vars(s, actor);
  if (actor >= 0) return;
  session_say_fmt(s, "Triggers fired:");
  int nf = 0;
  for (int t = 0; t < brink_trigger_count(e); t++)
    if (brink_trigger_fired(e, t) == 1)
      session_say_fmt(s, "%s %s", nf++ ? "," : "", brink_trigger_name(e, t));
  session_say_fmt(s, "%s\n", nf ? "" : " none");
  int ns = brink_schedule_count(e);
  session_say_fmt(s, "Scheduled:%s", ns ? "" : " nothing");
  for (int i = 0; i < ns; i++) {
    int due, ev;
    brink_schedule_get(e, i, &due, &ev, NULL, NULL);
    session_say_fmt(s, "%s %s on turn %d", i ? "," : "",
                    brink_event_name(e, ev), due);
  }
  session_say_fmt(s, "\n");
  if (s->nbranches) {
    session_say_fmt(s, "Branch points:");
    for (int i = 0; i < s->nbranches; i++)
      session_say_fmt(s, "%s %s (turn %d)", i ? "," : "", s->branches[i].name,
          s->branches[i].turn);
    session_say_fmt(s, "\n");
  }
}

static bool cmd_set(session *s, char *args) {
  char *name = strtok(args, " \t"), *value = strtok(NULL, "");
  if (name == NULL || value == NULL || !*trim_space(value)) {
    session_refuse(s, "usage: /set VAR VALUE");
    return false;
  }
  value = trim_space(value);
  int v;
  if (brink_var_find(s->e, name, &v) != BRINK_OK) {
    session_refuse(s, "%s", brink_errmsg(s->e));
    return false;
  }
  char before[64], after[64];
  double was, now;   /* changed: the values, not their rounded texts */
  brink_var_get(s->e, v, &was);
  brink_var_show(s->e, v, before, sizeof before);
  brink_cause_set(s->e, "facilitator");
  int rc = brink_var_set_text(s->e, v, value);
  brink_cause_set(s->e, "host");
  if (rc != BRINK_OK) {
    session_refuse(s, "%s", brink_errmsg(s->e));
    return false;
  }
  brink_var_show(s->e, v, after, sizeof after);
  brink_var_get(s->e, v, &now);
  session_say_fmt(s, "%s: %s -> %s\n", brink_var_name(s->e, v), before, after);
  return was != now;
}

static void cmd_fire(session *s, char *args) {
  char *name = strtok(args, " \t"), *rest = strtok(NULL, "");
  if (name == NULL) {
    session_refuse(s, "usage: /fire EVENT_OR_TRIGGER [DATA as JSON]");
    return;
  }
  char *data = NULL;
  if (rest && *trim_space(rest)) {
    json_error_t je;
    json_t *j = json_loads(trim_space(rest), JSON_DECODE_ANY, &je);
    if (j == NULL) {
      session_refuse(
          s, "the data must be JSON, e.g. {\"severity\": 10}: %s", je.text);
      return;
    }
    data = json_is_null(j) ? NULL : data_from_json(j);
    bool bad = !json_is_null(j) && data == NULL;
    json_decref(j);
    if (bad) {
      session_refuse(
          s, "that data cannot be event data (too deep, or not finite)");
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
    session_refuse(s, "%s", brink_errmsg(s->e));
}

static void cmd_odds(session *s, char *args) {
  char *name = strtok(args, " \t"), *p = strtok(NULL, " \t");
  int m;
  if (name == NULL || p == NULL || strtok(NULL, " \t")) {
    session_refuse(s, "usage: /odds MOVE P (P from 0 to 1, or off)");
    return;
  }
  if (brink_move_find(s->e, name, &m) != BRINK_OK || m == 0) {
    session_refuse(s, "%s",
                    m == 0 ? "pass has no chances" : brink_errmsg(s->e));
    return;
  }
  char *end;
  double x = strcmp(p, "off") == 0 ? -1 : strtod(p, &end);
  if (strcmp(p, "off") != 0 && (*end || end == p || !(x >= 0 && x <= 1))) {
    session_refuse(s, "P is a probability from 0 to 1 (or off), not '%s'",
                    p);
    return;
  }
  brink_odds(s->e, m, x);
  if (x < 0)
    session_say_fmt(s, "chance() in %s is left to the dice again\n", name);
  else
    session_say_fmt(s,
                    "every chance() in the next effect of %s succeeds with "
                    "probability %g\n",
                    name, x);
}

/* "Back at the start of turn 2 (Nov 2019)", "Loaded x.json: turn 3 ..." */
void session_where(session *s, const char *what) {
  char w[32];
  session_when(s->e, brink_turn(s->e), w, sizeof w);
  size_t n = strlen(what);
  session_say_fmt(s, "%s%s turn %d (%s)", what,
                  n && what[n - 1] == 'f' ? "" : ":", brink_turn(s->e), w);
  if (brink_outcome(s->e))
    session_say_fmt(s, ", ended: %s", brink_outcome(s->e));
  else if (brink_awaiting(s->e) >= 0)
    session_say_fmt(s, ", %s to move",
                    brink_actor_id(s->e, brink_awaiting(s->e)));
  session_say_fmt(s, "\n");
}

static bool cmd_undo(session *s, char *args) {
  long n = 1;
  if (*args) {
    char *end;
    n = strtol(args, &end, 10);
    if (*end || n < 0 || n > 100000) {
      session_refuse(s,
                      "usage: /undo [N] (N turns back; /undo 0 restarts this "
                      "turn)");
      return false;
    }
  }
  int target = brink_turn(s->e) - (int)n;
  branch *u = NULL;
  for (int i = 0; i < s->nundo; i++)
    if (s->undo[i].turn == target) u = &s->undo[i];
  if (u == NULL) {
    if (target < 1) session_refuse(s, "there is no turn %d", target);
    else if (s->nundo)
      session_refuse(s, "/undo reaches back to the start of turn %d here",
          s->undo[0].turn);
    else
      session_refuse(
          s, "no undo point yet (they are kept from the next turn on)");
    return false;
  }
  /* A pending /odds is the white cell's ruling on a roll to come, not
     something that happened: it outlives the undo, as it would have
     waited for the move. */
  int odds_move;
  double odds_p;
  brink_odds_get(s->e, &odds_move, &odds_p);
  if (brink_snapshot_restore(s->e, u->snap) != BRINK_OK) {
    session_refuse(s, "%s", brink_errmsg(s->e));
    return false;
  }
  if (odds_move >= 0) brink_odds(s->e, odds_move, odds_p);
  while (s->nundo && s->undo[s->nundo - 1].turn > target)
    brink_snapshot_free(s->undo[--s->nundo].snap);
  session_state_record(s);
  s->turn_start = true;
  session_where(s, "Back at the start of");
  return true;
}

static void cmd_save(session *s, char *args) {
  if (!*args) {
    session_refuse(s, "usage: /save FILE");
    return;
  }
  if (s->replaying) return;
  char err[512];
  if (save_write(args, s->e, &s->setup, s->branches, s->nbranches, &s->log,
                 err, sizeof err)) {
    session_refuse(s, "cannot save to %s: %s", args, err);
    return;
  }
  session_say_fmt(s, "Saved to %s (turn %d).\n", args, brink_turn(s->e));
}

void session_notes(session *s, const strlist *notes) {
  for (size_t i = 0; i < notes->n; i++)
    session_say_fmt(s, "  %s\n", notes->v[i]);
}

/*
** After the world jumped to another state (/load, /branch): the undo
** history no longer leads here, the log gets a state record, and the
** facilitator is told where play stands and what the jump changed.
*/
static void jumped(session *s, const char *what, strlist *notes) {
  session_undo_clear(s);
  session_state_record(s);
  s->turn_start = false;
  session_where(s, what);
  session_notes(s, notes);
  strlist_free(notes);
}

static bool cmd_load(session *s, char *args) {
  bool force = false;
  if (strncmp(args, "--force", 7) == 0 && (args[7] == ' ' || !args[7])) {
    force = true;
    args = trim_space(args + 7);
  }
  if (!*args) {
    session_refuse(s, "usage: /load [--force] FILE");
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
      session_refuse(s, "cannot load %s: %s (nothing was loaded)", args,
                      err);
      return false;
    }
    /* What loading did (a migration) first, then what restoring did. */
    for (size_t i = 0; i < l.notes.n; i++)
      if (strncmp(l.notes.v[i], "migrated", 8) == 0)
        strlist_push(&notes, l.notes.v[i]);
    int rc = loaded_restore(s->e, &l, force || l.migrated_to, &notes, err,
                            sizeof err);
    loaded_free(&l);
    if (rc) {
      session_refuse(s, "cannot load %s: %s (nothing was loaded)", args,
                      err);
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
    session_refuse(
        s, "usage: /branch NAME (marks this point, or returns to NAME)");
    return false;
  }
  branch *b = session_branch_find(s, args);
  char w[32];
  if (b == NULL) {
    json_t *st = state_json(s->e);
    if (st == NULL || session_branch_add(s, args, brink_turn(s->e), st)) {
      json_decref(st);
      session_refuse(s, "out of memory");
      return false;
    }
    session_when(s->e, brink_turn(s->e), w, sizeof w);
    session_say_fmt(
        s,
        "Branch point '%s' marked at turn %d (%s); /branch %s returns "
        "here.\n",
        args, brink_turn(s->e), w, args);
    return false;
  }
  char err[512];
  strlist notes = {0};
  /* Names, not ids: a branch point survives a /reload. */
  if (state_restore(s->e, b->state, true, &notes, err, sizeof err)) {
    session_refuse(s, "cannot return to '%s': %s", args, err);
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
    session_say_fmt(s, "No branch points yet: /branch NAME marks one.\n");
    return;
  }
  for (int i = 0; i < s->nbranches; i++) {
    char w[32];
    session_when(s->e, s->branches[i].turn, w, sizeof w);
    session_say_fmt(s, "  %-16s turn %d (%s)\n", s->branches[i].name,
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
      session_say_fmt(s, "  added %s %s\n", what, name(new, i));
      changes++;
    }
  for (int i = 0; i < count(old); i++)
    if (!has_name(new, count, name, name(old, i))) {
      session_say_fmt(s, "  removed %s %s\n", what, name(old, i));
      changes++;
    }
  return changes;
}

/*
** The world of 's' carried into 'ne', an engine of another text of the
** scenario: migrated when 'ne' is a newer version (its migrate { } steps,
** on the state and on every branch point), then by name as --force does.
** 'ne' is the session's own until then: on a refusal it is half written
** and 'err' says why; the session is as it was.
*/
static int take_over(session *s, brink_engine *ne, strlist *notes,
                     char *err, size_t cap) {
  int from = scenario_version(s->e), to = scenario_version(ne);
  if (from != to && migrate_check(ne, from, err, cap)) return -1;
  json_t *st = state_json(s->e);
  if (st == NULL) return refuse_with(err, cap, "out of memory");
  if (from == to) {
    int rc = state_apply(ne, st, true, notes, err, cap);
    json_decref(st);
    return rc;
  }
  json_t *m = state_migrate(ne, st, from, "the world", err, cap);
  json_decref(st);
  if (m == NULL) return -1;
  json_t **bs = calloc((size_t)s->nbranches + 1, sizeof *bs);
  int rc = bs ? 0 : refuse_with(err, cap, "out of memory");
  for (int i = 0; rc == 0 && i < s->nbranches; i++) {
    char where[300];
    snprintf(where, sizeof where, "branch point '%s'", s->branches[i].name);
    if ((bs[i] = state_migrate(ne, s->branches[i].state, from, where, err,
                               cap)) == NULL)
      rc = -1;
  }
  if (rc == 0) rc = state_apply(ne, m, true, notes, err, cap);
  json_decref(m);
  /* Branch points keep names, not ids: now the newer text's. */
  for (int i = 0; bs && i < s->nbranches; i++) {
    if (rc == 0) {
      json_decref(s->branches[i].state);
      s->branches[i].state = bs[i];
    } else {
      json_decref(bs[i]);
    }
  }
  free(bs);
  return rc;
}

/*
** 'ne' (which has taken the world over) becomes the session's engine:
** seats and policies by name, what the new text lacks plays by the AI.
*/
static void swap_engine(session *s, brink_engine *ne) {
  for (size_t i = 0; i < s->setup.seats.n; i++) {
    int a;
    if (brink_actor_find(ne, s->setup.seats.v[i], &a) == BRINK_OK) {
      brink_seat(ne, a, 1);
      continue;
    }
    session_say_fmt(s, "  the seat of %s is gone with its actor\n",
                    s->setup.seats.v[i]);
    free(s->setup.seats.v[i]);
    memmove(s->setup.seats.v + i, s->setup.seats.v + i + 1,
            sizeof(char *) * (s->setup.seats.n - i - 1));
    s->setup.seats.n--;
    i--;
  }
  for (size_t i = 0; i < s->setup.policies.n; i++) {
    const char *p = s->setup.policies.v[i];
    if (policy_apply(ne, p) == BRINK_OK) continue;
    session_say_fmt(
        s, "  --policy %s no longer applies: the built-in AI plays\n", p);
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
  session_undo_clear(s);   /* the snapshots belong to the old engine */
  brink_engine *old = s->e;
  brink_on_record(old, NULL, NULL);
  brink_engine_close(old);
  s->e = ne;
  brink_on_record(ne, session_on_record, s);
}

/* The steps a text switch to 'ne' runs: *from to *to - 1, none when the
   two are equal (the same version, or a switch that will be refused). */
static void switch_steps(session *s, brink_engine *ne, int *from, int *to) {
  char err[512];
  *from = scenario_version(s->e);
  *to = scenario_version(ne);
  if (*to < *from || migrate_check(ne, *from, err, sizeof err)) *to = *from;
}

/* An engine of the scenario at 'path', or NULL with the reasons said. */
static brink_engine *open_text(session *s, const char *path,
                               const char *line) {
  brink_engine *ne;
  if (brink_engine_open(&ne, &s->cfg) != BRINK_OK) {
    session_refuse(s, "out of memory");
    return NULL;
  }
  if (brink_load_file(ne, path) == BRINK_OK) {
    brink_turn_limit(ne, s->setup.turns);
    return ne;
  }
  if (line) session_intervention(s, line, NULL);
  session_refuse(s, "%s did not load; the scenario in play stays:", path);
  int n = brink_diag_count(ne);
  if (n == 0) session_say_fmt(s, "  %s\n", brink_errmsg(ne));
  for (int i = 0; i < n; i++)
    session_say_fmt(s, "  %s\n", brink_diag_get(ne, i));
  brink_engine_close(ne);
  return NULL;
}

int session_resume_text(session *s, const char *cmd, const char *path) {
  brink_engine *ne = open_text(s, path, NULL);
  if (ne == NULL) return -1;
  char err[512], sha[65];
  size_t len;
  const char *text = brink_scenario_text(ne, &len);
  brink__sha256_hex(text, len, sha);
  strlist notes = {0};
  int from, to;
  switch_steps(s, ne, &from, &to);
  if (take_over(s, ne, &notes, err, sizeof err)) {
    session_refuse(s, "cannot resume with %s: %s", path, err);
    strlist_free(&notes);
    brink_engine_close(ne);
    return -1;
  }
  strlist_free(&notes);
  swap_engine(s, ne);
  session_resumed(s, cmd, sha, from, to);
  return 0;
}

static bool cmd_reload(session *s, const char *line) {
  const char *path = s->setup.file;
  if (s->replaying) {
    const char *next = s->peek ? s->peek(s) : NULL;
    json_t *r = next ? json_loads(next, 0, NULL) : NULL;
    json_t *sha = r ? json_object_get(r, "sha256") : NULL;
    if (!json_is_string(sha)) {   /* the reload failed when it was made */
      json_decref(r);
      session_intervention(s, line, NULL);
      return false;
    }
    path = file_with_sha(s->scenarios, s->nscenarios,
                         json_string_value(sha));
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
  brink_engine *ne = open_text(s, path, line);
  if (ne == NULL) return false;
  size_t len;
  const char *text = brink_scenario_text(ne, &len);
  char sha[65];
  brink__sha256_hex(text, len, sha);
  int from, to;
  switch_steps(s, ne, &from, &to);
  session_intervention_steps(s, line, sha, from, to);
  char err[512];
  strlist notes = {0};
  if (take_over(s, ne, &notes, err, sizeof err)) {
    session_refuse(s,
                    "%s cannot take the world over: %s; the scenario in play "
                    "stays",
                    path, err);
    strlist_free(&notes);
    brink_engine_close(ne);
    return false;
  }
  session_say_fmt(s, "Reloaded %s:\n", path);
  if (to > from)
    session_say_fmt(s, "  migrated the world from version %d to %d\n", from,
                    to);
  int changes = diff(s, s->e, ne, actor_count, brink_actor_id, "actor") +
                diff(s, s->e, ne, var_count, brink_var_name, "variable") +
                diff(s, s->e, ne, move_count, brink_move_name, "move") +
                diff(s, s->e, ne, trig_count, brink_trigger_name, "trigger") +
                diff(s, s->e, ne, event_count, brink_event_name, "event") +
                diff(s, s->e, ne, out_count, brink_outcome_name, "outcome");
  if (changes == 0) session_say_fmt(s, "  the same declarations\n");
  for (size_t i = 0; i < notes.n; i++)
    if (strncmp(notes.v[i], "dropped", 7) != 0 &&
        strncmp(notes.v[i], "defaulted", 9) != 0)
      session_say_fmt(s, "  %s\n", notes.v[i]);
  strlist_free(&notes);
  swap_engine(s, ne);
  session_state_record(s);
  return true;
}

static void cmd_why(session *s, char *args) {
  brink_engine *e = s->e;
  if (!*args) {
    session_refuse(s, "usage: /why VAR (or /why TRIGGER)");
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
      session_say_fmt(s, "trigger %s fired on turn %d.\n", args, turn);
    else if (brink_trigger_fired(e, t) == 1)
      session_say_fmt(s, "trigger %s has fired.\n", args);
    else
      session_say_fmt(
          s,
          "trigger %s has not fired: its date has not come, or its "
          "condition did not hold when it was checked (step 3 of each "
          "turn).  /fire %s runs it now.\n",
          args, args);
    return;
  }
  int v;
  if (brink_var_find(e, args, &v) != BRINK_OK) {
    session_refuse(s, "%s", brink_errmsg(e));
    return;
  }
  const char *name = brink_var_name(e, v);
  char now[64];
  brink_var_show(e, v, now, sizeof now);
  int idx[8], n = 0, total = 0;
  for (int i = s->model.nentries - 1; i >= 0; i--) {
    const entry *x = &s->model.entries[i];
    if (x->kind != E_SET || x->a == NULL || strcmp(x->a, name) != 0) continue;
    if (n < 8) idx[n++] = i;
    total++;
  }
  if (n == 0) {
    session_say_fmt(s,
                    "%s is %s: nothing has changed it on this line of play.\n",
                    name, now);
    return;
  }
  session_say_fmt(s, "%s is %s.  Its last %s:\n", name, now,
      n == 1 ? "change" : "changes");
  for (int k = n - 1; k >= 0; k--) {
    const entry *x = &s->model.entries[idx[k]];
    char was[64], then[64];
    text_shown(e, v, x->b, was, sizeof was);
    text_shown(e, v, x->c, then, sizeof then);
    session_say_fmt(s, "  turn %-3d %s -> %s  (%s)\n", x->turn, was, then,
                    x->d ? x->d : "?");
  }
  if (total > n) session_say_fmt(s, "  (%d earlier changes)\n", total - n);
}

static bool cmd_hold(session *s, bool on) {
  brink_hold(s->e, on);
  if (on)
    session_say(s, "Turns are held when their moves are made, before they "
                "resolve; /release lets them go on.\n");
  else
    session_say(s, "Released: turns resolve and go on.\n");
  return true;
}

int session_report(session *s, const char *path) {
  char err[512];
  int rc = s->report ? s->report(s, path, err, sizeof err)
                     : (snprintf(err, sizeof err, "reports are not written "
                                 "here"), 1);
  if (rc) session_refuse(s, "%s", err);
  else session_say_fmt(s, "Report written to %s.\n", path);
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
    "  /forecast [N]        N runs on from here (default 500), the AI in\n"
    "                       every seat: how it may end, and what that\n"
    "                       turns on; changes nothing\n"
    "  /preview MOVE [TARGET] [N]\n"
    "                       the seat to move plays MOVE, against what the\n"
    "                       AI would choose: outcome shares side by side,\n"
    "                       N pairs on the same dice; changes nothing\n"
    "  /report FILE         the after-action report so far (.html or .md)\n"
    "  /hold                hold each turn when its moves are made, before\n"
    "                       it resolves (triggers, outcomes), to look,\n"
    "                       /set or /undo 0 first\n"
    "  /release             let the held turn resolve; turns go on again\n"
    "  /help                this list\n"
    "  /quit                end the session (end of input does too)\n";

static const char *const commands[] = {
    "/state", "/set", "/news", "/fire", "/odds", "/undo", "/save", "/load",
    "/branch", "/branches", "/reload", "/why", "/report", "/help", "/quit",
    "/hold", "/release", "/forecast", "/preview", NULL};

int session_command(session *s, const char *text) {
  char line[4096];
  if (strlen(text) >= sizeof line) {
    session_refuse(s, "that line is too long");
    return -1;
  }
  snprintf(line, sizeof line, "%s", text);
  char *t = trim_space(line);
  char *args = t + strcspn(t, " \t");
  char word[32];
  snprintf(word, sizeof word, "%.*s", (int)(args - t), t);
  args = trim_space(args);
  int known = -1;
  for (int i = 0; commands[i]; i++)
    if (strcmp(word, commands[i]) == 0) known = i;
  if (known < 0) {
    session_refuse(s, "unknown command '%s' (/help lists them)", word);
    return -1;
  }
  if (!utf8_valid(t, strlen(t))) {
    session_refuse(s, "that line is not UTF-8 text");
    return -1;
  }
  /* The trail first, then what the command does; a refused command
     leaves none (session_emit writes the intervention before the first
     line the command causes, or it is written once the command is done). */
  s->refusal[0] = '\0';
  s->defer = !s->replaying;   /* a replay runs only what was logged */
  if (strcmp(word, "/reload") != 0) session_intervention(s, t, NULL);
  char *copy = strdup(args);
  bool changed = false, ok = copy != NULL;
  switch (ok ? known : -1) {
  case 0: show_state(s, *copy ? copy : NULL); break;
  case 1: changed = cmd_set(s, copy); break;
  case 2:
    if (!*copy) {
      session_refuse(s, "usage: /news TEXT");
    } else if (brink_news(s->e, copy) != BRINK_OK) {
      session_refuse(s, "%s", brink_errmsg(s->e));
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
    if (!*copy) session_refuse(s, "usage: /report FILE");
    else if (!s->replaying) session_report(s, copy);
    break;
  case 13:   /* the command's own text, its lines included */
    if (s->say) s->say(s->say_ud, help_text);
    break;
  case 14: s->quit = true; break;
  case 15:
  case 16: changed = cmd_hold(s, known == 15); break;
  case 17: session_forecast(s, copy); break;
  case 18: session_preview(s, copy); break;
  }
  free(copy);
  s->defer = false;
  char *held = s->pending;
  s->pending = NULL;
  if (held && !s->refusal[0] && ok) session_emit(s, held);
  free(held);
  if (!ok) return -1;
  return changed ? 1 : 0;
}
