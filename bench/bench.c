/*
** bench.c: playthroughs per second of a brink scenario against the same
** work in plain Lua, measured in one process, reported as a ratio; what
** the instruction budget's count hook costs plain Lua; and the batch
** throughput of a scenario (the flagship) with one and two workers, each
** with its own engine as brink batch runs them, with the peak memory of
** one worker's engine as its allocator counts it; and what a search pays
** for the game-AI calls (a clone, the legal actions, an observation) in
** playthroughs of the flagship.
*/
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "brink.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Runs 'play' for about 'seconds'; returns playthroughs per second. */
static double rate(int (*play)(void *, uint64_t), void *ud, double seconds) {
  uint64_t n = 0;
  double t0 = now(), t;
  while ((t = now()) - t0 < seconds)
    for (int i = 0; i < 50; i++, n++)
      if (play(ud, n)) exit(1);
  return (double)n / (t - t0);
}

static int play_brink(void *ud, uint64_t seed) {
  brink_engine *e = ud;
  if (brink_start(e, seed) != BRINK_OK || brink_run(e) != BRINK_DONE) {
    fprintf(stderr, "bench: %s\n", brink_errmsg(e));
    return 1;
  }
  return 0;
}

/* bench/frozen.lua with its tables made by the call (fresh) or not. */
typedef struct frozen_bench {
  brink_engine *e;
  int fresh_var;
  double fresh;
} frozen_bench;

static int play_frozen(void *ud, uint64_t seed) {
  frozen_bench *f = ud;
  if (brink_start(f->e, seed) != BRINK_OK ||
      brink_var_set(f->e, f->fresh_var, f->fresh) != BRINK_OK ||
      brink_run(f->e) != BRINK_DONE) {
    fprintf(stderr, "bench: %s\n", brink_errmsg(f->e));
    return 1;
  }
  return 0;
}

/* What freezing costs a read: the same loop over tables made while
   loading and over copies the call makes, best of 3 alternating. */
static void frozen_reads(const char *dir, double seconds) {
  char path[512];
  frozen_bench f = {NULL, -1, 0};
  snprintf(path, sizeof path, "%s/frozen.lua", dir);
  if (brink_engine_open(&f.e, NULL) || brink_load_file(f.e, path) ||
      brink_var_find(f.e, "fresh", &f.fresh_var)) {
    fprintf(stderr, "bench: %s\n", brink_errmsg(f.e));
    exit(1);
  }
  double frozen = 0, fresh = 0;
  for (int i = 0; i < 3; i++) {
    f.fresh = 0;
    frozen = fmax(frozen, rate(play_frozen, &f, seconds / 3));
    f.fresh = 1;
    fresh = fmax(fresh, rate(play_frozen, &f, seconds / 3));
  }
  printf("\nreading tables made while loading (frozen) against copies made "
         "by the call, 40000 loops of 4 reads, best of 3\n");
  printf("  playthroughs/s        %10.0f frozen, %.0f fresh: %.2fx\n", frozen,
         fresh, fresh / frozen);
  brink_engine_close(f.e);
}

static int play_plain(void *ud, uint64_t seed) {
  lua_State *L = ud;
  lua_pushvalue(L, 1);
  lua_pushinteger(L, (lua_Integer)seed);
  if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
    fprintf(stderr, "bench: %s\n", lua_tostring(L, -1));
    return 1;
  }
  lua_pop(L, 1);
  return 0;
}

/*
** The two sides of section 1 must do the same work: over 'n' seeds each,
** the share of runs that end "boom" and the means of A.v20 (written by
** triggers) and B.v1 (by a move) must agree within 4 standard errors
** (their generators differ, so only the distributions can).  Returns 0
** when they do.
*/
typedef struct tally {
  double n, boom, sum[2], sq[2];
} tally;

static void tally_add(tally *t, bool boom, double v20, double v1) {
  t->n++;
  t->boom += boom;
  t->sum[0] += v20;
  t->sq[0] += v20 * v20;
  t->sum[1] += v1;
  t->sq[1] += v1 * v1;
}

