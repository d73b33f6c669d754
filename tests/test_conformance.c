/*
** test_conformance.c: Lua 5.4 as scripts see it inside the sandbox.  Each
** test runs chunks of assertions (our own, covering the areas of Lua's
** test suite) in a sandbox environment, so that a change to the sandbox
** that makes it differ from stock Lua shows here.
*/
#include <criterion/criterion.h>

#include "box_fixture.h"
#include "lang_fixture.h"

/* Runs each chunk of 'chunks' (NULL-terminated) in a fresh environment. */
static void conform(const char *const *chunks) {
  brink__box box;
  open_box(&box, 0, 0, 0);
  for (; *chunks; chunks++)
    expect_ok(&box, *chunks, NULL);
  brink__box_close(&box);
}

Test(conformance, strings_and_format, BOUNDED) {
  static const char *const chunks[] = {
    "assert(#'' == 0 and #'a\\0b' == 3 and ('abc'):len() == 3)\n"
    "assert(('hello'):sub(2, -2) == 'ell' and ('hello'):sub(-3) == 'llo')\n"
    "assert(('hello'):sub(0) == 'hello' and ('hello'):sub(10) == '')\n"
    "assert(('hello'):sub(-100, 2) == 'he' and ('x'):sub(2, 1) == '')\n"
    "assert(('abc'):upper() == 'ABC' and ('ÀB'):lower() == 'Àb')\n"
    "assert(('abc'):rep(0) == '' and ('ab'):rep(3, ',') == 'ab,ab,ab')\n"
    "assert(('abc'):reverse() == 'cba' and ('a'):byte() == 97)\n"
    "assert(select('#', ('abc'):byte(1, -1)) == 3)\n"
    "assert(string.char(72, 105) == 'Hi' and string.char() == '')\n"
    "assert('a' < 'b' and 'a' < 'ab' and 'Z' < 'a' and '' < '\\0')\n"
    "assert('10' + 1 == 11 and '0x10' + 0 == 16 and 10 .. '' == '10')\n",

    "assert(string.format('%d', 3.0) == '3')\n"
    "assert(not pcall(string.format, '%d', 3.5))\n"
    "assert(string.format('%5.2f|%-5d|%05d', 3.14159, 42, 7) ==\n"
    "  ' 3.14|42   |00007')\n"
    "assert(string.format('%x %X %o', 255, 255, 8) == 'ff FF 10')\n"
    "assert(string.format('%q', 'a\\nb\\0') == '\"a\\\\\\nb\\\\0\"')\n"
    "assert(string.format('%q', 1/0) == '1e9999')\n"
    "assert(string.format('%q', math.mininteger) == '0x8000000000000000')\n"
    "assert(string.format('%s %s', nil, true) == 'nil true')\n"
    "assert(string.format('%10s|%-3s|', 'hi', 'x') == '        hi|x  |')\n"
    "assert(string.format('%.3s', 'abcdef') == 'abc')\n"
    "assert(string.format('%g %g', 1e20, 0.1) == '1e+20 0.1')\n"
    "assert(string.format('%%') == '%' and string.format('%c', 65) == 'A')\n"
    "assert(string.format('%a', 1) == '0x1p+0')\n"
    "assert(tostring(1e15) == '1e+15')\n"
    "assert(tostring(2^63) == '9.2233720368548e+18')\n"
    "assert(tostring(-0.0) == '-0.0' and tostring(3) == '3')\n",

    "local s = string.pack('<i4 z s1', -2, 'ab', 'xyz')\n"
    "local a, b, c, n = string.unpack('<i4 z s1', s)\n"
    "assert(a == -2 and b == 'ab' and c == 'xyz' and n == #s + 1)\n"
    "assert(string.packsize('i4 i8') == 12)\n"
    "assert(utf8.char(72, 228, 8364) == 'Hä€' and utf8.len('Hä€') == 3)\n"
    "assert(utf8.codepoint('ä') == 228 and utf8.offset('Hä€', 3) == 4)\n"
    "assert(utf8.len('\\xff') == nil)\n"
    "local cps = {}\n"
    "for p, c in utf8.codes('aé') do cps[#cps + 1] = p .. ':' .. c end\n"
    "assert(table.concat(cps, ' ') == '1:97 2:233')\n",
    NULL
  };
  conform(chunks);
}

