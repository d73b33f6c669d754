-- news.lua: news() copies its text into the engine; 150 copies of a
-- 16 MiB string must meet --max-memory, and pcall cannot swallow it.
scenario { id = "news", start = "2020-01-01", finish = "2020-03-31" }
actor "A" {}
trigger "flood" {
  effect = function()
    local s = ("x"):rep(16 * 1024 * 1024 - 64)
    for _ = 1, 150 do pcall(news, s) end
  end,
}
