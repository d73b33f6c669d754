/*
** report.c: the facts of an after-action report, from the model of a log.
**
** Everything comes from the log alone; the scenario, when it is at hand,
** only lends display names, the brief and variables' ranges.  The facts
** are plain data for a renderer (cli/report_html.c, cli/report_md.c), so
** what the report says is decided here once, whatever its format.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

/* The rule of every number people read (brink_number_show); 'decimals' -1
   for the default.  "-" for what is not a number. */
static void number_shown(double x, int decimals, char *buf, size_t cap) {
  if (!isfinite(x)) snprintf(buf, cap, "-");
  else brink_number_show(x, decimals, buf, cap);
}

void report_number(double x, char *buf, size_t cap) {
  number_shown(x, -1, buf, cap);
}

static void value_for_people(const char *v, bool numeric, int decimals,
                             char *buf, size_t cap) {
  if (v && numeric) number_shown(strtod(v, NULL), decimals, buf, cap);
  else snprintf(buf, cap, "%s", v ? v : "-");
}

/* The decimals declared for the variable named 'name' when the scenario
   is at hand, else -1: the default. */
static int decimals_of(brink_engine *e, const char *name) {
  int v;
  if (e == NULL || name == NULL || brink_var_find(e, name, &v) != BRINK_OK)
    return -1;
  return brink_var_precision(e, v);
}

/*
** A turn's date for people: with turns of a month or longer (every turn
** begins on the first of a month) "Oct 2019", the same on a chart's axis;
** with shorter turns the date, or on an axis "8 Mar" (a day and a month,
** never a month and a year that would read as a day).
*/
static void date_label(const char *d, bool monthly, bool axis, char *buf,
                       size_t cap) {
  int y, mo, da;
  if (d && sscanf(d, "%4d-%2d-%2d", &y, &mo, &da) == 3 && mo >= 1 &&
      mo <= 12) {
    if (monthly && da == 1) snprintf(buf, cap, "%s %d", month_abbr(mo), y);
    else if (axis) snprintf(buf, cap, "%d %s", da, month_abbr(mo));
    else snprintf(buf, cap, "%s", d);
  } else {
    snprintf(buf, cap, "%s", d ? d : "");
  }
}

/* Whether every known turn begins on the first of a month. */
static bool monthly(const model *m) {
  for (int t = 1; t < m->ndates; t++) {
    int y, mo, da;
    if (m->dates[t] && (sscanf(m->dates[t], "%4d-%2d-%2d", &y, &mo, &da) != 3
                        || da != 1))
      return false;
  }
  return true;
}

static const char *turn_date(const model *m, int t) {
  return t >= 1 && t < m->ndates && m->dates[t] ? m->dates[t] : NULL;
}

/*
** How far a variable moved over the turns: against its declared range when
** the scenario is at hand (a trust of -100..100 moving by 12 is not news),
** else against its own size.
*/
static double movement(brink_engine *e, const var_series *s) {
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
  if (e && brink_var_find(e, s->name, &v) == BRINK_OK &&
      brink_var_bounds(e, v, &min, &max) == BRINK_OK && isfinite(min) &&
      isfinite(max) && max > min)
    return fmin((hi - lo) / (max - min), 1);
  return (hi - lo) / fmax(fmax(fabs(hi), fabs(lo)), 1);
}

static int by_movement(const void *a, const void *b) {
  const var_series *x = *(var_series *const *)a, *y = *(var_series *const *)b;
  if (x->moved != y->moved) return x->moved < y->moved ? 1 : -1;
  return strcmp(x->name, y->name);
}

static bool changed(const var_series *s) {
  return s->start && s->end && strcmp(s->start, s->end) != 0;
}

/* Commands that only look: left out of the report. */
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

/* Whether the timeline shows 'e': not passes, looks, or scripts' sets. */
static bool shown(const entry *e) {
  switch (e->kind) {
  case E_MOVE: return !(e->b && strcmp(e->b, "pass") == 0);
  case E_INTERVENTION: return !looks_only(e->a);
  case E_SET: return e->d && strcmp(e->d, "facilitator") == 0;
  case E_BELIEF: return false;   /* in the table of beliefs */
  default: return true;
  }
}

static const char *actor_name(brink_engine *e, const char *id) {
  int a;
  if (e && id && brink_actor_find(e, id, &a) == BRINK_OK) {
    const char *n = brink_actor_name(e, a);
    if (n && *n && strcmp(n, id) != 0) return n;
  }
  return NULL;
}

