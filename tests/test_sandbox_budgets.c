/*
** test_sandbox_budgets.c: the budgets of the sandbox: instructions, wall
** clock, memory, stack and long C calls; nothing swallows a kill; every
** allocation may fail.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>
#include <lauxlib.h>
#include <lualib.h>

#include "box_fixture.h"
#include "sandbox.h"

#define MIB ((int64_t)1024 * 1024)

/* Fails every allocation after the first 'left' ones. */
typedef struct failing {
  long left;
} failing;

static void *failing_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  failing *f = ud;
  (void)osize;
  if (nsize == 0) {
    free(ptr);
    return NULL;
  }
  if (f->left <= 0)
    return NULL;
  f->left--;
  return realloc(ptr, nsize);
}

static double seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---------------------------------------------------------------------- */
/* budgets                                                                 */
/* ---------------------------------------------------------------------- */

Test(sandbox, runaway_loop_meets_the_instruction_budget, BOUNDED) {
  brink__box box;
  open_box(&box, 100000, 0, 0);
  expect_error(&box, "local x = 0\nwhile true do x = x + 1 end",
               BRINK_EBUDGET, "t.lua:2",
               "instruction budget exceeded (100000 instructions)");
  /* The next call has a fresh budget. */
  expect_ok(&box, "local n = 0 for i = 1, 1000 do n = n + i end return n",
            "500500");
  cr_assert_eq(box.killed, BRINK__KILL_NONE);
  brink__box_close(&box);
}

Test(sandbox, no_catch_swallows_the_kill, BOUNDED) {
  static const char *const escapes[] = {
    "while true do pcall(function() while true do end end) end",
    "while true do pcall(pcall, function() while true do end end) end",
    "local function f() while true do end end\n"
    "while true do xpcall(f, function(e) return e end) end",
    "while true do xpcall(function() while true do end end,\n"
    "  function() while true do end end) end",
    "while true do xpcall(error, function() while true do end end) end",
    "while true do xpcall(function() while true do end end,\n"
    "  function() error('again') end) end",
    "while true do xpcall(function() while true do end end,\n"
    "  function(e) local ok = pcall(error, e) while true do end end) end",
    "while true do pcall(error) end",
    "local co = coroutine.wrap(function() while true do end end)\n"
    "while true do pcall(co) end",
    "while true do\n"
    "  coroutine.resume(coroutine.create(function() while true do end end))\n"
    "end",
    "while true do\n"
    "  pcall(coroutine.wrap(function()\n"
    "    pcall(function() coroutine.yield() while true do end end)\n"
    "  end))\n"
    "end",
    "local co = coroutine.wrap(function()\n"
    "  while true do pcall(function() coroutine.yield() end) end end)\n"
    "while true do pcall(co) end",
    "do local x <close> = setmetatable({}, {__close = function()\n"
    "  while true do end end}) while true do end end",
    "while true do pcall(function()\n"
    "  local x <close> = setmetatable({}, {__close = function()\n"
    "    while true do end end})\n"
    "  error('x') end) end",
    "while true do pcall(function()\n"
    "  local x <close> = setmetatable({}, {__close = function()\n"
    "    pcall(function() while true do end end) end})\n"
    "  while true do end end) end",
    "local t = setmetatable({}, {__index = function() while true do end "
    "end})\nwhile true do pcall(function() return t.x end) end",
    "error(setmetatable({}, {__tostring = function() while true do end "
    "end}))",
    "while true do pcall(load('while true do end')) end",
    "while true do pcall(string.gsub, 'aaa', 'a', function()\n"
    "  while true do end end) end",
    "while true do pcall(table.sort, {3, 2, 1}, function()\n"
    "  while true do end end) end",
    "while true do pcall(tostring, setmetatable({}, {__tostring =\n"
    "  function() while true do end end})) end",
    "while true do pcall(pairs, setmetatable({}, {__pairs =\n"
    "  function() while true do end end})) end",
    "while true do pcall(coroutine.close, coroutine.create(function() end))"
    " end",
    NULL
  };
  const char *const *code;
  brink__box box;
  open_box(&box, 200000, 0, 0);
  for (code = escapes; *code; code++) {
    double t0 = seconds();
    result r = run(&box, *code);
    cr_assert_eq(r.status, BRINK_EBUDGET, "%s\n-> %d %s: %s", *code,
                 r.status, r.where, r.msg);
    cr_assert_str_eq(r.msg, "instruction budget exceeded (200000 "
                     "instructions)", "%s", *code);
    cr_assert_lt(seconds() - t0, 10.0, "%s", *code);
  }
  brink__box_close(&box);
}

