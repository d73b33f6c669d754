/*
** table.c: the batch table and the scenario facts that go with it, their
** memory, and the hash that identifies a scenario file.
*/
#include <stdlib.h>
#include <string.h>

#include "batch.h"

/* The command cannot go on without memory; a clear exit beats a crash. */
static void out_of_memory(void) {
  fputs("brink: out of memory\n", stderr);
  exit(1);
}

void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (p == NULL) out_of_memory();
  return p;
}

void *xcalloc(size_t n, size_t size) {
  void *p = calloc(n ? n : 1, size ? size : 1);
  if (p == NULL) out_of_memory();
  return p;
}

char *xstrdup(const char *s) {
  size_t n = strlen(s) + 1;
  return memcpy(xmalloc(n), s, n);
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
  for (int v = 0; m->enums && v < m->nvars; v++)
    free_strings(m->enums[v], m->nenum[v]);
  free(m->enums);
  free(m->nenum);
  free_strings(m->vars, m->nvars);
  free(m->types);
  for (int a = 0; m->rep && a < m->nactors; a++)
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
  t->outcome = xcalloc(n, sizeof *t->outcome);
  t->turn = xcalloc(n, sizeof *t->turn);
  t->error = xcalloc(n, sizeof *t->error);
  t->final = xcalloc(n * (size_t)m->nvars, sizeof *t->final);
  if (m->has_score)
    t->score = xcalloc(n * (size_t)m->nactors, sizeof *t->score);
  if (m->nseries)
    t->series = xcalloc(n * (size_t)m->nseries * (size_t)(m->nturns + 1),
                        sizeof *t->series);
  t->moves = xcalloc((size_t)m->nrep_all, sizeof *t->moves);
  return 0;
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
  free_strings(t->outcomes, t->noutcomes);
  free_strings(t->triggers, t->ntriggers);
  free(t->trigger_runs);
  memset(t, 0, sizeof *t);
}

/* The index of outcome 'name', added when new. */
int table_outcome(btable *t, const char *name) {
  for (int i = 0; i < t->noutcomes; i++)
    if (strcmp(t->outcomes[i], name) == 0) return i;
  char **more = realloc(t->outcomes, sizeof *more * (size_t)(t->noutcomes + 1));
  if (more == NULL) out_of_memory();
  t->outcomes = more;
  t->outcomes[t->noutcomes] = xstrdup(name);
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
  if (names == NULL) out_of_memory();
  t->triggers = names;
  int64_t *counts = realloc(t->trigger_runs, sizeof *counts * n);
  if (counts == NULL) out_of_memory();
  t->trigger_runs = counts;
  t->triggers[t->ntriggers] = xstrdup(name);
  t->trigger_runs[t->ntriggers] = runs;
  return t->ntriggers++;
}

/*
** FNV-1a as its authors define it: for each byte, xor it in, then multiply
** by the 64-bit FNV prime.  Not a defence against forgery, only against
** merging parts of different scenarios or damaged files.
*/
uint64_t fnv1a64(const void *data, size_t len, uint64_t h) {
  const unsigned char *p = data;
  for (size_t i = 0; i < len; i++) {
    h ^= p[i];
    h *= 0x100000001b3ull;
  }
  return h;
}
