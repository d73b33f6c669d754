/*
** batch_table.c: the batch table and the scenario facts that go with it,
** their memory, and the digest that identifies a scenario file.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"

uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

uint64_t continuation_seed(uint64_t s, int64_t i) {
  return splitmix64(s + (uint64_t)i * 0x9e3779b97f4a7c15ull);
}

uint64_t run_seed(const bmeta *m, int64_t i) {
  return m->continued ? continuation_seed(m->seed, i) : m->seed + (uint64_t)i;
}

void *batch_calloc(size_t n, size_t size) {
  return calloc(n ? n : 1, size ? size : 1);
}

static void free_strings(char **v, int n) {
  for (int i = 0; v && i < n; i++) free(v[i]);
  free(v);
}

void meta_free(bmeta *m) {
  free(m->scenario);
  free(m->title);
  free(m->hash);
  free(m->default_outcome);
  free_strings(m->actors, m->nactors);
  for (int v = 0; m->enums && m->nenum && v < m->nvars; v++)
    free_strings(m->enums[v], m->nenum[v]);
  free(m->enums);
  free(m->nenum);
  free_strings(m->vars, m->nvars);
  free(m->types);
  free(m->precision);
  for (int a = 0; m->rep && m->nrep && a < m->nactors; a++)
    free_strings(m->rep[a], m->nrep[a]);
  free(m->rep);
  free(m->nrep);
  free(m->rep_off);
  free(m->series);
  free(m->dates);
  free(m->vmin);
  free(m->vmax);
  json_decref(m->options);
  json_decref(m->sweep);
  memset(m, 0, sizeof *m);
}

int table_alloc(const bmeta *m, btable *t, int64_t first, int64_t count,
                int outcap) {
  memset(t, 0, sizeof *t);
  t->first = first;
  t->count = count;
  t->block_at = -1;
  t->outcap = m->continued ? outcap : 0;
  t->nmom = m->nvars + m->nactors + t->outcap * m->nvars;
  t->edge_len = 1 + m->nvars + m->nactors;
  size_t nv = (size_t)m->nvars, points = (size_t)m->nturns + 1;
  t->moves = batch_calloc((size_t)m->nrep_all, sizeof *t->moves);
  t->out_count = batch_calloc(1, sizeof *t->out_count);
  t->hist = batch_calloc(nv, sizeof *t->hist);
  t->bmin = batch_calloc(nv, sizeof *t->bmin);
  t->bmax = batch_calloc(nv, sizeof *t->bmax);
  t->nhist = (int64_t)nv;
  t->nshist = (int64_t)((size_t)m->nseries * points);
  t->lo = batch_calloc(nv, sizeof *t->lo);
  t->hi = batch_calloc(nv, sizeof *t->hi);
  t->shist = batch_calloc((size_t)m->nseries * points, sizeof *t->shist);
  t->block = batch_calloc((size_t)t->nmom, sizeof *t->block);
  bool bad = !t->moves || !t->out_count || !t->hist || !t->bmin ||
             !t->bmax || !t->lo || !t->hi ||
             !t->shist || !t->block;
  for (size_t v = 0; !bad && v < nv; v++) {
    t->lo[v] = INFINITY;
    t->hi[v] = -INFINITY;
    size_t nb = (size_t)hist_bins(m, (int)v);
    bad = (t->hist[v] = batch_calloc(nb, sizeof **t->hist)) == NULL;
    if (!bad && !hist_exact(m, (int)v))
      bad = (t->bmin[v] = batch_calloc(nb, sizeof **t->bmin)) == NULL ||
            (t->bmax[v] = batch_calloc(nb, sizeof **t->bmax)) == NULL;
  }
  for (size_t k = 0; !bad && k < (size_t)m->nseries * points; k++)
    bad = (t->shist[k] = batch_calloc(
               (size_t)hist_bins(m, m->series[k / points]),
               sizeof **t->shist)) == NULL;
  if (!bad) return 0;
  table_free(t);
  return BRINK_ENOMEM;
}

int table_keep_runs(const bmeta *m, btable *t) {
  t->outcome = batch_calloc((size_t)t->count, sizeof *t->outcome);
  if (m->continued)
    t->first_action = batch_calloc((size_t)t->count, sizeof *t->first_action);
  return t->outcome && (t->first_action || !m->continued) ? 0 : BRINK_ENOMEM;
}

void table_free(btable *t) {
  for (int i = 0; i < t->nerrs; i++) free(t->errs[i].msg);
  for (int i = 0; i < t->ngroups; i++) free(t->groups[i].e.msg);
  free(t->groups);
  for (int i = 0; i < t->nnodes; i++) free(t->nodes[i].m);
  free(t->nodes);
  free(t->block);
  free(t->edge);
  free(t->edge_run);
  for (int64_t i = 0; t->hist && i < t->nhist; i++) free(t->hist[i]);
  for (int64_t i = 0; t->bmin && i < t->nhist; i++) free(t->bmin[i]);
  for (int64_t i = 0; t->bmax && i < t->nhist; i++) free(t->bmax[i]);
  free(t->bmin);
  free(t->bmax);
  for (int64_t i = 0; t->shist && i < t->nshist; i++) free(t->shist[i]);
  free(t->hist);
  free(t->shist);
  free(t->lo);
  free(t->hi);
  free(t->out_count);
  free(t->outcome);
  free(t->moves);
  free(t->first_action);
  free_strings(t->outcomes, t->noutcomes);
  free_strings(t->triggers, t->ntriggers);
  free(t->trigger_runs);
  free(t->legal);
  free(t->writes);
  free(t->clamps);
  memset(t, 0, sizeof *t);
}

/* The index of outcome 'name', added when new. */
int table_outcome(btable *t, const char *name) {
  for (int i = 0; i < t->noutcomes; i++)
    if (strcmp(t->outcomes[i], name) == 0) return i;
  char **more = realloc(t->outcomes, sizeof *more * (size_t)(t->noutcomes + 1));
  if (more == NULL) return -1;
  t->outcomes = more;
  int64_t *count = realloc(t->out_count,
                           sizeof *count * (size_t)(t->noutcomes + 1));
  if (count == NULL) return -1;
  t->out_count = count;
  count[t->noutcomes] = 0;
  if ((t->outcomes[t->noutcomes] = strdup(name)) == NULL) return -1;
  return t->noutcomes++;
}

/* Counts 'runs' more runs in which trigger 'name' fired. */
int table_trigger(btable *t, const char *name, int64_t runs) {
  for (int i = 0; i < t->ntriggers; i++)
    if (strcmp(t->triggers[i], name) == 0) {
      t->trigger_runs[i] += runs;
      return i;
    }
  size_t n = (size_t)t->ntriggers + 1;
  char **names = realloc(t->triggers, sizeof *names * n);
  if (names == NULL) return -1;
  t->triggers = names;
  int64_t *counts = realloc(t->trigger_runs, sizeof *counts * n);
  if (counts == NULL) return -1;
  t->trigger_runs = counts;
  if ((t->triggers[t->ntriggers] = strdup(name)) == NULL) return -1;
  t->trigger_runs[t->ntriggers] = runs;
  return t->ntriggers++;
}

/* Named in the text, so that a reader tells it from the FNV-1a of the
   parts of format 2. */
void batch_digest(const void *data, size_t len, char out[72]) {
  memcpy(out, "sha256:", 7);
  brink__sha256_hex(data, len, out + 7);
}
