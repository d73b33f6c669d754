/*
** state.c: the setup record and the state of a run as JSON.
**
** The state names everything (variables, triggers, events, actors,
** outcomes) instead of holding snapshot bytes, so a save outlives edits of
** the scenario.  What is read is untrusted: checked field by field into an
** engine of its own and used only once all of it was accepted.
*/
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "session.h"

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
json_t *jstr(const char *s) {
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
void jput(json_t *obj, const char *key, json_t *v, bool *bad) {
  if (v == NULL || json_object_set_new(obj, key, v) != 0) *bad = true;
}

void jappend(json_t *arr, json_t *v, bool *bad) {
  if (v == NULL || json_array_append_new(arr, v) != 0) *bad = true;
}

json_t *setup_object(const setup *s, bool with_file) {
  bool bad = false;
  json_t *o = json_object();
  if (o == NULL) return NULL;
  if (with_file) {
    jput(o, "t", json_string("setup"), &bad);
    jput(o, "file", jstr(s->file), &bad);
    jput(o, "sha256", json_string(s->sha256), &bad);
  }
  jput(o, "seed", seed_json(s->seed), &bad);
  json_t *seats = json_array(), *pol = json_object(), *sets = json_array();
  for (size_t i = 0; seats && i < s->seats.n; i++)
    jappend(seats, jstr(s->seats.v[i]), &bad);
  for (size_t i = 0; pol && i < s->policies.n; i++) {
    const char *p = s->policies.v[i], *eq = strchr(p, '=');
    char actor[256];
    snprintf(actor, sizeof actor, "%.*s", eq ? (int)(eq - p) : 0, p);
    if (!utf8_valid(actor, strlen(actor))) bad = true;
    else jput(pol, actor, jstr(eq ? eq + 1 : ""), &bad);
  }
  for (size_t i = 0; sets && i < s->sets.n; i++)
    jappend(sets, jstr(s->sets.v[i]), &bad);
  jput(o, "seats", seats, &bad);
  jput(o, "policies", pol, &bad);
  jput(o, "sets", sets, &bad);
  jput(o, "turns", json_integer(s->turns), &bad);
  if (bad) {
    json_decref(o);
    return NULL;
  }
  return o;
}

char *setup_line(const setup *s) {
  json_t *o = setup_object(s, true);
  if (o == NULL) return NULL;
  char *line = json_text(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(o);
  return line;
}

static int list_of_strings(json_t *j, strlist *l, const char *what, char *err,
                           size_t cap) {
  if (!json_is_array(j))
    return refuse_with(err, cap, "%s must be a list", what);
  for (size_t i = 0; i < json_array_size(j); i++) {
    json_t *x = json_array_get(j, i);
    if (!json_is_string(x))
      return refuse_with(err, cap, "%s[%zu] must be a string", what, i);
    if (strlist_push(l, json_string_value(x)))
      return refuse_with(err, cap, "out of memory");
  }
  return 0;
}

int setup_parse(json_t *j, setup *s, char *err, size_t cap) {
  memset(s, 0, sizeof *s);
  if (!json_is_object(j))
    return refuse_with(err, cap, "setup must be an object");
  json_t *file = json_object_get(j, "file");
  json_t *sha = json_object_get(j, "sha256");
  if (file || sha) {
    if (!json_is_string(file))
      return refuse_with(err, cap,
                         "setup.file: missing or "
                         "not a string");
    if (!json_is_string(sha) || strlen(json_string_value(sha)) != 64 ||
        strspn(json_string_value(sha), "0123456789abcdef") != 64)
      return refuse_with(err, cap,
                         "setup.sha256: missing or not 64 hex digits");
    if ((s->file = strdup(json_string_value(file))) == NULL)
      return refuse_with(err, cap, "out of memory");
    memcpy(s->sha256, json_string_value(sha), 65);
  }
  if (!seed_read(json_object_get(j, "seed"), &s->seed))
    return refuse_with(err, cap, "setup.seed: missing or not a whole number");
  if (list_of_strings(json_object_get(j, "seats"), &s->seats, "setup.seats",
                      err, cap) ||
      list_of_strings(json_object_get(j, "sets"), &s->sets, "setup.sets", err,
                      cap))
    return -1;
  for (size_t i = 0; i < s->sets.n; i++) {
    const char *eq = strchr(s->sets.v[i], '=');
    if (eq == NULL || eq == s->sets.v[i])
      return refuse_with(err, cap, "setup.sets[%zu] must be VAR=VALUE", i);
  }
  json_t *pol = json_object_get(j, "policies");
  if (!json_is_object(pol))
    return refuse_with(err, cap, "setup.policies: missing or not an object");
  const char *k;
  json_t *v;
  json_object_foreach(pol, k, v) {
    if (!json_is_string(v))
      return refuse_with(err, cap, "setup.policies.%s must be a string", k);
    size_t n = strlen(k) + json_string_length(v) + 2;
    char *p = malloc(n);
    if (p == NULL) return refuse_with(err, cap, "out of memory");
    snprintf(p, n, "%s=%s", k, json_string_value(v));
    int rc = strlist_push(&s->policies, p);
    free(p);
    if (rc) return refuse_with(err, cap, "out of memory");
  }
  json_t *turns = json_object_get(j, "turns");
  if (!json_is_integer(turns) || json_integer_value(turns) < 0 ||
      json_integer_value(turns) > 1000000)
    return refuse_with(err, cap,
                       "setup.turns: missing or not a number of turns");
  s->turns = (int)json_integer_value(turns);
  return 0;
}

/* the state as JSON ------------------------------------------------------ */

json_t *value_json(brink_engine *e, int v) {
  double x;
  brink_var_get(e, v, &x);
  return value_json_of(e, v, x);
}

json_t *value_json_of(brink_engine *e, int v, double x) {
  switch (brink_var_type(e, v)) {
  case BRINK_FLAG: return json_boolean(x != 0);
  case BRINK_ENUM: return jstr(brink_var_enum_value(e, v, (int)x));
  default:
    if (x == floor(x) && fabs(x) < 9e15 && !(x == 0 && signbit(x)))
      return json_integer((json_int_t)x);
    return json_real(x);
  }
}

/* A generator's four words as 16 hex digits each. */
static json_t *words_json(const uint64_t w[4]) {
  json_t *a = json_array();
  bool bad = a == NULL;
  for (int i = 0; a && i < 4; i++) {
    char t[20];
    snprintf(t, sizeof t, "%016llx", (unsigned long long)w[i]);
    jappend(a, json_string(t), &bad);
  }
  if (bad) {
    json_decref(a);
    return NULL;
  }
  return a;
}

/* ... and back: 0, or -1 with 'err' naming 'where'. */
static int words_read(json_t *a, uint64_t w[4], const char *where,
                      char *err, size_t cap) {
  if (!json_is_array(a) || json_array_size(a) != 4)
    return refuse_with(err, cap, "%s: must be a list of 4 hex strings",
                       where);
  for (int i = 0; i < 4; i++) {
    json_t *x = json_array_get(a, (size_t)i);
    const char *s = json_is_string(x) ? json_string_value(x) : "";
    if (strlen(s) != 16 || strspn(s, "0123456789abcdef") != 16)
      return refuse_with(err, cap, "%s[%d]: must be 16 hex digits", where,
                         i);
    w[i] = strtoull(s, NULL, 16);
  }
  return 0;
}

json_t *state_json(brink_engine *e) {
  brink_position p = {.size = sizeof p};
  if (brink_position_get(e, &p) != BRINK_OK) return NULL;
  bool bad = false;
  json_t *o = json_object();
  if (o == NULL) return NULL;
  char date[16];
  brink_date_format(brink_turn_date(e, p.turn), date, sizeof date);
  jput(o, "turn", json_integer(p.turn), &bad);
  jput(o, "date", json_string(date), &bad);
  jput(o, "phase", json_integer(p.phase), &bad);
  jput(o, "index", json_integer(p.index), &bad);
  jput(o, "moves_made", json_integer(p.moves_made), &bad);
  jput(o, "awaiting", p.awaiting >= 0 ? jstr(brink_actor_id(e, p.awaiting))
                                     : json_null(), &bad);
  jput(o, "outcome", p.outcome == -2 ? json_string("error")
                    : p.outcome >= 0 ? jstr(brink_outcome_name(e, p.outcome))
                                     : json_null(), &bad);
  jput(o, "pending_outcome",
      p.pending_outcome >= 0 ? jstr(brink_outcome_name(e, p.pending_outcome))
                             : json_null(), &bad);
  jput(o, "sched_seq", json_integer(p.sched_seq), &bad);
  jput(o, "seed", seed_json(p.seed), &bad);
  jput(o, "rng", words_json(p.rng), &bad);
  /* Named streams, only when the run began some: older states stay as
     they were written. */
  if (brink_stream_count(e) > 0) {
    json_t *streams = json_object();
    for (int i = 0; streams && i < brink_stream_count(e); i++) {
      const char *name = brink_stream_name(e, i);
      uint64_t w[4];
      brink_stream_get(e, name, w);
      jput(streams, name, words_json(w), &bad);
    }
    jput(o, "streams", streams, &bad);
  }
  json_t *values = json_object();
  for (int v = 0; values && v < brink_var_count(e); v++)
    jput(values, brink_var_name(e, v), value_json(e, v), &bad);
  jput(o, "values", values, &bad);
  /* Beliefs, only those no longer as they started: a state of a run
     that changed none is written as before beliefs were. */
  json_t *beliefs = json_object();
  for (int a = 0; beliefs && a < brink_actor_count(e); a++) {
    json_t *mine = NULL;
    for (int v = 0; v < brink_var_count(e); v++) {
      double lo, hi, lo0, hi0;
      if (brink_var_visible(e, v, a) == 1 ||
          brink_belief_get(e, a, v, &lo, &hi) != BRINK_OK ||
          brink_belief_start(e, a, v, &lo0, &hi0) != BRINK_OK ||
          (lo == lo0 && hi == hi0))
        continue;
      if (mine == NULL && (mine = json_object()) == NULL) {
        bad = true;
        break;
      }
      json_t *r = json_array();
      jappend(r, value_json_of(e, v, lo), &bad);
      jappend(r, value_json_of(e, v, hi), &bad);
      jput(mine, brink_var_name(e, v), r, &bad);
    }
    if (mine) jput(beliefs, brink_actor_id(e, a), mine, &bad);
  }
  if (beliefs && json_object_size(beliefs) > 0) jput(o, "beliefs", beliefs,
                                                      &bad);
  else json_decref(beliefs);
  json_t *fired = json_array();
  for (int t = 0; fired && t < brink_trigger_count(e); t++)
    if (brink_trigger_fired(e, t) == 1)
      jappend(fired, jstr(brink_trigger_name(e, t)), &bad);
  jput(o, "fired", fired, &bad);
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
    jput(s, "event", jstr(brink_event_name(e, ev)), &bad);
    jput(s, "due", json_integer(due), &bad);
    jput(s, "seq", json_integer(seq), &bad);
    jput(s, "data", data ? jstr(data) : json_null(), &bad);
    jappend(sched, s, &bad);
  }
  jput(o, "schedule", sched, &bad);
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
  if (j == NULL) return refuse_with(err, cap, "%s.%s: missing", where, key);
  if (!json_is_integer(j))
    return refuse_with(err, cap, "%s.%s: must be a whole number", where, key);
  long long v = json_integer_value(j);
  if (v < lo || v > hi)
    return refuse_with(err, cap, "%s.%s: %lld is out of range (%lld to %lld)",
                       where, key, v, lo, hi);
  *out = v;
  return 0;
}

/* A name or null: actors and outcomes of the position. */
static int get_name(json_t *o, const char *key, const char **out,
                    const char *where, char *err, size_t cap) {
  json_t *j = json_object_get(o, key);
  if (j == NULL) return refuse_with(err, cap, "%s.%s: missing", where, key);
  if (json_is_null(j)) {
    *out = NULL;
    return 0;
  }
  if (!json_is_string(j))
    return refuse_with(err, cap, "%s.%s: must be a name or null", where, key);
  *out = json_string_value(j);
  return 0;
}

/* Refuses a field the format does not have: nothing in a save is
   ignored, so nothing can hide in one. */
int only_keys(json_t *o, const char *const *keys, const char *where,
              char *err, size_t cap) {
  const char *k;
  json_t *v;
  json_object_foreach(o, k, v) {
    size_t i = 0;
    while (keys[i] && strcmp(keys[i], k) != 0) i++;
    if (keys[i] == NULL)
      return refuse_with(err, cap, "%s%s%s: not a field of %s", where,
                  *where ? "." : "", k, *where ? where : "a save");
  }
  return 0;
}

/* The calendar's date of 'turn', as saves and logs write it. */
void date_of_turn(brink_engine *e, int turn, char *buf, size_t cap) {
  brink_date_format(brink_turn_date(e, turn), buf, cap);
}

int outcome_id(brink_engine *e, const char *name) {
  for (int i = 0; i < brink_outcome_count(e); i++)
    if (strcmp(brink_outcome_name(e, i), name) == 0) return i;
  return -1;
}

int note_add(strlist *notes, const char *fmt, ...) {
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
    return refuse_with(err, cap, "%s.values: missing or not an object", where);
  const char *k;
  json_t *j;
  json_object_foreach(values, k, j) {
    int v;
    if (brink_var_find(e, k, &v) != BRINK_OK) {
      if (!force)
        return refuse_with(err, cap,
                           "%s.values: unknown variable '%s' (--force "
                           "drops it)",
                           where, k);
      note_add(notes, "dropped %s: not in the scenario", k);
      continue;
    }
    int type = brink_var_type(e, v), rc = BRINK_OK;
    if (type == BRINK_FLAG) {
      if (!json_is_boolean(j))
        return refuse_with(err, cap, "%s.values.%s: must be true or false",
                           where, k);
      rc = brink_var_set(e, v, json_is_true(j));
    } else if (type == BRINK_ENUM) {
      if (!json_is_string(j))
        return refuse_with(err, cap,
                           "%s.values.%s: must be one of its values (a "
                           "string)",
                           where, k);
      rc = brink_var_set_text(e, v, json_string_value(j));
    } else {
      if (!json_is_number(j))
        return refuse_with(err, cap, "%s.values.%s: must be a number", where,
                           k);
      double x = json_number_value(j), lo, hi;
      brink_var_bounds(e, v, &lo, &hi);
      if (!isfinite(x) || x < lo || x > hi) {
        char a[40], b[40], c[40];
        brink_value_format(e, v, x, a, sizeof a);
        brink_value_format(e, v, lo, b, sizeof b);
        brink_value_format(e, v, hi, c, sizeof c);
        if (!force)
          return refuse_with(err, cap, "%s.values.%s: %s is outside %s..%s",
                             where, k, a, b, c);
        note_add(notes, "clamped %s: %s is outside %s..%s", k, a, b, c);
      }
      rc = brink_var_set(e, v, x);
    }
    if (rc != BRINK_OK)
      return refuse_with(err, cap, "%s.values.%s: %s", where, k,
                         brink_errmsg(e));
  }
  for (int v = 0; v < brink_var_count(e); v++)
    if (json_object_get(values, brink_var_name(e, v)) == NULL) {
      if (!force)
        return refuse_with(err, cap, "%s.values: no value for '%s'", where,
                    brink_var_name(e, v));
      char t[64];
      brink_var_format(e, v, t, sizeof t);
      note_add(notes, "defaulted %s to %s: not in the save",
               brink_var_name(e, v), t);
    }
  return 0;
}

/* A value of 'v' as states write it into *x; false when it is not one. */
static bool value_read(brink_engine *e, int v, json_t *j, double *x) {
  switch (brink_var_type(e, v)) {
  case BRINK_FLAG:
    *x = json_is_true(j);
    return json_is_boolean(j);
  case BRINK_ENUM:
    for (int i = 0; json_is_string(j) && *brink_var_enum_value(e, v, i); i++)
      if (strcmp(brink_var_enum_value(e, v, i), json_string_value(j)) == 0) {
        *x = i;
        return true;
      }
    return false;
  default:
    *x = json_number_value(j);
    return json_is_number(j);
  }
}

/* "beliefs": { ACTOR: { VAR: [lo, hi] } }, those changed since the start;
   the rest stay as brink_start set them. */
static int apply_beliefs(brink_engine *e, json_t *beliefs, bool force,
                         strlist *notes, const char *where, char *err,
                         size_t cap) {
  if (beliefs == NULL) return 0;
  if (!json_is_object(beliefs))
    return refuse_with(err, cap, "%s.beliefs: not an object", where);
  const char *who, *k;
  json_t *mine, *j;
  json_object_foreach(beliefs, who, mine) {
    int a;
    if (brink_actor_find(e, who, &a) != BRINK_OK || !json_is_object(mine))
      return refuse_with(err, cap, "%s.beliefs.%s: not an actor's beliefs",
                         where, who);
    json_object_foreach(mine, k, j) {
      int v;
      double lo, hi;
      if (brink_var_find(e, k, &v) != BRINK_OK ||
          brink_var_visible(e, v, a) == 1) {
        if (!force)
          return refuse_with(err, cap, "%s.beliefs.%s: '%s' is not a "
                             "variable %s cannot see (--force drops it)",
                             where, who, k, who);
        note_add(notes, "dropped what %s believed of %s", who, k);
        continue;
      }
      if (!json_is_array(j) || json_array_size(j) != 2 ||
          !value_read(e, v, json_array_get(j, 0), &lo) ||
          !value_read(e, v, json_array_get(j, 1), &hi) ||
          brink_belief_set(e, a, v, lo, hi) != BRINK_OK)
        return refuse_with(err, cap, "%s.beliefs.%s.%s: not a range [lo, "
                           "hi] of its values", where, who, k);
    }
  }
  return 0;
}

static int apply_fired(brink_engine *e, json_t *fired, bool force,
                       strlist *notes, const char *where, char *err,
                       size_t cap) {
  if (!json_is_array(fired))
    return refuse_with(err, cap, "%s.fired: missing or not a list", where);
  for (size_t i = 0; i < json_array_size(fired); i++) {
    json_t *j = json_array_get(fired, i);
    if (!json_is_string(j))
      return refuse_with(err, cap, "%s.fired[%zu]: must be a trigger name",
                         where, i);
    int t = -1;
    for (int k = 0; k < brink_trigger_count(e) && t < 0; k++)
      if (strcmp(brink_trigger_name(e, k), json_string_value(j)) == 0) t = k;
    if (t < 0) {
      if (!force)
        return refuse_with(err, cap, "%s.fired: unknown trigger '%s'", where,
                    json_string_value(j));
      note_add(notes, "dropped trigger %s: not in the scenario",
           json_string_value(j));
      continue;
    }
    if (brink_trigger_fired(e, t) == 1)
      return refuse_with(err, cap, "%s.fired: '%s' twice", where,
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
    return refuse_with(err, cap, "%s.schedule: missing or not a list", where);
  brink_schedule_clear(e);
  for (size_t i = 0; i < json_array_size(sched); i++) {
    json_t *s = json_array_get(sched, i);
    char at[96];
    snprintf(at, sizeof at, "%s.schedule[%zu]", where, i);
    if (!json_is_object(s))
      return refuse_with(err, cap, "%s: must be an object", at);
    const char *name;
    long long due, seq;
    if (only_keys(s, keys, at, err, cap) ||
        get_name(s, "event", &name, at, err, cap))
      return -1;
    if (name == NULL)
      return refuse_with(err, cap, "%s.event: must be a name", at);
    json_t *data = json_object_get(s, "data");
    const char *text = NULL;
    if (data != NULL && !json_is_null(data)) {
      if (!json_is_string(data) || !brink__data_valid(json_string_value(data)))
        return refuse_with(err, cap, "%s.data: not event data written by brink",
                           at);
      text = json_string_value(data);
    }
    if (get_int(s, "due", 1, 100000000, &due, at, err, cap) ||
        get_int(s, "seq", 0, UINT32_MAX, &seq, at, err, cap))
      return -1;
    /* Numbers are given out in order: every one is below the next. */
    if (seq >= next)
      return refuse_with(err, cap,
                         "%s.seq: %lld was never given out (sched_seq is "
                         "%lld)",
                         at, seq, next);
    int ev = -1;
    for (int k = 0; k < brink_event_count(e) && ev < 0; k++)
      if (strcmp(brink_event_name(e, k), name) == 0) ev = k;
    if (ev < 0) {
      if (!force)
        return refuse_with(err, cap, "%s.event: unknown event '%s'", at, name);
      note_add(notes, "dropped scheduled event %s: not in the scenario", name);
      continue;
    }
    if (brink_schedule_put(e, (int)due, ev, (uint32_t)seq, text) != BRINK_OK)
      return refuse_with(err, cap, "%s: %s", at, brink_errmsg(e));
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
    return refuse_with(err, cap, "%s.seed: missing or not a whole number",
                       where);
  char at[300];
  snprintf(at, sizeof at, "%s.rng", where);
  if (words_read(json_object_get(st, "rng"), p.rng, at, err, cap)) return -1;
  p.turn = (int32_t)turn;
  p.phase = (int32_t)phase;
  p.index = (int32_t)index;
  p.moves_made = (int32_t)made;
  p.sched_seq = (uint32_t)seq;
  p.awaiting = -1;
  if (awaiting && brink_actor_find(e, awaiting, &p.awaiting) != BRINK_OK)
    return refuse_with(err, cap, "%s.awaiting: unknown actor '%s'", where,
                       awaiting);
  p.outcome = -1;
  if (outcome && strcmp(outcome, "error") == 0) p.outcome = -2;
  else if (outcome && (p.outcome = outcome_id(e, outcome)) < 0)
    return refuse_with(err, cap, "%s.outcome: unknown outcome '%s'", where,
                       outcome);
  p.pending_outcome = -1;
  if (pending && (p.pending_outcome = outcome_id(e, pending)) < 0)
    return refuse_with(err, cap, "%s.pending_outcome: unknown outcome '%s'",
                       where, pending);
  (void)force;
  if (brink_position_set(e, &p) != BRINK_OK)
    return refuse_with(err, cap, "%s: %s", where, brink_errmsg(e));
  json_t *streams = json_object_get(st, "streams");
  if (streams && !json_is_object(streams))
    return refuse_with(err, cap, "%s.streams: not an object", where);
  const char *name;
  json_t *words;
  json_object_foreach(streams, name, words) {
    uint64_t w[4];
    snprintf(at, sizeof at, "%s.streams.%.40s", where, name);
    if (words_read(words, w, at, err, cap)) return -1;
    if (brink_stream_set(e, name, w) != BRINK_OK)
      return refuse_with(err, cap, "%s: %s", at, brink_errmsg(e));
  }
  return 0;
}

int state_apply_at(brink_engine *e, json_t *st, bool force, strlist *notes,
                   const char *where, char *err, size_t cap) {
  static const char *const keys[] = {
      "turn", "date", "phase", "index", "moves_made", "awaiting", "outcome",
      "pending_outcome", "sched_seq", "seed", "rng", "streams", "values",
      "beliefs", "fired", "schedule", NULL};
  if (!json_is_object(st))
    return refuse_with(err, cap, "%s: missing or not an object", where);
  if (only_keys(st, keys, where, err, cap)) return -1;
  /* The date says the turn again: they must agree, on this calendar. */
  long long turn, next;
  if (get_int(st, "turn", 1, brink_turn_count(e), &turn, where, err, cap) ||
      get_int(st, "sched_seq", 0, UINT32_MAX, &next, where, err, cap))
    return -1;
  json_t *date = json_object_get(st, "date");
  char want[16];
  date_of_turn(e, (int)turn, want, sizeof want);
  if (!json_is_string(date))
    return refuse_with(err, cap, "%s.date: missing or not a date", where);
  if (strcmp(json_string_value(date), want) != 0)
    return refuse_with(err, cap,
                       "%s.date: %s is not the date of turn %lld (%s)", where,
                       json_string_value(date), turn, want);
  uint64_t seed;
  if (!seed_read(json_object_get(st, "seed"), &seed))
    return refuse_with(err, cap, "%s.seed: missing or not a whole number",
                       where);
  /* From the scenario's initial world, so --force defaults are its own. */
  brink_on_record(e, NULL, NULL);
  if (brink_start(e, seed) != BRINK_OK)
    return refuse_with(err, cap, "%s", brink_errmsg(e));
  brink_cause_set(e, "load");
  int rc = apply_values(e, json_object_get(st, "values"), force, notes, where,
                        err, cap);
  if (rc == 0)
    rc = apply_beliefs(e, json_object_get(st, "beliefs"), force, notes, where,
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

int restore_through_clone(brink_engine *live, clone_fn apply, void *ud,
                          char *err, size_t cap) {
  brink_engine *c;
  brink_snapshot *snap = NULL;
  if (brink_engine_clone(live, &c) != BRINK_OK)
    return refuse_with(err, cap, "%s", brink_errmsg(live));
  int rc = apply(c, ud, err, cap);
  if (rc == 0 && brink_snapshot_take(c, &snap) != BRINK_OK)
    rc = refuse_with(err, cap, "%s", brink_errmsg(c));
  if (rc == 0 && brink_snapshot_restore(live, snap) != BRINK_OK)
    rc = refuse_with(err, cap, "%s", brink_errmsg(live));
  brink_snapshot_free(snap);
  brink_engine_close(c);
  return rc;
}

typedef struct named_state {
  json_t *state;
  bool force;
  strlist *notes;
} named_state;

static int apply_named(brink_engine *c, void *ud, char *err, size_t cap) {
  named_state *n = ud;
  return state_apply(c, n->state, n->force, n->notes, err, cap);
}

int state_restore(brink_engine *live, json_t *state, bool force,
                  strlist *notes, char *err, size_t cap) {
  named_state n = {state, force, notes};
  return restore_through_clone(live, apply_named, &n, err, cap);
}
