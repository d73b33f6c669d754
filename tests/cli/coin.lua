-- coin.lua: one turn, one toss: outcome "heads" with probability p
-- (--set p=...), else the default outcome "tails".  Known counts for the
-- Wilson interval tests of brink batch.
scenario {
  id = "coin", start = "2020-01-01", finish = "2020-01-31", turn = "month",
  default_outcome = "tails",
}
actor "A" {}
var "p" { min = 0, max = 1, init = 0.5 }
trigger "toss" {
  effect = function(w) if chance(w.p) then end_scenario("heads") end end,
}
outcome "heads" { doc = "reached by end_scenario only" }

outcome "tails" { doc = "the toss came up tails" }   -- the default_outcome
