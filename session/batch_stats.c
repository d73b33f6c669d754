/*
** batch_stats.c: what a batch keeps of its runs, in room that does not
** grow with their number (batch.h says why the sums come out the same
** bytes however the runs were split): histograms of final values, and
** moments summed per block of runs and combined along a fixed tree.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"

/* A real's histogram: this many equal bins over its declared range. */
#define REAL_BINS 1024
/* An integer's: a bin per value while there are at most this many. */
#define EXACT_BINS 4096
/*
** A variable without bounds on both sides: bins equal in asinh(x) over
** +-asinh(1e15), so each spans about 1.7% of its values' size (and 0
** sits in a bin of its own size near it); values beyond 1e15 in size
** fall in the end bins.
*/
#define WIDE_BINS 4096
#define WIDE_MAX 1e15

static bool bounded(const bmeta *m, int v) {
  return isfinite(m->vmin[v]) && isfinite(m->vmax[v]);
}

bool hist_exact(const bmeta *m, int v) {
  switch (m->types[v]) {
  case BRINK_FLAG: case BRINK_ENUM: return true;
  case BRINK_INTEGER:
    return bounded(m, v) &&
           floor(m->vmax[v]) - ceil(m->vmin[v]) < EXACT_BINS;
  default: return false;
  }
}

int hist_bins(const bmeta *m, int v) {
  switch (m->types[v]) {
  case BRINK_FLAG: return 2;
  case BRINK_ENUM: return m->nenum[v] > 0 ? m->nenum[v] : 1;
  default: break;
  }
  if (hist_exact(m, v))
    return floor(m->vmax[v]) >= ceil(m->vmin[v])
               ? (int)(floor(m->vmax[v]) - ceil(m->vmin[v])) + 1 : 1;
  if (!bounded(m, v)) return WIDE_BINS;
  return m->vmax[v] > m->vmin[v] ? REAL_BINS : 1;
}

static int clamp_bin(double b, int n) {
  return !(b >= 0) ? 0 : b >= n ? n - 1 : (int)b;
}

int hist_bin(const bmeta *m, int v, double x) {
  int n = hist_bins(m, v);
  if (m->types[v] == BRINK_FLAG) return x != 0;
  if (m->types[v] == BRINK_ENUM) return clamp_bin(x, n);
  if (hist_exact(m, v)) return clamp_bin(x - ceil(m->vmin[v]), n);
  if (!bounded(m, v)) {
    double y = asinh(WIDE_MAX);
    return clamp_bin(floor((asinh(x) + y) / (2 * y) * n), n);
  }
  return clamp_bin(floor((x - m->vmin[v]) / (m->vmax[v] - m->vmin[v]) * n),
                   n);
}

/* The value a bin stands for: its own, or the middle of its span. */
static double bin_value(const bmeta *m, int v, int b) {
  int n = hist_bins(m, v);
  if (m->types[v] == BRINK_FLAG || m->types[v] == BRINK_ENUM) return b;
  if (hist_exact(m, v)) return ceil(m->vmin[v]) + b;
  double x;
  if (!bounded(m, v)) {
    double y = asinh(WIDE_MAX);
    x = sinh(-y + (b + 0.5) * 2 * y / n);
  } else {
    x = m->vmin[v] + (b + 0.5) * (m->vmax[v] - m->vmin[v]) / n;
  }
  return m->types[v] == BRINK_INTEGER ? round(x) : x;
}

void hist_add(const bmeta *m, btable *t, int v, double x) {
  int b = hist_bin(m, v, x);
  if (t->bmin[v] && (t->hist[v][b] == 0 || x < t->bmin[v][b]))
    t->bmin[v][b] = x;
  if (t->bmax[v] && (t->hist[v][b] == 0 || x > t->bmax[v][b]))
    t->bmax[v][b] = x;
  t->hist[v][b]++;
  if (x < t->lo[v]) t->lo[v] = x;
  if (x > t->hi[v]) t->hi[v] = x;
}

/*
** The nearest rank, as before histograms: the smallest value with at
** least 'percent'% of the values at or below it, rank ceil(p n / 100)
** counted from 1 (in integers: 0.05 * 1000 is not quite 50 in binary).
** Exact where the histogram is.  Else the rank falls in a bin whose
** least and greatest values are known: the least when it is the bin's
** first rank, the greatest when its last (so exact when the bin holds
** one value), else halfway between them; without them, the middle of
** the bin.  Always within the least and greatest value.
*/
double hist_quantile(const bmeta *m, int v, const int64_t *h,
                     const double *bmin, const double *bmax, int64_t n,
                     int percent, double lo, double hi) {
  if (n <= 0) return 0;
  int64_t r = (percent * n + 99) / 100, seen = 0;
  if (r < 1) r = 1;
  int nb = hist_bins(m, v), b = 0;
  while (b < nb - 1 && seen + h[b] < r) seen += h[b++];
  double x = bin_value(m, v, b);
  if (bmin && bmax && h[b] > 0)
    x = r == seen + 1 ? bmin[b] : r == seen + h[b] ? bmax[b]
                                                   : (bmin[b] + bmax[b]) / 2;
  if (m->types[v] == BRINK_INTEGER) x = round(x);
  return x < lo ? lo : x > hi ? hi : x;
}

