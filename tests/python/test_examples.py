"""The Python examples still run: examples/mcts.py and bench/bench.py."""
import os
import subprocess
import sys
import unittest

from .support import (GAME_API, KOREA, OBSERVATION_API, PAYOFF_API, ROOT,
                      korea, requires)
from brink import game as game_module


def run(*args):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.path.join(ROOT, "bindings", "python")
    return subprocess.run([sys.executable] + list(args), cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


class Counting:
    """The library, counting the C calls made through it."""

    def __init__(self, lib):
        self.lib, self.calls = lib, []

    def __getattr__(self, name):
        self.calls.append(name)
        return getattr(self.lib, name)


@requires(*GAME_API + OBSERVATION_API)
class ObservationCostTest(unittest.TestCase):
    def test_an_observation_is_one_c_call(self):
        s = korea().new_initial_state()
        s.observation_tensor(0)   # the buffer is made once
        counting = Counting(game_module.lib)
        game_module.lib = counting
        try:
            obs = s.observation_tensor(0)
        finally:
            game_module.lib = counting.lib
        self.assertEqual(counting.calls, ["brink_observation"])
        self.assertIsInstance(obs, list)


@requires(*GAME_API + OBSERVATION_API + PAYOFF_API +
          ("brink_resample_hidden",))
class ExamplesTest(unittest.TestCase):
    def test_mcts_plays_and_reports_both_players(self):
        r = run("examples/mcts.py", "2", "--rollouts", "1")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("flat Monte Carlo (1 rollouts)", r.stdout)
        self.assertIn("built-in AI", r.stdout)
        self.assertIn("95% interval", r.stdout)
        self.assertIn("decisions/s", r.stdout)
        self.assertIn("outcome", r.stdout)

    def test_bench_reports_clones_actions_observations_and_playouts(self):
        r = run("bench/bench.py", "0.05", "scripts/scenarios/korea-2019.lua")
        self.assertEqual(r.returncode, 0, r.stderr)
        for line in ("clone", "legal_actions", "observation_tensor",
                     "random playouts"):
            self.assertRegex(r.stdout, r"\n  %s +[0-9.]+ /s" % line)


if __name__ == "__main__":
    unittest.main()


class ReadmeAgent(unittest.TestCase):
    """The ten-line agent README.md shows runs as printed there."""

    def test_the_readme_agent_plays_to_an_end(self):
        with open(os.path.join(ROOT, "README.md")) as f:
            text = f.read()
        section = text[text.index("## Agents in Python"):]
        code = section[section.index("```python\n") + 10:]
        code = code[:code.index("```")]
        self.assertLessEqual(
            len([line for line in code.splitlines() if line.strip()]), 10)
        r = run("-c", code)
        self.assertEqual(r.returncode, 0, r.stderr)
        outcome = r.stdout.split()[0]
        with open(KOREA) as f:
            self.assertIn('outcome "%s"' % outcome, f.read(), r.stdout)
