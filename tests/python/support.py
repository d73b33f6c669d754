"""What the Python tests share: the scenarios, and requires(), which fails
a test whose C functions this libbrink lacks, with their names, so a test
never passes, or is skipped, without having run."""
import os
import tempfile

import brink
from brink import _lib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
KOREA = os.path.join(ROOT, "scripts", "scenarios", "korea-2019.lua")
TUTORIAL = os.path.join(ROOT, "scripts", "scenarios", "tutorial.lua")
# Payoffs, hidden values and priors of every type, apart from the
# flagship's tuning.
SECRETS = os.path.join(ROOT, "tests", "python", "secrets.lua")
lib = _lib.lib

GAME_API = ("brink_action_count", "brink_action_info", "brink_action_find",
            "brink_legal_actions", "brink_choose_action", "brink_decide")
OBSERVATION_API = ("brink_observation_size", "brink_observation",
                   "brink_observation_name")
PAYOFF_API = ("brink_returns",)


def requires(*names):
    """Fails the test when the library lacks one of 'names' (saying which);
    when they all exist the test runs and must pass."""
    absent = [n for n in names if not hasattr(lib, n)]

    def wrap(test):
        if not absent:
            return test

        def missing(self):
            self.fail("libbrink lacks " + ", ".join(absent))
        missing.__name__ = test.__name__
        return missing
    return wrap


def write_scenario(testcase, text, name="broken.lua"):
    """'text' as a scenario file in a fresh directory removed after the
    test; returns its path."""
    d = tempfile.TemporaryDirectory()
    testcase.addCleanup(d.cleanup)
    path = os.path.join(d.name, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def playout(state, rng, limit=10000):
    """Random legal actions to the end; the actions taken."""
    taken = []
    while not state.is_terminal():
        a = rng.choice(state.legal_actions())
        state.apply_action(a)
        taken.append(a)
        if len(taken) > limit:
            raise AssertionError("no end after %d actions" % limit)
    return taken


def korea(**settings):
    settings.setdefault("seats", ["USA"])
    return brink.load_game(KOREA, **settings)
