-- release.lua: every turn holds megabytes for the script (news, journal
-- entries, a scheduled event with its data, an event undone) and lets go
-- of them; three years of it must fit in --max-memory 8M.
scenario { id = "release", start = "2020-01-01", finish = "2022-12-31" }
actor "A" {}
var "x" { min = 0, max = 1e12, init = 0 }
event "later" { effect = function(w, data) w.x = w.x + #data end }
event "undone" {
  effect = function(w)
    for k = 1, 10000 do w.x = k end
    schedule("later", { data = ("u"):rep(2 ^ 18) })
    error("no")
  end,
}
on("turn_start", function(w)
  news(("n"):rep(2 ^ 19))
  for k = 1, 10000 do w.x = k end
  schedule("later", { data = ("d"):rep(2 ^ 18) })
  pcall(fire, "undone")
end)
