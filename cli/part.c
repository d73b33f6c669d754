/*
** part.c: the partial result of one shard of a batch (brink batch --shard
** K/N --out FILE), and brink merge, which puts parts back together.
**
** A part is one line of JSON:
**
**   {"check":"fnv1a64:<16 hex digits>","part":{...}}
**
** where the check is the FNV-1a hash of the exact bytes of the "part"
** value as written, so a flipped byte anywhere is caught even where the
** JSON would still parse.  The part holds a header (everything that names
** the batch: scenario, its hash, seed, runs, options, the scenario's
** actors, variables and moves) and the rows of its runs, with every final
** value as the engine wrote it, so percentiles after a merge are exact.
** Parts merge when their headers are equal and their runs tile 0..runs-1.
*/
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"

#define PART_FORMAT 2
#define CHECK_PREFIX "{\"check\":\"fnv1a64:"
#define PART_PREFIX "\",\"part\":"

static const char *const type_names[] = {"number", "integer", "flag", "enum"};

/* The header: everything two parts of one batch have in common. */
static json_t *header_json(const bmeta *m) {
  json_t *h = json_object();
  json_object_set_new(h, "format", json_integer(PART_FORMAT));
  json_object_set_new(h, "engine", json_string(brink_version()));
  json_object_set_new(h, "scenario", json_string(m->scenario));
  json_object_set_new(h, "hash", json_string(m->hash));
  char seed[32];
  snprintf(seed, sizeof seed, "%llu", (unsigned long long)m->seed);
  json_object_set_new(h, "seed", json_string(seed));
  json_object_set_new(h, "runs", json_integer(m->runs));
  json_object_set(h, "options", m->options);
  json_object_set_new(h, "title", json_string(m->title));
  json_object_set_new(h, "default_outcome", json_string(m->default_outcome));
  json_t *actors = json_array(), *vars = json_array(), *rep = json_object();
  for (int a = 0; a < m->nactors; a++) {
    json_array_append_new(actors, json_string(m->actors[a]));
    json_t *moves = json_array();
    for (int k = 0; k < m->nrep[a]; k++)
      json_array_append_new(moves, json_string(m->rep[a][k]));
    json_object_set_new(rep, m->actors[a], moves);
  }
  for (int v = 0; v < m->nvars; v++) {
    json_t *d = json_pack("{ss ss}", "name", m->vars[v], "type",
                          type_names[m->types[v] & 3]);
    if (m->types[v] == BRINK_ENUM) {
      json_t *values = json_array();
      for (int k = 0; k < m->nenum[v]; k++)
        json_array_append_new(values, json_string(m->enums[v][k]));
      json_object_set_new(d, "values", values);
    }
    json_array_append_new(vars, d);
  }
  json_object_set_new(h, "actors", actors);
  json_object_set_new(h, "vars", vars);
  json_object_set_new(h, "moves", rep);
  json_t *series = json_array(), *dates = json_array();
  for (int s = 0; s < m->nseries; s++)
    json_array_append_new(series, json_string(m->vars[m->series[s]]));
  for (int k = 0; k <= m->nturns; k++) {
    char d[16];
    brink_date_format(m->dates[k], d, sizeof d);
    json_array_append_new(dates, json_string(d));
  }
  json_object_set_new(h, "series", series);
  json_object_set_new(h, "dates", dates);
  json_object_set_new(h, "score", json_boolean(m->has_score));
  return h;
}

