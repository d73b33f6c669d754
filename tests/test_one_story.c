/* One seed, one story: nothing a script does outside the world survives a
   call.  Each way around that is refused, at load or where it runs, and
   reading what loading made stays free. */
#include "lang_fixture.h"

#define W                                                                   \
  HEADER "actor 'USA' {} actor 'DPRK' {}\n"                                 \
  "var 'x' { min = 0, max = 100, init = 1 }\n"                              \
  "relation 'tension' { min = 0, max = 100, init = 40 }\n"
/* W is 4 lines; a trigger on line 5. */

#define VIEW "are views of the world, not tables; use their fields"
#define LOADED "tables made while the scenario loaded are read-only during " \
               "a run; keep state in a var"

Test(one_story, the_world_and_its_proxies_hold_no_raw_fields) {
  assert_error(W "trigger 'x' { effect = function(w) rawset(w, 'x', 99) end }\n",
               "test.lua:5", "trigger:x",
               "rawset: w, its actors and relations and a move's 'm' " VIEW);
  assert_error(W "trigger 'x' { effect = function(w) return rawget(w, 'x') end }\n",
               "test.lua:5", "trigger:x",
               "rawget: w, its actors and relations and a move's 'm' " VIEW);
  assert_error(W "trigger 'x' { effect = function(w) rawset(w.USA, 'y', 1) end }\n",
               "test.lua:5", "trigger:x",
               "rawset: w, its actors and relations and a move's 'm' " VIEW);
  assert_error(W "trigger 'x' { effect = function(w)\n"
               "  rawset(w.USA.tension, 'DPRK', 1) end }\n",
               "test.lua:6", "trigger:x",
               "rawset: w, its actors and relations and a move's 'm' " VIEW);
  assert_error(W "trigger 'x' { effect = function(w) return rawlen(w.USA) end }\n",
               "test.lua:5", "trigger:x",
               "rawlen: w, its actors and relations and a move's 'm' " VIEW);
  assert_error(W "trigger 'x' { effect = function(w) return next(w) end }\n",
               "test.lua:5", "trigger:x",
               "next: w, its actors and relations and a move's 'm' " VIEW);
  assert_error(W "trigger 'x' { effect = function(w)\n"
               "  for k in pairs(w.DPRK) do end end }\n",
               "test.lua:6", "trigger:x",
               "pairs: w, its actors and relations and a move's 'm' " VIEW);
  assert_error(W "trigger 'x' { effect = function(w) w.USA = { x = 99 } end }\n",
               "test.lua:5", "trigger:x", "w.USA cannot be assigned");
  assert_error(W "trigger 'x' { effect = function(w) setmetatable(w, {}) end }\n",
               "test.lua:5", "trigger:x",
               "setmetatable: w, its actors and relations and a move's 'm' " VIEW);
  assert_error(W "trigger 'x' { effect = function(w)\n"
               "  setmetatable(w.USA.tension, nil) end }\n",
               "test.lua:6", "trigger:x",
               "setmetatable: w, its actors and relations and a move's 'm' " VIEW);
}

Test(one_story, a_condition_cannot_write_through_rawset) {
  assert_error(W "trigger 'x' { when = function(w) rawset(w, 'x', 99)\n"
               "  return true end, effect = function(w) end }\n",
               "test.lua:5", "trigger:x",
               "rawset: w, its actors and relations and a move's 'm' " VIEW);
}

Test(one_story, a_moves_m_is_read_only) {
  assert_error(W "move 'poke' { by = 'USA', targets = { 'DPRK' },\n"
               "  weight = function() return 1e9 end,\n"
               "  effect = function(w, m) m.count = (m.count or 0) + 1 end }\n",
               "test.lua:7", "move:poke",
               "m is read-only: it says which move is being made (m.by, "
               "m.move, m.target); keep state in a var");
  assert_error(W "move 'poke' { by = 'USA', targets = { 'DPRK' },\n"
               "  weight = function() return 1e9 end,\n"
               "  effect = function(w, m) rawset(m, 'target', 'USA') end }\n",
               "test.lua:7", "move:poke",
               "rawset: w, its actors and relations and a move's 'm' " VIEW);
}

