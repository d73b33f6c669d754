/*
** world.c: declaring variables.  Declarations are kept as written until
** the world is sealed; sealing lays every instance out as one slot of a
** flat array and resolves every name once.  Reading and writing them by id
** is value.c.
*/
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brinkint.h"

BRINK_API void brink_var_spec_init(brink_var_spec *spec) {
  memset(spec, 0, sizeof *spec);
  spec->size = sizeof *spec;
  spec->type = BRINK_NUMBER;
  spec->min = -HUGE_VAL;
  spec->max = HUGE_VAL;
  spec->precision = -1;
}

static size_t pair_slot_size(const brink_engine *e) {
  size_t n = (size_t)(e->nactors ? e->nactors : 1);
  return sizeof(int) * n * n;   /* checked by 'fits' before any relation */
}

static void decl_free(brink_engine *e, brink__decl *d) {
  brink__strfree(e, d->name);
  brink__strfree(e, d->field);
  brink__strfree(e, d->owner);
  /* A half-made declaration may have counts but no arrays. */
  for (int i = 0; d->values && i < d->nvalues; i++)
    brink__strfree(e, d->values[i]);
  brink__free(e, d->values, sizeof(char *) * (size_t)d->nvalues);
  for (int i = 0; d->visible_to && i < d->nvisible; i++)
    brink__strfree(e, d->visible_to[i]);
  brink__free(e, d->visible_to, sizeof(char *) * (size_t)d->nvisible);
  brink__free(e, d->visible_ids, sizeof(int) * (size_t)d->nvisible);
  brink__strfree(e, d->doc);
  brink__strfree(e, d->where);
  for (int i = 0; d->inits && i < d->ninits; i++)
    brink__strfree(e, d->inits[i].actor);
  brink__free(e, d->inits, sizeof *d->inits * (size_t)d->cap_inits);
  brink__believed_free(e, d);
  brink__free(e, d->pair_slot, pair_slot_size(e));
}

static char **strv_dup(brink_engine *e, const char *const *v, int n, bool *ok) {
  *ok = true;
  if (n <= 0) return NULL;
  char **out = brink__alloc(e, sizeof(char *) * (size_t)n);
  if (out == NULL) {
    *ok = false;
    return NULL;
  }
  for (int i = 0; i < n; i++) {
    out[i] = v[i] ? brink__strdup(e, v[i]) : NULL;
    if (out[i] == NULL) {
      while (i--) brink__strfree(e, out[i]);
      brink__free(e, out, sizeof(char *) * (size_t)n);
      *ok = false;
      return NULL;
    }
  }
  return out;
}

/* Frees what sealing built, so a failed seal can be tried again. */
static void unseal(brink_engine *e) {
  brink__beliefs_free(e);
  size_t nv = (size_t)(e->nvars ? e->nvars : 1);
  for (int s = 0; e->vars && s < e->nvars; s++)
    brink__strfree(e, e->vars[s].name);
  brink__free(e, e->vars, sizeof(brink__var) * nv);
  brink__free(e, e->values, sizeof(double) * nv);
  brink__free(e, e->initial, sizeof(double) * nv);
  brink__free(e, e->version, sizeof(uint64_t) * nv);
  brink__free(e, e->read_mark, sizeof(uint32_t) * nv);
  e->vars = NULL;
  e->values = e->initial = NULL;
  e->version = NULL;
  e->read_mark = NULL;
  e->nvars = 0;
  brink__map_free(e, &e->var_map);
  for (int i = 0; i < e->ndecls; i++) {
    brink__decl *d = &e->decls[i];
    brink__free(e, d->pair_slot, pair_slot_size(e));
    brink__free(e, d->visible_ids, sizeof(int) * (size_t)d->nvisible);
    d->pair_slot = NULL;
    d->visible_ids = NULL;
  }
  brink__options_free(e);
}

/* The checks every declaration must pass, with the message a script author
   needs; 'where' is prefixed by the caller. */