Test(conformance, pattern_matching, BOUNDED) {
  static const char *const chunks[] = {
    "assert(string.find('hello world', 'o w') == 5)\n"
    "assert(string.find('hello', 'l+') == 3)\n"
    "assert(select(2, string.find('hello', 'l+')) == 4)\n"
    "assert(string.find('a.b', '.', 1, true) == 2)\n"
    "assert(string.find('abc', 'b', -1) == nil)\n"
    "assert(string.find('', '') == 1 and string.find('abc', '', 10) == nil)\n"
    "assert(string.find('abc', '', 4) == 4)\n"
    "assert(string.match('key = value', '(%w+)%s*=%s*(%w+)') == 'key')\n"
    "assert(select(2, string.match('key = value', '(%w+)%s*=%s*(%w+)'))\n"
    "  == 'value')\n"
    "assert(string.match('  trim  ', '^%s*(.-)%s*$') == 'trim')\n"
    "assert(string.match('hello', '()ll()') == 3)\n"
    "assert(string.match('2024-05-01', '(%d+)-(%d+)-(%d+)') == '2024')\n"
    "assert(string.match('aaa', 'a-b') == nil and string.match('aaab', 'a-b')\n"
    "  == 'aaab')\n"
    "assert(string.match('x = [[y]]', '%[(%[.-%])%]') == '[y]')\n",

    "assert(string.gsub('hello world', 'o', '0') == 'hell0 w0rld')\n"
    "assert(select(2, string.gsub('hello world', 'o', '0')) == 2)\n"
    "assert(string.gsub('abc', '%w', '%0%0') == 'aabbcc')\n"
    "assert(string.gsub('hello world', '(%w+) (%w+)', '%2 %1')\n"
    "  == 'world hello')\n"
    "assert(string.gsub('abc', '', '-') == '-a-b-c-')\n"
    "assert(string.gsub('abc', 'b*', 'X') == 'XaXcX')\n"
    "assert(string.gsub('$x $y', '%$(%w+)', {x = 1, y = false}) == '1 $y')\n"
    "assert(string.gsub('a b', '%w', string.upper) == 'A B')\n"
    "assert(string.gsub('aaa', 'a', 'b', 2) == 'bba')\n"
    "assert(not pcall(string.gsub, 'a', 'a', '%2'))\n"
    "assert(string.gsub('f(a(b)c) g()', '%b()', '') == 'f g')\n"
    "assert(string.gsub('THE (quick) fox', '%f[%a]%a+', 'W') ==\n"
    "  'W (W) W')\n"
    "assert(string.gsub('hello', '(l)(l)', '%2%1') == 'hello')\n"
    "assert(string.find('abba', '(.)(.)%2%1') == 1)\n",

    "local words = {}\n"
    "for w in string.gmatch('one two  three', '%a+') do\n"
    "  words[#words + 1] = w\n"
    "end\n"
    "assert(table.concat(words, ',') == 'one,two,three')\n"
    "local kv = {}\n"
    "for k, v in string.gmatch('a=1, b=2', '(%w+)=(%w+)') do kv[k] = v end\n"
    "assert(kv.a == '1' and kv.b == '2')\n"
    "local n = 0\n"
    "for _ in string.gmatch('abc', '') do n = n + 1 end\n"
    "assert(n == 4)\n"
    "local pos = {}\n"
    "for p in string.gmatch('abc', '()') do pos[#pos + 1] = p end\n"
    "assert(table.concat(pos) == '1234')\n"
    "local it = string.gmatch('xyz', '.', 2)\n"
    "assert(it() == 'y' and it() == 'z' and it() == nil)\n"
    "assert(not pcall(string.find, 'a', '%'))\n"
    "assert(not pcall(string.find, 'a', '[a'))\n"
    "assert(not pcall(string.find, 'a', '(()'))\n"
    "assert(not pcall(string.rep, 'x', 1 << 40))\n",
    NULL
  };
  conform(chunks);
}

