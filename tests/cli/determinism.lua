-- Iteration order and printing that a careless engine would leave to
-- Lua's per-process string hash seed.
scenario { id = "determinism", start = "2020-01-01", finish = "2020-06-30", turn = "month" }
actor "A" {} actor "B" {} actor "C" {}
var "*.wealth" { min = 0, max = 1000, init = { default = 10, B = 20 } }
move "trade" {
  by = "*", targets = "*",
  effect = function(w, m)
    local goods = { salt = 1, iron = 2, silk = 3, tea = 4, wool = 5, gold = 6, [7] = 7, [2.5] = 8 }
    local seen = {}
    for k, v in pairs(goods) do
      seen[#seen + 1] = tostring(k)
      w[m.by].wealth = w[m.by].wealth + v * random(1, 3)
    end
    news("%s trades %s with %s (%s)", m.by, table.concat(seen, ","), m.target, tostring({}))
  end,
}