Test(sandbox, coroutines_made_before_a_kill_are_stopped_and_recover, BOUNDED) {
  brink__box box;
  int env;
  open_box(&box, 100000, 0, 0);
  env = new_env(&box);
  cr_assert_eq(run_in(&box, env, "co = coroutine.create(function()\n"
                      "  local n = 0\n"
                      "  while true do n = n + 1 coroutine.yield(n) end\n"
                      "end)\n"
                      "coroutine.resume(co)").status, BRINK_OK);
  cr_assert_eq(run_in(&box, env, "while true do pcall(coroutine.resume, "
                      "co) end").status, BRINK_EBUDGET);
  /* Its hook is back to normal in the next call. */
  cr_assert_str_eq(run_in(&box, env, "local v\n"
                          "for i = 1, 10 do v = select(2, "
                          "coroutine.resume(co)) end\n"
                          "return coroutine.status(co)").value, "suspended");
  /* Killed while running inside the coroutine itself. */
  cr_assert_eq(run_in(&box, env, "loop = coroutine.create(function()\n"
                      "  while true do end end)\n"
                      "while true do pcall(coroutine.resume, loop) end")
               .status, BRINK_EBUDGET);
  cr_assert_str_eq(run_in(&box, env, "return coroutine.status(loop)").value,
                   "dead");
  brink__box_close(&box);
}

/*
** A coroutine that yields before its hook first runs must still be
** counted: 10^4 coroutines of 150 loop steps (at least 3 instructions
** each) are charged at least what they ran, and the same every time;
** loop steps of 2 instructions in the main thread likewise.
*/
Test(sandbox, short_coroutines_are_counted_the_same_every_time, BOUNDED) {
  brink__box box;
  int env;
  int64_t first;
  const char *code =
      "local n = 0\n"
      "for k = 1, 10000 do\n"
      "  coroutine.wrap(function() for j = 1, 150 do n = n + 1 end end)()\n"
      "end\n"
      "return n";
  open_box(&box, 0, 0, 0);
  env = new_env(&box);
  cr_assert_str_eq(run_in(&box, env, code).value, "1500000");
  first = box.instructions;
  cr_assert_geq(first, (int64_t)10000 * 150 * 3, "%lld", (long long)first);
  cr_assert_str_eq(run_in(&box, env, code).value, "1500000");
  cr_assert_eq(box.instructions, first);
  /* Resuming the main thread fails, and must not restart its count. */
  cr_assert_str_eq(run_in(&box, env, "local main, n = coroutine.running(), 0\n"
                          "for k = 1, 10000 do\n"
                          "  for j = 1, 200 do n = n + j end\n"
                          "  coroutine.resume(main)\n"
                          "end\n"
                          "return n").value, "201000000");
  cr_assert_geq(box.instructions, (int64_t)10000 * 200 * 2, "%lld",
                (long long)box.instructions);
  brink__box_close(&box);
}

