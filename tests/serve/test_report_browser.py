"""The after-action report's charts in a real browser (Debian's chromium,
headless): no text of a chart leaves the chart, and no tag of the timeline
is wider than its box.  Reports of the flagship (monthly turns) and of a
weekly scenario; screenshots go to build/screenshots/ (or
$BRINK_SCREENSHOTS) for people to look at.

    BRINK=build/brink python3 -m unittest tests.serve.test_report_browser -v
"""
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cdp  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BRINK = os.path.abspath(os.environ.get("BRINK", os.path.join(ROOT, "build", "brink")))
SHOTS = os.environ.get("BRINK_SCREENSHOTS", os.path.join(ROOT, "build", "screenshots"))

# Every <text> of every chart, measured against its own <svg>'s drawing
# area, and every timeline tag against its box: what sticks out.
OVERFLOW = """(function () {
  var out = [];
  document.querySelectorAll('svg').forEach(function (svg, k) {
    var vb = svg.viewBox.baseVal;
    svg.querySelectorAll('text').forEach(function (t) {
      var b = t.getBBox();
      if (b.x < vb.x - 0.5 || b.y < vb.y - 0.5 ||
          b.x + b.width > vb.x + vb.width + 0.5 ||
          b.y + b.height > vb.y + vb.height + 0.5)
        out.push('chart ' + k + ': "' + t.textContent + '" at ' +
                 [b.x, b.y, b.width, b.height].map(Math.round).join(','));
    });
  });
  document.querySelectorAll('.tag').forEach(function (t) {
    if (t.scrollWidth > t.clientWidth + 1)
      out.push('tag "' + t.textContent + '" ' + t.scrollWidth + ' > ' +
               t.clientWidth);
  });
  return out;
})()"""


class ReportInBrowser(unittest.TestCase):
    def setUp(self):
        if not os.path.exists(cdp.CHROMIUM):
            self.fail("%s is missing: run tools/deps.sh" % cdp.CHROMIUM)
        self.tmp = tempfile.mkdtemp(prefix="brink-report-")
        self.browser = cdp.Browser(timeout=30)

    def tearDown(self):
        self.browser.close()

    def report(self, name, run_args, play_script=None):
        log = os.path.join(self.tmp, name + ".jsonl")
        if play_script is None:
            subprocess.run([BRINK, "run"] + run_args + ["--log", log],
                           cwd=ROOT, check=True, capture_output=True, timeout=60)
        else:
            subprocess.run([BRINK, "play"] + run_args + ["--log", log],
                           cwd=ROOT, input=play_script, text=True, check=True,
                           capture_output=True, timeout=60)
        html = os.path.join(self.tmp, name + ".html")
        subprocess.run([BRINK, "report", log, "-o", html], cwd=ROOT,
                       check=True, capture_output=True, timeout=60)
        return html

    def check(self, name, html):
        page = self.browser.new_page()
        page.navigate("file://" + html)
        self.assertGreater(page.eval("document.querySelectorAll('svg').length"), 0)
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(os.path.join(SHOTS, "report-%s.png" % name))
        self.assertEqual(page.eval(OVERFLOW), [])

    def test_the_flagships_report_keeps_its_text_inside(self):
        # Seated, with the facilitator's commands: their tags are the widest.
        html = self.report("korea", [
            "scripts/scenarios/korea-2019.lua", "--seat", "USA"],
            "1\n/set DPRK.economy 40\n1\n/news A facilitator's headline\n"
            "1\n1\n/quit\n")
        self.check("korea", html)

    def test_a_weekly_scenarios_report_keeps_its_text_inside(self):
        self.check("weekly", self.report("weekly", ["tests/cli/weekly.lua"]))

    def test_the_check_can_fail(self):
        # A chart whose label runs past its edge is found.
        html = os.path.join(self.tmp, "bad.html")
        with open(html, "w") as f:
            f.write('<svg viewBox="0 0 100 50" width="100"><text x="90" '
                    'y="20">a label far too long</text></svg>')
        page = self.browser.new_page()
        page.navigate("file://" + html)
        self.assertEqual(len(page.eval(OVERFLOW)), 1)


if __name__ == "__main__":
    unittest.main()
