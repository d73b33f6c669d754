-- spread.lua: one turn of draws, for the tests of what brink batch keeps
-- of its runs: a real with bounds, an integer, a real without bounds.
scenario {
  id = "spread", start = "2020-01-01", finish = "2020-01-31", turn = "month",
  seed = 1, default_outcome = "even",
}
actor "A" {}
var "x" { min = 0, max = 100, init = 0 }
var "k" { type = "integer", min = 0, max = 20, init = 0 }
var "u" { init = 0 }
trigger "draw" {
  effect = function(w)
    w.x = 100 * random()
    w.k = random(0, 20)
    w.u = normal(1000, 300)
  end,
}
outcome "odd" { when = function(w) return w.k % 2 == 1 end }
outcome "even" { doc = "the default" }
