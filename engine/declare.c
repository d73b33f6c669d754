/*
** declare.c: moves, triggers, events, outcomes, policies and hooks as a
** host declares them, and the tables the turn loop reads them from.  Each
** declaration copies its spec and adds all of it or nothing.
*/
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "brinkint.h"

/* declarations ----------------------------------------------------------- */

void brink__cache_free(brink_engine *e, brink__cache *c) {
  brink__free(e, c->reads, sizeof(int) * (size_t)c->cap);
  brink__free(e, c->vals, sizeof(double) * (size_t)c->cap_vals);
  brink__free(e, c->reason, c->reason_cap);
  memset(c, 0, sizeof *c);
}

static char *make_cause(brink_engine *e, const char *kind, const char *name) {
  size_t n = strlen(kind) + strlen(name) + 2;
  char *s = brink__alloc(e, n);
  if (s) snprintf(s, n, "%s:%s", kind, name);
  return s;
}

/* Adds one zeroed element to a declaration array after checking the name;
   *out points at it. */
static int add_named(brink_engine *e, void **arr, int *n, int *cap,
                     brink__map *names, size_t size, const char *what,
                     const char *name, size_t name_offset, void *out) {
  if (name == NULL || *name == '\0')
    return brink__error(e, BRINK_EINVAL, "a %s needs a name", what);
  if (brink__map_get(names, name) >= 0)
    return brink__error(e, BRINK_EEXIST, "%s '%s' is declared twice", what,
                        name);
  if (brink__grow(e, arr, cap, *n + 1, size))
    return brink__error(e, BRINK_ENOMEM, "out of memory");
  char *el = (char *)*arr + (size_t)*n * size;
  memset(el, 0, size);
  char *copy = brink__strdup(e, name);
  if (copy == NULL || brink__map_put(e, names, copy, *n) != BRINK_OK) {
    brink__strfree(e, copy);
    return brink__error(e, BRINK_ENOMEM, "out of memory");
  }
  *(char **)(el + name_offset) = copy;
  (*n)++;
  *(void **)out = el;
  return BRINK_OK;
}

#define ADD(e, field, type, what, nm, out)                                   \
  add_named(e, (void **)&(e)->field, &(e)->n##field, &(e)->cap_##field,     \
            &(e)->field##_map, sizeof(type), what, nm, offsetof(type, name), \
            out)

int brink__turn_init(brink_engine *e) {
  brink__move *pass;
  if (ADD(e, moves, brink__move, "move", "pass", &pass)) return BRINK_ENOMEM;
  pass->by_all = true;
  pass->when = pass->effect = pass->weight = -1;
  pass->doc = brink__strdup(e, "do nothing this turn");
  pass->cause = brink__strdup(e, "move:pass");
  return pass->doc && pass->cause ? BRINK_OK : BRINK_ENOMEM;
}

static int check_open(brink_engine *e, const char *what, const char *name) {
  if (e->sealed)
    return brink__error(e, BRINK_ESTATE, "%s '%s' declared after the world "
                        "was sealed", what, name ? name : "?");
  return BRINK_OK;
}

/* A copy of 's' or NULL; *ok goes false when a copy of a string failed. */
static char *copy_or_null(brink_engine *e, const char *s, bool *ok) {
  if (s == NULL) return NULL;
  char *c = brink__strdup(e, s);
  if (c == NULL) *ok = false;
  return c;
}

/* The strings a declaration keeps. */
typedef struct owned {
  char *where, *doc, *cause;
} owned;

static void disown(brink_engine *e, owned *o) {
  brink__strfree(e, o->where);
  brink__strfree(e, o->doc);
  brink__strfree(e, o->cause);
}

/*
** Copies them before the declaration is added, so a refusal leaves no
** half-made entry behind: BRINK_OK, or BRINK_ENOMEM with nothing kept.
** 'kind' NULL: no cause ("move:NAME") to make.
*/
static int own(brink_engine *e, const char *kind, const char *name,
               const char *where, const char *doc, owned *o) {
  bool ok = true;
  o->where = copy_or_null(e, where, &ok);
  o->doc = copy_or_null(e, doc, &ok);
  o->cause = kind && name ? make_cause(e, kind, name) : NULL;
  if (ok && !(kind && name && o->cause == NULL)) return BRINK_OK;
  disown(e, o);
  return brink__error(e, BRINK_ENOMEM, "out of memory");
}

