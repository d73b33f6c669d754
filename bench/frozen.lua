-- bench/frozen.lua: for make bench, reading tables made while loading
-- (frozen once loading ends) against the same tables made by the call.
scenario { id = "frozen", start = "2020-01-01", finish = "2021-08-31",
           turn = "month", default_outcome = "end" }
actor "A" {}
var "fresh" { type = "flag", init = false }
var "sum" { min = 0, max = 1e15 }

local DATA = { 3, 1, 4, 1, 5, 9, 2, 6, 5, 3, weights = { hawk = 2, dove = 1 } }
local LIB = { floor = math.floor }

trigger "read" { every = 1, effect = function(w)
  local data, lib = DATA, LIB
  if w.fresh then
    data = { 3, 1, 4, 1, 5, 9, 2, 6, 5, 3, weights = { hawk = 2, dove = 1 } }
    lib = { floor = math.floor }
  end
  local s = 0
  for i = 1, 2000 do
    s = s + data[i % 10 + 1] + data.weights.hawk + lib.floor(i / 3)
  end
  w.sum = s
end }

outcome "end" { doc = "the calendar ran out" }   -- the default_outcome