/* The rows, column by column. */
static json_t *results_json(const bmeta *m, const btable *t,
                            const brink_engine *e) {
  json_t *r = json_object(), *outs = json_array(), *outcome = json_array(),
         *turn = json_array(), *errors = json_object();
  size_t n = (size_t)t->count, nv = (size_t)m->nvars;
  for (int i = 0; i < t->noutcomes; i++)
    json_array_append_new(outs, json_string(t->outcomes[i]));
  for (size_t i = 0; i < n; i++) {
    json_array_append_new(outcome, json_integer(t->outcome[i]));
    json_array_append_new(turn, json_integer(t->turn[i]));
    if (t->error[i]) {
      char key[32];
      snprintf(key, sizeof key, "%zu", i);
      json_object_set_new(errors, key, json_string(t->error[i]));
    }
  }
  json_object_set_new(r, "outcomes", outs);
  json_object_set_new(r, "outcome", outcome);
  json_object_set_new(r, "turn", turn);
  json_object_set_new(r, "errors", errors);
  json_object_set_new(r, "verified", json_integer(t->verified));
  json_t *fin = json_object();
  char buf[128];
  for (size_t v = 0; v < nv; v++) {
    json_t *col = json_array();
    for (size_t i = 0; i < n; i++) {
      if (t->final_text) {
        json_array_append_new(col, json_string(t->final_text[i * nv + v]));
        continue;
      }
      brink_value_format(e, (int)v, t->final[i * nv + v], buf, sizeof buf);
      json_array_append_new(col, json_string(buf));
    }
    json_object_set_new(fin, m->vars[v], col);
  }
  json_object_set_new(r, "final", fin);
  if (t->score) {
    json_t *sc = json_object();
    for (int a = 0; a < m->nactors; a++) {
      json_t *col = json_array();
      for (size_t i = 0; i < n; i++) {
        double x = t->score[i * (size_t)m->nactors + (size_t)a];
        json_array_append_new(col, isnan(x) ? json_null() : json_real(x));
      }
      json_object_set_new(sc, m->actors[a], col);
    }
    json_object_set_new(r, "score", sc);
  }
  json_t *series = json_object();
  size_t points = (size_t)m->nturns + 1;
  for (int s = 0; s < m->nseries; s++) {
    json_t *rows = json_array();
    for (size_t i = 0; i < n; i++) {
      json_t *row = json_array();
      const double *x = t->series + (i * (size_t)m->nseries + (size_t)s) *
                                        points;
      for (size_t k = 0; k < points; k++)
        json_array_append_new(row, json_real(x[k]));
      json_array_append_new(rows, row);
    }
    json_object_set_new(series, m->vars[m->series[s]], rows);
  }
  json_object_set_new(r, "series", series);
  json_t *trig = json_object();
  for (int i = 0; i < t->ntriggers; i++)
    json_object_set_new(trig, t->triggers[i],
                        json_integer(t->trigger_runs[i]));
  json_object_set_new(r, "triggers", trig);
  json_t *moves = json_object();
  for (int a = 0; a < m->nactors; a++) {
    json_t *counts = json_array();
    for (int k = 0; k < m->nrep[a]; k++)
      json_array_append_new(counts,
                            json_integer(t->moves[m->rep_off[a] + k]));
    json_object_set_new(moves, m->actors[a], counts);
  }
  json_object_set_new(r, "moves", moves);
  return r;
}

int file_write_atomic(const char *path, const char *data, size_t len) {
  char err[512];
  if (write_atomic(path, data, len, err, sizeof err) == 0) return 0;
  term_printf(stderr, "brink: cannot write %s: %s\n", path, err);
  return -1;
}

int write_part(const char *path, const bmeta *m, const btable *t,
               const brink_engine *e, int shard_k, int shard_n) {
  json_t *part = json_object();
  json_object_set_new(part, "t", json_string("batch-part"));
  json_object_set_new(part, "header", header_json(m));
  json_object_set_new(part, "shard", json_pack("[ii]", shard_k, shard_n));
  json_object_set_new(part, "first", json_integer(t->first));
  json_object_set_new(part, "count", json_integer(t->count));
  json_object_set_new(part, "results", results_json(m, t, e));
  /* Full precision: reals must read back to the same bits. */
  char *body = json_dumps(part, JSON_COMPACT);
  json_decref(part);
  if (body == NULL) {
    term_printf(stderr, "brink batch: out of memory writing %s\n", path);
    return -1;
  }
  size_t blen = strlen(body), cap = blen + 64;
  char *text = xmalloc(cap);
  int n = snprintf(text, cap, CHECK_PREFIX "%016llx" PART_PREFIX "%s}\n",
                   (unsigned long long)fnv1a64(body, blen, FNV1A64_INIT),
                   body);
  free(body);
  int rc = file_write_atomic(path, text, (size_t)n);
  free(text);
  return rc;
}

/* merge ------------------------------------------------------------------ */

