/*
** The fast paths (the condition cache, conditions called without the
** trampoline, effects reading mirror tables, the calendar memo) must give
** exactly the records of the plain path, BRINK_FLAG_NO_CACHE: on the
** flagship, run by run and as a batch summary, across a snapshot restored
** mid-run, and on random scenarios that write and read back in one
** effect, roll back a failed event, use flags, enums and symmetric
** relations.
*/
#include "cli_fixture.h"
#include "lang_fixture.h"

#define FLAGSHIP "scripts/scenarios/korea-2019.lua"

static brink_engine *open_with(uint32_t flags) {
  brink_config cfg;
  brink_config_init(&cfg);
  cfg.flags = flags;
  brink_engine *e;
  cr_assert_eq(brink_engine_open(&e, &cfg), BRINK_OK);
  return e;
}

/* The JSON Lines of seed 'seed' of the scenario in 'path' or 'src'. */
static char *records(const char *path, const char *src, uint64_t seed,
                     uint32_t flags) {
  brink_engine *e = open_with(flags);
  int rc = src ? brink_load_string(e, "random.lua", src, strlen(src))
               : brink_load_file(e, path);
  cr_assert_eq(rc, BRINK_OK, "%s\n%s", brink_errmsg(e), src ? src : path);
  transcript t = {e, calloc(1, 1), 0, 1};
  brink_on_record(e, transcript_add, &t);
  cr_assert_eq(brink_start(e, seed), BRINK_OK);
  if (brink_run(e) != BRINK_DONE) brink_finish(e, "error");
  brink_engine_close(e);
  return t.text;
}

Test(fast, the_flagship_gives_the_plain_paths_records_seed_by_seed) {
  for (uint64_t seed = 1; seed <= 8; seed++) {
    char *fast = records(FLAGSHIP, NULL, seed, 0);
    char *plain = records(FLAGSHIP, NULL, seed, BRINK_FLAG_NO_CACHE);
    cr_assert_str_eq(fast, plain, "seed %d", (int)seed);
    free(fast);
    free(plain);
  }
}

/* Conditions that read a belief an effect keeps changing, while nothing
   they read of the world changes: a cache must not outlive a belief. */
Test(fast, conditions_on_beliefs_follow_every_change_of_them) {
  const char *src = HEADER_OPEN " outcome 'stalemate' { doc = 'no more' }\n"
      "actor 'A' {}\nactor 'B' {}\n"
      "var 'B.arms' { type = 'integer', min = 0, max = 100, init = 30,\n"
      "  hidden = true, believed = { A = { 20, 40 } } }\n"
      "var 'n' { init = 0, min = 0, max = 1000 }\n"
      "move 'guess' { by = 'A', effect = function()\n"
      "  believe('A', 'B.arms', random(0, 60)) end }\n"
      "move 'strike' { by = 'A', when = function(w)\n"
      "  return view('A').B.arms > 45, 'not yet' end,\n"
      "  effect = function(w) w.n = w.n + 1 end, weight = 5 }\n"
      "trigger 'alarm' { once = false, when = function(w)\n"
      "  return view('A').B.arms < 10 end,\n"
      "  effect = function(w) w.n = w.n + 100 end }\n";
  int strikes = 0, alarms = 0;
  for (uint64_t seed = 1; seed <= 8; seed++) {
    char *fast = records(NULL, src, seed, 0);
    char *plain = records(NULL, src, seed, BRINK_FLAG_NO_CACHE);
    cr_assert_str_eq(fast, plain, "seed %d", (int)seed);
    strikes += strstr(fast, "\"move\":\"strike\"") != NULL;
    alarms += strstr(fast, "trigger:alarm") != NULL;
    free(fast);
    free(plain);
  }
  cr_assert(strikes && alarms, "the beliefs opened both: %d, %d", strikes,
            alarms);
}

Test(fast, many_runs_of_one_engine_give_what_fresh_engines_give) {
  /* The mirrors and caches carry over between runs of one engine. */
  brink_engine *e = open_with(0);
  cr_assert_eq(brink_load_file(e, FLAGSHIP), BRINK_OK);
  for (uint64_t seed = 20; seed < 26; seed++) {
    transcript t = {e, calloc(1, 1), 0, 1};
    brink_on_record(e, transcript_add, &t);
    cr_assert_eq(brink_start(e, seed), BRINK_OK);
    if (brink_run(e) != BRINK_DONE) brink_finish(e, "error");
    char *plain = records(FLAGSHIP, NULL, seed, BRINK_FLAG_NO_CACHE);
    cr_assert_str_eq(t.text, plain, "seed %d", (int)seed);
    free(plain);
    free(t.text);
  }
  brink_engine_close(e);
}