static int add_player(report_facts *f, brink_engine *e, const char *actor,
                      const char *by) {
  report_player *p = &f->players[f->nplayers];
  const char *name = actor_name(e, actor);
  p->actor = strdup(actor);
  p->name = strdup(name ? name : "");
  p->by = strdup(by);
  f->nplayers++;
  return p->actor && p->name && p->by ? 0 : -1;
}

/* Seats, then policies; the rest of the scenario's actors play by the AI. */
static int who_plays(report_facts *f, const model *m, brink_engine *e) {
  size_t cap = m->setup.seats.n + m->setup.policies.n +
               (size_t)(e ? brink_actor_count(e) : 0);
  f->players = calloc(cap ? cap : 1, sizeof *f->players);
  if (f->players == NULL) return -1;
  int rc = 0;
  for (size_t i = 0; i < m->setup.seats.n; i++)
    rc |= add_player(f, e, m->setup.seats.v[i], "a seat at the table");
  for (size_t i = 0; i < m->setup.policies.n; i++) {
    const char *p = m->setup.policies.v[i], *eq = strchr(p, '=');
    char id[256], by[300];
    snprintf(id, sizeof id, "%.*s", eq ? (int)(eq - p) : 0, p);
    snprintf(by, sizeof by, "policy %s", eq ? eq + 1 : "");
    rc |= add_player(f, e, id, by);
  }
  for (int a = 0; e && a < brink_actor_count(e); a++) {
    const char *id = brink_actor_id(e, a);
    bool listed = false;
    for (int i = 0; i < f->nplayers && !listed; i++)
      listed = f->players[i].actor && strcmp(f->players[i].actor, id) == 0;
    if (!listed) rc |= add_player(f, e, id, "the built-in AI");
  }
  return rc;
}

static void describe_var(report_var *r, const var_series *s, bool numeric,
                         int decimals) {
  r->s = s;
  value_for_people(s->start, numeric, decimals, r->start, sizeof r->start);
  value_for_people(s->end, numeric, decimals, r->end, sizeof r->end);
  r->change[0] = '\0';
  if (numeric && s->start && s->end) {
    double d = strtod(s->end, NULL) - strtod(s->start, NULL);
    char t[64];
    number_shown(fabs(d), decimals, t, sizeof t);
    snprintf(r->change, sizeof r->change, "%s%s",
             d > 0 ? "+" : d < 0 ? "\u2212" : "", t);
  }
}

/* A value the log wrote exactly, as people read it; other texts as they
   are. */
static void shown_text(const char *t, int decimals, char *buf, size_t cap) {
  char *end;
  double x = t ? strtod(t, &end) : 0;
  if (t == NULL || end == t || *end != '\0')
    snprintf(buf, cap, "%s", t ? t : "?");
  else
    number_shown(x, decimals, buf, cap);
}

/* The same, malloc'd; NULL when out of memory. */
static char *text_for_people(const char *t, int decimals) {
  char buf[256];
  shown_text(t, decimals, buf, sizeof buf);
  return strdup(buf);
}

/* A facilitator's set with its values as people read them, kept in
   f->sets_shown (the model's entries stay exact). */
static const entry *set_shown(report_facts *f, const entry *x,
                              brink_engine *e) {
  entry *c = &f->sets_shown[f->nsets_shown];
  *c = *x;
  int decimals = decimals_of(e, x->a);
  c->b = text_for_people(x->b, decimals);
  c->c = text_for_people(x->c, decimals);
  f->nsets_shown++;
  return c->b && c->c ? c : NULL;
}

/* The timeline: one group per run of entries of the same turn. */
static int timeline(report_facts *f, const model *m, brink_engine *en) {
  size_t n = (size_t)m->nentries + 1;
  f->timeline = calloc(n, sizeof *f->timeline);
  f->entry_mem = calloc(n, sizeof *f->entry_mem);
  f->sets_shown = calloc(n, sizeof *f->sets_shown);
  if (f->timeline == NULL || f->entry_mem == NULL || f->sets_shown == NULL)
    return -1;
  report_turn *g = NULL;
  int nshown = 0;
  for (int i = 0; i < m->nentries; i++) {
    const entry *e = &m->entries[i];
    if (g == NULL || e->turn != g->turn) {
      g = &f->timeline[f->ntimeline++];
      g->turn = e->turn;
      date_label(turn_date(m, e->turn), f->monthly, false, g->date,
                 sizeof g->date);
      g->entries = &f->entry_mem[nshown];
    }
    if (shown(e)) {
      const entry *x = e->kind == E_SET ? set_shown(f, e, en) : e;
      if (x == NULL) return -1;
      g->entries[g->nentries++] = x;
      nshown++;
      continue;
    }
    if (e->kind != E_MOVE || e->a == NULL) continue;
    bool dupe = false;   /* a pass: its actor, once */
    for (size_t k = 0; k < g->passed.n && !dupe; k++)
      dupe = strcmp(g->passed.v[k], e->a) == 0;
    if (!dupe && strlist_push(&g->passed, e->a)) return -1;
  }
  return 0;
}

