-- table_to_lua.lua: a table the effect builds, handed to a function C runs
-- in Lua (a vararg one), which changes it: C kept its own copy unchanged.
scenario { id = 't', start = '2019-05-01', finish = '2019-12-31', turn = 'month', default_outcome = 'stalemate' }
outcome 'stalemate' { doc = 'x' }
actor 'A' {}
var 'n' { init = 0, min = -1e18, max = 1e18 }
local function fill(t, ...) t.x = 5 end
move 'go' { by = 'A', effect = function(w)
  local t = { x = 1 }
  fill(t)
  w.n = w.n + t.x
end }
