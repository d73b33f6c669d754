/*
** doc.c: brink doc, a player's briefing in Markdown, from the scenario's
** own declarations: the situation, the calendar, each actor's brief, what
** every player can see, the moves each actor may make, how it can end.
** Hidden variables are named as hidden, never shown.
*/
#include <stdbool.h>
#include <string.h>

#include "cli.h"

static const char *const unit_names[] = {"day", "week", "month", "quarter",
                                         "year"};

/* A variable's range as a reader wants it: "0 to 10", "true or false". */
static void range(brink_engine *e, int v, char *buf, size_t cap) {
  double lo, hi;
  brink_var_bounds(e, v, &lo, &hi);
  switch (brink_var_type(e, v)) {
  case BRINK_FLAG: snprintf(buf, cap, "true or false"); break;
  case BRINK_ENUM: {
    size_t n = 0;
    buf[0] = '\0';
    for (int i = 0; *brink_var_enum_value(e, v, i) && n < cap; i++)
      n += (size_t)snprintf(buf + n, cap - n, "%s%s", i ? ", " : "",
                            brink_var_enum_value(e, v, i));
    break;
  }
  default:
    if (lo == -1.0 / 0.0 && hi == 1.0 / 0.0) snprintf(buf, cap, "any");
    else {
      char a[48], b[48];
      brink_value_show(e, v, lo, a, sizeof a);
      brink_value_show(e, v, hi, b, sizeof b);
      snprintf(buf, cap, "%s to %s", a, b);
    }
  }
}

static void briefing(brink_engine *e) {
  const char *title = brink_scenario_field(e, "title");
  /* Every text of the scenario is untrusted: escaped as Markdown. */
  printf("# ");
  md_put(stdout, *title ? title : brink_scenario_field(e, "id"));
  printf("\n\n");
  const char *brief = brink_scenario_field(e, "brief");
  if (*brief) {
    md_paragraphs(stdout, brief);
    printf("\n\n");
  }
  char first[16], last[16];
  int turns = brink_turn_count(e);
  brink_date_format(brink_turn_date(e, 1), first, sizeof first);
  brink_date_format(brink_turn_date(e, turns), last, sizeof last);
  const char *unit = brink_scenario_field(e, "turn");
  int u = 2;
  for (int i = 0; i < 5; i++)
    if (strcmp(unit, unit_names[i]) == 0) u = i;
  printf("%d turns of one %s each, from %s; the last begins %s.\n\n", turns,
         unit_names[u], first, last);

  printf("## Actors\n\n");
  for (int a = 0; a < brink_actor_count(e); a++) {
    printf("### ");
    md_put(stdout, brink_actor_name(e, a));
    printf(" (");
    md_put(stdout, brink_actor_id(e, a));
    printf(")\n\n");
    if (*brink_actor_brief(e, a)) {
      md_paragraphs(stdout, brink_actor_brief(e, a));
      printf("\n\n");
    }
    int n;
    if (brink_options(e, a, &n) != BRINK_OK) continue;
    printf("Moves:\n\n");
    for (int i = 0; i < n;) {
      int move, target, legal;
      const char *why;
      brink_option_get(e, i, &move, &target, &legal, &why);
      printf("- ");
      md_code_put(stdout, brink_move_name(e, move));
      /* One line per move, its targets listed together: "on TWN, JPN or
         PHL" (options of a move are adjacent). */
      int end = i;
      while (end < n) {
        int m2;
        brink_option_get(e, end, &m2, NULL, NULL, NULL);
        if (m2 != move) break;
        end++;
      }
      for (int k = i, listed = 0; k < end; k++) {
        int t2;
        brink_option_get(e, k, NULL, &t2, NULL, NULL);
        if (t2 < 0) continue;
        printf("%s", listed == 0 ? " on " : k == end - 1 ? " or " : ", ");
        md_put(stdout, brink_actor_id(e, t2));
        listed++;
      }
      i = end;
      if (*brink_move_doc(e, move)) {
        printf(": ");
        md_put(stdout, brink_move_doc(e, move));
      }
      if (!legal && *why) {
        printf(" *Not at the start: ");
        md_put(stdout, why);
        printf(".*");
      }
      printf("\n");
    }
    printf("\n");
  }

  printf("## The world\n\n| variable | range | at the start | what it is |\n"
         "| --- | --- | --- | --- |\n");
  for (int v = 0; v < brink_var_count(e); v++) {
    char r[256], value[64];
    range(e, v, r, sizeof r);
    int seen_by = 0;
    for (int a = 0; a < brink_actor_count(e); a++)
      seen_by += brink_var_visible(e, v, a);
    if (seen_by < brink_actor_count(e))
      snprintf(value, sizeof value, "hidden");
    else
      brink_var_show(e, v, value, sizeof value);
    printf("| ");
    md_code_put(stdout, brink_var_name(e, v));
    printf(" | ");
    md_put(stdout, r);
    printf(" | ");
    md_put(stdout, value);
    printf(" | ");
    md_put(stdout, brink_var_doc(e, v));
    printf(" |\n");
  }

  printf("\n## How it can end\n\n");
  for (int o = 0; o < brink_outcome_count(e); o++) {
    const char *doc = brink_outcome_doc(e, o);
    bool def = strcmp(brink_outcome_name(e, o),
                      brink_scenario_field(e, "default_outcome")) == 0;
    printf("- **");
    md_put(stdout, brink_outcome_name(e, o));
    printf("**%s", *doc ? ": " : "");
    md_put(stdout, doc);
    printf("%s\n", def ? " (if nothing else ends it first)" : "");
  }
}

int cmd_doc(int argc, char **argv) {
  options o;
  int rc = parse_options("doc", argc, argv, &o);
  if (rc) return rc < 0 ? 0 : rc;
  brink_engine *e;
  if (open_scenario("doc", &o, &e)) return 1;
  /* Moves are listed as they stand at the start of a run. */
  if (brink_start(e, o.has_seed ? o.seed : brink_scenario_seed(e)) !=
      BRINK_OK) {
    term_printf(stderr, "brink doc: %s\n", brink_errmsg(e));
    brink_engine_close(e);
    return 1;
  }
  briefing(e);
  brink_engine_close(e);
  return 0;
}