Test(fast, a_restored_snapshot_plays_on_as_the_plain_path) {
  for (uint64_t seed = 3; seed < 6; seed++) {
    brink_engine *e = open_with(0);
    cr_assert_eq(brink_load_file(e, FLAGSHIP), BRINK_OK);
    cr_assert_eq(brink_start(e, seed), BRINK_OK);
    for (int i = 0; i < 6; i++) cr_assert_eq(brink_step(e), BRINK_OK);
    brink_snapshot *snap;
    cr_assert_eq(brink_snapshot_take(e, &snap), BRINK_OK);
    /* Play on to the end, changing the values the mirrors hold... */
    while (brink_step(e) == BRINK_OK) continue;
    /* ...then back to turn 7 and on again, recorded. */
    cr_assert_eq(brink_snapshot_restore(e, snap), BRINK_OK);
    transcript t = {e, calloc(1, 1), 0, 1};
    brink_on_record(e, transcript_add, &t);
    if (brink_run(e) != BRINK_DONE) brink_finish(e, "error");
    brink_snapshot_free(snap);
    brink_engine_close(e);
    /* The plain path from turn 7, the same way. */
    brink_engine *p = open_with(BRINK_FLAG_NO_CACHE);
    cr_assert_eq(brink_load_file(p, FLAGSHIP), BRINK_OK);
    cr_assert_eq(brink_start(p, seed), BRINK_OK);
    for (int i = 0; i < 6; i++) cr_assert_eq(brink_step(p), BRINK_OK);
    transcript u = {p, calloc(1, 1), 0, 1};
    brink_on_record(p, transcript_add, &u);
    if (brink_run(p) != BRINK_DONE) brink_finish(p, "error");
    brink_engine_close(p);
    cr_assert_str_eq(t.text, u.text, "seed %d", (int)seed);
    free(t.text);
    free(u.text);
  }
}

Test(fast, the_flagships_batch_summary_is_the_plain_paths) {
  char cmd[512];
  snprintf(cmd, sizeof cmd, "%s batch " FLAGSHIP " --runs 300 --jobs 2 "
           "--json", brink());
  result fast = shell(cmd);
  snprintf(cmd, sizeof cmd, "%s batch " FLAGSHIP " --runs 300 --jobs 2 "
           "--json --no-cache", brink());
  result plain = shell(cmd);
  cr_assert_eq(fast.status, plain.status, "%s", fast.err);
  cr_assert_gt(strlen(fast.out), 100, "%s", fast.err);
  cr_assert_str_eq(fast.out, plain.out);
  free(fast.out);
  free(fast.err);
  free(plain.out);
  free(plain.err);
}

/* random scenarios ------------------------------------------------------- */

static uint64_t state;

static int roll(int n) {
  state = state * 6364136223846793005ull + 1442695040888963407ull;
  return (int)((state >> 33) % (uint64_t)n);
}

/* A read of a value: a number, a flag, an enum, a relation, the date. */
static int value(char *buf, size_t cap, int actors, int vars) {
  int a = roll(actors);
  switch (roll(7)) {
  case 0:
    return snprintf(buf, cap, "(w.A%d.alert and 7 or 3)", a);
  case 1:
    return snprintf(buf, cap, "(w.A%d.mood == 'calm' and 5 or 40)", a);
  case 2:
    return snprintf(buf, cap, "w.A%d.tension.A%d", a,
                    (a + 1 + roll(actors - 1)) % actors);
  case 3:
    return snprintf(buf, cap, "w.level");
  case 6:
    return snprintf(buf, cap, "(w.date.year == 2019 and w.A%d.v0 or 30)", a);
  case 4:
    switch (roll(4)) {
    case 0: return snprintf(buf, cap, "w.date.month * 4");
    case 1: return snprintf(buf, cap, "(w.date < date '2019-09-01' and 10 or "
                            "50)");
    default: return snprintf(buf, cap, "(w.date.year - 2018) * 30");
    }
  default:
    return snprintf(buf, cap, "w.A%d.v%d", a, roll(vars));
  }
}

static void condition(char *buf, size_t cap, int actors, int vars) {
  size_t len = 0;
  int terms = 1 + roll(3);
  for (int t = 0; t < terms; t++) {
    if (t) len += (size_t)snprintf(buf + len, cap - len,
                                   roll(2) ? " and " : " or ");
    len += (size_t)value(buf + len, cap - len, actors, vars);
    len += (size_t)snprintf(buf + len, cap - len, " %s %d",
                            roll(2) ? ">" : "<", roll(60));
  }
}

