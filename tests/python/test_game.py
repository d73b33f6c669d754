"""Loading games, their metadata, and the errors a host sees."""
import unittest

import brink
from brink import _lib

from .support import (GAME_API, KOREA, OBSERVATION_API, korea, lib,
                      requires, write_scenario)

BROKEN_LOAD = """scenario { id = "broken", start = "2025-01-01",
  finish = "2025-03-31", turn = "month" }
actor "A" {}
var "x" { min = 0, max = 10, init = 1 }
move "poke" { by = "A", effect = function(w) w.x = w.x + nosuch.field end }
local y = 1 +
"""

BROKEN_RUN = """scenario { id = "broken", start = "2025-01-01",
  finish = "2025-03-31", turn = "month" }
actor "A" {}
var "x" { min = 0, max = 10, init = 1 }
trigger "collapse" {
  when = function(w) return true end,
  effect = function(w)
    error("the dam gives way")
  end,
}
"""


class LoadTest(unittest.TestCase):
    def test_loads_the_flagship_with_its_actors_in_declaration_order(self):
        game = brink.load_game(KOREA)
        self.assertEqual(game.num_players(), 6)
        self.assertEqual(game.player_names(),
                         ["USA", "DPRK", "ROK", "PRC", "RUS", "JPN"])
        self.assertEqual(game.player_index("DPRK"), 1)

    def test_an_unknown_setting_is_a_type_error(self):
        with self.assertRaises(TypeError):
            brink.load_game(KOREA, seat=["USA"])

    def test_a_misspelt_seat_is_not_found_and_named(self):
        with self.assertRaises(brink.NotFoundError) as cm:
            korea(seats=["UAS"])
        self.assertIn("'UAS'", str(cm.exception))
        self.assertEqual(cm.exception.status, -3)

    def test_a_misspelt_preset_fails_at_the_load(self):
        with self.assertRaises(brink.NotFoundError):
            korea(sets={"trade_warr": 10})

    def test_presets_are_set_after_the_start(self):
        game = korea(sets={"trade_war": 12})
        s = game.new_initial_state()
        var = _lib.ctypes.c_int()
        value = _lib.ctypes.c_double()
        lib.brink_var_find(s._e.h, b"trade_war", _lib.ctypes.byref(var))
        self.assertEqual(s.turn(), 1)
        # The first turn may move it; a start at 65 would not be this low.
        lib.brink_var_get(s._e.h, var.value, _lib.ctypes.byref(value))
        self.assertLess(value.value, 40)

    def test_a_missing_file_raises_an_error_with_the_path(self):
        with self.assertRaises(brink.Error) as cm:
            brink.load_game("/nonexistent/nothing.lua")
        self.assertIn("nothing.lua", str(cm.exception))

    def test_a_load_error_carries_file_and_line(self):
        path = write_scenario(self, BROKEN_LOAD)
        with self.assertRaises(brink.ScriptError) as cm:
            brink.load_game(path)
        err = cm.exception
        self.assertTrue(err.where.endswith("broken.lua:7") or
                        err.where.endswith("broken.lua:6"), err.where)
        self.assertEqual(err.file.rsplit("/", 1)[-1], "broken.lua")
        self.assertIn(err.line, (6, 7))
        self.assertTrue(err.diagnostics)

    def test_a_script_error_in_play_carries_file_line_and_what_ran(self):
        game = brink.load_game(write_scenario(self, BROKEN_RUN))
        with self.assertRaises(brink.ScriptError) as cm:
            game.new_initial_state()
        err = cm.exception
        self.assertIn("the dam gives way", err.message)
        self.assertEqual(err.line, 8)
        self.assertTrue(err.where.endswith("broken.lua:8"), err.where)
        self.assertEqual(err.context, "trigger:collapse")
        self.assertEqual((err.errwhere, err.errin), (err.where, err.context))
        self.assertIn("broken.lua:8", str(err))

    def test_end_on_error_ends_the_run_with_outcome_error(self):
        game = brink.load_game(write_scenario(self, BROKEN_RUN),
                               end_on_error=True)
        s = game.new_initial_state()
        self.assertTrue(s.is_terminal())
        self.assertEqual(s.outcome(), "error")
        self.assertIsInstance(s.error, brink.ScriptError)
        self.assertEqual(s.error.line, 8)

    def test_a_tiny_instruction_budget_raises_budget_error(self):
        # The budget holds for the load's own script calls too.
        with self.assertRaises(brink.BudgetError) as cm:
            korea(max_instructions=1000).new_initial_state()
        self.assertIn("budget", cm.exception.message)
        self.assertIsInstance(cm.exception, brink.ScriptError)

    def test_a_method_whose_function_is_missing_says_so(self):
        game = korea()
        s = game.new_initial_state()
        saved = set(_lib.missing)
        _lib.missing.update(GAME_API + OBSERVATION_API +
                            ("brink_returns", "brink_resample_hidden"))
        try:
            for call in (lambda: s.legal_actions(),
                         lambda: s.apply_action(0),
                         lambda: s.apply_default_action(),
                         lambda: s.returns(),
                         lambda: s.observation_tensor(0),
                         lambda: s.resample_from_infostate(0, 1),
                         lambda: brink.load_game(KOREA).num_distinct_actions()):
                with self.assertRaises(brink.UnsupportedError) as cm:
                    call()
                self.assertIsInstance(cm.exception, brink.Error)
                self.assertIn("does not export", str(cm.exception))
        finally:
            _lib.missing.clear()
            _lib.missing.update(saved)

    @requires("brink_action_count", "brink_action_info")
    def test_actions_are_pass_then_each_move_with_its_targets(self):
        game = korea()
        s = game.new_initial_state()
        n = game.num_distinct_actions()
        self.assertGreater(n, 1)
        self.assertEqual(s.action_to_string(0, 0), "pass")
        names = [s.action_to_string(0, a) for a in range(n)]
        self.assertEqual(len(set(names)), n)
        for a, text in enumerate(names):
            self.assertEqual(s.string_to_action(0, text), a)
        with self.assertRaises(brink.InvalidError):
            s.action_to_string(0, n)

    @requires("brink_policy_count", *GAME_API)
    def test_policies_and_a_turn_limit_shape_the_game(self):
        names = korea().policy_names()
        self.assertEqual(names, ["pressure", "engagement", "allies_first",
                                 "brinkmanship", "patience"])
        runs = set()
        for policy in ("brinkmanship", "patience"):
            game = korea(policies={"DPRK": policy}, turns=4)
            s = game.new_initial_state(seed=9)
            while not s.is_terminal():
                s.apply_default_action()
            self.assertLessEqual(s.turn(), 5)
            runs.add(s.serialize())
        self.assertEqual(len(runs), 2)
        with self.assertRaises(brink.InvalidError):
            korea(policies={"USA": "pressure"})
        with self.assertRaises(brink.Error):
            korea(policies={"DPRK": "pressure"})   # the USA's

    @requires(*OBSERVATION_API)
    def test_observation_names_are_turn_ended_variables_visibility(self):
        game = korea()
        names = game.observation_names()
        nvars = lib.brink_var_count(game._template.h)
        self.assertEqual(game.observation_tensor_size(), 2 + 2 * nvars)
        self.assertEqual(len(names), 2 + 2 * nvars)
        self.assertEqual(names[:2], ["turn", "ended"])
        self.assertIn("DPRK.warheads", names)
        self.assertIn("visible:DPRK.warheads", names)


if __name__ == "__main__":
    unittest.main()
