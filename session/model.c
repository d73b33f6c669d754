/*
** model.c: the model of a log, what happened on the line of play that
** counts; brink report and /why read it.
**
** The model follows a log record by record.  Facilitators undo, return to
** branch points and load saves, so a log can hold turns that no longer
** count: each such jump is followed by a "state" record, and the model then
** drops what it had from that turn on.  The interventions themselves stay
** in a trail that nothing drops.  Everything comes from the log alone (a
** log is untrusted: parsed with jansson, every field checked).
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "session.h"


void model_init(model *m) {
  memset(m, 0, sizeof *m);
}

static void entry_free(entry *e) {
  free(e->a);
  free(e->b);
  free(e->c);
  free(e->d);
}

static void mark_free(line_mark *k) {
  free(k->name);
  for (int i = 0; i < k->nentries; i++) entry_free(&k->entries[i]);
  free(k->entries);
  for (int i = 0; i < k->nvars; i++) free(k->v[i]);
  free(k->v);
  free(k->nv);
}

void model_free(model *m) {
  for (int i = 0; i < m->nmarks; i++) mark_free(&m->marks[i]);
  free(m->marks);
  free(m->scenario);
  free(m->engine);
  setup_free(&m->setup);
  for (int i = 0; i < m->ndates; i++) free(m->dates[i]);
  free(m->dates);
  for (int i = 0; i < m->nentries; i++) entry_free(&m->entries[i]);
  free(m->entries);
  for (int i = 0; i < m->ntrail; i++) entry_free(&m->trail[i]);
  free(m->trail);
  for (int i = 0; i < m->nvars; i++) {
    free(m->vars[i].name);
    free(m->vars[i].start);
    free(m->vars[i].end);
    free(m->vars[i].v);
  }
  free(m->vars);
  free(m->outcome);
  free(m->end_date);
  free(m->last_actor);
  memset(m, 0, sizeof *m);
}

static char *dup(const char *s) { return s ? strdup(s) : NULL; }

static entry *add_entry(entry **v, int *n, int *cap) {
  if (*n == *cap) {
    int ncap = *cap ? *cap * 2 : 64;
    entry *t = realloc(*v, sizeof *t * (size_t)ncap);
    if (t == NULL) return NULL;
    *v = t;
    *cap = ncap;
  }
  entry *e = &(*v)[(*n)++];
  memset(e, 0, sizeof *e);
  return e;
}

static void push(model *m, int kind, const char *a, const char *b,
                 const char *c, const char *d) {
  entry *e = add_entry(&m->entries, &m->nentries, &m->capentries);
  if (e == NULL) return;
  e->kind = kind;
  e->turn = m->turn;
  e->a = dup(a);
  e->b = dup(b);
  e->c = dup(c);
  e->d = dup(d);
}

/* A value as people read it: 9, 8.5, true, liberal. */
static char *value_text(json_t *j) {
  char t[64];
  if (json_is_string(j)) return strdup(json_string_value(j));
  if (json_is_true(j)) return strdup("true");
  if (json_is_false(j)) return strdup("false");
  if (json_is_integer(j)) {
    snprintf(t, sizeof t, "%" JSON_INTEGER_FORMAT, json_integer_value(j));
    return strdup(t);
  }
  if (json_is_real(j)) {
    locale_t old = c_locale_enter();
    brink__shortest(json_real_value(j), t, sizeof t);
    c_locale_leave(old);
    return strdup(t);
  }
  return strdup("?");
}

static var_series *var_get(model *m, const char *name) {
  for (int i = 0; i < m->nvars; i++)
    if (strcmp(m->vars[i].name, name) == 0) return &m->vars[i];
  if (m->nvars == m->capvars) {
    int ncap = m->capvars ? m->capvars * 2 : 32;
    var_series *t = realloc(m->vars, sizeof *t * (size_t)ncap);
    if (t == NULL) return NULL;
    m->vars = t;
    m->capvars = ncap;
  }
  var_series *s = &m->vars[m->nvars];
  memset(s, 0, sizeof *s);
  if ((s->name = strdup(name)) == NULL) return NULL;
  m->nvars++;
  return s;
}