Test(conformance, numbers_and_math, BOUNDED) {
  static const char *const chunks[] = {
    "assert(math.type(1) == 'integer' and math.type(1.0) == 'float')\n"
    "assert(math.type('1') == nil and 1 == 1.0 and 3 // 2 == 1)\n"
    "assert(3 / 2 == 1.5 and 7 // -2 == -4 and 7 % -3 == -2)\n"
    "assert(-7 % 3 == 2 and 7.5 % 2 == 1.5 and 2^10 == 1024.0)\n"
    "assert(math.type(2^2) == 'float' and math.type(3 // 1) == 'integer')\n"
    "assert(math.maxinteger + 1 == math.mininteger)\n"
    "assert(math.mininteger // -1 == math.mininteger)\n"
    "assert(not pcall(function() return 1 // 0 end))\n"
    "assert(not pcall(function() return 1 % 0 end))\n"
    "assert(1 // 0.0 == math.huge and -1 / 0 == -math.huge)\n"
    "local nan = 0 / 0\n"
    "assert(nan ~= nan and not (nan < nan))\n"
    "assert(5 & 3 == 1 and 5 | 3 == 7 and 5 ~ 3 == 6 and ~0 == -1)\n"
    "assert(1 << 63 == math.mininteger and 1 << 64 == 0 and -1 >> 63 == 1)\n"
    "assert(not pcall(function() return 1.5 | 0 end))\n"
    "assert(2.0 | 0 == 2)\n",

    "assert(math.floor(3.7) == 3 and math.type(math.floor(3.7)) ==\n"
    "  'integer')\n"
    "assert(math.ceil(-3.5) == -3 and math.floor(-0.0) == 0)\n"
    "assert(math.abs(math.mininteger) == math.mininteger)\n"
    "assert(math.max(1, 2.5, -1) == 2.5 and math.min(3) == 3)\n"
    "assert(not pcall(math.max))\n"
    "assert(math.fmod(7, 3) == 1 and math.fmod(-7, 3) == -1)\n"
    "assert(not pcall(math.fmod, 1, 0))\n"
    "assert(math.tointeger(3.0) == 3 and math.tointeger(3.5) == nil)\n"
    "assert(math.tointeger({}) == nil and math.tointeger(-0.0) == 0)\n"
    "assert(math.ult(1, -1) and not math.ult(-1, 1))\n"
    "local i, f = math.modf(3.7)\n"
    "assert(i == 3.0 and math.abs(f - 0.7) < 1e-12)\n"
    "assert(math.sqrt(16) == 4.0 and math.pi > 3.14)\n"
    "assert(tonumber('0x1p4') == 16.0 and tonumber('10', 2) == 2)\n"
    "assert(tonumber('z', 36) == 35 and tonumber('1e1') == 10.0)\n"
    "assert(tonumber('  12  ') == 12 and tonumber('12a') == nil)\n"
    "assert(math.tointeger(2^53) == 9007199254740992)\n"
    "assert(string.format('%.14g', 0.1 + 0.2) == '0.3')\n",
    NULL
  };
  conform(chunks);
}

/* The engine adds math.random (its seeded generator) to scenarios. */
Test(conformance, math_random_ranges, BOUNDED) {
  int status;
  char *log = play(HEADER
      "actor 'A' { name = 'A' }\n"
      "var 'x' { init = 0 }\n"
      "trigger 't' { effect = function(w)\n"
      "  for _ = 1, 200 do\n"
      "    local f = math.random()\n"
      "    assert(math.type(f) == 'float' and f >= 0 and f < 1)\n"
      "    local d = math.random(6)\n"
      "    assert(math.type(d) == 'integer' and d >= 1 and d <= 6)\n"
      "    local r = math.random(-3, 3)\n"
      "    assert(r >= -3 and r <= 3)\n"
      "    assert(math.random(5, 5) == 5)\n"
      "    local m = math.random(math.mininteger, math.maxinteger)\n"
      "    assert(math.type(m) == 'integer')\n"
      "    assert(math.type(math.random(0)) == 'integer')\n"
      "  end\n"
      "  assert(not pcall(math.random, 2, 1))\n"
      "  assert(not pcall(math.random, 1.5))\n"
      "  w.x = 1 end }\n", 3, &status);
  cr_assert_eq(status, BRINK_DONE, "%s", log);
  assert_has(log, "\"x\":1");
  free(log);
}