static int check_spec(brink_engine *e, const brink_var_spec *s) {
  const char *n = s->name;
  if (s->type < BRINK_NUMBER || s->type > BRINK_ENUM)
    return brink__error(e, BRINK_EINVAL, "variable '%s' has an unknown type",
                        n);
  if (s->type == BRINK_ENUM) {
    if (s->nvalues <= 0 || s->values == NULL)
      return brink__error(e, BRINK_EINVAL,
                          "enum '%s' needs a list of values", n);
    /* A map, not a scan of the earlier values: enums may be long. */
    brink__map seen = {0};
    int rc = BRINK_OK;
    for (int i = 0; i < s->nvalues && rc == BRINK_OK; i++) {
      if (s->values[i] == NULL || s->values[i][0] == '\0')
        rc = brink__error(e, BRINK_EINVAL,
                          "enum '%s' has an empty value name", n);
      else if (brink__map_get(&seen, s->values[i]) >= 0)
        rc = brink__error(e, BRINK_EEXIST, "enum '%s' lists value '%s' twice",
                          n, s->values[i]);
      else if (brink__map_put(e, &seen, s->values[i], i) != BRINK_OK)
        rc = brink__error(e, BRINK_ENOMEM, "out of memory");
    }
    brink__map_free(e, &seen);
    if (rc) return rc;
  }
  if (s->type == BRINK_NUMBER || s->type == BRINK_INTEGER) {
    if (isnan(s->min) || isnan(s->max) || s->min > s->max)
      return brink__error(e, BRINK_ERANGE,
                          "variable '%s' has min %g above max %g", n, s->min,
                          s->max);
    if (s->type == BRINK_INTEGER &&
        ((isfinite(s->min) && s->min != floor(s->min)) ||
         (isfinite(s->max) && s->max != floor(s->max))))
      return brink__error(e, BRINK_ETYPE,
                          "integer '%s' needs integral bounds", n);
  }
  if (s->precision < -1 || s->precision > BRINK__MAX_PRECISION)
    return brink__error(e, BRINK_ERANGE,
                        "variable '%s': precision %d is not 0 to %d", n,
                        (int)s->precision, BRINK__MAX_PRECISION);
  if (s->visibility < BRINK_VISIBLE_PUBLIC ||
      s->visibility > BRINK_VISIBLE_LIST)
    return brink__error(e, BRINK_EINVAL, "variable '%s': unknown visibility",
                        n);
  return BRINK_OK;
}

BRINK_API int brink_var_declare(brink_engine *e, const brink_var_spec *s,
                                int *out) {
  if (out) *out = -1;
  BRINK__WRITE(e);
  brink_var_spec spec;
  brink_var_spec_init(&spec);
  int rc = brink__struct_in(e, &spec, sizeof spec, s, "brink_var_spec");
  if (rc != BRINK_OK) return rc;
  s = &spec;
  if (s->name == NULL || !*s->name)
    return brink__error(e, BRINK_EINVAL, "a variable needs a name");
  if (e->sealed)
    return brink__error(e, BRINK_ESTATE,
                        "variable '%s' declared after the world was sealed",
                        s->name);
  rc = check_spec(e, s);
  if (rc) return rc;
  const char *dot = strchr(s->name, '.');
  if (s->relation ? dot != NULL
                  : dot && (dot == s->name || !dot[1] || strchr(dot + 1, '.')))
    return brink__error(e, BRINK_EINVAL, "'%s' is not a valid %s name",
                        s->name, s->relation ? "relation" : "variable");
  brink__map *names = s->relation ? &e->rel_map : &e->decl_map;
  int twin = brink__map_get(names, s->name);
  if (twin >= 0)
    return brink__error(e, BRINK_EEXIST, "'%s' is declared twice (first at %s)",
                        s->name, e->decls[twin].where ? e->decls[twin].where
                                                      : "?");
  if (brink__grow(e, (void **)&e->decls, &e->cap_decls, e->ndecls + 1,
                  sizeof(brink__decl)))
    return brink__error(e, BRINK_ENOMEM, "out of memory");
  brink__decl *d = &e->decls[e->ndecls];
  memset(d, 0, sizeof *d);
  bool ok1, ok2;
  d->name = brink__strdup(e, s->name);
  d->values = strv_dup(e, s->values, s->type == BRINK_ENUM ? s->nvalues : 0,
                       &ok1);
  d->nvalues = s->type == BRINK_ENUM ? s->nvalues : 0;
  d->visible_to = strv_dup(e, s->visible_to, s->nvisible, &ok2);
  d->nvisible = s->visible_to ? s->nvisible : 0;
  d->doc = s->doc ? brink__strdup(e, s->doc) : NULL;
  d->precision = s->precision < 0 ? BRINK__DEFAULT_PRECISION : s->precision;
  d->where = brink__strdup(e, s->where ? s->where : "");
  d->strict = s->strict != 0;
  if (s->relation) {
    d->kind = BRINK__RELATION;
    d->field = brink__strdup(e, s->name);
  } else if (dot) {
    d->owner = brink__alloc(e, (size_t)(dot - s->name) + 1);
    if (d->owner) {
      memcpy(d->owner, s->name, (size_t)(dot - s->name));
      d->owner[dot - s->name] = '\0';
    }
    d->kind = strcmp(d->owner ? d->owner : "", "*") == 0 ? BRINK__EACH_VAR
                                                          : BRINK__ACTOR_VAR;
    d->field = brink__strdup(e, dot + 1);
  } else {
    d->kind = BRINK__WORLD_VAR;
    d->field = brink__strdup(e, s->name);
  }
  if (!d->name || !ok1 || !ok2 || (s->doc && !d->doc) || !d->where ||
      !d->field || (dot && !s->relation && !d->owner) ||
      brink__map_put(e, names, d->name, e->ndecls) != BRINK_OK) {
    decl_free(e, d);
    return brink__error(e, BRINK_ENOMEM, "out of memory");
  }
  d->type = s->type;
  d->symmetric = s->relation && s->symmetric;
  d->visibility = s->visibility;
  switch (s->type) {
  case BRINK_FLAG: d->min = 0; d->max = 1; break;
  case BRINK_ENUM: d->min = 0; d->max = s->nvalues - 1; break;
  default: d->min = s->min; d->max = s->max;
  }
  d->init = s->init;
  if (out) *out = e->ndecls;
  e->ndecls++;
  return BRINK_OK;
}

