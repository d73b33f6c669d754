"""Observations, and resampling what a player cannot see."""
import ctypes
import random
import unittest

import brink

from .support import GAME_API, OBSERVATION_API, korea, lib, requires


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

    def test_a_hidden_value_reads_as_its_priors_mean(self):
        if not hasattr(lib, "brink_var_prior"):
            self.skipTest("libbrink lacks brink_var_prior")
        s = self.game.new_initial_state()
        v = var_id(s, "DPRK.warheads")
        mean = ctypes.c_double()
        self.assertEqual(lib.brink_var_prior(s._e.h, v, ctypes.byref(mean)), 0)
        self.assertEqual(s.observation_tensor(self.usa)[2 + v], mean.value)

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
        self.game = korea()
        self.usa = self.game.player_index("USA")

    def test_the_same_seed_resamples_the_same_state(self):
        s = self.game.new_initial_state(seed=5)
        a = s.resample_from_infostate(self.usa, 42)
        b = s.resample_from_infostate(self.usa, 42)
        self.assertEqual(a.serialize(), b.serialize())
        rng1, rng2 = random.Random(1), random.Random(1)
        while not a.is_terminal():
            a.apply_action(rng1.choice(a.legal_actions()))
        while not b.is_terminal():
            b.apply_action(rng2.choice(b.legal_actions()))
        self.assertEqual(a.serialize(), b.serialize())

    def test_resampling_changes_only_what_the_player_cannot_see(self):
        s = self.game.new_initial_state(seed=5)
        before = s.serialize()
        view = s.observation_tensor(self.usa)
        draws = set()
        for seed in range(8):
            r = s.resample_from_infostate(self.usa, seed)
            self.assertEqual(r.observation_tensor(self.usa), view)
            self.assertEqual(r.current_player(), s.current_player())
            draws.add(get_var(r, "DPRK.warheads"))
        self.assertGreater(len(draws), 1)
        self.assertEqual(s.serialize(), before)

    def test_the_owner_has_nothing_of_its_own_resampled(self):
        s = self.game.new_initial_state(seed=5)
        dprk = self.game.player_index("DPRK")
        r = s.resample_from_infostate(dprk, 3)
        self.assertEqual(get_var(r, "DPRK.warheads"),
                         get_var(s, "DPRK.warheads"))


if __name__ == "__main__":
    unittest.main()
