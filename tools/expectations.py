#!/usr/bin/env python3
"""expectations.py: a scenario's expectations, measured, as a Markdown
table in a document, so the document says what brink measures.

    python3 tools/expectations.py SCENARIO DOC [--runs N] [--check]

Runs `brink check SCENARIO --runs N --json` (N 2000 by default; BRINK names
the binary, build/brink otherwise) and writes one row per expectation
(claim, mechanism, measured with its 95% interval, the threshold, the
verdict) between the lines `<!-- expectations: begin -->` and
`<!-- expectations: end -->` of DOC.  With --check it writes nothing and
exits 1 when DOC's table is not the one brink measures now.
"""
import json
import math
import os
import subprocess
import sys

BEGIN = "<!-- expectations: begin -->"
END = "<!-- expectations: end -->"


def measure(brink, scenario, runs):
    out = subprocess.run([brink, "check", scenario, "--runs", str(runs),
                          "--json"], capture_output=True, text=True)
    if out.returncode not in (0, 1):
        sys.exit("expectations.py: brink check failed:\n" + out.stderr)
    rows = [json.loads(line) for line in out.stdout.splitlines()
            if line.startswith('{"t":"expect"')]
    if not rows:
        sys.exit("expectations.py: %s declares no expectation" % scenario)
    return rows


def number(x):
    """As brink check's verdict line writes it: 3 significant digits."""
    if x is None:
        return "n/a"
    if isinstance(x, str):   # "inf", "-inf"
        return x
    if x == 0:
        return "0"
    dec = 2 - math.floor(math.log10(abs(x)))
    if dec > 9:
        return "%.3g" % x
    if dec <= 0:   # C's round(): halves away from zero
        scale = 10 ** -dec
        x = math.copysign(math.floor(abs(x) / scale + 0.5), x) * scale
        dec = 0
    text = "%.*f" % (dec, x)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def cell(text):
    return text.replace("|", "\\|") or "-"


def table(rows, scenario, runs):
    lines = [BEGIN, "",
             "`brink check %s --runs %d --json`, %d runs per setup, seeds "
             "from the scenario's own:" % (scenario, runs, runs), "",
             "| claim | mechanism | measured [95%] | wanted | verdict |",
             "| --- | --- | --- | --- | --- |"]
    for r in rows:
        measured = number(r["measured"])
        if r["measured"] is not None:
            measured += " [%s, %s]" % (number(r["lo"]), number(r["hi"]))
        lines.append("| **%s**: %s | %s | %s | %s %s | %s |" % (
            cell(r["name"]), cell(r["claim"]), cell(r.get("mechanism", "")),
            measured, r["op"], number(r["threshold"]), r["verdict"]))
    lines += ["", END]
    return "\n".join(lines)


def main(argv):
    args = [a for a in argv if not a.startswith("--")]
    runs = 2000
    if "--runs" in argv:
        runs = int(argv[argv.index("--runs") + 1])
        args.remove(str(runs))
    if len(args) != 2:
        sys.exit(__doc__)
    scenario, doc = args
    brink = os.environ.get("BRINK", "build/brink")
    text = open(doc, encoding="utf-8").read()
    if BEGIN not in text or END not in text:
        sys.exit("expectations.py: %s has no %s ... %s" % (doc, BEGIN, END))
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    new = head + table(measure(brink, scenario, runs), scenario, runs) + tail
    if "--check" in argv:
        if new != text:
            sys.exit("%s: the expectations table is not what brink measures "
                     "now; run python3 tools/expectations.py %s %s"
                     % (doc, scenario, doc))
        return
    with open(doc, "w", encoding="utf-8") as f:
        f.write(new)


if __name__ == "__main__":
    main(sys.argv[1:])
