/*
** batch_part.c: the partial result of one shard of a batch (brink batch
** --shard K/N --out FILE), and the merge that puts parts back together.
**
** A part is one line of JSON:
**
**   {"check":"sha256:<64 hex digits>","part":{...}}
**
** where the check is the SHA-256 of the exact bytes of the "part"
** value as written, so a flipped byte anywhere is caught even where the
** JSON would still parse.  The part holds a header (everything that names
** the batch: scenario, its hash, seed, runs, options, the scenario's
** actors, variables and moves) and what the shard's table keeps (batch.h):
** counts, histograms, the nodes of the tree of moments, and the rows of
** at most two blocks of runs the shard holds only part of.  Its size does
** not grow with the runs.  Parts merge when their headers are equal and
** their runs tile 0..runs-1; the merge sums the same blocks along the
** same tree as one batch does, so it prints the same bytes.
*/
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"

/* Format 3: SHA-256 where format 2 had FNV-1a, in the check and for the
   scenario's text.  Format 4: summaries where format 3 had a row per run. */
#define PART_FORMAT 4
#define CHECK_PREFIX "{\"check\":\""
#define PART_PREFIX "\",\"part\":"
#define OLD_PREFIX "{\"check\":\"fnv1a64:"
#define DIGEST_LEN 71     /* "sha256:" and 64 hex digits */

static const char *const type_names[] = {"number", "integer", "flag", "enum"};

/* The header: everything two parts of one batch have in common. */
static json_t *header_json(const bmeta *m, bool *bad) {
  json_t *h = json_object();
  jput(h, "format", json_integer(PART_FORMAT), bad);
  jput(h, "engine", json_string(brink_version()), bad);
  jput(h, "scenario", json_string(m->scenario), bad);
  jput(h, "hash", json_string(m->hash), bad);
  char seed[32];
  snprintf(seed, sizeof seed, "%llu", (unsigned long long)m->seed);
  jput(h, "seed", json_string(seed), bad);
  jput(h, "runs", json_integer(m->runs), bad);
  jput(h, "options", json_incref(m->options), bad);
  jput(h, "title", json_string(m->title), bad);
  jput(h, "default_outcome", json_string(m->default_outcome), bad);
  json_t *actors = json_array(), *vars = json_array(), *rep = json_object();
  for (int a = 0; a < m->nactors; a++) {
    jappend(actors, json_string(m->actors[a]), bad);
    json_t *moves = json_array();
    for (int k = 0; k < m->nrep[a]; k++)
      jappend(moves, json_string(m->rep[a][k]), bad);
    jput(rep, m->actors[a], moves, bad);
  }
  for (int v = 0; v < m->nvars; v++) {
    json_t *d = json_pack("{ss ss}", "name", m->vars[v], "type",
                          type_names[m->types[v] & 3]);
    if (m->types[v] == BRINK_NUMBER && m->precision[v] >= 0)
      jput(d, "precision", json_integer(m->precision[v]), bad);
    if (isfinite(m->vmin[v])) jput(d, "min", json_real(m->vmin[v]), bad);
    if (isfinite(m->vmax[v])) jput(d, "max", json_real(m->vmax[v]), bad);
    if (m->types[v] == BRINK_ENUM) {
      json_t *values = json_array();
      for (int k = 0; k < m->nenum[v]; k++)
        jappend(values, json_string(m->enums[v][k]), bad);
      jput(d, "values", values, bad);
    }
    jappend(vars, d, bad);
  }
  jput(h, "actors", actors, bad);
  jput(h, "vars", vars, bad);
  jput(h, "moves", rep, bad);
  json_t *series = json_array(), *dates = json_array();
  for (int s = 0; s < m->nseries; s++)
    jappend(series, json_string(m->vars[m->series[s]]), bad);
  for (int k = 0; k <= m->nturns; k++) {
    char d[16];
    brink_date_format(m->dates[k], d, sizeof d);
    jappend(dates, json_string(d), bad);
  }
  jput(h, "series", series, bad);
  jput(h, "dates", dates, bad);
  jput(h, "score", json_boolean(m->has_score), bad);
  jput(h, "block", json_integer(BLOCK_RUNS), bad);
  return h;
}

/* A histogram's bins that are not empty: [bin, count, bin, count ...],
   or with 'bmin' [bin, count, least, greatest ...]. */
