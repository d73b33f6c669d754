"""docs/records.schema.json against real logs: every line brink run
--json and brink play --log write is valid, the schema names exactly the
kinds and fields session/record.c accepts, and the checker refuses broken
records (so these tests can fail).

The checker is a small subset of JSON Schema (draft 2020-12) in the
standard library: the keywords the file uses, and an error for any other,
so the schema cannot grow a rule the test silently ignores."""
import json
import os
import re
import subprocess
import tempfile
import unittest

from .support import KOREA, ROOT, TUTORIAL

SCHEMA_PATH = os.path.join(ROOT, "docs", "records.schema.json")
RECORD_C = os.path.join(ROOT, "session", "record.c")


def brink_binary():
    """The brink of the build the tests run against (make sets BRINK_LIB
    to its libbrink.so), else build/brink."""
    lib = os.environ.get("BRINK_LIB")
    if lib:
        return os.path.join(os.path.dirname(lib), "brink")
    return os.path.join(ROOT, "build", "brink")


BRINK = brink_binary()

# What each JSON Schema type accepts; a bool is not a number in JSON.
TYPES = {
    "object": lambda x: isinstance(x, dict),
    "array": lambda x: isinstance(x, list),
    "string": lambda x: isinstance(x, str),
    "boolean": lambda x: isinstance(x, bool),
    "null": lambda x: x is None,
    "number": lambda x: isinstance(x, (int, float))
    and not isinstance(x, bool),
    "integer": lambda x: (isinstance(x, int) and not isinstance(x, bool))
    or (isinstance(x, float) and x.is_integer()),
}
ANNOTATIONS = {"$schema", "$id", "title", "description", "$defs"}
KEYWORDS = ANNOTATIONS | {
    "$ref", "type", "const", "enum", "properties", "required",
    "additionalProperties", "items", "minItems", "maxItems", "oneOf",
    "anyOf", "minimum", "maximum", "pattern"}


class Checker:
    """validate(x) returns the list of what is wrong with 'x' (empty when
    it is valid), each as 'path: reason'."""

    def __init__(self, schema):
        self.root = schema

    def resolve(self, ref):
        if not ref.startswith("#/"):
            raise ValueError("only local $ref is supported: " + ref)
        node = self.root
        for part in ref[2:].split("/"):
            node = node[part]
        return node

    def validate(self, x, schema=None, path="$"):
        if schema is None:
            schema = self.root
        unknown = set(schema) - KEYWORDS
        if unknown:
            raise ValueError("the checker does not know %s (at %s)"
                             % (sorted(unknown), path))
        errs = []
        if "$ref" in schema:
            errs += self.validate(x, self.resolve(schema["$ref"]), path)
        if "type" in schema:
            types = schema["type"]
            types = types if isinstance(types, list) else [types]
            if not any(TYPES[t](x) for t in types):
                return errs + ["%s: %r is not of type %s"
                               % (path, x, "/".join(types))]
        if "const" in schema and x != schema["const"]:
            errs.append("%s: %r is not %r" % (path, x, schema["const"]))
        if "enum" in schema and x not in schema["enum"]:
            errs.append("%s: %r is not one of %s"
                        % (path, x, schema["enum"]))
        if TYPES["number"](x):
            if "minimum" in schema and x < schema["minimum"]:
                errs.append("%s: %r is below %r"
                            % (path, x, schema["minimum"]))
            if "maximum" in schema and x > schema["maximum"]:
                errs.append("%s: %r is above %r"
                            % (path, x, schema["maximum"]))
        if isinstance(x, str) and "pattern" in schema:
            if not re.search(schema["pattern"], x):
                errs.append("%s: %r does not match %s"
                            % (path, x, schema["pattern"]))
        if isinstance(x, list):
            if "minItems" in schema and len(x) < schema["minItems"]:
                errs.append("%s: fewer than %d items"
                            % (path, schema["minItems"]))
            if "maxItems" in schema and len(x) > schema["maxItems"]:
                errs.append("%s: more than %d items"
                            % (path, schema["maxItems"]))
            if "items" in schema:
                for i, item in enumerate(x):
                    errs += self.validate(item, schema["items"],
                                          "%s[%d]" % (path, i))
        if isinstance(x, dict):
            props = schema.get("properties", {})
            for key in schema.get("required", []):
                if key not in x:
                    errs.append("%s: missing '%s'" % (path, key))
            for key, item in x.items():
                sub = "%s.%s" % (path, key)
                if key in props:
                    errs += self.validate(item, props[key], sub)
                elif schema.get("additionalProperties") is False:
                    errs.append("%s: unknown field" % sub)
                elif isinstance(schema.get("additionalProperties"), dict):
                    errs += self.validate(item,
                                          schema["additionalProperties"], sub)
        if "anyOf" in schema:
            if all(self.validate(x, s, path) for s in schema["anyOf"]):
                errs.append("%s: matches none of anyOf" % path)
        if "oneOf" in schema:
            results = [self.validate(x, s, path) for s in schema["oneOf"]]
            good = [r for r in results if not r]
            if len(good) != 1:
                # The branch whose "t" matches says best what is wrong.
                keyed = [r for s, r in zip(schema["oneOf"], results)
                         if self.kind_of(s) == self.kind(x)]
                errs += keyed[0] if keyed and len(good) == 0 else [
                    "%s: matches %d of oneOf, not 1" % (path, len(good))]
        return errs

    def kind_of(self, schema):
        if "$ref" in schema:
            schema = self.resolve(schema["$ref"])
        return schema.get("properties", {}).get("t", {}).get("const")

    @staticmethod
    def kind(x):
        return x.get("t") if isinstance(x, dict) else None