BRINK_API int brink_var_init_for(brink_engine *e, int decl, const char *actor,
                                 double init) {
  BRINK__WRITE(e);
  if (decl < 0 || decl >= e->ndecls || actor == NULL)
    return brink__error(e, BRINK_EINVAL, "bad declaration id %d", decl);
  if (e->sealed)
    return brink__error(e, BRINK_ESTATE, "the world is already sealed");
  brink__decl *d = &e->decls[decl];
  if (brink__grow(e, (void **)&d->inits, &d->cap_inits, d->ninits + 1,
                  sizeof *d->inits))
    return brink__error(e, BRINK_ENOMEM, "out of memory");
  char *copy = brink__strdup(e, actor);
  if (copy == NULL) return brink__error(e, BRINK_ENOMEM, "out of memory");
  d->inits[d->ninits].actor = copy;
  d->inits[d->ninits].init = init;
  d->ninits++;
  return BRINK_OK;
}

/* sealing ---------------------------------------------------------------- */

/* Records a problem found while sealing and keeps going, so that a check
   lists every finding at once. */
int brink__seal_problem(brink_engine *e, const brink__decl *d, int status,
                        int *first) {
  if (brink__diag(e, d->where ? d->where : "", e->errmsg) != BRINK_OK)
    status = BRINK_ENOMEM;
  if (*first == BRINK_OK) *first = status;
  return status;
}

static int check_init(brink_engine *e, const brink__decl *d, double v,
                      const char *who) {
  const char *sep = who ? " for " : "";
  if (!who) who = "";
  if (!isfinite(v))
    return brink__error(e, BRINK_ERANGE, "init of '%s'%s%s is not finite",
                        d->name, sep, who);
  if (d->type == BRINK_ENUM && (v != floor(v) || v < 0 || v >= d->nvalues))
    return brink__error(e, BRINK_ERANGE,
                        "init of enum '%s' is not one of its values", d->name);
  if (d->type == BRINK_FLAG && v != 0 && v != 1)
    return brink__error(e, BRINK_ETYPE, "init of flag '%s' must be a boolean",
                        d->name);
  if (d->type == BRINK_INTEGER && v != floor(v))
    return brink__error(e, BRINK_ETYPE,
                        "init %g of integer '%s'%s%s is not an integer", v,
                        d->name, sep, who);
  if (v < d->min || v > d->max) {
    char lo[32], hi[32], val[32];
    brink__fmt_number(e, d->min, lo, sizeof lo);
    brink__fmt_number(e, d->max, hi, sizeof hi);
    brink__fmt_number(e, v, val, sizeof val);
    return brink__error(e, BRINK_ERANGE,
                        "init %s of '%s'%s%s is outside its bounds [%s, %s]",
                        val, d->name, sep, who, lo, hi);
  }
  return BRINK_OK;
}

