/*
** view.c: what each person in the room may see, as JSON.  A seat sees its
** actor's values (the others as hidden), its moves when it is to move,
** and the news and moves of the line of play; the facilitator sees
** everything exactly, the trail of interventions and the branch points; a
** wall screen sees what every actor may see.  Clients render this; none
** of them decides what is hidden.
*/
#include <string.h>

#include "brink_session.h"
#include "session.h"

bool var_seen_by(brink_engine *e, int v, int actor) {
  if (actor == BRINK_VIEW_ALL) return true;
  if (actor != BRINK_VIEW_PUBLIC) return brink_var_visible(e, v, actor) == 1;
  for (int a = 0; a < brink_actor_count(e); a++)
    if (brink_var_visible(e, v, a) != 1) return false;
  return true;
}

static json_t *values(brink_engine *e, int actor, bool *bad) {
  json_t *list = json_array();
  for (int v = 0; v < brink_var_count(e); v++) {
    json_t *o = json_object();
    bool seen = var_seen_by(e, v, actor);
    char text[64] = "hidden";
    double lo, hi;
    bool believed = !seen && belief_shown(e, v, actor, text, sizeof text,
                                          &lo, &hi);
    if (seen) value_shown(e, v, text, sizeof text);
    jput(o, "name", jstr(brink_var_name(e, v)), bad);
    jput(o, "value", seen ? value_json(e, v) : json_null(), bad);
    jput(o, "text", jstr(text), bad);
    jput(o, "hidden", json_boolean(!seen), bad);
    if (believed) {
      json_t *b = json_array();
      jappend(b, value_json_of(e, v, lo), bad);
      jappend(b, value_json_of(e, v, hi), bad);
      jput(o, "belief", b, bad);
    }
    jput(o, "doc", jstr(brink_var_doc(e, v)), bad);
    jappend(list, o, bad);
  }
  return list;
}

/* The options of the actor to move, legal and not, with their reasons. */
static json_t *options(brink_engine *e, int actor, bool *bad) {
  json_t *list = json_array();
  int n;
  if (actor < 0 || brink_options(e, actor, &n) != BRINK_OK) return list;
  for (int i = 0; i < n; i++) {
    int move, target, legal;
    const char *reason;
    if (brink_option_get(e, i, &move, &target, &legal, &reason) != BRINK_OK)
      break;
    const char *name = brink_move_name(e, move);
    const char *tid = target >= 0 ? brink_actor_id(e, target) : NULL;
    char label[256];
    snprintf(label, sizeof label, "%s%s%s", name, tid ? " " : "",
             tid ? tid : "");
    json_t *o = json_object();
    jput(o, "move", jstr(name), bad);
    jput(o, "target", tid ? jstr(tid) : json_null(), bad);
    jput(o, "label", jstr(label), bad);
    jput(o, "doc", jstr(brink_move_doc(e, move)), bad);
    jput(o, "legal", json_boolean(legal), bad);
    jput(o, "reason", jstr(legal ? "" : reason), bad);
    jappend(list, o, bad);
  }
  return list;
}

static const char *const kinds[] = {
    [E_MOVE] = "move",   [E_SET] = "set",     [E_TRIGGER] = "trigger",
    [E_EVENT] = "event", [E_NEWS] = "news",   [E_ERROR] = "error",
    [E_INTERVENTION] = "intervention",        [E_REWIND] = "rewind",
    [E_END] = "end",     [E_BELIEF] = "belief"};

/* The line of play; the people at the tables see its news and moves. */
static json_t *timeline(session *s, bool all, bool *bad) {
  const model *m = &s->model;
  json_t *list = json_array();
  for (int i = 0; i < m->nentries; i++) {
    const entry *x = &m->entries[i];
    if (!all && x->kind != E_NEWS && x->kind != E_MOVE && x->kind != E_END)
      continue;
    json_t *o = json_object();
    jput(o, "turn", json_integer(x->turn), bad);
    jput(o, "date", jstr(x->turn > 0 && x->turn < m->ndates && m->dates[x->turn]
                             ? m->dates[x->turn] : ""), bad);
    jput(o, "kind", jstr(kinds[x->kind]), bad);
    switch (x->kind) {
    case E_MOVE:
      jput(o, "actor", jstr(x->a), bad);
      jput(o, "move", jstr(x->b), bad);
      jput(o, "target", x->c ? jstr(x->c) : json_null(), bad);
      break;
    case E_SET: {
      jput(o, "var", jstr(x->a), bad);
      jput(o, "old", jstr(x->b), bad);
      jput(o, "new", jstr(x->c), bad);
      /* As people read them: the log's text is exact. */
      int v = -1;
      char was[64], now[64];
      if (x->a && brink_var_find(s->e, x->a, &v) != BRINK_OK) v = -1;
      text_shown(s->e, v, x->b, was, sizeof was);
      text_shown(s->e, v, x->c, now, sizeof now);
      jput(o, "old_text", jstr(was), bad);
      jput(o, "new_text", jstr(now), bad);
      jput(o, "cause", jstr(x->d), bad);
      break;
    }
    case E_TRIGGER:
    case E_EVENT: jput(o, "id", jstr(x->a), bad); break;
    case E_NEWS: jput(o, "text", jstr(x->a), bad); break;
    case E_ERROR:
      jput(o, "where", jstr(x->a), bad);
      jput(o, "in", jstr(x->b), bad);
      jput(o, "message", jstr(x->c), bad);
      break;
    case E_INTERVENTION:
    case E_REWIND: jput(o, "command", jstr(x->a), bad); break;
    case E_END: jput(o, "outcome", jstr(x->a), bad); break;
    case E_BELIEF:
      jput(o, "actor", jstr(x->a), bad);
      jput(o, "var", jstr(x->b), bad);
      jput(o, "belief", jstr(x->c), bad);
      jput(o, "cause", jstr(x->d), bad);
      break;
    }
    jappend(list, o, bad);
  }
  return list;
}

