-- inherited.lua: a table made while loading that inherits a field through
-- __index: C read its contents alone and found nil where Lua finds 5.
scenario { id = 't', start = '2019-05-01', finish = '2019-12-31', turn = 'month', default_outcome = 'stalemate' }
outcome 'stalemate' { doc = 'x' }
actor 'A' {}
var 'n' { init = 0, min = -1e18, max = 1e18 }
local base = { power = 5 }
local cfg = setmetatable({}, { __index = base })
move 'go' { by = 'A', when = function(w) return cfg.power ~= nil, "no power" end,
  effect = function(w) if cfg.power then w.n = w.n + 1 else w.n = w.n + 100 end end }
