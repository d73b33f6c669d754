/*
** bench.c: playthroughs per second of a brink scenario against the same
** work in plain Lua, measured in one process, reported as a ratio.
*/
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
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

int main(int argc, char **argv) {
  const char *dir = argc > 1 ? argv[1] : "bench";
  double seconds = argc > 2 ? atof(argv[2]) : 2;
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
  printf("  brink / plain Lua     %10.2fx\n", engine / plain);
  lua_close(L);
  brink_engine_close(e);
  return 0;
}
