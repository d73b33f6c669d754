/*
** test_sandbox.c: the sandbox and the budgets (bindings/lua/sandbox.c):
** what scripts can reach, that nothing swallows a kill, that what they
** see is deterministic, and that the pattern matcher agrees with Lua's.
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
/* what scripts can reach                                                  */
/* ---------------------------------------------------------------------- */

static char *read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  char *text;
  long n;
  cr_assert_not_null(f, "cannot open %s (tests run from the repo root)",
                     path);
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  text = malloc((size_t)n + 1);
  cr_assert_eq(fread(text, 1, (size_t)n, f), (size_t)n);
  text[n] = '\0';
  fclose(f);
  return text;
}

Test(sandbox, globals_and_library_fields_are_exactly_the_allowed_ones,
     BOUNDED) {
  static const char walk[] =
    "local out = {}\n"
    "for k, v in pairs(_ENV) do\n"
    "  if type(v) == 'table' and v ~= _ENV then\n"
    "    for f, x in pairs(v) do out[#out + 1] = k .. '.' .. f .. ' ' .."
    "      type(x) end\n"
    "  else\n"
    "    out[#out + 1] = k .. ' ' .. type(v)\n"
    "  end\n"
    "end\n"
    "table.sort(out)\n"
    "return table.concat(out, '\\n') .. '\\n'\n";
  brink__box box;
  char *expected = read_file("tests/sandbox_globals.expected");
  open_box(&box, 0, 0, 0);
  expect_ok(&box, walk, expected);
  /* Strings reach the same functions through their metatable. */
  expect_ok(&box, "for f, v in pairs(string) do\n"
            "  assert(type((''):len() and ('')[f]) == 'function', f)\n"
            "end\n"
            "return ('').dump == nil and _G == _ENV", "true");
  free(expected);
  brink__box_close(&box);
}

Test(sandbox, forbidden_names_are_absent, BOUNDED) {
  brink__box box;
  open_box(&box, 0, 0, 0);
  expect_ok(&box,
            "local names = {'io', 'os', 'debug', 'package', 'require',\n"
            "  'dofile', 'loadfile', 'collectgarbage', 'print', 'warn'}\n"
            "for _, n in ipairs(names) do\n"
            "  if _ENV[n] ~= nil or _G[n] ~= nil then return n end\n"
            "end\n"
            "if string.dump or ('').dump then return 'string.dump' end\n"
            "if math.random or math.randomseed then return 'random' end\n"
            "return 'none'", "none");
  brink__box_close(&box);
}

Test(sandbox, each_environment_has_its_own_library_tables, BOUNDED) {
  brink__box box;
  int a, b;
  open_box(&box, 0, 0, 0);
  a = new_env(&box);
  b = new_env(&box);
  cr_assert_eq(run_in(&box, a, "string.upper = nil; math.pi = 3; x = 1")
               .status, BRINK_OK);
  cr_assert_str_eq(run_in(&box, b, "return tostring(math.pi > 3 and "
                          "string.upper ~= nil and x == nil)").value, "true");
  /* The string metatable is not the script's string table either. */
  cr_assert_str_eq(run_in(&box, a, "return ('ab'):upper()").value, "AB");
  brink__box_close(&box);
}

Test(sandbox, state_globals_are_empty_for_chunks_loaded_otherwise, BOUNDED) {
  brink__box box;
  open_box(&box, 0, 0, 0);
  cr_assert_eq(luaL_loadstring(box.L, "return print, io, load, pairs"),
               LUA_OK);
  cr_assert_eq(lua_pcall(box.L, 0, 4, 0), LUA_OK);
  cr_assert(lua_isnil(box.L, -1) && lua_isnil(box.L, -2) &&
            lua_isnil(box.L, -3) && lua_isnil(box.L, -4));
  lua_settop(box.L, 0);
  brink__box_close(&box);
}

/* ---------------------------------------------------------------------- */
/* load                                                                    */
/* ---------------------------------------------------------------------- */

typedef struct dump_buffer {
  char data[4096];
  size_t len;
} dump_buffer;

static int dump_writer(lua_State *L, const void *p, size_t n, void *ud) {
  dump_buffer *b = ud;
  (void)L;
  if (b->len + n > sizeof b->data)
    return 1;
  memcpy(b->data + b->len, p, n);
  b->len += n;
  return 0;
}

/* A real binary chunk, made by a plain Lua state. */
static void binary_chunk(dump_buffer *b) {
  lua_State *P = luaL_newstate();
  b->len = 0;
  cr_assert_eq(luaL_loadstring(P, "return 42"), LUA_OK);
  cr_assert_eq(lua_dump(P, dump_writer, b, 0), 0);
  lua_close(P);
}

Test(sandbox, binary_chunks_are_refused, BOUNDED) {
  brink__box box;
  dump_buffer bin;
  int env;
  binary_chunk(&bin);
  open_box(&box, 0, 0, 0);
  env = new_env(&box);
  lua_rawgeti(box.L, LUA_REGISTRYINDEX, env);
  lua_pushlstring(box.L, bin.data, bin.len);
  lua_setfield(box.L, -2, "bin");
  lua_pop(box.L, 1);
  cr_assert_str_eq(run_in(&box, env, "local f, e = load(bin)\n"
                          "return tostring(f) .. ': ' .. e").value,
                   "nil: cannot load a binary chunk (scripts load text only)");
  cr_assert_str_eq(run_in(&box, env, "local f, e = load(bin, 'b', 'b')\n"
                          "return tostring(f) .. ': ' .. e").value,
                   "nil: cannot load a binary chunk (scripts load text only)");
  /* The host's entry point refuses them too. */
  lua_rawgeti(box.L, LUA_REGISTRYINDEX, env);
  cr_assert_eq(brink__box_load(&box, bin.data, bin.len, "@bin", -1),
               BRINK_ESCRIPT);
  cr_assert_str_eq(lua_tostring(box.L, -1),
                   "cannot load a binary chunk (scripts load text only)");
  lua_settop(box.L, 0);
  brink__box_close(&box);
}