int brink__move_declare(brink_engine *e, const brink__move_spec *s) {
  if (check_open(e, "move", s->name)) return BRINK_ESTATE;
  owned o;
  int rc = own(e, "move", s->name, s->where, s->doc, &o);
  if (rc != BRINK_OK) return rc;
  bool *by = NULL;
  int *targets = NULL;
  size_t by_size = sizeof(bool) * (size_t)(e->nactors ? e->nactors : 1);
  size_t targets_size = sizeof(int) * (size_t)(s->ntargets ? s->ntargets : 1);
  if (!s->by_all && s->by && (by = brink__alloc(e, by_size)))
    memcpy(by, s->by, sizeof(bool) * (size_t)e->nactors);
  if (s->targets && (targets = brink__alloc(e, targets_size)))
    memcpy(targets, s->targets, sizeof(int) * (size_t)s->ntargets);
  brink__move *m = NULL;
  rc = (!s->by_all && s->by && !by) || (s->targets && !targets)
       ? brink__error(e, BRINK_ENOMEM, "out of memory")
       : ADD(e, moves, brink__move, "move", s->name, &m);
  if (rc != BRINK_OK) {
    disown(e, &o);
    brink__free(e, by, by_size);
    brink__free(e, targets, targets_size);
    return rc;
  }
  m->where = o.where;
  m->doc = o.doc;
  m->cause = o.cause;
  m->by_all = s->by_all;
  m->by = by;
  m->targets = targets;
  m->ntargets = targets ? s->ntargets : 0;
  m->when = s->when;
  m->effect = s->effect;
  m->weight = s->weight;
  m->fixed_weight = s->fixed ? s->value : 1;
  return BRINK_OK;
}

int brink__trigger_declare(brink_engine *e, const brink__trigger_spec *s) {
  if (check_open(e, "trigger", s->name)) return BRINK_ESTATE;
  owned o;
  brink__trigger *t = NULL;
  int rc = own(e, "trigger", s->name, s->where, NULL, &o);
  if (rc == BRINK_OK &&
      (rc = ADD(e, triggers, brink__trigger, "trigger", s->name, &t)))
    disown(e, &o);
  if (rc != BRINK_OK) return rc;
  t->where = o.where;
  t->cause = o.cause;
  t->at = s->at;
  t->every = s->every;
  t->once = s->once;
  t->when = s->when;
  t->effect = s->effect;
  return BRINK_OK;
}

int brink__event_declare(brink_engine *e, const brink__named_spec *s) {
  if (check_open(e, "event", s->name)) return BRINK_ESTATE;
  owned o;
  brink__event *v = NULL;
  int rc = own(e, "event", s->name, s->where, NULL, &o);
  if (rc == BRINK_OK &&
      (rc = ADD(e, events, brink__event, "event", s->name, &v)))
    disown(e, &o);
  if (rc != BRINK_OK) return rc;
  v->where = o.where;
  v->cause = o.cause;
  v->effect = s->fn;
  return BRINK_OK;
}

int brink__outcome_declare(brink_engine *e, const brink__named_spec *s) {
  if (check_open(e, "outcome", s->name)) return BRINK_ESTATE;
  if (s->name && strcmp(s->name, "error") == 0)
    return brink__error(e, BRINK_EINVAL,
                        "'error' is reserved for runs a script error ended");
  owned o;
  brink__outcome *out = NULL;
  int rc = own(e, NULL, s->name, s->where, s->doc, &o);
  if (rc == BRINK_OK &&
      (rc = ADD(e, outcomes, brink__outcome, "outcome", s->name, &out)))
    disown(e, &o);
  if (rc != BRINK_OK) return rc;
  out->where = o.where;
  out->doc = o.doc;
  out->when = s->fn;
  return BRINK_OK;
}

