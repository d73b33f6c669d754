/*
** batch_smoke.c: the findings of a smoke check (brink check --runs) from
** a batch's table: each runtime error, grouped by place and message with
** the seeds that hit it, and what no run did, each at the line that
** declared it.  Computed from the table and the batch's first engine
** alone, so the findings do not depend on --jobs.
*/
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"

/* A finding before it is sorted into file order. */
typedef struct finding {
  char *where;           /* "file:line"; "" for the scenario as a whole */
  int rank;              /* errors (0) before warnings (1) before notes
                            (2) on one line */
  int64_t seq;           /* then the order they were found in */
  char *text;            /* after "where: error: " */
} finding;

typedef struct found {
  finding *v;
  int64_t n, cap;
  bool oom;
} found;

/* The line of a "file:line" and the length of its "file" (0, and all of
   it, when it has no line). */
static long split_where(const char *where, size_t *file_len) {
  const char *colon = strrchr(where, ':');
  char *end = NULL;
  long line = colon ? strtol(colon + 1, &end, 10) : 0;
  if (colon == NULL || end == colon + 1 || *end) {
    *file_len = strlen(where);
    return 0;
  }
  *file_len = (size_t)(colon - where);
  return line;
}

static int cmp_finding(const void *pa, const void *pb) {
  const finding *a = pa, *b = pb;
  size_t na, nb;
  long la = split_where(a->where, &na), lb = split_where(b->where, &nb);
  int c = strncmp(a->where, b->where, na < nb ? na : nb);
  if (c == 0 && na != nb) c = na < nb ? -1 : 1;
  if (c) return c;
  if (la != lb) return la < lb ? -1 : 1;
  if (a->rank != b->rank) return a->rank - b->rank;
  return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Adds a finding: the first 'wlen' bytes of 'where', and 'text'. */
static void add(found *f, const char *where, size_t wlen, int rank,
                const char *text) {
  if (f->oom) return;
  if (f->n == f->cap) {
    int64_t cap = f->cap ? 2 * f->cap : 32;
    finding *more = realloc(f->v, sizeof *more * (size_t)cap);
    if (more == NULL) {
      f->oom = true;
      return;
    }
    f->v = more;
    f->cap = cap;
  }
  finding *x = &f->v[f->n];
  x->where = strndup(where, wlen);
  x->text = strdup(text);
  x->rank = rank;
  x->seq = f->n++;
  if (x->where == NULL || x->text == NULL) f->oom = true;
}

static int cmp_group(const void *pa, const void *pb) {
  return strcmp(((const bgroup *)pa)->e.msg, ((const bgroup *)pb)->e.msg);
}

/*
** One error finding for the runs of group 'g', in run order: "in
** trigger:x: MESSAGE (seeds 3, 17, 42 and 5 more)" at its "file:line".
*/
static void add_error(found *f, const bmeta *m, const bgroup *g) {
  const char *msg = g->e.msg;
  size_t wl = (size_t)g->e.where, il = (size_t)g->e.in;
  int64_t n = g->n;
  const char *where = msg;
  if (wl) msg += wl + 2;   /* past "file:line: " */
  const char *in = msg;
  if (il) msg += il + 2;   /* past "trigger:x: " */
  char seeds[160];
  int len = snprintf(seeds, sizeof seeds, "seed%s", n > 1 ? "s" : "");
  for (int64_t k = 0; k < n && k < 3; k++)
    len += snprintf(seeds + len, sizeof seeds - (size_t)len, "%s %" PRIu64,
                    k ? "," : "", run_seed(m, g->runs[k]));
  if (n > 3)
    snprintf(seeds + len, sizeof seeds - (size_t)len, " and %" PRId64
             " more", n - 3);
  size_t cap = il + strlen(msg) + strlen(seeds) + 16;
  char *text = malloc(cap);
  if (text == NULL) {
    f->oom = true;
    return;
  }
  snprintf(text, cap, "%s%.*s%s%s (%s)", il ? "in " : "", (int)il, in,
           il ? ": " : "", msg, seeds);
  add(f, where, wl, 0, text);
  free(text);
}

/*
** Each message of the runs that ended in an error, in the order the
** messages sort; *runs, how many runs.  The table groups the first
** messages by kind (MAX_GROUPS of batch.c); runs past them are counted.
*/
static void errors(found *f, const bmeta *m, btable *t, int64_t *runs) {
  *runs = t->nerrors;
  if (t->ngroups > 1)
    qsort(t->groups, (size_t)t->ngroups, sizeof *t->groups, cmp_group);
  for (int g = 0; g < t->ngroups; g++) add_error(f, m, &t->groups[g]);
}

/* "trigger 'x' never fired in 200 runs", at where 'x' was declared. */
static void never(found *f, const char *where, const char *what,
                  const char *name, const char *verb, int64_t runs) {
  char text[512];
  snprintf(text, sizeof text, "%s '%s' never %s in %" PRId64 " run%s", what,
           name, verb, runs, runs == 1 ? "" : "s");
  add(f, where ? where : "", where ? strlen(where) : 0, 1, text);
}

/* A variable's declaration as a key: its place and the name it was
   declared by ("tension", "*.economy", "DPRK.warheads"). */
typedef struct vkey {
  const char *where;
  char *pattern;
  int var;
} vkey;

static int cmp_vkey(const void *pa, const void *pb) {
  const vkey *a = pa, *b = pb;
  int c = strcmp(a->where, b->where);
  if (c == 0) c = strcmp(a->pattern, b->pattern);
  return c ? c : a->var - b->var;
}

/*
** The declarations no script wrote in any run, and (a note) those whose
** writes were clamped to the bounds, how often.  A declaration of many
** instances (every actor's, a relation's pairs) counts as written when
** any of them was: a pair that never changes is no finding.
*/
static void unwritten(found *f, const batch *b, const btable *t,
                      int64_t runs) {
  brink_engine *e = b->e;
  int n = brink_var_count(e);
  vkey *k = batch_calloc((size_t)n, sizeof *k);
  if (k == NULL) {
    f->oom = true;
    return;
  }
  for (int v = 0; v < n && !f->oom; v++) {
    const char *name = brink_var_name(e, v), *rel = brink_var_relation(e, v);
    int owner;
    brink_var_actors(e, v, &owner, NULL);
    size_t cap = strlen(name) + 3;
    k[v] = (vkey){brink_var_where(e, v), malloc(cap), v};
    if (k[v].pattern == NULL) f->oom = true;
    else if (*rel) snprintf(k[v].pattern, cap, "%s", rel);
    else if (owner >= 0)
      snprintf(k[v].pattern, cap, "*.%s",
               name + strlen(brink_actor_id(e, owner)) + 1);
    else snprintf(k[v].pattern, cap, "%s", name);
  }
  if (!f->oom) qsort(k, (size_t)n, sizeof *k, cmp_vkey);
  for (int a = 0, z; a < n && !f->oom; a = z) {
    int64_t writes = 0, clamps = 0;
    for (z = a; z < n && strcmp(k[z].where, k[a].where) == 0 &&
                strcmp(k[z].pattern, k[a].pattern) == 0; z++) {
      writes += t->writes[k[z].var];
      clamps += t->clamps[k[z].var];
    }
    const char *name = z - a == 1 ? brink_var_name(e, k[a].var)
                                  : k[a].pattern;
    if (writes == 0)
      never(f, k[a].where, "variable", name, "written", runs);
    if (clamps > 0) {
      char text[512];
      snprintf(text, sizeof text, "variable '%s' clamped to its bounds in "
               "%" PRId64 " of %" PRId64 " writes (%" PRId64 " run%s)",
               name, clamps, writes, runs, runs == 1 ? "" : "s");
      add(f, k[a].where, strlen(k[a].where), 2, text);
    }
  }
  for (int v = 0; v < n; v++) free(k[v].pattern);
  free(k);
}

int smoke_findings(const batch *b, btable *t, smoke *out) {
  memset(out, 0, sizeof *out);
  brink_engine *e = b->e;
  const bmeta *m = &b->m;
  int64_t runs = t->count;
  found f = {0};
  errors(&f, m, t, &out->error_runs);
  for (int i = 0; i < t->ntriggers; i++) {
    int id;
    if (t->trigger_runs[i] == 0 &&
        brink_trigger_find(e, t->triggers[i], &id) == BRINK_OK)
      never(&f, brink_trigger_where(e, id), "trigger", t->triggers[i],
            "fired", runs);
  }
  for (int mv = 1; mv < brink_move_count(e); mv++)   /* not pass */
    if (t->legal[mv] == 0)
      never(&f, brink_move_where(e, mv), "move", brink_move_name(e, mv),
            "legal", runs);
  for (int o = 0; o < brink_outcome_count(e); o++) {
    const char *name = brink_outcome_name(e, o);
    int64_t reached = 0;
    for (int k = 0; k < t->noutcomes; k++)
      if (strcmp(t->outcomes[k], name) == 0) reached += t->out_count[k];
    if (reached == 0)
      never(&f, brink_outcome_where(e, o), "outcome", name, "reached", runs);
  }
  unwritten(&f, b, t, runs);
  if (!f.oom && f.n > 0) qsort(f.v, (size_t)f.n, sizeof *f.v, cmp_finding);
  for (int64_t i = 0; i < f.n; i++) {
    const finding *x = &f.v[i];
    if (f.oom || x->where == NULL || x->text == NULL) {
      f.oom = true;
    } else {
      const char *at = *x->where ? x->where : b->c.path;
      size_t len = strlen(at) + strlen(x->text) + 16;
      char *line = malloc(len);
      if (line) {
        snprintf(line, len, "%s: %s: %s", at,
                 x->rank == 2 ? "note" : x->rank ? "warning" : "error",
                 x->text);
        if (strlist_push(&out->lines, line) != 0) f.oom = true;
      }
      if (line == NULL) f.oom = true;
      free(line);
      if (x->rank == 1) out->warnings++;
      else if (x->rank == 0) out->errors++;
    }
    free(x->where);
    free(x->text);
  }
  free(f.v);
  if (f.oom) {
    smoke_free(out);
    return BRINK_ENOMEM;
  }
  return 0;
}

void smoke_free(smoke *s) {
  strlist_free(&s->lines);
  memset(s, 0, sizeof *s);
}