/* Whether 'actor' has moved in the current turn on the line of play. */
static bool has_moved(session *s, const char *actor, int turn) {
  const model *m = &s->model;
  for (int i = m->nentries - 1; i >= 0 && m->entries[i].turn >= turn; i--)
    if (m->entries[i].kind == E_MOVE && m->entries[i].turn == turn &&
        m->entries[i].a && strcmp(m->entries[i].a, actor) == 0)
      return true;
  return false;
}

static json_t *seats(session *s, bool *bad) {
  brink_engine *e = s->e;
  json_t *list = json_array();
  for (int a = 0; a < brink_actor_count(e); a++) {
    if (brink_seated(e, a) != 1) continue;
    const char *id = brink_actor_id(e, a);
    json_t *o = json_object();
    jput(o, "actor", jstr(id), bad);
    jput(o, "name", jstr(brink_actor_name(e, a)), bad);
    jput(o, "moved", json_boolean(has_moved(s, id, brink_turn(e))), bad);
    jappend(list, o, bad);
  }
  return list;
}

static const char *status_of(session *s) {
  if (brink_outcome(s->e)) return "ended";
  if (s->stuck || s->quit) return "stopped";
  if (brink_held(s->e)) return "held";
  return "awaiting";
}

static json_t *facilitator_parts(session *s, json_t *o, bool *bad) {
  json_t *trail = json_array(), *branches = json_array();
  for (int i = 0; i < s->model.ntrail; i++) {
    json_t *t = json_object();
    jput(t, "turn", json_integer(s->model.trail[i].turn), bad);
    jput(t, "command", jstr(s->model.trail[i].a), bad);
    jappend(trail, t, bad);
  }
  for (int i = 0; i < s->nbranches; i++) {
    json_t *b = json_object();
    jput(b, "name", jstr(s->branches[i].name), bad);
    jput(b, "turn", json_integer(s->branches[i].turn), bad);
    jappend(branches, b, bad);
  }
  jput(o, "trail", trail, bad);
  jput(o, "branches", branches, bad);
  return o;
}

json_t *session_view(session *s, int actor) {
  brink_engine *e = s->e;
  bool bad = false, all = actor == BRINK_VIEW_ALL;
  json_t *o = json_object(), *scn = json_object();
  jput(scn, "id", jstr(brink_scenario_field(e, "id")), &bad);
  jput(scn, "title", jstr(brink_scenario_field(e, "title")), &bad);
  jput(scn, "brief", jstr(brink_scenario_field(e, "brief")), &bad);
  jput(o, "role", jstr(all ? "facilitator" : actor >= 0 ? "seat"
                                                        : "projector"), &bad);
  if (actor >= 0) {
    jput(o, "actor", jstr(brink_actor_id(e, actor)), &bad);
    jput(o, "name", jstr(brink_actor_name(e, actor)), &bad);
    jput(o, "brief", jstr(brink_actor_brief(e, actor)), &bad);
  }
  jput(o, "version", json_integer((json_int_t)s->log.n), &bad);
  jput(o, "scenario", scn, &bad);
  int turn = brink_turn(e), awaiting = brink_awaiting(e);
  char date[16], when[32];
  date_of_turn(e, turn, date, sizeof date);
  session_when(e, turn, when, sizeof when);
  jput(o, "turn", json_integer(turn), &bad);
  jput(o, "turns", json_integer(brink_turn_count(e)), &bad);
  jput(o, "date", jstr(date), &bad);
  jput(o, "when", jstr(when), &bad);
  jput(o, "status", jstr(status_of(s)), &bad);
  jput(o, "awaiting", awaiting >= 0 ? jstr(brink_actor_id(e, awaiting))
                                    : json_null(), &bad);
  if (actor >= 0)
    jput(o, "your_turn", json_boolean(awaiting == actor), &bad);
  jput(o, "held", json_boolean(brink_hold_on(e)), &bad);
  const char *outcome = brink_outcome(e);
  json_t *oc = json_null();
  if (outcome) {
    int k;
    oc = json_object();
    jput(oc, "id", jstr(outcome), &bad);
    jput(oc, "doc", jstr(brink_outcome_find(e, outcome, &k) == BRINK_OK
                             ? brink_outcome_doc(e, k) : ""), &bad);
  }
  jput(o, "outcome", oc, &bad);
  jput(o, "seats", seats(s, &bad), &bad);
  jput(o, "values", values(e, actor, &bad), &bad);
  /* A team sees its moves while others move, to talk them over; they
     are what it could do now, and are asked again when its turn comes. */
  jput(o, "options", options(e, actor >= 0 ? actor : all ? awaiting : -1,
                             &bad), &bad);
  jput(o, "timeline", timeline(s, all, &bad), &bad);
  if (all) facilitator_parts(s, o, &bad);
  if (bad) {
    json_decref(o);
    return NULL;
  }
  return o;
}
