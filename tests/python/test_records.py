"""The timeline as Python dicts, through brink_on_record."""
import unittest

import brink

from .support import GAME_API, TUTORIAL, korea, requires


class RecordsTest(unittest.TestCase):
    def test_a_game_option_delivers_every_record_from_the_start(self):
        got = []
        game = brink.load_game(TUTORIAL, on_record=got.append)
        s = game.new_initial_state(seed=1)
        self.assertTrue(s.is_terminal())
        self.assertEqual(got[0]["t"], "start")
        self.assertEqual(got[0]["seed"], 1)
        kinds = {r["t"] for r in got}
        self.assertTrue({"turn", "move", "set", "end"} <= kinds, kinds)
        self.assertEqual(got[-1]["t"], "end")
        self.assertEqual(got[-1]["outcome"], s.outcome())

    def test_a_state_option_overrides_the_games(self):
        game_records, state_records = [], []
        game = brink.load_game(TUTORIAL, on_record=game_records.append)
        game.new_initial_state(on_record=state_records.append)
        self.assertEqual(game_records, [])
        self.assertTrue(state_records)

    def test_an_exception_in_the_callback_reaches_the_caller(self):
        def refuse(record):
            if record["t"] == "move":
                raise KeyError("no moves please")
        game = brink.load_game(TUTORIAL, on_record=refuse)
        with self.assertRaises(KeyError):
            game.new_initial_state()

    def test_the_callback_survives_garbage_collection(self):
        import gc
        got = []
        game = brink.load_game(TUTORIAL, seats=["UP"])
        s = game.new_initial_state()
        s.set_on_record(lambda r: got.append(r["t"]))
        gc.collect()
        s.set_on_record(lambda r: got.append(r["t"]))   # replaces the first
        gc.collect()
        s2 = s.clone()
        del s2
        gc.collect()
        s.set_on_record(None)
        s.set_on_record(lambda r: got.append(r["t"]))
        gc.collect()
        self.assertEqual(got, [])
        self.assertFalse(s.is_terminal())

    @requires(*GAME_API)
    def test_clones_deliver_only_when_asked(self):
        got, cloned = [], []
        s = korea(on_record=got.append).new_initial_state()
        n = len(got)
        c = s.clone()
        c.apply_action(0)
        self.assertEqual(len(got), n)
        c2 = s.clone(on_record=cloned.append)
        c2.apply_action(0)
        self.assertEqual(cloned[0]["t"], "move")
        self.assertEqual(cloned[0]["actor"], "USA")
        self.assertEqual(cloned[0]["move"], "pass")
        s.apply_action(0)
        self.assertEqual(got[n:], cloned)


if __name__ == "__main__":
    unittest.main()
