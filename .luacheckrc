-- luacheck configuration: the globals a brink scenario sees.
stds.brink = {
  read_globals = {
    "scenario", "actor", "var", "relation", "move", "trigger", "event",
    "outcome", "policy", "on", "chance", "random", "normal", "pick", "news",
    "schedule", "fire", "end_scenario", "date", "import", "believe", "reveal",
    "belief", "view", "expect",
  },
  globals = { "score" },
}
std = "lua54+brink"
max_line_length = 110
-- Callbacks take (w, m) whether or not they use both.
unused_args = false
-- The prelude sees the sandbox through its arguments.
files["bindings/lua/prelude.lua"] = { std = "lua54" }