/* Effects that write, read back what they wrote, and write again. */
static void effect(char *buf, size_t cap, int actors, int vars) {
  int a = roll(actors), b = (a + 1 + roll(actors - 1)) % actors,
      v = roll(vars);
  char r[128];
  value(r, sizeof r, actors, vars);
  switch (roll(7)) {
  case 0:
    snprintf(buf, cap, "w.A%d.v%d = w.A%d.v%d + %d; w.A%d.v%d = w.A%d.v%d "
             "* 2 - %s / 4", a, v, a, v, roll(21) - 10, a, v, a, v, r);
    break;
  case 1:
    snprintf(buf, cap, "w.A%d.alert = not w.A%d.alert; if w.A%d.alert then "
             "w.level = w.level + 3 end", a, a, a);
    break;
  case 2:
    snprintf(buf, cap, "w.A%d.mood = w.A%d.mood == 'calm' and 'angry' or "
             "'calm'; w.A%d.v%d = w.A%d.v%d + (w.A%d.mood == 'calm' and 1 or "
             "-1)", a, a, a, v, a, v, a);
    break;
  case 3:
    /* Symmetric: written one way, read back the other. */
    snprintf(buf, cap, "w.A%d.tension.A%d = w.A%d.tension.A%d + %d; "
             "w.level = w.A%d.tension.A%d / 2", a, b, b, a, roll(15) - 5,
             b, a);
    break;
  case 4:
    /* An event whose effect fails half the time: rolled back, and what
       this effect reads after it must be the value before it. */
    snprintf(buf, cap, "pcall(fire, 'shaky'); w.A%d.v%d = w.level + w.A%d.v%d / 2",
             a, v, a, v);
    break;
  case 5:
    snprintf(buf, cap, "w.A%d.v%d = random(0, 100); w.level = w.A%d.v%d",
             a, v, a, v);
    break;
  default:
    snprintf(buf, cap, "w.level = %s", r);
  }
}

/*
** Expressions of the kind conditions and weights run in C
** (scenario_cexpr.c), and some that stay in Lua (calls, // and %): a
** number 'num', a condition 'test'.  'in_move' allows m and w[m.by];
** 'plus' keeps the number at or above zero (weights).
*/
static size_t num(char *b, size_t cap, int actors, int vars, int depth,
                  bool in_move, bool plus);

static size_t test(char *b, size_t cap, int actors, int vars, int depth,
                   bool in_move) {
  size_t n = 0;
  int a = roll(actors), k = roll(depth > 0 ? 9 : 5);
  static const char *const cmp[] = {"<", "<=", ">", ">=", "==", "~="};
  switch (k) {
  case 0: return (size_t)snprintf(b, cap, "w.A%d.alert", a);
  case 1:
    return (size_t)snprintf(b, cap, "w.A%d.mood %s '%s'", a,
                            roll(2) ? "==" : "~=", roll(2) ? "calm" : "angry");
  case 2:
    if (in_move)
      return (size_t)snprintf(b, cap, "w[m.by].mood == 'angry'");
    return (size_t)snprintf(b, cap, "not w.A%d.alert", a);
  case 5:
    n += (size_t)snprintf(b + n, cap - n, "not (");
    n += test(b + n, cap - n, actors, vars, depth - 1, in_move);
    return n + (size_t)snprintf(b + n, cap - n, ")");
  case 6: case 7:
    n += (size_t)snprintf(b + n, cap - n, "(");
    n += test(b + n, cap - n, actors, vars, depth - 1, in_move);
    n += (size_t)snprintf(b + n, cap - n, k == 6 ? " and " : " or ");
    n += test(b + n, cap - n, actors, vars, depth - 1, in_move);
    return n + (size_t)snprintf(b + n, cap - n, ")");
  default:
    n += num(b + n, cap - n, actors, vars, depth - 1, in_move, false);
    n += (size_t)snprintf(b + n, cap - n, " %s ", cmp[roll(6)]);
    return n + num(b + n, cap - n, actors, vars, depth - 1, in_move, false);
  }
}