Test(one_story, a_policy_cannot_change_the_options_it_is_given) {
  const char *src =
      W "move 'poke' { by = 'USA', targets = { 'DPRK' }, effect = function() end }\n"
      "policy 'p' { actor = 'USA', choose = function(w, options)\n"
      "  options[1].target = nil\n"
      "  return options[1] end }\n";
  brink_engine *e = load_ok(src);
  transcript t = {e, calloc(1, 1), 0, 1};
  brink_on_record(e, transcript_add, &t);
  cr_assert_eq(brink_policy_assign(e, 0, "p"), BRINK_OK, "%s", brink_errmsg(e));
  cr_assert_eq(brink_start(e, 1), BRINK_OK);
  cr_assert_eq(brink_run(e), BRINK_ESCRIPT);
  assert_has(t.text, "\"where\":\"test.lua:7\",\"in\":\"policy:p\","
             "\"message\":\"m is read-only");
  brink_engine_close(e);
  free(t.text);
}

Test(one_story, tables_made_while_loading_refuse_writes_during_a_run) {
  assert_error(W "local log = {}\n"
               "trigger 'x' { effect = function(w) log[#log + 1] = w.x end }\n",
               "test.lua:6", "trigger:x", "cannot assign [1]: " LOADED);
  assert_error(W "local seen = { n = 0 }\n"
               "trigger 'x' { effect = function(w) local s = seen\n"
               "  s.n = s.n + 1 end }\n",
               "test.lua:7", "trigger:x", "cannot assign 'n': " LOADED);
  assert_error(W "trigger 'x' { effect = function(w)\n"
               "  string.shout = string.upper end }\n",
               "test.lua:6", "trigger:x", "cannot assign 'shout': " LOADED);
  assert_error(W "trigger 'x' { effect = function(w) _G.n = 1 end }\n",
               "test.lua:5", "trigger:x",
               "cannot assign the global 'n' during a run: globals are fixed "
               "once the scenario has loaded; keep state in a var");
  assert_error(W "trigger 'x' { effect = function(w) rawset(_G, 'n', 1) end }\n",
               "test.lua:5", "trigger:x", "rawset: " LOADED);
  assert_error(W "local C = { 3, 1, 2 }\n"
               "trigger 'x' { effect = function(w) table.sort(C) end }\n",
               "test.lua:6", "trigger:x", "cannot assign [1]: " LOADED);
  assert_error(W "local C = { 3, 1, 2 }\n"
               "trigger 'x' { effect = function(w) table.insert(C, 4) end }\n",
               "test.lua:6", "trigger:x", "cannot assign [4]: " LOADED);
  assert_error(W "local C = { 3, 1, 2 }\n"
               "trigger 'x' { effect = function(w) setmetatable(C, {}) end }\n",
               "test.lua:6", "trigger:x", "setmetatable: " LOADED);
  assert_error(W "local C = { 3, 1, 2 }\n"
               "trigger 'x' { effect = function(w)\n"
               "  load('t[1] = 9', '=chunk', 't', { t = C })() end }\n",
               "chunk:1", "trigger:x", "cannot assign [1]: " LOADED);
}

Test(one_story, what_loading_made_is_frozen_however_it_was_reached) {
  /* Through a table of tables, a metatable, a key, an import. */
  assert_error(W "local deep = { a = { b = { c = {} } } }\n"
               "local keyed = { [{}] = 1 }\n"
               "trigger 'x' { effect = function(w) deep.a.b.c[1] = 1 end }\n",
               "test.lua:7", "trigger:x", "cannot assign [1]: " LOADED);
  assert_error(W "local mt = { __index = { hidden = {} } }\n"
               "local obj = setmetatable({}, mt)\n"
               "trigger 'x' { effect = function(w) obj.hidden.n = 1 end }\n",
               "test.lua:7", "trigger:x", "cannot assign 'n': " LOADED);
  assert_error(W "local util = import 'util'\n"
               "trigger 'x' { effect = function(w) local u = util\n"
               "  u.extra = 1 end }\n",
               "test.lua:7", "trigger:x", "cannot assign 'extra': " LOADED);
}

