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

#include "session.h"

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

/* saves ------------------------------------------------------------------ */

void loaded_free(loaded *l) {
  free(l->engine_state);
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
      jappend(a, json_stringn(s, n), &bad);
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
    if (o) jput(o, "hex", json_string(hex), &bad);
    jappend(a, o, &bad);
    free(hex);
  }
  if (bad) {
    json_decref(a);
    return NULL;
  }
  return a;
}

static int log_read(json_t *a, strlist *out, char *err, size_t cap) {
  if (!json_is_array(a))
    return refuse_with(err, cap, "log: missing or not a list");
  for (size_t i = 0; i < json_array_size(a); i++) {
    json_t *x = json_array_get(a, i);
    int rc;
    if (json_is_string(x)) {
      if (memchr(json_string_value(x), '\n', json_string_length(x)) ||
          strlen(json_string_value(x)) != json_string_length(x))
        return refuse_with(err, cap, "log[%zu]: a record is one line", i);
      rc = strlist_pushn(out, json_string_value(x), json_string_length(x));
    } else {
      json_t *h = json_is_object(x) ? json_object_get(x, "hex") : NULL;
      const char *s = json_is_string(h) ? json_string_value(h) : NULL;
      size_t n = s ? strlen(s) : 0;
      if (s == NULL || n % 2 || strspn(s, "0123456789abcdef") != n)
        return refuse_with(err, cap, "log[%zu]: must be a record line", i);
      char *raw = malloc(n / 2 + 1);
      if (raw == NULL) return refuse_with(err, cap, "out of memory");
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
      if (!ok)
        return refuse_with(err, cap, "log[%zu]: a record is one line", i);
    }
    if (rc) return refuse_with(err, cap, "out of memory");
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
      return refuse_with(err, cap,
                         "setup.seats[%zu]: '%s' is not an actor of the "
                         "scenario",
                         i, s->seats.v[i]);
    for (size_t k = 0; k < i; k++)
      if (strcmp(s->seats.v[k], s->seats.v[i]) == 0)
        return refuse_with(err, cap, "setup.seats[%zu]: '%s' twice", i,
                    s->seats.v[i]);
  }
  for (size_t i = 0; i < s->policies.n; i++) {
    const char *p = s->policies.v[i], *eq = strchr(p, '=');
    char actor[256];
    snprintf(actor, sizeof actor, "%.*s", (int)(eq - p), p);
    if (brink_actor_find(c, actor, &a) != BRINK_OK ||
        brink_policy_assign(c, a, eq + 1) != BRINK_OK)
      return refuse_with(err, cap, "setup.policies.%s: %s", actor,
                         brink_errmsg(c));
  }
  if (s->sets.n && brink_start(c, s->seed) != BRINK_OK)
    return refuse_with(err, cap, "%s", brink_errmsg(c));
  for (size_t i = 0; i < s->sets.n; i++) {
    const char *p = s->sets.v[i], *eq = strchr(p, '=');
    char var[256];
    int v;
    snprintf(var, sizeof var, "%.*s", (int)(eq - p), p);
    if (brink_var_find(c, var, &v) != BRINK_OK ||
        brink_var_set_text(c, v, eq + 1) != BRINK_OK)
      return refuse_with(err, cap, "setup.sets[%zu]: %s", i, brink_errmsg(c));
  }
  return 0;
}

