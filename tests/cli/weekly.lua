-- weekly.lua: weekly turns from the first of a month, an integer that
-- moves by one or two, for the report's dates, axis and ticks.
scenario { id = "weekly", title = "Weekly", start = "2027-03-01",
           finish = "2027-05-31", turn = "week", seed = 3 }
actor "A" {}
var "ships" { type = "integer", min = 0, max = 10, init = 1 }
var "mood" { min = 0, max = 100, init = 50 }
trigger "tick" { once = false, effect = function(w)
  w.ships = w.date.turn % 3 == 0 and 2 or 3
  w.mood = w.mood + 1.5
end }
