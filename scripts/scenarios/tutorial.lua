-- tutorial.lua: a first scenario, explained line by line.
-- Run it:   brink run scripts/scenarios/tutorial.lua
-- Check it: brink check scripts/scenarios/tutorial.lua

scenario {                               -- every file declares one scenario
  id = "tutorial",                       -- a short name, used in logs
  title = "A Quarrel over a Dam",        -- the name shown to players
  start = "2025-01-01",                  -- the date of the first turn
  finish = "2025-12-31",                 -- the last turn holds this date
  turn = "month",                        -- one turn per month: 12 turns
  seed = 1,                              -- the default seed (--seed overrides)
  default_outcome = "no_agreement",      -- how the run ends if nothing else ends it
  brief = [[Upstream builds a dam; Downstream fears for its water.]],
}

actor "UP"   { name = "Upstream" }       -- actors move in the order declared
actor "DOWN" { name = "Downstream" }

var "talks" { min = 0, max = 100, init = 20, doc = "progress toward a water-sharing treaty" }
var "UP.dam_height" { type = "integer", min = 0, max = 10, init = 2 }  -- one actor's variable
relation "tension" { min = 0, max = 100, init = 30, symmetric = true }  -- one value per pair

move "build" {                           -- a move an actor may make on its turn
  by = "UP",                             -- who may make it
  doc = "Raise the dam by one stage",    -- shown to players choosing a move
  when = function(w)                     -- is it allowed now? (read-only)
    return w.UP.dam_height < 10, "the dam is finished"  -- false plus the reason players see
  end,
  effect = function(w)                   -- what it does; writes go to the world
    w.UP.dam_height = w.UP.dam_height + 1
    w.UP.tension.DOWN = w.UP.tension.DOWN + 10   -- numbers are clamped to min..max
    news("Upstream raises the dam to stage %d", w.UP.dam_height)  -- a line of the timeline
    schedule("protest", { turns = 1 })   -- the event "protest" fires next turn
  end,
  weight = function(w) return 2 end,     -- how much the built-in AI likes this move
}

move "negotiate" {
  by = "*",                              -- any actor may make this move
  doc = "Send a delegation to the water talks",
  when = function(w) return w.UP.tension.DOWN < 80, "tension is too high to talk" end,
  effect = function(w, m)                -- m.by is the actor making the move
    -- Draws come from the seeded generator; the last argument names a
    -- stream of draws of their own, so the talks' luck stays the same
    -- when the scenario draws more elsewhere (docs: named streams).
    w.talks = w.talks + random(5, 15, "talks")
    news("%s sends a delegation; the talks stand at %d", m.by, w.talks)
  end,
}

event "protest" {                        -- happens only when scheduled or fired
  effect = function(w) w.UP.tension.DOWN = w.UP.tension.DOWN + 5; news("Farmers protest downstream") end,
}

trigger "mediation" {                    -- checked every turn after the moves
  at = "2025-06-15",                     -- a date trigger: fires in June
  when = function(w) return w.talks < 60 end,  -- ...but only if this holds
  effect = function(w) w.talks = w.talks + 20; news("A neighbour offers to mediate") end,
}

outcome "treaty" { when = function(w) return w.talks >= 100 end, doc = "a treaty is signed" }
outcome "clash" { when = function(w) return w.UP.tension.DOWN >= 100 end, doc = "troops at the dam" }

-- The default_outcome is declared like any other: only the calendar
-- reaches it, so it has no when.
outcome "no_agreement" { doc = "the year ends with neither" }

-- What the scenario must do, judged over many runs by `brink test`
-- (brink check --runs N): a share of runs, with a 95% interval, against
-- a threshold. brink run, play and batch never call it.
expect "the year rarely ends quietly" {
  claim = "a clash or a treaty comes before the year is out in most runs",
  share = function(r) return r.outcome ~= "no_agreement" end,
  at_least = 0.9,
}