Test(one_story, functions_that_assign_what_loading_made_are_refused_at_load) {
  cr_assert_str_eq(load_error(W "local count = 0\n"
      "move 'poke' { by = 'USA',\n"
      "  effect = function(w) count = count + 1 end }\n"),
      "test.lua:7: assigns 'count', a local kept from loading: a run may "
      "not change it; keep state in a var");
  /* A closure made while loading by a factory keeps its own local. */
  cr_assert_str_eq(load_error(W "local function counter()\n"
      "  local n = 0\n"
      "  return function() n = n + 1 return n end\n"
      "end\n"
      "local next_id = counter()\n"
      "trigger 'x' { effect = function(w) w.x = next_id() end }\n"),
      "test.lua:7: assigns 'n', a local kept from loading: a run may not "
      "change it; keep state in a var");
  cr_assert_str_eq(load_error(W "turns = 0\n"
      "on('turn_end', function(w) turns = turns + 1 end)\n"),
      "test.lua:6: assigns the global 'turns': globals are fixed once the "
      "scenario has loaded; keep state in a var");
  cr_assert_str_eq(load_error(W "local T = {}\n"
      "trigger 'x' { effect = function(w) T.last = w.x end }\n"),
      "test.lua:6: assigns 'T.last': tables made while loading are "
      "read-only during a run; keep state in a var");
  /* Nested functions inherit what their parent kept. */
  cr_assert_str_eq(load_error(W "local hits = 0\n"
      "trigger 'x' { effect = function(w)\n"
      "  local function bump() hits = hits + 1 end\n"
      "  bump() end }\n"),
      "test.lua:7: assigns 'hits', a local kept from loading: a run may "
      "not change it; keep state in a var");
}

Test(one_story, coroutines_and_iterators_made_while_loading_are_refused) {
  cr_assert_str_eq(load_error(W "local gen = coroutine.wrap(function()\n"
      "  for i = 1, 10 do coroutine.yield(i) end end)\n"
      "trigger 'x' { effect = function(w) w.x = gen() end }\n"),
      "test.lua:7: an iterator or coroutine.wrap() made while loading keeps "
      "state of its own that no run can reset; make it inside the function "
      "that uses it");
  cr_assert_str_eq(load_error(W "co = coroutine.create(function()\n"
      "  coroutine.yield(1) end)\n"),
      "test.lua:5: a coroutine made while loading keeps state of its own "
      "that no run can reset; create it inside the function that uses it");
  assert_has(load_error(W "local words = string.gmatch('a b c', '%a')\n"
      "trigger 'x' { effect = function(w) return words() end }\n"),
      "test.lua:6: an iterator or coroutine.wrap() made while loading");
}

Test(one_story, functions_that_write_only_their_own_locals_load_and_run) {
  /* Locals of a call, closures made during a run, and their upvalues. */
  const char *src =
      W "local LIMIT = 3\n"
      "trigger 'x' { once = false, effect = function(w)\n"
      "  local n = 0\n"
      "  local function bump() n = n + 1 end\n"
      "  for _ = 1, LIMIT do bump() end\n"
      "  local scratch = {} scratch[#scratch + 1] = n\n"
      "  w.x = w.x + scratch[1] end }\n";
  int rc;
  char *log = play(src, 1, &rc);
  cr_assert_eq(rc, BRINK_DONE, "%s", log);
  assert_has(log, "\"var\":\"x\",\"old\":1,\"new\":4");
  assert_has(log, "\"var\":\"x\",\"old\":4,\"new\":7");
  free(log);
}

