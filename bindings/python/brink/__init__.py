"""brink: crisis-diplomacy scenarios as games, for game-AI research.

Pure Python over libbrink's C API (ctypes and brink.h alone), with
OpenSpiel's names:

    import brink
    game = brink.load_game("scripts/scenarios/korea-2019.lua", seats=["USA"])
    state = game.new_initial_state(seed=7)
    while not state.is_terminal():
        state.apply_action(random.choice(state.legal_actions()))
    print(state.outcome(), state.returns())

The library is found through BRINK_LIB, else beside this package's install
prefix ($(PREFIX)/lib), else the system's search.
"""
from ._lib import lib as _clib, path as library_path
from .errors import (BudgetError, Error, ExistsError, FormatError,
                     InvalidError, IOFailure, LibraryError, NoMemoryError,
                     NotFoundError, RangeError, ScriptError, StateError,
                     UnsupportedError, WrongTypeError)
from .game import OMNISCIENT, TERMINAL, Game, State, load_game

__all__ = ["load_game", "Game", "State", "TERMINAL", "OMNISCIENT",
           "version", "library_path", "Error", "BudgetError", "ExistsError",
           "FormatError", "InvalidError", "IOFailure", "LibraryError",
           "NoMemoryError", "NotFoundError", "RangeError", "ScriptError",
           "StateError", "UnsupportedError", "WrongTypeError"]


def version():
    """The linked libbrink's version ("0.1.0")."""
    return _clib.brink_version().decode()
