/*
** brink_batch.h: Monte Carlo batches of a scenario, for hosts.  With
** brink.h this is the whole contract for batches: a handle made and
** freed in pairs, settings, one call that plays every run on threads,
** and the summary as the JSON object brink batch --json prints
** (docs/batch.md).  Every call returns a status of brink.h (0 is BRINK_OK);
** a failing one leaves a message in brink_batch_errmsg().  Callable from
** Python's ctypes with these declarations alone.
*/
#ifndef BRINK_BATCH_API_H
#define BRINK_BATCH_API_H

#include <stdint.h>

#include "brink.h"

typedef struct brink_batch brink_batch;

/*
** Reads the scenario file at 'path' (its imports are found next to it)
** for a batch of 1000 runs from the scenario's own seed, one thread per
** online CPU.  'cfg' (NULL: defaults) applies to each worker's engine.
** On failure *out is NULL, except for a file that cannot be read, where
** *out is a handle whose brink_batch_errmsg() says why (close it).
*/
BRINK_API int brink_batch_open(brink_batch **out, const char *path,
                               const brink_config *cfg);
/* Frees the batch and its summary.  NULL does nothing. */
BRINK_API void brink_batch_close(brink_batch *b);
/* "" when the last call succeeded; valid until the next call on 'b'. */
BRINK_API const char *brink_batch_errmsg(const brink_batch *b);

/* Settings, for the next brink_batch_run().  BRINK_ERANGE when out of
   range (runs 1 to 10^9, jobs 1 to 1024, turns >= 0). */
BRINK_API int brink_batch_set_runs(brink_batch *b, int64_t runs);
BRINK_API int brink_batch_set_seed(brink_batch *b, uint64_t seed);
BRINK_API int brink_batch_set_jobs(brink_batch *b, int32_t jobs);
BRINK_API int brink_batch_set_turns(brink_batch *b, int32_t turns);
/* "ACTOR=POLICY", "VAR=VALUE" and a variable to summarize, as brink
   batch's --policy, --set and --var; the text is copied.  BRINK_EINVAL
   when not of that form (the scenario checks the names when run). */
BRINK_API int brink_batch_add_policy(brink_batch *b, const char *assign);
BRINK_API int brink_batch_add_set(brink_batch *b, const char *assign);
BRINK_API int brink_batch_add_var(brink_batch *b, const char *name);

/*
** Loads the scenario, plays every run and summarizes them.  BRINK_OK
** even when runs ended in script errors (the summary lists them);
** BRINK_ESCRIPT when the scenario does not load or a run is not
** reproducible, BRINK_EINVAL for a setting the scenario refuses,
** BRINK_ENOMEM.
*/
BRINK_API int brink_batch_run(brink_batch *b);
/* The summary of the last successful run as one line of JSON, owned by
   'b' until the next run or close; NULL before. */
BRINK_API const char *brink_batch_summary_json(const brink_batch *b);

#endif