/* moments ---------------------------------------------------------------- */

void mom_add(mom *a, double x) {
  a->n += 1;
  double d = x - a->mean;
  a->mean += d / a->n;
  a->m2 += d * (x - a->mean);
}

/* Chan, Golub and LeVeque's pairwise update: 'a' becomes a and b. */
void mom_merge(mom *a, const mom *b) {
  if (b->n == 0) return;
  if (a->n == 0) {
    *a = *b;
    return;
  }
  double n = a->n + b->n, d = b->mean - a->mean;
  a->mean += d * (b->n / n);
  a->m2 += b->m2 + d * d * (a->n * b->n / n);
  a->n = n;
}

void fold_total(const btable *t, mom *out) {
  memset(out, 0, sizeof *out * (size_t)t->nmom);
  for (int i = 0; i < t->nnodes; i++)
    for (int k = 0; k < t->nmom; k++) mom_merge(&out[k], &t->nodes[i].m[k]);
}

int fold_node(btable *t, int level, int64_t start, const mom *ms) {
  bnode *more = realloc(t->nodes, sizeof *more * (size_t)(t->nnodes + 1));
  if (more == NULL) return -1;
  t->nodes = more;
  mom *copy = batch_calloc((size_t)t->nmom, sizeof *copy);
  if (copy == NULL) return -1;
  memcpy(copy, ms, sizeof *copy * (size_t)t->nmom);
  t->nodes[t->nnodes++] = (bnode){level, start, copy};
  /* Siblings of the aligned tree become their parent, as a binary
     counter carries; nothing else is ever combined before the end. */
  while (t->nnodes >= 2) {
    bnode *a = &t->nodes[t->nnodes - 2], *b = a + 1;
    int64_t span = (int64_t)1 << a->level;
    if (a->level != b->level || a->start % (2 * span) != 0 ||
        b->start != a->start + span)
      break;
    for (int k = 0; k < t->nmom; k++) mom_merge(&a->m[k], &b->m[k]);
    a->level++;
    free(b->m);
    t->nnodes--;
  }
  return 0;
}

int fold_row(const bmeta *m, btable *t, int64_t run, const double *row) {
  int64_t j = run / BLOCK_RUNS, lo = j * BLOCK_RUNS,
          hi = lo + BLOCK_RUNS < m->runs ? lo + BLOCK_RUNS : m->runs;
  if (lo < t->first || hi > t->first + t->count) {
    size_t len = (size_t)t->edge_len, n = (size_t)t->nedge + 1;
    double *edge = realloc(t->edge, sizeof *edge * n * len);
    if (edge) t->edge = edge;
    int64_t *at = edge ? realloc(t->edge_run, sizeof *at * n) : NULL;
    if (at == NULL) return -1;
    t->edge_run = at;
    memcpy(t->edge + (n - 1) * len, row, sizeof *row * len);
    t->edge_run[t->nedge++] = run;
    return 0;
  }
  if (t->block_at != j) {
    memset(t->block, 0, sizeof *t->block * (size_t)t->nmom);
    t->block_at = j;
  }
  int nv = m->nvars, out = (int)row[0];
  for (int v = 0; v < nv; v++) {
    mom_add(&t->block[v], row[1 + v]);
    if (t->outcap && out >= 0 && out < t->outcap)
      mom_add(&t->block[nv + m->nactors + out * nv + v], row[1 + v]);
  }
  for (int a = 0; m->has_score && a < m->nactors; a++)
    if (!isnan(row[1 + nv + a])) mom_add(&t->block[nv + a], row[1 + nv + a]);
  if (run == hi - 1) {
    t->block_at = -1;
    return fold_node(t, 0, j, t->block);
  }
  return 0;
}

int keep_error(btable *t, const berror *e) {
  int at = t->nerrs;
  while (at > 0 && t->errs[at - 1].run > e->run) at--;
  if (at >= KEEP_ERRORS) return 0;
  char *msg = strdup(e->msg);
  if (msg == NULL) return -1;
  if (t->nerrs == KEEP_ERRORS) free(t->errs[--t->nerrs].msg);
  memmove(&t->errs[at + 1], &t->errs[at],
          sizeof *t->errs * (size_t)(t->nerrs - at));
  t->errs[at] = *e;
  t->errs[at].msg = msg;
  t->nerrs++;
  return 0;
}
