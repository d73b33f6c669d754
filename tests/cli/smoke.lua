-- smoke.lua: one of each finding of brink check --runs (tests/test_cli.c
-- pins the lines, so keep them where they are): errors in two places
-- that only some seeds hit, a trigger that never fires, a move never
-- legal, an outcome never reached and a variable no script writes.
scenario {
  id = "smoke", start = "2020-01-01", finish = "2020-06-30", turn = "month",
  seed = 1, default_outcome = "stalemate",
}
actor "A" {}
actor "B" {}
var "heat" { min = 0, max = 100, init = 10 }
var "spare" { min = 0, max = 100, init = 5, doc = "nothing writes it" }
relation "trust" { min = 0, max = 100, init = 50 }
move "warm" {
  by = "*",
  effect = function(w)
    if random() < 0.005 then error("cold feet") end
    w.heat = w.heat + 1
  end,
}
move "never" {
  by = "A",
  when = function(w) return w.heat > 1000, "heat is at most 100" end,
  effect = function(w) w.heat = 0 end,
}
move "befriend" {
  by = "B", targets = { "A" },
  effect = function(w, m) w.B.trust.A = w.B.trust.A + 5 end,
}
trigger "flare" {
  effect = function(w)
    if random() < 0.1 then error("boom") end
  end,
}
trigger "unreachable" {
  when = function(w) return w.heat < 0 end,
  effect = function(w) w.heat = 0 end,
}
outcome "meltdown" { when = function(w) return w.heat >= 100 end }

outcome "stalemate" { doc = "no other outcome by the end" }   -- the default_outcome