static json_t *sparse_json(const int64_t *h, const double *bmin,
                           const double *bmax, int n, bool *bad) {
  json_t *a = json_array();
  for (int b = 0; b < n; b++)
    if (h[b]) {
      jappend(a, json_integer(b), bad);
      jappend(a, json_integer(h[b]), bad);
      if (bmin) jappend(a, json_real(bmin[b]), bad);
      if (bmin) jappend(a, json_real(bmax[b]), bad);
    }
  return a;
}

/* A real, or null for NaN (a score that could not be computed). */
static json_t *jreal(double x) {
  return isnan(x) ? json_null() : json_real(x);
}

/* What the table keeps (batch.h), in full precision. */
static json_t *results_json(const bmeta *m, const btable *t, bool *bad) {
  json_t *r = json_object(), *outs = json_array(), *counts = json_array(),
         *errors = json_array();
  for (int i = 0; i < t->noutcomes; i++) {
    jappend(outs, json_string(t->outcomes[i]), bad);
    jappend(counts, json_integer(t->out_count[i]), bad);
  }
  jput(r, "outcomes", outs, bad);
  jput(r, "outcome_runs", counts, bad);
  for (int i = 0; i < t->nerrs; i++)
    jappend(errors, json_pack("[Iiis]", (json_int_t)t->errs[i].run,
                              t->errs[i].where, t->errs[i].in,
                              t->errs[i].msg), bad);
  jput(r, "error_runs", json_integer(t->nerrors), bad);
  jput(r, "errors", errors, bad);
  jput(r, "verified", json_integer(t->verified), bad);
  json_t *fin = json_object();
  for (int v = 0; v < m->nvars; v++) {
    json_t *d = json_object();
    if (t->lo[v] <= t->hi[v])
      jput(d, "range", json_pack("[oo]", json_real(t->lo[v]),
                                 json_real(t->hi[v])), bad);
    jput(d, "hist", sparse_json(t->hist[v], t->bmin[v], t->bmax[v],
                                hist_bins(m, v), bad), bad);
    jput(fin, m->vars[v], d, bad);
  }
  jput(r, "final", fin, bad);
  json_t *series = json_object();
  size_t points = (size_t)m->nturns + 1;
  for (int s = 0; s < m->nseries; s++) {
    json_t *at = json_array();
    int v = m->series[s];
    for (size_t k = 0; k < points; k++)
      jappend(at, sparse_json(t->shist[(size_t)s * points + k], NULL, NULL,
                              hist_bins(m, v), bad), bad);
    jput(series, m->vars[v], at, bad);
  }
  jput(r, "series", series, bad);
  jput(r, "outcap", json_integer(t->outcap), bad);
  json_t *nodes = json_array();
  for (int i = 0; i < t->nnodes; i++) {
    json_t *ms = json_array();
    for (int k = 0; k < t->nmom; k++) {
      const mom *x = &t->nodes[i].m[k];
      jappend(ms, json_real(x->n), bad);
      jappend(ms, json_real(x->mean), bad);
      jappend(ms, json_real(x->m2), bad);
    }
    jappend(nodes, json_pack("[iIo]", t->nodes[i].level,
                             (json_int_t)t->nodes[i].start, ms), bad);
  }
  jput(r, "nodes", nodes, bad);
  json_t *edge = json_array();
  for (int i = 0; i < t->nedge; i++) {
    json_t *row = json_array();
    jappend(row, json_integer(t->edge_run[i]), bad);
    for (int k = 0; k < t->edge_len; k++)
      jappend(row, jreal(t->edge[(size_t)i * (size_t)t->edge_len +
                                 (size_t)k]), bad);
    jappend(edge, row, bad);
  }
  jput(r, "edge", edge, bad);
  json_t *trig = json_object();
  for (int i = 0; i < t->ntriggers; i++)
    jput(trig, t->triggers[i], json_integer(t->trigger_runs[i]), bad);
  jput(r, "triggers", trig, bad);
  json_t *moves = json_object();
  for (int a = 0; a < m->nactors; a++) {
    json_t *c = json_array();
    for (int k = 0; k < m->nrep[a]; k++)
      jappend(c, json_integer(t->moves[m->rep_off[a] + k]), bad);
    jput(moves, m->actors[a], c, bad);
  }
  jput(r, "moves", moves, bad);
  return r;
}

