"""docs/batch.md's Slurm recipe, as written there, on a one-node Slurm
cluster started on this machine: a job array of shards and a merge that
waits for it, then one shard re-run alone.  The merged summary is byte for
byte one `brink batch` of the runs."""

import os
import time
import unittest

from tests.cluster.support import SKIP, SKIP_WHY, Slurm, Workdir, doc_blocks

HEADING = "### On a Slurm cluster, as a job array"
# 8 shards so that the doc's re-run of task 7 is one of them; one CPU
# each so that this machine's CPUs run several at once.
SETTINGS = dict(RUNS=400, SHARDS=8, CPUS=1)
TIMEOUT = 180  # seconds for the jobs to leave the queue


@unittest.skipIf(SKIP, SKIP_WHY)
class SlurmRecipe(unittest.TestCase):
    def test_array_then_merge(self):
        shard_sh, submit, rerun = doc_blocks(HEADING)
        work = Workdir()
        self.addCleanup(work.remove)
        with open(work.path("shard.sh"), "w") as f:
            f.write(shard_sh)
        settings = dict(SETTINGS, SCENARIO=work.scenario)
        with Slurm(work) as slurm:
            t0 = time.time()
            work.sh(submit, env=slurm.env, **settings)
            slurm.drain(TIMEOUT)
            took = time.time() - t0
            shards = SETTINGS["SHARDS"]
            self.assertEqual(sorted(os.listdir(work.path("parts"))),
                             sorted("%d.json" % k for k in range(1, shards + 1)),
                             slurm.work_logs())
            summary = work.path("summary.json")
            self.assertTrue(os.path.exists(summary), slurm.work_logs())
            with open(summary, "rb") as f:
                merged = f.read()
            one = work.one_batch(SETTINGS["RUNS"])
            self.assertEqual(merged, one)

            # The re-run of one task, alone: the same part, byte for byte.
            part7 = work.path("parts", "7.json")
            with open(part7, "rb") as f:
                before = f.read()
            os.remove(part7)
            work.sh(rerun, env=slurm.env, **settings)
            slurm.drain(TIMEOUT)
            self.assertTrue(os.path.exists(part7), slurm.work_logs())
            with open(part7, "rb") as f:
                self.assertEqual(f.read(), before)
        print("\nslurm: %d shards merged in %.1f s" % (shards, took))


if __name__ == "__main__":
    unittest.main()
