#!/usr/bin/env python3
"""Remakes the screenshots of docs/tabletop.md: serves the flagship with
seats USA and ROK, plays three turns through the API (and a /news), then
photographs a seat's page, the facilitator's console (after a /why) and
the projector in Debian's chromium at 1280x860.

    BRINK=build/brink python3 tools/serve_screenshots.py [DIR]   (docs/img)
"""
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "tests", "serve"))
os.environ.setdefault("BRINK", os.path.join(ROOT, "build", "brink"))

from tests.serve import support  # noqa: E402
import cdp  # noqa: E402

PREFER = {"USA": ["working_talks", "summit"], "ROK": ["mediate", "joint_project"]}


def move(s, who):
    legal = [o for o in s.state(who)["options"] if o["legal"]]
    o = next((o for p in PREFER[who] for o in legal if o["move"] == p), legal[0])
    body = {"move": o["move"]}
    if o.get("target"):
        body["target"] = o["target"]
    s.api("POST", "move", body, who=who)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "docs", "img")
    os.makedirs(out, exist_ok=True)
    with support.Served() as s:
        for turn in range(3):
            move(s, "USA")
            move(s, "ROK")
            if turn == 1:
                s.api("POST", "command", {"command": "/news Seoul and Washington "
                                          "agree to postpone the August drills"})
        with cdp.Browser(width=1280, height=860) as b:
            for role, name in (("USA", "seat"), ("facilitator", "facilitator"),
                               ("projector", "projector")):
                p = b.new_page()
                p.navigate(s.base + "/join/" + s.links[role])
                p.wait_for("document.body.dataset.version !== undefined"
                           " && document.getElementById('turn').textContent !== ''")
                if role == "projector":
                    p.wait_for("document.querySelectorAll('#charts svg').length > 0")
                if role == "facilitator":
                    p.type_into("form[data-cmd=why] [name=var]", "negotiations")
                    p.click("form[data-cmd=why] button[type=submit]")
                    p.wait_for("document.querySelector('#said .said-entry.ok') !== null")
                p.eval("window.scrollTo(0, 0)")
                time.sleep(0.3)
                print(p.screenshot(os.path.join(out, "serve-%s.png" % name),
                                   full_page=False))


if __name__ == "__main__":
    main()
