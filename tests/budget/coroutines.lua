-- coroutines.lua: ten million coroutines of 150 loop steps each, every one
-- too short for a hook of its own; together they must meet
-- --max-instructions.
scenario { id = "coroutines", start = "2020-01-01", finish = "2020-03-31" }
actor "A" {}
trigger "spawn" {
  effect = function()
    local n = 0
    for _ = 1, 1e7 do
      coroutine.wrap(function() for _ = 1, 150 do n = n + 1 end end)()
    end
  end,
}
