-- world.lua: the benchmark's world, as a scenario.  6 actors with 20
-- variables each, 3 moves per actor, 30 condition triggers, 20 monthly
-- turns.  bench/plain.lua does the same work on plain Lua tables.
scenario {
  id = "bench", start = "2019-05-01", finish = "2020-12-31", turn = "month",
  default_outcome = "timeout",
}

local ACTORS = { "A", "B", "C", "D", "E", "F" }
for _, id in ipairs(ACTORS) do actor(id) { name = id } end
for k = 1, 20 do var("*.v" .. k) { min = 0, max = 100, init = 10 + k } end

move "build" {
  by = "*",
  when = function(w, m) return w[m.by].v1 < 100, "full" end,
  effect = function(w, m)
    local a = w[m.by]
    a.v1 = a.v1 + 3
    a.v2 = a.v2 + 1
  end,
  weight = function(w, m) return 1 + w[m.by].v3 / 50 end,
}

move "trade" {
  by = "*",
  when = function(w, m) return w[m.by].v4 > 5, "nothing to trade" end,
  effect = function(w, m)
    local a = w[m.by]
    a.v4 = a.v4 - 2
    a.v5 = a.v5 + 2
  end,
}

move "posture" {
  by = "*",
  effect = function(w, m)
    local a = w[m.by]
    a.v6 = a.v6 + 1
  end,
  weight = function(w, m) return w[m.by].v7 / 20 end,
}

for i = 1, 30 do
  local id = ACTORS[(i - 1) % 6 + 1]
  local key = "v" .. ((i - 1) % 10 + 1)
  trigger("t" .. i) {
    once = i % 2 == 0,
    when = function(w) return w[id][key] > 40 end,
    effect = function(w)
      local a = w[id]
      a.v20 = a.v20 + 1
    end,
  }
end

outcome "boom" { when = function(w) return w.A.v20 >= 100 end }

outcome "timeout" { doc = "the calendar ran out" }   -- the default_outcome
