/*
** value.c: variables at run time, by id: reading and writing under the
** type rules, and values as text both ways (in the C locale, see
** brink__locale_enter).  Declaring and sealing are in world.c.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brinkint.h"
#include "numtext.h"

static const char *type_names[] = {"number", "integer", "flag", "enum"};

/* reading and writing ---------------------------------------------------- */

static int bad_var(const brink_engine *e, int var) {
  if (!e->sealed)
    return brink__error(e, BRINK_ESTATE, "the world is not sealed yet");
  return brink__error(e, BRINK_EINVAL, "no variable has id %d", var);
}

#define VALID(e, v) ((e)->sealed && (v) >= 0 && (v) < (e)->nvars)

int brink__var_check(const brink_engine *e, int var) {
  return VALID(e, var) ? BRINK_OK : bad_var(e, var);
}

BRINK_API int brink_var_count(const brink_engine *e) { return e->nvars; }

BRINK_API int brink_var_find(brink_engine *e, const char *name, int *out) {
  if (out) *out = -1;
  if (name == NULL) return brink__error(e, BRINK_EINVAL, "name is NULL");
  if (!e->sealed) return bad_var(e, -1);
  int s = brink__map_get(&e->var_map, name);
  if (s < 0) {
    /* Also try the other order of a symmetric relation. */
    const char *a = strchr(name, '.');
    const char *b = a ? strchr(a + 1, '.') : NULL;
    if (b && !strchr(b + 1, '.')) {
      /* As long as the name: a cut name could find another variable. */
      char small[256];
      size_t len = strlen(name) + 1;
      char *swapped = len <= sizeof small ? small : brink__alloc(e, len);
      if (swapped == NULL)
        return brink__error(e, BRINK_ENOMEM, "out of memory");
      snprintf(swapped, len, "%s.%.*s.%.*s", b + 1, (int)(b - a - 1), a + 1,
               (int)(a - name), name);
      int t = brink__map_get(&e->var_map, swapped);
      if (t >= 0 && e->decls[e->vars[t].decl].symmetric) s = t;
      if (swapped != small) brink__free(e, swapped, len);
    }
  }
  if (s < 0) {
    brink__nearest near;
    brink__nearest_init(&near, name);
    for (int i = 0; i < e->nvars; i++)
      brink__nearest_add(&near, e->vars[i].name);
    return brink__error(e, BRINK_ENOTFOUND, "unknown variable %s",
                        brink__nearest_text(e, &near));
  }
  if (out) *out = s;
  return BRINK_OK;
}

BRINK_API const char *brink_var_name(const brink_engine *e, int var) {
  if (!VALID(e, var)) {
    bad_var(e, var);
    return NULL;
  }
  return e->vars[var].name;
}

BRINK_API const char *brink_var_doc(const brink_engine *e, int var) {
  if (!VALID(e, var)) {
    bad_var(e, var);
    return NULL;
  }
  const char *doc = e->decls[e->vars[var].decl].doc;
  return doc ? doc : "";
}

BRINK_API int brink_var_type(const brink_engine *e, int var) {
  if (!VALID(e, var)) {
    bad_var(e, var);
    return -1;
  }
  return e->decls[e->vars[var].decl].type;
}

BRINK_API int brink_var_bounds(const brink_engine *e, int var, double *min,
                               double *max) {
  if (!VALID(e, var)) return bad_var(e, var);
  const brink__decl *d = &e->decls[e->vars[var].decl];
  if (min) *min = d->min;
  if (max) *max = d->max;
  return BRINK_OK;
}

BRINK_API int brink_var_actors(const brink_engine *e, int var, int *owner,
                               int *other) {
  if (!VALID(e, var)) return bad_var(e, var);
  if (owner) *owner = e->vars[var].owner;
  if (other) *other = e->vars[var].other;
  return BRINK_OK;
}

BRINK_API int brink_var_visible(const brink_engine *e, int var, int actor) {
  if (!VALID(e, var)) {
    bad_var(e, var);
    return -1;
  }
  const brink__decl *d = &e->decls[e->vars[var].decl];
  const brink__var *v = &e->vars[var];
  switch (d->visibility) {
  case BRINK_VISIBLE_PUBLIC: return 1;
  case BRINK_VISIBLE_OWNER: return actor >= 0 && actor == v->owner;
  default:
    for (int i = 0; i < d->nvisible; i++)
      if (d->visible_ids && d->visible_ids[i] == actor) return 1;
    return 0;
  }
}

