"""States: legal actions, applying, cloning, saving, playing to the end."""
import ctypes
import gc
import random
import unittest

import brink
from brink import game as game_module

from .support import (GAME_API, OBSERVATION_API, PAYOFF_API, SECRETS,
                      TUTORIAL, korea, lib, playout, requires)


def options_as_actions(state, player):
    """The legal options brink_options gives, as action numbers."""
    e = state._e.h
    count = ctypes.c_int()
    assert lib.brink_options(e, player, ctypes.byref(count)) == 0
    out = {0}   # pass is always legal
    move, target, legal = ctypes.c_int(), ctypes.c_int(), ctypes.c_int()
    reason, action = ctypes.c_char_p(), ctypes.c_int()
    for i in range(count.value):
        assert lib.brink_option_get(e, i, ctypes.byref(move),
                                    ctypes.byref(target), ctypes.byref(legal),
                                    ctypes.byref(reason)) == 0
        if legal.value:
            assert lib.brink_action_find(e, move.value, target.value,
                                         ctypes.byref(action)) == 0
            out.add(action.value)
    return sorted(out)


@requires(*GAME_API)
class StateTest(unittest.TestCase):
    def setUp(self):
        self.game = korea()
        self.usa = self.game.player_index("USA")

    def test_the_first_state_awaits_the_seat(self):
        s = self.game.new_initial_state(seed=3)
        self.assertEqual(s.current_player(), self.usa)
        self.assertFalse(s.is_terminal())
        self.assertIsNone(s.outcome())
        self.assertIn("USA to move", str(s))

    def test_legal_actions_are_the_legal_options_at_every_decision(self):
        s = self.game.new_initial_state(seed=5)
        rng = random.Random(5)
        checked = 0
        while not s.is_terminal():
            legal = s.legal_actions()
            self.assertEqual(legal, options_as_actions(s, s.current_player()))
            self.assertEqual(legal, sorted(legal))
            self.assertEqual(legal[0], 0)
            self.assertEqual(s.legal_actions(s.current_player() + 1), [])
            s.apply_action(rng.choice(legal))
            checked += 1
        self.assertGreater(checked, 5)
        self.assertEqual(s.legal_actions(), [])

    def test_an_illegal_action_is_refused_and_changes_nothing(self):
        s = self.game.new_initial_state(seed=2)
        legal = set(s.legal_actions())
        illegal = [a for a in range(self.game.num_distinct_actions())
                   if a not in legal]
        self.assertTrue(illegal)
        before = s.serialize()
        with self.assertRaises(brink.InvalidError):
            s.apply_action(illegal[0])
        self.assertEqual(s.serialize(), before)
        self.assertEqual(s.current_player(), self.usa)

    def test_a_clone_and_its_original_play_on_independently(self):
        s = self.game.new_initial_state(seed=4)
        before = s.serialize()
        c = s.clone()
        self.assertEqual(c.serialize(), before)
        playout(c, random.Random(1))
        self.assertTrue(c.is_terminal())
        self.assertFalse(s.is_terminal())
        self.assertEqual(s.serialize(), before)
        # The original still plays the same game its clone would have.
        again = s.clone()
        s.apply_action(0)
        again.apply_action(0)
        self.assertEqual(s.serialize(), again.serialize())

    def test_a_clone_in_a_spare_engine_plays_as_a_fresh_clone(self):
        s = self.game.new_initial_state(seed=4)
        s.apply_action(s.legal_actions()[1])
        dead = [s.clone() for _ in range(3)]
        for d in dead:
            playout(d, random.Random(2))
        del dead, d
        gc.collect()
        self.assertEqual(len(self.game._spares), 3)
        spare = s.clone()
        self.assertEqual(len(self.game._spares), 2)
        fresh = brink.State(self.game, game_module._clone(s._e))
        fresh._player = s.current_player()
        self.assertEqual(spare.serialize(), fresh.serialize())
        playout(spare, random.Random(7))
        playout(fresh, random.Random(7))
        self.assertEqual(spare.serialize(), fresh.serialize())
        # A new game in a spare engine starts as in a fresh one.
        again = self.game.new_initial_state(seed=4)
        again.apply_action(again.legal_actions()[1])
        self.assertEqual(again.serialize(), s.serialize())

    def test_a_deserialized_engine_is_never_a_spare(self):
        t = self.game.deserialize_state(
            self.game.new_initial_state().serialize())
        gc.collect()
        n = len(self.game._spares)
        del t
        gc.collect()
        self.assertEqual(len(self.game._spares), n)

    def test_the_same_seed_and_actions_give_the_same_run(self):
        a = self.game.new_initial_state(seed=11)
        b = self.game.new_initial_state(seed=11)
        playout(a, random.Random(9))
        playout(b, random.Random(9))
        self.assertEqual(a.outcome(), b.outcome())
        self.assertEqual(a.serialize(), b.serialize())

    def test_serialize_and_deserialize_round_trip(self):
        s = self.game.new_initial_state(seed=6)
        for _ in range(4):
            s.apply_action(s.legal_actions()[-1])
        data = s.serialize()
        self.assertIsInstance(data, bytes)
        t = self.game.deserialize_state(data)
        self.assertEqual(t.current_player(), s.current_player())
        self.assertEqual(t.serialize(), data)
        self.assertEqual(t.legal_actions(), s.legal_actions())
        playout(s, random.Random(3))
        playout(t, random.Random(3))
        self.assertEqual(t.outcome(), s.outcome())
        self.assertEqual(t.serialize(), s.serialize())

    def test_a_terminal_state_round_trips(self):
        s = self.game.new_initial_state(seed=8)
        playout(s, random.Random(8))
        t = self.game.deserialize_state(s.serialize())
        self.assertTrue(t.is_terminal())
        self.assertEqual(t.outcome(), s.outcome())

    def test_foreign_or_damaged_data_is_refused_with_format_error(self):
        tutorial = brink.load_game(TUTORIAL, seats=["UP"])
        foreign = tutorial.new_initial_state().serialize()
        with self.assertRaises(brink.FormatError):
            self.game.deserialize_state(foreign)
        data = bytearray(self.game.new_initial_state().serialize())
        data[len(data) // 2] ^= 0x55
        with self.assertRaises(brink.FormatError):
            self.game.deserialize_state(bytes(data))
        with self.assertRaises(brink.FormatError):
            self.game.deserialize_state(b"")
        with self.assertRaises(TypeError):
            self.game.deserialize_state("not bytes")

    def test_a_random_playout_reaches_the_end(self):
        s = self.game.new_initial_state(seed=21)
        taken = playout(s, random.Random(21))
        self.assertTrue(s.is_terminal())
        self.assertEqual(s.current_player(), brink.TERMINAL)
        self.assertEqual(brink.TERMINAL, -4)
        self.assertIsNotNone(s.outcome())
        self.assertTrue(taken)
        with self.assertRaises(brink.StateError):
            s.apply_action(0)
        self.assertIn("ended: " + s.outcome(), str(s))

    def test_default_actions_play_the_unseated_game(self):
        seated = self.game.new_initial_state(seed=13)
        while not seated.is_terminal():
            seated.apply_default_action()
        free = korea(seats=[]).new_initial_state(seed=13)
        self.assertTrue(free.is_terminal())
        self.assertEqual(seated.outcome(), free.outcome())
        self.assertEqual(seated.turn(), free.turn())

    @requires("brink_stop_at_decisions")
    def test_all_decisions_stops_for_every_actor(self):
        game = korea(seats=[], all_decisions=True)
        s = game.new_initial_state(seed=13)
        seen = set()
        while not s.is_terminal():
            seen.add(s.current_player())
            c = s.clone()
            self.assertEqual(c.current_player(), s.current_player())
            s.apply_default_action()
        self.assertEqual(seen, set(range(game.num_players())))
        free = korea(seats=[]).new_initial_state(seed=13)
        self.assertEqual(s.outcome(), free.outcome())
        self.assertEqual(s.turn(), free.turn())

    @requires("brink_stop_at_decisions")
    def test_all_decisions_states_round_trip(self):
        game = korea(seats=[], all_decisions=True)
        s = game.new_initial_state(seed=2)
        for _ in range(3):
            s.apply_default_action()
        t = game.deserialize_state(s.serialize())
        self.assertEqual(t.current_player(), s.current_player())
        self.assertEqual(t.legal_actions(), s.legal_actions())


@requires(*GAME_API + PAYOFF_API)
class ReturnsTest(unittest.TestCase):
    def test_returns_at_the_end_are_brink_returns(self):
        game = korea()
        for seed in (1, 2, 3):
            s = game.new_initial_state(seed=seed)
            start = s.returns()
            total = [0.0] * game.num_players()
            rng = random.Random(seed)
            while not s.is_terminal():
                s.apply_action(rng.choice(s.legal_actions()))
                total = [t + r for t, r in zip(total, s.rewards())]
            n = game.num_players()
            want = (ctypes.c_double * n)()
            self.assertEqual(lib.brink_returns(s._e.h, want, n), 0)
            self.assertEqual(s.returns(), want[:])
            self.assertEqual(len(s.returns()), n)
            for t, a, b in zip(total, s.returns(), start):
                self.assertAlmostEqual(t, a - b)

    @requires("brink_outcome_payoff", "brink_has_payoffs")
    def test_returns_are_the_outcomes_payoffs_once_ended(self):
        game = brink.load_game(SECRETS, seats=["A", "B"])
        e = game._template.h
        self.assertEqual(lib.brink_has_payoffs(e), 1)
        outcomes = set()
        for seed in range(12):
            s = game.new_initial_state(seed=seed)
            self.assertEqual(s.returns(), [0.0, 0.0])
            self.assertEqual(s.rewards(), [0.0, 0.0])
            rng = random.Random(seed)
            while not s.is_terminal():
                # Threats or talks only, so that both ends are reached.
                legal = s.legal_actions()
                s.apply_action(legal[-1] if seed % 2 else legal[1])
            outcomes.add(s.outcome())
            outcome = ctypes.c_int()
            self.assertEqual(lib.brink_outcome_find(
                e, s.outcome().encode(), ctypes.byref(outcome)), 0)
            pay = ctypes.c_double()
            for actor, got in enumerate(s.returns()):
                self.assertEqual(lib.brink_outcome_payoff(
                    e, outcome.value, actor, ctypes.byref(pay)), 0)
                self.assertEqual(got, pay.value)
            want = {"deal": [3, 2], "war": [-5, -4], "drift": [1, 0]}
            self.assertEqual(s.returns(), want[s.outcome()])
            self.assertEqual(s.rewards(), want[s.outcome()])
        self.assertGreater(len(outcomes), 1, outcomes)


@requires(*GAME_API + OBSERVATION_API)
class StringTest(unittest.TestCase):
    def test_str_shows_every_value_and_the_player_to_move(self):
        s = korea().new_initial_state()
        text = str(s)
        self.assertTrue(text.startswith("turn 1 (2019-05-01), USA to move"),
                        text)
        self.assertIn("DPRK.warheads = ", text)


if __name__ == "__main__":
    unittest.main()