/* Do means m1 (of x1, x1^2 sums s1, q1) and m2 agree within 4 SE? */
static bool agree(double n, double s1, double q1, double s2, double q2) {
  double m1 = s1 / n, m2 = s2 / n;
  double v1 = fmax(q1 / n - m1 * m1, 0), v2 = fmax(q2 / n - m2 * m2, 0);
  return fabs(m1 - m2) <= 4 * sqrt((v1 + v2) / n) + 1e-9;
}

static int same_work(brink_engine *e, lua_State *L, int n) {
  tally b = {0}, p = {0};
  int v20, v1;
  if (brink_var_find(e, "A.v20", &v20) || brink_var_find(e, "B.v1", &v1))
    return 1;
  for (int seed = 1; seed <= n; seed++) {
    double x, y;
    if (brink_start(e, (uint64_t)seed) != BRINK_OK ||
        brink_run(e) != BRINK_DONE || brink_var_get(e, v20, &x) ||
        brink_var_get(e, v1, &y))
      return 1;
    tally_add(&b, strcmp(brink_outcome(e), "boom") == 0, x, y);
    lua_pushvalue(L, 1);
    lua_pushinteger(L, seed);
    if (lua_pcall(L, 1, 3, 0) != LUA_OK) return 1;
    tally_add(&p, strcmp(lua_tostring(L, -3), "boom") == 0,
              lua_tonumber(L, -2), lua_tonumber(L, -1));
    lua_pop(L, 3);
  }
  bool ok = agree(n, b.boom, b.boom, p.boom, p.boom) &&
            agree(n, b.sum[0], b.sq[0], p.sum[0], p.sq[0]) &&
            agree(n, b.sum[1], b.sq[1], p.sum[1], p.sq[1]);
  printf("  the same work, %d seeds each: boom %.3f / %.3f, mean A.v20 "
         "%.2f / %.2f, mean B.v1 %.2f / %.2f: %s\n", n, b.boom / n,
         p.boom / n, b.sum[0] / n, p.sum[0] / n, b.sum[1] / n, p.sum[1] / n,
         ok ? "the same distributions" : "DIFFERENT");
  return ok ? 0 : 1;
}

/* Does what the engine's budget hook does every 1000 instructions, less
   the clock: the cost measured is the hook's, not the work in it. */
static void count_hook(lua_State *L, lua_Debug *ar) {
  (void)ar;
  static volatile long calls;
  calls += lua_gethookcount(L);
}

/* An allocator that counts the bytes an engine holds, and their peak. */
typedef struct counter {
  size_t now, peak;
} counter;

static void *counting_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  counter *c = ud;
  if (ptr == NULL) osize = 0;
  if (nsize == 0) {
    free(ptr);
    c->now -= osize;
    return NULL;
  }
  void *p = realloc(ptr, nsize);
  if (p == NULL) return NULL;
  c->now += nsize - osize;
  if (c->now > c->peak) c->peak = c->now;
  return p;
}

/* One batch worker: its own engine, the scenario loaded once, runs with
   seeds first, first + step, ... until the deadline. */
typedef struct worker {
  const char *path;
  uint64_t first, step;
  double until;
  long runs;
  counter mem;
  int failed;
  pthread_t thread;
} worker;

static void *work(void *arg) {
  worker *w = arg;
  brink_config cfg;
  brink_config_init(&cfg);
  cfg.alloc = counting_alloc;
  cfg.alloc_ud = &w->mem;
  brink_engine *e;
  if (brink_engine_open(&e, &cfg) || brink_load_file(e, w->path)) {
    fprintf(stderr, "bench: %s\n", brink_errmsg(e));
    w->failed = 1;
    brink_engine_close(e);
    return NULL;
  }
  uint64_t seed = w->first;
  while (now() < w->until)
    for (int i = 0; i < 20; i++, seed += w->step, w->runs++) {
      int rc = brink_start(e, seed);
      if (rc == BRINK_OK) rc = brink_run(e);
      if (rc != BRINK_DONE) brink_finish(e, "error");   /* counted: a run */
    }
  brink_engine_close(e);
  return NULL;
}

/* The records of a run digested as brink batch's verification does: each
   one's JSON text, hashed (FNV-1a), never kept. */
