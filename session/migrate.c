/*
** migrate.c: a saved state of an older version of the scenario, brought
** to the version in play by the scenario's `migrate { }` steps.
**
** A scenario declares `version = N` in `scenario { }`; saves record it.
** Step k takes a state of version k to version k + 1.  The steps run in
** the script sandbox of an engine of the newer text (a scratch clone when
** loading a save), on a copy of the state: nothing in the world changes
** until the migrated state has passed state_apply() by name, as a state
** of another text does with --force, so renamed variables are carried
** over.  A newer save, or an older one with a step missing, is refused.
*/
#include <stdlib.h>
#include <string.h>

#include "migrate.h"
#include "session.h"

int scenario_version(brink_engine *e) { return brink__scenario_version(e); }

int migrate_check(brink_engine *e, int from, char *err, size_t cap) {
  int to = brink__scenario_version(e);
  if (from > to)
    return refuse_with(err, cap,
                       "a state of version %d of the scenario cannot be "
                       "migrated back to version %d (this text's)",
                       from, to);
  for (int k = from; k < to; k++)
    if (brink__migrate(e, k, NULL, NULL, NULL) != BRINK_OK)
      return refuse_with(err, cap,
                         "a state of version %d of the scenario needs "
                         "migrate step [%d] (from version %d to %d), which "
                         "this text (version %d) does not have",
                         from, k, k, k + 1, to);
  return 0;
}

/* A list or a name that a table of the state lost in Lua: put back. */
static int fix_state(json_t *st) {
  static const char *const lists[] = {"fired", "schedule", "rng", NULL};
  static const char *const names[] = {"awaiting", "outcome",
                                      "pending_outcome", NULL};
  if (!json_is_object(st)) return 0;
  for (int i = 0; lists[i]; i++) {
    json_t *j = json_object_get(st, lists[i]);
    if (json_is_object(j) && json_object_size(j) == 0 &&
        json_object_set_new(st, lists[i], json_array()))
      return -1;
  }
  /* A null is a missing key to Lua: the position names nobody. */
  for (int i = 0; names[i]; i++)
    if (json_object_get(st, names[i]) == NULL &&
        json_object_set_new(st, names[i], json_null()))
      return -1;
  return 0;
}

json_t *state_migrate(brink_engine *e, json_t *state, int from,
                      const char *where, char *err, size_t cap) {
  int to = brink__scenario_version(e);
  json_t *cur = json_incref(state);
  for (int k = from; k < to; k++) {
    char *data = data_from_json(cur);
    if (data == NULL) {
      refuse_with(err, cap, "%s: cannot be given to migrate step [%d] (too "
                  "deep, or a number that is not finite)", where, k);
      json_decref(cur);
      return NULL;
    }
    char *out;
    size_t len;
    int rc = brink__migrate(e, k, data, &out, &len);
    free(data);
    json_decref(cur);
    if (rc != BRINK_OK) {
      const char *at = brink_errwhere(e);
      refuse_with(err, cap, "%s%smigrate step [%d] failed on %s: %s", at,
                  *at ? ": " : "", k, where, brink_errmsg(e));
      return NULL;
    }
    json_error_t je;
    cur = json_loadb(out, len, JSON_REJECT_DUPLICATES, &je);
    brink_buffer_free(out);
    if (cur == NULL) {
      refuse_with(err, cap, "migrate step [%d] made %s something that is "
                  "not a state: %s", k, where, je.text);
      return NULL;
    }
    if (fix_state(cur)) {
      json_decref(cur);
      refuse_with(err, cap, "out of memory");
      return NULL;
    }
  }
  return cur;
}

int migrated_json(json_t *o, int from, int to) {
  json_t *a = json_array();
  bool bad = a == NULL;
  for (int k = from; !bad && k < to; k++) jappend(a, json_integer(k), &bad);
  if (bad) {
    json_decref(a);
    return -1;
  }
  return json_object_set_new(o, "migrated", a);
}

char *resumed_lines(brink_engine *e, const char *save, const loaded *l) {
  size_t len;
  const char *text = brink_scenario_text(e, &len);
  char sha[65];
  brink__sha256_hex(text ? text : "", text ? len : 0, sha);
  char *cmd = malloc(strlen(save) + 10);
  json_t *in = json_object(), *st = json_object();
  bool bad = cmd == NULL;
  if (cmd) sprintf(cmd, "--resume %s", save);
  if (in) {
    jput(in, "t", json_string("intervention"), &bad);
    jput(in, "turn", json_integer(brink_turn(e)), &bad);
    jput(in, "command", cmd ? jstr(cmd) : NULL, &bad);
    jput(in, "sha256", json_string(sha), &bad);
    if (l->migrated_to && migrated_json(in, l->version, l->migrated_to))
      bad = true;
  }
  if (st) {
    jput(st, "t", json_string("state"), &bad);
    jput(st, "turn", json_integer(brink_turn(e)), &bad);
    jput(st, "state", state_json(e), &bad);
  }
  free(cmd);
  char *a = in && st && !bad ? json_text(in, JSON_COMPACT |
                                                  JSON_PRESERVE_ORDER)
                             : NULL;
  char *b = a ? json_text(st, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
  json_decref(in);
  json_decref(st);
  char *out = b ? malloc(strlen(a) + strlen(b) + 3) : NULL;
  if (out) sprintf(out, "%s\n%s\n", a, b);
  free(a);
  free(b);
  return out;
}
