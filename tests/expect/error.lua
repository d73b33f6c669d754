-- error.lua: an expectation whose function raises; brink run and batch
-- never call it (tests/test_expect.c).
scenario {
  id = "expect_error", start = "2020-01-01", finish = "2020-03-31",
  turn = "month", seed = 1, default_outcome = "calm",
}
actor "A" {}
var "heat" { min = 0, max = 100, init = 50 }
move "push" { by = "*", effect = function(w) w.heat = w.heat + 5 end }
outcome "calm" { doc = "the quarter ends" }

expect "boom" {
  mean = function(r)
    if r.turn > 0 then error("no good") end
    return 1
  end,
  at_least = 0.5,
}