def load_schema():
    with open(SCHEMA_PATH) as f:
        return json.load(f)


def run(args, cwd, stdin=None, status=(0,)):
    p = subprocess.run([BRINK] + args, cwd=cwd, input=stdin,
                       capture_output=True, text=True, timeout=120)
    if p.returncode not in status:
        raise AssertionError("brink %s: exit %d\n%s"
                             % (" ".join(args), p.returncode, p.stderr))
    return p.stdout


FAILING = """\
scenario { id = "fail", start = "2030-01-01", finish = "2030-06-01" }
actor "A" { name = "A" }
var "x" { min = 0, max = 10, init = 1 }
move "push" { by = "A", effect = function(w, m) w.x = w.x + 1 end }
trigger "boom" { every = 2, effect = function(w)
  w.x = 5
  error("the fuse was short")
end }
"""

# A session that makes every kind of intervention the brief lists, and
# state records (after /undo, /branch back, /load and /reload).
SESSION = "\n".join([
    "/set talks 50", "/branch a", "1", "/hold", "2", "/set talks 60",
    "/release", "/undo", "/forecast 20", "1", "/save s1.json",
    "/branch a", "/load s1.json", "/reload", "/news hello",
    "/fire protest", "/why talks", "2", "2", "/quit", ""])


class RecordsSchemaTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.schema = load_schema()
        cls.checker = Checker(cls.schema)
        cls.dir = tempfile.TemporaryDirectory()

    @classmethod
    def tearDownClass(cls):
        cls.dir.cleanup()

    def assertValidLog(self, text, what):
        lines = [ln for ln in text.split("\n") if ln]
        self.assertTrue(lines, what + ": no records")
        kinds = set()
        for n, line in enumerate(lines, 1):
            rec = json.loads(line)
            errs = self.checker.validate(rec)
            self.assertEqual(errs, [], "%s, line %d: %s" % (what, n, line))
            kinds.add(rec["t"])
        return kinds

    def test_the_schema_names_every_kind_and_field_record_c_accepts(self):
        # record.c's table: {"kind", {{"field", F_TYPE | F_OPT}, ...}},
        with open(RECORD_C) as f:
            text = f.read()
        table = text[text.index("record_kinds[] = {"):]
        table = table[:table.index("\n};")]
        want = {}
        for m in re.finditer(r'\{"(\w+)", \{(.*?)\}\},', table, re.S):
            fields = re.findall(r'\{"(\w+)", (F_\w+(?: \| F_OPT)?)\}',
                                m.group(2))
            want[m.group(1)] = {k: "F_OPT" not in ty for k, ty in fields}
        self.assertEqual(len(want), 13, want)
        defs = self.schema["$defs"]
        self.assertEqual(sorted(self.schema["properties"]["t"]["enum"]),
                         sorted(want))
        self.assertEqual(sorted(r["$ref"].split("/")[-1]
                                for r in self.schema["oneOf"]),
                         sorted(want))
        for kind, fields in want.items():
            d = defs[kind]
            self.assertIs(d["additionalProperties"], False, kind)
            self.assertEqual(set(d["properties"]) - {"t"}, set(fields), kind)
            self.assertEqual(set(d["required"]) - {"t"},
                             {k for k, req in fields.items() if req}, kind)

    def test_records_md_documents_every_kind_and_field(self):
        # Each kind has a "### kind" section whose tables name its fields
        # in backquotes (`turn`, `date` may share a row).
        with open(os.path.join(ROOT, "docs", "records.md")) as f:
            text = f.read()
        sections = re.split(r"^### ", text, flags=re.M)[1:]
        documented = {}
        for sec in sections:
            title, body = sec.split("\n", 1)
            rows = re.findall(r"^\| (`[^|]*) \|", body, re.M)
            documented[title.strip()] = {
                name for row in rows for name in re.findall(r"`(\w+)`", row)}
        defs = self.schema["$defs"]
        for kind in self.schema["properties"]["t"]["enum"]:
            self.assertIn(kind, documented)
            fields = set(defs[kind]["properties"]) - {"t"}
            self.assertEqual(fields - documented[kind], set(), kind)
        world = set(defs["world"]["properties"])
        self.assertEqual(world - documented["state"], set())

    def test_logs_of_brink_run_are_valid(self):
        d = self.dir.name
        seen = set()
        for seed in ("1", "2", "3"):
            seen |= self.assertValidLog(
                run(["run", TUTORIAL, "--json", "--seed", seed], d),
                "tutorial seed " + seed)
            seen |= self.assertValidLog(
                run(["run", KOREA, "--json", "--seed", seed], d),
                "flagship seed " + seed)
        seen |= self.assertValidLog(
            run(["run", KOREA, "--json", "--seed", "7", "--policy",
                 "USA=pressure", "--policy", "DPRK=brinkmanship",
                 "--set", "DPRK.economy=40"], d),
            "flagship with policies")
        # A seed past 2^63 is written as a string of digits.
        seen |= self.assertValidLog(
            run(["run", TUTORIAL, "--json", "--seed",
                 "18446744073709551615"], d), "a huge seed")
        self.assertTrue({"start", "setup", "turn", "move", "set", "trigger",
                         "event", "news", "end", "belief"} <= seen, seen)

    def test_a_log_with_an_error_record_is_valid(self):
        path = os.path.join(self.dir.name, "fail.lua")
        with open(path, "w") as f:
            f.write(FAILING)
        out = run(["run", path, "--json"], self.dir.name, status=(1,))
        self.assertIn("error", self.assertValidLog(out, "failing effect"))
        last = json.loads(out.strip().split("\n")[-1])
        self.assertEqual(last["outcome"], "error")

    def test_a_play_session_log_with_interventions_is_valid(self):
        d = self.dir.name
        log = os.path.join(d, "play.jsonl")
        run(["play", TUTORIAL, "--seat", "UP", "--log", log], d,
            stdin=SESSION)
        with open(log) as f:
            text = f.read()
        kinds = self.assertValidLog(text, "play session")
        self.assertTrue({"intervention", "state", "setup"} <= kinds, kinds)
        records = [json.loads(ln) for ln in text.split("\n") if ln]
        commands = {r["command"].split()[0] for r in records
                    if r["t"] == "intervention"}
        self.assertTrue({"/set", "/undo", "/branch", "/load", "/reload",
                         "/hold", "/forecast"} <= commands, commands)
        # /reload names the text the session goes on with.
        self.assertTrue(any(r["t"] == "intervention" and "sha256" in r
                            for r in records))
        # Going on from a save is an intervention too.
        log2 = os.path.join(d, "resumed.jsonl")
        run(["play", "--resume", os.path.join(d, "s1.json"), "--log", log2],
            d, stdin="/quit\n")
        with open(log2) as f:
            records = [json.loads(ln) for ln in f if ln.strip()]
        self.assertValidLog("\n".join(json.dumps(r) for r in records),
                            "resumed session")
        self.assertTrue(any(r.get("command", "").startswith("--resume ")
                            for r in records))

    def test_a_migrated_resume_is_valid(self):
        # A save of version 1 resumed by a version 2 of the text: the
        # intervention names the text and the steps, a state follows.
        d = self.dir.name
        with open(TUTORIAL) as f:
            text = f.read()
        v2 = os.path.join(d, "v2.lua")
        with open(v2, "w") as f:
            f.write(text.replace("scenario {", "scenario {\n  version = 2,", 1)
                    + "\nmigrate { [1] = function(s) end }\n")
        save = os.path.join(d, "v1.json")
        run(["run", TUTORIAL, "--turns", "2", "--save", save], d)
        out = run(["run", v2, "--resume", save, "--json"], d)
        self.assertValidLog(out, "migrated resume")
        records = [json.loads(ln) for ln in out.split("\n") if ln]
        i = next(k for k, r in enumerate(records)
                 if r["t"] == "intervention")
        self.assertEqual(records[i]["migrated"], [1])
        self.assertIn("sha256", records[i])
        self.assertEqual(records[i + 1]["t"], "state")

    def test_the_checker_refuses_broken_records(self):
        good = {"t": "move", "turn": 1, "date": "2025-01-01",
                "actor": "UP", "move": "build"}
        self.assertEqual(self.checker.validate(good), [])
        self.assertEqual(self.checker.validate(dict(good, target="DOWN")),
                         [])
        broken = [
            {k: v for k, v in good.items() if k != "actor"},   # missing
            dict(good, by="UP"),                               # unknown
            dict(good, turn="1"),                              # a string
            dict(good, turn=0),                                # turn 0
            dict(good, turn=True),                             # a bool
            dict(good, date="1 Jan 2025"),                     # not a date
            dict(good, t="moved"),                             # no kind
            {"turn": 1},                                       # no "t"
            {"t": "set", "turn": 1, "var": "x", "old": [1], "new": 2,
             "cause": "move:x"},                               # not a value
            {"t": "intervention", "turn": 1, "command": "/reload",
             "sha256": "abc"},                                 # short hash
            {"t": "state", "turn": 1, "state": {"turn": 1}},   # half a world
            {"t": "end", "turn": 2, "date": "2025-02-01",
             "outcome": "deal", "final": []},                  # not an object
            [],
        ]
        for rec in broken:
            self.assertNotEqual(self.checker.validate(rec), [], rec)

    def test_the_checker_refuses_keywords_it_does_not_implement(self):
        with self.assertRaises(ValueError):
            Checker({"type": "object", "propertyNames": {}}).validate({})


if __name__ == "__main__":
    unittest.main()
