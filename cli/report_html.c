/*
** report_html.c: the after-action report as one HTML file: no
** JavaScript, nothing fetched, the charts inline SVG.  It renders the facts
** session/report.c gathered (report_md.c renders the same facts), and every
** text from the log or the scenario goes through html_put().
*/
#include <math.h>
#include <string.h>

#include "cli.h"
#include "report.h"

static void esc(FILE *f, const char *s) {
  if (s) html_put(f, s);
}

/* "nice" tick steps: 1, 2, 2.5, 5 times a power of ten */
static double nice_step(double range, int ticks) {
  double raw = range / ticks, p = pow(10, floor(log10(raw))), f = raw / p;
  double nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
  return nice * p;
}

void report_chart(FILE *o, const report_facts *r, const var_series *s) {
  const double W = 460, H = 210, L = 52, R = 24, T = 14, B = 34;
  double lo = INFINITY, hi = -INFINITY;
  for (int i = 0; i < s->nv; i++)
    if (isfinite(s->v[i])) {
      lo = fmin(lo, s->v[i]);
      hi = fmax(hi, s->v[i]);
    }
  if (!isfinite(lo)) return;
  if (hi == lo) {
    hi += 1;
    lo -= 1;
  }
  /* A variable whose values are all whole numbers gets whole ticks. */
  bool whole = true;
  for (int i = 0; i < s->nv; i++)
    if (isfinite(s->v[i]) && s->v[i] != floor(s->v[i])) whole = false;
  double step = nice_step(hi - lo, 4);
  if (whole && step < 1) step = 1;
  double y0 = floor(lo / step) * step, y1 = ceil(hi / step) * step;
  int n = s->nv > 1 ? s->nv - 1 : 1;
  double pw = W - L - R, ph = H - T - B;
#define X(i) (L + pw * (double)(i) / n)
#define Y(v) (T + ph * (1 - ((v) - y0) / (y1 - y0)))
  fprintf(o, "<svg viewBox=\"0 0 %.0f %.0f\" width=\"100%%\" role=\"img\" "
          "aria-label=\"", W, H);
  esc(o, s->name);
  fprintf(o, " by turn\">\n");
  for (double v = y0; v <= y1 + step / 2; v += step) {
    char t[32];
    report_number(fabs(v) < step / 1e6 ? 0 : v, t, sizeof t);
    fprintf(o, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" "
            "class=\"grid\"/><text x=\"%.1f\" y=\"%.1f\" class=\"yl\">%s"
            "</text>\n",
            L, W - R, Y(v), Y(v), L - 6, Y(v) + 4, t);
  }
  /* As many labels as fit side by side (11px text, about 6.5px a
     character, with a gap), every k-th point. */
  size_t longest = 5;
  for (int i = 0; i < r->naxis; i++)
    if (strlen(r->axis[i]) > longest) longest = strlen(r->axis[i]);
  int fit = (int)(pw / (6.5 * (double)longest + 10));
  int every = fit < 2 ? n : (n + fit - 1) / (fit - 1);
  if (every < 1) every = 1;
  for (int i = 0; i <= n && i < s->nv; i++) {
    /* Turn i runs from point i-1 to point i: its mark goes between. */
    if (i > 0 && i < r->nmarks && r->marks[i])
      fprintf(o, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" "
              "class=\"mark\"/>\n", X(i - 0.5), X(i - 0.5), T, T + ph);
    /* The last label is always drawn, right-aligned so it stays inside;
       one that would then crowd it is left out. */
    if (i != n && (i % every || n - i < every / 2 + 1)) continue;
    fprintf(o, "<text x=\"%.1f\" y=\"%.1f\" class=\"xl\"%s>", X(i),
            H - B + 16, i == n && n > 0 ? " text-anchor=\"end\"" : "");
    esc(o, i < r->naxis ? r->axis[i] : "");
    fprintf(o, "</text>\n");
  }
  fprintf(o, "<polyline class=\"line\" points=\"");
  for (int i = 0; i < s->nv; i++)
    if (isfinite(s->v[i])) fprintf(o, "%.1f,%.1f ", X(i), Y(s->v[i]));
  fprintf(o, "\"/>\n");
  for (int i = 0; i < s->nv; i++)
    if (isfinite(s->v[i]))
      fprintf(o, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.6\" class=\"dot\"/>\n",
              X(i), Y(s->v[i]));
  fprintf(o, "</svg>\n");
#undef X
#undef Y
}

