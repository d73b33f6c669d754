/*
** plot.c: --plot FILE.svg, one standalone SVG: a fan chart per --var (the
** median over the turns, inside the 25-75% and 5-95% bands of the runs)
** and a bar chart of the outcome frequencies with their 95% intervals.
**
** Plain SVG 1.1: no scripts, no external fonts, images or style sheets, so
** it opens the same in a browser, an image viewer or a document.  Text uses
** the generic family "sans-serif".
*/
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define WIDTH 960
#define LEFT 110           /* room for the y labels */
#define RIGHT 40
#define PANEL 300          /* height of one chart, titles included */

/* The file, formatted in memory; 'bad' once out of memory, when it stops
   growing. */
typedef struct svg {
  char *buf;
  size_t len, cap;
  bool bad;
} svg;

static void put(svg *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void put(svg *s, const char *fmt, ...) {
  va_list ap;
  while (!s->bad) {
    va_start(ap, fmt);
    int n = vsnprintf(s->buf + s->len, s->cap - s->len, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n < s->cap - s->len) {
      s->len += (size_t)n;
      return;
    }
    char *more = realloc(s->buf, (s->cap + (size_t)n) * 2);
    if (more == NULL) {
      s->bad = true;
      return;
    }
    s->cap = (s->cap + (size_t)n) * 2;
    s->buf = more;
  }
}

/* Text from the scenario: escaped as all HTML is (text.c). */
static void put_text(svg *s, const char *t) {
  char *x = html_text(t);
  if (x == NULL) s->bad = true;
  else put(s, "%s", x);
  free(x);
}

/* A step of 1, 2 or 5 times a power of ten giving about 'n' ticks. */
static double nice_step(double span, int n) {
  double raw = span / n, p = pow(10, floor(log10(raw))), f = raw / p;
  return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * p;
}

/* "May 2019" for the first of a month, else "2019-05-14". */
static void date_label(int32_t days, char *buf, size_t cap) {
  int32_t y, mo, d;
  brink_date_civil(days, &y, &mo, &d);
  if (d == 1) snprintf(buf, cap, "%s %d", month_abbr(mo), y);
  else brink_date_format(days, buf, cap);
}

static void y_label(double x, char *buf, size_t cap) {
  snprintf(buf, cap, "%g", fabs(x) < 1e-12 ? 0.0 : x);
}

/*
** The 5, 25, 50, 75 and 95% points of series s at each turn, from its
** histograms: exact for flags, enums and integers of at most 4096
** values, else the middle of the bin (docs/batch.md); NULL when out of
** memory.
*/
static double *quantiles(const bmeta *m, const btable *t, int s) {
  size_t points = (size_t)m->nturns + 1;
  double *q = batch_calloc(points * 5, sizeof *q);
  if (q == NULL) return NULL;
  static const int pct[5] = {5, 25, 50, 75, 95};
  for (size_t k = 0; k < points; k++)
    for (int p = 0; p < 5; p++)
      q[k * 5 + (size_t)p] = hist_quantile(
          m, m->series[s], t->shist[(size_t)s * points + k], NULL, NULL,
          t->count, pct[p],
          -INFINITY, INFINITY);
  return q;
}

/* The x position of point k: its date between the first and the last. */
static double date_x(const bmeta *m, int k, double x0, double x1) {
  int32_t d0 = m->dates[0], d1 = m->dates[m->nturns];
  return x0 + (x1 - x0) * (m->dates[k] - d0) / (d1 > d0 ? d1 - d0 : 1);
}

/* Both axes' lines, and a tick per point with a date on at most about 12. */
static void date_axis(svg *s, const bmeta *m, double x0, double x1,
                      double y0, double y1) {
  int points = m->nturns + 1, every = (points + 11) / 12;
  put(s, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
         "class=\"axis\"/>\n", x0, y1, x1, y1);
  put(s, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
         "class=\"axis\"/>\n", x0, y0, x0, y1);
  for (int k = 0; k < points; k++) {
    double x = date_x(m, k, x0, x1);
    put(s, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
           "class=\"axis\"/>\n", x, y1, x, y1 + 4);
    if (k % every) continue;
    char label[32];
    date_label(m->dates[k], label, sizeof label);
    put(s, "<text x=\"%.1f\" y=\"%.1f\" class=\"xlab\">%s</text>\n", x,
        y1 + 18, label);
  }
}

/* Percent grid lines and labels from 0 to 100. */
static void percent_grid(svg *s, double x0, double x1, double y0,
                         double y1) {
  for (int p = 0; p <= 100; p += 20) {
    double y = y1 - (y1 - y0) * p / 100;
    put(s, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
           "class=\"grid\"/>\n<text x=\"%.1f\" y=\"%.1f\" class=\"ylab\">"
           "%d%%</text>\n", x0, y, x1, y, x0 - 8, y + 4, p);
  }
}

/* Fill colours of an enum's values, stacked. */
static const char *const palette[] = {"#2171b5", "#fd8d3c", "#74c476",
                                      "#9e9ac8", "#fdd0a2", "#6baed6",
                                      "#e6550d", "#31a354", "#756bb1",
                                      "#bdbdbd"};

/*
** Flags and enums have no useful median: their chart is the share of runs
** in each state at each date, a line for a flag (share true), stacked
** areas for an enum's values in declaration order.
*/
static void share_chart(svg *s, const bmeta *m, const btable *t, int si,
                        double top) {
  int v = m->series[si], points = m->nturns + 1;
  bool flag = m->types[v] == BRINK_FLAG;
  int nv = flag ? 1 : m->nenum[v];
  size_t n = (size_t)t->count, np = (size_t)points;
  double x0 = LEFT, x1 = WIDTH - RIGHT, y0 = top + 40, y1 = top + PANEL - 50;
  /* cum[k * (nv + 1) + j]: share of runs in the first j states at k */
  double *cum = batch_calloc(np * (size_t)(nv + 1), sizeof *cum);
  if (cum == NULL) {
    s->bad = true;
    return;
  }
  for (size_t k = 0; k < np; k++) {
    const int64_t *h = t->shist[(size_t)si * np + k];
    for (int j = 0; j < nv; j++)   /* a flag's one state: true, bin 1 */
      cum[k * (size_t)(nv + 1) + (size_t)j + 1] = (double)h[flag ? 1 : j];
    for (int j = 1; j <= nv; j++) {
      double *c = &cum[k * (size_t)(nv + 1) + (size_t)j];
      *c = c[-1] + (n ? *c / (double)n : 0);
    }
  }
  put(s, "<text x=\"%d\" y=\"%.1f\" class=\"title\">", LEFT, top + 22);
  put_text(s, m->vars[v]);
  put(s, flag ? " (share of runs where true)</text>\n"
              : " (share of runs in each value)</text>\n");
  percent_grid(s, x0, x1, y0, y1);
#define Y(c) (y1 - (y1 - y0) * (c))
  for (int j = 0; j < nv; j++) {
    put(s, "<polygon fill=\"%s\" points=\"", flag ? "#c6dbef"
                                                  : palette[j % 10]);
    for (int k = 0; k < points; k++)
      put(s, "%.1f,%.1f ", date_x(m, k, x0, x1),
          Y(cum[(size_t)k * (size_t)(nv + 1) + (size_t)j + 1]));
    for (int k = points - 1; k >= 0; k--)
      put(s, "%.1f,%.1f ", date_x(m, k, x0, x1),
          Y(cum[(size_t)k * (size_t)(nv + 1) + (size_t)j]));
    put(s, "\"/>\n");
  }
  if (flag) {
    put(s, "<polyline class=\"median\" points=\"");
    for (int k = 0; k < points; k++)
      put(s, "%.1f,%.1f ", date_x(m, k, x0, x1),
          Y(cum[(size_t)k * 2 + 1]));
    put(s, "\"/>\n");
  }
#undef Y
  date_axis(s, m, x0, x1, y0, y1);
  double lx = x1;   /* legend, right-aligned: the last value rightmost */
  for (int j = nv - 1; !flag && j >= 0; j--) {
    lx -= 30 + 7.0 * (double)strlen(m->enums[v][j]);
    put(s, "<rect x=\"%.1f\" y=\"%.1f\" width=\"18\" height=\"10\" "
           "fill=\"%s\"/><text x=\"%.1f\" y=\"%.1f\" class=\"leg\">",
        lx, top + 16, palette[j % 10], lx + 24, top + 25);
    put_text(s, m->enums[v][j]);
    put(s, "</text>\n");
  }
  free(cum);
}

static void fan_chart(svg *s, const bmeta *m, const btable *t, int si,
                      double top) {
  int v = m->series[si], points = m->nturns + 1;
  double *q = quantiles(m, t, si);
  if (q == NULL) {
    s->bad = true;
    return;
  }
  double lo = q[0], hi = q[4];
  for (int k = 0; k < points; k++) {
    lo = fmin(lo, q[k * 5]);
    hi = fmax(hi, q[k * 5 + 4]);
  }
  if (hi - lo < 1e-9) lo -= 1, hi += 1;
  double step = nice_step(hi - lo, 5);
  lo = floor(lo / step) * step;
  hi = ceil(hi / step) * step;
  double x0 = LEFT, x1 = WIDTH - RIGHT, y0 = top + 40, y1 = top + PANEL - 50;
#define X(k) date_x(m, k, x0, x1)
#define Y(val) (y1 - (y1 - y0) * ((val) - lo) / (hi - lo))
  put(s, "<text x=\"%d\" y=\"%.1f\" class=\"title\">", LEFT, top + 22);
  put_text(s, m->vars[v]);
  put(s, "</text>\n");
  /* grid and y axis */
  for (double y = lo; y <= hi + step / 2; y += step) {
    char label[64];
    y_label(y, label, sizeof label);
    put(s, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
           "class=\"grid\"/>\n", x0, Y(y), x1, Y(y));
    put(s, "<text x=\"%.1f\" y=\"%.1f\" class=\"ylab\">", x0 - 8, Y(y) + 4);
    put_text(s, label);
    put(s, "</text>\n");
  }
  /* bands, widest first, then the median */
  static const char *const band[2] = {"band95", "band50"};
  for (int b = 0; b < 2; b++) {
    put(s, "<polygon class=\"%s\" points=\"", band[b]);
    for (int k = 0; k < points; k++)
      put(s, "%.1f,%.1f ", X(k), Y(q[k * 5 + 4 - b]));
    for (int k = points - 1; k >= 0; k--)
      put(s, "%.1f,%.1f ", X(k), Y(q[k * 5 + b]));
    put(s, "\"/>\n");
  }
  put(s, "<polyline class=\"median\" points=\"");
  for (int k = 0; k < points; k++) put(s, "%.1f,%.1f ", X(k), Y(q[k * 5 + 2]));
  put(s, "\"/>\n");
  date_axis(s, m, x0, x1, y0, y1);
  /* legend */
  double lx = x1 - 330, ly = top + 16;
  put(s, "<rect x=\"%.1f\" y=\"%.1f\" width=\"18\" height=\"10\" "
         "class=\"band95\"/><text x=\"%.1f\" y=\"%.1f\" class=\"leg\">"
         "5-95%%</text>\n", lx, ly, lx + 24, ly + 9);
  put(s, "<rect x=\"%.1f\" y=\"%.1f\" width=\"18\" height=\"10\" "
         "class=\"band50\"/><text x=\"%.1f\" y=\"%.1f\" class=\"leg\">"
         "25-75%%</text>\n", lx + 90, ly, lx + 114, ly + 9);
  put(s, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
         "class=\"median\"/><text x=\"%.1f\" y=\"%.1f\" class=\"leg\">"
         "median of %lld runs</text>\n", lx + 190, ly + 5, lx + 208, ly + 5,
      lx + 214, ly + 9, (long long)t->count);
#undef X
#undef Y
  free(q);
}

static int cmp_name(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void outcome_bars(svg *s, const bmeta *m, const btable *t, double top) {
  int n = t->noutcomes;
  const char **names = batch_calloc((size_t)n + 1, sizeof *names);
  if (names == NULL) {
    s->bad = true;
    return;
  }
  for (int i = 0; i < n; i++) names[i] = t->outcomes[i];
  bool has_default = !*m->default_outcome;
  for (int i = 0; i < n; i++)
    has_default |= strcmp(names[i], m->default_outcome) == 0;
  if (!has_default) names[n++] = m->default_outcome;
  qsort(names, (size_t)n, sizeof *names, cmp_name);
  double x0 = LEFT, x1 = WIDTH - RIGHT, y0 = top + 40, y1 = top + PANEL - 50;
  put(s, "<text x=\"%d\" y=\"%.1f\" class=\"title\">outcomes (share of "
         "runs, with 95%% Wilson intervals)</text>\n", LEFT, top + 22);
  percent_grid(s, x0, x1, y0, y1);
  put(s, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
         "class=\"axis\"/>\n", x0, y1, x1, y1);
  double slot = (x1 - x0) / (n ? n : 1), bw = fmin(slot * 0.6, 120);
  for (int i = 0; i < n; i++) {
    int64_t k = 0;
    for (int o = 0; o < t->noutcomes; o++)
      if (strcmp(t->outcomes[o], names[i]) == 0) k = t->out_count[o];
    double share = t->count ? (double)k / (double)t->count : 0, lo, hi;
    wilson95(k, t->count, &lo, &hi);
    double cx = x0 + slot * (i + 0.5);
    double yb = y1 - (y1 - y0) * share;
    put(s, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
           "class=\"%s\"/>\n", cx - bw / 2, yb, bw, y1 - yb,
        strcmp(names[i], "error") == 0 ? "bar error" : "bar");
    double ylo = y1 - (y1 - y0) * lo, yhi = y1 - (y1 - y0) * hi;
    put(s, "<path class=\"whisker\" d=\"M%.1f %.1fV%.1fM%.1f %.1fH%.1f"
           "M%.1f %.1fH%.1f\"/>\n", cx, ylo, yhi, cx - 8, ylo, cx + 8,
        cx - 8, yhi, cx + 8);
    put(s, "<text x=\"%.1f\" y=\"%.1f\" class=\"val\">%.1f%% (%lld)"
           "</text>\n", cx, yhi - 6,
        t->count ? 100.0 * (double)k / (double)t->count : 0.0, (long long)k);
    put(s, "<text x=\"%.1f\" y=\"%.1f\" class=\"xlab\">", cx, y1 + 18);
    put_text(s, names[i]);
    put(s, "</text>\n");
  }
  free(names);
}

int write_plot(const char *path, const bmeta *m, const btable *t) {
  svg s = {NULL, 0, 0, false};
  int height = 50 + PANEL * (m->nseries + 1) + 10;
  put(&s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
          "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n",
      WIDTH, height, WIDTH, height);
  put(&s, "<style>\n"
          "text { font-family: sans-serif; font-size: 12px; fill: #222; }\n"
          ".head { font-size: 17px; font-weight: bold; }\n"
          ".sub { fill: #555; }\n"
          ".title { font-size: 14px; font-weight: bold; }\n"
          ".ylab { text-anchor: end; fill: #555; }\n"
          ".xlab { text-anchor: middle; fill: #555; }\n"
          ".val { text-anchor: middle; }\n"
          ".leg { fill: #444; }\n"
          ".grid { stroke: #e4e4e4; stroke-width: 1; }\n"
          ".axis { stroke: #888; stroke-width: 1; }\n"
          ".band95 { fill: #c6dbef; stroke: none; }\n"
          ".band50 { fill: #6baed6; stroke: none; }\n"
          ".median { fill: none; stroke: #08306b; stroke-width: 2.5; }\n"
          ".bar { fill: #4292c6; }\n"
          ".error { fill: #cb181d; }\n"
          ".whisker { stroke: #222; stroke-width: 1.5; fill: none; }\n"
          "</style>\n"
          "<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n");
  put(&s, "<text x=\"%d\" y=\"26\" class=\"head\">", LEFT);
  put_text(&s, *m->title ? m->title : m->scenario);
  put(&s, "</text>\n<text x=\"%d\" y=\"44\" class=\"sub\">", LEFT);
  if (m->continued)
    put(&s, "%lld continuations from turn %lld, seed %llu", (long long)t->count,
        (long long)json_integer_value(json_object_get(
            json_object_get(m->options, "from"), "turn")),
        (unsigned long long)m->seed);
  else
    put(&s, "%lld runs, seeds %llu-%llu", (long long)t->count,
        (unsigned long long)m->seed,
        (unsigned long long)(m->seed +
                             (uint64_t)(t->count ? t->count - 1 : 0)));
  const char *key;
  json_t *v;
  size_t i;
  json_array_foreach(json_object_get(m->options, "policies"), i, v) {
    put(&s, "%s", i ? ", " : "; --policy ");
    put_text(&s, json_string_value(v));
  }
  json_array_foreach(json_object_get(m->options, "sets"), i, v) {
    put(&s, "%s", i ? ", " : "; --set ");
    put_text(&s, json_string_value(v));
  }
  json_object_foreach(m->sweep, key, v) {
    put(&s, "; ");
    put_text(&s, key);
    put(&s, "=");
    put_text(&s, json_string_value(v));
  }
  put(&s, "</text>\n");
  for (int k = 0; k < m->nseries; k++) {
    int type = m->types[m->series[k]];
    if (type == BRINK_FLAG || type == BRINK_ENUM)
      share_chart(&s, m, t, k, 50 + PANEL * k);
    else
      fan_chart(&s, m, t, k, 50 + PANEL * k);
  }
  outcome_bars(&s, m, t, 50 + PANEL * m->nseries);
  put(&s, "</svg>\n");
  char err[600];
  int rc = 0;
  if (s.bad) {
    rc = BRINK_ENOMEM;
  } else if (write_atomic(path, s.buf, s.len, err, sizeof err) != 0) {
    term_printf(stderr, "brink: cannot write %s: %s\n", path, err);
    rc = 1;
  }
  free(s.buf);
  return rc;
}
