-- holds.lua: expectations that hold, of every quantity, and one whose
-- interval straddles its threshold (tests/test_expect.c).
scenario {
  id = "expect_holds", start = "2020-01-01", finish = "2020-06-30",
  turn = "month", seed = 1, default_outcome = "calm",
}
actor "A" {}
actor "B" {}
var "heat" { min = 0, max = 100, init = 50 }
var "heads" { type = "flag" }
move "push" { by = "*", effect = function(w) w.heat = w.heat + 5 end }
move "wait" { by = "*", effect = function() end }
policy "hawk" { actor = "A", choose = function() return "push" end }
trigger "hot" { when = function(w) return w.heat >= 60 end, effect = function() end }
trigger "coin" { at = "2020-01-01", effect = function(w) w.heads = chance(0.5) end }
outcome "calm" { doc = "the half year ends" }

expect "A pushes" {
  claim = "A pushes at least once in most runs",
  share = function(r) return r:moved("A", "push") > 0 end,
  at_least = 0.5,
}
expect "the heat by March" {
  mean = function(r) return r:value("heat", "2020-03") end,
  at_most = 65,
}
expect "B pushes a third of the time" {
  rate = function(r) return r:moved("B", "push"), r:moved("B") end,
  at_least = 0.2,
}
expect "the hawk pushes more" {
  ratio = {
    { setup = { A = "hawk", heat = 0 }, mean = function(r) return r:moved("A", "push") end },
    { mean = function(r) return r:moved("A", "push") end },
  },
  at_least = 2,
}
expect "a fair coin" {
  share = function(r) return r:value("heads") end,
  at_least = 0.55,
}
expect "the record" {
  share = function(r)
    local t, d = r:first_fired("coin")
    return r.outcome == "calm" and r.turn == 6 and r.date == "2020-06-01"
      and #r.moves == 12 and r.moves[1].date == "2020-01-01"
      and r.fired_list[1].name == "coin" and t == 1 and d == "2020-01-01"
      and r:count_fired("coin") == 1 and r:first_move("A") == 1
      and r:moved(nil, { "push", "wait", "pass" }, "2020-02", 3) == 4
      and r:moved("A", { push = true }, 7) == 0
  end,
  at_least = 0.9,
}
