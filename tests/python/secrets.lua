-- secrets.lua: the Python tests' scenario with payoffs, hidden values and
-- priors, small enough to read whole.  Two rivals; Beta's arsenal, resolve,
-- bluff and mood are its own secrets.

scenario {
  id = "secrets",
  title = "Two Rivals and a Secret",
  start = "2025-01-01",
  finish = "2025-08-31",
  turn = "month",
  seed = 3,
  default_outcome = "drift",
}

actor "A" { name = "Alpha" }
actor "B" { name = "Beta" }

var "talks" { min = 0, max = 100, init = 40 }
var "crisis" { min = 0, max = 100, init = 20 }
var "B.arsenal" { type = "integer", min = 0, max = 100, init = 30,
  hidden = true, prior = { 10, 50 } }
var "B.resolve" { min = 0, max = 1, init = 0.5, hidden = true,
  prior = { 0, 1 } }
var "B.bluffing" { type = "flag", init = false, hidden = true,
  prior = { p = 0.3 } }
var "B.mood" { type = "enum", values = { "calm", "tense", "angry" },
  init = "calm", hidden = true, prior = { calm = 1, tense = 3, angry = 1 } }

move "talk" {
  by = "*",
  effect = function(w) w.talks = w.talks + random(0, 20) end,
}

move "threaten" {
  by = "*",
  targets = "*",
  effect = function(w)
    w.crisis = w.crisis + random(5, 10) + w.B.arsenal / 10
  end,
}

outcome "deal" {
  when = function(w) return w.talks >= 100 end,
  payoff = { A = 3, B = 2 },
}
outcome "war" {
  when = function(w) return w.crisis >= 100 end,
  payoff = { A = -5, B = -4 },
}
outcome "drift" { payoff = { A = 1 } }