int brink__policy_declare(brink_engine *e, const brink__named_spec *s) {
  if (check_open(e, "policy", s->name)) return BRINK_ESTATE;
  owned o;
  brink__policy *p = NULL;
  int rc = own(e, NULL, s->name, s->where, NULL, &o);
  if (rc == BRINK_OK &&
      (rc = ADD(e, policies, brink__policy, "policy", s->name, &p)))
    disown(e, &o);
  if (rc != BRINK_OK) return rc;
  p->where = o.where;
  p->actor = s->actor;
  p->choose = s->fn;
  return BRINK_OK;
}

int brink__hook_add(brink_engine *e, int when, int fn, const char *where) {
  if (brink__grow(e, (void **)&e->hooks, &e->cap_hooks, e->nhooks + 1,
                  sizeof(brink__hook)))
    return brink__error(e, BRINK_ENOMEM, "out of memory");
  char *w = brink__strdup(e, where ? where : "");
  if (w == NULL) return brink__error(e, BRINK_ENOMEM, "out of memory");
  e->hooks[e->nhooks++] = (brink__hook){when, fn, w};
  return BRINK_OK;
}

int brink__event_find(const brink_engine *e, const char *name) {
  return brink__map_get(&e->events_map, name);
}

int brink__outcome_find(const brink_engine *e, const char *name) {
  return brink__map_get(&e->outcomes_map, name);
}

/* Lays out every (move, actor, target) option, each actor's moves in
   declaration order and 'pass' last.  The default outcome becomes an
   outcome of its own if the scenario did not declare it. */
int brink__options_build(brink_engine *e) {
  /* Counted in size_t and checked: moves x actors x targets is what
     turns a short scenario into gigabytes. */
  size_t count = (size_t)e->nactors;
  for (int m = 1; m < e->nmoves; m++) {
    const brink__move *mv = &e->moves[m];
    for (int a = 0; a < e->nactors; a++) {
      if (!mv->by_all && !(mv->by && mv->by[a])) continue;
      if (mv->targets == NULL) count++;
      for (int t = 0; t < mv->ntargets; t++)
        count += mv->targets[t] != a;   /* nobody targets itself */
    }
    if (count > INT_MAX) {
      brink__error(e, BRINK_ERANGE, "move '%s': %zu options (moves x actors "
                   "x targets) are past the %d a scenario may have",
                   mv->name, count, INT_MAX);
      return brink__diag(e, mv->where ? mv->where : "", e->errmsg)
                 ? BRINK_ENOMEM : BRINK_ERANGE;
    }
    size_t used = brink__mem_used(e), cap = brink__mem_cap(e);
    if (count > (cap > used ? cap - used : 0) / sizeof(brink__option)) {
      char limit[32];
      brink__fmt_bytes(cap, limit, sizeof limit);
      brink__error(e, BRINK_EBUDGET, "memory budget exceeded (%s): move '%s' "
                   "makes %zu options (moves x actors x targets) of %zu bytes "
                   "each", limit, mv->name, count, sizeof(brink__option));
      return brink__diag(e, mv->where ? mv->where : "", e->errmsg)
                 ? BRINK_ENOMEM : BRINK_EBUDGET;
    }
  }
  int n = (int)count;
  e->noptions = n;
  e->options = brink__alloc(e, sizeof(brink__option) * (size_t)(n ? n : 1));
  if (e->options == NULL) return BRINK_ENOMEM;
  memset(e->options, 0, sizeof(brink__option) * (size_t)(n ? n : 1));
  e->actor_options = brink__alloc(e, sizeof(int) * (size_t)(e->nactors + 1));
  if (e->actor_options == NULL) return BRINK_ENOMEM;
  int k = 0;
  for (int a = 0; a < e->nactors; a++) {
    e->actor_options[a] = k;
    for (int m = 1; m < e->nmoves; m++) {
      brink__move *mv = &e->moves[m];
      if (!mv->by_all && !(mv->by && mv->by[a])) continue;
      if (mv->targets == NULL) {
        e->options[k++] = (brink__option){.move = m, .actor = a, .target = -1};
        continue;
      }
      for (int t = 0; t < mv->ntargets; t++)
        if (mv->targets[t] != a)
          e->options[k++] = (brink__option){.move = m, .actor = a,
                                            .target = mv->targets[t]};
    }
    e->options[k++] = (brink__option){.move = 0, .actor = a, .target = -1};
  }
  e->actor_options[e->nactors] = k;
  e->fired = brink__alloc(e, (size_t)(e->ntriggers ? e->ntriggers : 1));
  if (e->fired == NULL) return BRINK_ENOMEM;
  memset(e->fired, 0, (size_t)(e->ntriggers ? e->ntriggers : 1));
  e->ncover = e->nmoves + 2 * e->nvars;   /* legal, writes, clamps */
  e->cover = brink__alloc(e, sizeof(int64_t) * (size_t)e->ncover);
  if (e->cover == NULL) return BRINK_ENOMEM;
  memset(e->cover, 0, sizeof(int64_t) * (size_t)e->ncover);
  if (brink__trig_build(e) != BRINK_OK) return BRINK_ENOMEM;
  const char *def = e->default_outcome ? e->default_outcome : "end";
  if (brink__outcome_find(e, def) < 0) {
    brink__outcome *o;
    if (ADD(e, outcomes, brink__outcome, "outcome", def, &o))
      return BRINK_ENOMEM;
    o->when = -1;
  }
  return brink__actions_build(e);
}