BRINK_API const char *brink_var_enum_value(const brink_engine *e, int var,
                                           int index) {
  if (!VALID(e, var)) {
    bad_var(e, var);
    return NULL;
  }
  const brink__decl *d = &e->decls[e->vars[var].decl];
  return index >= 0 && index < d->nvalues ? d->values[index] : "";
}

int brink__read(brink_engine *e, int var, double *out) {
  *out = e->values[var];
  brink__cache *c = e->tracking;
  if (c && e->read_mark[var] != e->read_epoch) {
    e->read_mark[var] = e->read_epoch;
    if (brink__grow(e, (void **)&c->vals, &c->cap_vals, c->nreads + 1,
                    sizeof(double)) != BRINK_OK ||
        brink__grow(e, (void **)&c->reads, &c->cap, c->nreads + 1,
                    sizeof(int)) != BRINK_OK)
      return brink__error(e, BRINK_ENOMEM, "out of memory");
    c->vals[c->nreads] = *out;
    c->reads[c->nreads++] = var;
  }
  return BRINK_OK;
}

bool brink__fast(const brink_engine *e) {
  return (e->cfg.flags & BRINK_FLAG_NO_CACHE) == 0;
}

uint64_t brink__clock(const brink_engine *e) { return e->clock; }
uint64_t brink__valid_from(const brink_engine *e) { return e->valid_from; }
const uint64_t *brink__versions(const brink_engine *e) { return e->version; }
const double *brink__values(const brink_engine *e) { return e->values; }

void brink__note_date_read(brink_engine *e) {
  if (e->tracking) e->tracking->reads_date = true;
}

void brink__note_date_touch(brink_engine *e) {
  if (e->tracking) e->tracking->date_touched = true;
}

void brink__note_date_year(brink_engine *e) {
  if (e->tracking) e->tracking->reads_year = true;
}

BRINK_API int brink_var_get(brink_engine *e, int var, double *out) {
  if (!VALID(e, var)) return bad_var(e, var);
  if (out == NULL) return brink__error(e, BRINK_EINVAL, "out is NULL");
  return brink__read(e, var, out);
}

int brink__check_value(brink_engine *e, int var, double *value) {
  const brink__var *v = &e->vars[var];
  const brink__decl *d = &e->decls[v->decl];
  double x = *value;
  if (isnan(x) || isinf(x))
    return brink__error(e, BRINK_ERANGE, "%s: %s is not a finite number",
                        v->name, isnan(x) ? "nan" : x > 0 ? "inf" : "-inf");
  switch (d->type) {
  case BRINK_INTEGER:
    if (x != floor(x)) {
      char t[32];
      brink__fmt_number(e, x, t, sizeof t);
      return brink__error(e, BRINK_ETYPE,
                          "%s is an integer variable: %s is not an integer",
                          v->name, t);
    }
    __attribute__((fallthrough));   /* integers clamp like numbers */
  case BRINK_NUMBER:
    if (d->strict && (x < d->min || x > d->max)) {
      char t[32], lo[32], hi[32];
      brink__fmt_number(e, x, t, sizeof t);
      brink__fmt_number(e, d->min, lo, sizeof lo);
      brink__fmt_number(e, d->max, hi, sizeof hi);
      return brink__error(e, BRINK_ERANGE, "%s: %s is outside its bounds "
                          "[%s, %s] (the variable is strict)", v->name, t,
                          lo, hi);
    }
    if (x < d->min) x = d->min;
    if (x > d->max) x = d->max;
    if (x == 0) x = 0;   /* no -0 in logs */
    break;
  case BRINK_FLAG:
    if (x != 0 && x != 1)
      return brink__error(e, BRINK_ETYPE,
                          "%s is a flag: it takes true or false", v->name);
    break;
  default:
    if (x != floor(x) || x < 0 || x >= d->nvalues)
      return brink__error(e, BRINK_ERANGE, "%s: %g is not a value index",
                          v->name, x);
  }
  *value = x;
  return BRINK_OK;
}