Test(conformance, tables, BOUNDED) {
  static const char *const chunks[] = {
    "local t = {5, 2, 8, 1}\n"
    "table.sort(t)\n"
    "assert(table.concat(t, ',') == '1,2,5,8')\n"
    "table.sort(t, function(a, b) return a > b end)\n"
    "assert(table.concat(t, ',') == '8,5,2,1')\n"
    "local s = {'b', 'a', 'C'}\n"
    "table.sort(s)\n"
    "assert(table.concat(s) == 'Cab')\n"
    "assert(not pcall(table.sort, {1, 'a'}))\n"
    "local e = {} table.sort(e) assert(#e == 0)\n",

    "local t = {1, 2, 3}\n"
    "table.insert(t, 4)\n"
    "table.insert(t, 1, 0)\n"
    "assert(table.concat(t, ',') == '0,1,2,3,4')\n"
    "assert(table.remove(t) == 4 and table.remove(t, 1) == 0)\n"
    "assert(table.concat(t, ',') == '1,2,3')\n"
    "assert(table.remove({}) == nil and #t == 3)\n"
    "assert(table.remove(t, #t + 1) == nil)\n"
    "assert(not pcall(table.insert, t, 9, 1))\n"
    "assert(not pcall(table.insert, t, 1, 2, 3))\n"
    "local m = table.move({1, 2, 3}, 1, 3, 2)\n"
    "assert(table.concat(m, ',') == '1,1,2,3')\n"
    "local d = table.move({1, 2, 3}, 2, 3, 1, {})\n"
    "assert(table.concat(d, ',') == '2,3')\n"
    "assert(select('#', table.unpack({1, nil, 3})) == 3)\n"
    "assert(select('#', table.unpack({}, 1, 2)) == 2)\n"
    "assert(table.unpack({1, 2, 3}, 2) == 2)\n"
    "local p = table.pack(1, nil, 3)\n"
    "assert(p.n == 3 and p[3] == 3)\n"
    "assert(table.concat({1, 2.5, 'x'}, '-') == '1-2.5-x')\n"
    "assert(table.concat({}, ',') == '' and table.concat({'a'}, ',', 2) ==\n"
    "  '')\n"
    "local ok, msg = pcall(table.concat, {1, {}})\n"
    "assert(not ok and msg ==\n"
    "  \"invalid value (table) at index 2 in table for 'concat'\")\n",

    "local t = {10, 20, 30, x = 1, y = 2}\n"
    "local n, sum = 0, 0\n"
    "for k, v in pairs(t) do n = n + 1 sum = sum + v end\n"
    "assert(n == 5 and sum == 63)\n"
    "local k, v = next(t)\n"
    "assert(k == 1 and v == 10 and next({}) == nil)\n"
    "local seen = {}\n"
    "for i, v in ipairs({1, 2, nil, 4}) do seen[#seen + 1] = i end\n"
    "assert(#seen == 2)\n"
    "for k in pairs(t) do t[k] = nil end\n"
    "assert(next(t) == nil)\n"
    "local proxy = setmetatable({}, {__pairs = function(o)\n"
    "  return function(_, k) if not k then return 1, 'one' end end, o, nil\n"
    "end})\n"
    "for k, v in pairs(proxy) do assert(k == 1 and v == 'one') end\n"
    "assert(rawlen({1, 2}) == 2 and rawequal(t, t))\n"
    "assert(rawget(setmetatable({}, {__index = function() return 1 end}),\n"
    "  'a') == nil)\n"
    "local ix = setmetatable({}, {__index = function(_, k) return k * 2 end})\n"
    "assert(ix[21] == 42)\n"
    "local len = setmetatable({}, {__len = function() return 7 end})\n"
    "assert(#len == 7)\n",
    NULL
  };
  conform(chunks);
}