static size_t num(char *b, size_t cap, int actors, int vars, int depth,
                  bool in_move, bool plus) {
  size_t n = 0;
  int a = roll(actors), k = roll(depth > 0 ? 16 : 6);
  switch (k) {
  case 0: return (size_t)snprintf(b, cap, "w.A%d.v%d", a, roll(vars));
  case 1: return (size_t)snprintf(b, cap, "w.level");
  case 2:
    return (size_t)snprintf(b, cap, "w.A%d.tension.A%d", a,
                            (a + 1 + roll(actors - 1)) % actors);
  case 3: return (size_t)snprintf(b, cap, "%d", roll(80));
  case 4: return (size_t)snprintf(b, cap, "%d.%d", roll(9), 1 + roll(9));
  case 5:
    if (in_move) return (size_t)snprintf(b, cap, "w[m.by].v%d", roll(vars));
    return (size_t)snprintf(b, cap, "w.A%d.v0", a);
  case 6: case 7: case 8: {
    static const char *const ops[] = {" + ", " * ", " - "};
    int op = roll(plus ? 2 : 3);
    n += (size_t)snprintf(b + n, cap - n, "(");
    n += num(b + n, cap - n, actors, vars, depth - 1, in_move, plus);
    n += (size_t)snprintf(b + n, cap - n, "%s", ops[op]);
    n += num(b + n, cap - n, actors, vars, depth - 1, in_move, plus);
    return n + (size_t)snprintf(b + n, cap - n, ")");
  }
  case 9:
    n += (size_t)snprintf(b + n, cap - n, "(");
    n += num(b + n, cap - n, actors, vars, depth - 1, in_move, plus);
    return n + (size_t)snprintf(b + n, cap - n, " / %d)", 1 + roll(60));
  case 10:
    if (plus) return (size_t)snprintf(b, cap, "%d", roll(5));
    n += (size_t)snprintf(b + n, cap - n, "-(");
    n += num(b + n, cap - n, actors, vars, depth - 1, in_move, plus);
    return n + (size_t)snprintf(b + n, cap - n, ")");
  case 11: case 12:
    /* Lua's values, not booleans: 'c and x or y'. */
    n += (size_t)snprintf(b + n, cap - n, "(");
    n += test(b + n, cap - n, actors, vars, depth - 1, in_move);
    n += (size_t)snprintf(b + n, cap - n, " and ");
    n += num(b + n, cap - n, actors, vars, depth - 1, in_move, plus);
    n += (size_t)snprintf(b + n, cap - n, " or ");
    n += num(b + n, cap - n, actors, vars, depth - 1, in_move, plus);
    return n + (size_t)snprintf(b + n, cap - n, ")");
  case 13:
    /* Lua's: a call. */
    n += (size_t)snprintf(b + n, cap - n, "math.max(0, ");
    n += num(b + n, cap - n, actors, vars, depth - 1, in_move, plus);
    return n + (size_t)snprintf(b + n, cap - n, ")");
  case 14:
    /* Lua's: // and %. */
    n += (size_t)snprintf(b + n, cap - n, "(");
    n += num(b + n, cap - n, actors, vars, depth - 1, in_move, plus);
    return n + (size_t)snprintf(b + n, cap - n, " %s 7)",
                                roll(2) ? "//" : "%");
  default:
    /* Never an integer overflow: values are 0 to 100. */
    n += (size_t)snprintf(b + n, cap - n, "(");
    n += num(b + n, cap - n, actors, vars, depth - 1, in_move, plus);
    n += (size_t)snprintf(b + n, cap - n, " + 0.25)");
    return n;
  }
}

/* A 'when' body: a return, or a chain of refusals with reasons first. */
static void when_body(char *b, size_t cap, int actors, int vars,
                      bool in_move) {
  size_t n = 0;
  int ifs = roll(3);
  for (int i = 0; i < ifs; i++) {
    n += (size_t)snprintf(b + n, cap - n, "if ");
    n += test(b + n, cap - n, actors, vars, 2, in_move);
    n += (size_t)snprintf(b + n, cap - n, " then return false, 'no %d' end ",
                          roll(100));
  }
  if (roll(4) == 0) {
    n += (size_t)snprintf(b + n, cap - n, "local x = ");
    n += num(b + n, cap - n, actors, vars, 1, in_move, false);
    n += (size_t)snprintf(b + n, cap - n, " if x > %d then return false, "
                          "'too much: x' end ", roll(60));
  }
  n += (size_t)snprintf(b + n, cap - n, "return ");
  if (roll(6) == 0) {
    /* A value, not a boolean: true unless the test is false. */
    n += test(b + n, cap - n, actors, vars, 2, in_move);
    n += (size_t)snprintf(b + n, cap - n, " and ");
    n += num(b + n, cap - n, actors, vars, 1, in_move, false);
  } else {
    n += test(b + n, cap - n, actors, vars, 3, in_move);
  }
  if (roll(4)) snprintf(b + n, cap - n, ", 'because %d'", roll(100));
}

