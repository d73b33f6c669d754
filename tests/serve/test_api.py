"""The JSON API of brink serve over loopback."""

import unittest

from tests.serve.support import Served, replay


class Play(unittest.TestCase):
    def test_a_seat_moves_and_the_log_replays(self):
        with Served() as s:
            st = s.state("USA")
            self.assertEqual(st["awaiting"], "USA")
            self.assertTrue(st["your_turn"])
            move = next(o for o in st["options"] if o["legal"])
            r = s.api("POST", "move", {"move": move["move"],
                                        "target": move["target"]}, who="USA")
            self.assertTrue(r["ok"])
            self.assertFalse(r["state"]["your_turn"])
            self.assertEqual(s.stop(), 0)
            moves = [x for x in s.log_records() if x["t"] == "move"]
            self.assertEqual(moves[0]["actor"], "USA")
            self.assertEqual(moves[0]["move"], move["move"])
            rc, out = replay(s.log)
            self.assertEqual(rc, 0, out)


if __name__ == "__main__":
    unittest.main()