/* Makes room for v[0..t]; new places are unknown. */
static bool series_reach(var_series *s, int t) {
  if (t < s->nv) return true;
  double *v = realloc(s->v, sizeof *v * (size_t)(t + 1));
  if (v == NULL) return false;
  for (int i = s->nv; i <= t; i++) v[i] = NAN;
  s->v = v;
  s->nv = t + 1;
  return true;
}

/*
** The value of a variable is known from the first record that shows it:
** until then it was never written, so every earlier turn held it too.
*/
static void learn(model *m, var_series *s, json_t *j, bool is_old) {
  if (s == NULL) return;
  s->numeric = json_is_number(j);
  double x = json_is_number(j) ? json_number_value(j) : NAN;
  if (s->start == NULL) {
    s->start = value_text(j);
    if (series_reach(s, m->last_turn > 0 ? m->last_turn - 1 : 0))
      for (int i = 0; i < s->nv; i++) s->v[i] = x;
  }
  if (!is_old) {
    free(s->end);
    s->end = value_text(j);
  } else if (s->end == NULL) {
    s->end = value_text(j);
  }
  (void)x;
}

static double end_value(const var_series *s) {
  return s->end && s->numeric ? strtod(s->end, NULL) : NAN;
}

/* Closes turn t: every variable's value at its end. */
static void close_turn(model *m, int t) {
  if (t < 0) return;
  for (int i = 0; i < m->nvars; i++) {
    var_series *s = &m->vars[i];
    if (s->start == NULL || !series_reach(s, t)) continue;
    s->v[t] = end_value(s);
  }
}

static const char *jget_str(json_t *o, const char *key) {
  json_t *j = json_object_get(o, key);
  return json_is_string(j) ? json_string_value(j) : NULL;
}

static int jget_int(json_t *o, const char *key, int dflt) {
  json_t *j = json_object_get(o, key);
  if (!json_is_integer(j)) return dflt;
  json_int_t v = json_integer_value(j);
  return v < 0 || v > 100000000 ? dflt : (int)v;
}

static void set_date(model *m, int t, const char *date) {
  if (t < 1 || t > 100000 || date == NULL) return;
  if (t >= m->ndates) {
    char **d = realloc(m->dates, sizeof *d * (size_t)(t + 1));
    if (d == NULL) return;
    for (int i = m->ndates; i <= t; i++) d[i] = NULL;
    m->dates = d;
    m->ndates = t + 1;
  }
  free(m->dates[t]);
  m->dates[t] = strdup(date);
}

static bool starts(const char *s, const char *word) {
  size_t n = strlen(word);
  return s && strncmp(s, word, n) == 0 && (s[n] == '\0' || s[n] == ' ');
}

/* The argument of a command, as play reads it: spaces around it dropped. */
static void arg_of(const char *cmd, char *buf, size_t cap) {
  const char *p = cmd + strcspn(cmd, " \t");
  while (*p == ' ' || *p == '\t') p++;
  snprintf(buf, cap, "%s", p);
  size_t n = strlen(buf);
  while (n && (buf[n - 1] == ' ' || buf[n - 1] == '\t')) buf[--n] = '\0';
}

static line_mark *mark_find(model *m, const char *name) {
  for (int i = 0; i < m->nmarks; i++)
    if (strcmp(m->marks[i].name, name) == 0) return &m->marks[i];
  return NULL;
}

static bool copy_entries(entry **to, int *nto, const entry *from, int n) {
  *to = calloc((size_t)(n ? n : 1), sizeof **to);
  *nto = 0;
  if (*to == NULL) return false;
  for (int i = 0; i < n; i++) {
    entry *d = &(*to)[(*nto)++];
    *d = from[i];
    d->a = dup(from[i].a);
    d->b = dup(from[i].b);
    d->c = dup(from[i].c);
    d->d = dup(from[i].d);
  }
  return true;
}