typedef struct part {
  const char *path;
  json_t *root;          /* the whole file */
  json_t *header, *results;
  int64_t first, count;
  int shard_k, shard_n;
} part;

/* "brink merge: PATH: ..." and 1. */
static int refuse(const char *path, const char *fmt, const char *detail) {
  term_printf(stderr, "brink merge: %s: ", path);
  term_printf(stderr, fmt, detail);
  fputc('\n', stderr);
  return 1;
}

static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) return NULL;
  size_t cap = 1 << 16, n = 0, got;
  char *buf = xmalloc(cap + 1);
  while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
    n += got;
    if (n == cap) {
      char *more = realloc(buf, (cap *= 2) + 1);
      if (more == NULL) {
        free(buf);
        fclose(f);
        return NULL;
      }
      buf = more;
    }
  }
  fclose(f);
  buf[n] = '\0';
  *len = n;
  return buf;
}

static bool is_hex16(const char *s) {
  for (int i = 0; i < 16; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
      return false;
  return true;
}

/* Reads and checks one part file; 0, or 1 with the reason printed. */
static int read_part(const char *path, part *p) {
  memset(p, 0, sizeof *p);
  p->path = path;
  size_t len;
  char *text = slurp(path, &len);
  if (text == NULL)
    return refuse(path, "cannot read it: %s", strerror(errno));
  size_t pre = strlen(CHECK_PREFIX), mid = strlen(PART_PREFIX);
  json_error_t err;
  json_t *root = json_loadb(text, len, 0, &err);
  bool framed = len > pre + 16 + mid + 2 &&
                memcmp(text, CHECK_PREFIX, pre) == 0 &&
                is_hex16(text + pre) &&
                memcmp(text + pre + 16, PART_PREFIX, mid) == 0;
  if (len == 0) {
    free(text);
    return refuse(path, "%s", "empty file, not a brink batch part");
  }
  if (!framed) {
    json_decref(root);
    free(text);
    return refuse(path, "%s", root ? "not a brink batch part (or damaged "
                                     "at its start)"
                                   : "not a brink batch part: not JSON");
  }
  if (root == NULL) {
    free(text);
    return refuse(path, "damaged or truncated: not valid JSON (%s)",
                  err.text);
  }
  /* The part's bytes: after the prefix, up to the closing brace. */
  size_t end = len;
  if (end && text[end - 1] == '\n') end--;
  const char *body = text + pre + 16 + mid;
  size_t blen = end - 1 - (size_t)(body - text);
  char want[17];
  memcpy(want, text + pre, 16);
  want[16] = '\0';
  char got[17];
  snprintf(got, sizeof got, "%016llx",
           (unsigned long long)fnv1a64(body, blen, FNV1A64_INIT));
  free(text);
  if (strcmp(want, got) != 0) {
    json_decref(root);
    return refuse(path, "%s", "damaged: its checksum does not match its "
                              "contents");
  }
  json_t *pj = json_object_get(root, "part");
  json_int_t first, count, k, n;
  const char *kind;
  if (json_unpack(pj, "{s:s, s:o, s:[II], s:I, s:I, s:o}", "t", &kind,
                  "header", &p->header, "shard", &k, &n, "first", &first,
                  "count", &count, "results", &p->results) != 0 ||
      strcmp(kind, "batch-part") != 0 || !json_is_object(p->header) ||
      !json_is_object(p->results) || first < 0 || count < 0) {
    json_decref(root);
    return refuse(path, "%s", "not a brink batch part");
  }
  json_int_t format = json_integer_value(json_object_get(p->header,
                                                         "format"));
  if (format != PART_FORMAT) {
    json_decref(root);
    char f[32];
    snprintf(f, sizeof f, "%lld", (long long)format);
    return refuse(path, "a part of format %s; this brink reads format 1", f);
  }
  p->root = root;
  p->first = first;
  p->count = count;
  p->shard_k = (int)k;
  p->shard_n = (int)n;
  return 0;
}

/* Why two headers differ, in the words a user needs. */
static int mismatch(const part *a, const part *b) {
  static const struct { const char *key, *why; } reasons[] = {
      {"format", "parts of different formats"},
      {"engine", "made by different versions of brink"},
      {"scenario", "parts of different scenarios"},
      {"hash", "made from different texts of the scenario (its hash "
               "differs)"},
      {"seed", "parts of batches with different --seed"},
      {"runs", "parts of batches with different --runs"},
      {"options", "parts of batches with different options (--policy, "
                  "--set, --var, --turns or budgets)"},
  };
  for (size_t i = 0; i < sizeof reasons / sizeof *reasons; i++) {
    json_t *x = json_object_get(a->header, reasons[i].key),
           *y = json_object_get(b->header, reasons[i].key);
    if (!json_equal(x, y) && strcmp(reasons[i].key, "options") == 0) {
      static const char *const flags[][2] = {
          {"policies", "--policy"}, {"sets", "--set"}, {"vars", "--var"},
          {"turns", "--turns"}, {"max_instructions", "--max-instructions"},
          {"max_memory", "--max-memory"}, {"max_seconds", "--max-seconds"}};
      const char *key;
      json_t *v;
      json_object_foreach(x, key, v) {
        json_t *w = json_object_get(y, key);
        if (json_equal(v, w)) continue;
        const char *flag = key;
        for (size_t k = 0; k < sizeof flags / sizeof *flags; k++)
          if (strcmp(flags[k][0], key) == 0) flag = flags[k][1];
        char *sx = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY),
             *sy = json_dumps(w, JSON_COMPACT | JSON_ENCODE_ANY);
        term_printf(stderr, "brink merge: %s and %s are parts of batches with "
                    "different %s: %s against %s\n", a->path, b->path, flag,
                    sx ? sx : "?", sy ? sy : "null");
        free(sx);
        free(sy);
        return 1;
      }
    }
    if (!json_equal(x, y)) {
      char *sx = json_dumps(x, JSON_COMPACT | JSON_ENCODE_ANY),
           *sy = json_dumps(y, JSON_COMPACT | JSON_ENCODE_ANY);
      term_printf(stderr, "brink merge: %s and %s are %s: %s against %s\n",
                  a->path, b->path, reasons[i].why, sx ? sx : "?",
                  sy ? sy : "?");
      free(sx);
      free(sy);
      return 1;
    }
  }
  term_printf(stderr, "brink merge: %s and %s describe the scenario "
              "differently (damaged?)\n", a->path, b->path);
  return 1;
}