Test(sandbox, load_defaults_to_the_environment_it_belongs_to, BOUNDED) {
  brink__box box;
  int a, b;
  open_box(&box, 0, 0, 0);
  a = new_env(&box);
  b = new_env(&box);
  cr_assert_eq(run_in(&box, a, "x = 'a'").status, BRINK_OK);
  cr_assert_eq(run_in(&box, b, "x = 'b'").status, BRINK_OK);
  cr_assert_str_eq(run_in(&box, a, "return load('return x')()").value, "a");
  cr_assert_str_eq(run_in(&box, b, "return load('return x')()").value, "b");
  cr_assert_str_eq(run_in(&box, a, "return tostring(load('return io, "
                          "print')())").value, "nil");
  cr_assert_str_eq(run_in(&box, a, "return load('return y', 'c', 't', "
                          "{y = 7})()").value, "7");
  cr_assert_str_eq(run_in(&box, a, "return select(2, load('x = = 1'))")
                   .value, "[string \"x = = 1\"]:1: unexpected symbol "
                   "near '='");
  cr_assert_str_eq(run_in(&box, a, "return select(2, load('x = = 1', "
                          "'=chunk'))").value,
                   "chunk:1: unexpected symbol near '='");
  cr_assert_str_eq(run_in(&box, a, "return select(2, pcall(function()\n"
                          "  return load(function() end) end))").value,
                   "t.lua:2: bad argument #1 to 'load' (string expected, "
                   "got function)");
  brink__box_close(&box);
}

Test(sandbox, syntax_errors_split_into_where_and_message, BOUNDED) {
  brink__box box;
  char where[BRINK__BOX_WHERE], msg[256];
  open_box(&box, 0, 0, 0);
  cr_assert_eq(brink__box_env(&box), BRINK_OK);
  cr_assert_eq(brink__box_load(&box, "x = = 1", 7, "@scen/a.lua", -1),
               BRINK_ESCRIPT);
  brink__box_split(lua_tostring(box.L, -1), where, sizeof where, msg,
                   sizeof msg);
  cr_assert_str_eq(where, "scen/a.lua:1");
  cr_assert_str_eq(msg, "unexpected symbol near '='");
  brink__box_split("no position here", where, sizeof where, msg, sizeof msg);
  cr_assert_str_eq(where, "");
  cr_assert_str_eq(msg, "no position here");
  lua_settop(box.L, 0);
  brink__box_close(&box);
}

/* ---------------------------------------------------------------------- */
/* metatables                                                              */
/* ---------------------------------------------------------------------- */

Test(sandbox, string_metatable_is_locked_and_capped, BOUNDED) {
  brink__box box;
  open_box(&box, 0, 0, 0);
  expect_ok(&box, "return getmetatable('')", "locked");
  expect_ok(&box, "return tostring(getmetatable('').__index)", "nil");
  expect_ok(&box, "return tostring(getmetatable('').__index ~= string)",
            "true");
  expect_error(&box, "return ('x'):rep(1e9)", BRINK_ESCRIPT, "t.lua:1",
               "resulting string too large (strings are limited to 16 MiB)");
  expect_error(&box, "return string.rep('x', 1e9)", BRINK_ESCRIPT, "t.lua:1",
               "resulting string too large (strings are limited to 16 MiB)");
  expect_error(&box, "return ('x'):rep(1e18, ', ')", BRINK_ESCRIPT, NULL,
               NULL);
  expect_ok(&box, "return #(''):rep(1e18)", "0");
  expect_ok(&box, "return ('ab'):rep(3, '-')", "ab-ab-ab");
  /* Methods are the environment's own string table, additions too. */
  expect_ok(&box, "function string.shout(s) return s:upper() .. '!' end\n"
            "return ('hi'):shout()", "HI!");
  expect_ok(&box, "string.rep = nil\n"
            "return select(2, pcall(function() return ('x'):rep(2) end))",
            "t.lua:2: attempt to call a nil value (method 'rep')");
  expect_error(&box, "setmetatable('', {})", BRINK_ESCRIPT, "t.lua:1",
               "bad argument #1 to 'setmetatable' (table expected, got "
               "string)");
  brink__box_close(&box);
}

Test(sandbox, setmetatable_refuses_gc_and_mode, BOUNDED) {
  brink__box box;
  open_box(&box, 0, 0, 0);
  expect_error(&box, "setmetatable({}, {__gc = function() end})",
               BRINK_ESCRIPT, "t.lua:1", "setmetatable: '__gc' is not "
               "allowed (finalizers would run outside the script budgets)");
  expect_error(&box, "setmetatable({}, {__mode = 'k'})", BRINK_ESCRIPT,
               "t.lua:1", "setmetatable: '__mode' is not allowed (weak "
               "tables make results depend on garbage collection)");
  expect_ok(&box, "local mt = {__index = function(t, k) return k end}\n"
            "return setmetatable({}, mt).hello", "hello");
  expect_error(&box, "local t = setmetatable({}, {__metatable = 1})\n"
               "setmetatable(t, {})", BRINK_ESCRIPT, "t.lua:2",
               "cannot change a protected metatable");
  brink__box_close(&box);
}

/* ---------------------------------------------------------------------- */
/* determinism                                                             */
/* ---------------------------------------------------------------------- */

