/*
** Running Lua snippets inside a sandbox (bindings/lua/sandbox.c), for the
** sandbox and conformance tests: each runs as the chunk "@t.lua" in a new
** environment of the box.
*/
#ifndef BOX_FIXTURE_H
#define BOX_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <lauxlib.h>

#include "sandbox.h"

/*
** Every sandbox test has the same timeout: a hang fails instead of blocking
** the suite, and Criterion 2.4 leaks (failing LeakSanitizer) when tests
** with different timeouts overlap under --jobs.
*/
#define BOUNDED .timeout = 120

static inline void *plain_alloc(void *ud, void *ptr, size_t osize,
                                size_t nsize) {
  (void)ud;
  (void)osize;
  if (nsize == 0) {
    free(ptr);
    return NULL;
  }
  return realloc(ptr, nsize);
}

typedef struct result {
  int status;
  char where[BRINK__BOX_WHERE];
  char msg[512];
  char value[4096];   /* the first result, as text */
} result;

static inline void open_box(brink__box *box, int64_t instructions,
                            int64_t memory, double secs) {
  cr_assert_eq(brink__box_open(box, plain_alloc, NULL, instructions,
                               memory, secs), BRINK_OK);
}

/* A new environment, kept in the registry; returns its reference. */
static inline int new_env(brink__box *box) {
  cr_assert_eq(brink__box_env(box), BRINK_OK);
  return luaL_ref(box->L, LUA_REGISTRYINDEX);
}

static inline void describe(lua_State *L, int idx, char *buf,
                            size_t cap) {
  switch (lua_type(L, idx)) {
  case LUA_TSTRING:
  case LUA_TNUMBER:
    snprintf(buf, cap, "%s", lua_tostring(L, idx));
    break;
  case LUA_TBOOLEAN:
    snprintf(buf, cap, "%s", lua_toboolean(L, idx) ? "true" : "false");
    break;
  default:
    snprintf(buf, cap, "%s", luaL_typename(L, idx));
    break;
  }
}

/* Runs 'code' as the chunk "@t.lua" in the environment 'env'. */
static inline result run_in(brink__box *box, int env, const char *code) {
  lua_State *L = box->L;
  int top = lua_gettop(L);
  result r;
  memset(&r, 0, sizeof r);
  lua_rawgeti(L, LUA_REGISTRYINDEX, env);
  r.status = brink__box_load(box, code, strlen(code), "@t.lua", -1);
  if (r.status != BRINK_OK) {
    snprintf(r.msg, sizeof r.msg, "%s", lua_tostring(L, -1));
    lua_settop(L, top);
    return r;
  }
  lua_remove(L, -2);
  r.status = brink__box_pcall(box, 0, 1, r.where, sizeof r.where, r.msg,
                              sizeof r.msg);
  if (r.status == BRINK_OK)
    describe(L, -1, r.value, sizeof r.value);
  lua_settop(L, top);
  cr_assert_eq(lua_gettop(L), top, "the stack is balanced");
  return r;
}

static inline result run(brink__box *box, const char *code) {
  return run_in(box, new_env(box), code);
}

static inline void expect_ok(brink__box *box, const char *code,
                             const char *value) {
  result r = run(box, code);
  cr_assert_eq(r.status, BRINK_OK, "%s\n-> %d %s: %s", code, r.status,
               r.where, r.msg);
  if (value)
    cr_assert_str_eq(r.value, value, "%s", code);
}

static inline void expect_error(brink__box *box, const char *code,
                                int status, const char *where,
                                const char *msg) {
  result r = run(box, code);
  cr_assert_eq(r.status, status, "%s\n-> %d %s: %s", code, r.status,
               r.where, r.msg);
  if (where)
    cr_assert_str_eq(r.where, where, "%s", code);
  if (msg)
    cr_assert_str_eq(r.msg, msg, "%s", code);
}

#endif
