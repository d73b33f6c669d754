/*
** test_sandbox_match.c: the library scripts see agrees with Lua's own,
** run side by side on probes: the metered pattern matcher, error names
** and positions, coroutine.wrap and the table functions.
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