/* 'cause' NULL: the cause of what is running (journal.c). */
static int write_var(brink_engine *e, int var, double value,
                     const char *cause) {
  if (e->read_only)
    return brink__error(e, BRINK_ESTATE,
                        "conditions are read-only: cannot set %s",
                        e->vars[var].name);
  double asked = value;
  int rc = brink__check_value(e, var, &value);
  if (rc) return rc;
  if (e->current.in != BRINK__IN_NONE && e->cover) {   /* coverage */
    bool clamped = value != asked;   /* 'asked' -0 is 0 and equal */
    if (e->cover_logging) {
      if (brink__grow(e, (void **)&e->cover_log, &e->cap_cover_log,
                      e->ncover_log + 1, sizeof(int)) != BRINK_OK)
        return brink__error(e, BRINK_ENOMEM, "out of memory");
      e->cover_log[e->ncover_log++] = 2 * var + clamped;
    }
    e->cover[e->nmoves + var]++;
    if (clamped) e->cover[e->nmoves + e->nvars + var]++;
  }
  double old = e->values[var];
  if (old == value) return BRINK_OK;
  brink__entry en = {.kind = BRINK__J_SET, .var = var, .old_value = old,
                     .new_value = value, .cause = cause};
  rc = brink__journal_add(e, &en);
  if (rc) return rc;
  brink__note_change(e, var);
  e->values[var] = value;
  e->version[var] = ++e->clock;
  return BRINK_OK;
}

int brink__write(brink_engine *e, int var, double value) {
  return write_var(e, var, value, NULL);
}

BRINK_API int brink_var_set(brink_engine *e, int var, double value) {
  BRINK__WRITE(e);
  if (!VALID(e, var)) return bad_var(e, var);
  return brink__write(e, var, value);
}

/* The cause is kept for the engine's life, as brink_cause_set's are:
   the set record points at it. */
BRINK_API int brink_var_set_by(brink_engine *e, int var, double value,
                               const char *cause) {
  BRINK__WRITE(e);
  if (!VALID(e, var)) return bad_var(e, var);
  if (cause == NULL) return brink__error(e, BRINK_EINVAL, "cause is NULL");
  const char *kept = brink__cause_intern(e, cause);
  if (kept == NULL) return brink__error(e, BRINK_ENOMEM, "out of memory");
  return write_var(e, var, value, kept);
}

int brink__shortest(double v, char *buf, size_t cap) {
  /* The round trip needs the whole text, whatever 'cap' is. */
  char t[40];
  int n = 0;
  for (int prec = 15; prec <= 17; prec++) {
    n = snprintf(t, sizeof t, "%.*g", prec, v);
    if (prec == 17 || !isfinite(v) || strtod(t, NULL) == v) break;
  }
  snprintf(buf, cap, "%s", t);
  return n;
}

int brink__fmt_number(const brink_engine *e, double v, char *buf,
                      size_t cap) {
  locale_t old = brink__locale_enter(e);
  int n = v == floor(v) && fabs(v) < 1e15 ? snprintf(buf, cap, "%.0f", v)
                                          : brink__shortest(v, buf, cap);
  brink__locale_leave(old);
  return n;
}

/*
** Locale-free by construction, so it needs no engine: "%.*f" writes a sign,
** digits and, between the integer and fraction digits, whatever the
** thread's locale calls a decimal point (no grouping without the ' flag);
** the text is rebuilt with '.'.
*/
BRINK_API int brink_number_show(double v, int decimals, char *buf,
                                size_t cap) {
  if (buf == NULL) cap = 0;
  if (decimals < 0 || decimals > BRINK__MAX_PRECISION)
    decimals = BRINK__DEFAULT_PRECISION;
  /* Past 1e15 a double has no decimals left to round (and "%.4f" of
     1e300 would be 300 digits): the exact text is the readable one. */
  if (!isfinite(v) || fabs(v) >= 1e15) {
    char t[40];
    brink__shortest(v, t, sizeof t);
    /* %g may write the locale's point too (1234567890123456.8): keep
       the C characters, and a '.' for anything else after a digit. */
    char c[40];
    size_t k = 0;
    for (const char *p = t; *p && k + 1 < sizeof c; p++)
      if (strchr("0123456789+-einfa", *p)) c[k++] = *p;
      else if (k && strchr("0123456789", c[k - 1])) c[k++] = '.';
    c[k] = '\0';
    return snprintf(buf, cap, "%s", c);
  }
  char t[64], out[64];
  snprintf(t, sizeof t, "%.*f", decimals, v);
  const char *p = t;
  size_t k = 0;
  if (*p == '-') out[k++] = *p++;
  while (*p >= '0' && *p <= '9') out[k++] = *p++;
  size_t whole = k;
  while (*p && !(*p >= '0' && *p <= '9')) p++;   /* the locale's point */
  if (*p) out[k++] = '.';
  while (*p >= '0' && *p <= '9') out[k++] = *p++;
  if (k > whole) {   /* no trailing zeros, no bare point */
    while (out[k - 1] == '0') k--;
    if (out[k - 1] == '.') k--;
  }
  out[k] = '\0';
  const char *text = strcmp(out, "-0") == 0 ? "0" : out;
  return snprintf(buf, cap, "%s", text);
}