static const char *const css =
    "body{font:15px/1.5 'Source Sans 3','Helvetica Neue',Arial,sans-serif;"
    "color:#1c2433;max-width:1020px;margin:28px auto;padding:0 28px}"
    "header{border-bottom:4px solid #1c2433;padding-bottom:14px}"
    ".kicker{text-transform:uppercase;letter-spacing:.14em;font-size:12px;"
    "font-weight:700;color:#9a6700}"
    "h1{font:700 30px/1.2 Georgia,'Times New Roman',serif;margin:6px 0 4px}"
    ".meta{color:#5a6272;font-size:14px}"
    "h2{font:700 19px/1.3 Georgia,serif;margin:30px 0 10px;padding-bottom:4px;"
    "border-bottom:1px solid #d5dae2}"
    ".summary{display:grid;grid-template-columns:1.3fr 1fr 1fr 1fr;gap:12px;"
    "margin-top:18px}"
    ".card{border:1px solid #d5dae2;border-radius:6px;padding:10px 14px}"
    ".card .k{font-size:12px;text-transform:uppercase;letter-spacing:.08em;"
    "color:#5a6272}.card .v{font-size:22px;font-weight:700}"
    ".card.outcome{background:#1c2433;color:#fff;border-color:#1c2433}"
    ".card.outcome .k{color:#c9d1de}"
    ".brief{background:#f6f7f9;border-left:4px solid #9a6700;padding:2px 16px;"
    "margin:18px 0}.brief p{margin:8px 0}"
    "table{border-collapse:collapse;width:100%;font-size:14px}"
    "th{text-align:left;font-size:12px;text-transform:uppercase;"
    "letter-spacing:.06em;color:#5a6272;border-bottom:2px solid #d5dae2}"
    "th,td{padding:4px 8px}td{border-bottom:1px solid #eceff3}"
    "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
    ".charts{display:grid;grid-template-columns:1fr 1fr;gap:14px}"
    "figure{margin:0;border:1px solid #e1e5eb;border-radius:6px;"
    "padding:8px 10px 2px;break-inside:avoid}"
    "figcaption{font-weight:700;font-size:14px}"
    "figcaption span{font-weight:400;color:#5a6272}"
    "svg .grid{stroke:#e6e9ee;stroke-width:1}"
    "svg .mark{stroke:#d29b00;stroke-width:1.5;stroke-dasharray:4 3}"
    "svg .line{fill:none;stroke:#24527a;stroke-width:2.4}"
    "svg .dot{fill:#24527a}"
    "svg text{font:11px Arial,sans-serif;fill:#5a6272}"
    "svg .yl{text-anchor:end}svg .xl{text-anchor:middle}"
    ".turn{display:grid;grid-template-columns:120px 1fr;gap:12px;"
    "border-top:1px solid #eceff3;padding:7px 0;break-inside:avoid}"
    ".turn .when{font-weight:700}.turn .when span{display:block;"
    "font-weight:400;color:#5a6272;font-size:13px}"
    ".turn ul{list-style:none;margin:0;padding:0}"
    ".turn li{padding:1px 0 1px 100px;text-indent:-100px}"
    ".tag{display:inline-block;width:100px;text-indent:0;font-size:11px;"
    "font-weight:700;"
    "text-transform:uppercase;letter-spacing:.05em;color:#5a6272}"
    "li.news{font-style:italic}"
    "li.trigger .tag,li.event .tag{color:#8a1c1c}"
    "li.fac{background:#fff5d6;border-left:3px solid #d29b00;"
    "padding-left:6px}li.fac .tag{color:#9a6700}"
    "li.error{color:#8a1c1c}li.rewind{color:#5a6272}"
    "li.end{font-weight:700}"
    ".passes{color:#5a6272;font-size:13px}"
    ".legend{font-size:13px;color:#5a6272}"
    ".legend i{display:inline-block;width:18px;border-top:2px dashed #d29b00;"
    "vertical-align:middle;margin-right:4px}"
    "footer{margin-top:36px;border-top:1px solid #d5dae2;padding-top:8px;"
    "font-size:12px;color:#5a6272}"
    "code{font:13px 'DejaVu Sans Mono',monospace;background:#f1f3f6;"
    "padding:0 4px;border-radius:3px}"
    "@media print{body{margin:0;max-width:none}.charts{gap:8px}"
    "h2{break-after:avoid}}";