void brink__options_free(brink_engine *e) {
  brink__actions_free(e);
  brink__trig_free(e);
  for (int i = 0; e->options && i < e->noptions; i++) {
    brink__cache_free(e, &e->options[i].when);
    brink__cache_free(e, &e->options[i].weight);
  }
  brink__free(e, e->options,
              sizeof(brink__option) * (size_t)(e->noptions ? e->noptions : 1));
  brink__free(e, e->actor_options, sizeof(int) * (size_t)(e->nactors + 1));
  brink__free(e, e->fired, (size_t)(e->ntriggers ? e->ntriggers : 1));
  brink__free(e, e->cover, sizeof(int64_t) * (size_t)e->ncover);
  brink__free(e, e->cover_log, sizeof(int) * (size_t)e->cap_cover_log);
  e->cover = NULL;
  e->cover_log = NULL;
  e->ncover_log = e->cap_cover_log = 0;
  e->cover_logging = false;
  e->ncover = 0;
  e->options = NULL;
  e->actor_options = NULL;
  e->fired = NULL;
  e->noptions = 0;
}

int64_t brink__sched_bytes(const brink__sched *s) {
  return (int64_t)(sizeof *s + (s->data ? strlen(s->data) + 1 : 0));
}

/* Keeps the first 'n' entries (counted from the array's start, as marks
   are; none at all if 'n' is not past the fired ones). */
void brink__sched_truncate(brink_engine *e, int n) {
  int from = n > e->sched_head ? n : e->sched_head;
  for (int i = from; i < e->nsched; i++) {
    brink__hold(e, -brink__sched_bytes(&e->sched[i]), 0);
    brink__strfree(e, e->sched[i].data);
  }
  if (from < e->nsched) e->nsched = from;
  if (n <= e->sched_head) e->nsched = e->sched_head = 0;
}

void brink__sched_replace(brink_engine *e, brink__sched *sched, int n,
                          int cap) {
  brink__sched_truncate(e, 0);
  brink__free(e, e->sched, sizeof *sched * (size_t)e->cap_sched);
  e->sched = sched;
  e->cap_sched = cap;
  e->nsched = n;
  for (int i = 0; i < n; i++)
    brink__hold(e, brink__sched_bytes(&sched[i]), 0);
}