static char *random_scenario(void) {
  size_t cap = 1 << 18, len = 0;
  char *s = malloc(cap), c[4096], f[768];
  int actors = 2 + roll(4), vars = 2 + roll(4);
  len += (size_t)snprintf(s + len, cap - len,
      "scenario { id = 'r', start = '2019-01-01', finish = '2020-12-31',\n"
      "  default_outcome = 'o' }\n");
  for (int a = 0; a < actors; a++)
    len += (size_t)snprintf(s + len, cap - len, "actor 'A%d' {}\n", a);
  for (int v = 0; v < vars; v++)
    len += (size_t)snprintf(s + len, cap - len,
        "var '*.v%d' { min = 0, max = 100, init = %d }\n", v, roll(100));
  len += (size_t)snprintf(s + len, cap - len,
      "var 'level' { min = 0, max = 100, init = 10 }\n"
      "var '*.alert' { type = 'flag', init = false }\n"
      "var '*.mood' { type = 'enum', values = { 'calm', 'angry' }, "
      "init = 'calm' }\n"
      "relation 'tension' { min = 0, max = 100, init = 20, "
      "symmetric = true }\n"
      "event 'shaky' { effect = function(w)\n"
      "  w.level = w.level + 5\n"
      "  if w.level %% 2 == 1 then error('shaky fails') end end }\n"
      "on('turn_start', function(w) w.level = w.level - 1 end)\n");
  for (int m = 0; m < 4; m++) {
    condition(c, sizeof c, actors, vars);
    effect(f, sizeof f, actors, vars);
    len += (size_t)snprintf(s + len, cap - len,
        "move 'm%d' { by = '*', when = function(w, m) return %s end,\n"
        "  effect = function(w, m) %s end,\n"
        "  weight = function(w, m) return 1 + w[m.by].v0 / 10 end }\n",
        m, c, f);
  }
  /* Moves whose 'when' and 'weight' are of the kind run in C, or not. */
  for (int m = 4; m < 8; m++) {
    when_body(c, sizeof c, actors, vars, true);
    effect(f, sizeof f, actors, vars);
    char g[4096];
    size_t n = 0;
    if (roll(5) == 0) {
      snprintf(g, sizeof g, "function() return %d end", 1 + roll(4));
    } else {
      n += (size_t)snprintf(g + n, sizeof g - n, "function(w, m) return 0.5 + ");
      n += num(g + n, sizeof g - n, actors, vars, 3, true, true);
      snprintf(g + n, sizeof g - n, " end");
    }
    len += (size_t)snprintf(s + len, cap - len,
        "move 'm%d' { by = '*', when = function(w, m) %s end,\n"
        "  effect = function(w, m) %s end,\n  weight = %s }\n", m, c, f, g);
  }
  int triggers = 5 + roll(20);
  for (int t = 0; t < triggers; t++) {
    bool in_c = roll(2);
    if (in_c) when_body(c, sizeof c, actors, vars, false);
    else condition(c, sizeof c, actors, vars);
    effect(f, sizeof f, actors, vars);
    len += (size_t)snprintf(s + len, cap - len,
        "trigger 't%d' { once = %s, when = function(w) %s%s end,\n"
        "  effect = function(w) %s end }\n",
        t, roll(2) ? "true" : "false", in_c ? "" : "return ", c, f);
  }
  /* Upvalues (locals kept from loading, which a run may not assign):
     names, numbers, a string, a table (which stays in Lua). */
  len += (size_t)snprintf(s + len, cap - len,
      "local key, limit, mood, cfg = 'v0', %d, 'calm', { low = %d }\n"
      "for _, id in ipairs({ 'A0', 'A1' }) do\n"
      "  trigger('u' .. id) { once = false,\n"
      "    when = function(w) if w[id].mood == mood then return false, "
      "'moody' end return w[id][key] > limit or w.level < cfg.low end,\n"
      "    effect = function(w) w[id].v1 = w[id].v1 + 1; w.level = w.level "
      "+ %d end }\n"
      "end\n"
      "move 'mu' { by = '*', when = function(w, m) return w[m.by][key] < "
      "limit and w[m.by].tension.A0 ~= limit, 'over the limit' end,\n"
      "  effect = function(w, m) w.level = w.level + 1 end,\n"
      "  weight = function(w, m) return limit / 10 + w[m.by][key] / 50 end "
      "}\n", roll(60), roll(20), roll(9) - 4);
  snprintf(s + len, cap - len, "outcome 'o' {}\n");
  return s;
}

/*
** Seeds 1, 2 and 3 in one engine, then seed 1 again from a snapshot of
** its turn 4 taken on the way (what the caches and mirrors carry from
** run to run, and across a restore), each run's records in turn.
*/
static char **reused(const char *src, uint32_t flags) {
  char **out = calloc(4, sizeof *out);
  brink_engine *e = open_with(flags);
  cr_assert_eq(brink_load_string(e, "random.lua", src, strlen(src)),
               BRINK_OK, "%s", brink_errmsg(e));
  brink_snapshot *snap = NULL;
  for (int k = 0; k < 4; k++) {
    transcript t = {e, calloc(1, 1), 0, 1};
    brink_on_record(e, transcript_add, &t);
    if (k < 3) {
      cr_assert_eq(brink_start(e, (uint64_t)k + 1), BRINK_OK);
      for (int s = 0; k == 0 && s < 3; s++)
        if (brink_step(e) != BRINK_OK) break;
      if (k == 0) cr_assert_eq(brink_snapshot_take(e, &snap), BRINK_OK);
    } else {
      cr_assert_eq(brink_snapshot_restore(e, snap), BRINK_OK);
    }
    if (brink_run(e) != BRINK_DONE && brink_outcome(e) == NULL)
      brink_finish(e, "error");
    brink_on_record(e, NULL, NULL);
    out[k] = t.text;
  }
  brink_snapshot_free(snap);
  brink_engine_close(e);
  return out;
}