Test(sandbox, killed_coroutine_close_handlers_never_run_unmetered, BOUNDED) {
  brink__box box;
  int env;
  result r;
  open_box(&box, 100000, 0, 0);
  env = new_env(&box);
  r = run_in(&box, env, "co = coroutine.create(function()\n"
             "  local x <close> = setmetatable({}, {__close = function()\n"
             "    while true do end end})\n"
             "  while true do end\n"
             "end)\n"
             "coroutine.resume(co)");
  cr_assert_eq(r.status, BRINK_EBUDGET, "%s", r.msg);
  cr_assert_str_eq(r.where, "t.lua:4");
  r = run_in(&box, env, "local ok, e = coroutine.close(co)\n"
             "return tostring(ok) .. ': ' .. e");
  cr_assert_eq(r.status, BRINK_OK, "%s", r.msg);
  cr_assert_str_eq(r.value, "false: cannot close a coroutine stopped by a "
                   "script budget");
  /* An ordinary error: wrap closes the variables, metered. */
  r = run_in(&box, env, "closed = false\n"
             "local f = coroutine.wrap(function()\n"
             "  local x <close> = setmetatable({}, {__close = function()\n"
             "    closed = true end})\n"
             "  error('inner')\n"
             "end)\n"
             "local ok, e = pcall(f)\n"
             "return tostring(closed) .. ' ' .. e");
  cr_assert_str_eq(r.value, "true t.lua:5: inner");
  brink__box_close(&box);
}

Test(sandbox, protected_calls_still_work, BOUNDED) {
  brink__box box;
  open_box(&box, 0, 0, 0);
  expect_ok(&box, "return select('#', pcall(function() return 1, 2, 3 "
            "end))", "4");
  expect_ok(&box, "return select(2, pcall(error, 'x', 0))", "x");
  expect_ok(&box, "return select(2, xpcall(error, function(e)\n"
            "  return 'handled: ' .. e end, 'x', 0))", "handled: x");
  expect_ok(&box, "return select(2, xpcall(function(a, b) return a + b "
            "end, tostring, 2, 3))", "5");
  expect_ok(&box, "local f = coroutine.wrap(function()\n"
            "  local ok, v = pcall(function()\n"
            "    return coroutine.yield(1) + 1 end)\n"
            "  return v end)\n"
            "f()\n"
            "return f(41)", "42");
  expect_ok(&box, "local co = coroutine.create(function(a)\n"
            "  local b = coroutine.yield(a + 1) return b * 2 end)\n"
            "local _, x = coroutine.resume(co, 1)\n"
            "local _, y = coroutine.resume(co, 10)\n"
            "local ok, e = coroutine.resume(co)\n"
            "return x .. ' ' .. y .. ' ' .. tostring(ok) .. ' ' .. e",
            "2 20 false cannot resume dead coroutine");
  expect_ok(&box, "local ok, e = pcall(coroutine.wrap(function() "
            "error('w') end))\nreturn e", "t.lua:1: w");
  brink__box_close(&box);
}

Test(sandbox, wall_clock_deadline_stops_a_call, BOUNDED) {
  brink__box box;
  double t0;
  open_box(&box, INT64_MAX / 2, 0, 0.2);
  t0 = seconds();
  expect_error(&box, "while true do end", BRINK_EBUDGET, "t.lua:1",
               "time budget exceeded (0.2 s)");
  cr_assert_lt(seconds() - t0, 3.0);
  cr_assert_eq(box.killed, BRINK__KILL_TIME);
  brink__box_close(&box);
}

Test(sandbox, memory_cap_is_a_budget_that_pcall_cannot_swallow, BOUNDED) {
  brink__box box;
  open_box(&box, 0, 8 * MIB, 0);
  expect_error(&box, "local t = {} for i = 1, 1e8 do t[i] = {} end",
               BRINK_EBUDGET, NULL, "memory budget exceeded (8 MiB)");
  expect_error(&box, "while true do pcall(function()\n"
               "  local t = {} for i = 1, 1e8 do t[i] = {} end end) end",
               BRINK_EBUDGET, NULL, "memory budget exceeded (8 MiB)");
  expect_error(&box, "local t = {}\n"
               "local co = coroutine.wrap(function()\n"
               "  for i = 1, 1e8 do t[i] = {} end end)\n"
               "while true do pcall(co) end",
               BRINK_EBUDGET, NULL, "memory budget exceeded (8 MiB)");
  cr_assert_leq(box.mem_used, box.mem_cap);
  expect_ok(&box, "return 'still fine'", "still fine");
  brink__box_close(&box);
  cr_assert_eq(box.mem_used, 0);
  /* No string grows past the limit, whatever the memory cap. */
  open_box(&box, 0, 0, 0);
  expect_error(&box, "local s = 'x'\nwhile true do s = s .. s end",
               BRINK_EBUDGET, NULL,
               "memory budget exceeded (strings are limited to 16 MiB)");
  brink__box_close(&box);
}