int part_write(const char *path, const bmeta *m, const btable *t,
               int shard_k, int shard_n, char *err, size_t cap) {
  json_t *part = json_object();
  bool bad = part == NULL;
  jput(part, "t", json_string("batch-part"), &bad);
  jput(part, "header", header_json(m, &bad), &bad);
  jput(part, "shard", json_pack("[ii]", shard_k, shard_n), &bad);
  jput(part, "first", json_integer(t->first), &bad);
  jput(part, "count", json_integer(t->count), &bad);
  jput(part, "results", results_json(m, t, &bad), &bad);
  /* Full precision: reals must read back to the same bits. */
  char *body = bad ? NULL : json_dumps(part, JSON_COMPACT);
  json_decref(part);
  if (body == NULL) return BRINK_ENOMEM;
  size_t blen = strlen(body), size = blen + DIGEST_LEN + 64;
  char *text = malloc(size), check[DIGEST_LEN + 1];
  if (text == NULL) {
    free(body);
    return BRINK_ENOMEM;
  }
  batch_digest(body, blen, check);
  int n = snprintf(text, size, CHECK_PREFIX "%s" PART_PREFIX "%s}\n", check,
                   body);
  free(body);
  int rc = write_atomic(path, text, (size_t)n, err, cap) ? BRINK_EIO : 0;
  free(text);
  return rc;
}

/* merge ------------------------------------------------------------------ */

/* "PATH: ..." into 'err'; BRINK_EFORMAT. */
static int refuse(char *err, size_t cap, const char *path, const char *why) {
  snprintf(err, cap, "%s: %s", path, why);
  return BRINK_EFORMAT;
}