Test(fast, random_scenarios_give_the_plain_paths_records_in_one_engine) {
  state = 1789;
  for (int i = 0; i < 40; i++) {
    char *src = random_scenario();
    char **fast = reused(src, 0), **plain = reused(src, BRINK_FLAG_NO_CACHE);
    for (int k = 0; k < 4; k++) {
      cr_assert_str_eq(fast[k], plain[k], "scenario %d, run %d:\n%s", i, k,
                       src);
      free(fast[k]);
      free(plain[k]);
    }
    free(fast);
    free(plain);
    free(src);
  }
}

Test(fast, random_scenarios_give_the_plain_paths_records) {
  state = 1606;
  int errors = 0, fired = 0;
  for (int i = 0; i < 60; i++) {
    char *src = random_scenario();
    for (uint64_t seed = 1; seed <= 2; seed++) {
      char *fast = records(NULL, src, seed, 0);
      char *plain = records(NULL, src, seed, BRINK_FLAG_NO_CACHE);
      cr_assert_str_eq(fast, plain, "scenario %d, seed %d:\n%s", i,
                       (int)seed, src);
      errors += strstr(fast, "\"id\":\"shaky\"") != NULL;
      fired += strstr(fast, "\"t\":\"trigger\"") != NULL;
      free(fast);
      free(plain);
    }
    free(src);
  }
  cr_assert_gt(errors, 10, "the random scenarios should fire (and roll back) events");
  cr_assert_gt(fired, 30, "the random scenarios should fire triggers");
}

/*
** What brink_options says of every actor's options after each turn of
** seed 'seed': legal or not, and the reason a player is shown, which a
** condition run in C must give exactly as Lua does.
*/
static char *options_trace(const char *path, const char *src, uint64_t seed,
                           uint32_t flags) {
  brink_engine *e = open_with(flags);
  int rc = src ? brink_load_string(e, "random.lua", src, strlen(src))
               : brink_load_file(e, path);
  cr_assert_eq(rc, BRINK_OK, "%s\n%s", brink_errmsg(e), src ? src : path);
  size_t cap = 1 << 16, len = 0;
  char *out = malloc(cap);
  out[0] = '\0';
  cr_assert_eq(brink_start(e, seed), BRINK_OK);
  for (int turn = 0; turn < 40; turn++) {
    for (int a = 0; a < brink_actor_count(e); a++) {
      int count = 0;
      if (brink_options(e, a, &count) != BRINK_OK) {
        count = 0;
        len += (size_t)snprintf(out + len, cap - len, "error %s\n",
                                brink_errmsg(e));
      }
      for (int i = 0; i < count; i++) {
        int move, target, legal;
        const char *reason;
        cr_assert_eq(brink_option_get(e, i, &move, &target, &legal, &reason),
                     BRINK_OK);
        size_t need = len + strlen(reason) + 64;
        if (need >= cap) {
          while (need >= cap) cap *= 2;
          out = realloc(out, cap);
        }
        len += (size_t)snprintf(out + len, cap - len, "%d %d %d %d %d %s\n",
                                turn, a, move, target, legal, reason);
      }
    }
    if (brink_step(e) != BRINK_OK) break;
  }
  brink_engine_close(e);
  return out;
}

Test(fast, options_and_their_reasons_are_the_plain_paths) {
  for (uint64_t seed = 1; seed <= 3; seed++) {
    char *fast = options_trace(FLAGSHIP, NULL, seed, 0);
    char *plain = options_trace(FLAGSHIP, NULL, seed, BRINK_FLAG_NO_CACHE);
    cr_assert_str_eq(fast, plain, "seed %d", (int)seed);
    cr_assert(strstr(fast, "talks have not") != NULL, "%s", fast);
    free(fast);
    free(plain);
  }
  state = 2211;
  int reasons = 0;
  for (int i = 0; i < 40; i++) {
    char *src = random_scenario();
    char *fast = options_trace(NULL, src, 7, 0);
    char *plain = options_trace(NULL, src, 7, BRINK_FLAG_NO_CACHE);
    cr_assert_str_eq(fast, plain, "scenario %d:\n%s", i, src);
    reasons += strstr(fast, "because") != NULL && strstr(fast, "no ") != NULL;
    free(fast);
    free(plain);
    free(src);
  }
  cr_assert_gt(reasons, 10, "the random scenarios should refuse with reasons");
}

/* effects run in C ------------------------------------------------------- */

/* Effects, conditions and weights that call the script's helpers, math's
   functions, news() and the draws, index its tables, give up part way
   (an error, a strict write, fire()) and write every kind of variable. */
