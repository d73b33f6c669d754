-- standoff.lua: a small crisis in 60 lines.  brink run examples/standoff.lua
scenario {
  id = "standoff", title = "The Strait Standoff",
  start = "2024-01-01", finish = "2024-12-31", turn = "month", seed = 7,
  default_outcome = "frozen_conflict",
  brief = [[Two navies shadow each other in a contested strait. Talks
could cool it; one incident too many could start a war.]],
}

actor "BLUE" { name = "Blue Republic" }
actor "RED"  { name = "Red Federation" }

relation "tension" { min = 0, max = 100, init = 50, symmetric = true }
var "talks" { min = 0, max = 100, init = 10, doc = "progress toward a deal" }
var "*.fleet" { type = "integer", min = 0, max = 20, init = { default = 8, RED = 10 } }

move "patrol" {
  by = "*", doc = "send ships into the strait",
  effect = function(w, m)
    local other = m.by == "BLUE" and "RED" or "BLUE"
    w[m.by].tension[other] = w[m.by].tension[other] + 8
    news("%s ships patrol the strait", m.by)
  end,
  weight = function(w, m) return w[m.by].fleet / 4 end,
}

move "propose_talks" {
  by = "*", doc = "offer a round of talks",
  when = function(w) return w.BLUE.tension.RED < 80, "tension is too high to talk" end,
  effect = function(w)
    w.talks = w.talks + 15
    w.BLUE.tension.RED = w.BLUE.tension.RED - 6
  end,
  weight = function(w) return 2 end,
}

event "incident" {
  effect = function(w, data)
    w.BLUE.tension.RED = w.BLUE.tension.RED + data.severity
    news("A collision at sea (severity %d)", data.severity)
  end,
}

trigger "close_call" {
  once = false,
  when = function(w) return w.BLUE.tension.RED >= 70 end,
  effect = function(w)
    if chance(0.5) then schedule("incident", { turns = 1, data = { severity = random(5, 15) } }) end
  end,
}

trigger "summer_summit" { at = "2024-06-15", effect = function(w) w.talks = w.talks + 20 end }

outcome "treaty" { when = function(w) return w.talks >= 100 end, doc = "a maritime code of conduct" }
outcome "war"    { when = function(w) return w.BLUE.tension.RED >= 100 end, doc = "shots fired" }

outcome "frozen_conflict" { doc = "no settlement and no war by the end" }   -- the default_outcome