Test(one_story, reading_what_loading_made_stays_free) {
  const char *src =
      W "local WEIGHTS = { 4, 2, 9, names = { 'a', 'b' } }\n"
      "local Class = {}\n"
      "Class.__index = Class\n"
      "function Class.new(v) return setmetatable({ v = v }, Class) end\n"
      "function Class:get() return self.v end\n"
      "local Point = setmetatable({ x = 1 }, { __index = function(t, k)\n"
      "  return k == 'y' and rawget(t, 'x') + 1 or nil end,\n"
      "  __tostring = function() return 'point' end })\n"
      "local LOADED = Class.new(5)\n"
      "local function total(t) local s = 0\n"
      "  for _, v in ipairs(t) do s = s + v end return s end\n"
      "trigger 'x' { effect = function(w)\n"
      "  local obj = Class.new(7)\n"
      "  assert(obj:get() == 7 and LOADED:get() == 5)\n"
      "  assert(getmetatable(obj) == Class and getmetatable(LOADED) == Class)\n"
      "  assert(getmetatable(WEIGHTS) == nil)\n"
      "  assert(#WEIGHTS == 3 and total(WEIGHTS) == 15)\n"
      "  assert(rawget(WEIGHTS, 3) == 9 and rawlen(WEIGHTS) == 3)\n"
      "  assert(select('#', table.unpack(WEIGHTS)) == 3)\n"
      "  assert(table.concat(WEIGHTS.names, ',') == 'a,b')\n"
      "  local keys = {}\n"
      "  for k in pairs(WEIGHTS) do keys[#keys + 1] = tostring(k) end\n"
      "  assert(table.concat(keys, ' ') == '1 2 3 names', table.concat(keys, ' '))\n"
      "  assert(next(WEIGHTS) == 1 and next(WEIGHTS, 3) == 'names')\n"
      "  assert(Point.x == 1 and Point.y == 2 and tostring(Point) == 'point')\n"
      "  assert(('%d'):format(3) == '3' and math.max(1, 2) == 2)\n"
      "  local f, s = pairs(WEIGHTS)\n"
      "  assert(s == WEIGHTS)\n"
      "  w.x = total(WEIGHTS) end }\n";
  int rc;
  char *log = play(src, 1, &rc);
  cr_assert_eq(rc, BRINK_DONE, "%s", log);
  assert_has(log, "\"var\":\"x\",\"old\":1,\"new\":15");
  free(log);
}

Test(one_story, a_run_may_import_only_what_loading_imported) {
  assert_error(W "trigger 'x' { effect = function(w) import 'util' end }\n",
               "test.lua:5", "trigger:x",
               "import can only be used while the scenario loads, not inside "
               "an effect or condition");
  int rc;
  char *log = play(W "import 'util'\n"
                   "trigger 'x' { effect = function(w)\n"
                   "  assert(import 'util' ~= nil) end }\n", 1, &rc);
  cr_assert_eq(rc, BRINK_DONE, "%s", log);
  free(log);
}

Test(one_story, functions_made_by_load_while_loading_are_read_too) {
  cr_assert_str_eq(load_error(W "local bump = load('local n = 0 "
      "return function() n = n + 1 return n end', '=made')()\n"
      "trigger 'x' { effect = function(w) w.x = bump() end }\n"),
      "made:1: assigns 'n', a local kept from loading: a run may not "
      "change it; keep state in a var");
}

Test(one_story, a_string_function_added_while_loading_is_a_method_in_a_run) {
  int rc;
  char *log = play(W "function string.shout(s) return s:upper() .. '!' end\n"
                   "trigger 'x' { effect = function(w)\n"
                   "  news(('hi'):shout()) end }\n", 1, &rc);
  cr_assert_eq(rc, BRINK_DONE, "%s", log);
  assert_has(log, "\"text\":\"HI!\"");
  free(log);
}

Test(one_story, a_metatable_in_use_cannot_become_weak_or_get_a_finalizer) {
  assert_error(W "trigger 'x' { effect = function(w)\n"
               "  local mt = {} local t = setmetatable({}, mt)\n"
               "  mt.__mode = 'k' end }\n",
               "test.lua:7", "trigger:x",
               "metatable: '__mode' is not allowed (weak tables make results "
               "depend on garbage collection)");
  assert_error(W "trigger 'x' { effect = function(w)\n"
               "  local mt = {} setmetatable({}, mt)\n"
               "  rawset(mt, '__gc', print) end }\n",
               "test.lua:7", "trigger:x",
               "rawset: '__gc' is not allowed (finalizers would run outside "
               "the script budgets)");
  /* Added while loading, after setmetatable: refused when a run uses it. */
  assert_error(W "local Weak = {} setmetatable({}, Weak) Weak.__mode = 'v'\n"
               "trigger 'x' { effect = function(w)\n"
               "  setmetatable({}, Weak) end }\n",
               "test.lua:7", "trigger:x",
               "setmetatable: '__mode' is not allowed (weak tables make "
               "results depend on garbage collection)");
}

