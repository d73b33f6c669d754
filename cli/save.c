/*
** save.c: the state of a run as JSON, the setup record, and saves.
**
** A save is meant to be read by people and to outlive edits of the
** scenario, so it names everything (variables, triggers, events, actors,
** outcomes) instead of holding snapshot bytes.  Everything read from a save
** or a log is untrusted: it is parsed with jansson, checked field by field
** into a scratch clone of the engine, and used only once all of it was
** accepted.
*/
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <fcntl.h>

#include "tabletop.h"

/* small things ----------------------------------------------------------- */

int strlist_pushn(strlist *l, const char *s, size_t len) {
  if (l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 16;
    char **v = realloc(l->v, cap * sizeof *v);
    if (v == NULL) return -1;
    l->v = v;
    l->cap = cap;
  }
  char *copy = malloc(len + 1);
  if (copy == NULL) return -1;
  memcpy(copy, s, len);
  copy[len] = '\0';
  l->v[l->n++] = copy;
  return 0;
}

int strlist_push(strlist *l, const char *s) {
  return strlist_pushn(l, s, strlen(s));
}

int strlist_split(strlist *l, const char *text, size_t len) {
  const char *p = text, *end = text + len;
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
    if (strlist_pushn(l, p, n)) return -1;
    p += n + 1;
  }
  return 0;
}

void strlist_free(strlist *l) {
  for (size_t i = 0; i < l->n; i++) free(l->v[i]);
  free(l->v);
  memset(l, 0, sizeof *l);
}

static int fail(char *err, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t cap, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, cap, fmt, ap);
  va_end(ap);
  return -1;
}

char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) return NULL;
  size_t cap = 1 << 14, n = 0, got;
  char *buf = malloc(cap);
  while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
    n += got;
    if (n + 1 == cap) {
      char *bigger = cap > ((size_t)1 << 30) ? NULL : realloc(buf, cap * 2);
      if (bigger == NULL) {
        free(buf);
        buf = NULL;
        errno = EFBIG;
        break;
      }
      buf = bigger;
      cap *= 2;
    }
  }
  if (buf && ferror(f)) {
    free(buf);
    buf = NULL;
    errno = EIO;
  }
  fclose(f);
  if (buf == NULL) return NULL;
  buf[n] = '\0';
  if (len) *len = n;
  return buf;
}

int record_line(brink_engine *e, const brink_record *r, char **buf,
                size_t *cap) {
  int n = brink_record_json(e, r, *buf, *cap);
  if (n >= 0 && (size_t)n >= *cap) {
    size_t ncap = (size_t)n + 64;
    char *bigger = realloc(*buf, ncap);
    if (bigger == NULL) return -1;
    *buf = bigger;
    *cap = ncap;
    n = brink_record_json(e, r, *buf, *cap);
  }
  return n < 0 ? -1 : n;
}

/* event data ------------------------------------------------------------- */

static void lua_quote(sbuf *b, const char *s, size_t n) {
  sb_put(b, "\"", 1);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    char t[8];
    if (c == '"' || c == '\\') {
      t[0] = '\\';
      t[1] = (char)c;
      sb_put(b, t, 2);
    } else if (c < 0x20 || c == 0x7f) {
      snprintf(t, sizeof t, "\\%03u", c);
      sb_puts(b, t);
    } else {
      sb_put(b, (const char *)&s[i], 1);
    }
  }
  sb_put(b, "\"", 1);
}

static void lua_number(sbuf *b, double v) {
  char t[40];
  snprintf(t, sizeof t, "%.17g", v);
  sb_puts(b, t);
  if (strspn(t, "-0123456789") == strlen(t)) sb_puts(b, ".0");
}

static void lua_data(sbuf *b, const json_t *j, int depth) {
  if (depth > 30) {
    b->bad = true;
    return;
  }
  switch (json_typeof(j)) {
  case JSON_OBJECT: {
    const char *k;
    json_t *v;
    sb_puts(b, "{");
    json_object_foreach((json_t *)j, k, v) {
      sb_puts(b, "[");
      lua_quote(b, k, strlen(k));
      sb_puts(b, "]=");
      lua_data(b, v, depth + 1);
      sb_puts(b, ",");
    }
    sb_puts(b, "}");
    break;
  }
  case JSON_ARRAY: {
    sb_puts(b, "{");
    for (size_t i = 0; i < json_array_size(j); i++) {
      char t[32];
      snprintf(t, sizeof t, "[%zu]=", i + 1);
      sb_puts(b, t);
      lua_data(b, json_array_get(j, i), depth + 1);
      sb_puts(b, ",");
    }
    sb_puts(b, "}");
    break;
  }
  case JSON_STRING:
    lua_quote(b, json_string_value(j), json_string_length(j));
    break;
  case JSON_INTEGER: {
    char t[32];
    snprintf(t, sizeof t, "%" JSON_INTEGER_FORMAT, json_integer_value(j));
    sb_puts(b, t);
    break;
  }
  case JSON_REAL:
    if (!isfinite(json_real_value(j))) b->bad = true;
    else lua_number(b, json_real_value(j));
    break;
  case JSON_TRUE: sb_puts(b, "true"); break;
  case JSON_FALSE: sb_puts(b, "false"); break;
  default: sb_puts(b, "nil");
  }
}

char *data_from_json(const json_t *j) {
  sbuf b = {0};
  lua_data(&b, j, 0);
  if (b.bad || b.s == NULL || !brink__data_valid(b.s)) {
    free(b.s);
    return NULL;
  }
  return b.s;
}

/* the setup record ------------------------------------------------------- */

void setup_free(setup *s) {
  free(s->file);
  strlist_free(&s->seats);
  strlist_free(&s->policies);
  strlist_free(&s->sets);
  memset(s, 0, sizeof *s);
}

int setup_init(setup *s, brink_engine *e, const char *file, uint64_t seed) {
  memset(s, 0, sizeof *s);
  size_t len;
  const char *text = brink_scenario_text(e, &len);
  brink__sha256_hex(text ? text : "", text ? len : 0, s->sha256);
  s->seed = seed;
  s->file = strdup(file);
  return s->file ? 0 : -1;
}

static json_t *seed_json(uint64_t seed) {
  if (seed <= (uint64_t)INT64_MAX) return json_integer((json_int_t)seed);
  char t[32];
  snprintf(t, sizeof t, "%llu", (unsigned long long)seed);
  return json_string(t);
}

bool seed_read(json_t *j, uint64_t *out) {
  if (json_is_integer(j) && json_integer_value(j) >= 0) {
    *out = (uint64_t)json_integer_value(j);
    return true;
  }
  if (!json_is_string(j)) return false;
  const char *s = json_string_value(j);
  if (*s == '\0' || strspn(s, "0123456789") != strlen(s) || strlen(s) > 20)
    return false;
  errno = 0;
  unsigned long long v = strtoull(s, NULL, 10);
  if (errno) return false;
  *out = v;
  return true;
}

/* A JSON string that jansson accepts: anything not UTF-8 is replaced. */
static json_t *jstr(const char *s) {
  if (s == NULL) return json_null();
  if (utf8_valid(s, strlen(s))) return json_string(s);
  char *t = strdup(s);
  if (t == NULL) return NULL;
  for (char *p = t; *p; p++)
    if ((unsigned char)*p >= 0x80) *p = '?';
  json_t *j = json_string(t);
  free(t);
  return j;
}

/* jansson's setters steal the value and fail on NULL: count failures. */
static void put(json_t *obj, const char *key, json_t *v, bool *bad) {
  if (v == NULL || json_object_set_new(obj, key, v) != 0) *bad = true;
}

