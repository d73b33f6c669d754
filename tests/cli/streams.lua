-- streams.lua: draws from named streams each turn (x from "intel", z a
-- coin from "coin") and from the run's own (y); for the tests of saves
-- and /reload carrying every stream's place.
scenario { id = "streams", start = "2020-01-01", finish = "2020-12-31",
           turn = "month", seed = 5 }
actor "A" {}
var "x" { min = 0, max = 1, init = 0 }
var "y" { min = 0, max = 1, init = 0 }
var "z" { min = 0, max = 1, init = 0 }
trigger "draw" { once = false, effect = function(w)
  w.x = random("intel")
  w.y = random()
  w.z = chance(0.5, "coin") and 1 or 0
end }
