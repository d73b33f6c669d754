-- schedule.lua: n events (a million unless --set n=...) scheduled at once,
-- fired next turn.
scenario { id = "schedule", start = "2020-01-01", finish = "2020-03-31" }
actor "A" {}
var "n" { min = 0, max = 1e6, init = 1e6, type = "integer" }
var "fired" { min = 0, max = 1e6, init = 0, type = "integer" }
trigger "plan" {
  at = "2020-01-01",
  effect = function(w) for _ = 1, w.n do schedule("tick", {}) end end,
}
event "tick" { effect = function(w) w.fired = w.fired + 1 end }