static void append(json_t *arr, json_t *v, bool *bad) {
  if (v == NULL || json_array_append_new(arr, v) != 0) *bad = true;
}

static json_t *setup_object(const setup *s, bool with_file) {
  bool bad = false;
  json_t *o = json_object();
  if (o == NULL) return NULL;
  if (with_file) {
    put(o, "t", json_string("setup"), &bad);
    put(o, "file", jstr(s->file), &bad);
    put(o, "sha256", json_string(s->sha256), &bad);
  }
  put(o, "seed", seed_json(s->seed), &bad);
  json_t *seats = json_array(), *pol = json_object(), *sets = json_array();
  for (size_t i = 0; seats && i < s->seats.n; i++)
    append(seats, jstr(s->seats.v[i]), &bad);
  for (size_t i = 0; pol && i < s->policies.n; i++) {
    const char *p = s->policies.v[i], *eq = strchr(p, '=');
    char actor[256];
    snprintf(actor, sizeof actor, "%.*s", eq ? (int)(eq - p) : 0, p);
    if (!utf8_valid(actor, strlen(actor))) bad = true;
    else put(pol, actor, jstr(eq ? eq + 1 : ""), &bad);
  }
  for (size_t i = 0; sets && i < s->sets.n; i++)
    append(sets, jstr(s->sets.v[i]), &bad);
  put(o, "seats", seats, &bad);
  put(o, "policies", pol, &bad);
  put(o, "sets", sets, &bad);
  put(o, "turns", json_integer(s->turns), &bad);
  if (bad) {
    json_decref(o);
    return NULL;
  }
  return o;
}

char *setup_line(const setup *s) {
  json_t *o = setup_object(s, true);
  if (o == NULL) return NULL;
  char *line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(o);
  return line;
}

static int list_of_strings(json_t *j, strlist *l, const char *what, char *err,
                           size_t cap) {
  if (!json_is_array(j)) return fail(err, cap, "%s must be a list", what);
  for (size_t i = 0; i < json_array_size(j); i++) {
    json_t *x = json_array_get(j, i);
    if (!json_is_string(x))
      return fail(err, cap, "%s[%zu] must be a string", what, i);
    if (strlist_push(l, json_string_value(x)))
      return fail(err, cap, "out of memory");
  }
  return 0;
}

int setup_parse(json_t *j, setup *s, char *err, size_t cap) {
  memset(s, 0, sizeof *s);
  if (!json_is_object(j)) return fail(err, cap, "setup must be an object");
  json_t *file = json_object_get(j, "file");
  json_t *sha = json_object_get(j, "sha256");
  if (file || sha) {
    if (!json_is_string(file)) return fail(err, cap, "setup.file: missing or "
                                           "not a string");
    if (!json_is_string(sha) || strlen(json_string_value(sha)) != 64 ||
        strspn(json_string_value(sha), "0123456789abcdef") != 64)
      return fail(err, cap, "setup.sha256: missing or not 64 hex digits");
    if ((s->file = strdup(json_string_value(file))) == NULL)
      return fail(err, cap, "out of memory");
    memcpy(s->sha256, json_string_value(sha), 65);
  }
  if (!seed_read(json_object_get(j, "seed"), &s->seed))
    return fail(err, cap, "setup.seed: missing or not a whole number");
  if (list_of_strings(json_object_get(j, "seats"), &s->seats, "setup.seats",
                      err, cap) ||
      list_of_strings(json_object_get(j, "sets"), &s->sets, "setup.sets", err,
                      cap))
    return -1;
  for (size_t i = 0; i < s->sets.n; i++) {
    const char *eq = strchr(s->sets.v[i], '=');
    if (eq == NULL || eq == s->sets.v[i])
      return fail(err, cap, "setup.sets[%zu] must be VAR=VALUE", i);
  }
  json_t *pol = json_object_get(j, "policies");
  if (!json_is_object(pol))
    return fail(err, cap, "setup.policies: missing or not an object");
  const char *k;
  json_t *v;
  json_object_foreach(pol, k, v) {
    if (!json_is_string(v))
      return fail(err, cap, "setup.policies.%s must be a string", k);
    size_t n = strlen(k) + json_string_length(v) + 2;
    char *p = malloc(n);
    if (p == NULL) return fail(err, cap, "out of memory");
    snprintf(p, n, "%s=%s", k, json_string_value(v));
    int rc = strlist_push(&s->policies, p);
    free(p);
    if (rc) return fail(err, cap, "out of memory");
  }
  json_t *turns = json_object_get(j, "turns");
  if (!json_is_integer(turns) || json_integer_value(turns) < 0 ||
      json_integer_value(turns) > 1000000)
    return fail(err, cap, "setup.turns: missing or not a number of turns");
  s->turns = (int)json_integer_value(turns);
  return 0;
}

/* the state as JSON ------------------------------------------------------ */

static json_t *value_json(brink_engine *e, int v) {
  double x;
  brink_var_get(e, v, &x);
  switch (brink_var_type(e, v)) {
  case BRINK_FLAG: return json_boolean(x != 0);
  case BRINK_ENUM: return jstr(brink_var_enum_value(e, v, (int)x));
  default:
    if (x == floor(x) && fabs(x) < 9e15 && !(x == 0 && signbit(x)))
      return json_integer((json_int_t)x);
    return json_real(x);
  }
}

json_t *state_json(brink_engine *e) {
  brink_position p = {.size = sizeof p};
  if (brink_position_get(e, &p) != BRINK_OK) return NULL;
  bool bad = false;
  json_t *o = json_object();
  if (o == NULL) return NULL;
  char date[16];
  brink_date_format(brink_turn_date(e, p.turn), date, sizeof date);
  put(o, "turn", json_integer(p.turn), &bad);
  put(o, "date", json_string(date), &bad);
  put(o, "phase", json_integer(p.phase), &bad);
  put(o, "index", json_integer(p.index), &bad);
  put(o, "moves_made", json_integer(p.moves_made), &bad);
  put(o, "awaiting", p.awaiting >= 0 ? jstr(brink_actor_id(e, p.awaiting))
                                     : json_null(), &bad);
  put(o, "outcome", p.outcome == -2 ? json_string("error")
                    : p.outcome >= 0 ? jstr(brink_outcome_name(e, p.outcome))
                                     : json_null(), &bad);
  put(o, "pending_outcome",
      p.pending_outcome >= 0 ? jstr(brink_outcome_name(e, p.pending_outcome))
                             : json_null(), &bad);
  put(o, "sched_seq", json_integer(p.sched_seq), &bad);
  put(o, "seed", seed_json(p.seed), &bad);
  json_t *rng = json_array();
  for (int i = 0; rng && i < 4; i++) {
    char t[20];
    snprintf(t, sizeof t, "%016llx", (unsigned long long)p.rng[i]);
    append(rng, json_string(t), &bad);
  }
  put(o, "rng", rng, &bad);
  json_t *values = json_object();
  for (int v = 0; values && v < brink_var_count(e); v++)
    put(values, brink_var_name(e, v), value_json(e, v), &bad);
  put(o, "values", values, &bad);
  json_t *fired = json_array();
  for (int t = 0; fired && t < brink_trigger_count(e); t++)
    if (brink_trigger_fired(e, t) == 1)
      append(fired, jstr(brink_trigger_name(e, t)), &bad);
  put(o, "fired", fired, &bad);
  json_t *sched = json_array();
  for (int i = 0; sched && i < brink_schedule_count(e); i++) {
    int due, ev;
    uint32_t seq;
    const char *data;
    brink_schedule_get(e, i, &due, &ev, &seq, &data);
    json_t *s = json_object();
    if (s == NULL) {
      bad = true;
      break;
    }
    put(s, "event", jstr(brink_event_name(e, ev)), &bad);
    put(s, "due", json_integer(due), &bad);
    put(s, "seq", json_integer(seq), &bad);
    put(s, "data", data ? jstr(data) : json_null(), &bad);
    append(sched, s, &bad);
  }
  put(o, "schedule", sched, &bad);
  if (bad || values == NULL) {
    json_decref(o);
    return NULL;
  }
  return o;
}

