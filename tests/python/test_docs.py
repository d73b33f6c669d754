"""What docs/scenario-language.md tells authors, checked by running
brink: its whole first scenario loads and plays (with its policy), the
util helpers give what the table says, a policy sees the legal options
only with pass last, and triggers fire in the turns the page names
(every = N first in turn N, month_end with weekly turns, at, once)."""
import json
import os
import re
import subprocess
import tempfile
import unittest

from .support import ROOT
from .test_records_schema import BRINK

LANGUAGE = os.path.join(ROOT, "docs", "scenario-language.md")

# Weekly turns from Tuesday 2030-01-01 to 2030-03-31: the page's example.
TRIGGERS = """\
scenario { id = "probe", start = "2030-01-01", finish = "2030-03-31",
           turn = "week" }
actor "A" {}
actor "B" {}
var "n" { init = 0 }
trigger "every3" { every = 3, effect = function(w) end }
trigger "monthend" { every = "month_end", effect = function(w) end }
trigger "at" { at = "2030-01-10", effect = function(w) end }
trigger "cond" { when = function(w) return w.date.turn >= 2 end,
                 effect = function(w) end }
trigger "condrep" { once = false,
                    when = function(w) return w.date.turn >= 12 end,
                    effect = function(w) end }
"""

# A policy that shows its options by failing with them.
OPTIONS = """\
scenario { id = "opts", start = "2030-01-01" }
actor "A" {}
actor "B" {}
actor "C" {}
move "poke" { by = "*", targets = "*", effect = function(w, m) end }
move "never" { by = "A", when = function(w, m) return false end,
               effect = function(w, m) end }
move "wave" { by = "A", effect = function(w, m) end }
policy "show" { actor = "A", choose = function(w, options)
  local parts = {}
  for _, o in ipairs(options) do
    parts[#parts + 1] = o.by .. ":" .. o.move .. ":" .. tostring(o.target)
  end
  error("options " .. table.concat(parts, " "))
end }
"""

UTIL = """\
local util = import "util"
scenario { id = "u", start = "2030-01-01" }
actor "A" {}
on("turn_start", function(w)
  news("%s %s %s %s %s %s", util.clamp(5, 0, 3), util.clamp(-1, 0, 3),
       util.clamp(2, 0, 3), util.toward(10, 20, 0.25),
       util.first({ "x", "y" }, function(n) return n == "y" end),
       tostring(util.first({ "x" }, function() return false end)))
end)
"""


def records(out):
    return [json.loads(ln) for ln in out.split("\n") if ln]


class LanguageDocTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)

    def write(self, name, text):
        path = os.path.join(self.dir.name, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def brink(self, *args, status=0):
        p = subprocess.run([BRINK] + list(args), cwd=self.dir.name,
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, status, p.stderr)
        return p.stdout

    def test_the_whole_first_scenario_loads_and_plays(self):
        with open(LANGUAGE) as f:
            text = f.read()
        section = text[text.index("## A whole scenario"):]
        lua = re.search(r"```lua\n(.*?)```", section, re.S).group(1)
        path = self.write("strait.lua", lua)
        self.assertIn("strait.lua: ok (2 actors, 4 variables, 2 moves, "
                      "12 turns)", self.brink("check", path))
        for args in ([], ["--policy", "RED=hawk"], ["--seed", "3"]):
            end = records(self.brink("run", path, "--json", *args))[-1]
            self.assertIn(end["outcome"], ("clash", "detente", "stalemate"))
        self.assertIn("12 turns of one month each, from 2031-01-01; the last "
                      "begins 2031-12-01", self.brink("doc", path))

    def test_triggers_fire_in_the_turns_the_page_names(self):
        path = self.write("probe.lua", TRIGGERS)
        fired = {}
        for r in records(self.brink("run", path, "--json")):
            if r["t"] == "trigger":
                fired.setdefault(r["id"], []).append(r["turn"])
        self.assertEqual(fired["every3"], [3, 6, 9, 12])
        self.assertEqual(fired["monthend"], [5, 9, 13])
        self.assertEqual(fired["at"], [2])
        self.assertEqual(fired["cond"], [2])          # once, by default
        self.assertEqual(fired["condrep"], [12, 13])  # once = false

    def test_a_policy_sees_the_legal_options_only_with_pass_last(self):
        path = self.write("opts.lua", OPTIONS)
        out = self.brink("run", path, "--json", "--policy", "A=show",
                         status=1)
        err = [r for r in records(out) if r["t"] == "error"][0]
        self.assertEqual(err["message"], "options A:poke:B A:poke:C "
                         "A:wave:nil A:pass:nil")

    def test_util_helpers_give_what_the_table_says(self):
        path = self.write("u.lua", UTIL)
        news = [r["text"] for r in records(self.brink("run", path, "--json"))
                if r["t"] == "news"]
        self.assertEqual(news[0], "3 0 2 12.5 y nil")

    def test_the_language_reference_never_points_at_a_spec(self):
        for name in ["README.md"] + [os.path.join("docs", f) for f in
                                     os.listdir(os.path.join(ROOT, "docs"))
                                     if f.endswith(".md")]:
            with open(os.path.join(ROOT, name)) as f:
                self.assertNotIn("SPEC", f.read(), name)


if __name__ == "__main__":
    unittest.main()
