/* Running scenario text through the public API, for language tests. */
#ifndef LANG_FIXTURE_H
#define LANG_FIXTURE_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brink.h"

typedef struct transcript {
  brink_engine *e;
  char *text;          /* JSON Lines */
  size_t len, cap;
} transcript;

static inline void transcript_add(void *ud, const brink_record *r) {
  transcript *t = ud;
  int n = brink_record_json(t->e, r, NULL, 0);
  cr_assert(n > 0);
  if (t->len + (size_t)n + 2 > t->cap) {
    t->cap = (t->len + (size_t)n + 2) * 2;
    t->text = realloc(t->text, t->cap);
  }
  brink_record_json(t->e, r, t->text + t->len, (size_t)n + 1);
  t->len += (size_t)n;
  t->text[t->len++] = '\n';
  t->text[t->len] = '\0';
}

/* Loads 'src' as "test.lua"; fails the test with the diagnostics if it
   does not load. */
static inline brink_engine *load_ok(const char *src) {
  brink_engine *e;
  cr_assert_eq(brink_engine_open(&e, NULL), BRINK_OK);
  int rc = brink_load_string(e, "test.lua", src, strlen(src));
  cr_assert_eq(rc, BRINK_OK, "load failed: %s", brink_errmsg(e));
  return e;
}

/* Loads 'src', which must fail; returns the first message (static). */
static inline const char *load_error(const char *src) {
  static char msg[1024];
  brink_engine *e;
  cr_assert_eq(brink_engine_open(&e, NULL), BRINK_OK);
  int rc = brink_load_string(e, "test.lua", src, strlen(src));
  cr_assert_neq(rc, BRINK_OK, "loaded, but should not have");
  snprintf(msg, sizeof msg, "%s", brink_diag_count(e) ? brink_diag_get(e, 0)
                                                      : brink_errmsg(e));
  brink_engine_close(e);
  return msg;
}

/* Plays 'src' to its end with 'seed'; returns the JSONL (caller frees)
   and the final status in *status. */
static inline char *play(const char *src, uint64_t seed, int *status) {
  brink_engine *e = load_ok(src);
  transcript t = {e, calloc(1, 1), 0, 1};
  brink_on_record(e, transcript_add, &t);
  cr_assert_eq(brink_start(e, seed), BRINK_OK);
  int rc = brink_run(e);
  if (rc != BRINK_DONE) brink_finish(e, "error");
  if (status) *status = rc;
  brink_engine_close(e);
  return t.text;
}

/* The number of variable or actor 'name'; fails the test if unknown. */
static inline int var_id(brink_engine *e, const char *name) {
  int v;
  cr_assert_eq(brink_var_find(e, name, &v), BRINK_OK, "%s", name);
  return v;
}

static inline int actor_id(brink_engine *e, const char *name) {
  int a;
  cr_assert_eq(brink_actor_find(e, name, &a), BRINK_OK, "%s", name);
  return a;
}

/* A scenario's head, its default outcome declared on the same line (as it
   must be, and so every line number stays).  HEADER_OPEN leaves the
   declaration to the test (a payoff, a when). */
#define HEADER_OPEN                                                         \
  "scenario { id = 't', start = '2019-05-01', finish = '2019-12-31', "     \
  "turn = 'month', default_outcome = 'stalemate' }"
#define HEADER HEADER_OPEN " outcome 'stalemate' { doc = 'nothing else' }\n"

#define assert_has(text, needle)                                            \
  cr_assert(strstr((text), (needle)) != NULL, "missing: %s\nin:\n%s",      \
            (needle), (text))
#define assert_lacks(text, needle)                                          \
  cr_assert(strstr((text), (needle)) == NULL, "unexpected: %s\nin:\n%s",   \
            (needle), (text))

/* Plays 'src', which must fail in its first turn; returns its error
   record (static). */
static inline const char *error_of(const char *src) {
  static char line[2048];
  int rc;
  char *log = play(src, 1, &rc);
  cr_assert_neq(rc, BRINK_DONE, "the run should have failed:\n%s", log);
  const char *err = strstr(log, "{\"t\":\"error\"");
  cr_assert_not_null(err, "no error record:\n%s", log);
  const char *end = strchr(err, '\n');
  snprintf(line, sizeof line, "%.*s", (int)(end - err), err);
  cr_assert(strstr(log, "\"outcome\":\"error\""), "no error end:\n%s", log);
  free(log);
  return line;
}

#define assert_error(src, where, in, msg)                                   \
  cr_assert_str_eq(error_of(src),                                           \
                   "{\"t\":\"error\",\"turn\":1,\"where\":\"" where         \
                   "\",\"in\":\"" in "\",\"message\":\"" msg "\"}")


#endif