/* "/branch NAME" for a new NAME marks this point of the line. */
static void mark_line(model *m, const char *name) {
  if (name == NULL || *name == '\0' || mark_find(m, name)) return;
  if (m->nmarks == m->capmarks) {
    int cap = m->capmarks ? m->capmarks * 2 : 8;
    line_mark *t = realloc(m->marks, sizeof *t * (size_t)cap);
    if (t == NULL) return;
    m->marks = t;
    m->capmarks = cap;
  }
  line_mark *k = &m->marks[m->nmarks];
  memset(k, 0, sizeof *k);
  k->name = strdup(name);
  k->v = calloc((size_t)(m->nvars ? m->nvars : 1), sizeof *k->v);
  k->nv = calloc((size_t)(m->nvars ? m->nvars : 1), sizeof *k->nv);
  if (k->name == NULL || k->v == NULL || k->nv == NULL ||
      !copy_entries(&k->entries, &k->nentries, m->entries, m->nentries)) {
    mark_free(k);
    return;
  }
  for (int i = 0; i < m->nvars; i++) {
    var_series *s = &m->vars[i];
    k->v[i] = malloc(sizeof(double) * (size_t)(s->nv ? s->nv : 1));
    if (k->v[i] == NULL) break;
    if (s->nv) memcpy(k->v[i], s->v, sizeof(double) * (size_t)s->nv);
    k->nv[i] = s->nv;
    k->nvars = i + 1;
  }
  m->nmarks++;
}

/* Back to the line as it was when 'k' was marked. */
static void restore_line(model *m, const line_mark *k) {
  entry *copy;
  int n;
  if (!copy_entries(&copy, &n, k->entries, k->nentries)) return;
  for (int i = 0; i < m->nentries; i++) entry_free(&m->entries[i]);
  free(m->entries);
  m->entries = copy;
  m->nentries = n;
  m->capentries = k->nentries ? k->nentries : 1;
  for (int i = 0; i < k->nvars && i < m->nvars; i++) {
    var_series *s = &m->vars[i];
    if (!series_reach(s, k->nv[i] ? k->nv[i] - 1 : 0)) continue;
    if (k->nv[i]) memcpy(s->v, k->v[i], sizeof(double) * (size_t)k->nv[i]);
    s->nv = k->nv[i];
  }
}

/*
** A state record: after /undo, /branch and /load the world jumped to turn
** k, and what the line held from k on no longer counts.  After /reload and
** --resume the world stayed where it was; only its values are news.
*/
/*
** Drops what the line holds of turn k from the place a loaded state names
** on.  Saves are made at prompts: the turn's start (PHASE_TURN_START,
** index 0) before anything of it, or
** an actor awaiting its next move, after the moves of those before it.
** Moves come in turn in actor order, each followed by what it caused, so
** that place is the awaiting actor's first move not yet made.  A save held
** before the turn resolved keeps all of its moves.
*/
static void cut_at_place(model *m, int k, json_t *state) {
  const char *awaiting = jget_str(state, "awaiting");
  int made = jget_int(state, "moves_made", 0), cut = -1;
  if (jget_int(state, "phase", -1) == PHASE_TURN_START &&
      jget_int(state, "index", -1) == 0)
    cut = 0;
  for (int i = 0; i < m->nentries && cut < 0 && awaiting; i++) {
    const entry *x = &m->entries[i];
    if (x->turn == k && x->kind == E_MOVE && x->a &&
        strcmp(x->a, awaiting) == 0 && made-- == 0)
      cut = i;
  }
  if (cut < 0) return;
  while (m->nentries > cut && m->entries[m->nentries - 1].turn >= k)
    entry_free(&m->entries[--m->nentries]);
}