typedef struct digest {
  brink_engine *e;
  char buf[1 << 16];
  uint64_t h;
} digest;

static void on_digest(void *ud, const brink_record *r) {
  digest *d = ud;
  int n = brink_record_json(d->e, r, d->buf, sizeof d->buf);
  for (int i = 0; i < n && i < (int)sizeof d->buf; i++)
    d->h = (d->h ^ (uint8_t)d->buf[i]) * 0x100000001b3ull;
}

static int play_digested(void *ud, uint64_t seed) {
  digest *d = ud;
  int rc = brink_start(d->e, seed);
  if (rc == BRINK_OK) rc = brink_run(d->e);
  if (rc != BRINK_DONE) brink_finish(d->e, "error");
  return 0;
}

/* A run played again as brink batch verifies one: an engine of its own,
   the scenario loaded from its text, the run played and digested. */
typedef struct fresh {
  const char *path;
  char *text;
  size_t len;
  digest d;
} fresh;

static int replay_fresh(void *ud, uint64_t seed) {
  fresh *f = ud;
  if (brink_engine_open(&f->d.e, NULL) ||
      brink_load_string(f->d.e, f->path, f->text, f->len)) {
    fprintf(stderr, "bench: %s\n", brink_errmsg(f->d.e));
    return 1;
  }
  brink_on_record(f->d.e, on_digest, &f->d);
  play_digested(&f->d, seed);
  brink_engine_close(f->d.e);
  return 0;
}

/* Runs/s of 'jobs' workers for 'seconds'; the peak bytes of worker 0. */
static double batch_rate(const char *path, int jobs, double seconds,
                         size_t *peak) {
  worker w[2];
  memset(w, 0, sizeof w);
  double t0 = now();
  for (int i = 0; i < jobs; i++) {
    w[i] = (worker){path, (uint64_t)i, (uint64_t)jobs, t0 + seconds, 0,
                    {0, 0}, 0, 0};
    if (pthread_create(&w[i].thread, NULL, work, &w[i]) != 0) exit(1);
  }
  long runs = 0;
  for (int i = 0; i < jobs; i++) {
    pthread_join(w[i].thread, NULL);
    if (w[i].failed) exit(1);
    runs += w[i].runs;
  }
  *peak = w[0].mem.peak;
  return (double)runs / (now() - t0);
}

/*
** What brink batch's verification costs, in runs: a run of the sample is
** digested in the batch, then played again in a fresh engine.  A
** re-played run costs (replay + digested run - plain run) / plain run.
*/
static void verification(const char *path, double seconds) {
  static fresh f;
  static digest d;
  FILE *in = fopen(path, "rb");
  if (in == NULL) exit(1);
  f.path = path;
  f.text = malloc(1 << 22);
  f.len = fread(f.text, 1, 1 << 22, in);
  fclose(in);
  if (brink_engine_open(&d.e, NULL) ||
      brink_load_string(d.e, path, f.text, f.len)) {
    fprintf(stderr, "bench: %s\n", brink_errmsg(d.e));
    exit(1);
  }
  brink_on_record(d.e, on_digest, &d);
  double plain = 0, digested = 0, replays = 0;
  size_t peak;
  for (int i = 0; i < 3; i++) {
    plain = fmax(plain, batch_rate(path, 1, seconds / 3, &peak));
    digested = fmax(digested, rate(play_digested, &d, seconds / 3));
    replays = fmax(replays, rate(replay_fresh, &f, seconds / 3));
  }
  brink_engine_close(d.e);
  free(f.text);
  double cost = plain / replays + plain / digested - 1;
  printf("\nbrink batch's verification of %s, best of 3\n", path);
  printf("  runs/s, records digested %7.0f  (%.2fx a plain run)\n", digested,
         plain / digested);
  printf("  re-plays/s, fresh engine %7.0f  (load, run, digest)\n", replays);
  printf("  one run verified costs   %7.1f runs\n", cost);
  const long sizes[] = {2000, 10000, 100000};
  for (int i = 0; i < 3; i++) {
    long k = sizes[i] / 2000 > 1 ? sizes[i] / 2000 : 1;   /* batch.c */
    printf("  --runs %-7ld verifies %3ld: %5.2f%% of the batch\n", sizes[i], k,
           100.0 * cost * (double)k / (double)sizes[i]);
  }
}

