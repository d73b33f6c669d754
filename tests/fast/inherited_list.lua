-- inherited_list.lua: ipairs over a table that inherits its items through
-- __index: C stopped after the first item, Lua goes on to 10, 20, 30.
scenario { id = 't', start = '2019-05-01', finish = '2019-12-31', turn = 'month', default_outcome = 'stalemate' }
outcome 'stalemate' { doc = 'x' }
actor 'A' {}
var 'n' { init = 0, min = -1e18, max = 1e18 }
local base = { 10, 20, 30 }
local seq = setmetatable({ 1 }, { __index = base })
move 'go' { by = 'A', effect = function(w)
  for i, v in ipairs(seq) do w.n = w.n + v end
end }
