-- batch.lua: a small scenario for the brink batch tests: random outcomes,
-- a score, a trigger that fires now and then, an enum, a flag, a move that
-- is never legal, and a run error on demand (--set fail_at=N).
scenario {
  id = "batchtest", start = "2020-01-01", finish = "2020-06-30",
  turn = "month", seed = 100, default_outcome = "stalemate",
}
actor "A" {}
actor "B" {}
var "heat" { min = 0, max = 100, init = 50 }
var "mood" { type = "enum", values = { "calm", "tense" }, init = "calm" }
var "alarm" { type = "flag", init = false }
var "ticks" { type = "integer", min = 0, max = 100, init = 0 }
var "fail_at" { type = "integer", min = 0, max = 100, init = 0 }

move "push" {
  by = "*",
  effect = function(w) w.heat = w.heat + random(1, 10) end,
  weight = function() return 2 end,
}
move "calm_down" {
  by = "*",
  effect = function(w) w.heat = w.heat - random(1, 8) end,
}
move "never" {
  by = "A",
  when = function() return false, "never allowed" end,
  effect = function() end,
}

trigger "tense" {
  when = function(w) return w.heat > 70 end,
  effect = function(w) w.mood = "tense"; w.alarm = true end,
}
trigger "tick" {
  once = false,
  effect = function(w)
    w.ticks = w.ticks + 1
    if w.ticks == w.fail_at then error("planned failure") end
  end,
}

outcome "war" { when = function(w) return w.heat >= 90 end }
outcome "peace" { when = function(w) return w.heat <= 20 end }

score = function(w, actor)
  if actor == "A" then return w.heat end
  return 100 - w.heat
end

outcome "stalemate" { doc = "no other outcome by the end" }   -- the default_outcome