Test(sandbox, deep_recursion_is_a_stack_overflow_with_default_budgets,
     BOUNDED) {
  brink__box box;
  result r;
  open_box(&box, 0, 0, 0);
  r = run(&box, "local function f() return f() + 1 end\nreturn f()");
  cr_assert_eq(r.status, BRINK_ESCRIPT, "%d %s", r.status, r.msg);
  cr_assert_not_null(strstr(r.msg, "stack overflow"), "%s", r.msg);
  cr_assert_str_eq(r.where, "t.lua:1");
  r = run(&box, "local t = setmetatable({}, {__index = function(t, k)\n"
          "  return t[k] end})\nreturn t.x");
  cr_assert_eq(r.status, BRINK_ESCRIPT, "%d %s", r.status, r.msg);
  cr_assert_not_null(strstr(r.msg, "stack overflow"), "%s", r.msg);
  expect_ok(&box, "return 1", "1");
  brink__box_close(&box);
}

Test(sandbox, long_c_calls_are_capped, BOUNDED) {
  brink__box box;
  double t0;
  open_box(&box, 10000000, 0, 0);
  t0 = seconds();
  expect_error(&box, "return string.find(('a'):rep(30), ('a*'):rep(30) .. "
               "'b')", BRINK_EBUDGET, "t.lua:1",
               "instruction budget exceeded (10000000 instructions)");
  expect_error(&box, "return ('a'):rep(40):match(('(a-)'):rep(20) .. 'b')",
               BRINK_EBUDGET, "t.lua:1",
               "instruction budget exceeded (10000000 instructions)");
  cr_assert_lt(seconds() - t0, 5.0);
  /* Linear work on a big subject is fine. */
  expect_ok(&box, "local s = ('ab '):rep(100000)\n"
            "return select(2, s:gsub('%w+', '%0'))", "100000");
  expect_error(&box, "local t = {}\n"
               "for i = 1, 20 do t[i] = ('x'):rep(1e6) end\n"
               "return #table.concat(t)", BRINK_ESCRIPT, "t.lua:3",
               "resulting string too large (strings are limited to 16 MiB)");
  expect_error(&box, "return table.concat(setmetatable({}, {\n"
               "  __index = function() return '' end,\n"
               "  __len = function() return 1 << 40 end}))",
               BRINK_EBUDGET, NULL, NULL);
  expect_error(&box, "table.move({}, 1, 1 << 50, 2)", BRINK_EBUDGET, NULL,
               NULL);
  expect_error(&box, "local s = ('a'):rep(1e6)\n"
               "while true do s:upper() end", BRINK_EBUDGET, NULL, NULL);
  expect_error(&box, "local s = ('a'):rep(1e6)\n"
               "while true do s:gsub('a', 'b') end", BRINK_EBUDGET, NULL,
               NULL);
  expect_error(&box, "local s = ('a'):rep(1e6) .. 'b'\n"
               "while true do s:find(('a'):rep(1000) .. 'b', 1, true) end",
               BRINK_EBUDGET, NULL, NULL);
  expect_error(&box, "local t = {}\n"
               "for i = 1, 50000 do t[i] = i end\n"
               "while true do table.insert(t, 1, 0) table.remove(t, 1) end",
               BRINK_EBUDGET, NULL, NULL);
  expect_error(&box, "local t = {}\n"
               "for i = 1, 50000 do t['k' .. i] = i end\n"
               "while true do for k in pairs(t) do break end end",
               BRINK_EBUDGET, NULL, NULL);
  cr_assert_lt(seconds() - t0, 30.0);
  brink__box_close(&box);
}