/* The points of the charts' time axis: the start, then each turn. */
static int axis(report_facts *f, const model *m) {
  enum { W = 32 };
  int n = 0;
  for (int i = 0; i < f->nmoved; i++)
    if (f->moved[i].s->nv > n) n = f->moved[i].s->nv;
  f->mem = malloc((size_t)(n ? n : 1) * W);
  f->axis = calloc((size_t)(n ? n : 1), sizeof *f->axis);
  if (f->mem == NULL || f->axis == NULL) return -1;
  for (int i = 0; i < n; i++) {
    char *t = f->mem + (size_t)i * W;
    if (i == 0) snprintf(t, W, "start");
    else date_label(turn_date(m, i), f->monthly, true, t, W);
    if (i != 0 && !*t) snprintf(t, W, "%d", i);
    f->axis[i] = t;
  }
  f->naxis = n;
  return 0;
}

static int by_actor_var(const void *a, const void *b) {
  const report_belief *x = a, *y = b;
  int c = strcmp(x->actor, y->actor);
  return c ? c : strcmp(x->var, y->var);
}

/* The gap between a belief ("lo\u2013hi" or "v") and the truth. */
/* A belief as the log writes it, "20.000000000000004\u201340" or "30", as
   people read it: "20\u201340". */
static void belief_for_people(const char *b, int decimals, char *buf,
                              size_t cap) {
  const char *dash = strstr(b, "\u2013");
  char lo[128], a[64], z[64];
  snprintf(lo, sizeof lo, "%.*s", dash ? (int)(dash - b) : 127, b);
  shown_text(lo, decimals, a, sizeof a);
  if (dash == NULL) {
    snprintf(buf, cap, "%s", a);
    return;
  }
  shown_text(dash + 3, decimals, z, sizeof z);
  snprintf(buf, cap, "%s\u2013%s", a, z);
}

static void belief_gap(report_belief *r, const var_series *s, int decimals) {
  const char *dash = strstr(r->belief, "\u2013");
  char lo[128], hi[128];
  snprintf(lo, sizeof lo, "%.*s", dash ? (int)(dash - r->belief) : 127,
           r->belief);
  snprintf(hi, sizeof hi, "%s", dash ? dash + 3 : r->belief);
  if (s == NULL || s->end == NULL) {
    snprintf(r->gap, sizeof r->gap, "-");
    return;
  }
  if (!s->numeric) {
    bool right = strcmp(s->end, lo) == 0 || strcmp(s->end, hi) == 0;
    snprintf(r->gap, sizeof r->gap, "%s", right ? "right" : "wrong");
    return;
  }
  double t = strtod(s->end, NULL), a = strtod(lo, NULL), z = strtod(hi, NULL);
  double d = t < a ? t - a : t > z ? t - z : 0;
  char n[64];
  number_shown(fabs(d), decimals, n, sizeof n);
  snprintf(r->gap, sizeof r->gap, "%s%s", d > 0 ? "+" : d < 0 ? "\u2212" : "",
           n);
}

/* The last belief of each (actor, variable) on the line of play. */
static int beliefs(report_facts *f, const model *m, brink_engine *e) {
  f->beliefs = calloc((size_t)m->nentries + 1, sizeof *f->beliefs);
  if (f->beliefs == NULL) return -1;
  for (int i = 0; i < m->nentries; i++) {
    const entry *x = &m->entries[i];
    if (x->kind != E_BELIEF || !x->a || !x->b || !x->c) continue;
    report_belief *r = NULL;
    for (int k = 0; k < f->nbeliefs && !r; k++)
      if (strcmp(f->beliefs[k].actor, x->a) == 0 &&
          strcmp(f->beliefs[k].var, x->b) == 0)
        r = &f->beliefs[k];
    if (r == NULL) r = &f->beliefs[f->nbeliefs++];
    r->actor = x->a;
    r->var = x->b;
    r->belief = x->c;
  }
  for (int k = 0; k < f->nbeliefs; k++) {
    report_belief *r = &f->beliefs[k];
    const var_series *s = NULL;
    for (int i = 0; i < m->nvars && !s; i++)
      if (strcmp(m->vars[i].name, r->var) == 0) s = &m->vars[i];
    int decimals = decimals_of(e, r->var);
    value_for_people(s ? s->end : NULL, s && s->numeric, decimals, r->truth,
                     sizeof r->truth);
    belief_for_people(r->belief, decimals, r->shown, sizeof r->shown);
    belief_gap(r, s, decimals);
  }
  qsort(f->beliefs, (size_t)f->nbeliefs, sizeof *f->beliefs, by_actor_var);
  return 0;
}