static const char EFFECTS[] =
    "scenario { id = 'fx', start = '2019-01-01', finish = '2021-12-31',\n"
    "  turn = 'month', default_outcome = 'end' }\n"
    "for _, id in ipairs({ 'A', 'B', 'C' }) do actor(id) {} end\n"
    "var '*.v' { min = 0, max = 100, init = 20 }\n"
    "var '*.count' { type = 'integer', min = 0, max = 1000, init = 0 }\n"
    "var '*.alert' { type = 'flag', init = false }\n"
    "var '*.mood' { type = 'enum', values = { 'calm', 'angry' }, init = 'calm' }\n"
    "var 'level' { min = 0, max = 100, init = 30 }\n"
    "var 'hot' { min = 0, max = 10, init = 0, strict = true }\n"
    "relation 'trust' { min = -100, max = 100, init = 0 }\n"
    "event 'flare' { effect = function(w) w.level = w.level + 1 end }\n"
    "event 'later' { effect = function(w, data)\n"
    "  w.level = w.level + (data and data.n or 1) end }\n"
    "local NAMES = { A = 'Alpha', B = 'Beta' }\n"
    "local STEP = 3\n"
    "local function rel(w, name, a, b, d) w[a][name][b] = w[a][name][b] + d end\n"
    "local function pos(x) return math.max(0, x) end\n"
    "local function hot(w) return w.level > 50 or w.A.alert end\n"
    "local function shout(s) return s:upper() .. '!' end\n"
    "local function two(s) return s:lower(), s:rep(2) end\n"
    "local function flare() fire('flare') return 2 end\n"
    "move 'talk' { by = '*', targets = { 'A', 'B', 'C' },\n"
    "  when = function(w, m) return not hot(w) or m.by == 'C', 'too hot' end,\n"
    "  weight = function(w, m) return pos(1 + w[m.by].trust[m.target] / 50) end,\n"
    "  effect = function(w, m)\n"
    "    rel(w, 'trust', m.by, m.target, STEP)\n"
    "    w[m.target].mood = w[m.target].alert and 'angry' or 'calm'\n"
    "    news('%s talks to %s', NAMES[m.by] or m.by, m.target)\n"
    "  end }\n"
    "move 'gamble' { by = '*',\n"
    "  effect = function(w, m)\n"
    "    if chance(0.3) then w.level = w.level + random(1, 4)\n"
    "    else w.level = w.level - normal(2, 1) + random() end\n"
    "    w[m.by].count = w[m.by].count + 1\n"
    "    news('a gamble')\n"
    "  end }\n"
    "move 'mathy' { by = 'A',\n"
    "  weight = function(w) return math.min(2, w.level / 20) end,\n"
    "  effect = function(w)\n"
    "    w.level = math.max(0, math.min(100, w.level * 1.5 - 7))\n"
    "    w.A.count = math.floor(w.level / 3) + math.abs(-2) + math.ceil(0.5)\n"
    "    w.A.v = math.abs(w.A.v - 50) + math.floor(-0.5)\n"
    "  end }\n"
    "move 'risky' { by = 'B',\n"
    "  effect = function(w)\n"
    "    w.level = w.level + 5\n"
    "    w.B.alert = not w.B.alert\n"
    "    if w.level > 60 then error('too hot') end\n"
    "  end }\n"
    "move 'heat' { by = 'C',\n"
    "  effect = function(w) w.C.v = w.C.v + 1; w.hot = w.hot + 4 end }\n"
    "move 'report' { by = '*', targets = { 'A', 'B' },\n"
    "  when = function(w, m) return w.date >= '2019-03-01' and w.date ~= date '2019-07-01',\n"
    "    'not ' .. 'yet' end,\n"
    "  effect = function(w, m)\n"
    "    local era = w.date < date '2020-01-01' and 'early' or 'late'\n"
    "    news('%s reports %d on %s (%s, 100%%)', m.by, w[m.by].count, m.target, era .. '!')\n"
    "    if w.date == date '2019-05-01' then news('%5.1f', w.level) end\n"
    "    if w.level > 70 then news('%d', w.level / 7) end\n"
    "  end }\n"
    "move 'flarey' { by = 'A',\n"
    "  effect = function(w, m)\n"
    "    news(shout(m.by))\n"
    "    news('%s and %s', two(m.by))\n"
    "    w.level = w.level + flare()\n"
    "    if w.level > 80 then error('flared') end\n"
    "  end }\n"
    "move 'plan' { by = 'B',\n"
    "  when = function(w) local t = { 2, 3, x = 'calm' }\n"
    "    return t.x == 'calm' and t[2] - t[1] == 1 and t.y == nil end,\n"
    "  effect = function(w)\n"
    "    schedule('later', { turns = 1, data = { n = 2, why = { 'plan' } } })\n"
    "    schedule('later', { turns = 2 })\n"
    "    local t = { 5, 6, x = 'angry' }\n"
    "    t.y = t[2] - t[1]\n"
    "    w.B.mood = t.x\n"
    "    w.B.v = w.B.v + t.y\n"
    "  end }\n"
    "move 'call' { by = 'C',\n"
    "  effect = function(w) w.C.count = w.C.count + 1; fire('flare') end }\n"
    "for i, who in ipairs({ 'A', 'B', 'C' }) do\n"
    "  trigger('t' .. i) { once = false,\n"
    "    when = function(w) return w[who].v < 90 end,\n"
    "    effect = function(w) w[who].v = w[who].v + i; w.A.alert = w.level > 40 end }\n"
    "end\n"
    "local LIST = { 'A', 'C' }\n"
    "on('turn_start', function(w)\n"
    "  if w.date.turn == 1 then w.A.v = random(10, 30) end\n"
    "  for _, id in ipairs({ 'A', 'C', 'A' }) do\n"
    "    w[id].trust.B = w[id].trust.B * 0.9 + 1 end\n"
    "  for i, id in ipairs(LIST) do w[id].count = w[id].count + i end\n"
    "  for i = 3, 1, -1 do w.level = w.level + i / 10 end\n"
    "  local n = 0\n"
    "  while n < 5 do n = n + 1; if n == 4 then break end end\n"
    "  w.B.count = w.B.count + n\n"
    "  if w.date.month == 6 then w.hot = 0 end\n"
    "  if w.date.year == 2020 then w.level = w.level - 1 end\n"
    "end)\n"
    "outcome 'end' {}\n";