bool brink__parse_number(const brink_engine *e, const char *text,
                         double *out) {
  locale_t old = brink__locale_enter(e);
  char *end;
  *out = strtod(text, &end);
  brink__locale_leave(old);
  return end != text && *end == '\0';
}

BRINK_API int brink_var_format(const brink_engine *e, int var, char *buf,
                               size_t cap) {
  if (!VALID(e, var)) return bad_var(e, var);
  return brink_value_format(e, var, e->values[var], buf, cap);
}

BRINK_API int brink_value_format(const brink_engine *e, int var, double x,
                                 char *buf, size_t cap) {
  if (!VALID(e, var)) return bad_var(e, var);
  const brink__decl *d = &e->decls[e->vars[var].decl];
  if (d->type == BRINK_ENUM && (x != floor(x) || x < 0 || x >= d->nvalues))
    return brink__error(e, BRINK_ERANGE, "%s: %g is not a value index",
                        e->vars[var].name, x);
  if (buf == NULL && cap)
    return brink__error(e, BRINK_EINVAL, "buf is NULL but cap is %zu", cap);
  switch (d->type) {
  case BRINK_FLAG: return snprintf(buf, cap, "%s", x != 0 ? "true" : "false");
  case BRINK_ENUM: return snprintf(buf, cap, "%s", d->values[(int)x]);
  default: return brink__fmt_number(e, x, buf, cap);
  }
}

BRINK_API int brink_value_show(const brink_engine *e, int var, double x,
                               char *buf, size_t cap) {
  if (!VALID(e, var)) return bad_var(e, var);
  const brink__decl *d = &e->decls[e->vars[var].decl];
  if (d->type != BRINK_NUMBER) return brink_value_format(e, var, x, buf, cap);
  if (buf == NULL && cap)
    return brink__error(e, BRINK_EINVAL, "buf is NULL but cap is %zu", cap);
  return brink_number_show(x, d->precision, buf, cap);
}

BRINK_API int brink_var_show(const brink_engine *e, int var, char *buf,
                             size_t cap) {
  if (!VALID(e, var)) return bad_var(e, var);
  return brink_value_show(e, var, e->values[var], buf, cap);
}

BRINK_API int brink_var_precision(const brink_engine *e, int var) {
  if (!VALID(e, var)) {
    bad_var(e, var);
    return -1;
  }
  const brink__decl *d = &e->decls[e->vars[var].decl];
  return d->type == BRINK_NUMBER ? d->precision : -1;
}

BRINK_API int brink_var_set_text(brink_engine *e, int var, const char *text) {
  BRINK__WRITE(e);
  if (!VALID(e, var)) return bad_var(e, var);
  if (text == NULL) return brink__error(e, BRINK_EINVAL, "text is NULL");
  const brink__decl *d = &e->decls[e->vars[var].decl];
  const char *name = e->vars[var].name;
  double x;
  switch (d->type) {
  case BRINK_FLAG:
    if (strcmp(text, "true") == 0) x = 1;
    else if (strcmp(text, "false") == 0) x = 0;
    else
      return brink__error(e, BRINK_ETYPE,
                          "%s is a flag: it takes true or false, not '%s'",
                          name, text);
    break;
  case BRINK_ENUM:
    for (x = 0; x < d->nvalues; x++)
      if (strcmp(d->values[(int)x], text) == 0) break;
    if (x == d->nvalues) {
      return brink__error(e, BRINK_ERANGE, "%s: %s is not one of its values",
                          name, brink__suggest(e, text, (const char *const *)
                                               d->values, d->nvalues));
    }
    break;
  default: {
    if (!brink__parse_number(e, text, &x))
      return brink__error(e, BRINK_ETYPE, "%s is a %s: '%s' is not a number",
                          name, type_names[d->type], text);
  }
  }
  return brink__write(e, var, x);
}