static int build(report_facts *f, model *m, brink_engine *e) {
  const char *title = e ? brink_scenario_field(e, "title") : "";
  f->id = m->scenario ? m->scenario : "?";
  f->title = *title ? title : f->id;
  f->brief = e ? brink_scenario_field(e, "brief") : "";
  f->outcome = m->outcome;
  f->end_turn = m->end_turn;
  f->turns = m->outcome ? m->end_turn : m->last_turn;
  date_label(turn_date(m, 1), f->monthly, false, f->first_date,
             sizeof f->first_date);
  date_label(m->outcome && m->end_date ? m->end_date
                                       : turn_date(m, f->turns),
             f->monthly, false, f->last_date, sizeof f->last_date);
  f->seed = m->seed;
  for (int i = 0; i < m->nentries; i++) {
    f->moves += m->entries[i].kind == E_MOVE && shown(&m->entries[i]);
    f->triggers += m->entries[i].kind == E_TRIGGER;
  }
  f->sets = &m->setup.sets;
  f->file = m->has_setup ? m->setup.file : NULL;
  f->sha256 = m->has_setup ? m->setup.sha256 : NULL;
  f->bad_lines = m->bad_lines;
  if (who_plays(f, m, e)) return -1;

  /* the variables, most moved first */
  var_series **order = calloc((size_t)(m->nvars ? m->nvars : 1),
                              sizeof *order);
  f->moved = calloc(6, sizeof *f->moved);
  f->changed = calloc((size_t)(m->nvars ? m->nvars : 1), sizeof *f->changed);
  if (order == NULL || f->moved == NULL || f->changed == NULL) {
    free(order);
    return -1;
  }
  for (int i = 0; i < m->nvars; i++) {
    order[i] = &m->vars[i];
    order[i]->moved = movement(e, order[i]);
  }
  qsort(order, (size_t)m->nvars, sizeof *order, by_movement);
  f->nvars = m->nvars;
  for (int i = 0; i < m->nvars; i++) {
    /* The charts: the leading run of variables that moved, up to six. */
    if (f->nmoved < 6 && order[i]->moved > 0 && order[i]->nv >= 2 &&
        f->nmoved == i)
      describe_var(&f->moved[f->nmoved++], order[i], true,
                   decimals_of(e, order[i]->name));
    if (changed(order[i]))
      describe_var(&f->changed[f->nchanged++], order[i], order[i]->numeric,
                   decimals_of(e, order[i]->name));
  }
  free(order);

  /* turns where the facilitator changed something, for chart marks */
  int last = f->turns;
  f->nmarks = last + 2;
  if ((f->marks = calloc((size_t)f->nmarks, sizeof *f->marks)) == NULL)
    return -1;
  for (int i = 0; i < m->nentries; i++) {
    const entry *x = &m->entries[i];
    if ((x->kind == E_INTERVENTION && !looks_only(x->a)) ||
        x->kind == E_REWIND)
      if (x->turn >= 1 && x->turn <= last) f->marks[x->turn] = true;
  }
  f->interventions = calloc((size_t)m->ntrail + 1, sizeof *f->interventions);
  if (f->interventions == NULL) return -1;
  for (int i = 0; i < m->ntrail; i++)
    if (!looks_only(m->trail[i].a))
      f->interventions[f->ninterventions++] = &m->trail[i];
  if (timeline(f, m, e) || axis(f, m) || beliefs(f, m, e)) return -1;
  return 0;
}

int report_facts_build(report_facts *f, model *m, brink_engine *e) {
  memset(f, 0, sizeof *f);
  f->monthly = monthly(m);
  if (build(f, m, e) == 0) return 0;
  report_facts_free(f);
  return -1;
}

void report_facts_free(report_facts *f) {
  for (int i = 0; i < f->nplayers; i++) {
    free(f->players[i].actor);
    free(f->players[i].name);
    free(f->players[i].by);
  }
  free(f->players);
  free(f->moved);
  free(f->changed);
  free(f->beliefs);
  free(f->marks);
  free(f->interventions);
  for (int i = 0; i < f->ntimeline; i++) strlist_free(&f->timeline[i].passed);
  free(f->timeline);
  free(f->entry_mem);
  for (int i = 0; i < f->nsets_shown; i++) {
    free(f->sets_shown[i].b);
    free(f->sets_shown[i].c);
  }
  free(f->sets_shown);
  free(f->axis);
  free(f->mem);
  memset(f, 0, sizeof *f);
}
