/* An allocator that refuses only its k-th request, for memory sweeps. */
#ifndef OOM_FIXTURE_H
#define OOM_FIXTURE_H

#include <stdlib.h>

#include "brink.h"

typedef struct one_shot {
  long fail_at, count;   /* the request to refuse (0: none); made so far */
} one_shot;

static inline void *fail_once(void *ud, void *p, size_t old, size_t n) {
  one_shot *o = ud;
  (void)old;
  if (n == 0) {
    free(p);
    return NULL;
  }
  if (++o->count == o->fail_at) return NULL;
  return realloc(p, n);
}

/* Opens an engine whose allocator is fail_once over 'o'. */
static inline int open_failing(brink_engine **e, one_shot *o) {
  brink_config cfg;
  brink_config_init(&cfg);
  cfg.alloc = fail_once;
  cfg.alloc_ud = o;
  return brink_engine_open(e, &cfg);
}

#endif
