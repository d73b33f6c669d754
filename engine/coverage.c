/*
** coverage.c: what a run did and did not do, for smoke checks (brink
** check --runs): the counters turn.c and value.c keep beside the run,
** and where the scenario declared each thing a finding names.
*/
#include <string.h>

#include "brinkint.h"

BRINK_API int brink_coverage(const brink_engine *e, int kind, int64_t *out,
                             int cap, int *n) {
  if (n) *n = 0;
  int first, count;
  switch (kind) {
  case BRINK_COVER_LEGAL: first = 0, count = e->nmoves; break;
  case BRINK_COVER_WRITES: first = e->nmoves, count = e->nvars; break;
  case BRINK_COVER_CLAMPS: first = e->nmoves + e->nvars, count = e->nvars;
    break;
  default:
    return brink__error(e, BRINK_EINVAL, "no coverage has kind %d", kind);
  }
  if (n == NULL || cap < 0 || (cap > 0 && out == NULL))
    return brink__error(e, BRINK_EINVAL, "brink_coverage needs 'n', and "
                        "'out' for 'cap' > 0");
  if (e->cover == NULL)
    return brink__error(e, BRINK_ESTATE, "no scenario is loaded");
  *n = count;
  if (cap > 0)
    memcpy(out, e->cover + first,
           sizeof(int64_t) * (size_t)(cap < count ? cap : count));
  return BRINK_OK;
}

void brink__cover_log(brink_engine *e, bool on) {
  e->cover_logging = on;
  e->ncover_log = 0;
}

void brink__cover_undo(brink_engine *e) {
  while (e->ncover_log > 0) {
    int x = e->cover_log[--e->ncover_log];
    e->cover[e->nmoves + x / 2]--;
    if (x % 2) e->cover[e->nmoves + e->nvars + x / 2]--;
  }
}

/* A declaration's "file:line", "" when it was declared without one. */
static const char *where(const char *w) { return w ? w : ""; }

BRINK_API const char *brink_move_where(const brink_engine *e, int move) {
  if (move < 0 || move >= e->nmoves) return brink__bad_name(e, "move", move);
  return where(e->moves[move].where);
}

BRINK_API const char *brink_trigger_where(const brink_engine *e, int trigger) {
  if (trigger < 0 || trigger >= e->ntriggers)
    return brink__bad_name(e, "trigger", trigger);
  return where(e->triggers[trigger].where);
}

BRINK_API const char *brink_outcome_where(const brink_engine *e, int outcome) {
  if (outcome < 0 || outcome >= e->noutcomes)
    return brink__bad_name(e, "outcome", outcome);
  return where(e->outcomes[outcome].where);
}

BRINK_API const char *brink_var_where(const brink_engine *e, int var) {
  if (brink__var_check(e, var) != BRINK_OK) return NULL;
  return where(e->decls[e->vars[var].decl].where);
}
