"""docs/batch.md's GNU parallel recipes, as written there: the summary
merged from the shards is byte for byte one `brink batch` of the runs."""

import os
import unittest

from tests.cluster.support import SKIP, SKIP_WHY, Workdir, doc_blocks, need

RUNS, SHARDS = 400, 4


@unittest.skipIf(SKIP, SKIP_WHY)
class Parallel(unittest.TestCase):
    def setUp(self):
        need("parallel")
        self.work = Workdir()
        self.addCleanup(self.work.remove)

    def check(self, heading, **settings):
        [recipe] = doc_blocks(heading)
        self.work.sh(recipe, SCENARIO=self.work.scenario, RUNS=RUNS,
                     SHARDS=SHARDS, **settings)
        self.assertEqual(sorted(os.listdir(self.work.path("parts"))),
                         sorted("%d.json" % k for k in range(1, SHARDS + 1)))
        with open(self.work.path("summary.json"), "rb") as f:
            merged = f.read()
        self.assertEqual(merged, self.work.one_batch(RUNS))
        self.assertTrue(os.path.exists(self.work.scenario),
                        "the recipe removed the scenario")

    def test_one_machine(self):
        self.check("### On this machine, with GNU parallel")

    def test_sshlogin_this_machine(self):
        # `:` alone: no ssh here, but the command line, its quoting and
        # --basefile/--return/--cleanup are the doc's.
        self.check("### Across machines, with `parallel --sshlogin`",
                   LOGINS="2/:")


if __name__ == "__main__":
    unittest.main()
