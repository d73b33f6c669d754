-- Sums that leave float noise, for the one rule of numbers people read
-- (tests/test_numbers.c): 'talks' grows by 0.1 + 0.2 a turn
-- (0.30000000000000004 after the first), 'DPRK.economy' by a tenth and a
-- bit, and 'money', which declares precision = 1, by a seventh.
scenario {
  id = "numbers", title = "Numbers", start = "2019-10-01",
  finish = "2019-12-31", turn = "month", seed = 3,
  default_outcome = "stalemate",
}
actor "DPRK" { name = "North Korea" }
var "talks" { min = 0, max = 100, init = 0, doc = "progress of the talks" }
var "DPRK.economy" { min = 0, max = 100, init = 35 }
var "money" { min = 0, max = 1000, init = 10.26, precision = 1 }
var "troops" { type = "integer", min = 0, max = 100, init = 3 }

trigger "drift" {
  every = 1,
  effect = function(w)
    w.talks = w.talks + 0.1 + 0.2
    w.DPRK.economy = w.DPRK.economy * 1.1 + 0.01
    w.money = w.money + 1 / 7
    w.troops = w.troops + 1
  end,
}

outcome "stalemate" { doc = "no other outcome by the end" }   -- the default_outcome