int part_read_text(const char *path, const char *text, size_t len,
                   bpart *p, char *err, size_t cap) {
  memset(p, 0, sizeof *p);
  p->path = path;
  size_t pre = strlen(CHECK_PREFIX), mid = strlen(PART_PREFIX),
         dlen = DIGEST_LEN;
  if (len == 0) return refuse(err, cap, path, "empty file, not a brink batch "
                              "part");
  if (len >= strlen(OLD_PREFIX) &&
      memcmp(text, OLD_PREFIX, strlen(OLD_PREFIX)) == 0)
    return refuse(err, cap, path, "a part of format 2 (an FNV-1a check), "
                  "made by an older brink; this brink reads format 4: make "
                  "the part again with this brink");
  json_error_t jerr;
  json_t *root = json_loadb(text, len, 0, &jerr);
  if (root == NULL && json_error_code(&jerr) == json_error_out_of_memory)
    return BRINK_ENOMEM;
  bool framed = len > pre + dlen + mid + 2 &&
                memcmp(text, CHECK_PREFIX "sha256:", pre + 7) == 0 &&
                is_hex64(text + pre + 7) &&
                memcmp(text + pre + dlen, PART_PREFIX, mid) == 0;
  if (!framed) {
    json_decref(root);
    return refuse(err, cap, path, root ? "not a brink batch part (or "
                                         "damaged at its start)"
                                       : "not a brink batch part: not JSON");
  }
  if (root == NULL) {
    char why[256];
    snprintf(why, sizeof why, "damaged or truncated: not valid JSON (%s)",
             jerr.text);
    return refuse(err, cap, path, why);
  }
  /* The part's bytes: after the prefix, up to the closing brace. */
  size_t end = len;
  if (end && text[end - 1] == '\n') end--;
  const char *body = text + pre + dlen + mid;
  size_t blen = end - 1 - (size_t)(body - text);
  char got[DIGEST_LEN + 1];
  batch_digest(body, blen, got);
  if (memcmp(text + pre, got, dlen) != 0) {
    json_decref(root);
    return refuse(err, cap, path, "damaged: its checksum does not match its "
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
    return refuse(err, cap, path, "not a brink batch part");
  }
  json_int_t format = json_integer_value(json_object_get(p->header,
                                                         "format"));
  if (format != PART_FORMAT) {
    json_decref(root);
    char why[200];
    snprintf(why, sizeof why, "a part of format %lld; this brink reads "
             "format %d (%s): make the part again with this brink",
             (long long)format, PART_FORMAT, format == 3 ? "summaries, where "
             "format 3 had a row per run" : "made by another brink");
    return refuse(err, cap, path, why);
  }
  p->root = root;
  p->first = first;
  p->count = count;
  p->shard_k = (int)k;
  p->shard_n = (int)n;
  return 0;
}

int part_read(const char *path, bpart *p, char *err, size_t cap) {
  size_t len;
  memset(p, 0, sizeof *p);
  char *text = read_file(path, &len);
  if (text == NULL) {
    snprintf(err, cap, "%s: cannot read it: %s", path, strerror(errno));
    return BRINK_EIO;
  }
  int rc = part_read_text(path, text, len, p, err, cap);
  free(text);
  return rc;
}

void part_free(bpart *p) {
  json_decref(p->root);
  memset(p, 0, sizeof *p);
}

/* Why two headers differ, in the words a user needs, into 'err'. */
static int mismatch(const bpart *a, const bpart *b, char *err, size_t cap) {
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
  static const char *const flags[][2] = {
      {"policies", "--policy"}, {"sets", "--set"}, {"vars", "--var"},
      {"turns", "--turns"}, {"max_instructions", "--max-instructions"},
      {"max_memory", "--max-memory"}, {"max_seconds", "--max-seconds"}};
  for (size_t i = 0; i < sizeof reasons / sizeof *reasons; i++) {
    json_t *x = json_object_get(a->header, reasons[i].key),
           *y = json_object_get(b->header, reasons[i].key);
    if (json_equal(x, y)) continue;
    const char *what = reasons[i].why, *null = "?";
    char flagged[96];
    if (strcmp(reasons[i].key, "options") == 0) {
      /* The first option that differs, named as the user gave it. */
      const char *key;
      json_t *v;
      json_object_foreach(x, key, v) {
        json_t *w = json_object_get(y, key);
        if (json_equal(v, w)) continue;
        const char *flag = key;
        for (size_t k = 0; k < sizeof flags / sizeof *flags; k++)
          if (strcmp(flags[k][0], key) == 0) flag = flags[k][1];
        snprintf(flagged, sizeof flagged, "parts of batches with "
                 "different %s", flag);
        what = flagged;
        null = "null";
        x = v;
        y = w;
        break;
      }
    }
    char *sx = json_dumps(x, JSON_COMPACT | JSON_ENCODE_ANY),
         *sy = json_dumps(y, JSON_COMPACT | JSON_ENCODE_ANY);
    snprintf(err, cap, "%s and %s are %s: %s against %s", a->path, b->path,
             what, sx ? sx : "?", sy ? sy : null);
    free(sx);
    free(sy);
    return BRINK_EFORMAT;
  }
  snprintf(err, cap, "%s and %s describe the scenario differently "
           "(damaged?)", a->path, b->path);
  return BRINK_EFORMAT;
}

static int cmp_first(const void *x, const void *y) {
  const bpart *a = x, *b = y;
  if (a->first != b->first)
    return (a->first > b->first) - (a->first < b->first);
  return (a->count > b->count) - (a->count < b->count);
}

static char *dup_string(json_t *j) {
  return strdup(json_is_string(j) ? json_string_value(j) : "");
}

/* The scenario facts from a checked header; 0, 1 when malformed, or
   BRINK_ENOMEM. */
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
  m->continued = json_object_get(m->options, "from") != NULL;
  m->has_score = json_is_true(json_object_get(h, "score"));
  int n = (int)json_array_size(actors);
  m->actors = batch_calloc((size_t)n, sizeof *m->actors);
  m->nrep = batch_calloc((size_t)n, sizeof *m->nrep);
  m->rep = batch_calloc((size_t)n, sizeof *m->rep);
  m->rep_off = batch_calloc((size_t)n + 1, sizeof *m->rep_off);
  if (!m->scenario || !m->title || !m->hash || !m->default_outcome ||
      !m->actors || !m->nrep || !m->rep || !m->rep_off)
    return BRINK_ENOMEM;
  m->nactors = n;
  for (int a = 0; a < m->nactors; a++) {
    json_t *id = json_array_get(actors, (size_t)a);
    json_t *moves = json_object_get(rep, json_string_value(id) ?
                                             json_string_value(id) : "");
    if (!json_is_string(id) || !json_is_array(moves)) return 1;
    m->actors[a] = dup_string(id);
    m->rep[a] = batch_calloc(json_array_size(moves), sizeof **m->rep);
    if (m->actors[a] == NULL || m->rep[a] == NULL) return BRINK_ENOMEM;
    for (size_t k = 0; k < json_array_size(moves); k++) {
      json_t *name = json_array_get(moves, k);
      if (!json_is_string(name)) return 1;
      if ((m->rep[a][m->nrep[a]++] = dup_string(name)) == NULL)
        return BRINK_ENOMEM;
    }
    m->rep_off[a + 1] = m->rep_off[a] + m->nrep[a];
  }
  m->nrep_all = m->rep_off[m->nactors];
  n = (int)json_array_size(vars);
  m->vars = batch_calloc((size_t)n, sizeof *m->vars);
  m->types = batch_calloc((size_t)n, sizeof *m->types);
  m->precision = batch_calloc((size_t)n, sizeof *m->precision);
  m->nenum = batch_calloc((size_t)n, sizeof *m->nenum);
  m->enums = batch_calloc((size_t)n, sizeof *m->enums);
  m->vmin = batch_calloc((size_t)n, sizeof *m->vmin);
  m->vmax = batch_calloc((size_t)n, sizeof *m->vmax);
  if (!m->vars || !m->types || !m->precision || !m->nenum || !m->enums ||
      !m->vmin || !m->vmax)
    return BRINK_ENOMEM;
  m->nvars = n;
  for (int v = 0; v < m->nvars; v++) {
    json_t *d = json_array_get(vars, (size_t)v);
    const char *type = json_string_value(json_object_get(d, "type"));
    if (!json_is_string(json_object_get(d, "name")) || type == NULL) return 1;
    if ((m->vars[v] = dup_string(json_object_get(d, "name"))) == NULL)
      return BRINK_ENOMEM;
    m->types[v] = -1;
    for (int k = 0; k < 4; k++)
      if (strcmp(type, type_names[k]) == 0) m->types[v] = k;
    if (m->types[v] < 0) return 1;
    /* Parts written before 'precision' show the default. */
    json_t *p = json_object_get(d, "precision");
    m->precision[v] = json_is_integer(p) ? (int)json_integer_value(p) : -1;
    json_t *lo = json_object_get(d, "min"), *hi = json_object_get(d, "max");
    m->vmin[v] = json_is_number(lo) ? json_number_value(lo) : -INFINITY;
    m->vmax[v] = json_is_number(hi) ? json_number_value(hi) : INFINITY;
    json_t *values = json_object_get(d, "values");
    if (m->types[v] != BRINK_ENUM) continue;
    if (!json_is_array(values)) return 1;
    m->enums[v] = batch_calloc(json_array_size(values), sizeof **m->enums);
    if (m->enums[v] == NULL) return BRINK_ENOMEM;
    for (size_t k = 0; k < json_array_size(values); k++) {
      if (!json_is_string(json_array_get(values, k))) return 1;
      if ((m->enums[v][m->nenum[v]++] =
               dup_string(json_array_get(values, k))) == NULL)
        return BRINK_ENOMEM;
    }
  }
  m->series = batch_calloc(json_array_size(series), sizeof *m->series);
  m->dates = batch_calloc(json_array_size(dates), sizeof *m->dates);
  if (m->series == NULL || m->dates == NULL) return BRINK_ENOMEM;
  for (size_t s = 0; s < json_array_size(series); s++) {
    const char *name = json_string_value(json_array_get(series, s));
    int v = 0;
    while (name && v < m->nvars && strcmp(m->vars[v], name) != 0) v++;
    if (name == NULL || v == m->nvars) return 1;
    m->series[m->nseries++] = v;
  }
  m->nturns = (int)json_array_size(dates) - 1;
  for (int k = 0; k <= m->nturns; k++) {
    const char *d = json_string_value(json_array_get(dates, (size_t)k));
    if (d == NULL || brink_date_parse(d, &m->dates[k]) != BRINK_OK) return 1;
  }
  return 0;
}

