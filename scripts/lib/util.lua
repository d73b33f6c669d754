-- util.lua: small helpers for scenario authors.  local util = import "util"
local util = {}

-- x held within [lo, hi].
function util.clamp(x, lo, hi)
  if x < lo then return lo end
  if x > hi then return hi end
  return x
end

-- Moves 'value' a fraction 'rate' of the way toward 'target'.
function util.toward(value, target, rate)
  return value + (target - value) * rate
end

-- The first of 'names' for which 'test(name)' holds, or nil.
function util.first(names, test)
  for _, name in ipairs(names) do
    if test(name) then return name end
  end
  return nil
end

return util