/* The game-AI calls on an engine part way through a flagship run. */
typedef struct game {
  brink_engine *e;
  int nactors;
  double *obs;
} game;

static int play_game(void *ud, uint64_t seed) {
  game *g = ud;
  return play_brink(g->e, seed);
}

static int clone_game(void *ud, uint64_t n) {
  game *g = ud;
  brink_engine *c;
  (void)n;
  if (brink_engine_clone(g->e, &c) != BRINK_OK) return 1;
  brink_engine_close(c);
  return 0;
}

/* The fast path a search may take instead of a clone. */
static int snapshot_game(void *ud, uint64_t n) {
  game *g = ud;
  brink_snapshot *snap;
  (void)n;
  if (brink_snapshot_take(g->e, &snap) != BRINK_OK) return 1;
  int rc = brink_snapshot_restore(g->e, snap);
  brink_snapshot_free(snap);
  return rc != BRINK_OK;
}

static int legal_game(void *ud, uint64_t n) {
  game *g = ud;
  int out[512], k;
  return brink_legal_actions(g->e, (int)(n % (uint64_t)g->nactors), out, 512,
                             &k) != BRINK_OK;
}

static int observe_game(void *ud, uint64_t n) {
  game *g = ud;
  return brink_observation(g->e, (int)(n % (uint64_t)g->nactors), g->obs,
                           brink_observation_size(g->e)) != BRINK_OK;
}

/* Each call's rate and its cost in playthroughs, best of 3 alternating. */
static void game_calls(const char *path, double seconds) {
  game g;
  if (brink_engine_open(&g.e, NULL) || brink_load_file(g.e, path)) {
    fprintf(stderr, "bench: %s\n", brink_errmsg(g.e));
    exit(1);
  }
  g.nactors = brink_actor_count(g.e);
  g.obs = calloc((size_t)brink_observation_size(g.e), sizeof(double));
  int (*calls[])(void *, uint64_t) = {play_game, clone_game, snapshot_game,
                                      legal_game, observe_game};
  const char *names[] = {"playthroughs/s", "clones/s",
                         "snapshot+restores/s", "legal-actions/s",
                         "observations/s"};
  double best[5] = {0, 0, 0, 0, 0};
  for (int i = 0; i < 3; i++)
    for (int c = 0; c < 5; c++) {
      /* Part way through a run: turn 7 of seed 1. */
      if (brink_start(g.e, 1) != BRINK_OK) exit(1);
      for (int t = 0; t < 6; t++)
        if (brink_step(g.e) != BRINK_OK) exit(1);
      best[c] = fmax(best[c], rate(calls[c], &g, seconds / 15));
    }
  printf("\nthe game-AI calls on %s in turn 7, each in playthroughs of it, "
         "best of 3\n", path);
  printf("  %-21s %10.0f\n", names[0], best[0]);
  for (int c = 1; c < 5; c++)
    printf("  %-21s %10.0f  (%.5f playthroughs each)\n", names[c], best[c],
           best[0] / best[c]);
  free(g.obs);
  brink_engine_close(g.e);
}