static int cmp_first(const void *x, const void *y) {
  const part *a = x, *b = y;
  if (a->first != b->first)
    return (a->first > b->first) - (a->first < b->first);
  return (a->count > b->count) - (a->count < b->count);
}

static char *dup_string(json_t *j) {
  return xstrdup(json_is_string(j) ? json_string_value(j) : "");
}

/* The scenario facts from a checked header; 0, or 1 when malformed. */
static int meta_from_header(json_t *h, bmeta *m) {
  memset(m, 0, sizeof *m);
  json_t *actors = json_object_get(h, "actors"),
         *vars = json_object_get(h, "vars"),
         *rep = json_object_get(h, "moves"),
         *series = json_object_get(h, "series"),
         *dates = json_object_get(h, "dates");
  const char *seed = json_string_value(json_object_get(h, "seed"));
  if (!json_is_array(actors) || !json_is_array(vars) ||
      !json_is_object(rep) || !json_is_array(series) ||
      !json_is_array(dates) || json_array_size(dates) < 1 || seed == NULL ||
      !json_is_integer(json_object_get(h, "runs")) ||
      !json_is_object(json_object_get(h, "options")))
    return 1;
  m->scenario = dup_string(json_object_get(h, "scenario"));
  m->title = dup_string(json_object_get(h, "title"));
  m->hash = dup_string(json_object_get(h, "hash"));
  m->default_outcome = dup_string(json_object_get(h, "default_outcome"));
  m->seed = strtoull(seed, NULL, 10);
  m->runs = json_integer_value(json_object_get(h, "runs"));
  m->options = json_incref(json_object_get(h, "options"));
  m->has_score = json_is_true(json_object_get(h, "score"));
  m->nactors = (int)json_array_size(actors);
  m->actors = xcalloc((size_t)m->nactors, sizeof *m->actors);
  m->nrep = xcalloc((size_t)m->nactors, sizeof *m->nrep);
  m->rep = xcalloc((size_t)m->nactors, sizeof *m->rep);
  m->rep_off = xcalloc((size_t)m->nactors + 1, sizeof *m->rep_off);
  for (int a = 0; a < m->nactors; a++) {
    json_t *id = json_array_get(actors, (size_t)a);
    json_t *moves = json_object_get(rep, json_string_value(id) ?
                                             json_string_value(id) : "");
    if (!json_is_string(id) || !json_is_array(moves)) return 1;
    m->actors[a] = dup_string(id);
    m->rep[a] = xcalloc(json_array_size(moves), sizeof **m->rep);
    for (size_t k = 0; k < json_array_size(moves); k++) {
      json_t *name = json_array_get(moves, k);
      if (!json_is_string(name)) return 1;
      m->rep[a][m->nrep[a]++] = dup_string(name);
    }
    m->rep_off[a + 1] = m->rep_off[a] + m->nrep[a];
  }
  m->nrep_all = m->rep_off[m->nactors];
  m->nvars = (int)json_array_size(vars);
  m->vars = xcalloc((size_t)m->nvars, sizeof *m->vars);
  m->types = xcalloc((size_t)m->nvars, sizeof *m->types);
  m->nenum = xcalloc((size_t)m->nvars, sizeof *m->nenum);
  m->enums = xcalloc((size_t)m->nvars, sizeof *m->enums);
  for (int v = 0; v < m->nvars; v++) {
    json_t *d = json_array_get(vars, (size_t)v);
    const char *type = json_string_value(json_object_get(d, "type"));
    if (!json_is_string(json_object_get(d, "name")) || type == NULL) return 1;
    m->vars[v] = dup_string(json_object_get(d, "name"));
    m->types[v] = -1;
    for (int k = 0; k < 4; k++)
      if (strcmp(type, type_names[k]) == 0) m->types[v] = k;
    if (m->types[v] < 0) return 1;
    json_t *values = json_object_get(d, "values");
    if (m->types[v] != BRINK_ENUM) continue;
    if (!json_is_array(values)) return 1;
    m->enums[v] = xcalloc(json_array_size(values), sizeof **m->enums);
    for (size_t k = 0; k < json_array_size(values); k++) {
      if (!json_is_string(json_array_get(values, k))) return 1;
      m->enums[v][m->nenum[v]++] = dup_string(json_array_get(values, k));
    }
  }
  m->series = xcalloc(json_array_size(series), sizeof *m->series);
  for (size_t s = 0; s < json_array_size(series); s++) {
    const char *name = json_string_value(json_array_get(series, s));
    int v = 0;
    while (name && v < m->nvars && strcmp(m->vars[v], name) != 0) v++;
    if (name == NULL || v == m->nvars) return 1;
    m->series[m->nseries++] = v;
  }
  m->nturns = (int)json_array_size(dates) - 1;
  m->dates = xcalloc(json_array_size(dates), sizeof *m->dates);
  for (int k = 0; k <= m->nturns; k++) {
    const char *d = json_string_value(json_array_get(dates, (size_t)k));
    if (d == NULL || brink_date_parse(d, &m->dates[k]) != BRINK_OK) return 1;
  }
  return 0;
}