/* The values a declaration makes, in size_t: n(n - 1) wraps an int from
   46,342 actors on. */
static size_t slots_of(const brink_engine *e, const brink__decl *d) {
  size_t n = (size_t)e->nactors;
  switch (d->kind) {
  case BRINK__WORLD_VAR: case BRINK__ACTOR_VAR: return 1;
  case BRINK__EACH_VAR: return n;
  default: return d->symmetric ? n * (n - 1) / 2 : n * (n - 1);
  }
}

static size_t add_sat(size_t a, size_t b) {
  return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

static size_t mul_sat(size_t a, size_t b) {
  return b && a > SIZE_MAX / b ? SIZE_MAX : a * b;
}

/*
** About what a declaration's values cost once laid out: per value its
** record, value, initial value, version, read mark, name and place in the
** name map (with the allocator's overhead), and a relation's table of
** pairs.  'ids' is the length of all actor ids together.
*/
static size_t bytes_of(const brink_engine *e, const brink__decl *d,
                       size_t ids) {
  size_t n = (size_t)e->nactors, count = slots_of(e, d);
  size_t each = sizeof(brink__var) + 2 * sizeof(double) + sizeof(uint64_t) +
                sizeof(uint32_t) + 2 * (sizeof(char *) + sizeof(int)) + 16 +
                strlen(d->field) + 3;
  size_t bytes = mul_sat(count, each);
  if (d->kind == BRINK__EACH_VAR) bytes = add_sat(bytes, ids);
  if (d->kind == BRINK__RELATION) {
    /* Each id appears in the names of 2(n - 1) ordered pairs. */
    size_t names = mul_sat(mul_sat(ids, 2), n ? n - 1 : 0);
    bytes = add_sat(bytes, d->symmetric ? names / 2 : names);
    bytes = add_sat(bytes, mul_sat(mul_sat(n, n), sizeof(int)));
  } else {
    bytes = add_sat(bytes, strlen(d->name));
  }
  return bytes;
}

/*
** Refuses, before anything is allocated, a world of more values than an
** int can number or that would not fit in the memory budget, naming the
** declaration that crosses the line.
*/
static int fits(brink_engine *e) {
  int first = BRINK_OK;
  size_t ids = 0, total = 0, bytes = 0, used = brink__mem_used(e);
  size_t cap = brink__mem_cap(e);
  for (int a = 0; a < e->nactors; a++) ids += strlen(e->actors[a].id);
  for (int i = 0; i < e->ndecls; i++) {
    brink__decl *d = &e->decls[i];
    size_t count = slots_of(e, d);
    total = add_sat(total, count);
    bytes = add_sat(bytes, bytes_of(e, d, ids));
    const char *what = d->kind == BRINK__RELATION ? "relation" : "variable";
    const char *unit = d->kind == BRINK__RELATION ? "pairs" : "values";
    if (total > INT_MAX) {
      brink__error(e, BRINK_ERANGE, "%s '%s' makes %zu %s of %d actors: "
                   "past the %d values a world may hold", what, d->name,
                   count, unit, e->nactors, INT_MAX);
      return brink__seal_problem(e, d, BRINK_ERANGE, &first);
    }
    if (bytes > cap || used > cap - bytes) {
      char limit[32], need[32];
      brink__fmt_bytes(cap, limit, sizeof limit);
      brink__fmt_bytes(add_sat(used, bytes), need, sizeof need);
      brink__error(e, BRINK_EBUDGET, "memory budget exceeded (%s): %s '%s' "
                   "makes %zu %s of %d actors, and the world would need "
                   "about %s", limit, what, d->name, count, unit, e->nactors,
                   need);
      return brink__seal_problem(e, d, BRINK_EBUDGET, &first);
    }
  }
  return BRINK_OK;
}

static char *join3(brink_engine *e, const char *a, const char *b,
                   const char *c) {
  size_t n = strlen(a) + strlen(b) + (c ? strlen(c) + 1 : 0) + 2;
  char *s = brink__alloc(e, n);
  if (s == NULL) return NULL;
  if (c)
    snprintf(s, n, "%s.%s.%s", a, b, c);
  else if (*a)
    snprintf(s, n, "%s.%s", a, b);
  else
    snprintf(s, n, "%s", b);
  return s;
}

/*
** The per-actor and relation names an actor proxy resolves must not clash,
** and world names must not hide an actor or the date.  Declarations are
** grouped by field, so the check is linear: an actor's own variable
** clashes with the first '*.' variable or relation of its field (two of
** one actor would be one name declared twice), anything else with the
** first declaration of its field.
*/
static int check_clashes(brink_engine *e, int *first) {
  brink__map groups = {0};
  size_t n = sizeof(int) * (size_t)(e->ndecls ? e->ndecls : 1);
  int *any = brink__alloc(e, n), *shared = brink__alloc(e, n), ngroups = 0;
  for (int i = 0; any && shared && i < e->ndecls; i++) {
    brink__decl *d = &e->decls[i];
    if (d->kind == BRINK__WORLD_VAR &&
        (brink__map_get(&e->actor_map, d->field) >= 0 ||
         strcmp(d->field, "date") == 0)) {
      brink__error(e, BRINK_EEXIST, "world variable '%s' hides %s", d->name,
                   strcmp(d->field, "date") ? "an actor" : "w.date");
      brink__seal_problem(e, d, BRINK_EEXIST, first);
    }
    if (d->kind == BRINK__WORLD_VAR) continue;
    int g = brink__map_get(&groups, d->field);
    if (g < 0) {
      g = ngroups++;
      any[g] = i;
      shared[g] = -1;
      if (brink__map_put(e, &groups, d->field, g) != BRINK_OK) break;
    } else {
      int j = d->kind == BRINK__ACTOR_VAR ? shared[g] : any[g];
      if (j >= 0) {
        const brink__decl *o = &e->decls[j];
        brink__error(e, BRINK_EEXIST, "'%s' clashes with '%s' declared at %s",
                     d->name, o->name, o->where);
        brink__seal_problem(e, d, BRINK_EEXIST, first);
      }
    }
    if (d->kind != BRINK__ACTOR_VAR && shared[g] < 0) shared[g] = i;
  }
  if (!any || !shared || groups.count < ngroups) *first = BRINK_ENOMEM;
  brink__free(e, any, n);
  brink__free(e, shared, n);
  brink__map_free(e, &groups);
  return *first;
}

static int layout(brink_engine *e, int *first) {
  int n = e->nactors, total = 0;
  for (int i = 0; i < e->ndecls; i++) {
    brink__decl *d = &e->decls[i];
    if (d->kind == BRINK__ACTOR_VAR &&
        brink__actor_lookup(e, d->owner, NULL) != BRINK_OK) {
      brink__seal_problem(e, d, BRINK_ENOTFOUND, first);
      d->count = 0;
    } else {
      d->count = (int)slots_of(e, d);   /* 'fits' bounded the sum */
    }
    d->first = total;
    total += d->count;
  }
  if (*first == BRINK_ENOMEM) return *first;
  size_t nv = (size_t)(total ? total : 1);
  e->nvars = total;   /* before allocating: the free path sizes by it */
  e->vars = brink__alloc(e, sizeof(brink__var) * nv);
  if (e->vars) memset(e->vars, 0, sizeof(brink__var) * nv);
  e->values = brink__alloc(e, sizeof(double) * nv);
  e->initial = brink__alloc(e, sizeof(double) * nv);
  e->version = brink__alloc(e, sizeof(uint64_t) * nv);
  e->read_mark = brink__alloc(e, sizeof(uint32_t) * nv);
  if (!e->vars || !e->values || !e->initial || !e->version || !e->read_mark)
    return BRINK_ENOMEM;
  memset(e->version, 0, sizeof(uint64_t) * nv);
  memset(e->read_mark, 0, sizeof(uint32_t) * nv);
  for (int i = 0; i < e->ndecls; i++) {
    brink__decl *d = &e->decls[i];
    int s = d->first;
    if (d->kind == BRINK__WORLD_VAR || d->kind == BRINK__ACTOR_VAR) {
      if (d->count == 0) continue;
      int owner = -1;
      if (d->kind == BRINK__ACTOR_VAR) brink__actor_lookup(e, d->owner, &owner);
      e->vars[s] = (brink__var){NULL, i, owner, -1};
      e->vars[s].name = brink__strdup(e, d->name);
      if (!e->vars[s].name) return BRINK_ENOMEM;
    } else if (d->kind == BRINK__EACH_VAR) {
      for (int a = 0; a < n; a++, s++) {
        e->vars[s] = (brink__var){join3(e, e->actors[a].id, d->field, NULL),
                                  i, a, -1};
        if (!e->vars[s].name) return BRINK_ENOMEM;
      }
    } else {
      d->pair_slot = brink__alloc(e, pair_slot_size(e));
      if (!d->pair_slot) return BRINK_ENOMEM;
      for (int a = 0; a < n; a++)
        for (int b = 0; b < n; b++) {
          d->pair_slot[BRINK__PAIR(n, a, b)] = -1;
          if (a == b || (d->symmetric && b < a)) continue;
          d->pair_slot[BRINK__PAIR(n, a, b)] = s;
          e->vars[s] = (brink__var){
              join3(e, e->actors[a].id, d->field, e->actors[b].id), i, a, b};
          if (!e->vars[s].name) return BRINK_ENOMEM;
          s++;
        }
      if (d->symmetric)
        for (int a = 0; a < n; a++)
          for (int b = 0; b < a; b++)
            d->pair_slot[BRINK__PAIR(n, a, b)] =
                d->pair_slot[BRINK__PAIR(n, b, a)];
    }
  }
  return BRINK_OK;
}

static int index_names(brink_engine *e) {
  for (int s = 0; s < e->nvars; s++)
    if (e->vars[s].name &&
        brink__map_put(e, &e->var_map, e->vars[s].name, s) != BRINK_OK)
      return BRINK_ENOMEM;
  return BRINK_OK;
}

/* Puts "in init of 'x': " before the message, which may be of any length
   (it cannot be formatted into itself). */
static int prefix_error(brink_engine *e, const char *fmt, const char *name) {
  char *msg = brink__strdup(e, e->errmsg);
  if (msg == NULL) return BRINK_ENOMEM;
  size_t n = strlen(fmt) + strlen(name) + 1;
  char *head = brink__alloc(e, n);
  if (head) snprintf(head, n, fmt, name);
  brink__error(e, BRINK_ENOTFOUND, "%s%s", head ? head : "", msg);
  brink__free(e, head, n);
  brink__strfree(e, msg);
  return BRINK_OK;
}

static int initialise(brink_engine *e, int *first) {
  for (int i = 0; i < e->ndecls; i++) {
    brink__decl *d = &e->decls[i];
    if (d->count == 0) continue;
    int rc = check_init(e, d, d->init, NULL);
    if (rc) brink__seal_problem(e, d, rc, first);
    for (int s = d->first; s < d->first + d->count; s++)
      e->initial[s] = rc ? (d->min > -HUGE_VAL ? d->min : 0) : d->init;
    /* Actor-wide values first, then pairs ("USA.PRC") over them. */
    for (int pass = 0; pass < 2; pass++)
      for (int k = 0; k < d->ninits; k++) {
        const char *who = d->inits[k].actor;
        const char *dot = strchr(who, '.');
        if ((dot != NULL) != (pass == 1)) continue;
        if (d->kind != BRINK__EACH_VAR && d->kind != BRINK__RELATION) {
          brink__error(e, BRINK_EINVAL,
                       "per-actor init given for '%s', which is not declared "
                       "for every actor ('*.%s')", d->name, d->field);
          brink__seal_problem(e, d, BRINK_EINVAL, first);
          break;
        }
        if (dot && d->kind != BRINK__RELATION) {
          brink__error(e, BRINK_EINVAL, "init of '%s' names a pair ('%s'), "
                       "but it is not a relation", d->name, who);
          brink__seal_problem(e, d, BRINK_EINVAL, first);
          continue;
        }
        /* Split "USA.PRC" in place (the copy is ours), whatever the
           length of the ids. */
        char *cut = d->inits[k].actor + (dot ? dot - who : 0);
        int a, b = -1;
        if (dot) *cut = '\0';
        bool found = brink__actor_lookup(e, who, &a) == BRINK_OK &&
                     (!dot || brink__actor_lookup(e, dot + 1, &b) == BRINK_OK);
        if (dot) *cut = '.';
        if (!found) {
          if (prefix_error(e, "in init of '%s': ", d->name) != BRINK_OK)
            return BRINK_ENOMEM;
          brink__seal_problem(e, d, BRINK_ENOTFOUND, first);
          continue;
        }
        double v = d->inits[k].init;
        if ((rc = check_init(e, d, v, who)) != BRINK_OK) {
          brink__seal_problem(e, d, rc, first);
          continue;
        }
        int n = e->nactors;
        if (d->kind == BRINK__EACH_VAR)
          e->initial[d->first + a] = v;
        else if (dot && d->pair_slot[BRINK__PAIR(n, a, b)] < 0) {
          brink__error(e, BRINK_EINVAL, "init of '%s': %.*s has no %s with "
                       "itself", d->name, (int)(dot - who), who, d->field);
          brink__seal_problem(e, d, BRINK_EINVAL, first);
        } else if (dot)
          e->initial[d->pair_slot[BRINK__PAIR(n, a, b)]] = v;
        else
          for (int o = 0; o < n; o++)
            if (d->pair_slot[BRINK__PAIR(n, a, o)] >= 0)
              e->initial[d->pair_slot[BRINK__PAIR(n, a, o)]] = v;
      }
    if (d->nvisible) {
      d->visible_ids = brink__alloc(e, sizeof(int) * (size_t)d->nvisible);
      if (!d->visible_ids) return BRINK_ENOMEM;
      for (int k = 0; k < d->nvisible; k++)
        if (brink__actor_lookup(e, d->visible_to[k], &d->visible_ids[k])) {
          if (prefix_error(e, "in 'visible' of '%s': ", d->name) != BRINK_OK)
            return BRINK_ENOMEM;
          brink__seal_problem(e, d, BRINK_ENOTFOUND, first);
        }
    }
  }
  return BRINK_OK;
}

BRINK_API int brink_world_seal(brink_engine *e) {
  BRINK__WRITE(e);
  if (e->sealed) return brink__error(e, BRINK_ESTATE, "already sealed");
  int first = BRINK_OK, d0 = e->ndiags;
  int rc = fits(e);
  if (rc != BRINK_OK) return rc;
  check_clashes(e, &first);
  rc = layout(e, &first);
  if (rc == BRINK_OK) rc = index_names(e);
  if (rc == BRINK_OK) rc = initialise(e, &first);
  if (rc == BRINK_OK) rc = brink__beliefs_build(e, &first);
  if (rc == BRINK_OK && first == BRINK_OK) {
    rc = brink__options_build(e);
    /* Too many options: the finding is the move's. */
    if (rc == BRINK_ERANGE || rc == BRINK_EBUDGET) {
      unseal(e);
      return rc;
    }
  }
  if (rc != BRINK_OK || first != BRINK_OK) unseal(e);
  if (rc != BRINK_OK) return brink__error(e, BRINK_ENOMEM, "out of memory");
  if (first != BRINK_OK) {
    /* Report the first problem; the diagnostics list them all. */
    brink__error(e, first, "%s", e->diags[d0]);
    return first;
  }
  memcpy(e->values, e->initial, sizeof(double) * (size_t)e->nvars);
  if (e->nturns == 0 && (rc = brink_calendar_set(e, e->start, e->finish,
                                                  e->unit)) != BRINK_OK) {
    unseal(e);
    return rc;
  }
  e->sealed = true;
  return BRINK_OK;
}

void brink__world_free(brink_engine *e) {
  unseal(e);
  for (int i = 0; i < e->ndecls; i++) decl_free(e, &e->decls[i]);
  brink__free(e, e->decls, sizeof(brink__decl) * (size_t)e->cap_decls);
  brink__map_free(e, &e->decl_map);
  brink__map_free(e, &e->rel_map);
  for (int i = 0; i < e->nactors; i++) {
    brink__strfree(e, e->actors[i].id);
    brink__strfree(e, e->actors[i].name);
    brink__strfree(e, e->actors[i].brief);
  }
  brink__free(e, e->actors, sizeof(brink__actor) * (size_t)e->cap_actors);
  brink__map_free(e, &e->actor_map);
}