static void entry_html(FILE *o, const entry *e) {
  switch (e->kind) {
  case E_MOVE:
    fprintf(o, "<li class=\"move\"><span class=\"tag\">");
    esc(o, e->a);
    fprintf(o, "</span>");
    esc(o, e->b);
    if (e->c) {
      fprintf(o, " &rarr; ");
      esc(o, e->c);
    }
    fprintf(o, "</li>\n");
    break;
  case E_TRIGGER:
  case E_EVENT:
    fprintf(o, "<li class=\"%s\"><span class=\"tag\">%s</span>",
            e->kind == E_TRIGGER ? "trigger" : "event",
            e->kind == E_TRIGGER ? "trigger" : "event");
    esc(o, e->a);
    fprintf(o, "</li>\n");
    break;
  case E_NEWS:
    fprintf(o, "<li class=\"news\"><span class=\"tag\">news</span>");
    esc(o, e->a);
    fprintf(o, "</li>\n");
    break;
  case E_ERROR:
    fprintf(o, "<li class=\"error\"><span class=\"tag\">error</span>");
    esc(o, e->a);
    fprintf(o, " ");
    esc(o, e->b);
    fprintf(o, ": ");
    esc(o, e->c);
    fprintf(o, "</li>\n");
    break;
  case E_INTERVENTION:
    fprintf(o, "<li class=\"fac\"><span class=\"tag\">facilitator</span>"
            "<code>");
    esc(o, e->a);
    fprintf(o, "</code></li>\n");
    break;
  case E_SET:   /* the facilitator's: the facts leave the scripts' out */
    fprintf(o, "<li class=\"fac\"><span class=\"tag\">set</span>");
    esc(o, e->a);
    fprintf(o, ": ");
    esc(o, e->b);
    fprintf(o, " &rarr; ");
    esc(o, e->c);
    fprintf(o, "</li>\n");
    break;
  case E_REWIND:
    fprintf(o, "<li class=\"rewind\"><span class=\"tag\">again</span>"
            "<code>");
    esc(o, e->a);
    fprintf(o, "</code> in turn ");
    esc(o, e->b);
    fprintf(o, " went %s to here</li>\n", rewind_way(e));
    break;
  case E_END:
    fprintf(o, "<li class=\"end\"><span class=\"tag\">outcome</span>");
    esc(o, e->a);
    fprintf(o, "</li>\n");
    break;
  }
}

static void turn_html(FILE *o, const report_turn *g) {
  fprintf(o, "<div class=\"turn\"><div class=\"when\">Turn %d<span>", g->turn);
  esc(o, g->date);
  fprintf(o, "</span></div><ul>\n");
  for (int i = 0; i < g->nentries; i++) entry_html(o, g->entries[i]);
  if (g->passed.n) {
    fprintf(o, "<li class=\"passes\">passed: ");
    for (size_t k = 0; k < g->passed.n; k++) {
      if (k) fprintf(o, ", ");
      esc(o, g->passed.v[k]);
    }
    fprintf(o, "</li>\n");
  }
  fprintf(o, "</ul></div>\n");
}

