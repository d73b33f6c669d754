-- fanout.lua: an event that schedules itself 2,000 times; the schedule
-- grows 2,000-fold a turn.
scenario { id = "fanout", start = "2020-01-01", finish = "2020-12-31" }
actor "A" {}
event "grow" {
  effect = function() for _ = 1, 2000 do schedule("grow", {}) end end,
}
trigger "seed" {
  at = "2020-01-01", effect = function() schedule("grow", {}) end,
}