Test(conformance, calls_varargs_and_errors, BOUNDED) {
  static const char *const chunks[] = {
    "local function f(...) return select('#', ...), ... end\n"
    "assert(f() == 0 and f(nil, nil) == 2)\n"
    "assert(select(2, f(7, 8)) == 7)\n"
    "assert(select(-1, 1, 2, 3) == 3 and select('#') == 0)\n"
    "assert(not pcall(select, 0))\n"
    "local function g(a, b, ...) local t = {...} return a, b, #t end\n"
    "local a, b, n = g(1)\n"
    "assert(a == 1 and b == nil and n == 0)\n"
    "assert(select(3, g(1, 2, 3, 4)) == 2)\n"
    "local function tail(n) if n == 0 then return 'done' end\n"
    "  return tail(n - 1) end\n"
    "assert(tail(100000) == 'done')\n"
    "local function multi() return 1, 2, 3 end\n"
    "local t = {multi(), multi()}\n"
    "assert(#t == 4 and (multi()) == 1)\n"
    "local c = setmetatable({}, {__call = function(_, x)\n"
    "  return x + 1 end})\n"
    "assert(c(1) == 2)\n",

    "local ok, e = pcall(error, 'msg')\n"
    "assert(not ok and e == 'msg')\n"
    "ok, e = pcall(error, {code = 1})\n"
    "assert(type(e) == 'table' and e.code == 1)\n"
    "ok, e = pcall(function() error('here') end)\n"
    "assert(e == 't.lua:5: here')\n"
    "ok, e = pcall(function() error('up', 2) end)\n"
    "assert(e == 'up')\n"
    "ok, e = pcall(function() local x = nil; return x.y end)\n"
    "assert(e == \"t.lua:9: attempt to index a nil value (local 'x')\")\n"
    "ok, e = pcall(function() return 1 + {} end)\n"
    "assert(e == 't.lua:11: attempt to perform arithmetic on a table value')\n"
    "ok, e = pcall(function() return ('x'):rep() end)\n"
    "assert(e == \"t.lua:13: bad argument #1 to 'rep' \"\n"
    "  .. '(number expected, got no value)')\n"
    "ok, e = pcall(function() return string.upper() end)\n"
    "assert(e == \"t.lua:16: bad argument #1 to 'upper' \"\n"
    "  .. '(string expected, got no value)')\n"
    "ok, e = pcall(function() table.insert({}, 1, 2, 3) end)\n"
    "assert(e == \"t.lua:19: wrong number of arguments to 'insert'\")\n"
    "ok, e = pcall(string.rep)\n"
    "assert(e == \"bad argument #1 to 'string.rep' \"\n"
    "  .. '(string expected, got no value)')\n"
    "ok, e = pcall(setmetatable, 1)\n"
    "assert(e == \"bad argument #1 to 'setmetatable' \"\n"
    "  .. '(table expected, got number)')\n"
    "ok, e = xpcall(function() error('x') end,\n"
    "  function(m) return 'h:' .. m end)\n"
    "assert(e == 'h:t.lua:27: x')\n"
    "ok, e = pcall(function()\n"
    "  local t = setmetatable({}, {__index = function()\n"
    "    error('deep', 0) end})\n"
    "  return t.k end)\n"
    "assert(e == 'deep')\n"
    "assert(select('#', pcall(error)) == 2)\n",
    NULL
  };
  conform(chunks);
}

