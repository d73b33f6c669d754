/*
** report.c: brink report, the after-action report, and the model of a log
** that it and play's /why read.
**
** The model follows a log record by record.  Facilitators undo, return to
** branch points and load saves, so a log can hold turns that no longer
** count: each such jump is followed by a "state" record, and the model then
** drops what it had from that turn on.  The interventions themselves stay
** in a trail that nothing drops.  Everything comes from the log alone (a
** log is untrusted: parsed with jansson, every field checked, every string
** escaped on the way out); the scenario, when it can be found, only lends
** display names.
*/
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "tabletop.h"

/* the model -------------------------------------------------------------- */

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
    double x = json_real_value(j);
    snprintf(t, sizeof t, "%.15g", x);
    if (strtod(t, NULL) != x) snprintf(t, sizeof t, "%.17g", x);
    return strdup(t);
  }
  return strdup("?");
}

static series *var_get(model *m, const char *name) {
  for (int i = 0; i < m->nvars; i++)
    if (strcmp(m->vars[i].name, name) == 0) return &m->vars[i];
  if (m->nvars == m->capvars) {
    int ncap = m->capvars ? m->capvars * 2 : 32;
    series *t = realloc(m->vars, sizeof *t * (size_t)ncap);
    if (t == NULL) return NULL;
    m->vars = t;
    m->capvars = ncap;
  }
  series *s = &m->vars[m->nvars];
  memset(s, 0, sizeof *s);
  if ((s->name = strdup(name)) == NULL) return NULL;
  m->nvars++;
  return s;
}

