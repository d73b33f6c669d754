-- journal.lua: every write of an effect is journaled until it ends; a
-- billion writes in one effect must meet --max-memory.
scenario { id = "journal", start = "2020-01-01", finish = "2020-03-31" }
actor "A" {}
var "x" { min = 0, max = 1e12, init = 0 }
trigger "writes" { effect = function(w) for k = 1, 1e9 do w.x = k end end }