/*
** The scaling table: bench/world.lua's shape (20 variables an actor, its
** three moves, 5 condition triggers an actor, 20 monthly turns) at 6, 24
** and 96 actors, as generated text; and the same 6 actors with 1,000
** more triggers whose conditions read a value nothing writes, against
** none: the triggers' work should follow what changed, not their number.
*/
static char *scale_text(int actors, int triggers, int quiet) {
  size_t cap = 4096 + 400 * (size_t)(actors + triggers + quiet), len = 0;
  char *s = malloc(cap);
  len += (size_t)snprintf(s + len, cap - len,
      "scenario { id = 'scale', start = '2019-05-01', finish = "
      "'2020-12-31', turn = 'month', default_outcome = 'timeout' }\n"
      "local ACTORS = {}\n"
      "for i = 1, %d do ACTORS[i] = 'A' .. i; actor('A' .. i) {} end\n"
      "for k = 1, 20 do var('*.v' .. k) { min = 0, max = 100, "
      "init = 10 + k } end\n"
      "move 'build' { by = '*',\n"
      "  when = function(w, m) return w[m.by].v1 < 100, 'full' end,\n"
      "  effect = function(w, m) local a = w[m.by]; a.v1 = a.v1 + 3; "
      "a.v2 = a.v2 + 1 end,\n"
      "  weight = function(w, m) return 1 + w[m.by].v3 / 50 end }\n"
      "move 'trade' { by = '*',\n"
      "  when = function(w, m) return w[m.by].v4 > 5, 'nothing' end,\n"
      "  effect = function(w, m) local a = w[m.by]; a.v4 = a.v4 - 2; "
      "a.v5 = a.v5 + 2 end }\n"
      "move 'posture' { by = '*',\n"
      "  effect = function(w, m) local a = w[m.by]; a.v6 = a.v6 + 1 end,\n"
      "  weight = function(w, m) return w[m.by].v7 / 20 end }\n"
      "for i = 1, %d do\n"
      "  local id, key = ACTORS[(i - 1) %% #ACTORS + 1], "
      "'v' .. ((i - 1) %% 10 + 1)\n"
      "  trigger('t' .. i) { once = i %% 2 == 0,\n"
      "    when = function(w) return w[id][key] > 40 end,\n"
      "    effect = function(w) local a = w[id]; a.v20 = a.v20 + 1 end }\n"
      "end\n"
      "for i = 1, %d do\n"
      "  local id = ACTORS[(i - 1) %% #ACTORS + 1]\n"
      "  trigger('q' .. i) { when = function(w) return w[id].v15 > 99 end,\n"
      "    effect = function(w) w[id].v15 = 0 end }\n"
      "end\n"
      "outcome 'timeout' { doc = 'the calendar ran out' }\n",
      actors, triggers, quiet);
  return s;
}

static brink_engine *scale_engine(int actors, int triggers, int quiet) {
  char *text = scale_text(actors, triggers, quiet);
  brink_engine *e;
  if (brink_engine_open(&e, NULL) ||
      brink_load_string(e, "scale.lua", text, strlen(text))) {
    fprintf(stderr, "bench: %s\n", brink_errmsg(e));
    exit(1);
  }
  free(text);
  return e;
}

static void scaling(double seconds) {
  static const int sizes[3][2] = {{6, 30}, {24, 120}, {96, 480}};
  brink_engine *e[3];
  double best[3] = {0, 0, 0};
  for (int k = 0; k < 3; k++) e[k] = scale_engine(sizes[k][0], sizes[k][1], 0);
  for (int i = 0; i < 3; i++)
    for (int k = 0; k < 3; k++)
      best[k] = fmax(best[k], rate(play_brink, e[k], seconds / 9) *
                                  sizes[k][0] * 20);
  printf("\nscaling: bench/world.lua's shape, 20 turns, best of 3\n");
  printf("  actors  triggers   actor-turns/s   us per actor-turn   vs 6\n");
  for (int k = 0; k < 3; k++) {
    printf("  %6d  %8d  %14.0f  %18.2f  %5.2fx\n", sizes[k][0],
           sizes[k][1], best[k], 1e6 / best[k], best[0] / best[k]);
    brink_engine_close(e[k]);
  }
  brink_engine *none = scale_engine(6, 30, 0),
               *quiet = scale_engine(6, 30, 1000);
  double r0 = 0, r1 = 0;
  for (int i = 0; i < 3; i++) {
    r0 = fmax(r0, rate(play_brink, none, seconds / 6));
    r1 = fmax(r1, rate(play_brink, quiet, seconds / 6));
  }
  printf("  1,000 triggers reading values nothing changes: %.0f runs/s "
         "against %.0f without: %.2fx the cost\n", r1, r0, r0 / r1);
  brink_engine_close(none);
  brink_engine_close(quiet);
}