/* A final value from the engine's text of it; false when it is not one. */
static bool parse_value(const bmeta *m, int v, const char *s, double *out) {
  switch (m->types[v]) {
  case BRINK_FLAG:
    *out = strcmp(s, "true") == 0;
    return *out == 1 || strcmp(s, "false") == 0;
  case BRINK_ENUM:
    for (int k = 0; k < m->nenum[v]; k++)
      if (strcmp(m->enums[v][k], s) == 0) {
        *out = k;
        return true;
      }
    return false;
  default: {
    char *end;
    *out = strtod(s, &end);
    return *s && *end == '\0' && isfinite(*out);
  }
  }
}

/* Copies part p's rows into t at p->first; 0, or 1 when malformed. */
static int fill_rows(const bmeta *m, btable *t, const part *p) {
  json_t *r = p->results;
  json_t *outs = json_object_get(r, "outcomes"),
         *outcome = json_object_get(r, "outcome"),
         *turn = json_object_get(r, "turn"),
         *errors = json_object_get(r, "errors"),
         *fin = json_object_get(r, "final"),
         *score = json_object_get(r, "score"),
         *series = json_object_get(r, "series"),
         *trig = json_object_get(r, "triggers"),
         *moves = json_object_get(r, "moves"),
         *verified = json_object_get(r, "verified");
  size_t n = (size_t)p->count, nv = (size_t)m->nvars, at = (size_t)p->first;
  if (!json_is_array(outs) || json_array_size(outcome) != n ||
      json_array_size(turn) != n || !json_is_object(errors) ||
      !json_is_object(fin) || !json_is_object(series) ||
      !json_is_object(trig) || !json_is_object(moves) ||
      (m->has_score && !json_is_object(score)) ||
      !json_is_integer(verified) || json_integer_value(verified) < 0 ||
      json_integer_value(verified) > p->count)
    return 1;
  t->verified += json_integer_value(verified);
  /* Every outcome the part names, reached or not, in its order. */
  for (size_t i = 0; i < json_array_size(outs); i++) {
    const char *name = json_string_value(json_array_get(outs, i));
    if (name == NULL) return 1;
    table_outcome(t, name);
  }
  for (size_t i = 0; i < n; i++) {
    json_t *o = json_array_get(outcome, i), *tu = json_array_get(turn, i);
    const char *name = json_string_value(
        json_array_get(outs, (size_t)json_integer_value(o)));
    if (!json_is_integer(o) || json_integer_value(o) < 0 || name == NULL ||
        !json_is_integer(tu))
      return 1;
    t->outcome[at + i] = table_outcome(t, name);
    t->turn[at + i] = (int32_t)json_integer_value(tu);
  }
  const char *key;
  json_t *val;
  json_object_foreach(errors, key, val) {
    char *end;
    unsigned long long i = strtoull(key, &end, 10);
    if (*end || i >= n || !json_is_string(val) || t->error[at + i]) return 1;
    t->error[at + i] = xstrdup(json_string_value(val));
  }
  for (size_t v = 0; v < nv; v++) {
    json_t *col = json_object_get(fin, m->vars[v]);
    if (json_array_size(col) != n) return 1;
    for (size_t i = 0; i < n; i++) {
      const char *s = json_string_value(json_array_get(col, i));
      size_t cell = (at + i) * nv + v;
      if (s == NULL || !parse_value(m, (int)v, s, &t->final[cell])) return 1;
      t->final_text[cell] = s;
    }
  }
  for (int a = 0; m->has_score && a < m->nactors; a++) {
    json_t *col = json_object_get(score, m->actors[a]);
    if (json_array_size(col) != n) return 1;
    for (size_t i = 0; i < n; i++) {
      json_t *x = json_array_get(col, i);
      if (!json_is_number(x) && !json_is_null(x)) return 1;
      t->score[(at + i) * (size_t)m->nactors + (size_t)a] =
          json_is_null(x) ? NAN : json_number_value(x);
    }
  }
  size_t points = (size_t)m->nturns + 1;
  for (int s = 0; s < m->nseries; s++) {
    json_t *rows = json_object_get(series, m->vars[m->series[s]]);
    if (json_array_size(rows) != n) return 1;
    for (size_t i = 0; i < n; i++) {
      json_t *row = json_array_get(rows, i);
      if (json_array_size(row) != points) return 1;
      double *x = t->series + ((at + i) * (size_t)m->nseries + (size_t)s) *
                                  points;
      for (size_t k = 0; k < points; k++) {
        json_t *num = json_array_get(row, k);
        if (!json_is_number(num)) return 1;
        x[k] = json_number_value(num);
      }
    }
  }
  json_object_foreach(trig, key, val) {
    if (!json_is_integer(val) || json_integer_value(val) < 0) return 1;
    table_trigger(t, key, json_integer_value(val));
  }
  for (int a = 0; a < m->nactors; a++) {
    json_t *counts = json_object_get(moves, m->actors[a]);
    if (json_array_size(counts) != (size_t)m->nrep[a]) return 1;
    for (int k = 0; k < m->nrep[a]; k++) {
      json_t *c = json_array_get(counts, (size_t)k);
      if (!json_is_integer(c) || json_integer_value(c) < 0) return 1;
      t->moves[m->rep_off[a] + k] += json_integer_value(c);
    }
  }
  return 0;
}

