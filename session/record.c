/*
** record.c: the one model of what a log holds, the engine's records
** (start, turn, move, set, trigger, event, news, error, end, belief) and the
** session's (setup, intervention, state): every kind with every field and
** what it must hold.  Saves check their logs with it and the log model
** that reports and /why read takes only what passes it.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "session.h"

/* What a field of a record must hold. */
enum {
  F_STR, F_INT, F_SEED, F_LIST, F_OBJ, F_HEX, F_TURN, F_DATE, F_ACTOR, F_MOVE,
  F_VAR, F_VALUE, F_FIRED, F_OUTCOME, F_FINAL, F_STATE, F_STEPS,
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
    {"belief", {{"turn", F_TURN}, {"actor", F_ACTOR}, {"var", F_VAR},
                {"lo", F_VALUE}, {"hi", F_VALUE}, {"cause", F_STR}}},
    {"intervention", {{"turn", F_TURN}, {"command", F_STR},
                      {"sha256", F_HEX | F_OPT},
                      {"migrated", F_STEPS | F_OPT}}},
    {"state", {{"turn", F_TURN}, {"state", F_STATE}}},
};

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
    return refuse_with(err, cap, "%s.%s: missing", at, f->key);
  }
  const char *str = json_is_string(j) ? json_string_value(j) : NULL;
  if (str && strlen(str) != json_string_length(j))
    return refuse_with(err, cap, "%s.%s: holds a NUL byte", at, f->key);
  long long turn = json_integer_value(json_object_get(rec, "turn"));
  int id;
  uint64_t seed;
  switch (type) {
  case F_INT:
    if (!json_is_integer(j) || json_integer_value(j) < 0)
      return refuse_with(err, cap, "%s.%s: must be a whole number", at, f->key);
    return 0;
  case F_SEED:
    return seed_read(j, &seed)
               ? 0
               : refuse_with(err, cap, "%s.%s: not a seed", at, f->key);
  case F_LIST:
    return json_is_array(j)
               ? 0
               : refuse_with(err, cap, "%s.%s: must be a list", at, f->key);
  case F_OBJ:
    return json_is_object(j) ? 0 : refuse_with(err, cap, "%s.%s: must be an "
                                        "object", at, f->key);
  case F_HEX:
    return json_hex64(j) ? 0 : refuse_with(err, cap, "%s.%s: must be 64 "
                                           "hex digits",
                                  at, f->key);
  case F_TURN:
    if (!json_is_integer(j) || json_integer_value(j) < 1 ||
        json_integer_value(j) > (named ? brink_turn_count(e) : 100000000))
      return refuse_with(err, cap, "%s.turn: not a turn of the scenario", at);
    return 0;
  case F_STEPS:   /* migration steps: versions, one after another */
    if (!json_is_array(j) || json_array_size(j) == 0)
      return refuse_with(err, cap, "%s.%s: must be a list of steps", at,
                         f->key);
    for (size_t i = 0; i < json_array_size(j); i++) {
      json_t *k = json_array_get(j, i);
      if (!json_is_integer(k) || json_integer_value(k) < 1 ||
          (i && json_integer_value(k) !=
                    json_integer_value(json_array_get(j, i - 1)) + 1))
        return refuse_with(err, cap, "%s.%s: must be a list of steps", at,
                           f->key);
    }
    return 0;
  case F_STATE:
    if (!json_is_object(j))
      return refuse_with(err, cap, "%s.state: must be an object", at);
    if (named) {
      char where[96];
      snprintf(where, sizeof where, "%s.state", at);
      return state_apply_at(e, j, false, NULL, where, err, cap);
    }
    return 0;
  case F_FINAL:
    if (!json_is_object(j))
      return refuse_with(err, cap, "%s.final: must be an object", at);
    if (named) {
      const char *k;
      json_t *v;
      json_object_foreach(
          j, k, v) if (brink_var_find(e, k, &id) != BRINK_OK ||
                       !value_fits(e, id,
                                   v)) return refuse_with(err, cap,
                                                          "%s.final.%s: not a "
                                                          "value of a variable",
                                                          at, k);
    }
    return 0;
  case F_VALUE:
    if (named && brink_var_find(e, json_string_value(json_object_get(rec,
                                "var")), &id) == BRINK_OK &&
        !value_fits(e, id, j))
      return refuse_with(err, cap, "%s.%s: not a value of that variable", at,
                  f->key);
    if (!json_is_number(j) && !json_is_boolean(j) && !str)
      return refuse_with(err, cap, "%s.%s: must be a value", at, f->key);
    return 0;
  default:
    break;
  }
  if (str == NULL) return refuse_with(err, cap, "%s.%s: must be a string", at,
                               f->key);
  if (!named) return 0;
  bool ok = true;
  char want[16];
  switch (type) {
  case F_DATE:
    date_of_turn(e, (int)turn, want, sizeof want);
    if (strcmp(str, want) != 0)
      return refuse_with(err, cap,
                         "%s.date: %s is not the date of turn %lld (%s)", at,
                         str, turn, want);
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
  return ok ? 0
            : refuse_with(err, cap, "%s.%s: '%s' is not in the scenario", at,
                          f->key, str);
}

bool json_hex64(json_t *j) {
  return json_is_string(j) && json_string_length(j) == 64 &&
         is_hex64(json_string_value(j));
}

int record_valid(brink_engine *e, json_t *rec, bool named, const char *at,
                 char *err, size_t cap) {
  if (!json_is_object(rec))
    return refuse_with(err, cap, "%s: not a record: not an object", at);
  const char *t = json_string_value(json_object_get(rec, "t"));
  const struct record_kind *k = NULL;
  for (size_t i = 0; t && !k && i < sizeof record_kinds / sizeof *record_kinds;
       i++)
    if (strcmp(record_kinds[i].t, t) == 0) k = &record_kinds[i];
  int rc = k ? 0 : refuse_with(err, cap, "%s.t: not a kind of record", at);
  const char *keys[10] = {"t"};
  for (int i = 0; k && i < 8 && k->f[i].key; i++) keys[i + 1] = k->f[i].key;
  if (rc == 0) rc = only_keys(rec, keys, at, err, cap);
  for (int i = 0; rc == 0 && i < 8 && k->f[i].key; i++)
    rc = record_field(e, rec, &k->f[i], named, at, err, cap);
  return rc;
}

int record_check(brink_engine *e, const char *line, bool named,
                 const char *at, char *err, size_t cap) {
  json_error_t je;
  json_t *rec = json_loads(line, JSON_REJECT_DUPLICATES, &je);
  if (rec == NULL)
    return refuse_with(err, cap, "%s: not a record: %s", at, je.text);
  int rc = record_valid(e, rec, named, at, err, cap);
  json_decref(rec);
  return rc;
}