static void rewind_to(model *m, int k, json_t *state) {
  const char *cmd = NULL;
  for (int i = m->ntrail - 1; i >= 0 && cmd == NULL; i--) cmd = m->trail[i].a;
  if (!starts(cmd, "/undo") && !starts(cmd, "/branch") &&
      !starts(cmd, "/load")) {
    json_t *values = json_object_get(state, "values");
    const char *name;
    json_t *j;
    json_object_foreach(values, name, j) learn(m, var_get(m, name), j, false);
    return;
  }
  int from = m->turn;
  bool undo = starts(cmd, "/undo");
  char bname[256];
  arg_of(cmd, bname, sizeof bname);
  const line_mark *back = starts(cmd, "/branch") ? mark_find(m, bname) : NULL;
  if (back) {
    restore_line(m, back);
  } else {
    /* /undo goes to a turn's start; a loaded save may be anywhere in
       turn k: the line keeps what came before the place it names. */
    int keep = undo ? k : k + 1;
    while (m->nentries > 0 && m->entries[m->nentries - 1].turn >= keep)
      entry_free(&m->entries[--m->nentries]);
    if (!undo) cut_at_place(m, k, state);
  }
  m->turn = k;
  m->last_turn = k;
  char t[32];
  snprintf(t, sizeof t, "%d", from);
  push(m, E_REWIND, cmd ? cmd : "", t, NULL, NULL);
  free(m->outcome);
  m->outcome = NULL;
  json_t *values = json_object_get(state, "values");
  const char *name;
  json_t *j;
  json_object_foreach(values, name, j) {
    var_series *s = var_get(m, name);
    if (s == NULL) continue;
    learn(m, s, j, false);
  }
  for (int i = 0; i < m->nvars; i++) {
    var_series *s = &m->vars[i];
    if (s->nv > k) s->nv = k;
  }
  if (undo) close_turn(m, k - 1);
  const char *outcome = jget_str(state, "outcome");
  if (outcome) m->outcome = strdup(outcome);
}

