/*
** An out-of-memory sweep: a counting allocator whose budget grows each
** round.  At every budget each call either succeeds or fails cleanly, and
** closing the engine frees everything.
*/
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "brink.h"

typedef struct budget {
  long allowed, used;   /* allocations */
  long live;            /* bytes not yet freed */
} budget;

static void *counting(void *ud, void *p, size_t old, size_t n) {
  budget *b = ud;
  if (n == 0) {
    if (p) b->live -= (long)old;
    free(p);
    return NULL;
  }
  if (b->used >= b->allowed) return NULL;
  b->used++;
  void *q = realloc(p, n);
  if (q) b->live += (long)n - (p ? (long)old : 0);
  return q;
}

static int build(brink_engine *e) {
  const char *actors[] = {"USA", "DPRK", "ROK", "PRC"};
  for (int i = 0; i < 4; i++) {
    int rc = brink_actor_add(e, actors[i], actors[i], NULL);
    if (rc) return rc;
  }
  brink_var_spec s;
  brink_var_spec_init(&s);
  s.name = "*.sanctions";
  s.min = 0;
  s.max = 10;
  s.init = 5;
  int rc = brink_var_declare(e, &s, NULL);
  if (rc) return rc;
  s.name = "tension";
  s.relation = 1;
  s.symmetric = 1;
  if ((rc = brink_var_declare(e, &s, NULL))) return rc;
  return brink_world_seal(e);
}

Test(oom, every_call_succeeds_or_fails_cleanly_at_every_budget) {
  int succeeded = 0;
  for (long allowed = 0; allowed < 400 && !succeeded; allowed++) {
    budget b = {allowed, 0, 0};
    brink_config cfg;
    brink_config_init(&cfg);
    cfg.alloc = counting;
    cfg.alloc_ud = &b;
    brink_engine *e = NULL;
    int rc = brink_engine_open(&e, &cfg);
    if (rc == BRINK_OK) {
      rc = build(e);
      cr_assert(rc == BRINK_OK || rc == BRINK_ENOMEM, "budget %ld: %s",
                allowed, brink_status_name(rc));
      if (rc == BRINK_OK) {
        brink_snapshot *s = NULL;
        int id;
        cr_assert_eq(brink_var_find(e, "DPRK.tension.USA", &id), BRINK_OK);
        rc = brink_snapshot_take(e, &s);
        cr_assert(rc == BRINK_OK || rc == BRINK_ENOMEM);
        if (rc == BRINK_OK) {
          rc = brink_var_set(e, id, 9);
          cr_assert(rc == BRINK_OK || rc == BRINK_ENOMEM);
          rc = brink_snapshot_restore(e, s);
          cr_assert(rc == BRINK_OK || rc == BRINK_ENOMEM);
          brink_snapshot_free(s);
          succeeded = rc == BRINK_OK;
        }
      }
    } else {
      cr_assert_eq(rc, BRINK_ENOMEM);
      cr_assert_null(e);
    }
    brink_engine_close(e);
    cr_assert_eq(b.live, 0, "budget %ld leaks %ld bytes", allowed, b.live);
  }
  cr_assert(succeeded, "no budget under 400 allocations was enough");
}
