-- plain.lua: the work of bench/world.lua on plain Lua tables, as a Lua
-- programmer would write it without brink: the baseline of make bench.
local ACTORS = { "A", "B", "C", "D", "E", "F" }

local function clamp(x) if x < 0 then return 0 elseif x > 100 then return 100 end return x end

local moves = {
  { name = "build",
    when = function(w, by) return w[by].v1 < 100, "full" end,
    effect = function(w, by)
      local a = w[by]
      a.v1 = clamp(a.v1 + 3)
      a.v2 = clamp(a.v2 + 1)
    end,
    weight = function(w, by) return 1 + w[by].v3 / 50 end },
  { name = "trade",
    when = function(w, by) return w[by].v4 > 5, "nothing to trade" end,
    effect = function(w, by)
      local a = w[by]
      a.v4 = clamp(a.v4 - 2)
      a.v5 = clamp(a.v5 + 2)
    end },
  { name = "posture",
    effect = function(w, by) local a = w[by]; a.v6 = clamp(a.v6 + 1) end,
    weight = function(w, by) return w[by].v7 / 20 end },
}

local triggers = {}
for i = 1, 30 do
  local id = ACTORS[(i - 1) % 6 + 1]
  local key = "v" .. ((i - 1) % 10 + 1)
  triggers[i] = {
    once = i % 2 == 0,
    when = function(w) return w[id][key] > 40 end,
    effect = function(w) local a = w[id]; a.v20 = clamp(a.v20 + 1) end,
  }
end

return function(seed)
  math.randomseed(seed)
  local w, fired = {}, {}
  for _, id in ipairs(ACTORS) do
    local a = {}
    for k = 1, 20 do a["v" .. k] = 10 + k end
    w[id] = a
  end
  for _ = 1, 20 do
    for _, by in ipairs(ACTORS) do
      local legal, weights, total = {}, {}, 0
      for _, m in ipairs(moves) do
        if not m.when or m.when(w, by) then
          local wt = m.weight and m.weight(w, by) or 1
          legal[#legal + 1], weights[#legal + 1] = m, wt
          total = total + wt
        end
      end
      total = total + 1   -- pass
      local r, sum = math.random() * total, 0
      for i, m in ipairs(legal) do
        sum = sum + weights[i]
        if r < sum then m.effect(w, by) break end
      end
    end
    for i, t in ipairs(triggers) do
      if not (t.once and fired[i]) and t.when(w) then
        fired[i] = true
        t.effect(w)
      end
    end
    if w.A.v20 >= 100 then return "boom", w.A.v20, w.B.v1 end
  end
  return "timeout", w.A.v20, w.B.v1
end