/* Adds a sparse histogram to 'h' (n bins), and with 'bmin' the least
   and greatest of each bin; 0, or 1 when malformed. */
static int add_sparse(int64_t *h, double *bmin, double *bmax, int n,
                      json_t *a) {
  size_t w = bmin ? 4 : 2;
  if (!json_is_array(a) || json_array_size(a) % w) return 1;
  for (size_t i = 0; i < json_array_size(a); i += w) {
    json_t *b = json_array_get(a, i), *c = json_array_get(a, i + 1);
    if (!json_is_integer(b) || !json_is_integer(c) ||
        json_integer_value(b) < 0 || json_integer_value(b) >= n ||
        json_integer_value(c) <= 0)
      return 1;
    json_int_t k = json_integer_value(b);
    if (bmin) {
      json_t *lo = json_array_get(a, i + 2), *hi = json_array_get(a, i + 3);
      if (!json_is_number(lo) || !json_is_number(hi)) return 1;
      if (h[k] == 0 || json_number_value(lo) < bmin[k])
        bmin[k] = json_number_value(lo);
      if (h[k] == 0 || json_number_value(hi) > bmax[k])
        bmax[k] = json_number_value(hi);
    }
    h[k] += json_integer_value(c);
  }
  return 0;
}

/* A real of a part, where null is NaN; false when not a number. */
static bool get_real(json_t *x, double *out) {
  *out = json_is_null(x) ? NAN : json_number_value(x);
  return json_is_number(x) || json_is_null(x);
}