int cmd_merge(int argc, char **argv) {
  options o;
  int rc = parse_options("merge", argc, argv, &o);
  if (rc < 0) return 0;
  if (rc) return rc;
  part *parts = xcalloc((size_t)o.nfiles, sizeof *parts);
  bmeta m = {0};
  btable t = {0};
  int n = 0;
  for (; n < o.nfiles; n++)
    if ((rc = read_part(o.files[n], &parts[n])) != 0) goto done;
  for (int i = 1; i < n; i++)
    if (!json_equal(parts[0].header, parts[i].header)) {
      rc = mismatch(&parts[0], &parts[i]);
      goto done;
    }
  if (meta_from_header(parts[0].header, &m) != 0) {
    rc = refuse(parts[0].path, "%s", "damaged: its header is malformed");
    goto done;
  }
  qsort(parts, (size_t)n, sizeof *parts, cmp_first);
  int64_t covered = 0;
  for (int i = 0; i < n; i++) {
    const part *p = &parts[i];
    if (p->first > covered) {
      term_printf(stderr, "brink merge: a gap: no part holds runs %lld-%lld "
                  "(seeds %llu-%llu); is a shard missing?\n",
                  (long long)covered,
                  (long long)p->first - 1,
                  (unsigned long long)(m.seed + (uint64_t)covered),
                  (unsigned long long)(m.seed + (uint64_t)p->first - 1));
      rc = 1;
      goto done;
    }
    if (p->first < covered) {
      const part *q = &parts[i - 1];
      term_printf(stderr, "brink merge: %s (runs %lld-%lld) and %s (runs "
                  "%lld-%lld) overlap\n", q->path, (long long)q->first,
                  (long long)(q->first + q->count - 1), p->path,
                  (long long)p->first, (long long)(p->first + p->count - 1));
      rc = 1;
      goto done;
    }
    covered = p->first + p->count;
  }
  if (covered != m.runs) {
    if (covered > m.runs)
      term_printf(stderr, "brink merge: the parts hold %lld runs of a batch of "
                  "%lld (damaged?)\n", (long long)covered, (long long)m.runs);
    else
      term_printf(stderr, "brink merge: a gap: no part holds runs %lld-%lld "
                  "(seeds %llu-%llu); is a shard missing?\n",
                  (long long)covered,
                  (long long)m.runs - 1,
                  (unsigned long long)(m.seed + (uint64_t)covered),
                  (unsigned long long)(m.seed + (uint64_t)m.runs - 1));
    rc = 1;
    goto done;
  }
  table_alloc(&m, &t, 0, m.runs);
  t.final_text = xcalloc((size_t)m.runs * (size_t)m.nvars,
                         sizeof *t.final_text);
  for (int i = 0; i < n; i++)
    if (fill_rows(&m, &t, &parts[i]) != 0) {
      rc = refuse(parts[i].path, "%s", "damaged: its results are malformed");
      goto done;
    }
  bool io_error = false;
  if (o.csv) {
    outfile csv;
    FILE *f = outfile_open(&csv, o.csv);
    char err[600] = "out of memory";
    if (f == NULL || write_csv_rows(f, &m, &t, NULL, true) != 0 ||
        outfile_close(&csv, err, sizeof err) != 0) {
      term_printf(stderr, "brink merge: cannot write %s: %s\n", o.csv, err);
      rc = 1;
    }
  }
  if (o.json) {
    json_t *j = summary_json(&m, &t);
    if (print_json(stdout, j) != 0) io_error = true;
    json_decref(j);
  } else {
    summary_text(stdout, &m, &t);
  }
  if (o.plot && write_plot(o.plot, &m, &t) != 0) rc = 1;
  if (fflush(stdout) != 0) io_error = true;
  if (io_error && rc == 0) {
    term_printf(stderr, "brink merge: could not write the results\n");
    rc = 1;
  }
  for (int64_t i = 0; rc == 0 && i < t.count; i++)
    if (t.error[i]) rc = 1;
done:
  table_free(&t);
  meta_free(&m);
  for (int i = 0; i < o.nfiles; i++) json_decref(parts[i].root);
  free(parts);
  return rc;
}