/* Reads an integer field in [lo, hi]. */
static int get_int(json_t *o, const char *key, long long lo, long long hi,
                   long long *out, const char *where, char *err, size_t cap) {
  json_t *j = json_object_get(o, key);
  if (j == NULL) return fail(err, cap, "%s.%s: missing", where, key);
  if (!json_is_integer(j))
    return fail(err, cap, "%s.%s: must be a whole number", where, key);
  long long v = json_integer_value(j);
  if (v < lo || v > hi)
    return fail(err, cap, "%s.%s: %lld is out of range (%lld to %lld)", where,
                key, v, lo, hi);
  *out = v;
  return 0;
}

/* A name or null: actors and outcomes of the position. */
static int get_name(json_t *o, const char *key, const char **out,
                    const char *where, char *err, size_t cap) {
  json_t *j = json_object_get(o, key);
  if (j == NULL) return fail(err, cap, "%s.%s: missing", where, key);
  if (json_is_null(j)) {
    *out = NULL;
    return 0;
  }
  if (!json_is_string(j))
    return fail(err, cap, "%s.%s: must be a name or null", where, key);
  *out = json_string_value(j);
  return 0;
}

/* Refuses a field the format does not have: nothing in a save is
   ignored, so nothing can hide in one. */
static int only_keys(json_t *o, const char *const *keys, const char *where,
                     char *err, size_t cap) {
  const char *k;
  json_t *v;
  json_object_foreach(o, k, v) {
    size_t i = 0;
    while (keys[i] && strcmp(keys[i], k) != 0) i++;
    if (keys[i] == NULL)
      return fail(err, cap, "%s%s%s: not a field of %s", where,
                  *where ? "." : "", k, *where ? where : "a save");
  }
  return 0;
}

/* The calendar's date of 'turn', as saves and logs write it. */
static void turn_date(brink_engine *e, int turn, char *buf, size_t cap) {
  brink_date_format(brink_turn_date(e, turn), buf, cap);
}

static int outcome_id(brink_engine *e, const char *name) {
  for (int i = 0; i < brink_outcome_count(e); i++)
    if (strcmp(brink_outcome_name(e, i), name) == 0) return i;
  return -1;
}