Test(conformance, coroutines, BOUNDED) {
  static const char *const chunks[] = {
    "local co = coroutine.create(function(a, b)\n"
    "  local c = coroutine.yield(a + b)\n"
    "  local d, e = coroutine.yield(c * 2)\n"
    "  return d + e\n"
    "end)\n"
    "assert(coroutine.status(co) == 'suspended')\n"
    "local ok, v = coroutine.resume(co, 1, 2)\n"
    "assert(ok and v == 3)\n"
    "ok, v = coroutine.resume(co, 10)\n"
    "assert(ok and v == 20)\n"
    "ok, v = coroutine.resume(co, 3, 4)\n"
    "assert(ok and v == 7 and coroutine.status(co) == 'dead')\n"
    "ok, v = coroutine.resume(co)\n"
    "assert(not ok and v == 'cannot resume dead coroutine')\n"
    "assert(not coroutine.isyieldable())\n"
    "local inside\n"
    "coroutine.wrap(function() inside = coroutine.isyieldable() end)()\n"
    "assert(inside)\n"
    "local main, ismain = coroutine.running()\n"
    "assert(type(main) == 'thread' and ismain)\n",

    "local gen = coroutine.wrap(function()\n"
    "  for i = 1, 3 do coroutine.yield(i) end\n"
    "end)\n"
    "assert(gen() == 1 and gen() == 2 and gen() == 3)\n"
    "local w = coroutine.wrap(function() error('boom') end)\n"
    "local ok, e = pcall(w)\n"
    "assert(not ok and e == 't.lua:5: boom')\n"
    "w = coroutine.wrap(function() error({}) end)\n"
    "ok, e = pcall(w)\n"
    "assert(type(e) == 'table')\n"
    "local co = coroutine.create(function() coroutine.yield() end)\n"
    "coroutine.resume(co)\n"
    "assert(coroutine.close(co) and coroutine.status(co) == 'dead')\n"
    "local closed = false\n"
    "co = coroutine.create(function()\n"
    "  local x <close> = setmetatable({}, {__close = function()\n"
    "    closed = true end})\n"
    "  coroutine.yield()\n"
    "end)\n"
    "coroutine.resume(co)\n"
    "assert(coroutine.close(co) and closed)\n"
    "co = coroutine.create(function()\n"
    "  local x <close> = setmetatable({}, {__close = function()\n"
    "    error('cl', 0) end})\n"
    "  coroutine.yield()\n"
    "end)\n"
    "coroutine.resume(co)\n"
    "local okc, ec = coroutine.close(co)\n"
    "assert(not okc and ec == 'cl')\n"
    "assert(not pcall(coroutine.close, coroutine.running()))\n"
    "local me = coroutine.wrap(function() return coroutine.status(\n"
    "  (coroutine.running())) end)\n"
    "assert(me() == 'running')\n",
    NULL
  };
  conform(chunks);
}

Test(conformance, locals_close_and_const, BOUNDED) {
  static const char *const chunks[] = {
    "local log = {}\n"
    "local function closer(name)\n"
    "  return setmetatable({}, {__close = function(_, err)\n"
    "    log[#log + 1] = name .. ':' .. tostring(err) end})\n"
    "end\n"
    "do\n"
    "  local a <close> = closer('a')\n"
    "  local b <close> = closer('b')\n"
    "  local n <close> = nil\n"
    "end\n"
    "assert(table.concat(log, ' ') == 'b:nil a:nil')\n"
    "log = {}\n"
    "local ok, e = pcall(function()\n"
    "  local c <close> = closer('c')\n"
    "  error('E', 0)\n"
    "end)\n"
    "assert(not ok and e == 'E' and log[1] == 'c:E')\n"
    "local function early()\n"
    "  local d <close> = closer('d')\n"
    "  return 'r'\n"
    "end\n"
    "log = {}\n"
    "assert(early() == 'r' and log[1] == 'd:nil')\n"
    "for i = 1, 2 do local x <close> = closer('i' .. i) end\n"
    "assert(log[2] == 'i1:nil' and log[3] == 'i2:nil')\n"
    "assert(not pcall(load('local x <close> = 1')))\n"
    "ok = pcall(function() local x <close> = 42 end)\n"
    "assert(not ok)\n",

    "local K <const> = 10\n"
    "assert(K * 2 == 20)\n"
    "assert(load('local K <const> = 1; K = 2') == nil)\n"
    "assert(load('local x <foo> = 1') == nil)\n"
    "local x = 1\n"
    "do local x = 2 assert(x == 2) end\n"
    "assert(x == 1)\n"
    "local fs = {}\n"
    "for i = 1, 3 do fs[i] = function() return i end end\n"
    "assert(fs[1]() == 1 and fs[3]() == 3)\n"
    "local function counter() local n = 0\n"
    "  return function() n = n + 1 return n end end\n"
    "local c1, c2 = counter(), counter()\n"
    "assert(c1() == 1 and c1() == 2 and c2() == 1)\n"
    "local a, b, c = (function() return 1, 2 end)()\n"
    "assert(a == 1 and b == 2 and c == nil)\n"
    "goto skip\n"
    "x = 99\n"
    "::skip::\n"
    "assert(x == 1)\n",
    NULL
  };
  conform(chunks);
}