/* ---------------------------------------------------------------------- */
/* failures of memory                                                      */
/* ---------------------------------------------------------------------- */

Test(sandbox, open_fails_cleanly_without_memory, BOUNDED) {
  brink__box box;
  failing f = {0};
  cr_assert_eq(brink__box_open(&box, failing_alloc, &f, 0, 0, 0),
               BRINK_ENOMEM);
  cr_assert_null(box.L);
  cr_assert_eq(brink__box_open(&box, plain_alloc, NULL, 0, 1024, 0),
               BRINK_ENOMEM);
  cr_assert_null(box.L);
  cr_assert_eq(box.mem_used, 0);
  brink__box_close(&box);   /* harmless on a closed box */
}

static const char sweep_script[] =
  "local t = {b = 1, a = 2, 3, 4}\n"
  "local s = ''\n"
  "for k, v in pairs(t) do s = s .. tostring(k) .. v end\n"
  "local l = {5, 1, 4}\n"
  "table.sort(l)\n"
  "local co = coroutine.wrap(function(x) coroutine.yield(x) end)\n"
  "s = s .. co('c') .. string.format('%s%d', {}, 7)\n"
  "s = s .. ('a-b'):gsub('%w', '<%0>') .. table.concat(l, ',')\n"
  "return s .. tostring(pcall(error, 'e'))\n";

/*
** Every allocation may fail: each step then either works or reports
** ENOMEM (host allocator) or EBUDGET (the cap), the state stays usable,
** and closing frees everything.
*/
static int sweep_round(brink__box *box, int expected_failure) {
  char where[BRINK__BOX_WHERE], msg[256];
  lua_State *L = box->L;
  int status;
  status = brink__box_env(box);
  if (status != BRINK_OK) {
    cr_assert_eq(status, expected_failure);
    return 0;
  }
  status = brink__box_load(box, sweep_script, sizeof sweep_script - 1,
                           "@sweep.lua", -1);
  if (status != BRINK_OK) {
    cr_assert_eq(status, expected_failure, "%s", lua_tostring(L, -1));
    return 0;
  }
  lua_remove(L, -2);
  status = brink__box_pcall(box, 0, 1, where, sizeof where, msg, sizeof msg);
  if (status != BRINK_OK) {
    cr_assert_eq(status, expected_failure, "%d %s", status, msg);
    cr_assert_eq(lua_gettop(L), 0);
    return 0;
  }
  cr_assert_str_eq(lua_tostring(L, -1),
                   "1324a2b1ctable7<a>-<b>1,4,5false");
  return 1;
}

Test(sandbox, every_allocation_may_fail, BOUNDED) {
  long budget;
  int done = 0;
  for (budget = 0; !done; budget++) {
    brink__box box;
    failing f;
    f.left = budget;
    if (brink__box_open(&box, failing_alloc, &f, 0, 0, 0) != BRINK_OK) {
      cr_assert_null(box.L);
      continue;
    }
    done = sweep_round(&box, BRINK_ENOMEM);
    lua_settop(box.L, 0);
    brink__box_close(&box);
    cr_assert_eq(box.mem_used, 0);
    cr_assert_lt(budget, 100000, "the sweep never ends");
  }
}

Test(sandbox, every_memory_cap_is_reported_as_the_budget, BOUNDED) {
  int64_t cap;
  int done = 0;
  for (cap = 1024; !done; cap += 512) {
    brink__box box;
    if (brink__box_open(&box, plain_alloc, NULL, 0, cap, 0) != BRINK_OK) {
      cr_assert_null(box.L);
      continue;
    }
    done = sweep_round(&box, BRINK_EBUDGET);
    lua_settop(box.L, 0);
    cr_assert_leq(box.mem_used, box.mem_cap);
    brink__box_close(&box);
    cr_assert_eq(box.mem_used, 0);
  }
}
