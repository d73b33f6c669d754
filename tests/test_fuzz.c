/*
** A broken scenario is a message, never a crash: truncations, flipped
** bytes and spliced lines of a real scenario are loaded and, when they
** load, played under small budgets.
*/
#include "lang_fixture.h"

static uint64_t state = 88172645463325252ull;

static uint64_t next(void) {
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return state;
}

Test(fuzz, mutated_scenarios_load_or_fail_with_a_message) {
  char *text = NULL;
  size_t len = 0;
  FILE *f = fopen("scripts/scenarios/tutorial.lua", "rb");
  cr_assert_not_null(f, "run from the repository root");
  char buf[1 << 16];
  len = fread(buf, 1, sizeof buf, f);
  fclose(f);
  text = malloc(len * 2 + 1);
  brink_config cfg;
  brink_config_init(&cfg);
  cfg.max_instructions = 200000;
  cfg.max_memory = 32 << 20;
  int loaded = 0, refused = 0;
  for (int round = 0; round < 1500; round++) {
    size_t n = len;
    memcpy(text, buf, len);
    switch (round % 4) {
    case 0:   /* cut short */
      n = next() % len;
      break;
    case 1:   /* flip a few bytes */
      for (int k = 0; k < 1 + (int)(next() % 4); k++)
        text[next() % n] ^= (char)(1 << (next() % 8));
      break;
    case 2: { /* repeat a span somewhere else */
      size_t from = next() % len, span = next() % 80, at = next() % len;
      if (from + span > len) span = len - from;
      memmove(text + at + span, text + at, len - at);
      memcpy(text + at, buf + from, span);
      n = len + span;
      break;
    }
    default:  /* drop a span */
    {
      size_t at = next() % len, span = next() % 60;
      if (at + span > len) span = len - at;
      memmove(text + at, text + at + span, len - at - span);
      n = len - span;
    }
    }
    brink_engine *e;
    cr_assert_eq(brink_engine_open(&e, &cfg), BRINK_OK);
    int rc = brink_load_string(e, "fuzz.lua", text, n);
    if (rc == BRINK_OK) {
      loaded++;
      rc = brink_start(e, (uint64_t)round);
      while (rc == BRINK_OK) rc = brink_step(e);
      cr_assert(rc == BRINK_DONE || rc < 0, "round %d: %d", round, rc);
      if (rc < 0) cr_assert_neq(brink_errmsg(e)[0], '\0');
    } else {
      refused++;
      cr_assert(rc < 0);
      cr_assert_neq(brink_errmsg(e)[0], '\0', "round %d: no message", round);
      cr_assert_gt(brink_diag_count(e), 0, "round %d: no finding", round);
      cr_assert_eq(brink_actor_count(e), 0, "a failed load leaves nothing");
    }
    brink_engine_close(e);
  }
  cr_assert(loaded > 80 && refused > 400, "loaded %d, refused %d", loaded,
            refused);
  free(text);
}