void report_html(FILE *o, const report_facts *r) {
  fprintf(o, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta "
          "charset=\"utf-8\">\n<title>After-action report: ");
  esc(o, r->title);
  fprintf(o, "</title>\n<style>%s</style>\n</head>\n<body>\n<header>\n"
          "<div class=\"kicker\">After-action report</div>\n<h1>", css);
  esc(o, r->title);
  fprintf(o, "</h1>\n<div class=\"meta\">Scenario <code>");
  esc(o, r->id);
  fprintf(o, "</code> &middot; %s to %s &middot; seed %llu</div>\n</header>\n",
          r->first_date, r->last_date, (unsigned long long)r->seed);
  fprintf(o, "<div class=\"summary\">\n<div class=\"card outcome\"><div "
          "class=\"k\">Outcome</div><div class=\"v\">");
  esc(o, r->outcome ? r->outcome : "not reached");
  fprintf(o, "</div>");
  if (r->outcome) fprintf(o, "turn %d, %s", r->end_turn, r->last_date);
  else fprintf(o, "the session stopped at turn %d", r->turns);
  fprintf(o, "</div>\n<div class=\"card\"><div class=\"k\">Turns played</div>"
          "<div class=\"v\">%d</div></div>\n", r->turns);
  fprintf(o, "<div class=\"card\"><div class=\"k\">Moves / triggers</div>"
          "<div class=\"v\">%d / %d</div></div>\n", r->moves, r->triggers);
  fprintf(o, "<div class=\"card\"><div class=\"k\">Interventions</div>"
          "<div class=\"v\">%d</div></div>\n</div>\n", r->ninterventions);
  if (*r->brief) {
    fprintf(o, "<h2>The situation</h2>\n<div class=\"brief\"><p>");
    html_paragraphs(o, r->brief);
    fprintf(o, "</p></div>\n");
  }
  fprintf(o, "<h2>Who played</h2>\n<table>\n<tr><th>Actor</th><th>Name</th>"
          "<th>Played by</th></tr>\n");
  for (int i = 0; i < r->nplayers; i++) {
    fprintf(o, "<tr><td><b>");
    esc(o, r->players[i].actor);
    fprintf(o, "</b></td><td>");
    esc(o, r->players[i].name);
    fprintf(o, "</td><td>");
    esc(o, r->players[i].by);
    fprintf(o, "</td></tr>\n");
  }
  if (r->nplayers == 0)
    fprintf(o, "<tr><td colspan=\"3\">Every actor played by the built-in AI"
            "</td></tr>\n");
  fprintf(o, "</table>\n");
  if (r->sets->n) {
    fprintf(o, "<p class=\"legend\">Starting changes:");
    for (size_t i = 0; i < r->sets->n; i++) {
      fprintf(o, " <code>");
      esc(o, r->sets->v[i]);
      fprintf(o, "</code>");
    }
    fprintf(o, "</p>\n");
  }
  if (r->nmoved) {
    fprintf(o, "<h2>What moved most</h2>\n<div class=\"charts\">\n");
    for (int i = 0; i < r->nmoved; i++) {
      fprintf(o, "<figure><figcaption>");
      esc(o, r->moved[i].s->name);
      fprintf(o, " <span>%s &rarr; %s</span></figcaption>\n", r->moved[i].start,
              r->moved[i].end);
      report_chart(o, r, r->moved[i].s);
      fprintf(o, "</figure>\n");
    }
    fprintf(o, "</div>\n<p class=\"legend\"><i></i>a turn in which the "
            "facilitator intervened</p>\n");
  }
  fprintf(o, "<h2>Timeline</h2>\n");
  for (int i = 0; i < r->ntimeline; i++) turn_html(o, &r->timeline[i]);
  fprintf(o, "<h2>Final state against the start</h2>\n<table>\n<tr><th>"
          "Variable</th><th class=\"n\">Start</th><th class=\"n\">End</th>"
          "<th class=\"n\">Change</th></tr>\n");
  for (int i = 0; i < r->nchanged; i++) {
    const report_var *v = &r->changed[i];
    fprintf(o, "<tr><td>");
    esc(o, v->s->name);
    fprintf(o, "</td><td class=\"n\">");
    esc(o, v->start);
    fprintf(o, "</td><td class=\"n\"><b>");
    esc(o, v->end);
    fprintf(o, "</b></td><td class=\"n\">");
    esc(o, v->change);
    fprintf(o, "</td></tr>\n");
  }
  fprintf(o, "</table>\n<p class=\"legend\">%d of %d variables changed; the "
          "rest kept their starting values.</p>\n", r->nchanged, r->nvars);
  for (int i = 0; i < r->nbeliefs; i++) {
    const report_belief *b = &r->beliefs[i];
    if (i == 0)
      fprintf(o, "<h2>What each actor believed</h2>\n<table>\n<tr><th>Actor"
              "</th><th>Variable</th><th class=\"n\">Believed</th><th "
              "class=\"n\">Truth</th><th class=\"n\">Gap</th></tr>\n");
    const char *cell[] = {b->actor, b->var, b->shown, b->truth, b->gap};
    fprintf(o, "<tr>");
    for (int k = 0; k < 5; k++) {
      fprintf(o, k < 2 ? "<td>" : "<td class=\"n\">");
      esc(o, cell[k]);
      fprintf(o, "</td>");
    }
    fprintf(o, "</tr>\n");
  }
  if (r->nbeliefs)
    fprintf(o, "</table>\n<p class=\"legend\">Each actor's last belief about "
            "a value it could not see, against the value at the end; the gap "
            "is how far the truth lay outside the belief.</p>\n");
  fprintf(o, "<h2>The facilitator's interventions</h2>\n");
  for (int i = 0; i < r->ninterventions; i++) {
    if (i == 0) fprintf(o, "<table>\n<tr><th>Turn</th><th>Command</th></tr>\n");
    fprintf(o, "<tr><td>%d</td><td><code>", r->interventions[i]->turn);
    esc(o, r->interventions[i]->a);
    fprintf(o, "</code></td></tr>\n");
  }
  fputs(r->ninterventions ? "</table>\n"
                           : "<p>None: the scenario ran as written.</p>\n", o);
  fprintf(o, "<footer>brink %s", brink_version());
  if (r->file) {
    fprintf(o, " &middot; scenario file <code>");
    esc(o, r->file);
    fprintf(o, "</code> (sha256 %.12s&hellip;)", r->sha256);
  }
  if (r->bad_lines)
    fprintf(o, " &middot; %d log lines could not be read", r->bad_lines);
  fprintf(o, "</footer>\n</body>\n</html>\n");
}