/*
** The part's moments and edge rows into the tree of 't', in run order;
** 'map' turns the part's outcome indices into the table's.  0, 1 when
** malformed, or BRINK_ENOMEM.
*/
static int fold_part(const bmeta *m, btable *t, const bpart *p,
                     const int *map, int nmap, int outcap) {
  json_t *nodes = json_object_get(p->results, "nodes"),
         *edge = json_object_get(p->results, "edge");
  int nv = m->nvars, base = nv + m->nactors;
  size_t pmom = (size_t)(base + (m->continued ? outcap * nv : 0));
  if (!json_is_array(nodes) || !json_is_array(edge)) return 1;
  mom *ms = batch_calloc((size_t)t->nmom, sizeof *ms);
  double *row = batch_calloc((size_t)t->edge_len, sizeof *row);
  int rc = ms && row ? 0 : BRINK_ENOMEM;
  size_t e = 0, ne = json_array_size(edge);
  for (size_t i = 0; rc == 0 && i <= json_array_size(nodes); i++) {
    json_t *node = json_array_get(nodes, i), *x = NULL;
    json_int_t level = 0, start = INT64_MAX / BLOCK_RUNS;
    if (node && (json_unpack(node, "[IIo]", &level, &start, &x) != 0 ||
                 level < 0 || level > 40 || start < 0 ||
                 start > m->runs / BLOCK_RUNS || !json_is_array(x) ||
                 json_array_size(x) != 3 * pmom))
      rc = 1;
    /* The edge rows before this node, then the node. */
    for (; rc == 0 && e < ne; e++) {
      json_t *r = json_array_get(edge, e);
      json_t *run = json_array_get(r, 0);
      if (!json_is_integer(run) || json_integer_value(run) >= start * BLOCK_RUNS)
        break;
      if (json_array_size(r) != (size_t)t->edge_len + 1) rc = 1;
      for (int k = 0; rc == 0 && k < t->edge_len; k++)
        if (!get_real(json_array_get(r, (size_t)k + 1), &row[k])) rc = 1;
      /* Checked as a double first: a cast of 1e300 to int is undefined. */
      if (rc == 0 && !(row[0] >= 0 && row[0] < nmap)) rc = 1;
      if (rc) break;
      row[0] = map[(int)row[0]];
      int64_t at = json_integer_value(run);
      if (at < p->first || at >= p->first + p->count) rc = 1;
      else if (fold_row(m, t, at, row) != 0) rc = BRINK_ENOMEM;
    }
    if (rc || node == NULL) break;
    memset(ms, 0, sizeof *ms * (size_t)t->nmom);
    for (size_t k = 0; k < pmom; k++) {
      size_t to = k < (size_t)base ? k : (size_t)base;
      if (k >= (size_t)base) {   /* outcome o's moments of variable v */
        int o = (int)((k - (size_t)base) / (size_t)nv);
        if (o >= nmap) continue;   /* an index the part never used */
        to += (size_t)map[o] * (size_t)nv + (k - (size_t)base) % (size_t)nv;
      }
      mom *y = &ms[to];
      if (!get_real(json_array_get(x, 3 * k), &y->n) ||
          !get_real(json_array_get(x, 3 * k + 1), &y->mean) ||
          !get_real(json_array_get(x, 3 * k + 2), &y->m2))
        rc = 1;
    }
    if (rc == 0 && fold_node(t, (int)level, start, ms) != 0) rc = BRINK_ENOMEM;
  }
  if (rc == 0 && e < ne) rc = 1;
  free(ms);
  free(row);
  return rc;
}

