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

/*
** The same sweep through the scripting side: loading a scenario and
** playing it, with the allocator refusing from a growing point on.  Each
** step either works or fails with a status, and closing frees everything.
*/
static const char *const scenario =
    "scenario { id = 'oom', start = '2020-01-01', finish = '2020-06-30' }\n"
    "actor 'A' {} actor 'B' {}\n"
    "var '*.x' { min = 0, max = 100, init = 5 }\n"
    "relation 'tension' { min = 0, max = 100, init = 10, symmetric = true }\n"
    "event 'e' { effect = function(w, d) w.A.x = w.A.x + d.n end }\n"
    "move 'push' { by = '*', targets = '*', when = function(w, m)\n"
    "  return w[m.by].x < 90, 'too high' end,\n"
    "  effect = function(w, m) w[m.by].tension[m.target] = w[m.by].tension[m.target] + 7\n"
    "    news('%s pushes %s', m.by, m.target)\n"
    "    schedule('e', { turns = 1, data = { n = 2, tag = 'x' } }) end }\n"
    "policy 'any' { choose = function(w, options) return options[1] end }\n"
    "trigger 't' { once = false, when = function(w) return w.A.x > 10 end,\n"
    "  effect = function(w) w.B.x = w.B.x + 1 end }\n"
    "outcome 'hot' { when = function(w) return w.A.tension.B >= 100 end }\n";

Test(oom, loading_and_playing_a_scenario_fails_cleanly_at_every_budget) {
  int finished = 0;
  for (long allowed = 0; allowed < 20000 && !finished;
       allowed++) {
    budget b = {allowed, 0, 0};
    brink_config cfg;
    brink_config_init(&cfg);
    cfg.alloc = counting;
    cfg.alloc_ud = &b;
    brink_engine *e = NULL;
    int rc = brink_engine_open(&e, &cfg);
    if (rc == BRINK_OK) {
      rc = brink_load_string(e, "oom.lua", scenario, strlen(scenario));
      cr_assert(rc == BRINK_OK || rc == BRINK_ENOMEM || rc == BRINK_EBUDGET ||
                rc == BRINK_ESCRIPT, "budget %ld: load gave %s", allowed,
                brink_status_name(rc));
      if (rc == BRINK_OK) {
        brink_policy_assign(e, 1, "any");
        rc = brink_start(e, 1);
        while (rc == BRINK_OK) rc = brink_step(e);
        cr_assert(rc == BRINK_DONE || rc < 0, "budget %ld: %s", allowed,
                  brink_status_name(rc));
        finished = rc == BRINK_DONE;
      }
    }
    brink_engine_close(e);
    cr_assert_eq(b.live, 0, "budget %ld leaks %ld bytes", allowed, b.live);
  }
  cr_assert(finished, "no budget was enough to play the scenario");
}