static int note(strlist *notes, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int note(strlist *notes, const char *fmt, ...) {
  char t[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(t, sizeof t, fmt, ap);
  va_end(ap);
  return notes ? strlist_push(notes, t) : 0;
}

static int apply_values(brink_engine *e, json_t *values, bool force,
                        strlist *notes, const char *where, char *err,
                        size_t cap) {
  if (!json_is_object(values))
    return fail(err, cap, "%s.values: missing or not an object", where);
  const char *k;
  json_t *j;
  json_object_foreach(values, k, j) {
    int v;
    if (brink_var_find(e, k, &v) != BRINK_OK) {
      if (!force)
        return fail(err, cap, "%s.values: unknown variable '%s' (--force "
                    "drops it)", where, k);
      note(notes, "dropped %s: not in the scenario", k);
      continue;
    }
    int type = brink_var_type(e, v), rc = BRINK_OK;
    if (type == BRINK_FLAG) {
      if (!json_is_boolean(j))
        return fail(err, cap, "%s.values.%s: must be true or false", where, k);
      rc = brink_var_set(e, v, json_is_true(j));
    } else if (type == BRINK_ENUM) {
      if (!json_is_string(j))
        return fail(err, cap, "%s.values.%s: must be one of its values (a "
                    "string)", where, k);
      rc = brink_var_set_text(e, v, json_string_value(j));
    } else {
      if (!json_is_number(j))
        return fail(err, cap, "%s.values.%s: must be a number", where, k);
      double x = json_number_value(j), lo, hi;
      brink_var_bounds(e, v, &lo, &hi);
      if (!isfinite(x) || x < lo || x > hi) {
        char a[40], b[40], c[40];
        brink_value_format(e, v, x, a, sizeof a);
        brink_value_format(e, v, lo, b, sizeof b);
        brink_value_format(e, v, hi, c, sizeof c);
        if (!force)
          return fail(err, cap, "%s.values.%s: %s is outside %s..%s", where,
                      k, a, b, c);
        note(notes, "clamped %s: %s is outside %s..%s", k, a, b, c);
      }
      rc = brink_var_set(e, v, x);
    }
    if (rc != BRINK_OK)
      return fail(err, cap, "%s.values.%s: %s", where, k, brink_errmsg(e));
  }
  for (int v = 0; v < brink_var_count(e); v++)
    if (json_object_get(values, brink_var_name(e, v)) == NULL) {
      if (!force)
        return fail(err, cap, "%s.values: no value for '%s'", where,
                    brink_var_name(e, v));
      char t[64];
      brink_var_format(e, v, t, sizeof t);
      note(notes, "defaulted %s to %s: not in the save", brink_var_name(e, v),
           t);
    }
  return 0;
}

static int apply_fired(brink_engine *e, json_t *fired, bool force,
                       strlist *notes, const char *where, char *err,
                       size_t cap) {
  if (!json_is_array(fired))
    return fail(err, cap, "%s.fired: missing or not a list", where);
  for (size_t i = 0; i < json_array_size(fired); i++) {
    json_t *j = json_array_get(fired, i);
    if (!json_is_string(j))
      return fail(err, cap, "%s.fired[%zu]: must be a trigger name", where, i);
    int t = -1;
    for (int k = 0; k < brink_trigger_count(e) && t < 0; k++)
      if (strcmp(brink_trigger_name(e, k), json_string_value(j)) == 0) t = k;
    if (t < 0) {
      if (!force)
        return fail(err, cap, "%s.fired: unknown trigger '%s'", where,
                    json_string_value(j));
      note(notes, "dropped trigger %s: not in the scenario",
           json_string_value(j));
      continue;
    }
    if (brink_trigger_fired(e, t) == 1)
      return fail(err, cap, "%s.fired: '%s' twice", where,
                  json_string_value(j));
    brink_trigger_set_fired(e, t, 1);
  }
  return 0;
}

static int apply_schedule(brink_engine *e, json_t *sched, long long next,
                          bool force, strlist *notes, const char *where,
                          char *err, size_t cap) {
  static const char *const keys[] = {"event", "due", "seq", "data", NULL};
  if (!json_is_array(sched))
    return fail(err, cap, "%s.schedule: missing or not a list", where);
  brink_schedule_clear(e);
  for (size_t i = 0; i < json_array_size(sched); i++) {
    json_t *s = json_array_get(sched, i);
    char at[96];
    snprintf(at, sizeof at, "%s.schedule[%zu]", where, i);
    if (!json_is_object(s)) return fail(err, cap, "%s: must be an object", at);
    const char *name;
    long long due, seq;
    if (only_keys(s, keys, at, err, cap) ||
        get_name(s, "event", &name, at, err, cap))
      return -1;
    if (name == NULL) return fail(err, cap, "%s.event: must be a name", at);
    json_t *data = json_object_get(s, "data");
    const char *text = NULL;
    if (data != NULL && !json_is_null(data)) {
      if (!json_is_string(data) || !brink__data_valid(json_string_value(data)))
        return fail(err, cap, "%s.data: not event data written by brink", at);
      text = json_string_value(data);
    }
    if (get_int(s, "due", 1, 100000000, &due, at, err, cap) ||
        get_int(s, "seq", 0, UINT32_MAX, &seq, at, err, cap))
      return -1;
    /* Numbers are given out in order: every one is below the next. */
    if (seq >= next)
      return fail(err, cap, "%s.seq: %lld was never given out (sched_seq is "
                  "%lld)", at, seq, next);
    int ev = -1;
    for (int k = 0; k < brink_event_count(e) && ev < 0; k++)
      if (strcmp(brink_event_name(e, k), name) == 0) ev = k;
    if (ev < 0) {
      if (!force)
        return fail(err, cap, "%s.event: unknown event '%s'", at, name);
      note(notes, "dropped scheduled event %s: not in the scenario", name);
      continue;
    }
    if (brink_schedule_put(e, (int)due, ev, (uint32_t)seq, text) != BRINK_OK)
      return fail(err, cap, "%s: %s", at, brink_errmsg(e));
  }
  return 0;
}

static int apply_position(brink_engine *e, json_t *st, bool force,
                          const char *where, char *err, size_t cap) {
  brink_position p = {.size = sizeof p};
  brink_position_get(e, &p);
  long long turn, phase, index, made, seq;
  if (get_int(st, "turn", 1, 100000000, &turn, where, err, cap) ||
      get_int(st, "phase", 1, 8, &phase, where, err, cap) ||
      get_int(st, "index", 0, 1000000, &index, where, err, cap) ||
      get_int(st, "moves_made", 0, 1000000, &made, where, err, cap) ||
      get_int(st, "sched_seq", 0, UINT32_MAX, &seq, where, err, cap))
    return -1;
  const char *awaiting, *outcome, *pending;
  if (get_name(st, "awaiting", &awaiting, where, err, cap) ||
      get_name(st, "outcome", &outcome, where, err, cap) ||
      get_name(st, "pending_outcome", &pending, where, err, cap))
    return -1;
  if (!seed_read(json_object_get(st, "seed"), &p.seed))
    return fail(err, cap, "%s.seed: missing or not a whole number", where);
  json_t *rng = json_object_get(st, "rng");
  if (!json_is_array(rng) || json_array_size(rng) != 4)
    return fail(err, cap, "%s.rng: must be a list of 4 hex strings", where);
  for (int i = 0; i < 4; i++) {
    json_t *w = json_array_get(rng, (size_t)i);
    const char *s = json_is_string(w) ? json_string_value(w) : "";
    if (strlen(s) != 16 || strspn(s, "0123456789abcdef") != 16)
      return fail(err, cap, "%s.rng[%d]: must be 16 hex digits", where, i);
    p.rng[i] = strtoull(s, NULL, 16);
  }
  p.turn = (int32_t)turn;
  p.phase = (int32_t)phase;
  p.index = (int32_t)index;
  p.moves_made = (int32_t)made;
  p.sched_seq = (uint32_t)seq;
  p.awaiting = -1;
  if (awaiting && brink_actor_find(e, awaiting, &p.awaiting) != BRINK_OK)
    return fail(err, cap, "%s.awaiting: unknown actor '%s'", where, awaiting);
  p.outcome = -1;
  if (outcome && strcmp(outcome, "error") == 0) p.outcome = -2;
  else if (outcome && (p.outcome = outcome_id(e, outcome)) < 0)
    return fail(err, cap, "%s.outcome: unknown outcome '%s'", where, outcome);
  p.pending_outcome = -1;
  if (pending && (p.pending_outcome = outcome_id(e, pending)) < 0)
    return fail(err, cap, "%s.pending_outcome: unknown outcome '%s'", where,
                pending);
  (void)force;
  if (brink_position_set(e, &p) != BRINK_OK)
    return fail(err, cap, "%s: %s", where, brink_errmsg(e));
  return 0;
}

static int state_apply_at(brink_engine *e, json_t *st, bool force,
                          strlist *notes, const char *where, char *err,
                          size_t cap) {
  static const char *const keys[] = {
      "turn", "date", "phase", "index", "moves_made", "awaiting", "outcome",
      "pending_outcome", "sched_seq", "seed", "rng", "values", "fired",
      "schedule", NULL};
  if (!json_is_object(st))
    return fail(err, cap, "%s: missing or not an object", where);
  if (only_keys(st, keys, where, err, cap)) return -1;
  /* The date says the turn again: they must agree, on this calendar. */
  long long turn, next;
  if (get_int(st, "turn", 1, brink_turn_count(e), &turn, where, err, cap) ||
      get_int(st, "sched_seq", 0, UINT32_MAX, &next, where, err, cap))
    return -1;
  json_t *date = json_object_get(st, "date");
  char want[16];
  turn_date(e, (int)turn, want, sizeof want);
  if (!json_is_string(date))
    return fail(err, cap, "%s.date: missing or not a date", where);
  if (strcmp(json_string_value(date), want) != 0)
    return fail(err, cap, "%s.date: %s is not the date of turn %lld (%s)",
                where, json_string_value(date), turn, want);
  uint64_t seed;
  if (!seed_read(json_object_get(st, "seed"), &seed))
    return fail(err, cap, "%s.seed: missing or not a whole number", where);
  /* From the scenario's initial world, so --force defaults are its own. */
  brink_on_record(e, NULL, NULL);
  if (brink_start(e, seed) != BRINK_OK)
    return fail(err, cap, "%s", brink_errmsg(e));
  brink_cause_set(e, "load");
  int rc = apply_values(e, json_object_get(st, "values"), force, notes, where,
                        err, cap);
  brink_cause_set(e, "host");
  if (rc || apply_fired(e, json_object_get(st, "fired"), force, notes, where,
                        err, cap) ||
      apply_schedule(e, json_object_get(st, "schedule"), next, force, notes,
                     where, err, cap) ||
      apply_position(e, st, force, where, err, cap))
    return -1;
  return 0;
}

int state_apply(brink_engine *e, json_t *state, bool force, strlist *notes,
                char *err, size_t cap) {
  return state_apply_at(e, state, force, notes, "state", err, cap);
}

int state_restore(brink_engine *live, json_t *state, bool force,
                  strlist *notes, char *err, size_t cap) {
  brink_engine *c;
  brink_snapshot *snap = NULL;
  if (brink_engine_clone(live, &c) != BRINK_OK)
    return fail(err, cap, "%s", brink_errmsg(live));
  int rc = state_apply(c, state, force, notes, err, cap);
  if (rc == 0 && brink_snapshot_take(c, &snap) != BRINK_OK)
    rc = fail(err, cap, "%s", brink_errmsg(c));
  /* A snapshot is freed by the engine that took it: use it at once. */
  if (rc == 0 && brink_snapshot_restore(live, snap) != BRINK_OK)
    rc = fail(err, cap, "%s", brink_errmsg(live));
  brink_snapshot_free(snap);
  brink_engine_close(c);
  return rc;
}

/* saves ------------------------------------------------------------------ */

void loaded_free(loaded *l) {
  setup_free(&l->setup);
  free(l->scenario_id);
  json_decref(l->state);
  for (int i = 0; i < l->nbranches; i++) {
    free(l->branches[i].name);
    json_decref(l->branches[i].state);
  }
  free(l->branches);
  strlist_free(&l->log);
  strlist_free(&l->notes);
  memset(l, 0, sizeof *l);
}

static json_t *log_json(const strlist *log) {
  json_t *a = json_array();
  bool bad = a == NULL;
  for (size_t i = 0; !bad && i < log->n; i++) {
    const char *s = log->v[i];
    size_t n = strlen(s);
    if (utf8_valid(s, n)) {
      append(a, json_stringn(s, n), &bad);
      continue;
    }
    /* A line a script wrote bytes into that are not UTF-8: kept exact. */
    char *hex = malloc(2 * n + 1);
    if (hex == NULL) {
      bad = true;
      break;
    }
    for (size_t k = 0; k < n; k++)
      snprintf(hex + 2 * k, 3, "%02x", (unsigned char)s[k]);
    json_t *o = json_object();
    if (o) put(o, "hex", json_string(hex), &bad);
    append(a, o, &bad);
    free(hex);
  }
  if (bad) {
    json_decref(a);
    return NULL;
  }
  return a;
}

static int log_read(json_t *a, strlist *out, char *err, size_t cap) {
  if (!json_is_array(a)) return fail(err, cap, "log: missing or not a list");
  for (size_t i = 0; i < json_array_size(a); i++) {
    json_t *x = json_array_get(a, i);
    int rc;
    if (json_is_string(x)) {
      if (memchr(json_string_value(x), '\n', json_string_length(x)) ||
          strlen(json_string_value(x)) != json_string_length(x))
        return fail(err, cap, "log[%zu]: a record is one line", i);
      rc = strlist_pushn(out, json_string_value(x), json_string_length(x));
    } else {
      json_t *h = json_is_object(x) ? json_object_get(x, "hex") : NULL;
      const char *s = json_is_string(h) ? json_string_value(h) : NULL;
      size_t n = s ? strlen(s) : 0;
      if (s == NULL || n % 2 || strspn(s, "0123456789abcdef") != n)
        return fail(err, cap, "log[%zu]: must be a record line", i);
      char *raw = malloc(n / 2 + 1);
      if (raw == NULL) return fail(err, cap, "out of memory");
      for (size_t k = 0; k < n / 2; k++) {
        unsigned hi = (unsigned)(s[2 * k] <= '9' ? s[2 * k] - '0'
                                                 : s[2 * k] - 'a' + 10);
        unsigned lo = (unsigned)(s[2 * k + 1] <= '9' ? s[2 * k + 1] - '0'
                                                     : s[2 * k + 1] - 'a' + 10);
        raw[k] = (char)(hi << 4 | lo);
      }
      raw[n / 2] = '\0';
      bool ok = memchr(raw, '\n', n / 2) == NULL && strlen(raw) == n / 2;
      rc = ok ? strlist_pushn(out, raw, n / 2) : 0;
      free(raw);
      if (!ok) return fail(err, cap, "log[%zu]: a record is one line", i);
    }
    if (rc) return fail(err, cap, "out of memory");
  }
  return 0;
}

/*
** A save's setup against the scenario: seats and policies of its actors,
** policies it has, --set values its variables take.  In the scratch
** engine 'c', whose world this changes.
*/
static int setup_check(brink_engine *c, const setup *s, char *err,
                       size_t cap) {
  int a;
  for (size_t i = 0; i < s->seats.n; i++) {
    if (brink_actor_find(c, s->seats.v[i], &a) != BRINK_OK)
      return fail(err, cap, "setup.seats[%zu]: '%s' is not an actor of the "
                  "scenario", i, s->seats.v[i]);
    for (size_t k = 0; k < i; k++)
      if (strcmp(s->seats.v[k], s->seats.v[i]) == 0)
        return fail(err, cap, "setup.seats[%zu]: '%s' twice", i,
                    s->seats.v[i]);
  }
  for (size_t i = 0; i < s->policies.n; i++) {
    const char *p = s->policies.v[i], *eq = strchr(p, '=');
    char actor[256];
    snprintf(actor, sizeof actor, "%.*s", (int)(eq - p), p);
    if (brink_actor_find(c, actor, &a) != BRINK_OK ||
        brink_policy_assign(c, a, eq + 1) != BRINK_OK)
      return fail(err, cap, "setup.policies.%s: %s", actor, brink_errmsg(c));
  }
  if (s->sets.n && brink_start(c, s->seed) != BRINK_OK)
    return fail(err, cap, "%s", brink_errmsg(c));
  for (size_t i = 0; i < s->sets.n; i++) {
    const char *p = s->sets.v[i], *eq = strchr(p, '=');
    char var[256];
    int v;
    snprintf(var, sizeof var, "%.*s", (int)(eq - p), p);
    if (brink_var_find(c, var, &v) != BRINK_OK ||
        brink_var_set_text(c, v, eq + 1) != BRINK_OK)
      return fail(err, cap, "setup.sets[%zu]: %s", i, brink_errmsg(c));
  }
  return 0;
}

/* the log's records -------------------------------------------------------- */

/* What a field of a record must hold. */
enum {
  F_STR, F_INT, F_SEED, F_LIST, F_OBJ, F_HEX, F_TURN, F_DATE, F_ACTOR, F_MOVE,
  F_VAR, F_VALUE, F_FIRED, F_OUTCOME, F_FINAL, F_STATE,
  F_OPT = 0x100          /* may be absent */
};

typedef struct field {
  const char *key;
  int type;
} field;

/* Every record a log of run or play holds, with all its fields. */
static const struct record_kind {
  const char *t;
  field f[8];
} record_kinds[] = {
    {"start", {{"scenario", F_STR}, {"seed", F_SEED}, {"engine", F_STR}}},
    {"setup", {{"file", F_STR}, {"sha256", F_HEX}, {"seed", F_SEED},
               {"seats", F_LIST}, {"policies", F_OBJ}, {"sets", F_LIST},
               {"turns", F_INT}}},
    {"turn", {{"turn", F_TURN}, {"date", F_DATE}}},
    {"move", {{"turn", F_TURN}, {"date", F_DATE}, {"actor", F_ACTOR},
              {"move", F_MOVE}, {"target", F_ACTOR | F_OPT}}},
    {"set", {{"turn", F_TURN}, {"var", F_VAR}, {"old", F_VALUE},
             {"new", F_VALUE}, {"cause", F_STR}}},
    {"trigger", {{"turn", F_TURN}, {"date", F_DATE}, {"id", F_FIRED}}},
    {"event", {{"turn", F_TURN}, {"date", F_DATE}, {"id", F_FIRED}}},
    {"news", {{"turn", F_TURN}, {"date", F_DATE}, {"text", F_STR}}},
    {"error", {{"turn", F_TURN}, {"where", F_STR}, {"in", F_STR},
               {"message", F_STR}}},
    {"end", {{"turn", F_TURN}, {"date", F_DATE}, {"outcome", F_OUTCOME},
             {"final", F_FINAL}}},
    {"intervention", {{"turn", F_TURN}, {"command", F_STR},
                      {"sha256", F_HEX | F_OPT}}},
    {"state", {{"turn", F_TURN}, {"state", F_STATE}}},
};

static bool is_hex64(json_t *j) {
  const char *h = json_is_string(j) ? json_string_value(j) : "";
  return strlen(h) == 64 && strspn(h, "0123456789abcdef") == 64;
}

static bool known_fired(brink_engine *e, const char *name) {
  for (int i = 0; i < brink_trigger_count(e); i++)
    if (strcmp(brink_trigger_name(e, i), name) == 0) return true;
  for (int i = 0; i < brink_event_count(e); i++)
    if (strcmp(brink_event_name(e, i), name) == 0) return true;
  return false;
}

/* A value of variable 'v' as records write it: its type and its range. */
static bool value_fits(brink_engine *e, int v, json_t *j) {
  switch (brink_var_type(e, v)) {
  case BRINK_FLAG: return json_is_boolean(j);
  case BRINK_ENUM:
    for (int i = 0; json_is_string(j) && *brink_var_enum_value(e, v, i); i++)
      if (strcmp(brink_var_enum_value(e, v, i), json_string_value(j)) == 0)
        return true;
    return false;
  default: {
    double lo, hi, x = json_number_value(j);
    brink_var_bounds(e, v, &lo, &hi);
    return json_is_number(j) && x >= lo && x <= hi &&
           (brink_var_type(e, v) != BRINK_INTEGER || x == floor(x));
  }
  }
}

/*
** One field of a log record.  'named' when the record is of the scenario
** text in 'e' (names, values and the calendar are checked against it);
** else, before a /reload or from another text, only its type.
*/
static int record_field(brink_engine *e, json_t *rec, const field *f,
                        bool named, const char *at, char *err, size_t cap) {
  json_t *j = json_object_get(rec, f->key);
  int type = f->type & ~F_OPT;
  if (j == NULL) {
    if (f->type & F_OPT) return 0;
    return fail(err, cap, "%s.%s: missing", at, f->key);
  }
  const char *str = json_is_string(j) ? json_string_value(j) : NULL;
  if (str && strlen(str) != json_string_length(j))
    return fail(err, cap, "%s.%s: holds a NUL byte", at, f->key);
  long long turn = json_integer_value(json_object_get(rec, "turn"));
  int id;
  uint64_t seed;
  switch (type) {
  case F_INT:
    if (!json_is_integer(j) || json_integer_value(j) < 0)
      return fail(err, cap, "%s.%s: must be a whole number", at, f->key);
    return 0;
  case F_SEED:
    return seed_read(j, &seed) ? 0 : fail(err, cap, "%s.%s: not a seed", at,
                                          f->key);
  case F_LIST:
    return json_is_array(j) ? 0 : fail(err, cap, "%s.%s: must be a list", at,
                                       f->key);
  case F_OBJ:
    return json_is_object(j) ? 0 : fail(err, cap, "%s.%s: must be an "
                                        "object", at, f->key);
  case F_HEX:
    return is_hex64(j) ? 0 : fail(err, cap, "%s.%s: must be 64 hex digits",
                                  at, f->key);
  case F_TURN:
    if (!json_is_integer(j) || json_integer_value(j) < 1 ||
        json_integer_value(j) > (named ? brink_turn_count(e) : 100000000))
      return fail(err, cap, "%s.turn: not a turn of the scenario", at);
    return 0;
  case F_STATE:
    if (!json_is_object(j))
      return fail(err, cap, "%s.state: must be an object", at);
    if (named) {
      char where[96];
      snprintf(where, sizeof where, "%s.state", at);
      return state_apply_at(e, j, false, NULL, where, err, cap);
    }
    return 0;
  case F_FINAL:
    if (!json_is_object(j))
      return fail(err, cap, "%s.final: must be an object", at);
    if (named) {
      const char *k;
      json_t *v;
      json_object_foreach(j, k, v) if (brink_var_find(e, k, &id) != BRINK_OK ||
                                       !value_fits(e, id, v))
        return fail(err, cap, "%s.final.%s: not a value of a variable", at, k);
    }
    return 0;
  case F_VALUE:
    if (named && brink_var_find(e, json_string_value(json_object_get(rec,
                                "var")), &id) == BRINK_OK &&
        !value_fits(e, id, j))
      return fail(err, cap, "%s.%s: not a value of that variable", at,
                  f->key);
    if (!json_is_number(j) && !json_is_boolean(j) && !str)
      return fail(err, cap, "%s.%s: must be a value", at, f->key);
    return 0;
  default:
    break;
  }
  if (str == NULL) return fail(err, cap, "%s.%s: must be a string", at,
                               f->key);
  if (!named) return 0;
  bool ok = true;
  char want[16];
  switch (type) {
  case F_DATE:
    turn_date(e, (int)turn, want, sizeof want);
    if (strcmp(str, want) != 0)
      return fail(err, cap, "%s.date: %s is not the date of turn %lld (%s)",
                  at, str, turn, want);
    break;
  case F_ACTOR: ok = brink_actor_find(e, str, &id) == BRINK_OK; break;
  case F_MOVE:
    ok = false;
    for (int i = 0; i < brink_move_count(e) && !ok; i++)
      ok = strcmp(brink_move_name(e, i), str) == 0;
    break;
  case F_VAR: ok = brink_var_find(e, str, &id) == BRINK_OK; break;
  case F_FIRED: ok = known_fired(e, str); break;
  case F_OUTCOME: ok = strcmp(str, "error") == 0 || outcome_id(e, str) >= 0;
    break;
  }
  return ok ? 0 : fail(err, cap, "%s.%s: '%s' is not in the scenario", at,
                       f->key, str);
}

/* One line of a log: a record of a known kind with its fields and no
   other, and (when 'named') names and dates of the scenario in 'e'. */
static int record_check(brink_engine *e, const char *line, bool named,
                        const char *at, char *err, size_t cap) {
  json_error_t je;
  json_t *rec = json_loads(line, JSON_REJECT_DUPLICATES, &je);
  if (!json_is_object(rec)) {
    json_decref(rec);
    return fail(err, cap, "%s: not a record: %s", at,
                rec ? "not an object" : je.text);
  }
  const char *t = json_string_value(json_object_get(rec, "t"));
  const struct record_kind *k = NULL;
  for (size_t i = 0; t && !k && i < sizeof record_kinds / sizeof *record_kinds;
       i++)
    if (strcmp(record_kinds[i].t, t) == 0) k = &record_kinds[i];
  int rc = k ? 0 : fail(err, cap, "%s.t: not a kind of record", at);
  const char *keys[10] = {"t"};
  for (int i = 0; k && i < 8 && k->f[i].key; i++) keys[i + 1] = k->f[i].key;
  if (rc == 0) rc = only_keys(rec, keys, at, err, cap);
  for (int i = 0; rc == 0 && i < 8 && k->f[i].key; i++)
    rc = record_field(e, rec, &k->f[i], named, at, err, cap);
  json_decref(rec);
  return rc;
}

/*
** Every line of a save's log, in the scratch engine 'c': it begins with
** the start and setup records and every line is a record.  Lines from the
** last /reload on are of the scenario text the save holds and are checked
** against it, as are all when the text is the same ('foreign' false).
*/
static int log_check(brink_engine *c, const strlist *log, const char *id,
                     uint64_t seed, bool foreign, char *err, size_t cap) {
  size_t from = 0;
  for (size_t i = 0; i < log->n; i++)
    if (strstr(log->v[i], "\"t\":\"intervention\"") &&
        strstr(log->v[i], "\"command\":\"/reload"))
      from = i;
  for (size_t i = 0; i < log->n; i++) {
    char at[48];
    snprintf(at, sizeof at, "log[%zu]", i);
    /* A line kept as hex is not UTF-8 and no JSON to jansson: it is read
       with those bytes as '?', which no check below depends on. */
    char *line = strdup(log->v[i]);
    if (line == NULL) return fail(err, cap, "out of memory");
    if (!utf8_valid(line, strlen(line)))
      for (char *p = line; *p; p++)
        if ((unsigned char)*p >= 0x80) *p = '?';
    int rc = record_check(c, line, !foreign && i >= from, at, err, cap);
    free(line);
    if (rc) return -1;
  }
  const char *head[] = {"{\"t\":\"start\",\"scenario\":", "{\"t\":\"setup\","};
  for (size_t i = 0; i < 2; i++)
    if (log->n <= i || strncmp(log->v[i], head[i], strlen(head[i])) != 0)
      return fail(err, cap, "log[%zu]: must be the %s record", i,
                  i ? "setup" : "start");
  json_t *start = json_loads(log->v[0], 0, NULL);
  bool same = strcmp(json_string_value(json_object_get(start, "scenario")),
                     id) == 0;
  json_decref(start);
  if (!same) return fail(err, cap, "log[0].scenario: not the save's scenario "
                         "'%s'", id);
  /* The run the log tells began with the setup's seed. */
  for (size_t i = 0; i < 2; i++) {
    json_t *r = json_loads(log->v[i], 0, NULL);
    uint64_t s = 0;
    seed_read(json_object_get(r, "seed"), &s);
    json_decref(r);
    if (s != seed)
      return fail(err, cap, "log[%zu].seed: not the setup's seed %llu", i,
                  (unsigned long long)seed);
  }
  return 0;
}

static json_t *branches_json(const branch *b, int n) {
  json_t *a = json_array();
  bool bad = a == NULL;
  for (int i = 0; !bad && i < n; i++) {
    json_t *o = json_object();
    if (o == NULL) {
      bad = true;
      break;
    }
    put(o, "name", jstr(b[i].name), &bad);
    put(o, "turn", json_integer(b[i].turn), &bad);
    put(o, "state", json_deep_copy(b[i].state), &bad);
    append(a, o, &bad);
  }
  if (bad) {
    json_decref(a);
    return NULL;
  }
  return a;
}

/* The directory of 'path' and its last part, for a temporary neighbour. */
static void split_path(const char *path, char *dir, size_t cap,
                       const char **base) {
  const char *slash = strrchr(path, '/');
  if (slash == NULL) {
    snprintf(dir, cap, ".");
    *base = path;
  } else {
    snprintf(dir, cap, "%.*s", slash == path ? 1 : (int)(slash - path), path);
    *base = slash + 1;
  }
}

int write_atomic(const char *path, const char *text, size_t len, char *err,
                 size_t cap) {
  char dir[4096], tmp[4200];
  const char *base;
  split_path(path, dir, sizeof dir, &base);
  if (*base == '\0') return fail(err, cap, "not a file name");
  snprintf(tmp, sizeof tmp, "%s/.%s.XXXXXX", dir, base);
  int fd = mkstemp(tmp);
  if (fd < 0) return fail(err, cap, "cannot create a file in %s: %s", dir,
                          strerror(errno));
  mode_t mask = umask(0);
  umask(mask);
  fchmod(fd, 0666 & ~mask);
  FILE *f = fdopen(fd, "wb");
  if (f == NULL) {
    int saved = errno;
    close(fd);
    unlink(tmp);
    return fail(err, cap, "%s", strerror(saved));
  }
  bool ok = fwrite(text, 1, len, f) == len && fflush(f) == 0 &&
            fsync(fileno(f)) == 0;
  int saved = errno;
  if (fclose(f) != 0 && ok) {
    ok = false;
    saved = errno;
  }
  if (ok && rename(tmp, path) != 0) {
    ok = false;
    saved = errno;
  }
  if (!ok) {
    unlink(tmp);
    return fail(err, cap, "%s", strerror(saved));
  }
  /* The rename itself is durable once the folder is synced. */
  int dfd = open(dir, O_RDONLY);
  if (dfd >= 0) {
    fsync(dfd);
    close(dfd);
  }
  return 0;
}

FILE *outfile_open(outfile *o, const char *path) {
  memset(o, 0, sizeof *o);
  o->path = path;
  o->f = open_memstream(&o->buf, &o->len);
  return o->f;
}

int outfile_close(outfile *o, char *err, size_t cap) {
  if (o->f == NULL) return 0;
  bool ok = !ferror(o->f);
  if (fclose(o->f) != 0) ok = false;
  o->f = NULL;
  int rc = ok ? write_atomic(o->path, o->buf, o->len, err, cap)
              : fail(err, cap, "out of memory");
  free(o->buf);
  o->buf = NULL;
  return rc;
}

FILE *growing_open(const char *path, char *err, size_t cap) {
  /* O_NONBLOCK: a FIFO without a reader fails here instead of hanging. */
  int fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK |
                          O_CLOEXEC, 0666);
  if (fd < 0) {
    fail(err, cap, errno == ELOOP ? "it is a symbolic link (a log that "
         "grows is written only to a file of its own)" : "%s",
         strerror(errno));
    return NULL;
  }
  struct stat st;
  const char *why = NULL;
  if (fstat(fd, &st) != 0) why = strerror(errno);
  else if (!S_ISREG(st.st_mode)) why = "it is not a regular file";
  else if (st.st_nlink > 1) why = "it has other hard links";
  else if (ftruncate(fd, 0) != 0) why = strerror(errno);
  FILE *f = why ? NULL : fdopen(fd, "w");
  if (f == NULL) {
    fail(err, cap, "%s", why ? why : strerror(errno));
    close(fd);
  }
  return f;
}

int save_write(const char *path, brink_engine *e, const setup *s,
               const branch *branches, int nbranches, const strlist *log,
               char *err, size_t cap) {
  bool bad = false;
  json_t *root = json_object();
  if (root == NULL) return fail(err, cap, "out of memory");
  size_t len;
  const char *text = brink_scenario_text(e, &len);
  char sha[65];
  brink__sha256_hex(text ? text : "", text ? len : 0, sha);
  put(root, "format", json_string(SAVE_FORMAT), &bad);
  put(root, "version", json_integer(SAVE_VERSION), &bad);
  put(root, "engine", json_string(brink_version()), &bad);
  json_t *scn = json_object();
  if (scn) {
    put(scn, "id", jstr(brink_scenario_field(e, "id")), &bad);
    put(scn, "file", jstr(s->file), &bad);
    put(scn, "sha256", json_string(sha), &bad);
  }
  put(root, "scenario", scn, &bad);
  put(root, "setup", setup_object(s, false), &bad);
  put(root, "state", state_json(e), &bad);
  put(root, "branches", branches_json(branches, nbranches), &bad);
  put(root, "log", log_json(log), &bad);
  char *out = bad ? NULL : json_dumps(root, JSON_INDENT(2) |
                                                JSON_PRESERVE_ORDER);
  json_decref(root);
  if (out == NULL) return fail(err, cap, "out of memory (or a name that is "
                               "not UTF-8)");
  size_t n = strlen(out);
  out[n] = '\n';   /* replaces the NUL: a text file ends with a newline */
  int rc = write_atomic(path, out, n + 1, err, cap);
  free(out);
  return rc;
}

static int want_string(json_t *o, const char *key, const char *where,
                       const char **out, char *err, size_t cap) {
  json_t *j = json_object_get(o, key);
  if (j == NULL) return fail(err, cap, "%s%s: missing", where, key);
  if (!json_is_string(j))
    return fail(err, cap, "%s%s: must be a string", where, key);
  *out = json_string_value(j);
  return 0;
}

/* Is this a save this brink reads?  The first thing said about a file. */
static int check_format(json_t *root, char *err, size_t cap) {
  const char *format;
  if (!json_is_object(root))
    return fail(err, cap, "not a save: the file holds no JSON object");
  if (want_string(root, "format", "", &format, err, cap)) return -1;
  if (strcmp(format, SAVE_FORMAT) != 0)
    return fail(err, cap, "not a save: its format is '%s', not '%s'", format,
                SAVE_FORMAT);
  json_t *version = json_object_get(root, "version");
  if (!json_is_integer(version))
    return fail(err, cap, "version: missing or not a number");
  if (json_integer_value(version) != SAVE_VERSION)
    return fail(err, cap, "format version %" JSON_INTEGER_FORMAT " is not "
                "one this brink reads (it reads version %d)",
                json_integer_value(version), SAVE_VERSION);
  return 0;
}

int save_load_text(const char *text, size_t len, brink_engine *live,
                   bool force, loaded *out, char *err, size_t cap) {
  memset(out, 0, sizeof *out);
  json_error_t je;
  json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
  if (root == NULL) {
    if (len == 0) {
      fail(err, cap, "an empty file, not a save");
      return 1;
    }
    fail(err, cap, "not a save: %s at line %d column %d", je.text, je.line,
         je.column);
    return 1;
  }
  int rc = 1;
  const char *engine, *id, *file, *sha;
  brink_engine *c = NULL;
  static const char *const keys[] = {"format", "version", "engine",
                                     "scenario", "setup", "state",
                                     "branches", "log", NULL};
  static const char *const scn_keys[] = {"id", "file", "sha256", NULL};
  static const char *const setup_keys[] = {"seed", "seats", "policies",
                                           "sets", "turns", NULL};
  if (check_format(root, err, cap) || only_keys(root, keys, "", err, cap))
    goto done;
  if (want_string(root, "engine", "", &engine, err, cap)) goto done;
  json_t *scn = json_object_get(root, "scenario");
  if (!json_is_object(scn)) {
    fail(err, cap, "scenario: missing or not an object");
    goto done;
  }
  if (only_keys(scn, scn_keys, "scenario", err, cap) ||
      want_string(scn, "id", "scenario.", &id, err, cap) ||
      want_string(scn, "file", "scenario.", &file, err, cap) ||
      want_string(scn, "sha256", "scenario.", &sha, err, cap))
    goto done;
  if (!is_hex64(json_object_get(scn, "sha256"))) {
    fail(err, cap, "scenario.sha256: must be 64 hex digits");
    goto done;
  }
  const char *live_id = brink_scenario_field(live, "id");
  if (strcmp(id, live_id) != 0 && !force) {
    fail(err, cap, "scenario.id: the save is of '%s', not of '%s'", id,
         live_id);
    goto done;
  }
  json_t *sj = json_object_get(root, "setup");
  if ((json_is_object(sj) && only_keys(sj, setup_keys, "setup", err, cap)) ||
      setup_parse(sj, &out->setup, err, cap))
    goto done;
  if ((out->setup.file = strdup(file)) == NULL ||
      (out->scenario_id = strdup(id)) == NULL) {
    fail(err, cap, "out of memory");
    goto done;
  }
  snprintf(out->setup.sha256, sizeof out->setup.sha256, "%s", sha);
  size_t tlen;
  const char *stext = brink_scenario_text(live, &tlen);
  char live_sha[65];
  brink__sha256_hex(stext ? stext : "", stext ? tlen : 0, live_sha);
  if (strcmp(sha, live_sha) != 0) {
    if (!force) {
      fail(err, cap, "it was saved with another text of the scenario (%s, "
           "sha256 %.12s..., this one is %.12s...); --force maps its values "
           "by name", file, sha, live_sha);
      goto done;
    }
    out->foreign = true;
    note(&out->notes, "the save was made with another text of the "
         "scenario (sha256 %.12s...)", sha);
  }
  /* Every state, checked in a scratch clone before anything is used. */
  if (brink_engine_clone(live, &c) != BRINK_OK) {
    fail(err, cap, "%s", brink_errmsg(live));
    goto done;
  }
  if (setup_check(c, &out->setup, err, cap)) goto done;
  json_t *state = json_object_get(root, "state");
  if (state_apply_at(c, state, force, &out->notes, "state", err, cap))
    goto done;
  out->state = json_incref(state);
  json_t *br = json_object_get(root, "branches");
  if (!json_is_array(br)) {
    fail(err, cap, "branches: missing or not a list");
    goto done;
  }
  size_t nb = json_array_size(br);
  if (nb && (out->branches = calloc(nb, sizeof *out->branches)) == NULL) {
    fail(err, cap, "out of memory");
    goto done;
  }
  for (size_t i = 0; i < nb; i++) {
    json_t *b = json_array_get(br, i);
    char where[64];
    snprintf(where, sizeof where, "branches[%zu]", i);
    const char *name;
    if (!json_is_object(b)) {
      fail(err, cap, "%s: must be an object", where);
      goto done;
    }
    static const char *const branch_keys[] = {"name", "turn", "state",
                                              NULL};
    if (only_keys(b, branch_keys, where, err, cap) ||
        want_string(b, "name", "branches[].", &name, err, cap))
      goto done;
    if (*name == '\0' || strlen(name) != json_string_length(
                                             json_object_get(b, "name"))) {
      fail(err, cap, "%s.name: must be a name", where);
      goto done;
    }
    for (int k = 0; k < out->nbranches; k++)
      if (strcmp(out->branches[k].name, name) == 0) {
        fail(err, cap, "%s.name: '%s' twice", where, name);
        goto done;
      }
    snprintf(where, sizeof where, "branches[%zu].state", i);
    json_t *bs = json_object_get(b, "state");
    if (state_apply_at(c, bs, force, NULL, where, err, cap)) goto done;
    json_t *bt = json_object_get(b, "turn");
    if (!json_is_integer(bt) || json_integer_value(bt) != brink_turn(c)) {
      fail(err, cap, "branches[%zu].turn: missing or not its state's turn "
           "(%d)", i, brink_turn(c));
      goto done;
    }
    branch *d = &out->branches[out->nbranches];
    if ((d->name = strdup(name)) == NULL) {
      fail(err, cap, "out of memory");
      goto done;
    }
    d->turn = brink_turn(c);
    d->state = json_incref(bs);
    out->nbranches++;
  }
  if (log_read(json_object_get(root, "log"), &out->log, err, cap) ||
      log_check(c, &out->log, id, out->setup.seed, out->foreign, err,
                cap))
    goto done;
  (void)engine;
  rc = 0;
done:
  brink_engine_close(c);
  json_decref(root);
  if (rc) loaded_free(out);
  return rc;
}

int save_load(const char *path, brink_engine *live, bool force, loaded *out,
              char *err, size_t cap) {
  memset(out, 0, sizeof *out);
  size_t len;
  char *text = read_file(path, &len);
  if (text == NULL) {
    fail(err, cap, "cannot read it: %s", strerror(errno));
    return 1;
  }
  int rc = save_load_text(text, len, live, force, out, err, cap);
  free(text);
  return rc;
}

char *save_scenario_file(const char *path, char *err, size_t cap) {
  size_t len;
  char *text = read_file(path, &len);
  if (text == NULL) {
    fail(err, cap, "cannot read it: %s", strerror(errno));
    return NULL;
  }
  json_error_t je;
  json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
  free(text);
  char *file = NULL;
  json_t *scn = root ? json_object_get(root, "scenario") : NULL;
  json_t *f = json_is_object(scn) ? json_object_get(scn, "file") : NULL;
  if (root == NULL)
    fail(err, cap, "not a save: %s at line %d column %d", je.text, je.line,
         je.column);
  else if (check_format(root, err, cap))
    ;
  else if (!json_is_string(f) || *json_string_value(f) == '\0')
    fail(err, cap, "scenario.file: missing or not a file name");
  else if ((file = strdup(json_string_value(f))) == NULL)
    fail(err, cap, "out of memory");
  json_decref(root);
  return file;
}
