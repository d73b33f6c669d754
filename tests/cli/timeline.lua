-- A small scenario whose timeline and log are pinned in timeline.out and
-- timeline.jsonl (regenerate with tools/golden.sh after a deliberate change).
scenario {
  id = "golden", title = "Golden Timeline", start = "2019-10-01",
  finish = "2020-03-31", turn = "month", seed = 11, default_outcome = "stalemate",
}
actor "USA" { name = "United States" }
actor "DPRK" { name = "North Korea" }
var "talks" { min = 0, max = 100, init = 20 }
var "DPRK.icbm_moratorium" { type = "flag", init = true }
var "USA.troops" { type = "integer", min = 0, max = 40000, init = 28500 }
relation "tension" { min = 0, max = 100, init = 40, symmetric = true }

move "summit" {
  by = "USA", targets = { "DPRK" }, doc = "meet at the DMZ",
  when = function(w) return w.talks < 90, "talks are done" end,
  effect = function(w, m)
    w.talks = w.talks + 12
    news("%s and %s meet; talks at %d", m.by, m.target, w.talks)
  end,
  weight = function() return 2 end,
}
move "test_icbm" {
  by = "DPRK", doc = "launch an ICBM",
  when = function(w) return w.date >= date"2020-01-01", "the deadline has not passed" end,
  effect = function(w)
    w.DPRK.icbm_moratorium = false
    w.USA.tension.DPRK = w.USA.tension.DPRK + 30
    schedule("exercise", { turns = 1, data = { scale = 2 } })
  end,
}
event "exercise" {
  effect = function(w, data)
    w.USA.troops = w.USA.troops + 500 * data.scale
    news("Allied exercises at scale %d", data.scale)
  end,
}
trigger "deadline" {
  at = "2019-12-31",
  when = function(w) return w.talks < 90 end,
  effect = function(w) news("Pyongyang's deadline passes without a deal") end,
}
outcome "deal" { when = function(w) return w.talks >= 90 end }
outcome "crisis" { when = function(w) return w.USA.tension.DPRK >= 95 end }

outcome "stalemate" { doc = "no other outcome by the end" }   -- the default_outcome