void brink__turn_free(brink_engine *e) {
  for (int i = 0; i < e->nmoves; i++) {
    brink__move *m = &e->moves[i];
    brink__strfree(e, m->name);
    brink__strfree(e, m->doc);
    brink__strfree(e, m->where);
    brink__strfree(e, m->cause);
    brink__free(e, m->by, sizeof(bool) * (size_t)e->nactors);
    brink__free(e, m->targets, sizeof(int) * (size_t)m->ntargets);
  }
  brink__free(e, e->moves, sizeof(brink__move) * (size_t)e->cap_moves);
  brink__map_free(e, &e->moves_map);
  brink__map_free(e, &e->triggers_map);
  brink__map_free(e, &e->events_map);
  brink__map_free(e, &e->outcomes_map);
  brink__map_free(e, &e->policies_map);
  brink__options_free(e);
  for (int i = 0; i < e->ntriggers; i++) {
    brink__trigger *t = &e->triggers[i];
    brink__strfree(e, t->name);
    brink__strfree(e, t->where);
    brink__strfree(e, t->cause);
    brink__cache_free(e, &t->cache);
  }
  brink__free(e, e->triggers,
              sizeof(brink__trigger) * (size_t)e->cap_triggers);
  for (int i = 0; i < e->nevents; i++) {
    brink__strfree(e, e->events[i].name);
    brink__strfree(e, e->events[i].where);
    brink__strfree(e, e->events[i].cause);
  }
  brink__free(e, e->events, sizeof(brink__event) * (size_t)e->cap_events);
  for (int i = 0; i < e->noutcomes; i++) {
    brink__strfree(e, e->outcomes[i].name);
    brink__strfree(e, e->outcomes[i].doc);
    brink__strfree(e, e->outcomes[i].where);
    brink__cache_free(e, &e->outcomes[i].cache);
  }
  brink__free(e, e->outcomes,
              sizeof(brink__outcome) * (size_t)e->cap_outcomes);
  for (int i = 0; i < e->npolicies; i++) {
    brink__strfree(e, e->policies[i].name);
    brink__strfree(e, e->policies[i].where);
  }
  brink__free(e, e->policies,
              sizeof(brink__policy) * (size_t)e->cap_policies);
  for (int i = 0; i < e->nhooks; i++) brink__strfree(e, e->hooks[i].where);
  brink__free(e, e->hooks, sizeof(brink__hook) * (size_t)e->cap_hooks);
  brink__sched_truncate(e, 0);
  brink__free(e, e->sched, sizeof(brink__sched) * (size_t)e->cap_sched);
  brink__free(e, e->listed, sizeof(int) * (size_t)e->cap_listed);
  brink__free(e, e->weights, sizeof(double) * (size_t)e->cap_weights);
}

/* Looks 'name' up in one kind's table; unknown names get a suggestion. */
static int find_named(brink_engine *e, const brink__map *m, const void *arr,
                      int n, size_t size, size_t name_offset,
                      const char *what, const char *name, int *out) {
  if (out) *out = -1;
  if (name == NULL)
    return brink__error(e, BRINK_EINVAL, "%s name is NULL", what);
  int i = brink__map_get(m, name);
  if (i >= 0) {
    if (out) *out = i;
    return BRINK_OK;
  }
  brink__nearest s;
  brink__nearest_init(&s, name);
  for (int k = 0; k < n; k++)
    brink__nearest_add(&s, *(char *const *)((const char *)arr +
                                            (size_t)k * size + name_offset));
  return brink__error(e, BRINK_ENOTFOUND, "unknown %s %s", what,
                      brink__nearest_text(e, &s));
}

#define FIND(e, field, type, what, nm, out)                                  \
  find_named(e, &(e)->field##_map, (e)->field, (e)->n##field, sizeof(type), \
             offsetof(type, name), what, nm, out)

BRINK_API int brink_move_find(brink_engine *e, const char *name, int *out) {
  return FIND(e, moves, brink__move, "move", name, out);
}

BRINK_API int brink_trigger_find(brink_engine *e, const char *name,
                                 int *out) {
  return FIND(e, triggers, brink__trigger, "trigger", name, out);
}

BRINK_API int brink_event_find(brink_engine *e, const char *name, int *out) {
  return FIND(e, events, brink__event, "event", name, out);
}

BRINK_API int brink_outcome_find(brink_engine *e, const char *name,
                                 int *out) {
  return FIND(e, outcomes, brink__outcome, "outcome", name, out);
}
