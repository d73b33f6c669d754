-- Deliberate mistakes for the test of brink check.
scenario { id = "broken", start = "2020-01-01", finish = "2020-12-31" }
actor "A" {}
var "y" { init = "high" }
move "m" { doc = "nobody can make it" }
trigger "late" { at = "2030-01-01" }
outcome "error" {}