void model_feed(model *m, const char *line, size_t len) {
  m->lines++;
  json_error_t je;
  json_t *r = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je);
  char err[256];
  const char *t = r ? jget_str(r, "t") : NULL;
  if (t == NULL || record_valid(NULL, r, false, "line", err, sizeof err)) {
    m->bad_lines++;
    json_decref(r);
    return;
  }
  int turn = jget_int(r, "turn", m->turn);
  /* A record of a later turn may come before that turn's own record (a
     facilitator's command at a turn's start): the turn before ends here,
     and what follows belongs to the record's turn, as the log says. */
  bool later = strcmp(t, "start") != 0 && strcmp(t, "setup") != 0 &&
               strcmp(t, "state") != 0 && turn > m->turn;
  if (later) {
    close_turn(m, turn - 1);
    m->turn = turn;
  }
  if (strcmp(t, "start") == 0) {
    free(m->scenario);
    free(m->engine);
    m->scenario = dup(jget_str(r, "scenario"));
    m->engine = dup(jget_str(r, "engine"));
    json_t *seed = json_object_get(r, "seed");
    if (!seed_read(seed, &m->seed)) m->seed = 0;
    m->turn = 1;
  } else if (strcmp(t, "setup") == 0) {
    setup_free(&m->setup);
    m->has_setup = setup_parse(r, &m->setup, err, sizeof err) == 0;
    if (!m->has_setup) m->bad_lines++;
  } else if (strcmp(t, "turn") == 0) {
    if (!later) close_turn(m, turn - 1);
    m->turn = turn;
    m->last_turn = turn;
    set_date(m, turn, jget_str(r, "date"));
  } else if (strcmp(t, "move") == 0) {
    m->turn = turn;
    const char *actor = jget_str(r, "actor");
    free(m->last_actor);
    m->last_actor = dup(actor);
    push(m, E_MOVE, actor, jget_str(r, "move"), jget_str(r, "target"), NULL);
  } else if (strcmp(t, "set") == 0) {
    const char *var = jget_str(r, "var"), *cause = jget_str(r, "cause");
    json_t *old = json_object_get(r, "old"), *new = json_object_get(r, "new");
    if (var == NULL || old == NULL || new == NULL) {
      m->bad_lines++;
    } else {
      var_series *s = var_get(m, var);
      learn(m, s, old, true);
      learn(m, s, new, false);
      char *a = value_text(old), *b = value_text(new);
      char why[256];
      snprintf(why, sizeof why, "%s", cause ? cause : "");
      if (cause && strncmp(cause, "move:", 5) == 0 && m->last_actor)
        snprintf(why, sizeof why, "%s by %s", cause, m->last_actor);
      push(m, E_SET, var, a, b, why);
      free(a);
      free(b);
    }
  } else if (strcmp(t, "belief") == 0) {
    /* a: the actor, b: the variable, c: "20\u201340" or "30" (an en
       dash: values may be negative), d: the cause */
    char *lo = value_text(json_object_get(r, "lo"));
    char *hi = value_text(json_object_get(r, "hi"));
    size_t n = lo && hi ? strlen(lo) + strlen(hi) + 4 : 1;
    char *text = malloc(n);
    if (text && (!lo || !hi)) *text = '\0';
    else if (text && strcmp(lo, hi) == 0) snprintf(text, n, "%s", lo);
    else if (text) snprintf(text, n, "%s\u2013%s", lo, hi);
    push(m, E_BELIEF, jget_str(r, "actor"), jget_str(r, "var"), text,
         jget_str(r, "cause"));
    free(text);
    free(lo);
    free(hi);
  } else if (strcmp(t, "trigger") == 0 || strcmp(t, "event") == 0) {
    push(m, t[0] == 't' ? E_TRIGGER : E_EVENT, jget_str(r, "id"), NULL, NULL,
         NULL);
  } else if (strcmp(t, "news") == 0) {
    push(m, E_NEWS, jget_str(r, "text"), NULL, NULL, NULL);
  } else if (strcmp(t, "error") == 0) {
    push(m, E_ERROR, jget_str(r, "where"), jget_str(r, "in"),
         jget_str(r, "message"), NULL);
  } else if (strcmp(t, "intervention") == 0) {
    const char *cmd = jget_str(r, "command");
    if (starts(cmd, "/branch")) {
      char name[256];
      arg_of(cmd, name, sizeof name);
      mark_line(m, name);
    }
    push(m, E_INTERVENTION, cmd, NULL, NULL, NULL);
    entry *e = add_entry(&m->trail, &m->ntrail, &m->captrail);
    if (e) {
      e->kind = E_INTERVENTION;
      e->turn = turn;
      e->a = dup(cmd);
    }
  } else if (strcmp(t, "state") == 0) {
    json_t *st = json_object_get(r, "state");
    if (!json_is_object(st)) m->bad_lines++;
    else rewind_to(m, jget_int(st, "turn", 1), st);
  } else if (strcmp(t, "end") == 0) {
    m->turn = turn;
    json_t *final = json_object_get(r, "final");
    const char *name;
    json_t *j;
    json_object_foreach(final, name, j) learn(m, var_get(m, name), j, false);
    close_turn(m, turn);
    free(m->outcome);
    free(m->end_date);
    m->outcome = dup(jget_str(r, "outcome"));
    m->end_date = dup(jget_str(r, "date"));
    m->end_turn = turn;
    push(m, E_END, m->outcome, NULL, NULL, NULL);
  } else {
    m->bad_lines++;
  }
  json_decref(r);
}

void model_finish(model *m) {
  int last = m->outcome ? m->end_turn : m->last_turn;
  if (!m->outcome) close_turn(m, last);
  for (int i = 0; i < m->nvars; i++) {
    var_series *s = &m->vars[i];
    if (s->nv > last + 1) s->nv = last + 1;
  }
}
