/*
** test_sandbox.c: the sandbox (bindings/lua/sandbox*.c): what scripts can
** reach, how chunks load, locked metatables, that what scripts see is
** deterministic, and that errors and kills report where and never leak.
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