int main(int argc, char **argv) {
  const char *dir = argc > 1 ? argv[1] : "bench";
  double seconds = argc > 2 ? atof(argv[2]) : 2;
  const char *flagship = argc > 3 ? argv[3] : NULL;
  char path[512];
  brink_engine *e;
  snprintf(path, sizeof path, "%s/world.lua", dir);
  if (brink_engine_open(&e, NULL) || brink_load_file(e, path)) {
    fprintf(stderr, "bench: %s\n", brink_errmsg(e));
    return 1;
  }
  lua_State *L = luaL_newstate();
  luaL_openlibs(L);
  snprintf(path, sizeof path, "%s/plain.lua", dir);
  if (luaL_dofile(L, path) != LUA_OK) {
    fprintf(stderr, "bench: %s\n", lua_tostring(L, -1));
    return 1;
  }
  double plain = rate(play_plain, L, seconds);
  double engine = rate(play_brink, e, seconds);
  printf("playthroughs/s, 6 actors x 20 variables, 30 triggers, 20 turns\n");
  printf("  plain Lua tables      %10.0f  (%.1f us each)\n", plain,
         1e6 / plain);
  printf("  brink                 %10.0f  (%.1f us each)\n", engine,
         1e6 / engine);
  printf("  brink / plain Lua     %10.2fx (at least 6x)\n", engine / plain);
  if (same_work(e, L, 4000) != 0) {
    fprintf(stderr, "bench: brink and plain Lua do not do the same work\n");
    return 1;
  }
  /* Alternating short trials, best of each: other processes on a shared
     machine slow a trial down, never speed it up. */
  double bare = 0, hooked = 0;
  for (int i = 0; i < 3; i++) {
    bare = fmax(bare, rate(play_plain, L, seconds / 3));
    lua_sethook(L, count_hook, LUA_MASKCOUNT, 1000);
    hooked = fmax(hooked, rate(play_plain, L, seconds / 3));
    lua_sethook(L, NULL, 0, 0);
  }
  printf("\nthe instruction budget's count hook (every 1000 instructions) "
         "on plain Lua, best of 3\n");
  printf("  playthroughs/s        %10.0f without, %.0f with: %.2fx\n", bare,
         hooked, bare / hooked);
  /* Bytecode alone, where the hook's per-instruction check is all the
     difference: the upper bound of its cost. */
  luaL_loadstring(L, "local x = 0 for i = 1, 3000000 do x = x + i % 7 end "
                     "return x");
  double spin = 1e9, spin_hooked = 1e9;
  for (int i = 0; i < 3; i++) {
    for (int hooked_run = 0; hooked_run < 2; hooked_run++) {
      if (hooked_run) lua_sethook(L, count_hook, LUA_MASKCOUNT, 1000);
      lua_pushvalue(L, -1);
      double t0 = now();
      lua_call(L, 0, 1);
      double dt = now() - t0;
      lua_pop(L, 1);
      lua_sethook(L, NULL, 0, 0);
      if (hooked_run) spin_hooked = fmin(spin_hooked, dt);
      else spin = fmin(spin, dt);
    }
  }
  lua_pop(L, 1);
  printf("  a bytecode loop       %10.1f ns/iteration without, %.1f with: "
         "%.2fx\n", spin / 3e6 * 1e9, spin_hooked / 3e6 * 1e9,
         spin_hooked / spin);
  lua_close(L);
  brink_engine_close(e);
  frozen_reads(dir, seconds);
  scaling(seconds);
  if (flagship) {
    size_t peak1 = 0, peak2;
    double one = 0, two = 0;
    for (int i = 0; i < 3; i++) {
      size_t peak;
      one = fmax(one, batch_rate(flagship, 1, seconds / 3, &peak));
      if (peak > peak1) peak1 = peak;
      two = fmax(two, batch_rate(flagship, 2, seconds / 3, &peak2));
    }
    printf("\nbatch runs/s of %s, one engine per worker, best of 3\n",
           flagship);
    printf("  1 worker              %10.0f  (%.1f us each)\n", one,
           1e6 / one);
    printf("  2 workers             %10.0f\n", two);
    printf("  2 workers / 1         %10.2fx\n", two / one);
    printf("  peak memory, 1 worker %10.2f MiB (engine and Lua state, as "
           "its allocator counts)\n", (double)peak1 / (1 << 20));
    verification(flagship, seconds);
    game_calls(flagship, seconds);
  }
  return 0;
}
