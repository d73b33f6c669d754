"""The pages of `brink serve` in a real browser (Debian's chromium, headless).

Serves the flagship with two seats, then, through the pages: the seat that
moves first sees its turn, values and options and makes a move by clicking
it; the move shows on the page by Server-Sent Events and lands in the log;
the facilitator publishes news and holds and releases the turn from its
console; the projector shows charts and no hidden value.  Screenshots of
the three pages go to build/screenshots/ (or $BRINK_SCREENSHOTS).  Ctrl-C
stops the server and `brink replay` reproduces its log.

    BRINK=build/brink python3 -m unittest tests.serve.test_browser -v
"""
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cdp  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BRINK = os.path.abspath(os.environ.get("BRINK", os.path.join(ROOT, "build", "brink")))
SCENARIO = os.path.join(ROOT, "scripts", "scenarios", "korea-2019.lua")
SHOTS = os.environ.get("BRINK_SCREENSHOTS", os.path.join(ROOT, "build", "screenshots"))
SEATS = ["USA", "ROK"]
WAIT = 15.0          # seconds any one thing may take to show on a page


def js(value):
    return json.dumps(value)


class BrowserTest(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        if not os.path.exists(cdp.CHROMIUM):
            self.fail("%s is missing: run tools/deps.sh (it installs Debian's "
                      "chromium for the browser test)" % cdp.CHROMIUM)
        if not os.access(BRINK, os.X_OK):
            self.fail("no brink binary at %s: run make (or set BRINK)" % BRINK)
        self.tmp = tempfile.mkdtemp(prefix="brink-serve-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.log = os.path.join(self.tmp, "log.jsonl")
        self.err = open(os.path.join(self.tmp, "stderr.txt"), "w+")
        self.server = subprocess.Popen(
            [BRINK, "serve", SCENARIO] + sum((["--seat", s] for s in SEATS), [])
            + ["--port", "0", "--log", self.log, "--seed", "7"],
            cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=self.err, start_new_session=True)
        self.urls = self.read_urls()
        self.browser = cdp.Browser(timeout=WAIT)

    def tearDown(self):
        browser = getattr(self, "browser", None)
        if browser:
            browser.close()
        if self.server.poll() is None:
            self.server.kill()
            self.server.wait(timeout=10)
        self.server.stdout.close()
        self.err.close()

    # -- the server ----------------------------------------------------------

    def server_said(self):
        self.err.seek(0)
        return self.err.read()[-2000:]

    def read_urls(self):
        """The lines 'ROLE  http://HOST:PORT/join/TOKEN' printed at start."""
        urls, buf = {}, b""
        deadline = time.monotonic() + WAIT
        fd = self.server.stdout.fileno()
        while "projector" not in urls or "facilitator" not in urls:
            left = deadline - time.monotonic()
            if left <= 0 or self.server.poll() is not None:
                self.fail("brink serve printed no URLs in time (exit %s): %r\n%s"
                          % (self.server.poll(), buf, self.server_said()))
            ready, _, _ = select.select([fd], [], [], left)
            if ready:
                chunk = os.read(fd, 4096)
                if not chunk:
                    continue
                buf += chunk
                for line in buf.decode(errors="replace").splitlines():
                    parts = line.split()
                    if len(parts) == 2 and "/join/" in parts[1]:
                        urls[parts[0]] = parts[1]
        for s in SEATS:
            self.assertIn(s, urls, "no URL printed for seat %s" % s)
        return urls

    def base(self):
        return self.urls["facilitator"].split("/join/")[0]

    def token(self, role):
        return self.urls[role].rsplit("/", 1)[1]

    def api(self, role, method, path, body=None):
        """A bounded API request as a program makes it (Bearer token)."""
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base() + path, data=data, method=method)
        req.add_header("Authorization", "Bearer " + self.token(role))
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=WAIT) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"{}")

    def state(self, role):
        code, st = self.api(role, "GET", "/api/state")
        self.assertEqual(code, 200, st)
        return st

    def log_records(self):
        with open(self.log) as f:
            return [json.loads(line) for line in f if line.strip()]

    def wait_log(self, pred, what):
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            if os.path.exists(self.log) and any(pred(r) for r in self.log_records()):
                return
            time.sleep(0.1)
        self.fail("the log never had %s" % what)

    # -- pages ---------------------------------------------------------------

    def open(self, role, isolated=True):
        """A tab on the role's join link, by default in a browser context of
        its own (own cookies); waits for the page to show a state."""
        page = self.browser.new_page(isolated=isolated)
        page.navigate(self.urls[role])
        url = page.eval("location.href")
        self.assertNotIn("/join/", url, "the token stays in the address bar")
        page.wait_for("document.body.getAttribute('data-version') !== null"
                      " && document.getElementById('turn').textContent !== ''",
                      WAIT, what="the %s page to show the state" % role)
        self.assertEqual(page.eval("document.body.getAttribute('data-role')"),
                         role if role in ("facilitator", "projector") else "seat")
        self.no_error(page)
        return page

    def no_error(self, page):
        err = page.eval("(function(){var e=document.getElementById('error');"
                        "return e && !e.hidden ? e.textContent : ''})()")
        self.assertEqual(err, "", "the page shows an error")

    def text(self, page, selector):
        return page.eval("(function(){var e=document.querySelector(%s);"
                         "return e ? e.textContent : null})()" % js(selector))

    def count(self, page, selector):
        return page.eval("document.querySelectorAll(%s).length" % js(selector))

    def shot(self, page, name):
        page.screenshot(os.path.join(SHOTS, name + ".png"))

    def submit(self, page, form, values):
        """Fills a form of the facilitator's console and clicks its submit."""
        for name, value in values.items():
            page.type_into("form[data-cmd=%s] [name=%s]" % (form, name), value)
        page.click("form[data-cmd=%s] button[type=submit]" % form)

    def pick(self, options):
        """A legal option, one with a target if there is one."""
        legal = [o for o in options if o["legal"]]
        self.assertTrue(legal, "no legal option")
        with_target = [o for o in legal if o.get("target")]
        return (with_target or legal)[0]

    # -- the exercise ----------------------------------------------------------

    def test_roles_side_by_side_in_one_browser(self):
        # The white cell's laptop drives the wall too: the console and the
        # projector (and two seats) in tabs of one browser keep their roles.
        pages = {r: self.open(r, isolated=False)
                 for r in ("facilitator", "projector", "USA", "ROK")}
        for role, page in pages.items():
            page.eval("location.reload()")
        for role, page in pages.items():
            page.wait_for("document.body.getAttribute('data-version') !== null",
                          WAIT, what="the %s page after a reload" % role)
            self.no_error(page)
            want = role if role in ("facilitator", "projector") else "seat"
            self.assertEqual(page.eval("document.body.getAttribute('data-role')"),
                             want)
            if want == "seat":
                self.assertEqual(self.text(page, "#actor").find(role) >= 0
                                 or role in page.eval("location.pathname"), True)

    def test_an_exercise_through_the_pages(self):
        fac = self.state("facilitator")
        first = fac["awaiting"]
        self.assertIn(first, SEATS, "the flagship's first mover should be seated")
        other = [s for s in SEATS if s != first][0]
        me = self.state(first)
        self.assertTrue(me["your_turn"], me)
        hidden = sorted(v["name"] for v in me["values"] if v["hidden"])

        # The seat that moves first: turn, values, options.
        seat = self.open(first)
        self.assertEqual(page_turn(self, seat), me["turn"])
        self.assertIn("Turn %d" % me["turn"], self.text(seat, "#turn"))
        self.assertEqual(self.text(seat, "#when"), me["when"])
        self.assertIn(me["name"], self.text(seat, "#actor"))
        self.assertEqual(self.count(seat, "#values tr[data-var]"), len(me["values"]))
        for name in hidden:
            row = "#values tr[data-var=%s]" % js(name)
            self.assertEqual(seat.eval("document.querySelector(%s).dataset.hidden" % js(row)),
                             "true")
            self.assertIn("hidden", self.text(seat, row))
        legal = [o for o in me["options"] if o["legal"]]
        illegal = [o for o in me["options"] if not o["legal"]]
        self.assertEqual(self.count(seat, "#options button[data-move]"), len(legal))
        self.assertEqual(self.count(seat, "#illegal li[data-move]"), len(illegal))
        for o in illegal:
            self.assertIn(o["reason"], self.text(
                seat, "#illegal li[data-move=%s][data-target=%s]"
                % (js(o["move"]), js(o.get("target") or ""))))
        self.assertEqual(seat.eval("document.getElementById('status').dataset.awaiting"),
                         first)

        self.shot(seat, "seat")

        # It clicks a legal move; the move shows by SSE and lands in the log.
        o = self.pick(me["options"])
        target = o.get("target") or ""
        seat.click("#options button[data-move=%s][data-target=%s]"
                   % (js(o["move"]), js(target)))
        seat.wait_for("document.querySelector(%s) !== null" % js(
            "#timeline li[data-kind=move][data-actor=%s][data-move=%s][data-target=%s]"
            % (js(first), js(o["move"]), js(target))), WAIT,
            what="the page to show %s's move %s" % (first, o["label"]))
        self.wait_log(lambda r: r.get("t") == "move" and r.get("actor") == first
                      and r.get("move") == o["move"]
                      and (r.get("target") or "") == target,
                      "the move %s %s of %s" % (o["move"], target, first))
        seat.wait_for("document.querySelectorAll("
                      "'#options button[data-move]:not([disabled])').length === 0",
                      WAIT, what="no move to press once the seat has moved")
        now = self.state(first)
        if now["awaiting"]:
            seat.wait_for("document.getElementById('status').textContent"
                          ".indexOf('Waiting for') >= 0", WAIT,
                          what="'Waiting for ...' on the seat's page")
        self.no_error(seat)

        # The facilitator: everything exact, who moved, a /news through the
        # console, /why, then hold.
        fpage = self.open("facilitator")
        fac = self.state("facilitator")
        self.assertEqual(self.count(fpage, "#values tr[data-var]"), len(fac["values"]))
        self.assertEqual(self.count(fpage, "#values tr[data-hidden=true]"), 0)
        for name in hidden:
            self.assertNotIn("hidden", self.text(fpage, "#values tr[data-var=%s] td.n"
                                                 % js(name)))
        if hidden:
            # Seen as the first seat sees them (?as=), the hidden are hidden.
            fpage.eval("(function(){var s=document.getElementById('as');s.value=%s;"
                       "s.dispatchEvent(new Event('change'));return true})()" % js(first))
            fpage.wait_for("document.querySelectorAll('#values tr[data-hidden=true]')"
                           ".length === %d" % len(hidden), WAIT,
                           what="the values as %s sees them" % first)
            fpage.eval("(function(){var s=document.getElementById('as');s.value='';"
                       "s.dispatchEvent(new Event('change'));return true})()")
            fpage.wait_for("document.querySelectorAll('#values tr[data-hidden=true]')"
                           ".length === 0", WAIT, what="every value exact again")
        self.assertEqual(self.count(fpage, "#seats li[data-actor]"), len(SEATS))
        for s in fac["seats"]:
            self.assertEqual(fpage.eval("document.querySelector(%s).dataset.moved" % js(
                "#seats li[data-actor=%s]" % js(s["actor"]))),
                "true" if s["moved"] else "false")
        # Markup in scenario or facilitator text stays text on every page.
        headline = "Envoys meet at <b>Panmunjom</b> (browser test %d)" % os.getpid()
        self.submit(fpage, "news", {"text": headline})
        fpage.wait_for("Array.prototype.some.call(document.querySelectorAll("
                       "'#timeline li[data-kind=news]'), function (e) {"
                       " return e.textContent.indexOf(%s) >= 0; })" % js(headline),
                       WAIT, what="the news on the facilitator's timeline")
        fpage.wait_for("document.querySelector('#said .said-entry.ok') !== null", WAIT,
                       what="the answer of /news in #said")
        fpage.wait_for("document.getElementById('trail').textContent.indexOf(%s) >= 0"
                       % js("/news " + headline), WAIT, what="/news in the audit trail")
        seat.wait_for("document.getElementById('timeline').textContent.indexOf(%s) >= 0"
                      % js(headline), WAIT, what="the news on the seat's page (SSE)")
        self.wait_log(lambda r: r.get("t") == "news" and r.get("text") == headline,
                      "the news")
        for page in (fpage, seat):
            self.assertEqual(self.count(page, "#timeline li.ev b"), 0,
                             "news text inserted as markup")
        self.submit(fpage, "why", {"var": "negotiations"})
        fpage.wait_for("document.querySelectorAll('#said .said-entry.ok').length >= 2"
                       " && document.getElementById('said').lastChild.textContent"
                       ".indexOf('negotiations') >= 0", WAIT, what="the answer of /why")

        fpage.click("#hold")
        fpage.wait_for("document.getElementById('hold').dataset.held === 'true'", WAIT,
                       what="the hold switch on")
        # "held" in the view is the switch (the contract), on before the
        # turn reaches the held point.
        self.assertTrue(self.state("facilitator")["held"],
                        "GET /api/state says held: false after /hold")

        # The other seat moves (as a program); the held turn does not resolve
        # until the facilitator releases it.
        turn = self.state("facilitator")["turn"]
        deadline = time.monotonic() + WAIT
        while self.state("facilitator")["awaiting"] not in (other, None):
            self.assertLess(time.monotonic(), deadline, "the other seat never had its turn")
            time.sleep(0.1)
        if self.state("facilitator")["awaiting"] == other:
            o2 = self.pick(self.state(other)["options"])
            body = {"move": o2["move"]}
            if o2.get("target"):
                body["target"] = o2["target"]
            code, answer = self.api(other, "POST", "/api/move", body)
            self.assertEqual(code, 200, answer)
        fpage.wait_for("document.getElementById('status').dataset.status === 'held'",
                       WAIT, what="the turn held after its moves")
        seat.wait_for("/held by the facilitator/i.test("
                      "document.getElementById('status').textContent)", WAIT,
                      what="the held notice on the seat's page")
        self.assertEqual(self.state("facilitator")["turn"], turn)
        self.shot(fpage, "facilitator")
        fpage.click("#hold")
        fpage.wait_for("document.getElementById('hold').dataset.held === 'false'", WAIT,
                       what="the hold switch off")
        seat.wait_for("Number(document.getElementById('turn').dataset.turn) > %d" % turn,
                      WAIT, what="the seat's page to show the next turn")
        self.no_error(fpage)
        self.no_error(seat)

        # The projector: charts, no hidden value.
        proj = self.open("projector")
        proj.wait_for("document.querySelectorAll('#charts figure svg').length > 0", WAIT,
                      what="charts on the projector")
        self.assertTrue(proj.eval(
            "Array.prototype.every.call(document.querySelectorAll('#charts svg'),"
            " function (s) { var r = s.getBoundingClientRect();"
            " return r.width > 50 && r.height > 20; })"), "a chart is not drawn")
        code, pstate = self.api("projector", "GET", "/api/state")
        self.assertEqual(code, 200, pstate)
        for v in pstate["values"]:
            if v["name"] in hidden:
                self.assertTrue(v["hidden"], v)
                self.assertIsNone(v["value"], v)
        charted = proj.eval("Array.prototype.map.call(document.querySelectorAll("
                            "'#charts figure'), function (f) { return f.dataset['var']; })")
        page_text = proj.eval("document.body.innerText")
        for name in hidden:
            self.assertNotIn(name, charted)
            self.assertNotIn(name, page_text)
        self.assertIn(headline, self.text(proj, "#news"))
        self.assertEqual(self.count(proj, "#news b"), 0, "news text inserted as markup")
        self.no_error(proj)
        self.shot(proj, "projector")

        # Ctrl-C, then the log replays.
        self.browser.close()
        self.browser = None
        self.server.send_signal(signal.SIGINT)
        try:
            code = self.server.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            self.fail("brink serve did not stop on SIGINT")
        self.assertEqual(code, 0, self.server_said())
        r = subprocess.run([BRINK, "replay", self.log], cwd=ROOT, capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)


def page_turn(test, page):
    return int(page.eval("document.getElementById('turn').dataset.turn"))


if __name__ == "__main__":
    unittest.main()
