/*
** batch_table.c: the batch table and the scenario facts that go with it,
** their memory, and the digest that identifies a scenario file.
*/
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
  json_decref(m->options);
  json_decref(m->sweep);
  memset(m, 0, sizeof *m);
}

int table_alloc(const bmeta *m, btable *t, int64_t first, int64_t count) {
  memset(t, 0, sizeof *t);
  size_t n = (size_t)count;
  t->first = first;
  t->count = count;
  t->outcome = batch_calloc(n, sizeof *t->outcome);
  t->turn = batch_calloc(n, sizeof *t->turn);
  t->error = batch_calloc(n, sizeof *t->error);
  t->final = batch_calloc(n * (size_t)m->nvars, sizeof *t->final);
  if (m->has_score)
    t->score = batch_calloc(n * (size_t)m->nactors, sizeof *t->score);
  if (m->nseries)
    t->series = batch_calloc(n * (size_t)m->nseries * (size_t)(m->nturns + 1),
                       sizeof *t->series);
  t->moves = batch_calloc((size_t)m->nrep_all, sizeof *t->moves);
  if (m->continued)
    t->first_action = batch_calloc(n, sizeof *t->first_action);
  if (t->outcome && t->turn && t->error && t->final && t->moves &&
      (t->first_action || !m->continued) &&
      (t->score || !m->has_score) && (t->series || !m->nseries))
    return 0;
  table_free(t);
  return BRINK_ENOMEM;
}

void table_free(btable *t) {
  for (int64_t i = 0; t->error && i < t->count; i++) free(t->error[i]);
  free(t->final_text);   /* the texts belong to the parts' JSON */
  free(t->outcome);
  free(t->turn);
  free(t->error);
  free(t->final);
  free(t->score);
  free(t->series);
  free(t->moves);
  free(t->first_action);
  free_strings(t->outcomes, t->noutcomes);
  free_strings(t->triggers, t->ntriggers);
  free(t->trigger_runs);
  free(t->error_where);
  free(t->error_in);
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
