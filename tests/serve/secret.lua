-- secret.lua: a scenario for tests/serve whose turn_start hook fails with
-- RED's hidden value in its message; RED moves first, BLUE last, so BLUE's
-- move is the one that resolves the turn.
scenario {
  id = "secret", title = "A secret", start = "2024-01-01", finish = "2024-06-30",
  turn = "month", seed = 7, default_outcome = "none",
}
actor "RED"  { name = "Red" }
actor "BLUE" { name = "Blue" }
var "RED.secret" { min = 0, max = 1000, init = 777.125, hidden = true, doc = "Red's secret" }
var "talks" { min = 0, max = 100, init = 10 }
move "wait" { by = "*", doc = "wait", effect = function(w) w.talks = w.talks + 1 end }
on("turn_start", function(w)
  if w.date.turn > 1 then error("the secret is " .. w.RED.secret) end
end)
outcome "none" { doc = "nothing" }
