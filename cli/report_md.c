/*
** report_md.c: the after-action report in Markdown, from the same facts
** as report_html.c; every text from the log or the scenario goes through
** md_put() or, as code, md_code_put().
*/
#include <math.h>
#include <string.h>

#include "cli.h"
#include "report.h"

static void mesc(FILE *f, const char *s) {
  if (s) md_put(f, s);
}

static void sparkline(FILE *o, const var_series *s) {
  static const char *bars[] = {"\u2581", "\u2582", "\u2583", "\u2584",
                               "\u2585", "\u2586", "\u2587", "\u2588"};
  double lo = INFINITY, hi = -INFINITY;
  for (int i = 0; i < s->nv; i++)
    if (isfinite(s->v[i])) {
      lo = fmin(lo, s->v[i]);
      hi = fmax(hi, s->v[i]);
    }
  for (int i = 0; i < s->nv; i++) {
    if (!isfinite(s->v[i])) {
      fputs(" ", o);
      continue;
    }
    int k = hi > lo ? (int)((s->v[i] - lo) / (hi - lo) * 7 + 0.5) : 3;
    fputs(bars[k < 0 ? 0 : k > 7 ? 7 : k], o);
  }
}

static void entry_md(FILE *o, const entry *e) {
  switch (e->kind) {
  case E_MOVE:
    fprintf(o, "- **");
    mesc(o, e->a);
    fprintf(o, "** ");
    mesc(o, e->b);
    if (e->c) {
      fprintf(o, " \u2192 ");
      mesc(o, e->c);
    }
    fprintf(o, "\n");
    break;
  case E_TRIGGER:
  case E_EVENT:
    fprintf(o, "- %s ", e->kind == E_TRIGGER ? "trigger" : "event");
    mesc(o, e->a);
    fprintf(o, "\n");
    break;
  case E_NEWS:
    fprintf(o, "- _");
    mesc(o, e->a);
    fprintf(o, "_\n");
    break;
  case E_ERROR:
    fprintf(o, "- error ");
    mesc(o, e->a);
    fprintf(o, " ");
    mesc(o, e->b);
    fprintf(o, ": ");
    mesc(o, e->c);
    fprintf(o, "\n");
    break;
  case E_INTERVENTION:
    fprintf(o, "- facilitator: ");
    md_code_put(o, e->a);
    fprintf(o, "\n");
    break;
  case E_SET:   /* the facilitator's: the facts leave the scripts' out */
    fprintf(o, "- set ");
    mesc(o, e->a);
    fprintf(o, ": ");
    mesc(o, e->b);
    fprintf(o, " \u2192 ");
    mesc(o, e->c);
    fprintf(o, "\n");
    break;
  case E_REWIND:
    fprintf(o, "- ");
    md_code_put(o, e->a);
    fprintf(o, " in turn ");
    mesc(o, e->b);
    fprintf(o, " went %s to here\n", rewind_way(e));
    break;
  case E_END:
    fprintf(o, "- **outcome: ");
    mesc(o, e->a);
    fprintf(o, "**\n");
    break;
  }
}

void report_md(FILE *o, const report_facts *r) {
  fprintf(o, "# After-action report: ");
  mesc(o, r->title);
  fprintf(o, "\n\n**Outcome: ");
  mesc(o, r->outcome ? r->outcome : "not reached (the session stopped)");
  fprintf(o, "**");
  if (r->outcome) fprintf(o, " at turn %d (%s)", r->end_turn, r->last_date);
  fprintf(o, "  \nScenario ");
  md_code_put(o, r->id);
  fprintf(o, ", %s to %s, seed %llu, %d turn%s played.\n\n", r->first_date,
          r->last_date, (unsigned long long)r->seed, r->turns,
          r->turns == 1 ? "" : "s");
  if (*r->brief) {
    fprintf(o, "## The situation\n\n");
    md_paragraphs(o, r->brief);
    fprintf(o, "\n\n");
  }
  fprintf(o, "## Who played\n\n| actor | name | played by |\n|---|---|---|\n");
  for (int i = 0; i < r->nplayers; i++) {
    fprintf(o, "| ");
    mesc(o, r->players[i].actor);
    fprintf(o, " | ");
    mesc(o, r->players[i].name);
    fprintf(o, " | ");
    mesc(o, r->players[i].by);
    fprintf(o, " |\n");
  }
  if (r->nplayers == 0) fprintf(o, "| (every actor) | | the built-in AI |\n");
  for (size_t i = 0; i < r->sets->n; i++) {
    fprintf(o, "%s", i ? ", " : "\nStarting changes: ");
    md_code_put(o, r->sets->v[i]);
  }
  if (r->nmoved)
    fprintf(o, "\n\n## What moved most\n\n| variable | start | end | over the "
            "turns |\n|---|--:|--:|---|\n");
  for (int i = 0; i < r->nmoved; i++) {
    fprintf(o, "| ");
    mesc(o, r->moved[i].s->name);
    fprintf(o, " | %s | %s | ", r->moved[i].start, r->moved[i].end);
    sparkline(o, r->moved[i].s);
    fprintf(o, " |\n");
  }
  fprintf(o, "\n## Timeline\n");
  for (int i = 0; i < r->ntimeline; i++) {
    const report_turn *g = &r->timeline[i];
    fprintf(o, "\n### Turn %d: %s\n\n", g->turn, g->date);
    for (int k = 0; k < g->nentries; k++) entry_md(o, g->entries[k]);
  }
  fprintf(o, "\n## Final state against the start\n\n| variable | start | end "
          "|\n|---|--:|--:|\n");
  for (int i = 0; i < r->nchanged; i++) {
    fprintf(o, "| ");
    mesc(o, r->changed[i].s->name);
    fprintf(o, " | ");
    mesc(o, r->changed[i].start);
    fprintf(o, " | ");
    mesc(o, r->changed[i].end);
    fprintf(o, " |\n");
  }
  fprintf(o, "\n%d of %d variables changed.\n", r->nchanged, r->nvars);
  for (int i = 0; i < r->nbeliefs; i++) {
    const report_belief *b = &r->beliefs[i];
    if (i == 0)
      fprintf(o, "\n## What each actor believed\n\n| actor | variable | "
              "believed | truth | gap |\n|---|---|--:|--:|--:|\n");
    const char *cell[] = {b->actor, b->var, b->shown, b->truth, b->gap};
    for (int k = 0; k < 5; k++) {
      fprintf(o, "| ");
      mesc(o, cell[k]);
      fprintf(o, " ");
    }
    fprintf(o, "|\n");
  }
  if (r->nbeliefs)
    fprintf(o, "\nThe gap is how far the value at the end lay outside the "
            "actor's last belief.\n");
  fprintf(o, "\n## The facilitator's interventions\n\n");
  for (int i = 0; i < r->ninterventions; i++) {
    fprintf(o, "- turn %d: ", r->interventions[i]->turn);
    md_code_put(o, r->interventions[i]->a);
    fprintf(o, "\n");
  }
  if (r->ninterventions == 0) fprintf(o, "None.\n");
  fprintf(o, "\n---\nbrink %s", brink_version());
  if (r->file) {
    fprintf(o, ", scenario file ");
    md_code_put(o, r->file);
    fprintf(o, " (sha256 %.12s)", r->sha256);
  }
  if (r->bad_lines)
    fprintf(o, "; %d log lines could not be read", r->bad_lines);
  fprintf(o, "\n");
}