/*
** Every line of a save's log, in the scratch engine 'c': it begins with
** the start and setup records and every line is a record.  Lines from the
** last change of text on (a /reload, or a resume with another text, which
** names it) are of the scenario text the save holds and are checked
** against it, as are all when the text is the same ('foreign' false).
*/
static int log_check(brink_engine *c, const strlist *log, const char *id,
                     uint64_t seed, bool foreign, char *err, size_t cap) {
  size_t from = 0;
  for (size_t i = 0; i < log->n; i++)
    /* An intervention names a new text's sha256 only when it changed. */
    if (strstr(log->v[i], "\"t\":\"intervention\"") &&
        strstr(log->v[i], "\"sha256\":"))
      from = i;
  for (size_t i = 0; i < log->n; i++) {
    char at[48];
    snprintf(at, sizeof at, "log[%zu]", i);
    /* A line kept as hex is not UTF-8 and no JSON to jansson: it is read
       with those bytes as '?', which no check below depends on. */
    char *line = strdup(log->v[i]);
    if (line == NULL) return refuse_with(err, cap, "out of memory");
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
      return refuse_with(err, cap, "log[%zu]: must be the %s record", i,
                  i ? "setup" : "start");
  json_t *start = json_loads(log->v[0], 0, NULL);
  bool same = strcmp(json_string_value(json_object_get(start, "scenario")),
                     id) == 0;
  json_decref(start);
  if (!same)
    return refuse_with(err, cap,
                       "log[0].scenario: not the save's scenario "
                       "'%s'",
                       id);
  /* The run the log tells began with the setup's seed. */
  for (size_t i = 0; i < 2; i++) {
    json_t *r = json_loads(log->v[i], 0, NULL);
    uint64_t s = 0;
    seed_read(json_object_get(r, "seed"), &s);
    json_decref(r);
    if (s != seed)
      return refuse_with(err, cap, "log[%zu].seed: not the setup's seed %llu",
                         i, (unsigned long long)seed);
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
    jput(o, "name", jstr(b[i].name), &bad);
    jput(o, "turn", json_integer(b[i].turn), &bad);
    jput(o, "state", json_deep_copy(b[i].state), &bad);
    jappend(a, o, &bad);
  }
  if (bad) {
    json_decref(a);
    return NULL;
  }
  return a;
}

/* brink_state_save's bytes as Base64 text, or NULL (memory). */
static json_t *engine_state_json(brink_engine *e) {
  void *bytes;
  size_t n;
  if (brink_state_save(e, &bytes, &n) != BRINK_OK) return NULL;
  char *b64 = base64_encode(bytes, n);
  brink_buffer_free(bytes);
  json_t *j = b64 ? json_string(b64) : NULL;
  free(b64);
  return j;
}

/*
** The engine state of a save: Base64 of a state the scenario's engine
** takes (checked in 'c', a clone), which must be the world 'state' names.
** Kept in 'out' for loaded_restore().  With --force the state by name is
** what counts (another text of the scenario could not take the bytes, and
** a state edited by hand is meant as written).
*/
static int engine_state_check(brink_engine *c, json_t *j, bool force,
                              loaded *out, char *err, size_t cap) {
  if (j == NULL || force) return 0;
  size_t n;
  void *bytes = json_is_string(j) ? base64_decode(json_string_value(j), &n)
                                  : NULL;
  if (bytes == NULL)
    return refuse_with(err, cap, "engine_state: not Base64 text");
  json_t *named = state_json(c), *exact = NULL;
  int rc = 0;
  if (brink_state_load(c, bytes, n) != BRINK_OK)
    rc = refuse_with(err, cap, "engine_state: %s", brink_errmsg(c));
  else if ((exact = state_json(c)) == NULL || named == NULL)
    rc = refuse_with(err, cap, "out of memory");
  else if (!json_equal(named, exact))
    rc = refuse_with(err, cap, "engine_state: not the world 'state' names "
                     "(was the state edited? --force loads the state as "
                     "written)");
  json_decref(named);
  json_decref(exact);
  if (rc) {
    free(bytes);
    return rc;
  }
  out->engine_state = bytes;
  out->engine_state_len = n;
  return 0;
}

static int apply_exact(brink_engine *c, void *ud, char *err, size_t cap) {
  const loaded *l = ud;
  if (brink_state_load(c, l->engine_state, l->engine_state_len) != BRINK_OK)
    return refuse_with(err, cap, "engine_state: %s", brink_errmsg(c));
  return 0;
}

int loaded_restore(brink_engine *live, const loaded *l, bool force,
                   strlist *notes, char *err, size_t cap) {
  if (l->engine_state == NULL)
    return state_restore(live, l->state, force, notes, err, cap);
  /* Through a clone: the world of the save, the seats of 'live'. */
  return restore_through_clone(live, apply_exact, (void *)l, err, cap);
}

char *save_text(brink_engine *e, const setup *s, const branch *branches,
                int nbranches, const strlist *log, size_t *len_out, char *err,
                size_t cap) {
  bool bad = false;
  json_t *root = json_object();
  if (root == NULL) {
    refuse_with(err, cap, "out of memory");
    return NULL;
  }
  size_t len;
  const char *text = brink_scenario_text(e, &len);
  char sha[65];
  brink__sha256_hex(text ? text : "", text ? len : 0, sha);
  jput(root, "format", json_string(SAVE_FORMAT), &bad);
  jput(root, "version", json_integer(SAVE_VERSION), &bad);
  jput(root, "engine", json_string(brink_version()), &bad);
  json_t *scn = json_object();
  if (scn) {
    jput(scn, "id", jstr(brink_scenario_field(e, "id")), &bad);
    jput(scn, "file", jstr(s->file), &bad);
    jput(scn, "sha256", json_string(sha), &bad);
    jput(scn, "version", json_integer(scenario_version(e)), &bad);
  }
  jput(root, "scenario", scn, &bad);
  jput(root, "setup", setup_object(s, false), &bad);
  jput(root, "state", state_json(e), &bad);
  jput(root, "engine_state", engine_state_json(e), &bad);
  jput(root, "branches", branches_json(branches, nbranches), &bad);
  jput(root, "log", log_json(log), &bad);
  char *out = bad ? NULL : json_text(root, JSON_INDENT(2) |
                                                JSON_PRESERVE_ORDER);
  json_decref(root);
  if (out == NULL) {
    refuse_with(err, cap, "out of memory (or a name that is not UTF-8)");
    return NULL;
  }
  size_t n = strlen(out);
  out[n] = '\n';   /* replaces the NUL: a text file ends with a newline */
  *len_out = n + 1;
  return out;
}

int save_write(const char *path, brink_engine *e, const setup *s,
               const branch *branches, int nbranches, const strlist *log,
               char *err, size_t cap) {
  size_t len;
  char *text = save_text(e, s, branches, nbranches, log, &len, err, cap);
  if (text == NULL) return -1;
  int rc = write_atomic(path, text, len, err, cap);
  free(text);
  return rc;
}

static int want_string(json_t *o, const char *key, const char *where,
                       const char **out, char *err, size_t cap) {
  json_t *j = json_object_get(o, key);
  if (j == NULL) return refuse_with(err, cap, "%s%s: missing", where, key);
  if (!json_is_string(j))
    return refuse_with(err, cap, "%s%s: must be a string", where, key);
  *out = json_string_value(j);
  return 0;
}

/* Is this a save this brink reads?  The first thing said about a file. */
static int check_format(json_t *root, char *err, size_t cap) {
  const char *format;
  if (!json_is_object(root))
    return refuse_with(err, cap, "not a save: the file holds no JSON object");
  if (want_string(root, "format", "", &format, err, cap)) return -1;
  if (strcmp(format, SAVE_FORMAT) != 0)
    return refuse_with(err, cap, "not a save: its format is '%s', not '%s'",
                       format, SAVE_FORMAT);
  json_t *version = json_object_get(root, "version");
  if (!json_is_integer(version))
    return refuse_with(err, cap, "version: missing or not a number");
  if (json_integer_value(version) != SAVE_VERSION)
    return refuse_with(err, cap,
                       "format version %" JSON_INTEGER_FORMAT
                       " is not "
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
      refuse_with(err, cap, "an empty file, not a save");
      return 1;
    }
    refuse_with(err, cap, "not a save: %s at line %d column %d", je.text,
                je.line, je.column);
    return 1;
  }
  int rc = 1;
  const char *engine, *id, *file, *sha;
  brink_engine *c = NULL;
  static const char *const keys[] = {"format", "version", "engine",
                                     "scenario", "setup", "state",
                                     "engine_state", "branches", "log",
                                     NULL};
  static const char *const scn_keys[] = {"id", "file", "sha256", "version",
                                         NULL};
  json_t *state = NULL;   /* the save's, or its migration (owned) */
  static const char *const setup_keys[] = {"seed", "seats", "policies",
                                           "sets", "turns", NULL};
  if (check_format(root, err, cap) || only_keys(root, keys, "", err, cap))
    goto done;
  if (want_string(root, "engine", "", &engine, err, cap)) goto done;
  json_t *scn = json_object_get(root, "scenario");
  if (!json_is_object(scn)) {
    refuse_with(err, cap, "scenario: missing or not an object");
    goto done;
  }
  if (only_keys(scn, scn_keys, "scenario", err, cap) ||
      want_string(scn, "id", "scenario.", &id, err, cap) ||
      want_string(scn, "file", "scenario.", &file, err, cap) ||
      want_string(scn, "sha256", "scenario.", &sha, err, cap))
    goto done;
  if (!json_hex64(json_object_get(scn, "sha256"))) {
    refuse_with(err, cap, "scenario.sha256: must be 64 hex digits");
    goto done;
  }
  const char *live_id = brink_scenario_field(live, "id");
  if (strcmp(id, live_id) != 0 && !force) {
    refuse_with(err, cap, "scenario.id: the save is of '%s', not of '%s'", id,
         live_id);
    goto done;
  }
  /* A save from before versions is of version 1. */
  json_t *sv = json_object_get(scn, "version");
  out->version = 1;
  if (sv && (!json_is_integer(sv) || json_integer_value(sv) < 1 ||
             json_integer_value(sv) > 1000000)) {
    refuse_with(err, cap, "scenario.version: must be a whole number from 1");
    goto done;
  }
  if (sv) out->version = (int)json_integer_value(sv);
  bool migrate = out->version != scenario_version(live);
  if (migrate && migrate_check(live, out->version, err, cap)) goto done;
  json_t *sj = json_object_get(root, "setup");
  if ((json_is_object(sj) && only_keys(sj, setup_keys, "setup", err, cap)) ||
      setup_parse(sj, &out->setup, err, cap))
    goto done;
  if ((out->setup.file = strdup(file)) == NULL ||
      (out->scenario_id = strdup(id)) == NULL) {
    refuse_with(err, cap, "out of memory");
    goto done;
  }
  snprintf(out->setup.sha256, sizeof out->setup.sha256, "%s", sha);
  size_t tlen;
  const char *stext = brink_scenario_text(live, &tlen);
  char live_sha[65];
  brink__sha256_hex(stext ? stext : "", stext ? tlen : 0, live_sha);
  if (strcmp(sha, live_sha) != 0) {
    if (!force && !migrate) {
      refuse_with(
          err, cap,
          "it was saved with another text of the scenario (%s, "
          "sha256 %.12s..., this one is %.12s...); --force maps its values "
          "by name",
          file, sha, live_sha);
      goto done;
    }
    out->foreign = true;
    if (!migrate)
      note_add(&out->notes, "the save was made with another text of the "
               "scenario (sha256 %.12s...)", sha);
  }
  if (migrate) {
    out->foreign = true;   /* its names are another text's */
    out->migrated_to = scenario_version(live);
    if (out->migrated_to - out->version == 1)
      note_add(&out->notes, "migrated from version %d of the scenario to "
               "version %d (step [%d])", out->version, out->migrated_to,
               out->version);
    else
      note_add(&out->notes, "migrated from version %d of the scenario to "
               "version %d (steps [%d] to [%d])", out->version,
               out->migrated_to, out->version, out->migrated_to - 1);
  }
  /* The migrated state goes by name, as a state of another text does
     with --force. */
  bool by_name = force || migrate;
  /* Every state, checked in a scratch clone before anything is used. */
  if (brink_engine_clone(live, &c) != BRINK_OK) {
    refuse_with(err, cap, "%s", brink_errmsg(live));
    goto done;
  }
  if (setup_check(c, &out->setup, err, cap)) goto done;
  state = json_incref(json_object_get(root, "state"));
  if (migrate && state) {
    json_t *m = state_migrate(c, state, out->version, "state", err, cap);
    json_decref(state);
    if ((state = m) == NULL) goto done;
  }
  if (state_apply_at(c, state, by_name, &out->notes, "state", err, cap) ||
      engine_state_check(c, json_object_get(root, "engine_state"), by_name,
                         out, err, cap))
    goto done;
  out->state = json_incref(state);
  json_t *br = json_object_get(root, "branches");
  if (!json_is_array(br)) {
    refuse_with(err, cap, "branches: missing or not a list");
    goto done;
  }
  size_t nb = json_array_size(br);
  if (nb && (out->branches = calloc(nb, sizeof *out->branches)) == NULL) {
    refuse_with(err, cap, "out of memory");
    goto done;
  }
  for (size_t i = 0; i < nb; i++) {
    json_t *b = json_array_get(br, i);
    char where[64];
    snprintf(where, sizeof where, "branches[%zu]", i);
    const char *name;
    if (!json_is_object(b)) {
      refuse_with(err, cap, "%s: must be an object", where);
      goto done;
    }
    static const char *const branch_keys[] = {"name", "turn", "state",
                                              NULL};
    if (only_keys(b, branch_keys, where, err, cap) ||
        want_string(b, "name", "branches[].", &name, err, cap))
      goto done;
    if (*name == '\0' || strlen(name) != json_string_length(
                                             json_object_get(b, "name"))) {
      refuse_with(err, cap, "%s.name: must be a name", where);
      goto done;
    }
    for (int k = 0; k < out->nbranches; k++)
      if (strcmp(out->branches[k].name, name) == 0) {
        refuse_with(err, cap, "%s.name: '%s' twice", where, name);
        goto done;
      }
    snprintf(where, sizeof where, "branches[%zu].state", i);
    json_t *bs = json_object_get(b, "state");
    if (migrate && bs) {
      json_t *m = state_migrate(c, bs, out->version, where, err, cap);
      if (m == NULL) goto done;
      /* The array holds it: freed with the save's JSON. */
      if (json_object_set_new(b, "state", m)) {
        refuse_with(err, cap, "out of memory");
        goto done;
      }
      bs = m;
    }
    if (state_apply_at(c, bs, by_name, NULL, where, err, cap)) goto done;
    json_t *bt = json_object_get(b, "turn");
    if (!json_is_integer(bt) || json_integer_value(bt) != brink_turn(c)) {
      refuse_with(err, cap,
                  "branches[%zu].turn: missing or not its state's turn "
                  "(%d)",
                  i, brink_turn(c));
      goto done;
    }
    branch *d = &out->branches[out->nbranches];
    if ((d->name = strdup(name)) == NULL) {
      refuse_with(err, cap, "out of memory");
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
  json_decref(state);
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
    refuse_with(err, cap, "cannot read it: %s", strerror(errno));
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
    refuse_with(err, cap, "cannot read it: %s", strerror(errno));
    return NULL;
  }
  json_error_t je;
  json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
  free(text);
  char *file = NULL;
  json_t *scn = root ? json_object_get(root, "scenario") : NULL;
  json_t *f = json_is_object(scn) ? json_object_get(scn, "file") : NULL;
  if (root == NULL)
    refuse_with(err, cap, "not a save: %s at line %d column %d", je.text,
                je.line, je.column);
  else if (check_format(root, err, cap))
    ;
  else if (!json_is_string(f) || *json_string_value(f) == '\0')
    refuse_with(err, cap, "scenario.file: missing or not a file name");
  else if ((file = strdup(json_string_value(f))) == NULL)
    refuse_with(err, cap, "out of memory");
  json_decref(root);
  return file;
}