/* Adds part p's counts to t, and its moments and rows to t's tree; 0, 1
   when malformed, or BRINK_ENOMEM. */
static int fill(const bmeta *m, btable *t, const bpart *p) {
  json_t *r = p->results;
  json_t *outs = json_object_get(r, "outcomes"),
         *counts = json_object_get(r, "outcome_runs"),
         *errors = json_object_get(r, "errors"),
         *nerr = json_object_get(r, "error_runs"),
         *fin = json_object_get(r, "final"),
         *series = json_object_get(r, "series"),
         *trig = json_object_get(r, "triggers"),
         *moves = json_object_get(r, "moves"),
         *verified = json_object_get(r, "verified"),
         *outcap = json_object_get(r, "outcap");
  if (!json_is_array(outs) || json_array_size(counts) != json_array_size(outs) ||
      !json_is_array(errors) || !json_is_integer(nerr) ||
      json_integer_value(nerr) < 0 || json_integer_value(nerr) > p->count ||
      !json_is_object(fin) || !json_is_object(series) ||
      !json_is_object(trig) || !json_is_object(moves) ||
      !json_is_integer(verified) || json_integer_value(verified) < 0 ||
      json_integer_value(verified) > p->count || !json_is_integer(outcap) ||
      json_integer_value(outcap) < 0 || json_integer_value(outcap) > 1 << 20)
    return 1;
  t->verified += json_integer_value(verified);
  t->nerrors += json_integer_value(nerr);
  int nmap = (int)json_array_size(outs), rc = 0;
  int *map = batch_calloc((size_t)nmap, sizeof *map);
  if (map == NULL) return BRINK_ENOMEM;
  for (int i = 0; rc == 0 && i < nmap; i++) {
    const char *name = json_string_value(json_array_get(outs, (size_t)i));
    json_t *c = json_array_get(counts, (size_t)i);
    if (name == NULL || !json_is_integer(c) || json_integer_value(c) < 0) rc = 1;
    else if ((map[i] = table_outcome(t, name)) < 0) rc = BRINK_ENOMEM;
    else t->out_count[map[i]] += json_integer_value(c);
  }
  for (size_t i = 0; rc == 0 && i < json_array_size(errors); i++) {
    json_int_t run, where, in;
    const char *msg;
    if (json_unpack(json_array_get(errors, i), "[IIIs]", &run, &where, &in,
                    &msg) != 0 || run < p->first || run >= p->first + p->count)
      rc = 1;
    else if (keep_error(t, &(berror){run, (char *)msg, (int32_t)where,
                                     (int32_t)in}) != 0)
      rc = BRINK_ENOMEM;
  }
  for (int v = 0; rc == 0 && v < m->nvars; v++) {
    json_t *d = json_object_get(fin, m->vars[v]);
    json_t *range = json_object_get(d, "range");
    if (add_sparse(t->hist[v], t->bmin[v], t->bmax[v], hist_bins(m, v),
                   json_object_get(d, "hist")))
      rc = 1;
    double lo, hi;
    if (range && (!json_is_number(json_array_get(range, 0)) ||
                  !json_is_number(json_array_get(range, 1))))
      rc = 1;
    if (rc || range == NULL) continue;
    lo = json_number_value(json_array_get(range, 0));
    hi = json_number_value(json_array_get(range, 1));
    if (lo < t->lo[v]) t->lo[v] = lo;
    if (hi > t->hi[v]) t->hi[v] = hi;
  }
  size_t points = (size_t)m->nturns + 1;
  for (int s = 0; rc == 0 && s < m->nseries; s++) {
    int v = m->series[s];
    json_t *at = json_object_get(series, m->vars[v]);
    if (json_array_size(at) != points) rc = 1;
    for (size_t k = 0; rc == 0 && k < points; k++)
      rc = add_sparse(t->shist[(size_t)s * points + k], NULL, NULL,
                      hist_bins(m, v), json_array_get(at, k));
  }
  const char *key;
  json_t *val;
  json_object_foreach(trig, key, val) {
    if (rc) break;
    if (!json_is_integer(val) || json_integer_value(val) < 0) rc = 1;
    else if (table_trigger(t, key, json_integer_value(val)) < 0)
      rc = BRINK_ENOMEM;
  }
  for (int a = 0; rc == 0 && a < m->nactors; a++) {
    json_t *c = json_object_get(moves, m->actors[a]);
    if (json_array_size(c) != (size_t)m->nrep[a]) rc = 1;
    for (int k = 0; rc == 0 && k < m->nrep[a]; k++) {
      json_t *x = json_array_get(c, (size_t)k);
      if (!json_is_integer(x) || json_integer_value(x) < 0) rc = 1;
      else t->moves[m->rep_off[a] + k] += json_integer_value(x);
    }
  }
  if (rc == 0)
    rc = fold_part(m, t, p, map, nmap, (int)json_integer_value(outcap));
  free(map);
  return rc;
}

