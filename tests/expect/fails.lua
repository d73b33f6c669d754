-- fails.lua: an expectation that fails for sure (tests/test_expect.c).
scenario {
  id = "expect_fails", start = "2020-01-01", finish = "2020-06-30",
  turn = "month", seed = 1, default_outcome = "calm",
}
actor "A" {}
var "heat" { min = 0, max = 100, init = 50 }
move "push" { by = "*", effect = function(w) w.heat = w.heat + 5 end }
trigger "hot" { when = function(w) return w.heat >= 60 end, effect = function() end }
outcome "calm" { doc = "the half year ends" }

expect "it rarely gets hot" {
  share = function(r) return r:fired("hot") end,
  at_most = 0.05,
}
expect "nothing selected" {
  given = function(r) return r.outcome == "war" end,
  share = function() return true end,
  at_least = 0.5,
}
