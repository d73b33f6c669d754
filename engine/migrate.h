/*
** migrate.h: saves of older versions of a scenario (its `version` and
** `migrate { }`), internal, shared with the session layer; implemented in
** bind.c, the steps run by the script host.
*/
#ifndef BRINK_MIGRATE_H
#define BRINK_MIGRATE_H

#include <stddef.h>

#include "brink.h"

/* The scenario's `version`, 1 when it declares none. */
int brink__scenario_version(const brink_engine *e);

/*
** Runs the scenario's migration step 'step' (which takes a state of
** version 'step' to version step + 1) on 'state', a saved state as event
** data text (data.h), in the script sandbox with its budgets; nothing in
** the world changes.  The state it returns is JSON text in *out, freed
** with brink_buffer_free, its length in *len.  With 'state' NULL it only
** says whether the step exists.  BRINK_ENOTFOUND: no such step; a script
** error leaves its message in brink_errmsg() and its file:line in
** brink_errwhere().
*/
int brink__migrate(brink_engine *e, int step, const char *state, char **out,
                   size_t *len);

#endif
