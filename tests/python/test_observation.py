"""Observations, and resampling what a player cannot see."""
import ctypes
import random
import unittest

import brink

from .support import (GAME_API, OBSERVATION_API, SECRETS, korea, lib,
                      playout, requires)


def var_id(state, name):
    out = ctypes.c_int()
    assert lib.brink_var_find(state._e.h, name.encode(), ctypes.byref(out)) == 0
    return out.value


def set_var(state, name, value):
    assert lib.brink_var_set(state._e.h, var_id(state, name), value) == 0


def get_var(state, name):
    out = ctypes.c_double()
    assert lib.brink_var_get(state._e.h, var_id(state, name),
                             ctypes.byref(out)) == 0
    return out.value


@requires(*GAME_API + OBSERVATION_API)
class ObservationTest(unittest.TestCase):
    def setUp(self):
        self.game = korea()
        self.names = self.game.observation_names()
        self.usa = self.game.player_index("USA")
        self.dprk = self.game.player_index("DPRK")

    def test_size_names_and_tensor_agree(self):
        s = self.game.new_initial_state()
        obs = s.observation_tensor(self.usa)
        self.assertEqual(len(obs), self.game.observation_tensor_size())
        self.assertEqual(len(obs), len(self.names))
        self.assertTrue(all(isinstance(x, float) for x in obs))
        self.assertEqual(obs[0], 1.0)   # the turn
        self.assertEqual(obs[1], 0.0)   # not ended
        self.assertEqual(obs, s.observation_tensor())

    def test_the_owner_sees_its_hidden_value_and_others_do_not(self):
        s = self.game.new_initial_state()
        i = self.names.index("DPRK.warheads")
        seen = self.names.index("visible:DPRK.warheads")
        truth = get_var(s, "DPRK.warheads")
        self.assertEqual(s.observation_tensor(self.dprk)[i], truth)
        self.assertEqual(s.observation_tensor(self.dprk)[seen], 1.0)
        self.assertEqual(s.observation_tensor(self.usa)[seen], 0.0)
        self.assertEqual(s.observation_tensor(brink.OMNISCIENT)[i], truth)

    def test_no_hidden_value_leaks_into_another_players_view(self):
        s = self.game.new_initial_state()
        nvars = (len(self.names) - 2) // 2
        for player in range(self.game.num_players()):
            before = s.observation_tensor(player)
            c = s.clone()
            for v in range(nvars):
                if not before[2 + nvars + v]:
                    lo, hi = ctypes.c_double(), ctypes.c_double()
                    lib.brink_var_bounds(c._e.h, v, ctypes.byref(lo),
                                         ctypes.byref(hi))
                    # Another truth, within bounds and of the right type.
                    now = ctypes.c_double()
                    lib.brink_var_get(c._e.h, v, ctypes.byref(now))
                    other = lo.value if now.value != lo.value else hi.value
                    if lib.brink_var_type(c._e.h, v) == 2:   # a flag
                        other = 1.0 - now.value
                    lib.brink_var_set(c._e.h, v, other)
            self.assertEqual(c.observation_tensor(player), before,
                             self.game.player_names()[player])
            text = c.observation_string(player)
            self.assertEqual(text, s.observation_string(player))
        self.assertIn("DPRK.warheads = ?",
                      s.observation_string(self.usa))
        self.assertNotIn("DPRK.warheads = ?",
                         s.observation_string(self.dprk))

    @requires("brink_var_prior")
    def test_a_hidden_value_reads_as_its_priors_mean(self):
        game = brink.load_game(SECRETS, seats=["A"])
        s = game.new_initial_state()
        names = game.observation_names()
        obs = s.observation_tensor(0)
        # Uniform means, a flag's probability, an enum's likeliest value.
        want = {"B.arsenal": 30.0, "B.resolve": 0.5, "B.bluffing": 0.3,
                "B.mood": 1.0}
        for name, mean in want.items():
            self.assertAlmostEqual(obs[names.index(name)], mean, msg=name)
            prior = ctypes.c_double()
            self.assertEqual(lib.brink_var_prior(
                s._e.h, var_id(s, name), ctypes.byref(prior)), 0)
            self.assertAlmostEqual(prior.value, mean, msg=name)
        self.assertEqual(s.observation_tensor(1)[names.index("B.arsenal")],
                         30.0)
        self.assertEqual(obs[names.index("talks")], 40.0)

    def test_the_end_is_observed(self):
        s = self.game.new_initial_state(seed=3)
        rng = random.Random(3)
        while not s.is_terminal():
            s.apply_action(rng.choice(s.legal_actions()))
        self.assertEqual(s.observation_tensor(self.usa)[1], 1.0)
        self.assertTrue(s.observation_string(self.usa).endswith(
            "ended") or ", ended" in s.observation_string(self.usa))


@requires(*GAME_API + OBSERVATION_API + ("brink_resample_hidden",))
class ResampleTest(unittest.TestCase):
    def setUp(self):
        self.game = brink.load_game(SECRETS, seats=["A"])
        self.hidden = ("B.arsenal", "B.resolve", "B.bluffing", "B.mood")

    def test_the_same_seed_resamples_the_same_state(self):
        s = self.game.new_initial_state(seed=5)
        s.apply_action(s.legal_actions()[-1])
        a = s.resample_from_infostate(0, 42)
        b = s.resample_from_infostate(0, 42)
        self.assertEqual(a.serialize(), b.serialize())
        playout(a, random.Random(1))
        playout(b, random.Random(1))
        self.assertEqual(a.serialize(), b.serialize())
        c = s.resample_from_infostate(0, 43)
        self.assertNotEqual(c.serialize(), a.serialize())

    def test_resampling_changes_only_what_the_player_cannot_see(self):
        s = self.game.new_initial_state(seed=5)
        before = s.serialize()
        view = s.observation_tensor(0)
        draws = {name: set() for name in self.hidden}
        for seed in range(40):
            r = s.resample_from_infostate(0, seed)
            self.assertEqual(r.observation_tensor(0), view)
            self.assertEqual(r.current_player(), s.current_player())
            for name in self.hidden:
                draws[name].add(get_var(r, name))
        self.assertEqual(draws["B.bluffing"], {0.0, 1.0})
        self.assertEqual(draws["B.mood"], {0.0, 1.0, 2.0})
        self.assertGreater(len(draws["B.arsenal"]), 10)
        self.assertTrue(all(10 <= x <= 50 and x == int(x)
                            for x in draws["B.arsenal"]))
        self.assertEqual(s.serialize(), before)

    def test_the_owner_has_nothing_of_its_own_resampled(self):
        s = self.game.new_initial_state(seed=5)
        r = s.resample_from_infostate(1, 3)
        for name in self.hidden:
            self.assertEqual(get_var(r, name), get_var(s, name))

    def test_the_flagships_arsenal_is_resampled_for_the_usa(self):
        game = korea()
        s = game.new_initial_state(seed=5)
        usa = game.player_index("USA")
        view = s.observation_tensor(usa)
        draws = set()
        for seed in range(8):
            r = s.resample_from_infostate(usa, seed)
            self.assertEqual(r.observation_tensor(usa), view)
            draws.add(get_var(r, "DPRK.warheads"))
        self.assertGreater(len(draws), 1)


if __name__ == "__main__":
    unittest.main()
