/*
** Cached conditions: re-evaluating only the conditions whose reads changed
** must give exactly the log that evaluating every condition every time
** gives.  Checked on random scenarios.
*/
#include "lang_fixture.h"

static uint64_t state;

static int roll(int n) {
  state = state * 6364136223846793005ull + 1442695040888963407ull;
  return (int)((state >> 33) % (uint64_t)n);
}

/* A random condition over the variables: comparisons joined by and/or,
   sometimes on the date. */
static void condition(char *buf, size_t cap, int actors, int vars) {
  int terms = 1 + roll(3);
  size_t len = 0;
  for (int t = 0; t < terms; t++) {
    if (t) len += (size_t)snprintf(buf + len, cap - len, roll(2) ? " and " : " or ");
    if (roll(5) == 0)
      len += (size_t)snprintf(buf + len, cap - len, "w.date.month %s %d",
                              roll(2) ? ">=" : "<", 1 + roll(12));
    else if (roll(4) == 0) {
      int a = roll(actors);
      len += (size_t)snprintf(buf + len, cap - len, "w.A%d.tension.A%d > %d",
                              a, (a + 1 + roll(actors - 1)) % actors,
                              roll(60));
    }
    else
      len += (size_t)snprintf(buf + len, cap - len, "w.A%d.v%d %s %d",
                              roll(actors), roll(vars), roll(2) ? ">" : "<",
                              roll(100));
  }
}

static void effect(char *buf, size_t cap, int actors, int vars) {
  int a = roll(actors), v = roll(vars);
  switch (roll(3)) {
  case 0:
    snprintf(buf, cap, "w.A%d.v%d = w.A%d.v%d + %d", a, v, a, v, roll(21) - 10);
    break;
  case 1:
    snprintf(buf, cap, "w.A%d.v%d = random(0, 100)", a, v);
    break;
  default:
    snprintf(buf, cap, "w.A%d.tension.A%d = w.A%d.tension.A%d + %d", a,
             (a + 1) % actors, a, (a + 1) % actors, roll(15));
  }
}

static char *random_scenario(void) {
  size_t cap = 1 << 16, len = 0;
  char *s = malloc(cap), c[512], f[256];
  int actors = 2 + roll(3), vars = 2 + roll(4);
  len += (size_t)snprintf(s + len, cap - len,
      "scenario { id = 'r', start = '2019-01-01', finish = '2020-12-31' }\n");
  for (int a = 0; a < actors; a++)
    len += (size_t)snprintf(s + len, cap - len, "actor 'A%d' {}\n", a);
  len += (size_t)snprintf(s + len, cap - len,
      "var '*.v%d' { min = 0, max = 100, init = 50 }\n"
      "relation 'tension' { min = 0, max = 100, init = 20 }\n", 0);
  for (int v = 1; v < vars; v++)
    len += (size_t)snprintf(s + len, cap - len,
        "var '*.v%d' { min = 0, max = 100, init = %d }\n", v, roll(100));
  for (int m = 0; m < 3; m++) {
    condition(c, sizeof c, actors, vars);
    effect(f, sizeof f, actors, vars);
    len += (size_t)snprintf(s + len, cap - len,
        "move 'm%d' { by = '*', when = function(w, m) return %s end,\n"
        "  effect = function(w, m) %s end,\n"
        "  weight = function(w, m) return 1 + w[m.by].v0 / 10 end }\n",
        m, c, f);
  }
  int triggers = 5 + roll(20);
  for (int t = 0; t < triggers; t++) {
    condition(c, sizeof c, actors, vars);
    effect(f, sizeof f, actors, vars);
    len += (size_t)snprintf(s + len, cap - len,
        "trigger 't%d' { once = %s, when = function(w) return %s end,\n"
        "  effect = function(w) %s end }\n",
        t, roll(2) ? "true" : "false", c, f);
  }
  condition(c, sizeof c, actors, vars);
  snprintf(s + len, cap - len, "outcome 'o' { when = function(w) return %s "
           "and w.A0.v0 > 90 end }\n", c);
  return s;
}

static char *play_with(const char *src, uint32_t flags) {
  brink_config cfg;
  brink_config_init(&cfg);
  cfg.flags = flags;
  brink_engine *e;
  brink_engine_open(&e, &cfg);
  cr_assert_eq(brink_load_string(e, "random.lua", src, strlen(src)), BRINK_OK,
               "%s\n%s", brink_errmsg(e), src);
  transcript t = {e, calloc(1, 1), 0, 1};
  brink_on_record(e, transcript_add, &t);
  brink_start(e, 99);
  int rc = brink_run(e);
  cr_assert_eq(rc, BRINK_DONE, "%s", brink_errmsg(e));
  brink_engine_close(e);
  return t.text;
}

Test(cache, cached_conditions_give_the_same_log_as_evaluating_them_all) {
  state = 2019;
  int fired = 0;
  for (int i = 0; i < 60; i++) {
    char *src = random_scenario();
    char *cached = play_with(src, 0);
    char *full = play_with(src, BRINK_FLAG_NO_CACHE);
    cr_assert_str_eq(cached, full, "scenario %d:\n%s", i, src);
    fired += strstr(cached, "\"t\":\"trigger\"") != NULL;
    free(src);
    free(cached);
    free(full);
  }
  cr_assert_gt(fired, 30, "the random scenarios should fire triggers");
}