Test(one_story, metatables_made_during_a_run_keep_lua_semantics) {
  const char *src =
      W "trigger 'x' { effect = function(w)\n"
      "  local mt = {}\n"
      "  local obj = setmetatable({}, mt)\n"
      "  mt.__index = function(_, k) return k .. '!' end\n"
      "  assert(obj.hi == 'hi!' and getmetatable(obj) == mt)\n"
      "  mt.__add = function(a, b) return 42 end\n"
      "  assert(obj + obj == 42)\n"
      "  assert(rawget(mt, '__add') ~= nil and next(mt) ~= nil)\n"
      "  local n = 0 for _ in pairs(mt) do n = n + 1 end assert(n == 2)\n"
      "  assert(rawset(mt, 'extra', 1) == mt and mt.extra == 1)\n"
      "  local Base = { hello = function() return 'hi' end }\n"
      "  Base.__index = Base\n"
      "  local Derived = setmetatable({}, Base)\n"
      "  Derived.__index = Derived\n"
      "  function Derived.bye() return 'bye' end\n"
      "  local d = setmetatable({}, Derived)\n"
      "  assert(d.hello() == 'hi' and d.bye() == 'bye')\n"
      "  assert(getmetatable(d) == Derived and getmetatable(Derived) == Base)\n"
      "  setmetatable(obj, nil) assert(getmetatable(obj) == nil)\n"
      "  w.x = 2 end }\n";
  int rc;
  char *log = play(src, 1, &rc);
  cr_assert_eq(rc, BRINK_DONE, "%s", log);
  assert_has(log, "\"var\":\"x\",\"old\":1,\"new\":2");
  free(log);
}

/* Plays 'src' with the condition cache on or off; returns the JSONL. */
static char *play_cached(const char *src, uint32_t flags) {
  brink_config cfg;
  brink_config_init(&cfg);
  cfg.flags = flags;
  brink_engine *e;
  cr_assert_eq(brink_engine_open(&e, &cfg), BRINK_OK);
  cr_assert_eq(brink_load_string(e, "test.lua", src, strlen(src)), BRINK_OK,
               "%s", brink_errmsg(e));
  transcript t = {e, calloc(1, 1), 0, 1};
  brink_on_record(e, transcript_add, &t);
  cr_assert_eq(brink_start(e, 7), BRINK_OK);
  if (brink_run(e) != BRINK_DONE) brink_finish(e, "error");
  brink_engine_close(e);
  return t.text;
}

Test(one_story, the_condition_cache_and_no_cache_tell_one_story) {
  static const char *const sources[] = {
      /* Conditions reading what loading made. */
      W "local LIMITS = { low = 20, high = 60, steps = { 5, 10 } }\n"
      "move 'up' { by = 'USA', when = function(w) return w.x < LIMITS.high end,\n"
      "  effect = function(w) w.x = w.x + LIMITS.steps[2] end }\n"
      "trigger 'alarm' { once = false, when = function(w)\n"
      "  return w.x > LIMITS.low and #LIMITS.steps == 2 end,\n"
      "  effect = function(w) news('alarm at %d', w.x) end }\n",
      /* A condition that tries to write: the same error either way. */
      W "trigger 'sneak' { when = function(w) rawset(w, 'x', 99)\n"
      "  return w.x > 50 end, effect = function(w) w.x = 1 end }\n",
  };
  for (size_t i = 0; i < sizeof sources / sizeof *sources; i++) {
    char *cached = play_cached(sources[i], 0);
    char *plain = play_cached(sources[i], BRINK_FLAG_NO_CACHE);
    cr_assert_str_eq(cached, plain);
    free(cached);
    free(plain);
  }
}