/* The records of a run, then its coverage counts of writes and clamps. */
static char *trace(const char *src, uint64_t seed, uint32_t flags) {
  brink_engine *e = open_with(flags);
  cr_assert_eq(brink_load_string(e, "fx.lua", src, strlen(src)), BRINK_OK,
               "%s", brink_errmsg(e));
  transcript t = {e, calloc(1, 1), 0, 1};
  brink_on_record(e, transcript_add, &t);
  cr_assert_eq(brink_start(e, seed), BRINK_OK);
  int rc;
  while ((rc = brink_step(e)) == BRINK_OK || rc == BRINK_ESCRIPT) continue;
  cr_assert_eq(rc, BRINK_DONE, "%s", brink_errmsg(e));
  int64_t counts[64];
  int n;
  for (int kind = BRINK_COVER_WRITES; kind <= BRINK_COVER_CLAMPS; kind++) {
    cr_assert_eq(brink_coverage(e, kind, counts, 64, &n), BRINK_OK);
    for (int i = 0; i < n; i++) {
      char line[64];
      snprintf(line, sizeof line, "cover %d %d %lld\n", kind, i,
               (long long)counts[i]);
      t.text = realloc(t.text, t.len + strlen(line) + 1);
      memcpy(t.text + t.len, line, strlen(line) + 1);
      t.len += strlen(line);
    }
  }
  brink_engine_close(e);
  return t.text;
}

Test(fast, effects_run_in_c_give_the_plain_paths_records_and_counts) {
  int errors = 0, news = 0;
  for (uint64_t seed = 1; seed <= 30; seed++) {
    char *fast = trace(EFFECTS, seed, 0);
    char *plain = trace(EFFECTS, seed, BRINK_FLAG_NO_CACHE);
    cr_assert_str_eq(fast, plain, "seed %d", (int)seed);
    errors += strstr(fast, "too hot") != NULL && strstr(fast, "hot:") != NULL;
    errors += strstr(fast, "flared") != NULL;
    news += strstr(fast, "Alpha talks to") != NULL &&
            strstr(fast, "\"A!\"") != NULL && strstr(fast, "a and AA") != NULL &&
            strstr(fast, " reports ") != NULL && strstr(fast, "!, 100%") != NULL;
    free(fast);
    free(plain);
  }
  cr_assert_gt(errors, 5, "the runs should give up effects part way");
  cr_assert_gt(news, 5, "the runs should format news");
}

/* Cases the fast path once got wrong, each in a file of tests/fast/ that
   says what went wrong: each must give the plain path's records (under
   make check, the deep one also proves no register is written past). */
Test(fast, the_cases_it_once_got_wrong_give_the_plain_paths_records) {
  static const char *const files[] = {
      "tests/fast/inherited.lua", "tests/fast/inherited_list.lua",
      "tests/fast/table_to_lua.lua", "tests/fast/deep_results.lua"};
  for (size_t f = 0; f < sizeof files / sizeof files[0]; f++)
    for (uint64_t seed = 1; seed <= 3; seed++) {
      char *fast = records(files[f], NULL, seed, 0);
      char *plain = records(files[f], NULL, seed, BRINK_FLAG_NO_CACHE);
      cr_assert_str_eq(fast, plain, "%s, seed %d", files[f], (int)seed);
      cr_assert(strstr(fast, "\"t\":\"end\"") != NULL, "%s", fast);
      free(fast);
      free(plain);
    }
}