int parts_merge(bpart *parts, int n, bmeta *m, btable *t, char *err,
                size_t cap) {
  memset(m, 0, sizeof *m);
  memset(t, 0, sizeof *t);
  for (int i = 1; i < n; i++)
    if (!json_equal(parts[0].header, parts[i].header))
      return mismatch(&parts[0], &parts[i], err, cap);
  int rc = n ? meta_from_header(parts[0].header, m) : 1;
  if (rc == 1)
    return refuse(err, cap, n ? parts[0].path : "", "damaged: its header is "
                  "malformed");
  if (rc) return rc;
  qsort(parts, (size_t)n, sizeof *parts, cmp_first);
  int64_t covered = 0;
  bool gap = false;
  for (int i = 0; i < n && !gap; i++) {
    const bpart *p = &parts[i];
    if ((gap = p->first > covered)) break;
    if (p->first < covered) {
      const bpart *q = &parts[i - 1];
      snprintf(err, cap, "%s (runs %lld-%lld) and %s (runs %lld-%lld) "
               "overlap", q->path, (long long)q->first,
               (long long)(q->first + q->count - 1), p->path,
               (long long)p->first, (long long)(p->first + p->count - 1));
      return BRINK_EFORMAT;
    }
    covered = p->first + p->count;
  }
  if (!gap && covered > m->runs) {
    snprintf(err, cap, "the parts hold %lld runs of a batch of %lld "
             "(damaged?)", (long long)covered, (long long)m->runs);
    return BRINK_EFORMAT;
  }
  if (covered < m->runs) {
    /* The first run no part holds, up to the next part or the end. */
    int64_t upto = m->runs;
    for (int i = 0; i < n; i++)
      if (parts[i].first > covered && parts[i].first < upto)
        upto = parts[i].first;
    char seeds[64] = "";
    if (!m->continued)
      snprintf(seeds, sizeof seeds, " (seeds %llu-%llu)",
               (unsigned long long)(m->seed + (uint64_t)covered),
               (unsigned long long)(m->seed + (uint64_t)upto - 1));
    snprintf(err, cap, "a gap: no part holds runs %lld-%lld%s; is a shard "
             "missing?", (long long)covered, (long long)upto - 1, seeds);
    return BRINK_EFORMAT;
  }
  /* Room for the moments of every outcome any part names. */
  btable names = {0};
  for (int i = 0; i < n; i++) {
    json_t *outs = json_object_get(parts[i].results, "outcomes");
    for (size_t k = 0; k < json_array_size(outs); k++)
      if (json_is_string(json_array_get(outs, k)) &&
          table_outcome(&names, json_string_value(json_array_get(outs, k))) < 0)
        rc = BRINK_ENOMEM;
  }
  int outcap = names.noutcomes;
  table_free(&names);
  if (rc || table_alloc(m, t, 0, m->runs, outcap) != 0) return BRINK_ENOMEM;
  for (int i = 0; i < n; i++)
    if ((rc = fill(m, t, &parts[i])) != 0)
      return rc == 1 ? refuse(err, cap, parts[i].path, "damaged: its "
                              "results are malformed")
                     : rc;
  if (t->block_at >= 0)
    return refuse(err, cap, parts[n - 1].path, "damaged: its runs leave a "
                  "block of runs unfinished");
  return 0;
}