static const char mixed_keys[] =
  "local t = {}\n"
  "t[3] = 1; t[-1] = 1; t[10] = 1; t[1.5] = 1; t[-0.5] = 1; t[2^70] = 1\n"
  "t[math.huge] = 1; t[-math.huge] = 1; t.b = 1; t.a = 1; t[''] = 1\n"
  "t.aa = 1; t.B = 1; t['a\\0'] = 1; t[true] = 1; t[false] = 1\n"
  "for i = 1, 40 do t['k' .. i] = nil end\n"
  "local out, out2 = {}, {}\n"
  "for k in pairs(t) do out[#out + 1] = '[' .. tostring(k) .. ']' end\n"
  "local k = next(t)\n"
  "while k ~= nil do out2[#out2 + 1] = '[' .. tostring(k) .. ']';"
  " k = next(t, k) end\n"
  "local a, b = table.concat(out, ' '), table.concat(out2, ' ')\n"
  "assert(a == b, 'next and pairs disagree: ' .. b)\n"
  "return (a:gsub('%z', '0'))\n";

Test(sandbox, pairs_and_next_order_is_fixed_across_states, BOUNDED) {
  static const char expected[] =
    "[-1] [3] [10] [-inf] [-0.5] [1.5] [1.1805916207174e+21] [inf] [] [B] "
    "[a] [a0] [aa] [b] [false] [true]";
  brink__box one, two;
  result r1, r2;
  open_box(&one, 0, 0, 0);
  open_box(&two, 0, 0, 0);
  r1 = run(&one, mixed_keys);
  r2 = run(&two, mixed_keys);
  cr_assert_eq(r1.status, BRINK_OK, "%s", r1.msg);
  cr_assert_str_eq(r1.value, expected);
  cr_assert_str_eq(r2.value, r1.value);
  brink__box_close(&one);
  brink__box_close(&two);
}

Test(sandbox, pairs_details, BOUNDED) {
  brink__box box;
  open_box(&box, 0, 0, 0);
  expect_error(&box, "for k in pairs({[{}] = 1}) do end", BRINK_ESCRIPT,
               "t.lua:1", "a table key of type table has no fixed order "
               "(pairs and next visit only number, string and boolean "
               "keys)");
  expect_error(&box, "return next({[print] = 1})", BRINK_ESCRIPT, NULL,
               NULL);
  expect_ok(&box, "local t = setmetatable({}, {__pairs = function(t)\n"
            "  return function(_, k) if not k then return 1, 'one' end end,"
            " t, nil end})\n"
            "for k, v in pairs(t) do return v end", "one");
  /* Keys removed during a traversal are not visited. */
  expect_ok(&box, "local t = {a = 1, b = 2, c = 3}\n"
            "local s = ''\n"
            "for k in pairs(t) do s = s .. k; t.b = nil end\n"
            "return s", "ac");
  /* Big tables take another path (qsort, keys in a userdata). */
  expect_ok(&box, "local t, want = {}, {}\n"
            "for i = 300, 1, -1 do t['k' .. i] = i; want[#want + 1] = "
            "'k' .. i end\n"
            "for i = 100, 1, -1 do t[i * 3] = i; t[i + 0.5] = i end\n"
            "table.sort(want)\n"
            "local strs, order, last, n = {}, {}, nil, 0\n"
            "for k, v in pairs(t) do\n"
            "  n = n + 1\n"
            "  local kind = type(k) == 'string' and 3 or "
            "math.type(k) == 'float' and 2 or 1\n"
            "  assert(not last or kind > last[1] or (kind == last[1] and "
            "k > last[2]))\n"
            "  last = {kind, k}\n"
            "  if kind == 3 then strs[#strs + 1] = k end\n"
            "end\n"
            "assert(n == 500 and table.concat(strs, ',') == "
            "table.concat(want, ','))\n"
            "return math.type(next(t)) .. ' ' .. next(t)", "integer 3");
  expect_ok(&box, "return tostring(next({}))", "nil");
  expect_ok(&box, "local t = {10, 20, 30, x = 1}\n"
            "return next(t, 2) .. '/' .. next(t, 3)", "3/x");
  expect_ok(&box, "local n = 0\n"
            "for i, v in ipairs({1, 2, 3, nil, 5}) do n = n + v end\n"
            "return n", "6");
  brink__box_close(&box);
}

Test(sandbox, tostring_shows_no_address, BOUNDED) {
  brink__box box;
  result r;
  open_box(&box, 0, 0, 0);
  r = run(&box, "return tostring({}) .. '|' .. tostring(tostring) .. '|' ..\n"
          "  tostring(function() end) .. '|' ..\n"
          "  tostring(coroutine.create(function() end)) .. '|' ..\n"
          "  string.format('%s %s %5.2s', {}, pairs, 'abc') .. '|' ..\n"
          "  tostring(setmetatable({}, {__name = 'Thing'})) .. '|' ..\n"
          "  tostring(setmetatable({}, {__tostring = function() return "
          "'me' end})) .. '|' .. tostring(load('return 1'))");
  cr_assert_eq(r.status, BRINK_OK, "%s", r.msg);
  cr_assert_str_eq(r.value, "table|function: builtin|function: t.lua:2|"
                   "thread|table function: builtin    ab|Thing|me|"
                   "function: [string \"return 1\"]");
  cr_assert_null(strstr(r.value, "0x"));
  expect_error(&box, "return string.format('%p', {})", BRINK_ESCRIPT,
               "t.lua:1", "string.format: '%p' is not allowed (addresses "
               "differ from run to run)");
  expect_ok(&box, "return string.format('%d%%%s%q', 3, nil, 'a\\n')",
            "3%nil\"a\\\n\"");
  expect_error(&box, "return tostring(setmetatable({}, {__tostring = "
               "function() return {} end}))", BRINK_ESCRIPT, "t.lua:1",
               "'__tostring' must return a string");
  brink__box_close(&box);
}

