-- Text that would act if printed raw: terminal escapes in news and names,
-- HTML and Markdown in the brief and docs.  tests/test_untrusted.c checks
-- every output escapes it.
scenario {
  id = "hostile", title = "Hostile <b>Text</b> \27]0;retitled\7",
  start = "2019-10-01", finish = "2019-12-31", turn = "month", seed = 3,
  default_outcome = "quiet",
  brief = "<script>alert(1)</script> see [the map](javascript:alert(2))\n\n"
       .. "# not a heading <img src=x onerror=alert(3)> \27[2J",
}
actor "A" {
  name = "Alpha [x](javascript:alert(4))",
  brief = "<a href=\"javascript:alert(5)\">click</a> *bold* `code`",
}
var "heat" { min = 0, max = 10, init = 1,
             doc = "| table | break <script>x</script>" }
move "shout" {
  by = "A", doc = "[click](javascript:alert(6)) <iframe>",
  effect = function(w)
    w.heat = w.heat + 1
    news("\27[2J\27]0;owned\7cleared \27[31mred\r\8\127 \194\155 done\nOutcome: forged")
  end,
}
outcome "loud" { doc = "<script>end</script>",
                 when = function(w) return w.heat >= 3 end }

outcome "quiet" { doc = "no other outcome by the end" }   -- the default_outcome