/* Makes room for v[0..t]; new places are unknown. */
static bool series_reach(series *s, int t) {
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
static void learn(model *m, series *s, json_t *j, bool is_old) {
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

static double end_value(const series *s) {
  return s->end && s->numeric ? strtod(s->end, NULL) : NAN;
}

/* Closes turn t: every variable's value at its end. */
static void close_turn(model *m, int t) {
  if (t < 0) return;
  for (int i = 0; i < m->nvars; i++) {
    series *s = &m->vars[i];
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
    series *s = &m->vars[i];
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
    series *s = &m->vars[i];
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
       turn k, so what this line held of turn k stays. */
    int keep = undo ? k : k + 1;
    while (m->nentries > 0 && m->entries[m->nentries - 1].turn >= keep)
      entry_free(&m->entries[--m->nentries]);
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
    series *s = var_get(m, name);
    if (s == NULL) continue;
    learn(m, s, j, false);
  }
  for (int i = 0; i < m->nvars; i++) {
    series *s = &m->vars[i];
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
  const char *t = r ? jget_str(r, "t") : NULL;
  if (t == NULL) {
    m->bad_lines++;
    json_decref(r);
    return;
  }
  int turn = jget_int(r, "turn", m->turn);
  if (strcmp(t, "start") == 0) {
    free(m->scenario);
    free(m->engine);
    m->scenario = dup(jget_str(r, "scenario"));
    m->engine = dup(jget_str(r, "engine"));
    json_t *seed = json_object_get(r, "seed");
    if (!seed_read(seed, &m->seed)) m->seed = 0;
    m->turn = 1;
  } else if (strcmp(t, "setup") == 0) {
    char err[256];
    setup_free(&m->setup);
    m->has_setup = setup_parse(r, &m->setup, err, sizeof err) == 0;
    if (!m->has_setup) m->bad_lines++;
  } else if (strcmp(t, "turn") == 0) {
    close_turn(m, turn - 1);
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
      series *s = var_get(m, var);
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
    series *s = &m->vars[i];
    if (s->nv > last + 1) s->nv = last + 1;
  }
}

/* writing ---------------------------------------------------------------- */

typedef struct out {
  FILE *f;
  model *m;
  brink_engine *e;
  bool md;
} out;

static void pr(out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void pr(out *o, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vfprintf(o->f, fmt, ap);
  va_end(ap);
}

/* Text from the log into HTML, Markdown or a Markdown code span: the
   escaping of every command's output is text.c's. */
static void esc(out *o, const char *s) {
  if (s) html_put(o->f, s);
}

static void mesc(out *o, const char *s) {
  if (s) md_put(o->f, s);
}

static void mcode(out *o, const char *s) { md_code_put(o->f, s); }

static void text(out *o, const char *s) {
  if (o->md) mesc(o, s);
  else esc(o, s);
}

static const char *months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* "2019-10-01" as "Oct 2019" (long) or "Oct 19" (short) when turns start
   on the first of a month, else as it is. */
static void date_label(const char *d, bool short_form, char *buf, size_t cap) {
  int y, mo, da;
  if (d && sscanf(d, "%4d-%2d-%2d", &y, &mo, &da) == 3 && mo >= 1 &&
      mo <= 12 && da == 1) {
    if (short_form) snprintf(buf, cap, "%s %02d", months[mo - 1], y % 100);
    else snprintf(buf, cap, "%s %d", months[mo - 1], y);
  } else {
    snprintf(buf, cap, "%s", d ? d : "");
  }
}

static const char *turn_date(const model *m, int t) {
  return t >= 1 && t < m->ndates && m->dates[t] ? m->dates[t] : NULL;
}

static const char *actor_name(out *o, const char *id) {
  int a;
  if (o->e && id && brink_actor_find(o->e, id, &a) == BRINK_OK) {
    const char *n = brink_actor_name(o->e, a);
    if (n && *n && strcmp(n, id) != 0) return n;
  }
  return NULL;
}

/* A number for people: at most a few decimals. */
static void num_text(double x, char *buf, size_t cap) {
  if (!isfinite(x)) {
    snprintf(buf, cap, "-");
  } else if (x == floor(x) && fabs(x) < 1e15) {
    snprintf(buf, cap, "%.0f", x);
  } else {
    snprintf(buf, cap, fabs(x) >= 100 ? "%.1f" : "%.2f", x);
    char *p = buf + strlen(buf) - 1;
    while (*p == '0') *p-- = '\0';
    if (*p == '.') *p = '\0';
  }
}

static void value_for_people(const char *v, bool numeric, char *buf,
                             size_t cap) {
  if (v && numeric) num_text(strtod(v, NULL), buf, cap);
  else snprintf(buf, cap, "%s", v ? v : "-");
}

/*
** How far a variable moved over the turns: against its declared range when
** the scenario is at hand (a trust of -100..100 moving by 12 is not news),
** else against its own size.
*/
static double movement(const out *o, const series *s) {
  if (!s->numeric || s->nv < 2) return 0;
  double lo = INFINITY, hi = -INFINITY;
  for (int i = 0; i < s->nv; i++)
    if (isfinite(s->v[i])) {
      if (s->v[i] < lo) lo = s->v[i];
      if (s->v[i] > hi) hi = s->v[i];
    }
  if (!(hi > lo)) return 0;
  int v;
  double min, max;
  if (o->e && brink_var_find(o->e, s->name, &v) == BRINK_OK &&
      brink_var_bounds(o->e, v, &min, &max) == BRINK_OK && isfinite(min) &&
      isfinite(max) && max > min)
    return fmin((hi - lo) / (max - min), 1);
  return (hi - lo) / fmax(fmax(fabs(hi), fabs(lo)), 1);
}

static int by_movement(const void *a, const void *b) {
  const series *x = *(series *const *)a, *y = *(series *const *)b;
  if (x->moved != y->moved) return x->moved < y->moved ? 1 : -1;
  return strcmp(x->name, y->name);
}

static bool changed(const series *s) {
  return s->start && s->end && strcmp(s->start, s->end) != 0;
}

/* Commands that only look: left out of the report's trail. */
static bool looks_only(const char *cmd) {
  static const char *const views[] = {"/state", "/why", "/help", "/branches",
                                      "/report", "/quit", "/save", NULL};
  if (cmd == NULL) return true;
  for (int i = 0; views[i]; i++) {
    size_t n = strlen(views[i]);
    if (strncmp(cmd, views[i], n) == 0 && (cmd[n] == '\0' || cmd[n] == ' '))
      return true;
  }
  return false;
}

/* "nice" tick steps: 1, 2, 2.5, 5 times a power of ten */
static double nice_step(double range, int ticks) {
  double raw = range / ticks, p = pow(10, floor(log10(raw))), f = raw / p;
  double nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
  return nice * p;
}

static void chart(out *o, const series *s, const bool *marks) {
  const double W = 460, H = 210, L = 52, R = 24, T = 14, B = 34;
  double lo = INFINITY, hi = -INFINITY;
  for (int i = 0; i < s->nv; i++)
    if (isfinite(s->v[i])) {
      lo = fmin(lo, s->v[i]);
      hi = fmax(hi, s->v[i]);
    }
  if (!isfinite(lo)) return;
  if (hi == lo) {
    hi += 1;
    lo -= 1;
  }
  double step = nice_step(hi - lo, 4);
  double y0 = floor(lo / step) * step, y1 = ceil(hi / step) * step;
  int n = s->nv > 1 ? s->nv - 1 : 1;
  double pw = W - L - R, ph = H - T - B;
#define X(i) (L + pw * (double)(i) / n)
#define Y(v) (T + ph * (1 - ((v) - y0) / (y1 - y0)))
  pr(o, "<svg viewBox=\"0 0 %.0f %.0f\" width=\"100%%\" role=\"img\" "
     "aria-label=\"", W, H);
  esc(o, s->name);
  pr(o, " by turn\">\n");
  for (double v = y0; v <= y1 + step / 2; v += step) {
    char t[32];
    num_text(fabs(v) < step / 1e6 ? 0 : v, t, sizeof t);
    pr(o, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" "
       "class=\"grid\"/><text x=\"%.1f\" y=\"%.1f\" class=\"yl\">%s</text>\n",
       L, W - R, Y(v), Y(v), L - 6, Y(v) + 4, t);
  }
  int every = n <= 8 ? 1 : n <= 16 ? 2 : n <= 32 ? 4 : (n + 7) / 8;
  for (int i = 0; i <= n && i < s->nv; i++) {
    /* Turn i runs from point i-1 to point i: its mark goes between. */
    if (marks && i > 0 && marks[i])
      pr(o, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" "
         "class=\"mark\"/>\n", X(i - 0.5), X(i - 0.5), T, T + ph);
    if (i % every && i != n) continue;
    char t[32];
    if (i == 0) snprintf(t, sizeof t, "start");
    else date_label(turn_date(o->m, i), true, t, sizeof t);
    if (i != 0 && !*t) snprintf(t, sizeof t, "%d", i);
    pr(o, "<text x=\"%.1f\" y=\"%.1f\" class=\"xl\">", X(i), H - B + 16);
    esc(o, t);
    pr(o, "</text>\n");
  }
  pr(o, "<polyline class=\"line\" points=\"");
  for (int i = 0; i < s->nv; i++)
    if (isfinite(s->v[i])) pr(o, "%.1f,%.1f ", X(i), Y(s->v[i]));
  pr(o, "\"/>\n");
  for (int i = 0; i < s->nv; i++)
    if (isfinite(s->v[i]))
      pr(o, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.6\" class=\"dot\"/>\n",
         X(i), Y(s->v[i]));
  pr(o, "</svg>\n");
#undef X
#undef Y
}

static void sparkline(out *o, const series *s) {
  static const char *bars[] = {"\u2581", "\u2582", "\u2583", "\u2584",
                               "\u2585", "\u2586", "\u2587", "\u2588"};
  double lo = INFINITY, hi = -INFINITY;
  for (int i = 0; i < s->nv; i++)
    if (isfinite(s->v[i])) {
      lo = fmin(lo, s->v[i]);
      hi = fmax(hi, s->v[i]);
    }
  for (int i = 0; i < s->nv; i++) {
    if (!isfinite(s->v[i])) {
      fputs(" ", o->f);
      continue;
    }
    int k = hi > lo ? (int)((s->v[i] - lo) / (hi - lo) * 7 + 0.5) : 3;
    fputs(bars[k < 0 ? 0 : k > 7 ? 7 : k], o->f);
  }
}

static const char *const css =
    "body{font:15px/1.5 'Source Sans 3','Helvetica Neue',Arial,sans-serif;"
    "color:#1c2433;max-width:1020px;margin:28px auto;padding:0 28px}"
    "header{border-bottom:4px solid #1c2433;padding-bottom:14px}"
    ".kicker{text-transform:uppercase;letter-spacing:.14em;font-size:12px;"
    "font-weight:700;color:#9a6700}"
    "h1{font:700 30px/1.2 Georgia,'Times New Roman',serif;margin:6px 0 4px}"
    ".meta{color:#5a6272;font-size:14px}"
    "h2{font:700 19px/1.3 Georgia,serif;margin:30px 0 10px;padding-bottom:4px;"
    "border-bottom:1px solid #d5dae2}"
    ".summary{display:grid;grid-template-columns:1.3fr 1fr 1fr 1fr;gap:12px;"
    "margin-top:18px}"
    ".card{border:1px solid #d5dae2;border-radius:6px;padding:10px 14px}"
    ".card .k{font-size:12px;text-transform:uppercase;letter-spacing:.08em;"
    "color:#5a6272}.card .v{font-size:22px;font-weight:700}"
    ".card.outcome{background:#1c2433;color:#fff;border-color:#1c2433}"
    ".card.outcome .k{color:#c9d1de}"
    ".brief{background:#f6f7f9;border-left:4px solid #9a6700;padding:2px 16px;"
    "margin:18px 0}.brief p{margin:8px 0}"
    "table{border-collapse:collapse;width:100%;font-size:14px}"
    "th{text-align:left;font-size:12px;text-transform:uppercase;"
    "letter-spacing:.06em;color:#5a6272;border-bottom:2px solid #d5dae2}"
    "th,td{padding:4px 8px}td{border-bottom:1px solid #eceff3}"
    "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
    ".charts{display:grid;grid-template-columns:1fr 1fr;gap:14px}"
    "figure{margin:0;border:1px solid #e1e5eb;border-radius:6px;"
    "padding:8px 10px 2px;break-inside:avoid}"
    "figcaption{font-weight:700;font-size:14px}"
    "figcaption span{font-weight:400;color:#5a6272}"
    "svg .grid{stroke:#e6e9ee;stroke-width:1}"
    "svg .mark{stroke:#d29b00;stroke-width:1.5;stroke-dasharray:4 3}"
    "svg .line{fill:none;stroke:#24527a;stroke-width:2.4}"
    "svg .dot{fill:#24527a}"
    "svg text{font:11px Arial,sans-serif;fill:#5a6272}"
    "svg .yl{text-anchor:end}svg .xl{text-anchor:middle}"
    ".turn{display:grid;grid-template-columns:120px 1fr;gap:12px;"
    "border-top:1px solid #eceff3;padding:7px 0;break-inside:avoid}"
    ".turn .when{font-weight:700}.turn .when span{display:block;"
    "font-weight:400;color:#5a6272;font-size:13px}"
    ".turn ul{list-style:none;margin:0;padding:0}"
    ".turn li{padding:1px 0 1px 70px;text-indent:-70px}"
    ".tag{display:inline-block;width:70px;text-indent:0;font-size:11px;"
    "font-weight:700;"
    "text-transform:uppercase;letter-spacing:.05em;color:#5a6272}"
    "li.news{font-style:italic}"
    "li.trigger .tag,li.event .tag{color:#8a1c1c}"
    "li.fac{background:#fff5d6;border-left:3px solid #d29b00;"
    "padding-left:6px}li.fac .tag{color:#9a6700}"
    "li.error{color:#8a1c1c}li.rewind{color:#5a6272}"
    "li.end{font-weight:700}"
    ".passes{color:#5a6272;font-size:13px}"
    ".legend{font-size:13px;color:#5a6272}"
    ".legend i{display:inline-block;width:18px;border-top:2px dashed #d29b00;"
    "vertical-align:middle;margin-right:4px}"
    "footer{margin-top:36px;border-top:1px solid #d5dae2;padding-top:8px;"
    "font-size:12px;color:#5a6272}"
    "code{font:13px 'DejaVu Sans Mono',monospace;background:#f1f3f6;"
    "padding:0 4px;border-radius:3px}"
    "@media print{body{margin:0;max-width:none}.charts{gap:8px}"
    "h2{break-after:avoid}}";

static void who_plays(out *o, strlist *rows) {
  model *m = o->m;
  /* Actors: seats, then policies; the rest play by the AI. */
  for (size_t i = 0; i < m->setup.seats.n; i++) {
    char t[512];
    const char *n = actor_name(o, m->setup.seats.v[i]);
    snprintf(t, sizeof t, "%s\t%s\ta seat at the table", m->setup.seats.v[i],
             n ? n : "");
    strlist_push(rows, t);
  }
  for (size_t i = 0; i < m->setup.policies.n; i++) {
    const char *p = m->setup.policies.v[i], *eq = strchr(p, '=');
    char id[256], t[600];
    snprintf(id, sizeof id, "%.*s", eq ? (int)(eq - p) : 0, p);
    const char *n = actor_name(o, id);
    snprintf(t, sizeof t, "%s\t%s\tpolicy %s", id, n ? n : "",
             eq ? eq + 1 : "");
    strlist_push(rows, t);
  }
  if (o->e) {
    for (int a = 0; a < brink_actor_count(o->e); a++) {
      const char *id = brink_actor_id(o->e, a);
      bool listed = false;
      for (size_t i = 0; i < rows->n && !listed; i++)
        listed = strncmp(rows->v[i], id, strlen(id)) == 0 &&
                 rows->v[i][strlen(id)] == '\t';
      if (listed) continue;
      char t[512];
      const char *n = actor_name(o, id);
      snprintf(t, sizeof t, "%s\t%s\tthe built-in AI", id, n ? n : "");
      strlist_push(rows, t);
    }
  }
}

/* The row fields of who_plays(). */
static void fields(const char *row, char *a, char *b, char *c, size_t cap) {
  const char *t1 = strchr(row, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
  if (t1 == NULL || t2 == NULL) {
    snprintf(a, cap, "%s", row);
    *b = *c = '\0';
    return;
  }
  snprintf(a, cap, "%.*s", (int)(t1 - row), row);
  snprintf(b, cap, "%.*s", (int)(t2 - t1 - 1), t1 + 1);
  snprintf(c, cap, "%s", t2 + 1);
}

static void entry_html(out *o, const entry *e) {
  switch (e->kind) {
  case E_MOVE:
    pr(o, "<li class=\"move\"><span class=\"tag\">");
    esc(o, e->a);
    pr(o, "</span>");
    esc(o, e->b);
    if (e->c) {
      pr(o, " &rarr; ");
      esc(o, e->c);
    }
    pr(o, "</li>\n");
    break;
  case E_TRIGGER:
  case E_EVENT:
    pr(o, "<li class=\"%s\"><span class=\"tag\">%s</span>",
       e->kind == E_TRIGGER ? "trigger" : "event",
       e->kind == E_TRIGGER ? "trigger" : "event");
    esc(o, e->a);
    pr(o, "</li>\n");
    break;
  case E_NEWS:
    pr(o, "<li class=\"news\"><span class=\"tag\">news</span>");
    esc(o, e->a);
    pr(o, "</li>\n");
    break;
  case E_ERROR:
    pr(o, "<li class=\"error\"><span class=\"tag\">error</span>");
    esc(o, e->a);
    pr(o, " ");
    esc(o, e->b);
    pr(o, ": ");
    esc(o, e->c);
    pr(o, "</li>\n");
    break;
  case E_INTERVENTION:
    if (looks_only(e->a)) break;
    pr(o, "<li class=\"fac\"><span class=\"tag\">facilitator</span><code>");
    esc(o, e->a);
    pr(o, "</code></li>\n");
    break;
  case E_SET:
    if (e->d && strcmp(e->d, "facilitator") == 0) {
      pr(o, "<li class=\"fac\"><span class=\"tag\">set</span>");
      esc(o, e->a);
      pr(o, ": ");
      esc(o, e->b);
      pr(o, " &rarr; ");
      esc(o, e->c);
      pr(o, "</li>\n");
    }
    break;
  case E_REWIND:
    pr(o, "<li class=\"rewind\"><span class=\"tag\">again</span>"
       "<code>");
    esc(o, e->a);
    pr(o, "</code> in turn ");
    esc(o, e->b);
    pr(o, " went back to here</li>\n");
    break;
  case E_END:
    pr(o, "<li class=\"end\"><span class=\"tag\">outcome</span>");
    esc(o, e->a);
    pr(o, "</li>\n");
    break;
  }
}

static void entry_md(out *o, const entry *e) {
  switch (e->kind) {
  case E_MOVE:
    pr(o, "- **");
    mesc(o, e->a);
    pr(o, "** ");
    mesc(o, e->b);
    if (e->c) {
      pr(o, " \u2192 ");
      mesc(o, e->c);
    }
    pr(o, "\n");
    break;
  case E_TRIGGER:
  case E_EVENT:
    pr(o, "- %s ", e->kind == E_TRIGGER ? "trigger" : "event");
    mesc(o, e->a);
    pr(o, "\n");
    break;
  case E_NEWS:
    pr(o, "- _");
    mesc(o, e->a);
    pr(o, "_\n");
    break;
  case E_ERROR:
    pr(o, "- error ");
    mesc(o, e->a);
    pr(o, " ");
    mesc(o, e->b);
    pr(o, ": ");
    mesc(o, e->c);
    pr(o, "\n");
    break;
  case E_INTERVENTION:
    if (looks_only(e->a)) break;
    pr(o, "- facilitator: ");
    mcode(o, e->a);
    pr(o, "\n");
    break;
  case E_SET:
    if (e->d && strcmp(e->d, "facilitator") == 0) {
      pr(o, "- set ");
      mesc(o, e->a);
      pr(o, ": ");
      mesc(o, e->b);
      pr(o, " \u2192 ");
      mesc(o, e->c);
      pr(o, "\n");
    }
    break;
  case E_REWIND:
    pr(o, "- ");
    mcode(o, e->a);
    pr(o, " in turn ");
    mesc(o, e->b);
    pr(o, " went back to here\n");
    break;
  case E_END:
    pr(o, "- **outcome: ");
    mesc(o, e->a);
    pr(o, "**\n");
    break;
  }
}

static int count_kind(const model *m, int kind) {
  int n = 0;
  for (int i = 0; i < m->nentries; i++)
    n += m->entries[i].kind == kind &&
         !(kind == E_MOVE && m->entries[i].b &&
           strcmp(m->entries[i].b, "pass") == 0);
  return n;
}

static int count_interventions(const model *m) {
  int n = 0;
  for (int i = 0; i < m->ntrail; i++) n += !looks_only(m->trail[i].a);
  return n;
}

static void write_report(out *o) {
  model *m = o->m;
  const char *title = o->e ? brink_scenario_field(o->e, "title") : "";
  const char *brief = o->e ? brink_scenario_field(o->e, "brief") : "";
  const char *id = m->scenario ? m->scenario : "?";
  int last = m->outcome ? m->end_turn : m->last_turn;
  char first_date[32], last_date[32];
  date_label(turn_date(m, 1), false, first_date, sizeof first_date);
  date_label(m->outcome && m->end_date ? m->end_date : turn_date(m, last),
             false, last_date, sizeof last_date);

  /* the variables, most moved first */
  series **order = calloc((size_t)(m->nvars ? m->nvars : 1), sizeof *order);
  if (order == NULL) return;
  for (int i = 0; i < m->nvars; i++) {
    order[i] = &m->vars[i];
    order[i]->moved = movement(o, order[i]);
  }
  qsort(order, (size_t)m->nvars, sizeof *order, by_movement);
  int ncharts = 0, nchanged = 0;
  for (int i = 0; i < m->nvars; i++) {
    if (changed(order[i])) nchanged++;
    if (ncharts < 6 && order[i]->moved > 0 && order[i]->nv >= 2 &&
        ncharts == i)
      ncharts++;
  }
  /* turns where the facilitator changed something, for chart marks */
  bool *marks = calloc((size_t)last + 2, sizeof *marks);
  for (int i = 0; marks && i < m->nentries; i++) {
    const entry *e = &m->entries[i];
    if ((e->kind == E_INTERVENTION && !looks_only(e->a)) ||
        e->kind == E_REWIND)
      if (e->turn >= 1 && e->turn <= last) marks[e->turn] = true;
  }
  strlist rows = {0};
  who_plays(o, &rows);
  char a[256], b[256], c[256];

  if (o->md) {
    pr(o, "# After-action report: ");
    text(o, *title ? title : id);
    pr(o, "\n\n**Outcome: ");
    text(o, m->outcome ? m->outcome : "not reached (the session stopped)");
    pr(o, "**");
    if (m->outcome) pr(o, " at turn %d (%s)", m->end_turn, last_date);
    pr(o, "  \nScenario ");
    mcode(o, id);
    pr(o, ", %s to %s, seed %llu, %d turn%s played.\n\n", first_date,
       last_date, (unsigned long long)m->seed, last, last == 1 ? "" : "s");
    if (*brief) {
      pr(o, "## The situation\n\n");
      md_paragraphs(o->f, brief);
      pr(o, "\n\n");
    }
    pr(o, "## Who played\n\n| actor | name | played by |\n|---|---|---|\n");
    for (size_t i = 0; i < rows.n; i++) {
      fields(rows.v[i], a, b, c, sizeof a);
      pr(o, "| ");
      text(o, a);
      pr(o, " | ");
      text(o, b);
      pr(o, " | ");
      text(o, c);
      pr(o, " |\n");
    }
    if (rows.n == 0) pr(o, "| (every actor) | | the built-in AI |\n");
    for (size_t i = 0; i < m->setup.sets.n; i++) {
      pr(o, "%s", i ? ", " : "\nStarting changes: ");
      mcode(o, m->setup.sets.v[i]);
    }
    if (ncharts)
      pr(o, "\n\n## What moved most\n\n| variable | start | end | over the "
         "turns |\n|---|--:|--:|---|\n");
    for (int i = 0; i < ncharts; i++) {
      value_for_people(order[i]->start, true, a, sizeof a);
      value_for_people(order[i]->end, true, b, sizeof b);
      pr(o, "| ");
      text(o, order[i]->name);
      pr(o, " | %s | %s | ", a, b);
      sparkline(o, order[i]);
      pr(o, " |\n");
    }
    pr(o, "\n## Timeline\n");
    int t = -1;
    for (int i = 0; i < m->nentries; i++) {
      const entry *e = &m->entries[i];
      if (e->turn != t) {
        t = e->turn;
        date_label(turn_date(m, t), false, a, sizeof a);
        pr(o, "\n### Turn %d: %s\n\n", t, a);
      }
      if (e->kind == E_MOVE && e->b && strcmp(e->b, "pass") == 0) continue;
      entry_md(o, e);
    }
    pr(o, "\n## Final state against the start\n\n| variable | start | end "
       "|\n|---|--:|--:|\n");
    for (int i = 0; i < m->nvars; i++) {
      if (!changed(order[i])) continue;
      value_for_people(order[i]->start, order[i]->numeric, a, sizeof a);
      value_for_people(order[i]->end, order[i]->numeric, b, sizeof b);
      pr(o, "| ");
      text(o, order[i]->name);
      pr(o, " | ");
      text(o, a);
      pr(o, " | ");
      text(o, b);
      pr(o, " |\n");
    }
    pr(o, "\n%d of %d variables changed.\n", nchanged, m->nvars);
    pr(o, "\n## The facilitator's interventions\n\n");
    int n = 0;
    for (int i = 0; i < m->ntrail; i++) {
      if (looks_only(m->trail[i].a)) continue;
      pr(o, "- turn %d: ", m->trail[i].turn);
      mcode(o, m->trail[i].a);
      pr(o, "\n");
      n++;
    }
    if (n == 0) pr(o, "None.\n");
    pr(o, "\n---\nbrink %s", brink_version());
    if (m->has_setup) {
      pr(o, ", scenario file ");
      mcode(o, m->setup.file);
      pr(o, " (sha256 %.12s)", m->setup.sha256);
    }
    if (m->bad_lines) pr(o, "; %d log lines could not be read", m->bad_lines);
    pr(o, "\n");
  } else {
    pr(o, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8"
       "\">\n<title>After-action report: ");
    esc(o, *title ? title : id);
    pr(o, "</title>\n<style>%s</style>\n</head>\n<body>\n<header>\n"
       "<div class=\"kicker\">After-action report</div>\n<h1>", css);
    esc(o, *title ? title : id);
    pr(o, "</h1>\n<div class=\"meta\">Scenario <code>");
    esc(o, id);
    pr(o, "</code> &middot; %s to %s &middot; seed %llu</div>\n</header>\n",
       first_date, last_date, (unsigned long long)m->seed);
    pr(o, "<div class=\"summary\">\n<div class=\"card outcome\"><div "
       "class=\"k\">Outcome</div><div class=\"v\">");
    esc(o, m->outcome ? m->outcome : "not reached");
    pr(o, "</div>");
    if (m->outcome) pr(o, "turn %d, %s", m->end_turn, last_date);
    else pr(o, "the session stopped at turn %d", last);
    pr(o, "</div>\n<div class=\"card\"><div class=\"k\">Turns played</div>"
       "<div class=\"v\">%d</div></div>\n", last);
    pr(o, "<div class=\"card\"><div class=\"k\">Moves / triggers</div>"
       "<div class=\"v\">%d / %d</div></div>\n", count_kind(m, E_MOVE),
       count_kind(m, E_TRIGGER));
    pr(o, "<div class=\"card\"><div class=\"k\">Interventions</div>"
       "<div class=\"v\">%d</div></div>\n</div>\n", count_interventions(m));
    if (*brief) {
      pr(o, "<h2>The situation</h2>\n<div class=\"brief\"><p>");
      html_paragraphs(o->f, brief);
      pr(o, "</p></div>\n");
    }
    pr(o, "<h2>Who played</h2>\n<table>\n<tr><th>Actor</th><th>Name</th>"
       "<th>Played by</th></tr>\n");
    for (size_t i = 0; i < rows.n; i++) {
      fields(rows.v[i], a, b, c, sizeof a);
      pr(o, "<tr><td><b>");
      esc(o, a);
      pr(o, "</b></td><td>");
      esc(o, b);
      pr(o, "</td><td>");
      esc(o, c);
      pr(o, "</td></tr>\n");
    }
    if (rows.n == 0)
      pr(o, "<tr><td colspan=\"3\">Every actor played by the built-in AI"
         "</td></tr>\n");
    pr(o, "</table>\n");
    if (m->setup.sets.n) {
      pr(o, "<p class=\"legend\">Starting changes:");
      for (size_t i = 0; i < m->setup.sets.n; i++) {
        pr(o, " <code>");
        esc(o, m->setup.sets.v[i]);
        pr(o, "</code>");
      }
      pr(o, "</p>\n");
    }
    if (ncharts) {
      pr(o, "<h2>What moved most</h2>\n<div class=\"charts\">\n");
      for (int i = 0; i < ncharts; i++) {
        value_for_people(order[i]->start, true, a, sizeof a);
        value_for_people(order[i]->end, true, b, sizeof b);
        pr(o, "<figure><figcaption>");
        esc(o, order[i]->name);
        pr(o, " <span>%s &rarr; %s</span></figcaption>\n", a, b);
        chart(o, order[i], marks);
        pr(o, "</figure>\n");
      }
      pr(o, "</div>\n<p class=\"legend\"><i></i>a turn in which the "
         "facilitator intervened</p>\n");
    }
    pr(o, "<h2>Timeline</h2>\n");
    int t = -1;
    bool open = false;
    strlist passes = {0};
    for (int i = 0; i <= m->nentries; i++) {
      const entry *e = i < m->nentries ? &m->entries[i] : NULL;
      if (e == NULL || e->turn != t) {
        if (open) {
          if (passes.n) {
            pr(o, "<li class=\"passes\">passed: ");
            for (size_t k = 0; k < passes.n; k++) {
              if (k) pr(o, ", ");
              esc(o, passes.v[k]);
            }
            pr(o, "</li>\n");
          }
          strlist_free(&passes);
          pr(o, "</ul></div>\n");
        }
        if (e == NULL) break;
        t = e->turn;
        date_label(turn_date(m, t), false, a, sizeof a);
        pr(o, "<div class=\"turn\"><div class=\"when\">Turn %d<span>", t);
        esc(o, a);
        pr(o, "</span></div><ul>\n");
        open = true;
      }
      if (e->kind == E_MOVE && e->b && strcmp(e->b, "pass") == 0) {
        bool dupe = false;
        for (size_t k = 0; k < passes.n && !dupe; k++)
          dupe = e->a && strcmp(passes.v[k], e->a) == 0;
        if (!dupe && e->a) strlist_push(&passes, e->a);
        continue;
      }
      entry_html(o, e);
    }
    strlist_free(&passes);
    pr(o, "<h2>Final state against the start</h2>\n<table>\n<tr><th>"
       "Variable</th><th class=\"n\">Start</th><th class=\"n\">End</th>"
       "<th class=\"n\">Change</th></tr>\n");
    for (int i = 0; i < m->nvars; i++) {
      const series *s = order[i];
      if (!changed(s)) continue;
      value_for_people(s->start, s->numeric, a, sizeof a);
      value_for_people(s->end, s->numeric, b, sizeof b);
      c[0] = '\0';
      if (s->numeric) {
        double d = strtod(s->end, NULL) - strtod(s->start, NULL);
        char t2[64];
        num_text(fabs(d), t2, sizeof t2);
        snprintf(c, sizeof c, "%s%s", d > 0 ? "+" : d < 0 ? "\u2212" : "",
                 t2);
      }
      pr(o, "<tr><td>");
      esc(o, s->name);
      pr(o, "</td><td class=\"n\">");
      esc(o, a);
      pr(o, "</td><td class=\"n\"><b>");
      esc(o, b);
      pr(o, "</b></td><td class=\"n\">");
      esc(o, c);
      pr(o, "</td></tr>\n");
    }
    pr(o, "</table>\n<p class=\"legend\">%d of %d variables changed; the "
       "rest kept their starting values.</p>\n", nchanged, m->nvars);
    pr(o, "<h2>The facilitator's interventions</h2>\n");
    int n = 0;
    for (int i = 0; i < m->ntrail; i++) {
      if (looks_only(m->trail[i].a)) continue;
      if (n++ == 0) pr(o, "<table>\n<tr><th>Turn</th><th>Command</th></tr>\n");
      pr(o, "<tr><td>%d</td><td><code>", m->trail[i].turn);
      esc(o, m->trail[i].a);
      pr(o, "</code></td></tr>\n");
    }
    pr(o, n ? "</table>\n" : "<p>None: the scenario ran as written.</p>\n");
    pr(o, "<footer>brink %s", brink_version());
    if (m->has_setup) {
      pr(o, " &middot; scenario file <code>");
      esc(o, m->setup.file);
      pr(o, "</code> (sha256 %.12s&hellip;)", m->setup.sha256);
    }
    if (m->bad_lines)
      pr(o, " &middot; %d log lines could not be read", m->bad_lines);
    pr(o, "</footer>\n</body>\n</html>\n");
  }
  strlist_free(&rows);
  free(marks);
  free(order);
}

int report_write(const char *path, model *m, brink_engine *e, char *err,
                 size_t cap) {
  size_t n = strlen(path);
  bool md = n >= 3 && (strcmp(path + n - 3, ".md") == 0 ||
                       (n >= 9 && strcmp(path + n - 9, ".markdown") == 0));
  outfile of;
  FILE *f = outfile_open(&of, path);
  if (f == NULL) {
    snprintf(err, cap, "cannot write %s: out of memory", path);
    return -1;
  }
  out o = {f, m, e, md};
  write_report(&o);
  char why[512];
  if (outfile_close(&of, why, sizeof why) != 0) {
    snprintf(err, cap, "cannot write %s: %s", path, why);
    return -1;
  }
  return 0;
}

/* brink report ----------------------------------------------------------- */

/* The lines of a log, or of the log inside a save. */
static int input_lines(const char *path, strlist *lines, char *err,
                       size_t cap) {
  size_t len;
  char *text = read_file(path, &len);
  if (text == NULL) {
    snprintf(err, cap, "cannot read %s: %s", path, strerror(errno));
    return -1;
  }
  json_error_t je;
  json_t *root = text[0] == '{' && strchr(text, '\n') &&
                 strncmp(text, "{\"t\":", 5) != 0
                     ? json_loadb(text, len, 0, &je) : NULL;
  if (root) {
    json_t *fmt = json_object_get(root, "format");
    json_t *log = json_object_get(root, "log");
    int rc = 0;
    if (!json_is_string(fmt) ||
        strcmp(json_string_value(fmt), SAVE_FORMAT) != 0 ||
        !json_is_array(log)) {
      snprintf(err, cap, "%s: neither a save nor a log", path);
      rc = -1;
    }
    for (size_t i = 0; rc == 0 && i < json_array_size(log); i++) {
      json_t *x = json_array_get(log, i);
      /* A line kept as hex is not UTF-8: the model cannot read it anyway. */
      const char *s = json_is_string(x) ? json_string_value(x) : "{}";
      if (strlist_push(lines, s)) rc = -1;
    }
    json_decref(root);
    free(text);
    return rc;
  }
  int rc = strlist_split(lines, text, len);
  free(text);
  if (rc) snprintf(err, cap, "out of memory");
  return rc;
}

static const char *const report_help =
    "usage: brink report LOG_OR_SAVE -o FILE [--scenario FILE]\n"
    "\n"
    "Writes the after-action report of a run or a tabletop session: who\n"
    "played, a timeline by turn, charts of the variables that moved most,\n"
    "the final state against the start, the outcome and every intervention.\n"
    "FILE ending in .md gives Markdown, anything else HTML (one file, no\n"
    "JavaScript, nothing fetched).  The scenario named in the log, when it\n"
    "is found unchanged, lends its title, brief and actor names.\n"
    "\n"
    "  -o FILE, --out FILE   where to write the report\n"
    "  --scenario FILE       the scenario, if it moved since the log\n"
    "\n"
    "exit status: 0 written, 1 unreadable input, 2 usage error\n";

int cmd_report(int argc, char **argv) {
  const char *in = NULL, *outp = NULL, *scenario = NULL;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      fputs(report_help, stdout);
      return 0;
    }
    if (strcmp(a, "-o") == 0 || strcmp(a, "--out") == 0 ||
        strcmp(a, "--scenario") == 0) {
      if (i + 1 >= argc) return usage_error("report", "%s needs a value", a);
      if (a[1] == 'o' || a[2] == 'o') outp = argv[++i];
      else scenario = argv[++i];
    } else if (strncmp(a, "--out=", 6) == 0) {
      outp = a + 6;
    } else if (strncmp(a, "--scenario=", 11) == 0) {
      scenario = a + 11;
    } else if (a[0] == '-' && a[1]) {
      return usage_error("report", "unknown option '%s' (see brink report "
                         "--help)", a);
    } else if (in) {
      return usage_error("report", "one log or save only ('%s'?)", a);
    } else {
      in = a;
    }
  }
  if (in == NULL) return usage_error("report", "which log or save? (brink "
                                     "report LOG_OR_SAVE -o FILE)");
  if (outp == NULL) return usage_error("report", "where to? (-o aar.html "
                                       "or -o aar.md)");
  char err[512];
  strlist lines = {0};
  if (input_lines(in, &lines, err, sizeof err)) {
    term_printf(stderr, "brink report: %s\n", err);
    strlist_free(&lines);
    return 1;
  }
  model m;
  model_init(&m);
  for (size_t i = 0; i < lines.n; i++)
    model_feed(&m, lines.v[i], strlen(lines.v[i]));
  model_finish(&m);
  strlist_free(&lines);
  if (m.scenario == NULL) {
    term_printf(stderr, "brink report: %s: not a brink log (no start record)\n",
                in);
    model_free(&m);
    return 1;
  }
  /* The scenario only lends names: used when its text is the logged one. */
  brink_engine *e = NULL;
  const char *file = scenario ? scenario : m.has_setup ? m.setup.file : NULL;
  if (file && brink_engine_open(&e, NULL) == BRINK_OK) {
    size_t len;
    const char *t;
    char sha[65] = "";
    if (brink_load_file(e, file) == BRINK_OK &&
        (t = brink_scenario_text(e, &len)) != NULL)
      brink__sha256_hex(t, len, sha);
    if (!m.has_setup || strcmp(sha, m.setup.sha256) != 0) {
      if (scenario)
        term_printf(stderr, "brink report: %s is not the scenario text of the "
                    "log; names are left out\n", scenario);
      brink_engine_close(e);
      e = NULL;
    }
  }
  int rc = report_write(outp, &m, e, err, sizeof err);
  if (rc) term_printf(stderr, "brink report: %s\n", err);
  brink_engine_close(e);
  model_free(&m);
  return rc ? 1 : 0;
}