Test(sandbox, table_sort_is_stable_and_deterministic, BOUNDED) {
  brink__box box;
  open_box(&box, 0, 0, 0);
  expect_ok(&box,
            "local t = {}\n"
            "for i = 1, 500 do t[i] = {k = (i * 7919) % 13, i = i} end\n"
            "table.sort(t, function(a, b) return a.k < b.k end)\n"
            "for i = 2, #t do\n"
            "  local a, b = t[i - 1], t[i]\n"
            "  assert(a.k < b.k or (a.k == b.k and a.i < b.i), i)\n"
            "end\n"
            "local s = {'b', 'a', 'c', 'B', 'aa', '', 'a\\0'}\n"
            "table.sort(s)\n"
            "local n = {5, 3.5, -1, 10, 2, math.huge, -math.huge}\n"
            "table.sort(n)\n"
            "local d = {1, 2, 3, 4, 5}\n"
            "table.sort(d, function(a, b) return a > b end)\n"
            "return (table.concat(s, ','):gsub('%z', '0')) .. '|' ..\n"
            "  table.concat(n, ',') .. '|' .. table.concat(d)",
            ",B,a,a0,aa,b,c|-inf,-1,2,3.5,5,10,inf|54321");
  expect_error(&box, "table.sort({1, 'x'})", BRINK_ESCRIPT, "t.lua:1", NULL);
  expect_ok(&box, "local t = {3, 1, 2}\n"
            "local p = setmetatable({}, {__index = t, __newindex = t,\n"
            "  __len = function() return #t end})\n"
            "table.sort(p)\n"
            "return table.concat(t)", "123");
  brink__box_close(&box);
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
/* error reports                                                           */
/* ---------------------------------------------------------------------- */

Test(sandbox, errors_report_where_and_message, BOUNDED) {
  brink__box box;
  open_box(&box, 0, 0, 0);
  expect_error(&box, "local x = 1\nerror('boom')", BRINK_ESCRIPT, "t.lua:2",
               "boom");
  expect_error(&box, "local function f() error('up', 2) end\n\nf()",
               BRINK_ESCRIPT, "t.lua:3", "up");
  expect_error(&box, "\nerror({})", BRINK_ESCRIPT, "t.lua:2",
               "(error object is a table value)");
  expect_error(&box, "error('plain', 0)", BRINK_ESCRIPT, "t.lua:1", "plain");
  expect_error(&box, "error()", BRINK_ESCRIPT, "t.lua:1",
               "(error object is a nil value)");
  expect_error(&box, "local t = nil\nreturn t.x", BRINK_ESCRIPT, "t.lua:2",
               "attempt to index a nil value (local 't')");
  expect_error(&box, "error(setmetatable({}, {__tostring = function()\n"
               "  return 'custom' end}))", BRINK_ESCRIPT, "t.lua:1",
               "custom");
  expect_error(&box, "local ok, e = pcall(function()\n"
               "  error('deep') end)\n"
               "error(e, 0)", BRINK_ESCRIPT, "t.lua:2", "deep");
  expect_error(&box, "error(42)", BRINK_ESCRIPT, "t.lua:1", "42");
  brink__box_close(&box);
}

/* A binding that runs a script function through a nested top-level call. */
static int nested_call(lua_State *L) {
  void *ud;
  brink__box *box;
  char where[BRINK__BOX_WHERE], msg[256];
  int status;
  lua_getallocf(L, &ud);
  box = ud;
  luaL_checktype(L, 1, LUA_TFUNCTION);
  lua_settop(L, 1);
  status = brink__box_pcall(box, 0, 0, where, sizeof where, msg, sizeof msg);
  if (status != BRINK_OK)
    return luaL_error(L, "nested: %s", msg);
  lua_pushliteral(L, "done");
  return 1;
}

/* A binding that catches errors itself and uses brink__box_check. */
static int catching_call(lua_State *L) {
  int status;
  luaL_checktype(L, 1, LUA_TFUNCTION);
  lua_settop(L, 1);
  status = brink__box_check(L, lua_pcall(L, 0, 0, 0));
  lua_pushboolean(L, status == LUA_OK);
  return 1;
}

Test(sandbox, nested_calls_share_the_budget, BOUNDED) {
  brink__box box;
  int env;
  result r;
  open_box(&box, 100000, 0, 0);
  env = new_env(&box);
  lua_rawgeti(box.L, LUA_REGISTRYINDEX, env);
  lua_pushcfunction(box.L, nested_call);
  lua_setfield(box.L, -2, "nested");
  lua_pushcfunction(box.L, catching_call);
  lua_setfield(box.L, -2, "catching");
  lua_pop(box.L, 1);
  cr_assert_str_eq(run_in(&box, env, "return nested(function() end)").value,
                   "done");
  r = run_in(&box, env, "while true do pcall(nested, function()\n"
             "  for i = 1, 5000 do end end) end");
  cr_assert_eq(r.status, BRINK_EBUDGET, "%s", r.msg);
  r = run_in(&box, env, "while true do catching(function()\n"
             "  while true do end end) end");
  cr_assert_eq(r.status, BRINK_EBUDGET, "%s", r.msg);
  cr_assert_str_eq(run_in(&box, env, "return tostring(catching(error))")
                   .value, "false");
  cr_assert_eq(box.depth, 0);
  brink__box_close(&box);
}

/* A careless binding: catches everything and checks nothing. */
static int swallow(lua_State *L) {
  lua_settop(L, 1);
  lua_pcall(L, 0, 0, 0);
  return 0;
}

static brink__box *box_from(lua_State *L) {
  void *ud;
  lua_getallocf(L, &ud);
  return ud;
}

/* Flag a kill the way the hook does, without the hook's re-arming. */
static int kill_quietly(lua_State *L) {
  box_from(L)->killed = BRINK__KILL_INSTRUCTIONS;
  return 0;
}

static int kill_and_fail(lua_State *L) {
  box_from(L)->killed = BRINK__KILL_INSTRUCTIONS;
  return luaL_error(L, "an ordinary error");
}

static int env_with(brink__box *box, const char *name, lua_CFunction fn) {
  int env = new_env(box);
  lua_rawgeti(box->L, LUA_REGISTRYINDEX, env);
  lua_pushcfunction(box->L, fn);
  lua_setfield(box->L, -2, name);
  lua_pop(box->L, 1);
  return env;
}

Test(sandbox, a_kill_is_raised_again_at_the_next_instruction, BOUNDED) {
  brink__box box;
  int env;
  result r;
  open_box(&box, 100000, 0, 0);
  env = env_with(&box, "swallow", swallow);
  r = run_in(&box, env, "count = 0\n"
             "while true do\n"
             "  swallow(function() while true do end end)\n"
             "  count = count + 1\n"
             "end");
  cr_assert_eq(r.status, BRINK_EBUDGET, "%s", r.msg);
  cr_assert_str_eq(run_in(&box, env, "return count").value, "0");
  brink__box_close(&box);
}

Test(sandbox, every_catching_function_raises_a_kill_again, BOUNDED) {
  static const char *const catches[] = {
    "pcall(kill_and_fail) count = 1",
    "pcall(kill_quietly) count = 1",
    "xpcall(kill_and_fail, function(e) count = 2 return e end) count = 1",
    "xpcall(kill_quietly, tostring) count = 1",
    "coroutine.resume(coroutine.create(kill_and_fail)) count = 1",
    "coroutine.resume(coroutine.create(kill_quietly)) count = 1",
    "pcall(coroutine.wrap(kill_and_fail)) count = 1",
    NULL
  };
  const char *const *code;
  brink__box box;
  int env;
  open_box(&box, 0, 0, 0);
  env = env_with(&box, "kill_and_fail", kill_and_fail);
  lua_rawgeti(box.L, LUA_REGISTRYINDEX, env);
  lua_pushcfunction(box.L, kill_quietly);
  lua_setfield(box.L, -2, "kill_quietly");
  lua_pop(box.L, 1);
  for (code = catches; *code; code++) {
    result r = run_in(&box, env, *code);
    cr_assert_eq(r.status, BRINK_EBUDGET, "%s\n-> %d %s", *code, r.status,
                 r.msg);
    cr_assert_str_eq(run_in(&box, env, "return tostring(count)").value,
                     "nil", "%s", *code);
  }
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

/* ---------------------------------------------------------------------- */
/* the pattern matcher against Lua's own                                   */
/* ---------------------------------------------------------------------- */

static const char probe[] =
  "local subjects = {'', 'a', 'aaa', 'hello world', '  trim me  ',\n"
  "  'key=value, k2=v2', '(foo(bar))baz', 'THE (quick) fox',\n"
  "  'a.b-c+d*e?f', 'x\\0y\\0z', 'abc123def456', '[[]]', '%a%',\n"
  "  '^caret$', 'aXbXc', 'f(a,b) g(c)', '\\200\\255 hi \\t\\n', 'a]b-c'}\n"
  "local patterns = {'a', 'a*', 'a+', 'a-', 'a?', '.', '.-', '^a', 'a$',\n"
  "  '^$', '(a)', '()', '(a)(b)', '%a+', '%d+', '%s*(.-)%s*$',\n"
  "  '^%s*(.-)%s*$', '(%w+)=(%w+)', '%b()', '%f[%w]%w+', '%f[%W]',\n"
  "  '[%a_][%w_]*', '[^%s]+', '[a-c]+', '[]]', '[^]]', '[%]]', '[a-]',\n"
  "  '(a*(.)%w(%s*))', '(h)(e)(l)', '%1', '(a)%1', '(.)%1', '()a()',\n"
  "  'x%z?y', '%', '[a', '(', ')', '%b', '%bx', '%f', '%fa', '(()',\n"
  "  '%g+', '%p+', '%c', '%x+', '%u%l*', '%S+', '%W', '%D', '%A',\n"
  "  '.-b', 'a.-', '^(.-)%s*$', '[%d%-]+', '[+%-]?%d+', '%.', '%%',\n"
  "  '$a', 'a$b', '^^', '[^%a%d]', '%[', '[%[%]]', '(.-)%((.-)%)',\n"
  "  '%f[%a]', '%f[^\\0]', '[\\0-\\31]', 'X', 'o w', '(o)(r)?', '%s+$',\n"
  "  '[^a-z]', '[z-a]', '(%a+)%s*(%a*)', '()(%a+)()', '(%d)(%d)(%d)',\n"
  "  '%b[]', '[]', '[^]', '%w+%f[%s]', '%0', '(x)(%1)', '((a)(b))%2',\n"
  "  '^(a)', 'b*$', '%l+', '%U+', '[%w%-%.]+', '-', '*', '?a', '+a'}\n"
  "local function show(...)\n"
  "  local t = {}\n"
  "  for i = 1, select('#', ...) do\n"
  "    local v = select(i, ...)\n"
  "    t[#t + 1] = type(v) == 'string' and string.format('%q', v)\n"
  "      or tostring(v)\n"
  "  end\n"
  "  return table.concat(t, ',')\n"
  "end\n"
  "local function try(f, ...)\n"
  "  local r = table.pack(pcall(f, ...))\n"
  "  if not r[1] then return 'error: ' .. tostring(r[2]) end\n"
  "  return show(table.unpack(r, 2, r.n))\n"
  "end\n"
  "local function gm(s, p, init)\n"
  "  local out, n = {}, 0\n"
  "  for a, b, c in string.gmatch(s, p, init) do\n"
  "    n = n + 1\n"
  "    out[n] = show(a, b, c)\n"
  "    if n > 40 then break end\n"
  "  end\n"
  "  return table.concat(out, '|')\n"
  "end\n"
  "local function rfun(...) return show(...) end\n"
  "local rtab = {a = 'A', hello = false, [1] = 'one', h = 7}\n"
  "local lines = {}\n"
  "local function add(key, what, ...)\n"
  "  lines[#lines + 1] = key .. ' ' .. what .. ' ' .. try(...)\n"
  "end\n"
  "for _, s in ipairs(subjects) do\n"
  "  for _, p in ipairs(patterns) do\n"
  "    local key = string.format('%q %q', s, p)\n"
  "    add(key, 'find', string.find, s, p)\n"
  "    add(key, 'find3', string.find, s, p, 3)\n"
  "    add(key, 'find-2', string.find, s, p, -2)\n"
  "    add(key, 'find99', string.find, s, p, 99)\n"
  "    add(key, 'plain', string.find, s, p, 1, true)\n"
  "    add(key, 'match', string.match, s, p)\n"
  "    add(key, 'match2', string.match, s, p, 2)\n"
  "    add(key, 'gmatch', gm, s, p)\n"
  "    add(key, 'gmatch2', gm, s, p, 2)\n"
  "    add(key, 'gsub', string.gsub, s, p, '<%0>')\n"
  "    add(key, 'gsub1', string.gsub, s, p, '[%1]', 2)\n"
  "    add(key, 'gsubf', string.gsub, s, p, rfun)\n"
  "    add(key, 'gsubt', string.gsub, s, p, rtab)\n"
  "    add(key, 'gsub%', string.gsub, s, p, '%%')\n"
  "    add(key, 'gsubbad', string.gsub, s, p, '%x')\n"
  "    add(key, 'gsubn', string.gsub, s, p, 'N', 0)\n"
  "  end\n"
  "end\n"
  "return table.concat(lines, '\\n')\n";

/* Runs 'code' in a plain Lua state with the real libraries. */
static char *probe_plain(const char *code) {
  lua_State *P = luaL_newstate();
  char *out;
  luaL_openlibs(P);
  cr_assert_eq(luaL_loadbufferx(P, code, strlen(code), "=probe", "t"),
               LUA_OK);
  cr_assert_eq(lua_pcall(P, 0, 1, 0), LUA_OK, "%s", lua_tostring(P, -1));
  out = strdup(lua_tostring(P, -1));
  lua_close(P);
  return out;
}

static char *probe_sandbox(const char *code) {
  brink__box box;
  char where[BRINK__BOX_WHERE], msg[512];
  char *out;
  int status;
  open_box(&box, 0, 0, 0);
  cr_assert_eq(brink__box_env(&box), BRINK_OK);
  cr_assert_eq(brink__box_load(&box, code, strlen(code), "=probe", -1),
               BRINK_OK);
  status = brink__box_pcall(&box, 0, 1, where, sizeof where, msg,
                            sizeof msg);
  cr_assert_eq(status, BRINK_OK, "%s: %s", where, msg);
  out = strdup(lua_tostring(box.L, -1));
  brink__box_close(&box);
  return out;
}

/* Runs 'code' both ways; returns how many lines, all equal. */
static int probe_agrees(const char *code) {
  char *want = probe_plain(code), *got = probe_sandbox(code);
  char *w = want, *g = got;
  int lines = 0;
  while (*w || *g) {
    size_t wl = strcspn(w, "\n"), gl = strcspn(g, "\n");
    cr_assert(wl == gl && memcmp(w, g, wl) == 0,
              "line %d differs:\nlua:     %.*s\nsandbox: %.*s", lines + 1,
              (int)wl, w, (int)gl, g);
    w += wl + (w[wl] != '\0');
    g += gl + (g[gl] != '\0');
    lines++;
  }
  free(want);
  free(got);
  return lines;
}

Test(sandbox, pattern_matching_agrees_with_lua, BOUNDED) {
  cr_assert_gt(probe_agrees(probe), 10000);
}

/*
** Lua's matcher recurses for an item that matched, never for a '*', '-'
** or '?' that matched nothing: long patterns of such items are fine, and
** "pattern too complex" comes exactly where Lua's comes.
*/
static const char deep_probe[] =
  "local items = {'a*', 'a-', 'a?', 'x*', '%d-', '[xy]?', 'b?a*', '()a?'}\n"
  "local lines = {}\n"
  "for _, item in ipairs(items) do\n"
  "  for _, k in ipairs({32, 199, 200, 201, 400}) do\n"
  "    for _, s in ipairs({'b', ('a'):rep(k), ('ab'):rep(3), ''}) do\n"
  "      local r = table.pack(pcall(string.find, s, item:rep(k)))\n"
  "      lines[#lines + 1] = string.format('%s %d %q: %s %s %s', item,\n"
  "        k, s, tostring(r[1]), tostring(r[2]), tostring(r[3]))\n"
  "      r = table.pack(pcall(string.gsub, s, item:rep(k), '.'))\n"
  "      lines[#lines + 1] = tostring(r[2]) .. ' ' .. tostring(r[3])\n"
  "    end\n"
  "  end\n"
  "end\n"
  "return table.concat(lines, '\\n')\n";

/*
** Matching is charged to the instruction budget like other C work: a
** larger budget allows longer matches, and running out is the budget's
** sticky kill, which pcall cannot catch.
*/
Test(sandbox, pattern_steps_follow_the_instruction_budget, BOUNDED) {
  static const char cubic[] =
    "local s = ('a'):rep(600)\n"
    "return pcall(string.find, s, 'a*a*b')";
  brink__box box;
  open_box(&box, 200000000, 0, 0);
  expect_ok(&box, cubic, "true");
  brink__box_close(&box);
  open_box(&box, 5000000, 0, 0);
  expect_error(&box, cubic, BRINK_EBUDGET, "t.lua:2",
               "instruction budget exceeded (5000000 instructions)");
  brink__box_close(&box);
}

Test(sandbox, empty_repetitions_cost_no_depth_as_in_lua, BOUNDED) {
  brink__box box;
  open_box(&box, 0, 0, 0);
  expect_ok(&box, "local i, j = string.find('b', string.rep('a*', 200))\n"
            "return i .. ' ' .. j", "1 0");
  brink__box_close(&box);
  cr_assert_eq(probe_agrees(deep_probe), 320);
}

/*
** When a wrapped coroutine dies of an error, wrap closes it, and an error
** raised while closing is the one that propagates, as in Lua.
*/
static const char wrap_probe[] =
  "local function closing(e)\n"
  "  return setmetatable({}, {__close = function()\n"
  "    if e then error(e, 0) end end})\n"
  "end\n"
  "local out = {}\n"
  "local function try(f) out[#out + 1] = tostring(select(2, pcall(f))) end\n"
  "try(coroutine.wrap(function()\n"
  "  local x <close> = closing('in close')\n"
  "  error('original', 0) end))\n"
  "try(coroutine.wrap(function()\n"
  "  local x <close> = closing(nil)\n"
  "  error('original', 0) end))\n"
  "try(coroutine.wrap(function()\n"
  "  local x <close> = closing('first')\n"
  "  local y <close> = closing('second')\n"
  "  error('original', 0) end))\n"
  "local w = coroutine.wrap(function()\n"
  "  local x <close> = closing('closing')\n"
  "  error('original') end)\n"
  "try(function() return w() end)\n"
  "try(function() return w() end)\n"
  "return table.concat(out, '\\n')\n";

Test(sandbox, wrap_reports_an_error_raised_while_closing, BOUNDED) {
  brink__box box;
  open_box(&box, 0, 0, 0);
  expect_ok(&box, "local co = coroutine.wrap(function()\n"
            "  local x <close> = setmetatable({}, {__close = function()\n"
            "    error('in close', 0) end})\n"
            "  error('original', 0) end)\n"
            "return select(2, pcall(co))", "in close");
  brink__box_close(&box);
  cr_assert_eq(probe_agrees(wrap_probe), 5);
}

/*
** Errors raised by the library name the function as Lua does: by how the
** caller called it ('rep', 'upper'), or when called from C by where the
** library keeps it ('string.rep', 'setmetatable'); and those raised from
** a call in Lua code carry the caller's position.
*/
static const char names_probe[] =
  "local cases = {\n"
  "  'string.rep()', 'string.rep(\"x\", {})', '(\"x\"):rep()',\n"
  "  '(\"x\"):rep(\"y\")', 'string.find()', 'string.find(\"x\", {})',\n"
  "  'string.match()', 'string.gmatch()', 'string.gsub(\"x\")',\n"
  "  'string.gsub(\"x\", \"x\", true)', 'string.format(\"%d\", \"x\")',\n"
  "  'string.format()', 'string.upper()', '(\"x\"):upper(1, {})',\n"
  "  'string.lower({})', 'string.byte({})', 'string.sub()',\n"
  "  '(\"x\"):sub({})', 'string.char(-1)', 'string.reverse()',\n"
  "  'string.len()', 'string.pack(\"i\")', 'string.unpack()',\n"
  "  'string.packsize(1)', 'table.concat(1)', 'table.concat({}, {})',\n"
  "  'table.insert()', 'table.insert({}, 1, 2, 3)',\n"
  "  'table.insert({}, 5, 1)', 'table.remove({}, 5)', 'table.remove()',\n"
  "  'table.move()', 'table.move({}, 1, 2)', 'table.unpack()',\n"
  "  'table.unpack({}, {})', 'table.sort(1)', 'table.sort({2, 1}, 1)',\n"
  "  'pairs()', 'next()', 'setmetatable()', 'setmetatable({}, 1)',\n"
  "  'tostring()', 'ipairs()', 'select()', 'select(0)', 'rawlen(1)',\n"
  "  'rawequal()', 'type()', 'tonumber(\"z\", 99)', 'load(\"x\", {})',\n"
  "  'pcall()', 'xpcall(1)', 'getmetatable()', 'rawget(1)', 'rawset({})',\n"
  "  'coroutine.resume(1)', 'coroutine.wrap(1)', 'coroutine.close(1)',\n"
  "  'coroutine.status(1)', 'coroutine.create(1)', 'math.floor(\"x\")',\n"
  "  'math.max()', 'utf8.char(-1)', 'utf8.len(1, 5)',\n"
  "  'utf8.codepoint(\"x\", 5)', 'utf8.offset()', 'utf8.codes()',\n"
  "}\n"
  "local out = {}\n"
  "for _, c in ipairs(cases) do\n"
  "  local f = assert(load('return ' .. c, '=probe'))\n"
  "  out[#out + 1] = c .. ' -> ' .. tostring(select(2, pcall(f)))\n"
  "  local name, args = c:match('^([%w.]+)(%(.*%))$')\n"
  "  if name then\n"
  "    args = args == '()' and '' or ', ' .. args:sub(2, -2)\n"
  "    f = assert(load('return pcall(' .. name .. args .. ')', '=probe'))\n"
  "    out[#out + 1] = c .. ' from C -> ' .. tostring(select(2, f()))\n"
  "  end\n"
  "end\n"
  "return table.concat(out, '\\n')\n";

Test(sandbox, errors_name_functions_and_positions_as_lua_does, BOUNDED) {
  cr_assert_gt(probe_agrees(names_probe), 100);
}

/*
** The table functions check their arguments before doing (and being
** charged for) any work: a huge but invalid range is Lua's own catchable
** error, not a budget kill.
*/
static const char tables_probe[] =
  "local M, m = math.maxinteger, math.mininteger\n"
  "local function show(...)\n"
  "  local t = table.pack(...)\n"
  "  for i = 1, t.n do\n"
  "    local v = t[i]\n"
  "    if type(v) == 'table' then\n"
  "      v = {tostring(v[1]), tostring(v[2]), tostring(v[3]),\n"
  "        tostring(v[4])}\n"
  "      t[i] = '{' .. table.concat(v, ',') .. '}'\n"
  "    else\n"
  "      t[i] = tostring(v)\n"
  "    end\n"
  "  end\n"
  "  return table.concat(t, ' ', 1, t.n)\n"
  "end\n"
  "local cases = {\n"
  "  'table.unpack({}, 1, M)',\n"
  "  'table.unpack({}, m, M)',\n"
  "  'table.unpack({}, 0, 1e6)',\n"
  "  'table.unpack({1, 2, 3}, -1, 1)',\n"
  "  'table.unpack({1, 2, 3}, 3, 2)',\n"
  "  'table.unpack({1, 2, 3}, M, M)',\n"
  "  'table.unpack({1, 2, 3}, m, m + 2)',\n"
  "  'table.unpack({1, 2, 3})',\n"
  "  'table.concat({1, {}, 3})',\n"
  "  'table.concat({}, \"\", 1, M)',\n"
  "  'table.concat({1, 2, 3}, \",\", 2, 3)',\n"
  "  'table.concat({1, 2}, \",\", 3, 2)',\n"
  "  'table.concat({1, 2, nil, 4}, \"-\", 1, 4)',\n"
  "  'table.concat({}, \"\", M, M)',\n"
  "  'table.concat({[M] = \"z\"}, \"\", M - 1, M)',\n"
  "  'table.concat({1, 2.5, \"x\"}, \", \")',\n"
  "  'table.concat(\"abc\")',\n"
  "  'table.insert({}, m, 1)',\n"
  "  'table.insert({}, 0, 1)',\n"
  "  'table.insert({}, M, 1)',\n"
  "  'table.insert({1, 2}, 3, 9)',\n"
  "  'table.insert({1, 2}, 4, 9)',\n"
  "  'table.insert({1, 2}, 1, 9)',\n"
  "  'table.insert({1}, 1, 2, 3)',\n"
  "  'table.insert(1, 2)',\n"
  "  'table.insert({1}, 1.5, 2)',\n"
  "  'table.remove({}, m)',\n"
  "  'table.remove({})',\n"
  "  'table.remove({}, 0)',\n"
  "  'table.remove({1, 2, 3}, 1)',\n"
  "  'table.remove({1, 2, 3}, 4)',\n"
  "  'table.remove({1, 2, 3}, 5)',\n"
  "  'table.remove({1, 2, 3})',\n"
  "  'table.remove({}, M)',\n"
  "  'table.move({}, m, M, 1)',\n"
  "  'table.move({}, 1, 10, M)',\n"
  "  'table.move({}, 0, M, 1)',\n"
  "  'table.move({1, 2, 3}, 1, 3, 2)',\n"
  "  'table.move({1, 2, 3}, 2, 3, 1)',\n"
  "  'table.move({1, 2, 3}, 1, 3, 1, {})',\n"
  "  'table.move({1, 2, 3}, 5, 1, 1)',\n"
  "  'table.move({1, 2, 3}, 1, 3, 3)',\n"
  "  'table.move({1, 2}, 1, 2, 1, 7)',\n"
  "  'table.move(7, 1, 2, 1, {})',\n"
  "  'table.move({1, 2}, 1, 2, M - 1)',\n"
  "}\n"
  "local out = {}\n"
  "for _, c in ipairs(cases) do\n"
  "  local f = assert(load('local M, m = ...; return ' .. c, '=probe'))\n"
  "  out[#out + 1] = c .. ' -> ' .. show(pcall(f, M, m))\n"
  "  f = assert(load('local M, m = ...; local t = {1, 2, 3} ' ..\n"
  "    c:gsub('{1, 2, 3}', 't', 1) .. ' return t', '=probe'))\n"
  "  out[#out + 1] = c .. ' on t -> ' .. show(pcall(f, M, m))\n"
  "end\n"
  "return table.concat(out, '\\n')\n";

Test(sandbox, table_functions_check_before_they_charge, BOUNDED) {
  brink__box box;
  cr_assert_gt(probe_agrees(tables_probe), 80);
  open_box(&box, 10000000, 0, 0);
  expect_ok(&box, "return select(2, pcall(table.unpack, {}, 1, "
            "math.maxinteger))", "too many results to unpack");
  expect_ok(&box, "return select(2, pcall(table.concat, {}, '', 1, "
            "math.maxinteger))",
            "invalid value (nil) at index 1 in table for 'concat'");
  expect_ok(&box, "return select(2, pcall(table.insert, {}, "
            "math.mininteger, 1))",
            "bad argument #2 to 'table.insert' (position out of bounds)");
  expect_ok(&box, "return select(2, pcall(table.remove, {}, "
            "math.mininteger))",
            "bad argument #1 to 'table.remove' (position out of bounds)");
  expect_ok(&box, "return select(2, pcall(table.move, {}, "
            "math.mininteger, math.maxinteger, 1))",
            "bad argument #3 to 'table.move' (too many elements to move)");
  /* Genuinely huge work still meets the budget. */
  expect_error(&box, "local t = setmetatable({}, {__len = function()\n"
               "  return 1 << 50 end})\n"
               "pcall(table.insert, t, 1, 'x')", BRINK_EBUDGET, NULL, NULL);
  expect_error(&box, "local t = setmetatable({}, {__len = function()\n"
               "  return 1 << 50 end})\n"
               "pcall(table.remove, t, 1)", BRINK_EBUDGET, NULL, NULL);
  expect_error(&box, "pcall(table.move, {}, 1, 1 << 50, 2)", BRINK_EBUDGET,
               NULL, NULL);
  expect_error(&box, "while true do table.unpack({}, 1, 999000) end",
               BRINK_EBUDGET, NULL, NULL);
  brink__box_close(&box);
}
